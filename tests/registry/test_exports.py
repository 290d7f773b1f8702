"""Exports of the registry: CSV, GeoJSON and Popolo JSON; filters, privacy and query counts.

Uses the registry's cast (tests/registry/conftest.py): El Maizal (Lara) with its council Las
Delicias and alice's mandate in its parliament; Ezequiel Zamora (Barinas).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comuna.core import actions as core_actions
from comuna.core.models import Person
from comuna.registry import actions, exports, queries
from comuna.registry.capacity import Indicators
from comuna.registry.models import Body, BodyKind, CommitteeType
from tests.registry.conftest import Network, parish

pytestmark = pytest.mark.django_db

EXPORTS = [
    "registry:export_communes_csv",
    "registry:export_councils_csv",
    "registry:export_communes_geojson",
    "registry:export_councils_geojson",
    "registry:export_popolo",
]
# One query for a list; Popolo: network, aggregations, communes, councils, bodies (twice),
# people, committee seats and mandates. A little room for the middleware.
QUERY_BUDGETS = dict.fromkeys(EXPORTS, 2) | {"registry:export_popolo": 10}


@dataclass
class Private:
    """A spokesperson whose public name differs from her full name, and her private data."""

    person: Person
    secrets: tuple[str, ...]


@pytest.fixture
def mafe(network: Network) -> Private:
    person = core_actions.person_create(
        actor=None,
        full_name="María Fernanda Pérez Rondón",
        public_name="Mafe Pérez",
        national_id="V-23456789",
        phone="0412-7654321",
        email="mafe.secreta@example.org",
        address="Calle Escondida 5, Sarare",
        gender=Person.Gender.FEMALE,
    )
    actions.mandate_grant(
        actor=network.bob,
        person=person,
        organisation=network.delicias,
        body=Body.objects.get(organisation=network.delicias, kind=BodyKind.EXECUTIVE_UNIT),
        position="alternate",
        decision="Asamblea de ciudadanos del 2024-02-10",
        start=date(2024, 2, 10),
    )
    actions.mandate_grant(
        actor=network.bob,
        person=person,
        organisation=network.delicias,
        committee=CommitteeType.objects.get(code="water"),
        decision="Asamblea de ciudadanos del 2024-02-10",
        start=date(2024, 2, 10),
    )
    return Private(
        person=person,
        secrets=(
            "María Fernanda",
            "Rondón",
            "V-23456789",
            "0412-7654321",
            "mafe.secreta",
            "Calle Escondida",
            "V-10000001",  # alice's national ID
            "0414-1",  # alice's phone
        ),
    )


def body_of(client: Client, name: str, **params: str) -> tuple[Any, str]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    content = response.getvalue().decode("utf-8")
    return response, content


def csv_rows(content: str) -> list[dict[str, str]]:
    assert content.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(content[1:], newline="")))


def more_communes(network: Network, n: int) -> None:
    for i in range(n):
        commune = actions.commune_register(
            actor=network.nora,
            name=f"Comuna Extra {i}",
            registry_code=f"EXTRA-{i}",
            parish=parish("Sarare", "VE-K"),
            lon=-69.1,
            lat=9.8,
        )
        council = actions.council_register(
            actor=network.nora,
            name=f"Consejo Extra {i}",
            registry_code=f"CC-EXTRA-{i}",
            parish=parish("Sarare", "VE-K"),
            scope="urban",
            commune=commune,
        )
        person = core_actions.person_create(actor=None, full_name=f"Persona Extra {i}")
        actions.mandate_grant(
            actor=network.nora,
            person=person,
            organisation=council,
            committee=CommitteeType.objects.get(code="health"),
            decision="Asamblea",
        )
        actions.mandate_grant(
            actor=network.nora,
            person=person,
            organisation=commune,
            body=Body.objects.get(organisation=commune, kind=BodyKind.BANK),
            decision="Asamblea",
        )


# CSV ------------------------------------------------------------------------------------------


def test_the_communes_csv_is_an_attachment_with_a_bom_and_the_columns(
    client: Client, network: Network
) -> None:
    response, content = body_of(client, "registry:export_communes_csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="comunas.csv"'
    rows = csv_rows(content)
    assert list(rows[0]) == exports.COMMUNE_COLUMNS
    maizal = next(row for row in rows if row["slug"] == "el-maizal")
    assert maizal == {
        "slug": "el-maizal",
        "name": "Comuna El Maizal",
        "registry_code": "COM-LAR-001",
        "state_code": "VE-K",
        "state": "Lara",
        "municipality": "Simón Planas",
        "parish": "Sarare",
        "parish_code": "VE-K-07-03",
        "status": "registered",
        "capacity_level": "",
        "councils": "1",
        "links": "0",
        "lon": "-69.16",
        "lat": "9.78",
        "charter_date": "2013-03-11",
    }
    assert content.endswith("\r\n")


def test_the_councils_csv_names_the_commune(client: Client, network: Network) -> None:
    response, content = body_of(client, "registry:export_councils_csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = csv_rows(content)
    assert list(rows[0]) == exports.COUNCIL_COLUMNS
    assert rows[0]["slug"] == "las-delicias" and rows[0]["commune"] == "el-maizal"
    assert (rows[0]["households"], rows[0]["population"]) == ("180", "700")
    assert (rows[0]["scope"], rows[0]["founded"]) == ("rural", "2010-05-01")


def test_csv_cells_that_look_like_formulas_are_defused(client: Client, network: Network) -> None:
    actions.commune_register(
        actor=network.nora,
        name="=HYPERLINK(1)",
        registry_code="COM-FORMULA",
        parish=parish("Sarare", "VE-K"),
    )
    _response, content = body_of(client, "registry:export_communes_csv", q="FORMULA")
    assert csv_rows(content)[0]["name"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"el-maizal", "ezequiel-zamora"}),
        ({"estado": "VE-E"}, {"ezequiel-zamora"}),
        ({"q": "maizal"}, {"el-maizal"}),
        ({"q": "COM-BAR"}, {"ezequiel-zamora"}),
        ({"estatus": "forming"}, set()),
        ({"nivel": "2"}, {"el-maizal"}),
        ({"nivel": "3"}, set()),
    ],
)
def test_the_commune_exports_honour_the_directory_filters(
    client: Client, network: Network, params: dict[str, str], expected: set[str]
) -> None:
    actions.assessment_record(
        actor=network.bob,
        commune=network.maizal,
        assessed_on=date(2024, 6, 1),
        indicators=Indicators(
            charter_approved=True,
            parliament_meeting=True,
            plan_approved=False,
            bank_operating=False,
            productive_units=0,
            services_managed=0,
            councils_active_share=100,
        ),
    )
    _response, content = body_of(client, "registry:export_communes_csv", **params)
    assert {row["slug"] for row in csv_rows(content)} == expected
    _response, content = body_of(client, "registry:export_communes_geojson", **params)
    features = json.loads(content)["features"]
    assert {feature["properties"]["slug"] for feature in features} == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"las-delicias", "consejo-suelto"}),
        ({"ambito": "rural"}, {"las-delicias"}),
        ({"ambito": "urban"}, {"consejo-suelto"}),
        ({"comuna": "el-maizal"}, {"las-delicias"}),
        ({"comuna": "ezequiel-zamora"}, set()),
        ({"estado": "VE-E"}, set()),
    ],
)
def test_the_council_exports_honour_the_directory_filters(
    client: Client, network: Network, params: dict[str, str], expected: set[str]
) -> None:
    actions.council_register(
        actor=network.nora,
        name="Consejo Suelto",
        slug="consejo-suelto",
        registry_code="CC-LAR-0900",
        parish=parish("Sarare", "VE-K"),
        scope="urban",
    )
    _response, content = body_of(client, "registry:export_councils_csv", **params)
    assert {row["slug"] for row in csv_rows(content)} == expected
    _response, content = body_of(client, "registry:export_councils_geojson", **params)
    features = json.loads(content)["features"]
    assert {feature["properties"]["slug"] for feature in features} == expected


# GeoJSON --------------------------------------------------------------------------------------


def test_the_geojson_is_an_rfc_7946_feature_collection(client: Client, network: Network) -> None:
    actions.commune_register(
        actor=network.nora,
        name="Comuna Sin Lugar",
        slug="sin-lugar",
        registry_code="COM-LAR-800",
        parish=parish("Sarare", "VE-K"),
    )
    response, content = body_of(client, "registry:export_communes_geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(content)
    assert data["type"] == "FeatureCollection"
    assert all(feature["type"] == "Feature" for feature in data["features"])
    by_slug = {feature["properties"]["slug"]: feature for feature in data["features"]}
    maizal = by_slug["el-maizal"]
    assert maizal["geometry"] == {"type": "Point", "coordinates": [-69.16, 9.78]}
    assert maizal["properties"] == {
        "slug": "el-maizal",
        "name": "Comuna El Maizal",
        "kind": "commune",
        "registry_code": "COM-LAR-001",
        "state": "Lara",
        "state_code": "VE-K",
        "municipality": "Simón Planas",
        "parish": "Sarare",
        "parish_code": "VE-K-07-03",
        "status": "registered",
        "level": None,
        "commune": None,
        "scope": None,
        "url": reverse("registry:commune", args=["el-maizal"]),
    }
    assert by_slug["sin-lugar"]["geometry"] is None  # no place given: null, per RFC 7946


def test_a_council_with_a_territory_exports_its_polygon(client: Client, network: Network) -> None:
    ring = [[-69.17, 9.77], [-69.15, 9.77], [-69.15, 9.79], [-69.17, 9.79], [-69.17, 9.77]]
    actions.council_register(
        actor=network.bob,
        name="Consejo Con Territorio",
        slug="con-territorio",
        registry_code="CC-LAR-0700",
        parish=parish("Sarare", "VE-K"),
        scope="rural",
        commune=network.maizal,
        territory={"type": "Polygon", "coordinates": [ring]},
    )
    _response, content = body_of(client, "registry:export_councils_geojson")
    by_slug = {f["properties"]["slug"]: f for f in json.loads(content)["features"]}
    territory = by_slug["con-territorio"]
    assert territory["geometry"]["type"] == "Polygon"
    assert territory["properties"]["commune"] == "el-maizal"
    assert territory["properties"]["kind"] == "council"
    assert territory["properties"]["url"] == reverse("registry:council", args=["con-territorio"])


def test_the_geojson_function_and_its_stream_agree(network: Network) -> None:
    filters = queries.Filters()
    streamed = json.loads("".join(exports.geojson_lines(queries.councils(filters))))
    assert streamed == exports.geojson(queries.councils(filters))


# Popolo ---------------------------------------------------------------------------------------


def test_popolo_has_organizations_people_posts_and_memberships(
    client: Client, network: Network, mafe: Private
) -> None:
    response, content = body_of(client, "registry:export_popolo")
    assert response["Content-Type"] == "application/json"
    data = json.loads(content)
    assert set(data) == {"organizations", "persons", "posts", "memberships"}
    organizations = {org["id"]: org for org in data["organizations"]}
    assert organizations["red-nacional"]["classification"] == "network"
    maizal = organizations["el-maizal"]
    assert maizal["parent_id"] == "red-nacional"
    assert maizal["classification"] == "commune"
    assert maizal["identifiers"] == [{"scheme": "registry_code", "identifier": "COM-LAR-001"}]
    assert maizal["area"] == {"id": "VE-K-07-03", "name": "Sarare", "classification": "parish"}
    assert organizations["las-delicias"]["parent_id"] == "el-maizal"
    assert organizations["el-maizal/parliament"]["parent_id"] == "el-maizal"
    assert organizations["las-delicias/executive_unit"]["parent_id"] == "las-delicias"

    persons = {person["name"]: person for person in data["persons"]}
    assert set(persons) == {"Alicia Prueba", "Mafe Pérez"}
    assert all(set(person) == {"id", "name"} for person in data["persons"])

    posts = {post["id"]: post for post in data["posts"]}
    assert all(post["organization_id"] in organizations for post in data["posts"])
    assert posts["el-maizal/parliament/spokesperson"]["organization_id"] == "el-maizal/parliament"
    assert posts["las-delicias/committee/water/spokesperson"]["organization_id"] == "las-delicias"

    memberships = data["memberships"]
    assert len(memberships) == 3
    for membership in memberships:
        assert membership["post_id"] in posts
        assert membership["organization_id"] == posts[membership["post_id"]]["organization_id"]
        assert membership["role"] in {"principal", "alternate"}
    mafe_id = persons["Mafe Pérez"]["id"]
    assert {(m["post_id"], m["role"]) for m in memberships if m["person_id"] == mafe_id} == {
        ("las-delicias/executive_unit/spokesperson", "alternate"),
        ("las-delicias/committee/water/spokesperson", "principal"),
    }
    alice = next(m for m in memberships if m["person_id"] == persons["Alicia Prueba"]["id"])
    assert (alice["start_date"], alice["end_date"]) == ("2024-01-20", "2027-01-20")


def test_popolo_leaves_out_people_whose_mandate_ended(
    client: Client, network: Network, mafe: Private
) -> None:
    person = core_actions.person_create(actor=None, full_name="Pedro Vencido")
    actions.mandate_grant(
        actor=network.bob,
        person=person,
        organisation=network.maizal,
        body=Body.objects.get(organisation=network.maizal, kind=BodyKind.BANK),
        decision="Asamblea de 2018",
        start=date(2018, 1, 1),
        end=date(2021, 1, 1),
    )
    _response, content = body_of(client, "registry:export_popolo")
    assert "Pedro Vencido" not in content


def test_popolo_follows_the_filters(client: Client, network: Network, mafe: Private) -> None:
    _response, content = body_of(client, "registry:export_popolo", estado="VE-E")
    data = json.loads(content)
    assert {org["id"] for org in data["organizations"] if "/" not in org["id"]} == {
        "red-nacional",
        "ezequiel-zamora",
    }
    assert data["persons"] == [] and data["memberships"] == []
    _response, content = body_of(client, "registry:export_popolo", comuna="el-maizal")
    ids = {org["id"] for org in json.loads(content)["organizations"] if "/" not in org["id"]}
    assert ids == {"red-nacional", "el-maizal", "las-delicias"}


def test_the_popolo_function_and_its_stream_agree(network: Network, mafe: Private) -> None:
    sources = exports.popolo_sources(queries.Filters())
    assert json.loads("".join(exports.popolo_lines(sources))) == exports.popolo(sources)


# Privacy --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_no_export_reveals_private_data(
    client: Client, network: Network, mafe: Private, name: str
) -> None:
    _response, content = body_of(client, name)
    for secret in mafe.secrets:
        assert secret not in content, secret


def test_popolo_names_spokespeople_by_their_public_name_only(
    client: Client, network: Network, mafe: Private
) -> None:
    _response, content = body_of(client, "registry:export_popolo")
    assert "Mafe Pérez" in content
    assert "María Fernanda Pérez Rondón" not in content


# Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXPORTS)
def test_the_number_of_queries_does_not_grow_with_the_data(
    client: Client,
    network: Network,
    mafe: Private,
    name: str,
    django_assert_max_num_queries: Any,
) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            body_of(client, name)
        return len(captured.captured_queries)

    few = count()
    more_communes(network, 5)
    with django_assert_max_num_queries(QUERY_BUDGETS[name]):
        _response, content = body_of(client, name)
    assert "Comuna Extra 4" in content or "Consejo Extra 4" in content
    assert count() == few
