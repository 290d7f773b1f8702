"""Pages of route planning: the plans, a plan with its progress and map, the forms, the
printable sheets, GeoJSON and GPX."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from comuna.public_services import actions_operations as ops
from comuna.public_services.models_operations import PlanStatus, RoutePlan, Vehicle
from tests.public_services.test_operations_cast import (  # noqa: F401 - fixtures
    Ops,
    _fresh_geography_caches,
    network,
    ops_cast,
)
from tests.public_services.test_routes import MATRIX

pytestmark = pytest.mark.django_db
GPX = "{http://www.topografix.com/GPX/1/1}"


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def solved(ops_cast: Ops, django_capture_on_commit_callbacks: Any) -> RoutePlan:
    RoutePlan.objects.filter(pk=ops_cast.plan.pk).update(visibility="public")
    with django_capture_on_commit_callbacks(execute=True):
        ops.route_plan_solve_request(actor=ops_cast.net.bob, plan=ops_cast.plan)
    return RoutePlan.objects.get(pk=ops_cast.plan.pk)


def test_the_plans_page_lists_plans_and_vehicles(
    ops_cast: Ops, django_assert_max_num_queries: Any
) -> None:
    client = signed_in("carol")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("public_services:route_plans", args=["el-maizal"]))
    html = response.content.decode()
    assert "Recolección del lunes" in html
    assert "Camión 2" in html


def test_a_private_plan_is_hidden_from_the_outsider(ops_cast: Ops) -> None:
    url = reverse("public_services:route_plan", args=[ops_cast.plan.pk])
    assert signed_in("oscar").get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert signed_in("carol").get(url).status_code == 200
    listing = signed_in("oscar").get(reverse("public_services:route_plans", args=["el-maizal"]))
    assert "Recolección del lunes" not in listing.content.decode()


def test_the_solved_plan_shows_its_map_routes_and_exports(solved: RoutePlan) -> None:
    response = Client().get(reverse("public_services:route_plan", args=[solved.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<polyline" in html
    assert reverse("public_services:route_sheets", args=[solved.pk]) in html
    assert "hx-get" not in html  # nothing to poll once solved


def test_the_route_sheets_list_every_stop_in_order(solved: RoutePlan) -> None:
    response = Client().get(reverse("public_services:route_sheets", args=[solved.pk]))
    html = response.content.decode()
    assert html.count('class="sheet"') == solved.routes.count()
    for name in ("Plaza Bolívar de Sarare", "Ambulatorio", "Cancha El Cedral"):
        assert name in html
    one = Client().get(reverse("public_services:route_sheet", args=[solved.pk, 1]))
    assert one.content.decode().count('class="sheet"') == 1
    missing = Client().get(reverse("public_services:route_sheet", args=[solved.pk, 99]))
    assert missing.status_code == 404


def test_the_geojson_export_is_rfc7946(solved: RoutePlan) -> None:
    response = Client().get(reverse("public_services:route_geojson", args=[solved.pk]))
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    lines = [f for f in data["features"] if f["geometry"]["type"] == "LineString"]
    points = [f for f in data["features"] if f["properties"]["kind"] == "stop"]
    assert len(lines) == solved.routes.count()
    assert len(points) == 5
    lon, lat = lines[0]["geometry"]["coordinates"][0]
    assert (lon, lat) == (-69.16, 9.78)  # longitude first: the depot
    assert lines[0]["geometry"]["coordinates"][0] == lines[0]["geometry"]["coordinates"][-1]
    assert {p["properties"]["route"] for p in points} <= {1, 2}


def test_the_gpx_export_is_gpx_1_1_with_one_route_per_vehicle(solved: RoutePlan) -> None:
    response = Client().get(reverse("public_services:route_gpx", args=[solved.pk]))
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own answer
    assert root.tag == f"{GPX}gpx" and root.attrib["version"] == "1.1"
    assert len(root.findall(f"{GPX}wpt")) == 6  # the depot and five stops
    routes = root.findall(f"{GPX}rte")
    assert len(routes) == solved.routes.count()
    visited = sum(len(r.findall(f"{GPX}rtept")) - 2 for r in routes)
    assert visited == 5
    assert float(routes[0].find(f"{GPX}rtept").attrib["lat"]) == pytest.approx(9.78)  # type: ignore[union-attr]


def test_the_stops_csv_says_which_route_serves_each_stop(solved: RoutePlan) -> None:
    response = Client().get(reverse("public_services:route_stops_csv", args=[solved.pk]))
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 6
    assert all(line.split(",")[6] in {"1", "2"} for line in lines[1:])


def test_the_progress_poll_answers_204_when_nothing_changed(
    ops_cast: Ops, django_assert_max_num_queries: Any
) -> None:
    RoutePlan.objects.filter(pk=ops_cast.plan.pk).update(
        status=PlanStatus.SOLVING, progress={"elapsed": 3, "best_km": 12.5}, progress_version=7
    )
    client = signed_in("carol")
    url = reverse("public_services:route_plan_status", args=[ops_cast.plan.pk])
    with django_assert_max_num_queries(6):
        same = client.get(url, {"v": "7"}, HTTP_HX_REQUEST="true")
    assert same.status_code == 204 and same.content == b""
    changed = client.get(url, {"v": "6"}, HTTP_HX_REQUEST="true")
    assert changed.status_code == 200
    assert "12,5" in changed.content.decode()  # localized: Spanish decimal comma
    assert "v=7" in changed.content.decode()  # the next poll carries the new version
    RoutePlan.objects.filter(pk=ops_cast.plan.pk).update(status=PlanStatus.SOLVED)
    done = client.get(url, {"v": "8"}, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_the_plan_page_polls_while_solving_and_offers_a_reload_link(ops_cast: Ops) -> None:
    RoutePlan.objects.filter(pk=ops_cast.plan.pk).update(status=PlanStatus.QUEUED)
    html = signed_in("bob").get(reverse("public_services:route_plan", args=[ops_cast.plan.pk]))
    text = html.content.decode()
    assert 'hx-trigger="every 2s"' in text
    assert f'href="{reverse("public_services:route_plan", args=[ops_cast.plan.pk])}"' in text


def test_the_outsider_cannot_poll_a_private_plan(ops_cast: Ops) -> None:
    url = reverse("public_services:route_plan_status", args=[ops_cast.plan.pk])
    assert signed_in("oscar").get(url, {"v": "1"}).status_code == 404


def test_the_coordinator_solves_from_the_page(
    ops_cast: Ops, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in("bob")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("public_services:route_solve", args=[ops_cast.plan.pk]))
    assert response.status_code == 302
    assert RoutePlan.objects.get(pk=ops_cast.plan.pk).status == PlanStatus.SOLVED


def test_the_forms_create_a_vehicle_a_plan_and_a_stop(ops_cast: Ops) -> None:
    client = signed_in("alice")
    response = client.post(
        reverse("public_services:vehicle_new", args=["el-maizal"]),
        {
            "name": "Cisterna 3",
            "kind": "tanker",
            "capacity": "9000",
            "capacity_unit": "l",
            "shift_start": "07:00",
            "shift_end": "15:00",
        },
    )
    assert response.status_code == 302
    tanker = Vehicle.objects.get(name="Cisterna 3")
    response = client.post(
        reverse("public_services:route_plan_new", args=["el-maizal"]),
        {
            "name": "Reparto del martes",
            "purpose": "delivery",
            "day": ops_cast.today.isoformat(),
            "depot_name": "Llenadero",
            "depot_lat": "9.78",
            "depot_lon": "-69.16",
            "vehicles": [tanker.pk],
            "unit": "l",
            "road_factor": "1.4",
            "speed_kmh": "30",
            "time_limit": "2",
            "visibility": "unit",
        },
    )
    assert response.status_code == 302
    plan = RoutePlan.objects.get(name="Reparto del martes")
    response = client.post(
        reverse("public_services:route_stop_new", args=[plan.pk]),
        {
            "name": "Escuela",
            "latitude": "9.79",
            "longitude": "-69.15",
            "quantity": "3000",
            "service_min": "20",
            "window_start": "08:00",
            "window_end": "10:00",
        },
    )
    assert response.status_code == 302
    assert plan.stops.get().window_end is not None


def test_a_stop_with_half_a_window_shows_an_error(ops_cast: Ops) -> None:
    response = signed_in("bob").post(
        reverse("public_services:route_stop_new", args=[ops_cast.plan.pk]),
        {
            "name": "Mitad",
            "latitude": "9.79",
            "longitude": "-69.15",
            "quantity": "1",
            "service_min": "5",
            "window_start": "08:00",
        },
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_the_matrix_upload_shows_row_errors_and_keeps_nothing(ops_cast: Ops) -> None:
    url = reverse("public_services:route_matrix", args=[ops_cast.plan.pk])
    bad = MATRIX.replace("c,3,2,1,0,1,2", "c,3,dos,1,0,1,2")
    response = signed_in("bob").post(
        url, {"matrix": SimpleUploadedFile("m.csv", bad.encode(), "text/csv")}
    )
    assert response.status_code == 200
    assert "dos" in response.content.decode()
    assert RoutePlan.objects.get(pk=ops_cast.plan.pk).distance_matrix is None
    response = signed_in("bob").post(
        url, {"matrix": SimpleUploadedFile("m.csv", MATRIX.encode(), "text/csv")}
    )
    assert response.status_code == 302
    assert RoutePlan.objects.get(pk=ops_cast.plan.pk).matrix_name == "m.csv"
    signed_in("bob").post(url, {"clear": "1"})
    assert RoutePlan.objects.get(pk=ops_cast.plan.pk).distance_matrix is None


def test_removing_a_stop_from_the_page(ops_cast: Ops) -> None:
    stop = ops_cast.plan.stops.get(position=1)
    url = reverse("public_services:route_stop_remove", args=[ops_cast.plan.pk, stop.pk])
    assert signed_in("carol").post(url).status_code == 403
    assert signed_in("bob").post(url).status_code == 302
    assert ops_cast.plan.stops.count() == 4


@pytest.mark.parametrize(
    "name",
    ["route_stop_new", "route_points", "route_matrix", "route_solve"],
)
def test_the_plan_forms_refuse_members_and_hide_from_the_outsider(ops_cast: Ops, name: str) -> None:
    url = reverse(f"public_services:{name}", args=[ops_cast.plan.pk])
    method = "post" if name == "route_solve" else "get"
    assert getattr(signed_in("carol"), method)(url).status_code == 403
    assert getattr(signed_in("oscar"), method)(url).status_code == 404


@pytest.mark.parametrize("name", ["vehicle_new", "route_plan_new"])
def test_the_commune_forms_refuse_the_outsider(ops_cast: Ops, name: str) -> None:
    url = reverse(f"public_services:{name}", args=["el-maizal"])
    assert signed_in("oscar").get(url).status_code == 403
    assert signed_in("carol").get(url).status_code == 403
    assert signed_in("bob").get(url).status_code == 200


@pytest.mark.parametrize("name", ["route_sheets", "route_geojson", "route_gpx", "route_stops_csv"])
def test_the_exports_of_a_private_plan_are_hidden_from_the_outsider(
    ops_cast: Ops, name: str
) -> None:
    url = reverse(f"public_services:{name}", args=[ops_cast.plan.pk])
    assert signed_in("oscar").get(url).status_code == 404
    assert signed_in("dora").get(url).status_code == 200


def test_the_schedules_home_links_the_route_plans_one_may_see(ops_cast: Ops) -> None:
    url = reverse("public_services:schedules_home")
    plans = reverse("public_services:route_plans", args=["el-maizal"])
    assert plans in signed_in("carol").get(url).content.decode()
    assert plans not in signed_in("oscar").get(url).content.decode()
