"""Writes of the productive network. Every action checks who may do it, validates the domain
rules (DomainError with a translated message naming the field), writes in one transaction,
records an AuditEvent and defers side effects (the allocation task) to `on_commit`.

Who may do what:

- the catalogue (units, resource specifications): the network's coordinators;
- a productive unit: registered by coordinators or spokespeople of its council or commune,
  who (with the unit's own coordinators and spokespeople) also write its micro-projects,
  offers, needs and events, join cycles and accept or decline proposals for it;
- a supply cycle: opened, allocated, approved and closed by coordinators of its owner (a
  commune's economy council acts through the commune's coordinators; the network's
  coordinators run cycles between communes);
- economic events: recorded for an agent by those who may change it (provider or receiver).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comuna.core import access, audit
from comuna.core import actions as core_actions
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Visibility,
)
from comuna.core.validation import actor_id, clean_choice, clean_text, field_error
from comuna.production import catalogue
from comuna.production.models import (
    DELIVERY_ACTIONS,
    EFFECTS,
    Action,
    Agreement,
    AllocationState,
    Category,
    Commitment,
    CommitmentStatus,
    CycleParticipant,
    CycleStatus,
    Decision,
    Direction,
    EconomicEvent,
    Intent,
    IntentKind,
    IntentStatus,
    Inventory,
    MicroProject,
    Period,
    ProcessFlow,
    ProductiveUnit,
    ProjectStatus,
    Proposal,
    Recurrence,
    ResourceSpecification,
    SupplyCycle,
    Terms,
    Unit,
    UnitForm,
)
from comuna.registry.actions import network_root

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

THOUSANDTH = Decimal("0.001")
LARGEST = Decimal("1e13")
AGENT_KINDS = frozenset(
    {OrganisationKind.PRODUCTIVE_UNIT, OrganisationKind.COUNCIL, OrganisationKind.COMMUNE}
)
OPEN_CYCLE = (CycleStatus.COLLECTING, CycleStatus.ALLOCATED)
TWO_SIDED = (Action.TRANSFER, Action.PICKUP, Action.DROPOFF)


# Shared rules ---------------------------------------------------------------------------------


def can_manage_catalogue(actor: AnyUser | None) -> bool:
    viewer = access.viewer_for(actor)
    if viewer.is_staff:
        return True
    root = network_root()
    return root is not None and access.can_coordinate(actor, owner_id=root.pk)


def _visibility(value: str) -> str:
    return clean_choice(value, Visibility.values, "visibility")


def quantity_value(
    value: object, field_name: str = "quantity", *, allow_zero: bool = False
) -> Decimal:
    """A quantity as a Decimal with at most 3 decimals, refused when not a positive number."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise field_error(
            field_name, _("Give the quantity as a number, e.g. 250 or 12.5.")
        ) from None
    if not number.is_finite():
        raise field_error(field_name, _("Give the quantity as a number, e.g. 250 or 12.5."))
    if number < 0 or (number == 0 and not allow_zero):
        raise field_error(field_name, _("The quantity must be greater than zero."))
    if number >= LARGEST:
        raise field_error(field_name, _("The quantity is too large."))
    if number != number.quantize(THOUSANDTH):
        raise field_error(field_name, _("Use at most three decimals."))
    return number.quantize(THOUSANDTH)


def base_factor(unit: Unit) -> Decimal:
    return Decimal(1) if unit.base_id is None else unit.factor


def to_base(quantity: Decimal, unit: Unit) -> Decimal:
    return (quantity * base_factor(unit)).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def from_base(quantity: Decimal, unit: Unit) -> Decimal:
    return (quantity / base_factor(unit)).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def base_unit_of(resource: ResourceSpecification) -> Unit:
    unit = resource.unit
    return unit.base if unit.base_id is not None and unit.base is not None else unit


def check_unit(resource: ResourceSpecification, unit: Unit, field_name: str = "unit") -> None:
    """A unit measures a resource when both end in the same base unit (kg, l, unidad...)."""
    if unit.base_id_or_own != resource.unit.base_id_or_own:
        raise field_error(
            field_name,
            _("“%(unit)s” cannot measure “%(resource)s”, which is counted in %(base)s.")
            % {"unit": unit.name, "resource": resource.name, "base": base_unit_of(resource).name},
            code="unit_mismatch",
        )


def location_of(organisation: Organisation) -> tuple[float, float] | None:
    """(lat, lon) of a productive unit, council or commune; else of the nearest above it."""
    from comuna.registry.models import CommunalCouncil, Commune

    current: Organisation | None = organisation
    for _step in range(5):
        if current is None:
            return None
        for model in (ProductiveUnit, CommunalCouncil, Commune):
            row = model.objects.filter(pk=current.pk).values_list("lat", "lon").first()
            if row is not None and row[0] is not None and row[1] is not None:
                return (float(row[0]), float(row[1]))
        current = current.parent
    return None


def commune_of(organisation: Organisation) -> Organisation | None:
    """The commune an agent belongs to (itself, if it is one)."""
    current: Organisation | None = organisation
    for _step in range(5):
        if current is None:
            return None
        if current.kind == OrganisationKind.COMMUNE:
            return current
        current = current.parent
    return None


def _in_scope(cycle: SupplyCycle, organisation: Organisation) -> bool:
    return cycle.owner_id in organisation.ancestor_ids()


def _lock_cycle(cycle: SupplyCycle) -> SupplyCycle:
    return SupplyCycle.objects.select_for_update().get(pk=cycle.pk)


# Catalogue ------------------------------------------------------------------------------------


def _require_catalogue_manager(actor: AnyUser | None) -> None:
    if not can_manage_catalogue(actor):
        raise PermissionDeniedError(
            _("Only a coordinator of the network may change the catalogue.")
        )


@transaction.atomic
def unit_define(
    *,
    actor: AnyUser | None,
    code: str,
    name: str,
    symbol: str,
    base: Unit | None = None,
    factor: Decimal | str | int = 1,
) -> Unit:
    _require_catalogue_manager(actor)
    return _unit_define(actor, code, name, symbol, base, factor)


def _unit_define(
    actor: AnyUser | None,
    code: str,
    name: str,
    symbol: str,
    base: Unit | None,
    factor: Decimal | str | int,
) -> Unit:
    code = slugify(clean_text(code, "code", limit=30))
    if Unit.objects.filter(code=code).exists():
        raise field_error("code", _("The unit “%(code)s” already exists.") % {"code": code})
    value = quantity_value(factor, "factor") if base is not None else Decimal(1)
    if base is not None and base.base_id is not None:
        raise field_error("base", _("Convert to a base unit (one that has no base unit itself)."))
    unit = Unit.objects.create(
        code=code,
        name=clean_text(name, "name", limit=80),
        symbol=clean_text(symbol, "symbol", limit=20),
        base=base,
        factor=value,
    )
    audit.record(actor=actor, verb="unit.define", subject=unit, details={"factor": str(value)})
    return unit


@transaction.atomic
def resource_define(
    *,
    actor: AnyUser | None,
    slug: str,
    name: str,
    category: str,
    unit: Unit,
    description: str = "",
) -> ResourceSpecification:
    _require_catalogue_manager(actor)
    return _resource_define(actor, slug, name, category, unit, description)


def _resource_define(
    actor: AnyUser | None, slug: str, name: str, category: str, unit: Unit, description: str
) -> ResourceSpecification:
    name = clean_text(name, "name", limit=150)
    slug = slugify(slug or name)[:80]
    if not slug:
        raise field_error("slug", _("Give a short name made of letters and numbers."))
    if ResourceSpecification.objects.filter(slug=slug).exists():
        raise field_error("slug", _("The short name “%(slug)s” is already taken.") % {"slug": slug})
    resource = ResourceSpecification.objects.create(
        slug=slug,
        name=name,
        category=clean_choice(category, Category.values, "category"),
        unit=unit,
        description=(description or "").strip(),
    )
    audit.record(actor=actor, verb="resource.define", subject=resource)
    return resource


@transaction.atomic
def catalogue_seed(*, actor: AnyUser | None) -> int:
    """Load the shipped units and resources that are missing (a system operation, run by the
    `seed-catalogue` command and the demo). Returns how many records were added."""
    added = 0
    units = {u.code: u for u in Unit.objects.all()}
    for code, name, symbol, base_code, factor in catalogue.UNITS:
        if code not in units:
            base = units[base_code] if base_code else None
            units[code] = _unit_define(actor, code, name, symbol, base, factor)
            added += 1
    existing = set(ResourceSpecification.objects.values_list("slug", flat=True))
    for slug, name, category, unit_code, description in catalogue.RESOURCES:
        if slug not in existing:
            _resource_define(actor, slug, name, category, units[unit_code], description)
            added += 1
    return added


# Productive units and micro-projects ----------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "unidad-productiva"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_point(lat: float | None, lon: float | None) -> None:
    if (lat is None) != (lon is None):
        message = _("Give both latitude and longitude, or neither.")
        raise DomainError(message, fields={"lat": [message], "lon": [message]})
    if lat is not None and not -90 <= lat <= 90:
        raise field_error("lat", _("The latitude must be between -90 and 90."))
    if lon is not None and not -180 <= lon <= 180:
        raise field_error("lon", _("The longitude must be between -180 and 180."))


@transaction.atomic
def productive_unit_register(
    *,
    actor: AnyUser | None,
    parent: Organisation,
    name: str,
    form: str,
    sector: str = "",
    place: str = "",
    lat: float | None = None,
    lon: float | None = None,
    makes: Iterable[ResourceSpecification] = (),
    description: str = "",
    slug: str | None = None,
) -> ProductiveUnit:
    if parent.kind not in (OrganisationKind.COUNCIL, OrganisationKind.COMMUNE):
        raise field_error(
            "parent", _("A productive unit belongs to a communal council or a commune.")
        )
    access.require_change(actor, owner_id=parent.pk)
    _check_point(lat, lon)
    if lat is None or lon is None:
        found = location_of(parent)
        if found is not None:
            lat, lon = found
    if slug and Organisation.objects.filter(slug=slug).exists():
        raise field_error("slug", _("The short name “%(slug)s” is already taken.") % {"slug": slug})
    unit = ProductiveUnit.objects.create(
        kind=OrganisationKind.PRODUCTIVE_UNIT,
        name=clean_text(name, "name", limit=200),
        slug=slug or _unique_slug(name),
        parent=parent,
        description=(description or "").strip(),
        form=clean_choice(form, UnitForm.values, "form"),
        sector=clean_text(sector, "sector", required=False, limit=120),
        commune=commune_of(parent),
        place=clean_text(place, "place", required=False, limit=200),
        lat=lat,
        lon=lon,
    )
    unit.makes.set(list(makes))
    audit.record(
        actor=actor,
        verb="productive_unit.register",
        subject=unit,
        organisation=unit,
        details={"parent": parent.slug, "form": unit.form},
    )
    return unit


@transaction.atomic
def productive_unit_update(
    *,
    actor: AnyUser | None,
    unit: ProductiveUnit,
    makes: Iterable[ResourceSpecification] | None = None,
    **changes: Any,
) -> ProductiveUnit:
    access.require_change(actor, owner_id=unit.pk)
    allowed = {"name", "form", "sector", "place", "lat", "lon", "description"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if "form" in changes:
        clean_choice(changes["form"], UnitForm.values, "form")
    if "name" in changes:
        changes["name"] = clean_text(changes["name"], "name", limit=200)
    _check_point(changes.get("lat", unit.lat), changes.get("lon", unit.lon))
    for name, value in changes.items():
        setattr(unit, name, value.strip() if isinstance(value, str) else value)
    unit.save()
    if makes is not None:
        unit.makes.set(list(makes))
    audit.record(
        actor=actor,
        verb="productive_unit.update",
        subject=unit,
        organisation=unit,
        details={"fields": sorted([*changes, *(["makes"] if makes is not None else [])])},
    )
    return unit


UNIT_ROLES = (Role.COORDINATOR, Role.SPOKESPERSON, Role.MEMBER)


def commune_people(unit: ProductiveUnit) -> QuerySet[Person]:
    """People with an active membership in the unit's commune or in an organisation below it
    (its councils, its units): who may be added to one of its productive units."""
    top = unit.commune_id or unit.parent_id
    below_top = Q(organisation_id=top)
    for level in range(1, access.MAX_DEPTH):
        below_top |= Q(**{f"organisation__{'__'.join(['parent'] * level)}_id": top})
    ids = Membership.objects.active().filter(below_top).values("person_id")
    return Person.objects.filter(pk__in=ids).order_by("public_name", "pk")


@transaction.atomic
def productive_unit_member_add(
    *, actor: AnyUser | None, unit: ProductiveUnit, person: Person, role: str
) -> Membership:
    """Add a person of the commune to a productive unit (its coordinators, or those of its
    council or commune)."""
    access.require_coordinator(actor, owner_id=unit.pk)
    clean_choice(role, UNIT_ROLES, "role")
    if not commune_people(unit).filter(pk=person.pk).exists():
        raise field_error("person", _("Only people of the unit's commune may join it."))
    if Membership.objects.active().filter(organisation=unit, person=person, role=role).exists():
        raise field_error("person", _("This person already has that role in the unit."))
    return core_actions.membership_grant(actor=actor, person=person, organisation=unit, role=role)


@transaction.atomic
def project_create(
    *,
    actor: AnyUser | None,
    unit: ProductiveUnit,
    name: str,
    status: str = ProjectStatus.PLANNED,
    plan: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
    description: str = "",
    visibility: str = Visibility.PUBLIC,
) -> MicroProject:
    access.require_change(actor, owner_id=unit.pk)
    if starts_on and ends_on and ends_on < starts_on:
        raise field_error("ends_on", _("A micro-project cannot end before it starts."))
    project = MicroProject.objects.create(
        owner=unit,
        visibility=_visibility(visibility),
        unit=unit,
        name=clean_text(name, "name", limit=200),
        status=clean_choice(status, ProjectStatus.values, "status"),
        plan=clean_text(plan, "plan", required=False, limit=200),
        starts_on=starts_on,
        ends_on=ends_on,
        description=(description or "").strip(),
    )
    audit.record(actor=actor, verb="project.create", subject=project, organisation=unit)
    return project


@transaction.atomic
def project_set_status(
    *, actor: AnyUser | None, project: MicroProject, status: str
) -> MicroProject:
    access.require_change(actor, owner_id=project.owner_id)
    project.status = clean_choice(status, ProjectStatus.values, "status")
    project.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        verb="project.status",
        subject=project,
        organisation=project.owner_id,
        details={"status": status},
    )
    return project


@transaction.atomic
def project_flow_add(
    *,
    actor: AnyUser | None,
    project: MicroProject,
    direction: str,
    resource: ResourceSpecification,
    quantity: Decimal | str | int,
    unit: Unit,
    period: str,
) -> ProcessFlow:
    access.require_change(actor, owner_id=project.owner_id)
    check_unit(resource, unit)
    flow = ProcessFlow.objects.create(
        project=project,
        direction=clean_choice(direction, Direction.values, "direction"),
        resource=resource,
        quantity=quantity_value(quantity),
        unit=unit,
        period=clean_choice(period, Period.values, "period"),
    )
    audit.record(
        actor=actor,
        verb="project.flow_add",
        subject=project,
        organisation=project.owner_id,
        details={"direction": direction, "resource": resource.slug, "quantity": str(flow.quantity)},
    )
    return flow


# Supply cycles ----------------------------------------------------------------------------------


@transaction.atomic
def cycle_open(
    *,
    actor: AnyUser | None,
    owner: Organisation,
    name: str,
    collect_until: date,
    deliver_by: date,
    opens_on: date | None = None,
    cost_per_unit_km: Decimal | str | float = Decimal("0.005"),
    max_distance_km: Decimal | str | float | None = None,
    description: str = "",
    visibility: str = Visibility.PUBLIC,
) -> SupplyCycle:
    if owner.kind not in (OrganisationKind.COMMUNE, OrganisationKind.NETWORK):
        raise field_error(
            "owner",
            _("A supply cycle is coordinated by a commune's economy council or by the network."),
        )
    access.require_coordinator(actor, owner_id=owner.pk)
    start = opens_on or timezone.localdate()
    if collect_until < start:
        raise field_error(
            "collect_until", _("Offers and needs cannot close before the cycle opens.")
        )
    if deliver_by < collect_until:
        raise field_error(
            "deliver_by", _("Deliveries cannot be due before offers and needs close.")
        )
    try:
        cost = Decimal(str(cost_per_unit_km))
    except InvalidOperation:
        cost = Decimal(-1)
    if not cost.is_finite() or cost < 0 or cost >= 1_000_000:
        raise field_error(
            "cost_per_unit_km", _("The transport cost must be zero or a positive number.")
        )
    max_km = None
    if max_distance_km not in (None, ""):
        try:
            max_km = Decimal(str(max_distance_km))
        except InvalidOperation:
            max_km = Decimal(-1)
        if not max_km.is_finite() or max_km <= 0 or max_km >= 10_000_000:
            raise field_error(
                "max_distance_km", _("The maximum distance must be a positive number.")
            )
    cycle = SupplyCycle.objects.create(
        owner=owner,
        visibility=_visibility(visibility),
        name=clean_text(name, "name", limit=200),
        description=(description or "").strip(),
        opens_on=start,
        collect_until=collect_until,
        deliver_by=deliver_by,
        cost_per_unit_km=cost.quantize(Decimal("0.0001")),
        max_distance_km=max_km.quantize(Decimal("0.1")) if max_km is not None else None,
    )
    audit.record(actor=actor, verb="cycle.open", subject=cycle, organisation=owner)
    return cycle


@transaction.atomic
def cycle_join(
    *, actor: AnyUser | None, cycle: SupplyCycle, unit: ProductiveUnit
) -> CycleParticipant:
    """A productive unit opts in to a cycle of its commune or of the network."""
    access.require_change(actor, owner_id=unit.pk)
    cycle = _lock_cycle(cycle)
    if cycle.status not in OPEN_CYCLE:
        raise field_error(
            "cycle", _("This cycle no longer takes part in new units."), "cycle_closed"
        )
    if not _in_scope(cycle, unit):
        raise field_error("unit", _("This unit is outside the cycle's commune."), "out_of_scope")
    found = CycleParticipant.objects.filter(cycle=cycle, unit=unit).first()
    if found is not None:
        return found
    participant = CycleParticipant.objects.create(cycle=cycle, unit=unit)
    audit.record(
        actor=actor,
        verb="cycle.join",
        subject=cycle,
        organisation=unit,
        details={"unit": unit.slug},
    )
    return participant


def _as_date(value: object, field_name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise field_error(field_name, _("Give a date."))
    return value


@transaction.atomic
def intent_post(
    *,
    actor: AnyUser | None,
    kind: str,
    owner: Organisation,
    resource: ResourceSpecification,
    quantity: Decimal | str | int,
    unit: Unit,
    terms: str = Terms.BARTER,
    cycle: SupplyCycle | None = None,
    priority: int = 5,
    available_from: date | None = None,
    available_until: date | None = None,
    place: str = "",
    lat: float | None = None,
    lon: float | None = None,
    reference_price: int | None = None,
    recurrence: str = Recurrence.ONCE,
    note: str = "",
    visibility: str = Visibility.NETWORK,
) -> Intent:
    """Post an offer (the owner provides) or a need (the owner receives)."""
    clean_choice(kind, IntentKind.values, "kind")
    if owner.kind not in AGENT_KINDS:
        raise field_error(
            "owner", _("Offers and needs belong to a productive unit, council or commune.")
        )
    access.require_change(actor, owner_id=owner.pk)
    if cycle is not None:
        cycle = _lock_cycle(cycle)
        if cycle.status not in OPEN_CYCLE:
            raise field_error(
                "cycle", _("This cycle no longer takes offers and needs."), code="cycle_closed"
            )
        if not _in_scope(cycle, owner):
            raise field_error(
                "owner", _("This agent is outside the cycle's commune."), "out_of_scope"
            )
        if (
            owner.kind == OrganisationKind.PRODUCTIVE_UNIT
            and not CycleParticipant.objects.filter(cycle=cycle, unit_id=owner.pk).exists()
        ):
            raise field_error(
                "owner",
                _("“%(unit)s” has not joined this cycle: join it first.") % {"unit": owner.name},
                code="not_joined",
            )
    check_unit(resource, unit)
    amount = quantity_value(quantity)
    if cycle is not None:
        visibility = cycle.visibility  # what is inside a cycle is seen with the cycle
    if isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 10:
        raise field_error("priority", _("The priority goes from 1 (nice to have) to 10 (vital)."))
    start = _as_date(available_from, "available_from")
    end = _as_date(available_until, "available_until")
    if start and end and end < start:
        raise field_error("available_until", _("The window cannot end before it starts."))
    _check_point(lat, lon)
    if lat is None or lon is None:
        found = location_of(owner)
        if found is None:
            raise field_error("lat", _("This agent has no location: give the place's coordinates."))
        lat, lon = found
    if reference_price is not None and (
        isinstance(reference_price, bool)
        or not isinstance(reference_price, int)
        or reference_price < 0
    ):
        raise field_error("reference_price", _("The reference price must be zero or more."))
    intent = Intent.objects.create(
        owner=owner,
        visibility=_visibility(visibility),
        kind=kind,
        cycle=cycle,
        resource=resource,
        quantity=amount,
        unit=unit,
        quantity_base=to_base(amount, unit),
        available_from=start,
        available_until=end,
        place=clean_text(place, "place", required=False, limit=200),
        lat=lat,
        lon=lon,
        commune=commune_of(owner),
        terms=clean_choice(terms, Terms.values, "terms"),
        reference_price=reference_price,
        recurrence=clean_choice(recurrence, Recurrence.values, "recurrence"),
        priority=priority,
        note=clean_text(note, "note", required=False, limit=300),
        created_by_id=actor_id(actor),
    )
    if intent.quantity_base <= 0:
        raise field_error("quantity", _("The quantity is too small for its unit."))
    audit.record(
        actor=actor,
        verb=f"intent.{kind}",
        subject=intent,
        organisation=owner,
        details={
            "cycle": cycle.pk if cycle else None,
            "resource": resource.slug,
            "quantity": str(amount),
            "unit": unit.code,
        },
    )
    return intent


@transaction.atomic
def intent_withdraw(*, actor: AnyUser | None, intent: Intent, reason: str = "") -> Intent:
    access.require_change(actor, owner_id=intent.owner_id)
    if intent.cycle_id is not None:
        cycle = _lock_cycle(intent.cycle)  # type: ignore[arg-type]
        if cycle.status not in OPEN_CYCLE:
            raise field_error("cycle", _("This cycle no longer takes changes."), "cycle_closed")
    if intent.status == IntentStatus.WITHDRAWN:
        return intent
    intent.status = IntentStatus.WITHDRAWN
    intent.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        verb="intent.withdraw",
        subject=intent,
        organisation=intent.owner_id,
        details={"reason": reason.strip()[:300]},
    )
    return intent


@transaction.atomic
def cycle_allocate_request(*, actor: AnyUser | None, cycle: SupplyCycle) -> SupplyCycle:
    """Queue the allocation of the cycle's open offers and needs (a background task)."""
    access.require_coordinator(actor, owner_id=cycle.owner_id)
    cycle = _lock_cycle(cycle)
    if cycle.status not in OPEN_CYCLE:
        raise field_error(
            "cycle", _("The allocation runs before the agreement only."), "cycle_closed"
        )
    if cycle.allocation_state in (AllocationState.QUEUED, AllocationState.RUNNING):
        raise field_error("cycle", _("The allocation is already running."), "allocation_running")
    cycle.allocation_state = AllocationState.QUEUED
    cycle.allocation_progress = 0
    cycle.allocation_message = ""
    cycle.save(
        update_fields=[
            "allocation_state",
            "allocation_progress",
            "allocation_message",
            "updated_at",
        ]
    )
    audit.record(actor=actor, verb="cycle.allocate", subject=cycle, organisation=cycle.owner_id)
    from comuna.production import tasks

    transaction.on_commit(partial(tasks.allocate_cycle.enqueue, cycle.pk))
    return cycle


@transaction.atomic
def proposal_decide(
    *, actor: AnyUser | None, proposal: Proposal, decision: str, side: str = ""
) -> Proposal:
    """The provider and/or the receiver accept or decline a proposed flow. `side` (provider
    or receiver) is needed only when the actor may answer for both."""
    clean_choice(decision, [Decision.ACCEPTED, Decision.DECLINED], "decision")
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("cycle", "offer__owner", "need__owner")
        .get(pk=proposal.pk)
    )
    sides = []
    if access.can_change(actor, owner_id=proposal.offer.owner_id):
        sides.append("provider")
    if access.can_change(actor, owner_id=proposal.need.owner_id):
        sides.append("receiver")
    if not sides:
        raise PermissionDeniedError(
            _("Only the offering or the receiving side may answer this proposal.")
        )
    if (
        proposal.run != proposal.cycle.allocation_run
        or proposal.cycle.status != CycleStatus.ALLOCATED
    ):
        raise field_error("proposal", _("This proposal is no longer open."), "proposal_closed")
    if side:
        clean_choice(side, ["provider", "receiver"], "side")
        if side not in sides:
            raise PermissionDeniedError(_("You may not answer for that side."))
        sides = [side]
    for name in sides:
        setattr(proposal, f"{name}_decision", decision)
    proposal.save(update_fields=[f"{name}_decision" for name in sides])
    audit.record(
        actor=actor,
        verb=f"proposal.{decision}",
        subject=proposal,
        organisation=proposal.cycle.owner_id,
        details={"sides": sides},
    )
    return proposal


@transaction.atomic
def agreement_approve(*, actor: AnyUser | None, cycle: SupplyCycle, decision: str) -> Agreement:
    """The economy council approves the accepted proposals: each becomes a commitment."""
    access.require_coordinator(actor, owner_id=cycle.owner_id)
    cycle = _lock_cycle(cycle)
    decision_text = clean_text(decision, "decision", limit=300)
    if cycle.status != CycleStatus.ALLOCATED:
        raise field_error("cycle", _("Only a cycle with proposals can be approved."), "cycle_state")
    accepted = list(
        Proposal.objects.filter(
            cycle=cycle,
            run=cycle.allocation_run,
            provider_decision=Decision.ACCEPTED,
            receiver_decision=Decision.ACCEPTED,
        ).select_related("offer", "need__unit", "need")
    )
    if not accepted:
        raise field_error(
            "decision", _("No proposal has been accepted by both sides yet."), "empty"
        )
    agreement = Agreement.objects.create(
        owner_id=cycle.owner_id,
        visibility=cycle.visibility,
        cycle=cycle,
        decision=decision_text,
        approved_by_id=actor_id(actor),
    )
    Commitment.objects.bulk_create(
        [
            Commitment(
                agreement=agreement,
                proposal=p,
                provider_id=p.offer.owner_id,
                receiver_id=p.need.owner_id,
                resource_id=p.need.resource_id,
                quantity=p.quantity,
                unit_id=p.need.unit_id,
                quantity_base=p.quantity_base,
                due_on=cycle.deliver_by,
            )
            for p in accepted
        ]
    )
    cycle.status = CycleStatus.DELIVERING
    cycle.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        verb="agreement.approve",
        subject=agreement,
        organisation=cycle.owner_id,
        details={"commitments": len(accepted), "decision": decision_text},
    )
    return agreement


@transaction.atomic
def cycle_close(*, actor: AnyUser | None, cycle: SupplyCycle, note: str = "") -> SupplyCycle:
    access.require_coordinator(actor, owner_id=cycle.owner_id)
    cycle = _lock_cycle(cycle)
    if cycle.status == CycleStatus.CLOSED:
        raise field_error("cycle", _("This cycle is already closed."), "cycle_closed")
    if cycle.allocation_state in (AllocationState.QUEUED, AllocationState.RUNNING):
        raise field_error(
            "cycle", _("Wait until the allocation has finished."), "allocation_running"
        )
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = timezone.now()
    cycle.closing_note = clean_text(note, "note", required=False, limit=2000)
    cycle.save(update_fields=["status", "closed_at", "closing_note", "updated_at"])
    audit.record(actor=actor, verb="cycle.close", subject=cycle, organisation=cycle.owner_id)
    return cycle


# Economic events and inventories -----------------------------------------------------------


def _apply(agent_id: int, resource: ResourceSpecification, delta: Decimal) -> None:
    """Change an agent's inventory by `delta` (base unit); refuse to go below zero."""
    if delta == 0:
        return
    row = Inventory.objects.select_for_update().filter(agent_id=agent_id, resource=resource).first()
    on_hand = row.on_hand if row is not None else Decimal(0)
    if on_hand + delta < 0:
        agent = Organisation.objects.get(pk=agent_id)
        base = base_unit_of(resource)
        raise field_error(
            "quantity",
            _(
                "%(agent)s has only %(on_hand)s %(unit)s of “%(resource)s” on hand: record what "
                "it produced or received first."
            )
            % {
                "agent": agent.name,
                "on_hand": f"{on_hand.normalize():f}",
                "unit": base.symbol,
                "resource": resource.name,
            },
            code="insufficient_inventory",
        )
    if row is None:
        Inventory.objects.create(
            agent_id=agent_id, resource=resource, unit=base_unit_of(resource), on_hand=delta
        )
    else:
        Inventory.objects.filter(pk=row.pk).update(on_hand=F("on_hand") + delta)


def _deltas(event: EconomicEvent, sign: int) -> dict[int, Decimal]:
    """How the event changes inventories (agent id -> base quantity), times `sign`."""
    provider_sign, receiver_sign = EFFECTS[event.action]
    deltas: dict[int, Decimal] = {}
    for agent_id, agent_sign in (
        (event.provider_id, provider_sign),
        (event.receiver_id, receiver_sign),
    ):
        if agent_id is not None and agent_sign:
            deltas[agent_id] = (
                deltas.get(agent_id, Decimal(0)) + event.quantity_base * agent_sign * sign
            )
    return deltas


def _effects(resource: ResourceSpecification, *changes: dict[int, Decimal]) -> None:
    """Apply the net change of each agent, gains first (a correction is checked on its net
    effect, not half-way)."""
    net: dict[int, Decimal] = {}
    for change in changes:
        for agent_id, delta in change.items():
            net[agent_id] = net.get(agent_id, Decimal(0)) + delta
    for agent_id, delta in sorted(net.items(), key=lambda item: (item[1] < 0, item[0])):
        _apply(agent_id, resource, delta)


def require_event_recorder(
    actor: AnyUser | None, provider: Organisation | None, receiver: Organisation | None
) -> None:
    """Refuse (403) whoever may act for neither side of an event (pages check it up front)."""
    ids = [o.pk for o in (provider, receiver) if o is not None]
    if not any(access.can_change(actor, owner_id=pk) for pk in ids):
        raise PermissionDeniedError(
            _("Only those who may act for the provider or the receiver may record this event.")
        )


def _update_commitment(commitment: Commitment, delta: Decimal) -> None:
    locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
    delivered = locked.delivered_base + delta
    if delivered > locked.quantity_base:
        left = from_base(locked.quantity_base - locked.delivered_base, locked.unit)
        raise field_error(
            "quantity",
            _("That is more than was committed: %(left)s %(unit)s are left to deliver.")
            % {"left": f"{left.normalize():f}", "unit": locked.unit.symbol},
            code="over_delivery",
        )
    locked.delivered_base = delivered
    locked.status = (
        CommitmentStatus.FULFILLED if delivered >= locked.quantity_base else CommitmentStatus.OPEN
    )
    locked.save(update_fields=["delivered_base", "status"])


@transaction.atomic
def event_record(
    *,
    actor: AnyUser | None,
    action: str,
    resource: ResourceSpecification,
    quantity: Decimal | str | int,
    unit: Unit,
    provider: Organisation | None = None,
    receiver: Organisation | None = None,
    commitment: Commitment | None = None,
    occurred_at: datetime | None = None,
    note: str = "",
    visibility: str = Visibility.NETWORK,
) -> EconomicEvent:
    """Record an economic event and update the inventories it touches.

    Produce needs a receiver (the producer); consume a provider; transfer, pick-up and
    drop-off both. An event against a commitment delivers it (transfer or drop-off, the
    commitment's own agents and resource) and may not deliver more than committed."""
    clean_choice(action, Action.values, "action")
    if commitment is not None:
        commitment = Commitment.objects.select_related(
            "provider", "receiver", "resource", "unit"
        ).get(pk=commitment.pk)
        if action not in DELIVERY_ACTIONS:
            raise field_error("action", _("A delivery is recorded as a transfer or a drop-off."))
        provider, receiver, resource = commitment.provider, commitment.receiver, commitment.resource
        # A delivery is seen with its cycle (its commitment is).
        visibility = SupplyCycle.objects.filter(agreement__commitments=commitment).values_list(
            "visibility", flat=True
        )[0]
    if action != Action.PRODUCE and provider is None:
        raise field_error("provider", _("Say who provides."))
    if action in (Action.PRODUCE, *TWO_SIDED) and receiver is None:
        raise field_error("receiver", _("Say who receives."))
    if (
        action in TWO_SIDED
        and provider is not None
        and receiver is not None
        and (provider.pk == receiver.pk)
    ):
        raise field_error("receiver", _("The receiver must be another agent than the provider."))
    if action == Action.PRODUCE:
        provider = provider or receiver
    if action == Action.CONSUME:
        receiver = receiver or provider
    for field_name, agent in (("provider", provider), ("receiver", receiver)):
        if agent is not None and agent.kind not in AGENT_KINDS:
            raise field_error(
                field_name, _("Economic events are of productive units, councils or communes.")
            )
    require_event_recorder(actor, provider, receiver)
    check_unit(resource, unit)
    amount = quantity_value(quantity)
    moment = occurred_at or timezone.now()
    if timezone.is_naive(moment):
        raise field_error("occurred_at", _("Give the time with its time zone."))
    if moment > timezone.now() + timedelta(minutes=5):
        raise field_error("occurred_at", _("An event cannot happen in the future."))
    event = EconomicEvent(
        owner=provider or receiver,
        visibility=_visibility(visibility),
        action=action,
        provider=provider,
        receiver=receiver,
        resource=resource,
        quantity=amount,
        unit=unit,
        quantity_base=to_base(amount, unit),
        occurred_at=moment,
        commitment=commitment,
        note=clean_text(note, "note", required=False, limit=300),
        recorded_by_id=actor_id(actor),
    )
    if commitment is not None:
        _update_commitment(commitment, event.quantity_base)
    _effects(resource, _deltas(event, 1))
    event.save()
    audit.record(
        actor=actor,
        verb=f"event.{action}",
        subject=event,
        organisation=event.owner_id,
        details={"resource": resource.slug, "quantity": str(amount), "unit": unit.code},
    )
    return event


@transaction.atomic
def event_correct(
    *, actor: AnyUser | None, event: EconomicEvent, quantity: Decimal | str | int, note: str
) -> EconomicEvent:
    """Correct an event with a new one that replaces its quantity (0 cancels it). The
    original stays, marked as corrected; inventories and deliveries follow the new one."""
    original = (
        EconomicEvent.objects.select_for_update(of=("self",))
        .select_related("provider", "receiver", "resource", "unit", "commitment")
        .get(pk=event.pk)
    )
    require_event_recorder(actor, original.provider, original.receiver)
    if EconomicEvent.objects.filter(corrects=original).exists():
        raise field_error("event", _("This event was already corrected: correct the newest one."))
    amount = quantity_value(quantity, allow_zero=True)
    reason = clean_text(note, "note", limit=300)
    correction = EconomicEvent(
        owner_id=original.owner_id,
        visibility=original.visibility,
        action=original.action,
        provider=original.provider,
        receiver=original.receiver,
        resource=original.resource,
        quantity=amount,
        unit=original.unit,
        quantity_base=to_base(amount, original.unit),
        occurred_at=original.occurred_at,
        commitment=original.commitment,
        corrects=original,
        note=reason,
        recorded_by_id=actor_id(actor),
    )
    if original.commitment is not None:
        _update_commitment(original.commitment, correction.quantity_base - original.quantity_base)
    _effects(original.resource, _deltas(original, -1), _deltas(correction, 1))
    correction.save()
    audit.record(
        actor=actor,
        verb="event.correct",
        subject=correction,
        organisation=original.owner_id,
        details={"corrects": original.pk, "quantity": str(amount), "note": reason},
    )
    return correction
