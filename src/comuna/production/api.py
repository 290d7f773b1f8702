"""Productive network API under /api/v1/production/: the catalogue, productive units, supply
cycles (open, join, offers and needs, allocate, proposals, unmet needs, approve, close),
commitments and deliveries, economic events and inventories, and the ValueFlows export.

(No `from __future__ import annotations` here: ninja reads the annotations of Query[...]
parameters at import time.)"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from comuna.core import access
from comuna.core.auth import token_required
from comuna.core.errors import DomainError
from comuna.core.models import Organisation, OrganisationKind
from comuna.production import actions, exports, queries
from comuna.production.models import (
    Commitment,
    EconomicEvent,
    Intent,
    ProductiveUnit,
    Proposal,
    ResourceSpecification,
    Shortfall,
    SupplyCycle,
    Unit,
)

router = Router(tags=["production"])


# Schemas -----------------------------------------------------------------------------------------


class UnitOut(Schema):
    code: str
    name: str
    symbol: str
    base: str | None
    factor: Decimal


class ResourceOut(Schema):
    slug: str
    name: str
    category: str
    unit: str


class ProductiveUnitOut(Schema):
    slug: str
    name: str
    form: str
    sector: str
    belongs_to: str | None
    commune: str | None
    lat: float | None
    lon: float | None
    makes: list[str]


class ProductiveUnitIn(Schema):
    parent: str = Field(..., description="Short name of the council or commune.")
    name: str
    form: Literal["epsdc", "epsic", "upf", "gis", "cooperative", "other"]
    sector: str = ""
    place: str = ""
    lat: float | None = None
    lon: float | None = None
    makes: list[str] = Field(default_factory=list, description="Short names of resources.")
    description: str = ""


class CycleOut(Schema):
    id: int
    name: str
    owner: str
    status: str
    visibility: str
    opens_on: date
    collect_until: date
    deliver_by: date
    cost_per_unit_km: Decimal
    max_distance_km: Decimal | None
    allocation_state: str
    allocation_progress: int
    allocation_run: int
    allocation_summary: dict[str, Any]


class CycleIn(Schema):
    owner: str = Field(..., description="Short name of the commune or of the network.")
    name: str
    collect_until: date
    deliver_by: date
    opens_on: date | None = None
    cost_per_unit_km: Decimal = Decimal("0.005")
    max_distance_km: Decimal | None = None
    description: str = ""
    visibility: Literal["public", "network"] = "public"


class JoinIn(Schema):
    unit: str = Field(..., description="Short name of the productive unit.")


class IntentIn(Schema):
    kind: Literal["offer", "need"]
    agent: str = Field(..., description="Short name of the productive unit, council or commune.")
    resource: str = Field(..., description="Short name of the resource.")
    quantity: Decimal
    unit: str = Field(..., description="Code of the unit, e.g. kg, t, saco-40kg.")
    priority: int = Field(5, description="For needs: 1 (nice to have) to 10 (vital).")
    terms: Literal["barter", "communal_currency", "bolivares", "donation"] = "barter"
    reference_price: int | None = Field(None, description="Céntimos of a bolívar per unit.")
    available_from: date | None = None
    available_until: date | None = None
    place: str = ""
    lat: float | None = None
    lon: float | None = None
    recurrence: Literal["once", "weekly", "monthly", "seasonal"] = "once"
    note: str = ""


class IntentOut(Schema):
    id: int
    kind: str
    agent: str
    commune: str | None
    resource: str
    quantity: Decimal
    unit: str
    quantity_base: Decimal
    priority: int
    terms: str
    status: str
    lat: float
    lon: float


class ProposalOut(Schema):
    id: int
    run: int
    resource: str
    offer: int
    need: int
    provider: str
    receiver: str
    quantity: Decimal
    unit: str
    offer_quantity: Decimal
    offer_unit: str
    distance_km: float
    provider_decision: str
    receiver_decision: str


class DecisionIn(Schema):
    decision: Literal["accepted", "declined"]
    side: Literal["", "provider", "receiver"] = ""


class ShortfallOut(Schema):
    need: int
    agent: str
    resource: str
    quantity: Decimal
    unit: str
    reason: str


class ApproveIn(Schema):
    decision: str = Field(..., description="The economy council's decision (body, date, minutes).")


class CloseIn(Schema):
    note: str = ""


class CommitmentOut(Schema):
    id: int
    cycle: int
    provider: str
    receiver: str
    resource: str
    quantity: Decimal
    unit: str
    delivered: Decimal
    due_on: date
    status: str


class DeliveryIn(Schema):
    action: Literal["transfer", "dropoff"] = "transfer"
    quantity: Decimal
    unit: str
    note: str = ""


class EventIn(Schema):
    action: Literal["produce", "consume", "transfer", "move", "pickup", "dropoff", "work", "use"]
    resource: str
    quantity: Decimal
    unit: str
    provider: str | None = None
    receiver: str | None = None
    occurred_at: datetime | None = None
    note: str = ""


class CorrectIn(Schema):
    quantity: Decimal = Field(
        ..., description="The right quantity, in the event's unit; 0 cancels."
    )
    note: str


class EventOut(Schema):
    id: int
    action: str
    provider: str | None
    receiver: str | None
    resource: str
    quantity: Decimal
    unit: str
    occurred_at: datetime
    commitment: int | None
    corrects: int | None
    corrected: bool


class InventoryOut(Schema):
    resource: str
    on_hand: Decimal
    unit: str


class UnitFilters(Schema):
    q: str = ""
    form: str = ""
    commune: str = Field("", description="Short name of the commune.")


# Helpers -----------------------------------------------------------------------------------------


def _missing(field_name: str, message: str) -> DomainError:
    return DomainError(message, code="not_found", fields={field_name: [message]})


def _agent(slug: str | None, field_name: str) -> Organisation:
    found = queries.agent_by_slug(slug or "")
    if found is None:
        raise _missing(
            field_name,
            _("No productive unit, council or commune is called “%(slug)s”.") % {"slug": slug},
        )
    return found


def _resource(slug: str) -> ResourceSpecification:
    found = queries.resource_by_slug(slug)
    if found is None:
        raise _missing("resource", _("The catalogue has no resource “%(slug)s”.") % {"slug": slug})
    return found


def _unit(code: str) -> Unit:
    found = queries.unit_by_code(code)
    if found is None:
        raise _missing("unit", _("Unknown unit “%(code)s”.") % {"code": code})
    return found


class MappedPage:
    """A queryset for ninja's paginator: counted in SQL, only the page is converted."""

    def __init__(self, qs: Any, convert: Callable[[Any], dict[str, Any]]) -> None:
        self.qs = qs
        self.convert = convert

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.convert(item) for item in self.qs[index]]


def unit_out(u: ProductiveUnit) -> dict[str, Any]:
    return {
        "slug": u.slug,
        "name": u.name,
        "form": u.form,
        "sector": u.sector,
        "belongs_to": u.parent.slug if u.parent else None,
        "commune": u.commune.slug if u.commune else None,
        "lat": u.lat,
        "lon": u.lon,
        "makes": [r.slug for r in u.makes.all()],
    }


def cycle_out(c: SupplyCycle) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "owner": c.owner.slug,
        "status": c.status,
        "visibility": c.visibility,
        "opens_on": c.opens_on,
        "collect_until": c.collect_until,
        "deliver_by": c.deliver_by,
        "cost_per_unit_km": c.cost_per_unit_km,
        "max_distance_km": c.max_distance_km,
        "allocation_state": c.allocation_state,
        "allocation_progress": c.allocation_progress,
        "allocation_run": c.allocation_run,
        "allocation_summary": c.allocation_summary,
    }


def intent_out(i: Intent) -> dict[str, Any]:
    return {
        "id": i.pk,
        "kind": i.kind,
        "agent": i.owner.slug,
        "commune": i.commune.slug if i.commune else None,
        "resource": i.resource.slug,
        "quantity": i.quantity,
        "unit": i.unit.code,
        "quantity_base": i.quantity_base,
        "priority": i.priority,
        "terms": i.terms,
        "status": i.status,
        "lat": i.lat,
        "lon": i.lon,
    }


def proposal_out(p: Proposal) -> dict[str, Any]:
    return {
        "id": p.pk,
        "run": p.run,
        "resource": p.offer.resource.slug,
        "offer": p.offer_id,
        "need": p.need_id,
        "provider": p.offer.owner.slug,
        "receiver": p.need.owner.slug,
        "quantity": p.quantity,
        "unit": p.need.unit.code,
        "offer_quantity": p.offer_quantity,
        "offer_unit": p.offer.unit.code,
        "distance_km": round(p.distance_km, 3),
        "provider_decision": p.provider_decision,
        "receiver_decision": p.receiver_decision,
    }


def commitment_out(c: Commitment) -> dict[str, Any]:
    return {
        "id": c.pk,
        "cycle": c.agreement.cycle_id,
        "provider": c.provider.slug,
        "receiver": c.receiver.slug,
        "resource": c.resource.slug,
        "quantity": c.quantity,
        "unit": c.unit.code,
        "delivered": queries.commitment_delivered(c),
        "due_on": c.due_on,
        "status": c.status,
    }


def event_out(e: EconomicEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "action": e.action,
        "provider": e.provider.slug if e.provider else None,
        "receiver": e.receiver.slug if e.receiver else None,
        "resource": e.resource.slug,
        "quantity": e.quantity,
        "unit": e.unit.code,
        "occurred_at": e.occurred_at,
        "commitment": e.commitment_id,
        "corrects": e.corrects_id,
        "corrected": hasattr(e, "corrected_by"),
    }


# Catalogue and units -----------------------------------------------------------------------------


@router.get("/units", response=list[UnitOut], summary="Units of measure and their conversions")
def unit_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": u.code,
            "name": u.name,
            "symbol": u.symbol,
            "base": u.base.code if u.base else None,
            "factor": u.factor,
        }
        for u in queries.units()
    ]


@router.get("/resources", response=list[ResourceOut], summary="The catalogue of resources")
def resource_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"slug": r.slug, "name": r.name, "category": r.category, "unit": r.unit.code}
        for r in queries.resources()
    ]


@router.get("/productive-units", response=list[ProductiveUnitOut], summary="Productive units")
@paginate(PageNumberPagination)
def productive_unit_list(request: HttpRequest, filters: Query[UnitFilters]) -> Any:
    qs = queries.productive_units(
        q=filters.q.strip()[:100], form=filters.form, commune=filters.commune
    ).prefetch_related("makes")
    return MappedPage(qs, unit_out)


@router.get("/productive-units/{slug}", response=ProductiveUnitOut)
def productive_unit_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    return unit_out(queries.productive_unit_get(slug=slug))


@router.post(
    "/productive-units",
    response={201: ProductiveUnitOut},
    auth=token_required,
    summary="Register a productive unit of a council or commune",
)
def productive_unit_create(
    request: HttpRequest, payload: ProductiveUnitIn
) -> Status[dict[str, Any]]:
    parent = Organisation.objects.filter(
        slug=payload.parent, kind__in=[OrganisationKind.COUNCIL, OrganisationKind.COMMUNE]
    ).first()
    if parent is None:
        raise _missing(
            "parent", _("No council or commune is called “%(slug)s”.") % {"slug": payload.parent}
        )
    unit = actions.productive_unit_register(
        actor=request.user,
        parent=parent,
        name=payload.name,
        form=payload.form,
        sector=payload.sector,
        place=payload.place,
        lat=payload.lat,
        lon=payload.lon,
        makes=[_resource(slug) for slug in payload.makes],
        description=payload.description,
    )
    return Status(201, unit_out(queries.productive_unit_get(slug=unit.slug)))


@router.get(
    "/agents/{slug}/inventory",
    response=list[InventoryOut],
    summary="What an agent has on hand (its members and those above it)",
)
def inventory(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    agent = queries.agent_by_slug(slug)
    if agent is None:
        raise access.Http404
    return [
        {"resource": row.resource.slug, "on_hand": row.on_hand, "unit": row.unit.code}
        for row in queries.inventory_of(user=request.user, agent=agent)
    ]


# Cycles ------------------------------------------------------------------------------------------


@router.get("/cycles", response=list[CycleOut], summary="Supply cycles the caller may see")
@paginate(PageNumberPagination)
def cycle_list(request: HttpRequest, status: str = "") -> Any:
    return MappedPage(queries.cycles(request.user, status=status), cycle_out)


@router.get("/cycles/{pk}", response=CycleOut, summary="A supply cycle and its allocation state")
def cycle_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return cycle_out(queries.cycle_get(user=request.user, pk=pk))


@router.post("/cycles", response={201: CycleOut}, auth=token_required, summary="Open a cycle")
def cycle_create(request: HttpRequest, payload: CycleIn) -> Status[dict[str, Any]]:
    owner = Organisation.objects.filter(
        slug=payload.owner, kind__in=[OrganisationKind.COMMUNE, OrganisationKind.NETWORK]
    ).first()
    if owner is None:
        raise _missing(
            "owner", _("No commune or network is called “%(slug)s”.") % {"slug": payload.owner}
        )
    cycle = actions.cycle_open(
        actor=request.user,
        owner=owner,
        name=payload.name,
        collect_until=payload.collect_until,
        deliver_by=payload.deliver_by,
        opens_on=payload.opens_on,
        cost_per_unit_km=payload.cost_per_unit_km,
        max_distance_km=payload.max_distance_km,
        description=payload.description,
        visibility=payload.visibility,
    )
    return Status(201, cycle_out(cycle))


@router.post("/cycles/{pk}/join", response=CycleOut, auth=token_required)
def cycle_join(request: HttpRequest, pk: int, payload: JoinIn) -> dict[str, Any]:
    cycle = queries.cycle_get(user=request.user, pk=pk)
    unit = ProductiveUnit.objects.filter(slug=payload.unit).first()
    if unit is None:
        raise _missing(
            "unit", _("No productive unit is called “%(slug)s”.") % {"slug": payload.unit}
        )
    actions.cycle_join(actor=request.user, cycle=cycle, unit=unit)
    return cycle_out(cycle)  # joining changes nothing of the cycle itself


@router.get("/cycles/{pk}/intents", response=list[IntentOut], summary="Offers and needs")
@paginate(PageNumberPagination)
def intent_list(request: HttpRequest, pk: int, kind: str = "") -> Any:
    cycle = queries.cycle_get(user=request.user, pk=pk)
    return MappedPage(
        queries.cycle_intents(cycle, kind=kind if kind in ("offer", "need") else ""), intent_out
    )


@router.post(
    "/cycles/{pk}/intents",
    response={201: IntentOut},
    auth=token_required,
    summary="Post an offer or a need",
)
def intent_create(request: HttpRequest, pk: int, payload: IntentIn) -> Status[dict[str, Any]]:
    cycle = queries.cycle_get(user=request.user, pk=pk)
    intent = actions.intent_post(
        actor=request.user,
        kind=payload.kind,
        owner=_agent(payload.agent, "agent"),
        cycle=cycle,
        resource=_resource(payload.resource),
        quantity=payload.quantity,
        unit=_unit(payload.unit),
        priority=payload.priority,
        terms=payload.terms,
        reference_price=payload.reference_price,
        available_from=payload.available_from,
        available_until=payload.available_until,
        place=payload.place,
        lat=payload.lat,
        lon=payload.lon,
        recurrence=payload.recurrence,
        note=payload.note,
    )
    found = Intent.objects.select_related("owner", "commune", "resource", "unit").get(pk=intent.pk)
    return Status(201, intent_out(found))


@router.post(
    "/cycles/{pk}/allocate",
    response={202: CycleOut},
    auth=token_required,
    summary="Run the allocation (a background task; follow allocation_state)",
)
def cycle_allocate(request: HttpRequest, pk: int) -> Status[dict[str, Any]]:
    cycle = queries.cycle_get(user=request.user, pk=pk)
    actions.cycle_allocate_request(actor=request.user, cycle=cycle)
    return Status(202, cycle_out(queries.cycle_get(user=request.user, pk=pk)))


@router.get("/cycles/{pk}/proposals", response=list[ProposalOut], summary="Proposed flows")
@paginate(PageNumberPagination)
def proposal_list(request: HttpRequest, pk: int) -> Any:
    cycle = queries.cycle_get(user=request.user, pk=pk)
    return MappedPage(queries.cycle_proposals(cycle), proposal_out)


@router.post("/proposals/{pk}/decide", response=ProposalOut, auth=token_required)
def proposal_decide(request: HttpRequest, pk: int, payload: DecisionIn) -> dict[str, Any]:
    proposal = queries.proposal_get(user=request.user, pk=pk)
    actions.proposal_decide(
        actor=request.user, proposal=proposal, decision=payload.decision, side=payload.side
    )
    found = Proposal.objects.select_related(
        "offer__owner", "offer__unit", "offer__resource", "need__owner", "need__unit"
    ).get(pk=pk)
    return proposal_out(found)


@router.get("/cycles/{pk}/unmet", response=list[ShortfallOut], summary="Unmet needs and why")
@paginate(PageNumberPagination)
def unmet_list(request: HttpRequest, pk: int) -> Any:
    cycle = queries.cycle_get(user=request.user, pk=pk)

    def convert(s: Shortfall) -> dict[str, Any]:
        return {
            "need": s.need_id,
            "agent": s.need.owner.slug,
            "resource": s.need.resource.slug,
            "quantity": s.quantity,
            "unit": s.need.unit.code,
            "reason": s.reason,
        }

    return MappedPage(queries.cycle_shortfalls(cycle), convert)


@router.post("/cycles/{pk}/approve", response=CycleOut, auth=token_required)
def cycle_approve(request: HttpRequest, pk: int, payload: ApproveIn) -> dict[str, Any]:
    cycle = queries.cycle_get(user=request.user, pk=pk)
    actions.agreement_approve(actor=request.user, cycle=cycle, decision=payload.decision)
    return cycle_out(queries.cycle_get(user=request.user, pk=pk))


@router.post("/cycles/{pk}/close", response=CycleOut, auth=token_required)
def cycle_close(request: HttpRequest, pk: int, payload: CloseIn) -> dict[str, Any]:
    cycle = queries.cycle_get(user=request.user, pk=pk)
    actions.cycle_close(actor=request.user, cycle=cycle, note=payload.note)
    return cycle_out(queries.cycle_get(user=request.user, pk=pk))


@router.get("/cycles/{pk}/commitments", response=list[CommitmentOut])
@paginate(PageNumberPagination)
def commitment_list(request: HttpRequest, pk: int) -> Any:
    cycle = queries.cycle_get(user=request.user, pk=pk)
    return MappedPage(queries.cycle_commitments(cycle).select_related("agreement"), commitment_out)


@router.post(
    "/commitments/{pk}/deliveries",
    response={201: EventOut},
    auth=token_required,
    summary="Record a delivery against a commitment",
)
def commitment_deliver(
    request: HttpRequest, pk: int, payload: DeliveryIn
) -> Status[dict[str, Any]]:
    commitment = queries.commitment_get(user=request.user, pk=pk)
    event = actions.event_record(
        actor=request.user,
        action=payload.action,
        resource=commitment.resource,
        quantity=payload.quantity,
        unit=_unit(payload.unit),
        commitment=commitment,
        note=payload.note,
    )
    return Status(201, event_out(queries.event_get(user=request.user, pk=event.pk)))


# Events and ValueFlows ---------------------------------------------------------------------------


@router.get("/events", response=list[EventOut], summary="Economic events the caller may see")
@paginate(PageNumberPagination)
def event_list(request: HttpRequest, agent: str = "") -> Any:
    found = queries.agent_by_slug(agent) if agent else None
    if agent and found is None:
        return MappedPage(EconomicEvent.objects.none(), event_out)
    return MappedPage(queries.events(request.user, agent=found), event_out)


@router.post("/events", response={201: EventOut}, auth=token_required, summary="Record an event")
def event_create(request: HttpRequest, payload: EventIn) -> Status[dict[str, Any]]:
    event = actions.event_record(
        actor=request.user,
        action=payload.action,
        resource=_resource(payload.resource),
        quantity=payload.quantity,
        unit=_unit(payload.unit),
        provider=_agent(payload.provider, "provider") if payload.provider else None,
        receiver=_agent(payload.receiver, "receiver") if payload.receiver else None,
        occurred_at=payload.occurred_at,
        note=payload.note,
    )
    return Status(201, event_out(queries.event_get(user=request.user, pk=event.pk)))


@router.post(
    "/events/{pk}/correct",
    response={201: EventOut},
    auth=token_required,
    summary="Correct an event with a new one (the original stays)",
)
def event_correct(request: HttpRequest, pk: int, payload: CorrectIn) -> Status[dict[str, Any]]:
    event = queries.event_get(user=request.user, pk=pk)
    correction = actions.event_correct(
        actor=request.user, event=event, quantity=payload.quantity, note=payload.note
    )
    return Status(201, event_out(queries.event_get(user=request.user, pk=correction.pk)))


@router.get("/valueflows", summary="ValueFlows JSON-LD of the network")
def valueflows(request: HttpRequest) -> dict[str, Any]:
    return exports.valueflows(request.user, base_url=request.build_absolute_uri("/"))


@router.get("/communes/{slug}/valueflows", summary="ValueFlows JSON-LD of a commune")
def valueflows_commune(request: HttpRequest, slug: str) -> dict[str, Any]:
    commune = get_object_or_404(Organisation, slug=slug, kind=OrganisationKind.COMMUNE)
    return exports.valueflows(
        request.user, base_url=request.build_absolute_uri("/"), commune=commune
    )
