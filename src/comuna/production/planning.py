"""A cycle's allocation: its open offers and needs become an `AllocationProblem` for the
engine (`comuna.engines.allocation`), and the result becomes proposals and shortfalls.

Quantities go to the engine in the resource's base unit (kg, l, unidad...), so a need in
40 kg sacks and an offer in tonnes of the same seed trade with each other; a need's priority
(1-10) is its weight per base unit. Sites are the places of the offers and needs (by default
their productive unit's, council's or commune's location). Every allocation run gets a new
number; the proposals and shortfalls of older runs stay, for history.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comuna.core import audit
from comuna.engines.allocation import (
    AllocationError,
    AllocationProblem,
    AllocationResult,
    Need,
    Offer,
    Site,
    solve_allocation,
)
from comuna.production.actions import THOUSANDTH, from_base
from comuna.production.models import (
    AllocationState,
    CycleStatus,
    Intent,
    IntentKind,
    IntentStatus,
    Proposal,
    ResourceSpecification,
    Shortfall,
    SupplyCycle,
)


@dataclass(frozen=True)
class Built:
    problem: AllocationProblem
    intents: dict[int, Intent]


def _site_id(lat: float, lon: float) -> str:
    return f"{lat:.5f},{lon:.5f}"


def build_problem(cycle: SupplyCycle) -> Built:
    """The engine's problem for the cycle's open offers and needs."""
    intents = {
        i.pk: i
        for i in Intent.objects.filter(cycle=cycle, status=IntentStatus.OPEN).select_related(
            "unit", "resource"
        )
    }
    sites: dict[str, Site] = {}
    offers: list[Offer] = []
    needs: list[Need] = []
    for intent in intents.values():
        site = _site_id(intent.lat, intent.lon)
        sites.setdefault(site, Site(site, intent.lat, intent.lon))
        quantity = float(intent.quantity_base)
        if intent.kind == IntentKind.OFFER:
            offers.append(Offer(intent.pk, site, intent.resource_id, quantity))
        else:
            needs.append(
                Need(intent.pk, site, intent.resource_id, quantity, float(intent.priority))
            )
    problem = AllocationProblem(
        sites=tuple(sites.values()),
        offers=tuple(offers),
        needs=tuple(needs),
        cost_per_unit_km=float(cycle.cost_per_unit_km),
        max_distance_km=None if cycle.max_distance_km is None else float(cycle.max_distance_km),
    )
    return Built(problem=problem, intents=intents)


def _summary(result: AllocationResult, built: Built) -> dict[str, object]:
    names = {
        r.pk: (r.slug, r.name)
        for r in ResourceSpecification.objects.filter(
            pk__in=[s.resource for s in result.scarce_resources]
        )
    }
    units = {i.resource_id: i.unit for i in built.intents.values()}
    demand = sum(n.quantity for n in built.problem.needs)
    unmet = sum(float(u.quantity) for u in result.unmet)
    scarce = []
    for s in result.scarce_resources:
        slug, name = names.get(int(s.resource), ("", ""))
        unit = units.get(int(s.resource))
        base = unit.base if unit is not None and unit.base is not None else unit
        scarce.append(
            {
                "resource": slug,
                "name": name,
                "unit": base.symbol if base is not None else "",
                "shadow_price_max": round(s.shadow_price_max, 4),
                "shadow_price_mean": round(s.shadow_price_mean, 4),
                "binding_offers": s.binding_offers,
                "unmet_quantity": round(s.unmet_quantity, 3),
            }
        )
    return {
        "status": result.status,
        "objective": round(result.objective, 4),
        "upper_bound": None if result.upper_bound is None else round(result.upper_bound, 4),
        "offers": len(built.problem.offers),
        "needs": len(built.problem.needs),
        "flows": len(result.flows),
        "unmet": len(result.unmet),
        "met_share": None if demand == 0 else round(1 - unmet / demand, 4),
        "seconds": round(result.stats.seconds, 3),
        "scarce": scarce,
    }


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(THOUSANDTH)


def _set_state(cycle_id: int, state: str, progress: int, message: str = "") -> None:
    SupplyCycle.objects.filter(pk=cycle_id).update(
        allocation_state=state,
        allocation_progress=progress,
        allocation_message=message[:300],
        updated_at=timezone.now(),
    )


def allocate(cycle_id: int, *, report: Callable[[int], None] | None = None) -> str:
    """Run the allocation of a queued cycle (the task calls this). Safe to run twice: a cycle
    that is not queued (already done, or changed meanwhile) is left alone. Returns the
    allocation state at the end."""
    with transaction.atomic():
        cycle = SupplyCycle.objects.select_for_update().filter(pk=cycle_id).first()
        if cycle is None or cycle.allocation_state != AllocationState.QUEUED:
            return cycle.allocation_state if cycle is not None else ""
        _set_state(cycle_id, AllocationState.RUNNING, 10, _("Reading offers and needs."))
    built = build_problem(cycle)
    _set_state(cycle_id, AllocationState.RUNNING, 30, _("Solving the allocation."))
    if report:
        report(30)
    try:
        result = solve_allocation(built.problem)
    except AllocationError as exc:
        # The engine speaks English (no Django there): say it in the user's language first.
        message = _("The allocation could not be computed: %(error)s") % {"error": exc}
        _set_state(cycle_id, AllocationState.FAILED, 100, message)
        return AllocationState.FAILED
    _set_state(cycle_id, AllocationState.RUNNING, 80, _("Writing the proposals."))
    with transaction.atomic():
        cycle = SupplyCycle.objects.select_for_update().get(pk=cycle_id)
        if cycle.allocation_state != AllocationState.RUNNING or cycle.status not in (
            CycleStatus.COLLECTING,
            CycleStatus.ALLOCATED,
        ):
            return cycle.allocation_state
        run = cycle.allocation_run + 1
        proposals = []
        for flow in result.flows:
            offer, need = built.intents[int(flow.offer)], built.intents[int(flow.need)]
            base = _decimal(flow.quantity)
            if base <= 0:
                continue
            proposals.append(
                Proposal(
                    cycle=cycle,
                    run=run,
                    offer=offer,
                    need=need,
                    quantity=from_base(base, need.unit),
                    offer_quantity=from_base(base, offer.unit),
                    quantity_base=base,
                    distance_km=round(flow.distance_km, 3),
                )
            )
        Proposal.objects.bulk_create(proposals, batch_size=500)
        shortfalls = []
        for unmet in result.unmet:
            need = built.intents[int(unmet.need)]
            amount = from_base(_decimal(unmet.quantity), need.unit)
            if amount > 0:
                shortfalls.append(
                    Shortfall(cycle=cycle, run=run, need=need, quantity=amount, reason=unmet.reason)
                )
        Shortfall.objects.bulk_create(shortfalls, batch_size=500)
        cycle.allocation_run = run
        cycle.allocation_state = AllocationState.DONE
        cycle.allocation_progress = 100
        cycle.allocation_message = ""
        cycle.allocated_at = timezone.now()
        cycle.allocation_summary = _summary(result, built)
        cycle.status = CycleStatus.ALLOCATED
        cycle.save()
        audit.record(
            actor=None,
            verb="cycle.allocated",
            subject=cycle,
            organisation=cycle.owner_id,
            details={
                "run": run,
                "proposals": len(proposals),
                "unmet": len(shortfalls),
                "objective": cycle.allocation_summary["objective"],
            },
        )
    return AllocationState.DONE
