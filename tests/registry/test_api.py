"""Registry API: lists with filters, details, create and update with the access rules."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from comuna.core import actions as core_actions
from comuna.registry.models import Commune
from tests.registry.conftest import Network
from tests.registry.test_pages import more_communes

pytestmark = pytest.mark.django_db


def token_for(user: Any) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_communes_of_lara(client: Client, network: Network) -> None:
    body = client.get("/api/v1/communes", {"state": "VE-K"}).json()
    assert [c["slug"] for c in body["items"]] == ["el-maizal"]
    assert body["items"][0]["place"]["state"] == "VE-K"


def test_the_list_is_paginated_up_to_200(client: Client, network: Network) -> None:
    body = client.get("/api/v1/communes", {"page_size": 1000}).json()
    assert body["count"] == 2


def test_list_queries_do_not_grow(
    client: Client, network: Network, django_assert_max_num_queries: Any
) -> None:
    more_communes(network, 2)
    with django_assert_max_num_queries(8) as first:
        client.get("/api/v1/communes")
        client.get("/api/v1/councils")
    more_communes(network, 6)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/api/v1/communes")
        client.get("/api/v1/councils")


def test_the_detail_has_public_names_only(client: Client, network: Network) -> None:
    body = client.get("/api/v1/communes/el-maizal").json()
    assert any("Alicia Prueba" in s["principals"] for s in body["seats"])
    text = json.dumps(body)
    assert "V-10000001" not in text and "0414-1" not in text


def test_unknown_is_404_with_the_error_body(client: Client, network: Network) -> None:
    response = client.get("/api/v1/communes/nada")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_network_coordinator_creates_a_commune(client: Client, network: Network) -> None:
    payload = {
        "name": "Comuna API",
        "registry_code": "API-1",
        "parish": network.maizal.parish.code,
        "status": "registered",
    }
    auth = token_for(network.nora)
    response = client.post(
        "/api/v1/communes",
        json.dumps(payload),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="c-1",
        **auth,
    )
    assert response.status_code == 201, response.content
    again = client.post(
        "/api/v1/communes",
        json.dumps(payload),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="c-1",
        **auth,
    )
    assert again.status_code == 201
    assert Commune.objects.filter(registry_code="API-1").count() == 1


def test_the_outsider_may_not_create(client: Client, network: Network) -> None:
    payload = {"name": "X", "registry_code": "API-2", "parish": network.maizal.parish.code}
    response = client.post(
        "/api/v1/communes",
        json.dumps(payload),
        content_type="application/json",
        **token_for(network.oscar),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert (
        client.post(
            "/api/v1/communes", json.dumps(payload), content_type="application/json"
        ).status_code
        == 401
    )


def test_bad_input_names_the_field(client: Client, network: Network) -> None:
    payload = {"name": "X", "registry_code": "API-3", "parish": "VE-Q-99-99"}
    response = client.post(
        "/api/v1/communes",
        json.dumps(payload),
        content_type="application/json",
        **token_for(network.nora),
    )
    assert response.status_code == 422
    assert "parish" in response.json()["fields"]


def test_update_by_the_coordinator_and_refusal_for_others(client: Client, network: Network) -> None:
    patch = json.dumps({"seat": "Sarare, casa comunal"})
    ok = client.patch(
        "/api/v1/communes/el-maizal",
        patch,
        content_type="application/json",
        **token_for(network.bob),
    )
    assert ok.status_code == 200 and ok.json()["seat"] == "Sarare, casa comunal"
    refused = client.patch(
        "/api/v1/communes/el-maizal",
        patch,
        content_type="application/json",
        **token_for(network.ernesto),
    )
    assert refused.status_code == 403


def test_councils_create_and_filter(client: Client, network: Network) -> None:
    payload = {
        "name": "CC API",
        "registry_code": "CC-API",
        "parish": network.maizal.parish.code,
        "scope": "urban",
        "commune": "el-maizal",
        "households": 150,
    }
    response = client.post(
        "/api/v1/councils",
        json.dumps(payload),
        content_type="application/json",
        **token_for(network.bob),
    )
    assert response.status_code == 201
    body = client.get("/api/v1/councils", {"commune": "el-maizal"}).json()
    assert {c["registry_code"] for c in body["items"]} == {"CC-LAR-0001", "CC-API"}


def test_negative_households_are_refused(client: Client, network: Network) -> None:
    payload = {
        "name": "CC",
        "registry_code": "CC-NEG",
        "parish": network.maizal.parish.code,
        "scope": "urban",
        "households": -3,
    }
    response = client.post(
        "/api/v1/councils",
        json.dumps(payload),
        content_type="application/json",
        **token_for(network.nora),
    )
    assert response.status_code == 422 and "households" in response.json()["fields"]


def test_the_network_geojson(client: Client, network: Network) -> None:
    response = client.get("/api/v1/network.geojson")
    data = response.json()
    assert data["type"] == "FeatureCollection"
    maizal = next(f for f in data["features"] if f["properties"]["slug"] == "el-maizal")
    assert maizal["geometry"] == {"type": "Point", "coordinates": [-69.16, 9.78]}
