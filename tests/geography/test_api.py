"""The geography API under /api/v1/geography/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from shapely.geometry import shape

from comuna.geography.actions import LoadResult
from comuna.geography.models import search_key

pytestmark = pytest.mark.django_db

API = "/api/v1/geography"


def get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(f"{API}{path}", params)
    return response.status_code, response.json()


def test_it_lists_the_states_with_their_counts(
    client: Client, geography: LoadResult, django_assert_max_num_queries: Any
) -> None:
    # + 1: the data version that keys the cache of public answers
    with django_assert_max_num_queries(3):
        status, states = get(client, "/states")
    assert status == 200
    assert len(states) == 25
    names = [s["name"] for s in states]
    assert names == sorted(names, key=search_key)
    assert names.index("Mérida") < names.index("Miranda") < names.index("Monagas")
    lara = next(s for s in states if s["code"] == "VE-K")
    assert lara == {
        "code": "VE-K",
        "name": "Lara",
        "slug": "lara",
        "capital": "Barquisimeto",
        "municipality_count": 9,
        "parish_count": 58,
        "bbox": lara["bbox"],
    }
    west, south, east, north = lara["bbox"]
    assert west < -69.16 < east
    assert south < 9.78 < north
    assert sum(s["parish_count"] for s in states) == 1140


@pytest.mark.parametrize("key", ["VE-K", "ve-k", "lara"])
def test_a_state_is_found_by_code_or_slug(client: Client, geography: LoadResult, key: str) -> None:
    status, state = get(client, f"/states/{key}")
    assert status == 200
    assert state["code"] == "VE-K"
    assert len(state["municipalities"]) == 9
    assert {"code": "VE-K-07", "name": "Simón Planas", "slug": "simon-planas"}.items() <= next(
        m for m in state["municipalities"] if m["code"] == "VE-K-07"
    ).items()


def test_an_unknown_state_answers_404_with_the_error_body(
    client: Client, geography: LoadResult
) -> None:
    status, body = get(client, "/states/VE-Q")
    assert status == 404
    assert set(body) == {"detail", "code", "fields"}
    assert body["code"] == "not_found"


def test_it_lists_the_municipalities_of_a_state(
    client: Client, geography: LoadResult, django_assert_max_num_queries: Any
) -> None:
    # + 1: the data version that keys the cache of public answers
    with django_assert_max_num_queries(3):
        status, municipalities = get(client, "/states/VE-X/municipalities")
    assert status == 200
    assert municipalities == [
        {
            "code": "VE-X-01",
            "name": "Vargas",
            "slug": "vargas",
            "capital": "La Guaira",
            "parish_count": 11,
        }
    ]
    assert get(client, "/states/VE-W/municipalities") == (200, [])


def test_a_municipality_comes_with_its_state_and_parishes(
    client: Client, geography: LoadResult
) -> None:
    status, municipality = get(client, "/municipalities/VE-K-07")
    assert status == 200
    assert municipality["state"] == {"code": "VE-K", "name": "Lara", "slug": "lara"}
    assert municipality["parish_count"] == 3
    assert {"code": "VE-K-07-03", "name": "Sarare", "slug": "sarare"} in municipality["parishes"]
    status, body = get(client, "/municipalities/VE-K-99")
    assert status == 404
    assert set(body) == {"detail", "code", "fields"}


def test_parishes_are_searched_without_accents(
    client: Client, geography: LoadResult, django_assert_max_num_queries: Any
) -> None:
    # + 1: the data version that keys the cache of public answers
    with django_assert_max_num_queries(3):
        status, page = get(client, "/parishes", q="sarare")
    assert status == 200
    assert page["count"] == 1
    assert page["items"][0] == {
        "code": "VE-K-07-03",
        "name": "Sarare",
        "slug": "sarare",
        "municipality": {"code": "VE-K-07", "name": "Simón Planas", "slug": "simon-planas"},
        "state": {"code": "VE-K", "name": "Lara", "slug": "lara"},
    }
    assert get(client, "/parishes", q="MAIQUETIA")[1]["items"][0]["name"] == "Maiquetía"
    assert get(client, "/parishes", q="Maiquetía")[1]["count"] == 1


def test_parishes_are_filtered_by_state_and_municipality(
    client: Client, geography: LoadResult
) -> None:
    assert get(client, "/parishes", state="VE-K")[1]["count"] == 58
    assert get(client, "/parishes", state="lara")[1]["count"] == 58
    assert get(client, "/parishes", municipality="VE-K-07")[1]["count"] == 3
    assert (
        get(client, "/parishes", q="san", state="VE-V")[1]["count"]
        < get(client, "/parishes", q="san")[1]["count"]
    )


def test_parish_pages_hold_at_most_200_items(client: Client, geography: LoadResult) -> None:
    status, page = get(client, "/parishes", page_size=1000)
    assert status == 200
    assert page["count"] == 1140
    assert len(page["items"]) == 200
    status, last = get(client, "/parishes", page_size=200, page=6)
    assert len(last["items"]) == 140


def test_a_too_long_search_is_refused_with_the_field_named(
    client: Client, geography: LoadResult
) -> None:
    status, body = get(client, "/parishes", q="x" * 101)
    assert status == 422
    assert set(body) == {"detail", "code", "fields"}
    assert "q" in body["fields"]


def test_the_outlines_are_an_rfc7946_feature_collection(
    client: Client, geography: LoadResult, django_assert_max_num_queries: Any
) -> None:
    # + 1: the data version that keys the cache of public answers
    with django_assert_max_num_queries(2):
        response = client.get(f"{API}/outlines.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    features = collection["features"]
    assert len(features) == 25
    assert sorted(f["properties"]["code"] for f in features) == [
        f["properties"]["code"] for f in features
    ]
    for feature in features:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) == {"code", "name"}
        geometry = feature["geometry"]
        assert geometry["type"] in ("Polygon", "MultiPolygon")
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            for ring in polygon:
                assert len(ring) >= 4
                assert ring[0] == ring[-1]
        geom = shape(geometry)
        assert geom.is_valid
        # RFC 7946 §3.1.6: exterior rings counter-clockwise.
        parts = geom.geoms if geom.geom_type == "MultiPolygon" else [geom]
        assert all(part.exterior.is_ccw for part in parts)
