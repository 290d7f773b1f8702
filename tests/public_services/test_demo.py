"""The reports side of the public services demo: the catalogue, El Maizal's territory, crews,
assets (fifteen collection points and more), a year of reports, and the story of the issue's
"done when": a resident reports a leak in a demo commune and sees it triaged, assigned, fixed
and closed. The registry's demo is loaded once for the module inside a transaction rolled
back at the end."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from shapely.geometry import Point, shape

from comuna.geography import queries as geo_queries
from comuna.geography.actions import geography_load
from comuna.public_services import actions, queries
from comuna.public_services.demo import _load_reports_side
from comuna.public_services.models import Asset, Crew, ServiceRequest, ServiceType
from comuna.registry.demo import demo_load
from comuna.registry.models import Commune

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        geo_queries.clear_caches()
        geography_load()
        demo_load()
        out = io.StringIO()
        _load_reports_side(out)
        yield out.getvalue()
        transaction.set_rollback(True)
    geo_queries.clear_caches()


def test_without_the_demo_network_it_does_nothing(db: None) -> None:
    out = io.StringIO()
    _load_reports_side(out)
    assert "not loaded" in out.getvalue()
    assert not ServiceType.objects.exists()


def test_it_loads_once(demo: str) -> None:
    assert "reports" in demo
    counts = (ServiceRequest.objects.count(), Asset.objects.count(), Crew.objects.count())
    out = io.StringIO()
    _load_reports_side(out)
    assert "already there" in out.getvalue()
    assert counts == (ServiceRequest.objects.count(), Asset.objects.count(), Crew.objects.count())


def test_el_maizal_has_fifteen_collection_points_in_its_territory(demo: str) -> None:
    maizal = Commune.objects.get(slug="el-maizal")
    territory = shape(maizal.territory)
    points = Asset.objects.filter(owner=maizal, kind="collection_point")
    assert points.count() >= 15
    assert all(territory.covers(Point(p.longitude, p.latitude)) for p in points)
    kinds = set(Asset.objects.filter(owner=maizal).values_list("kind", flat=True))
    assert {"tank", "well", "pump", "valve", "pipe", "transformer", "collection_point"} <= kinds


def test_a_year_of_reports_in_two_communes(demo: str) -> None:
    communes = set(ServiceRequest.objects.values_list("commune__slug", flat=True))
    assert {"el-maizal", "negro-miguel"} <= communes
    steps = set(ServiceRequest.objects.values_list("step", flat=True))
    assert {"received", "verified", "assigned", "resolved"} <= steps
    board = queries.dashboard(commune_ids=None)
    assert sum(1 for _m, opened, _c in board.months if opened) >= 6
    assert board.median_days is not None


def test_a_resident_reports_a_leak_and_sees_it_fixed(demo: str) -> None:
    maizal = Commune.objects.get(slug="el-maizal")
    resident = Client()
    step2 = resident.get(
        "/servicios/reportar/datos/",
        {"servicio": "fuga", "lat": f"{maizal.lat + 0.004:.6f}", "lon": f"{maizal.lon:.6f}"},
    )
    assert step2.status_code == 200
    sent = resident.post(
        "/servicios/reportar/datos/",
        {
            "servicio": "fuga",
            "lat": f"{maizal.lat + 0.004:.6f}",
            "lon": f"{maizal.lon:.6f}",
            "description": "Fuga grande frente a la casa comunal.",
            "attr_tamano": "inundacion",
        },
    )
    assert sent.status_code == 302
    tracking = sent["Location"]
    item = ServiceRequest.objects.get(token=tracking.rstrip("/").rsplit("/", 1)[1])
    assert item.commune_id == maizal.pk and item.routing == "territory"
    keeper = User.objects.get(username="maizal-coordinador")
    crew = Crew.objects.get(owner=maizal, group="water")
    actions.request_verify(actor=keeper, request=item)
    order = actions.request_assign(actor=keeper, request=item, crew=crew)
    actions.work_order_start(actor=keeper, order=order)
    actions.request_resolve(actor=keeper, request=item, note="Se reparó la tubería.")
    page = resident.get(tracking).content.decode()
    assert "Se reparó la tubería." in page
    assert resident.post(tracking, {"fixed": "si"}).status_code == 302
