"""A cycle's allocation: offers and needs in different units become one exact plan of
proposals (run as a task), with unmet needs and their reasons; then agreement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.engines.geo import haversine_km
from comuna.production import actions, planning
from comuna.production.models import (
    AllocationState,
    Commitment,
    CycleStatus,
    Proposal,
    Shortfall,
    SupplyCycle,
)
from tests.production.conftest import Farm

pytestmark = pytest.mark.django_db


def allocate(farm: Farm, capture: Callable[..., Any], actor: Any = None) -> SupplyCycle:
    with capture(execute=True):
        actions.cycle_allocate_request(actor=actor or farm.net.nora, cycle=farm.cycle)
    farm.cycle.refresh_from_db()
    return farm.cycle


def test_the_allocation_converts_units_and_meets_the_weightiest_need_first(
    farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    offer = farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 1, unit="t")
    far = farm.post(
        farm.net.ernesto, "need", farm.ceiba, "semilla-maiz", "12.5", unit="saco-40kg", priority=8
    )
    near = farm.post(farm.net.bob, "need", farm.net.maizal, "semilla-maiz", 800, priority=3)
    cycle = allocate(farm, django_capture_on_commit_callbacks)
    assert cycle.allocation_state == AllocationState.DONE and cycle.status == CycleStatus.ALLOCATED
    assert cycle.allocation_run == 1 and cycle.allocation_summary["status"] == "optimal"
    flows = {p.need_id: p for p in Proposal.objects.filter(cycle=cycle)}
    assert flows[far.pk].quantity == Decimal("12.5")  # sacks
    assert flows[far.pk].offer_quantity == Decimal("0.5")  # tonnes
    assert flows[near.pk].quantity == Decimal(500)
    shortfall = Shortfall.objects.get(cycle=cycle)
    assert (shortfall.need_id, shortfall.quantity, shortfall.reason) == (
        near.pk,
        Decimal(300),
        "supply_exhausted",
    )
    km = haversine_km(offer.lat, offer.lon, far.lat, far.lon)
    expected = 8 * 500 + 3 * 500 - 0.005 * 500 * km
    assert cycle.allocation_summary["objective"] == pytest.approx(expected, abs=1e-3)
    assert cycle.allocation_summary["scarce"][0]["resource"] == "semilla-maiz"


def test_too_far_and_no_supplier_are_reported(
    farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    farm.cycle.max_distance_km = Decimal(50)
    farm.cycle.save()
    farm.post(farm.net.bob, "offer", farm.planta, "abono-organico", 1000)
    too_far = farm.post(farm.net.ernesto, "need", farm.ceiba, "abono-organico", 100)
    nobody = farm.post(farm.net.ernesto, "need", farm.ceiba, "tubo-pvc", 4, unit="unidad")
    cycle = allocate(farm, django_capture_on_commit_callbacks)
    reasons = dict(Shortfall.objects.filter(cycle=cycle).values_list("need_id", "reason"))
    assert reasons == {too_far.pk: "too_far", nobody.pk: "no_supplier"}
    assert not Proposal.objects.filter(cycle=cycle).exists()


def test_only_the_cycle_coordinator_runs_the_allocation(farm: Farm) -> None:
    for actor in (farm.net.bob, farm.net.oscar):
        with pytest.raises(PermissionDeniedError):
            actions.cycle_allocate_request(actor=actor, cycle=farm.cycle)


def test_running_the_task_twice_changes_nothing(
    farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 100)
    farm.post(farm.net.ernesto, "need", farm.ceiba, "semilla-maiz", 50)
    cycle = allocate(farm, django_capture_on_commit_callbacks)
    assert planning.allocate(cycle.pk) == AllocationState.DONE
    assert Proposal.objects.count() == 1 and SupplyCycle.objects.get().allocation_run == 1


def test_a_new_run_keeps_the_old_proposals_for_history(
    farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 100)
    farm.post(farm.net.ernesto, "need", farm.ceiba, "semilla-maiz", 50)
    allocate(farm, django_capture_on_commit_callbacks)
    farm.post(farm.net.ernesto, "need", farm.ceiba, "semilla-maiz", 30)
    cycle = allocate(farm, django_capture_on_commit_callbacks)
    assert cycle.allocation_run == 2
    assert Proposal.objects.filter(run=1).count() == 1
    assert Proposal.objects.filter(run=2).count() == 2


def test_sides_accept_and_the_council_approves_into_commitments(
    farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 100)
    farm.post(farm.net.ernesto, "need", farm.ceiba, "semilla-maiz", 50)
    farm.post(farm.net.bob, "offer", farm.planta, "abono-organico", 100)
    farm.post(farm.net.ernesto, "need", farm.ceiba, "abono-organico", 70)
    cycle = allocate(farm, django_capture_on_commit_callbacks)
    seed, fertiliser = Proposal.objects.filter(cycle=cycle).order_by("offer__resource__slug")[::-1]
    with pytest.raises(PermissionDeniedError):
        actions.proposal_decide(actor=farm.net.oscar, proposal=seed, decision="accepted")
    with pytest.raises(DomainError) as err:
        actions.agreement_approve(actor=farm.net.nora, cycle=cycle, decision="Acta 12")
    assert err.value.code == "empty"
    actions.proposal_decide(actor=farm.net.bob, proposal=seed, decision="accepted")
    actions.proposal_decide(actor=farm.net.ernesto, proposal=seed, decision="accepted")
    actions.proposal_decide(actor=farm.net.ernesto, proposal=fertiliser, decision="declined")
    with pytest.raises(PermissionDeniedError):
        actions.agreement_approve(actor=farm.net.bob, cycle=cycle, decision="Acta 12")
    agreement = actions.agreement_approve(
        actor=farm.net.nora, cycle=cycle, decision="Acta del Consejo de Economía, 12/11"
    )
    commitment = Commitment.objects.get(agreement=agreement)
    assert (commitment.provider_id, commitment.receiver_id) == (farm.planta.pk, farm.ceiba.pk)
    assert commitment.quantity == Decimal(50) and commitment.due_on == cycle.deliver_by
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.DELIVERING
    with pytest.raises(DomainError):
        farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 5)
    with pytest.raises(DomainError):
        actions.proposal_decide(actor=farm.net.bob, proposal=fertiliser, decision="accepted")


def test_a_closed_cycle_takes_nothing_more(farm: Farm) -> None:
    actions.cycle_close(actor=farm.net.nora, cycle=farm.cycle, note="Sin ofertas")
    with pytest.raises(DomainError) as err:
        farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 5)
    assert err.value.code == "cycle_closed"
    with pytest.raises(DomainError):
        actions.cycle_close(actor=farm.net.nora, cycle=farm.cycle)
    assert timezone.localdate() <= farm.cycle.deliver_by + timedelta(days=1)
