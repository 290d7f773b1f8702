"""The geography pages: states, a state, a municipality, the parish search, the outlines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from comuna.geography.actions import LoadResult

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parents[2] / "src" / "comuna" / "core" / "static" / "core"
PAGE_BUDGET = 60_000  # bytes, compressed, HTML + CSS + JS (DESIGN §6)


def compressed_page_size(content: bytes) -> int:
    assets = [STATIC / "comuna.css", STATIC / "htmx.min.js"]
    return len(gzip.compress(content)) + sum(len(gzip.compress(a.read_bytes())) for a in assets)


def test_the_states_page_lists_every_state_with_a_map(
    client: Client, geography: LoadResult
) -> None:
    response = client.get(reverse("geography:index"))
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    body = response.content.decode()
    for name in ("Lara", "La Guaira", "Dependencias Federales", "Distrito Capital", "Amazonas"):
        assert name in body
    assert body.count('<path class="state') == 25
    assert body.count(f'href="{reverse("geography:state", args=["lara"])}"') == 2  # map, table
    assert "<title>Lara</title>" in body
    assert "1140" in body
    # Alphabetical order ignores accents, on SQLite as on PostgreSQL.
    assert body.index(">Mérida</a>") < body.index(">Miranda</a>") < body.index(">Monagas</a>")


def test_the_states_page_speaks_english_when_asked(client: Client, geography: LoadResult) -> None:
    response = client.get(reverse("geography:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "States, municipalities and parishes" in response.content.decode()


def test_the_states_page_says_when_nothing_is_loaded(client: Client) -> None:
    response = client.get(reverse("geography:index"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "load-geography" in response.content.decode()


def test_the_navigation_links_to_the_geography(client: Client, geography: LoadResult) -> None:
    body = client.get(reverse("geography:index")).content.decode()
    assert f'<a href="{reverse("geography:index")}" aria-current="page">' in body


def test_a_state_page_lists_its_municipalities_and_highlights_the_state(
    client: Client, geography: LoadResult
) -> None:
    response = client.get(reverse("geography:state", args=["lara"]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Lara</h1>" in body
    assert "VE-K" in body
    assert "Barquisimeto" in body
    assert "Simón Planas" in body
    assert reverse("geography:municipality", args=["lara", "simon-planas"]) in body
    assert body.count('class="state current"') == 1
    assert 'aria-current="page"><path class="state current"' in body


def test_the_federal_dependencies_page_has_no_municipalities(
    client: Client, geography: LoadResult
) -> None:
    response = client.get(reverse("geography:state", args=["dependencias-federales"]))
    assert response.status_code == 200
    assert "VE-W" in response.content.decode()


def test_a_municipality_page_lists_its_parishes(client: Client, geography: LoadResult) -> None:
    response = client.get(reverse("geography:municipality", args=["lara", "simon-planas"]))
    assert response.status_code == 200
    body = response.content.decode()
    for parish in ("Buría", "Gustavo Vega", "Sarare", "VE-K-07-03"):
        assert parish in body
    assert reverse("geography:state", args=["lara"]) in body


@pytest.mark.parametrize(
    "url",
    [
        "/geografia/atlantida/",
        "/geografia/lara/libertador/",  # Libertador exists, but not in Lara
        "/geografia/lara/no-existe/",
    ],
)
def test_unknown_places_answer_404(client: Client, geography: LoadResult, url: str) -> None:
    assert client.get(url).status_code == 404


def test_search_finds_sarare(client: Client, geography: LoadResult) -> None:
    response = client.get(reverse("geography:search"), {"q": "sarare"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sarare" in body
    assert "Simón Planas" in body


@pytest.mark.parametrize(("query", "found"), [("MAIQUETIA", "Maiquetía"), ("antímano", "Antímano")])
def test_search_ignores_accents_and_case(
    client: Client, geography: LoadResult, query: str, found: str
) -> None:
    body = client.get(reverse("geography:search"), {"q": query}).content.decode()
    assert f"<td>{found}</td>" in body


def test_search_within_a_state_is_paginated(client: Client, geography: LoadResult) -> None:
    first = client.get(reverse("geography:search"), {"state": "zulia"}).content.decode()
    assert "106" in first
    assert 'rel="next"' in first
    last = client.get(reverse("geography:search"), {"state": "zulia", "page": "3"})
    assert last.status_code == 200
    assert 'rel="prev"' in last.content.decode()
    assert "state=zulia" in last.content.decode()


def test_search_without_criteria_shows_the_form_only(client: Client, geography: LoadResult) -> None:
    response = client.get(reverse("geography:search"))
    assert response.status_code == 200
    assert "<table>" not in response.content.decode()


def test_search_with_an_unknown_state_shows_an_error(client: Client, geography: LoadResult) -> None:
    response = client.get(reverse("geography:search"), {"state": "atlantida"})
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()


def test_search_answers_htmx_with_the_results_only(client: Client, geography: LoadResult) -> None:
    response = client.get(reverse("geography:search"), {"q": "sarare"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "<html" not in body
    assert "Sarare" in body
    assert "HX-Request" in response["Vary"]


def test_the_outlines_download_is_geojson(client: Client, geography: LoadResult) -> None:
    response = client.get(reverse("geography:outlines"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 25


@pytest.mark.parametrize(
    ("name", "args", "params"),
    [
        ("geography:index", [], {}),
        ("geography:state", ["zulia"], {}),
        ("geography:municipality", ["zulia", "maracaibo"], {}),
        ("geography:search", [], {"state": "zulia", "q": "san"}),
        ("geography:outlines", [], {}),
    ],
)
def test_pages_run_a_fixed_number_of_queries(
    client: Client,
    geography: LoadResult,
    django_assert_max_num_queries: Any,
    name: str,
    args: list[str],
    params: dict[str, str],
) -> None:
    # Cold caches: the map's paths cost one query the first time, none afterwards.
    with django_assert_max_num_queries(4):
        assert client.get(reverse(name, args=args), params).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(reverse(name, args=args), params).status_code == 200


@pytest.mark.parametrize(
    ("name", "args", "params"),
    [
        ("geography:index", [], {}),
        ("geography:state", ["zulia"], {}),
        ("geography:municipality", ["zulia", "maracaibo"], {}),
        ("geography:search", [], {"state": "zulia"}),
    ],
)
def test_pages_stay_within_the_size_budget(
    client: Client, geography: LoadResult, name: str, args: list[str], params: dict[str, str]
) -> None:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    assert compressed_page_size(response.content) < PAGE_BUDGET
