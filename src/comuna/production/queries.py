"""Reads of the productive network, already scoped to the user.

Visibility: a cycle carries its own (public by default) and everything inside it (its offers
and needs, proposals, unmet needs, agreement and commitments) is seen by whoever sees the
cycle. Offers and needs outside a cycle, micro-projects and economic events carry their own
visibility. Productive units, like every organisation, are public; their inventories are seen
by their members (and those above them). A record the user may not see answers 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from comuna.core import access
from comuna.core.models import Membership, Organisation, OrganisationKind
from comuna.engines.geo import haversine_km
from comuna.production.actions import AGENT_KINDS, OPEN_CYCLE, from_base, network_root
from comuna.production.models import (
    AllocationState,
    Commitment,
    CycleParticipant,
    CycleStatus,
    Decision,
    EconomicEvent,
    Intent,
    IntentKind,
    IntentStatus,
    Inventory,
    MicroProject,
    ProcessFlow,
    ProductiveUnit,
    Proposal,
    ResourceSpecification,
    Shortfall,
    SupplyCycle,
    Unit,
)

if TYPE_CHECKING:
    from comuna.core.access import AnyUser


# Catalogue --------------------------------------------------------------------------------------


def resources() -> QuerySet[ResourceSpecification]:
    return ResourceSpecification.objects.select_related("unit", "unit__base").order_by("name")


def units() -> QuerySet[Unit]:
    return Unit.objects.select_related("base").order_by("base_id", "code")


def resource_by_slug(slug: str) -> ResourceSpecification | None:
    return ResourceSpecification.objects.select_related("unit").filter(slug=slug).first()


def unit_by_code(code: str) -> Unit | None:
    return Unit.objects.filter(code=code).first()


# Agents -------------------------------------------------------------------------------------------


def productive_units(*, q: str = "", form: str = "", commune: str = "") -> QuerySet[ProductiveUnit]:
    found = ProductiveUnit.objects.filter(archived_at__isnull=True).select_related(
        "parent", "commune"
    )
    if q:
        found = found.filter(Q(name__icontains=q) | Q(sector__icontains=q))
    if form:
        found = found.filter(form=form)
    if commune:
        found = found.filter(commune__slug=commune)
    return found.order_by("name", "pk")


def productive_unit_get(*, slug: str) -> ProductiveUnit:
    return get_object_or_404(
        ProductiveUnit.objects.select_related("parent", "commune").prefetch_related("makes"),
        slug=slug,
    )


def agent_by_slug(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug, kind__in=AGENT_KINDS).first()


def writable_agents(
    user: AnyUser | None, *, below: Organisation | None = None
) -> list[Organisation]:
    """Productive units, councils and communes the user may act for (within `below`)."""
    viewer = access.viewer_for(user)
    if not viewer.signed_in:
        return []
    found = Organisation.objects.filter(kind__in=AGENT_KINDS, archived_at__isnull=True)
    if not viewer.is_staff:
        held = viewer.organisations_with(access.CHANGE_ROLES)
        if not held:
            return []
        found = found.filter(_below_q(held))
    if below is not None:
        found = found.filter(_below_q([below.pk]))
    return list(found.order_by("kind", "name")[:500])


def _below_q(ids: Any) -> Q:
    """Organisations that are one of `ids` or lie below one of them (4 levels)."""
    ids = list(ids)
    q = Q(pk__in=ids)
    for level in range(1, access.MAX_DEPTH):
        q |= Q(**{f"{'__'.join(['parent'] * level)}_id__in": ids})
    return q


# Cycles -------------------------------------------------------------------------------------------


def cycles(user: AnyUser | None, *, status: str = "", owner: str = "") -> QuerySet[SupplyCycle]:
    found = access.visible(SupplyCycle.objects.select_related("owner"), user)
    if status:
        found = found.filter(status=status)
    if owner:
        found = found.filter(owner__slug=owner)
    return found.annotate(
        offer_count=Count(
            "intents",
            filter=Q(intents__kind=IntentKind.OFFER, intents__status=IntentStatus.OPEN),
            distinct=True,
        ),
        need_count=Count(
            "intents",
            filter=Q(intents__kind=IntentKind.NEED, intents__status=IntentStatus.OPEN),
            distinct=True,
        ),
    ).order_by("-opens_on", "-id")


@dataclass
class CyclePerms:
    coordinate: bool = False
    acts_for: list[Organisation] = field(default_factory=list)  # writable agents in its scope
    agents: list[Organisation] = field(default_factory=list)  # may post for these
    units_to_join: list[ProductiveUnit] = field(default_factory=list)

    @property
    def post(self) -> bool:
        return bool(self.agents)


def cycle_get(*, user: AnyUser | None, pk: int) -> SupplyCycle:
    cycle = get_object_or_404(SupplyCycle.objects.select_related("owner"), pk=pk)
    access.require_visible(user, visibility=cycle.visibility, owner_id=cycle.owner_id)
    return cycle


def cycle_perms(user: AnyUser | None, cycle: SupplyCycle) -> CyclePerms:
    perms = CyclePerms(coordinate=access.can_coordinate(user, owner_id=cycle.owner_id))
    agents = perms.acts_for = writable_agents(user, below=cycle.owner)
    if cycle.status not in OPEN_CYCLE or not agents:
        return perms
    joined = set(CycleParticipant.objects.filter(cycle=cycle).values_list("unit_id", flat=True))
    for agent in agents:
        if agent.kind == OrganisationKind.PRODUCTIVE_UNIT and agent.pk not in joined:
            continue
        perms.agents.append(agent)
    unjoined = [
        a.pk for a in agents if a.kind == OrganisationKind.PRODUCTIVE_UNIT and a.pk not in joined
    ]
    perms.units_to_join = list(ProductiveUnit.objects.filter(pk__in=unjoined).order_by("name"))
    return perms


def cycle_intents(
    cycle: SupplyCycle, *, kind: str = "", include_withdrawn: bool = False
) -> QuerySet[Intent]:
    found = Intent.objects.filter(cycle=cycle).select_related(
        "owner", "resource", "unit", "commune"
    )
    if kind:
        found = found.filter(kind=kind)
    if not include_withdrawn:
        found = found.filter(status=IntentStatus.OPEN)
    return found.order_by("kind", "resource__name", "-priority", "id")


@dataclass
class RollUp:
    resource: ResourceSpecification
    unit: Unit
    offered: Decimal = Decimal(0)
    needed: Decimal = Decimal(0)
    proposed: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    delivered: Decimal = Decimal(0)
    offers: int = 0
    needs: int = 0

    @property
    def balance(self) -> Decimal:
        return self.offered - self.needed


def cycle_roll_up(cycle: SupplyCycle) -> list[RollUp]:
    """Per resource, in its base unit: offered, needed, proposed (current run), committed
    and delivered. Four queries whatever the size of the cycle."""
    rows: dict[int, RollUp] = {}
    resources_by_id = {
        r.pk: r
        for r in ResourceSpecification.objects.filter(
            pk__in=Intent.objects.filter(cycle=cycle).values("resource_id")
        ).select_related("unit", "unit__base")
    }

    def row(resource_id: int) -> RollUp:
        found = rows.get(resource_id)
        if found is None:
            resource = resources_by_id[resource_id]
            unit = resource.unit.base if resource.unit.base is not None else resource.unit
            found = rows[resource_id] = RollUp(resource=resource, unit=unit)
        return found

    for values in (
        Intent.objects.filter(cycle=cycle, status=IntentStatus.OPEN)
        .values("resource_id", "kind")
        .annotate(total=Sum("quantity_base"), n=Count("id"))
    ):
        r = row(values["resource_id"])
        if values["kind"] == IntentKind.OFFER:
            r.offered, r.offers = values["total"] or Decimal(0), values["n"]
        else:
            r.needed, r.needs = values["total"] or Decimal(0), values["n"]
    for values in (
        Proposal.objects.filter(cycle=cycle, run=cycle.allocation_run)
        .values("need__resource_id")
        .annotate(total=Sum("quantity_base"))
    ):
        row(values["need__resource_id"]).proposed = values["total"] or Decimal(0)
    for values in (
        Commitment.objects.filter(agreement__cycle=cycle)
        .values("resource_id")
        .annotate(total=Sum("quantity_base"), done=Sum("delivered_base"))
    ):
        r = row(values["resource_id"])
        r.committed, r.delivered = values["total"] or Decimal(0), values["done"] or Decimal(0)
    return sorted(rows.values(), key=lambda r: r.resource.name)


def cycle_proposals(cycle: SupplyCycle, *, run: int | None = None) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(cycle=cycle, run=cycle.allocation_run if run is None else run)
        .select_related(
            "cycle", "offer__owner", "offer__unit", "offer__resource", "need__owner", "need__unit"
        )
        .order_by("offer__resource__name", "id")
    )


def proposal_get(*, user: AnyUser | None, pk: int) -> Proposal:
    proposal = get_object_or_404(
        Proposal.objects.select_related("cycle", "offer__owner", "need__owner"), pk=pk
    )
    cycle = proposal.cycle
    access.require_visible(user, visibility=cycle.visibility, owner_id=cycle.owner_id)
    return proposal


def answerable_sides(user: AnyUser | None, proposal: Proposal) -> list[str]:
    owner_ids = (proposal.offer.owner_id, proposal.need.owner_id)
    return sides_for({pk for pk in owner_ids if access.can_change(user, owner_id=pk)}, proposal)


def sides_for(agent_ids: set[int], proposal: Proposal) -> list[str]:
    """The sides of a proposal that may be answered by someone who acts for `agent_ids`
    (from `writable_agents`: no query per proposal)."""
    if (
        proposal.run != proposal.cycle.allocation_run
        or proposal.cycle.status != CycleStatus.ALLOCATED
    ):
        return []
    sides = []
    if proposal.offer.owner_id in agent_ids:
        sides.append("provider")
    if proposal.need.owner_id in agent_ids:
        sides.append("receiver")
    return sides


def proposal_counts(cycle: SupplyCycle) -> dict[str, int]:
    found = Proposal.objects.filter(cycle=cycle, run=cycle.allocation_run).aggregate(
        total=Count("id"),
        accepted=Count(
            "id",
            filter=Q(provider_decision=Decision.ACCEPTED, receiver_decision=Decision.ACCEPTED),
        ),
        declined=Count(
            "id",
            filter=Q(provider_decision=Decision.DECLINED) | Q(receiver_decision=Decision.DECLINED),
        ),
    )
    return {k: int(v or 0) for k, v in found.items()}


def cycle_shortfalls(cycle: SupplyCycle) -> QuerySet[Shortfall]:
    return (
        Shortfall.objects.filter(cycle=cycle, run=cycle.allocation_run)
        .select_related("need__owner", "need__unit", "need__resource")
        .order_by("-need__priority", "need__resource__name", "id")
    )


@dataclass(frozen=True)
class Supplier:
    intent: Intent
    km: float
    quantity: Decimal  # in the offer's unit


def nearest_suppliers(
    user: AnyUser | None, shortfalls: list[Shortfall], *, per_need: int = 3
) -> dict[int, list[Supplier]]:
    """For each unmet need, the nearest open offers of its resource anywhere in the network
    (in any cycle the user can see, or standing offers), nearest first. One query."""
    resource_ids = {s.need.resource_id for s in shortfalls}
    if not resource_ids:
        return {}
    visible_cycles = access.visible(SupplyCycle.objects.all(), user).values("pk")
    offers = list(
        Intent.objects.filter(
            kind=IntentKind.OFFER, status=IntentStatus.OPEN, resource_id__in=resource_ids
        )
        .filter(
            (Q(cycle__isnull=True) & access.visibility_filter(access.viewer_for(user)))
            | Q(cycle__in=visible_cycles)
        )
        .exclude(cycle__status=CycleStatus.CLOSED)
        .select_related("owner", "unit", "cycle")
        .order_by("id")[:5000]
    )
    by_resource: dict[int, list[Intent]] = defaultdict(list)
    for offer in offers:
        by_resource[offer.resource_id].append(offer)
    found: dict[int, list[Supplier]] = {}
    for shortfall in shortfalls:
        need = shortfall.need
        candidates = [
            Supplier(offer, haversine_km(need.lat, need.lon, offer.lat, offer.lon), offer.quantity)
            for offer in by_resource.get(need.resource_id, [])
            if offer.owner_id != need.owner_id
        ]
        candidates.sort(key=lambda s: (s.km, s.intent.pk))
        found[shortfall.pk] = candidates[:per_need]
    return found


def cycle_commitments(cycle: SupplyCycle) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(agreement__cycle=cycle)
        .select_related("provider", "receiver", "resource", "unit")
        .order_by("status", "due_on", "id")
    )


def commitment_get(*, user: AnyUser | None, pk: int) -> Commitment:
    commitment = get_object_or_404(
        Commitment.objects.select_related(
            "agreement__cycle", "provider", "receiver", "resource", "unit"
        ),
        pk=pk,
    )
    cycle = commitment.agreement.cycle
    access.require_visible(user, visibility=cycle.visibility, owner_id=cycle.owner_id)
    return commitment


def commitment_delivered(commitment: Commitment) -> Decimal:
    return from_base(commitment.delivered_base, commitment.unit)


# Productive unit's page -------------------------------------------------------------------------


@dataclass
class UnitActivity:
    offers: list[Intent]
    needs: list[Intent]
    delivered: list[Commitment]
    received: list[Commitment]
    projects: list[MicroProject]
    inventory: list[Inventory] | None
    events: list[EconomicEvent]
    cycles: list[SupplyCycle]


def unit_activity(user: AnyUser | None, unit: ProductiveUnit, *, limit: int = 20) -> UnitActivity:
    """What a productive unit makes, offers, needs, delivered and received (the latest
    `limit` of each), its micro-projects and, for its members, its inventory."""
    visible_cycles = access.visible(SupplyCycle.objects.all(), user).values("pk")
    intents = (
        Intent.objects.filter(owner=unit, status=IntentStatus.OPEN)
        .filter(
            Q(cycle__in=visible_cycles)
            | (Q(cycle__isnull=True) & access.visibility_filter(access.viewer_for(user)))
        )
        .select_related("resource", "unit", "cycle")
        .order_by("-created_at", "-id")
    )
    commitments = Commitment.objects.filter(agreement__cycle__in=visible_cycles).select_related(
        "provider", "receiver", "resource", "unit", "agreement__cycle"
    )
    projects = (
        access.visible(MicroProject.objects.filter(unit=unit), user)
        .prefetch_related(
            Prefetch(
                "flows",
                queryset=ProcessFlow.objects.select_related("resource", "unit"),
            )
        )
        .order_by("name")
    )
    inventory = None
    if access.can_see(user, visibility="unit", owner_id=unit.pk):
        inventory = list(
            Inventory.objects.filter(agent=unit, on_hand__gt=0).select_related("resource", "unit")
        )
    events = list(
        access.visible(EconomicEvent.objects.filter(Q(provider=unit) | Q(receiver=unit)), user)
        .select_related("provider", "receiver", "resource", "unit", "corrects")
        .order_by("-occurred_at", "-id")[:limit]
    )
    cycles_joined = list(
        SupplyCycle.objects.filter(participants__unit=unit, pk__in=visible_cycles).order_by(
            "-opens_on"
        )[:limit]
    )
    return UnitActivity(
        offers=list(intents.filter(kind=IntentKind.OFFER)[:limit]),
        needs=list(intents.filter(kind=IntentKind.NEED)[:limit]),
        delivered=list(commitments.filter(provider=unit).order_by("-due_on", "-id")[:limit]),
        received=list(commitments.filter(receiver=unit).order_by("-due_on", "-id")[:limit]),
        projects=list(projects),
        inventory=inventory,
        events=events,
        cycles=cycles_joined,
    )


def project_get(*, user: AnyUser | None, pk: int) -> MicroProject:
    """A micro-project the user may see (with its unit), or 404."""
    return get_object_or_404(
        access.visible(MicroProject.objects.select_related("unit"), user), pk=pk
    )


def unit_members(user: AnyUser | None, unit: ProductiveUnit) -> list[Membership] | None:
    """The unit's active members (public names and roles), for the members of the unit and
    of the organisations above it; None for everybody else."""
    if not access.can_see(user, visibility="unit", owner_id=unit.pk):
        return None
    return list(
        Membership.objects.active()
        .filter(organisation=unit)
        .select_related("person")
        .order_by("role", "person__public_name")
    )


def inventory_of(*, user: AnyUser | None, agent: Organisation) -> QuerySet[Inventory]:
    if not access.can_see(user, visibility="unit", owner_id=agent.pk):
        raise access.Http404
    return (
        Inventory.objects.filter(agent=agent)
        .select_related("resource", "unit")
        .order_by("resource__name")
    )


def inventory_from_events(agent_id: int, resource_id: int) -> Decimal:
    """The on-hand quantity recomputed from the effective events (for checks and tests)."""
    from comuna.production.models import EFFECTS

    total = Decimal(0)
    for action, provider_id, receiver_id, base in EconomicEvent.objects.filter(
        Q(provider_id=agent_id) | Q(receiver_id=agent_id),
        resource_id=resource_id,
        corrected_by__isnull=True,
    ).values_list("action", "provider_id", "receiver_id", "quantity_base"):
        provider_sign, receiver_sign = EFFECTS[action]
        if provider_id == agent_id:
            total += base * provider_sign
        if receiver_id == agent_id:
            total += base * receiver_sign
    return total


def events(user: AnyUser | None, *, agent: Organisation | None = None) -> QuerySet[EconomicEvent]:
    found = access.visible(EconomicEvent.objects.all(), user)
    if agent is not None:
        found = found.filter(Q(provider=agent) | Q(receiver=agent))
    return found.select_related(
        "provider", "receiver", "resource", "unit", "corrects", "corrected_by"
    ).order_by("-occurred_at", "-id")


def event_get(*, user: AnyUser | None, pk: int) -> EconomicEvent:
    event = get_object_or_404(
        EconomicEvent.objects.select_related(
            "provider", "receiver", "resource", "unit", "corrected_by"
        ),
        pk=pk,
    )
    access.require_visible(user, visibility=event.visibility, owner_id=event.owner_id)
    return event


def allocation_running(cycle: SupplyCycle) -> bool:
    return cycle.allocation_state in (AllocationState.QUEUED, AllocationState.RUNNING)


def network() -> Organisation | None:
    return network_root()
