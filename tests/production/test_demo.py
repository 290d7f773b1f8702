"""The production demo: the story of the issue's "done when" on the demo network (the
maizal coordinator allocates El Maizal's cycle, units accept, the council approves, a delivery
is recorded, the map and the export show it), and loading it twice. The registry's demo is
loaded once for the module inside a transaction rolled back at the end."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client

from comuna.geography import queries as geo_queries
from comuna.geography.actions import geography_load
from comuna.production import actions, queries
from comuna.production.demo import MARKER, load
from comuna.production.models import (
    Commitment,
    CycleStatus,
    Intent,
    ProductiveUnit,
    Proposal,
    Shortfall,
    SupplyCycle,
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
    assert "not loaded" in out.getvalue() and not ProductiveUnit.objects.exists()


def test_it_loads_once(demo: str) -> None:
    assert "productive units" in demo
    count = Intent.objects.count()
    out = io.StringIO()
    load(out)
    assert "already loaded" in out.getvalue() and Intent.objects.count() == count


def test_the_planting_season_is_agreed_and_partly_delivered(demo: str) -> None:
    cycle = SupplyCycle.objects.get(owner__slug="red-nacional")
    assert cycle.status == CycleStatus.DELIVERING
    assert cycle.allocation_summary["status"] == "optimal"
    communes = set(ProductiveUnit.objects.values_list("commune__slug", flat=True))
    assert {"el-maizal", "che-guevara", "la-grita-cafetalera", "queseras-del-medio"} <= communes
    reasons = set(Shortfall.objects.filter(cycle=cycle).values_list("reason", flat=True))
    assert "no_supplier" in reasons
    statuses = set(
        Commitment.objects.filter(agreement__cycle=cycle).values_list("status", flat=True)
    )
    assert statuses == {"open", "fulfilled"}
    assert Proposal.objects.filter(cycle=cycle, provider_decision="declined").count() == 1


def test_the_maizal_coordinator_runs_the_local_cycle_to_a_delivery(
    demo: str, client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    coordinator = User.objects.get(username="maizal-coordinador")
    cycle = SupplyCycle.objects.get(owner__slug="el-maizal")
    client.force_login(coordinator)
    page = client.get(f"/produccion/ciclos/{cycle.pk}/").content.decode()
    assert "Hacer la asignación" in page and "Publicar una oferta" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/produccion/ciclos/{cycle.pk}/asignar/")
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.ALLOCATED and cycle.allocation_summary["flows"] > 0
    for proposal in Proposal.objects.filter(cycle=cycle):
        assert queries.answerable_sides(coordinator, proposal) == ["provider", "receiver"]
        actions.proposal_decide(actor=coordinator, proposal=proposal, decision="accepted")
    actions.agreement_approve(actor=coordinator, cycle=cycle, decision="Acta 1 del Consejo")
    commitment = Commitment.objects.filter(agreement__cycle=cycle, provider__slug=MARKER).first()
    assert commitment is not None
    actions.event_record(
        actor=coordinator,
        action="produce",
        resource=commitment.resource,
        quantity=commitment.quantity,
        unit=commitment.unit,
        receiver=commitment.provider,
    )
    response = client.post(
        f"/produccion/compromisos/{commitment.pk}/entregar/",
        {"action": "transfer", "quantity": str(commitment.quantity), "unit": commitment.unit_id},
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "fulfilled"
    export = client.get("/produccion/comunas/el-maizal/valueflows.jsonld").json()
    assert any(n.get("fulfills", "").endswith(f"/{commitment.pk}") for n in export["@graph"])
    assert "Comuna El Maizal" in client.get("/produccion/mapa/").content.decode()
