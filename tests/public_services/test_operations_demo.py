"""The schedules and routes demo: published schedules with calendars in two communes, recorded
outcomes, and El Maizal's collection and tanker plans solved and printable. The registry's
demo is loaded once for the module inside a transaction rolled back at the end."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from comuna.geography import queries as geo_queries
from comuna.geography.actions import geography_load
from comuna.public_services import actions_operations as ops
from comuna.public_services.demo_operations import COLLECTION_POINTS, load
from comuna.public_services.models_operations import (
    PlanPurpose,
    PlanStatus,
    RoutePlan,
    Schedule,
    Sector,
    ServiceKind,
    SlotReport,
)
from comuna.registry.demo import demo_load

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        geo_queries.clear_caches()
        geography_load()
        demo_load()
        out = io.StringIO()
        load(out)
        yield out.getvalue()
        transaction.set_rollback(True)
    geo_queries.clear_caches()


def test_without_the_demo_network_it_does_nothing(db: None) -> None:
    out = io.StringIO()
    load(out)
    assert "not loaded" in out.getvalue()
    assert not Sector.objects.exists()


def test_water_and_rubbish_schedules_are_published_in_two_communes(demo: str) -> None:
    owners = set(Sector.objects.values_list("owner__slug", flat=True))
    assert "el-maizal" in owners and len(owners) == 2
    services = set(
        Schedule.objects.filter(owner__slug="el-maizal").values_list("service", flat=True)
    )
    assert services == {ServiceKind.WATER, ServiceKind.WASTE, ServiceKind.ELECTRICITY}
    assert SlotReport.objects.count() > 20
    assert "schedules:" in demo


def test_every_demo_sector_has_a_calendar_with_events(demo: str) -> None:
    for sector in Sector.objects.all():
        response = Client().get(reverse("public_services:sector_ical", args=[sector.pk]))
        assert response.status_code == 200
        assert "BEGIN:VEVENT" in response.content.decode()


def test_the_commune_page_shows_compliance_and_the_announcement(demo: str) -> None:
    html = Client().get(reverse("public_services:commune_schedules", args=["el-maizal"]))
    text = html.content.decode()
    assert "Jornada de limpieza de tanques" in text
    assert "Sector Oeste" in text and "<svg" in text


def test_the_collection_and_tanker_plans_are_solved_and_feasible(demo: str) -> None:
    plans = {p.purpose: p for p in RoutePlan.objects.filter(owner__slug="el-maizal")}
    collection, delivery = plans[PlanPurpose.COLLECTION], plans[PlanPurpose.DELIVERY]
    assert collection.stops.count() >= COLLECTION_POINTS
    assert collection.stops.filter(asset__isnull=False).count() >= COLLECTION_POINTS
    for plan in (collection, delivery):
        assert plan.status == PlanStatus.SOLVED
        assert plan.feasible is True
        served = sum(r.visits.count() for r in plan.routes.all())
        assert served == plan.stops.count()


def test_the_collection_route_sheets_print(demo: str) -> None:
    plan = RoutePlan.objects.get(owner__slug="el-maizal", purpose=PlanPurpose.COLLECTION)
    html = Client().get(reverse("public_services:route_sheets", args=[plan.pk])).content.decode()
    assert html.count('class="sheet"') == plan.routes.count() >= 1
    first = plan.routes.get(number=1)
    assert first.vehicle.name in html
    assert ops.clock(first.start_s) in html


def test_loading_again_changes_nothing(demo: str) -> None:
    counts = (Sector.objects.count(), Schedule.objects.count(), RoutePlan.objects.count())
    out = io.StringIO()
    load(out)
    assert "already loaded" in out.getvalue()
    assert counts == (Sector.objects.count(), Schedule.objects.count(), RoutePlan.objects.count())
