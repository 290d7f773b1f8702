"""Dialogue API under /api/v1/dialogue/: public bodies and their statistics, demands (list,
detail, file, acknowledge, answer, resolve, escalate, withdraw, co-sign), dialogue tables,
transfers of competences, the services communes run, and due dates.

(No `from __future__ import annotations` here: ninja reads the annotations of Query[...]
parameters at import time.)"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import PageNumberPagination, paginate

from comuna.core.auth import token_required
from comuna.core.errors import DomainError
from comuna.core.fragments import cache_public_get
from comuna.core.models import Organisation, Visibility
from comuna.dialogue import actions, queries
from comuna.dialogue.holidays import due_date
from comuna.dialogue.models import Demand, PublicBody, Topic
from comuna.engines.deadlines import DeadlineError

router = Router(tags=["dialogue"])


# Schemas --------------------------------------------------------------------------------------


class BodyFiltersIn(Schema):
    q: str = Field("", description="Part of the name or acronym.")
    level: str = Field("", description="national, state or municipal.")
    type: str = Field("", description="ministry, water_utility, mayors_office...")
    state: str = Field("", description="ISO 3166-2 code of the state, e.g. VE-K.")


class BodyOut(Schema):
    slug: str
    name: str
    acronym: str
    level: str
    type: str
    parent: str | None
    state: str | None
    response_days: int


class StatsOut(Schema):
    received: int
    pending: int
    overdue_now: int
    very_overdue_now: int
    answered: int
    answered_late: int
    closed_late: int
    escalated: int
    withdrawn: int
    resolved: int
    median_days_to_answer: float | None
    settled: int
    late: int
    late_share: float | None
    late_share_interval: list[float] = Field(..., description="95 % Wilson interval.")
    ranked: bool


class BodyDetailOut(BodyOut):
    contact_office: str
    contact_email: str
    contact_phone: str
    address: str
    website: str
    description: str
    stats: StatsOut


class RankedBodyOut(Schema):
    slug: str
    name: str
    stats: StatsOut


class NetworkStatsOut(Schema):
    date: date
    totals: StatsOut
    never_acknowledged_overdue: int
    acknowledged_overdue: int
    ranked: list[RankedBodyOut]
    ranked_total: int
    unranked: int


class DemandFiltersIn(Schema):
    state: str = Field(
        "",
        description="draft, filed, acknowledged, answered, resolved, escalated, withdrawn, "
        "open, overdue or very_overdue (the last two derived from the due date).",
    )
    body: str = Field("", description="Slug of the body addressed.")
    organisation: str = Field("", description="Slug of an organisation that filed or co-signed.")
    topic: str = ""
    q: str = Field("", description="Part of the subject.")


class DemandOut(Schema):
    id: int
    title: str
    topic: str
    status: str
    state: str
    visibility: Literal["public", "private"]
    owner: str
    body: str
    filed_on: date | None
    due_on: date | None
    answered_on: date | None


class EventOut(Schema):
    kind: str
    on: date
    at: datetime
    organisation: str | None
    text: str


class DemandDetailOut(DemandOut):
    text: str
    business_days: int | None
    acknowledged_on: date | None
    body_reference: str
    answer_text: str
    answered_late: bool
    resolved_on: date | None
    closed_on: date | None
    close_reason: str
    escalated_from: int | None
    escalated_to: list[int]
    cosigners: list[str]
    timeline: list[EventOut]


class DemandIn(Schema):
    owner: str = Field(..., description="Slug of the filing organisation.")
    body: str = Field(..., description="Slug of the public body addressed.")
    topic: str
    title: str = Field(..., min_length=1, max_length=200)
    text: str = Field(..., min_length=1)
    visibility: Literal["public", "private"] = "public"
    filed_on: date | None = Field(None, description="Day it was handed in (today if absent).")
    draft: bool = Field(False, description="Keep it as a draft instead of filing it.")


class OnIn(Schema):
    on: date | None = Field(None, description="The day it happened (today if absent).")


class AcknowledgeIn(OnIn):
    reference: str = ""


class AnswerIn(OnIn):
    text: str = Field(..., min_length=1)


class ResolveIn(OnIn):
    note: str = ""


class EscalateIn(OnIn):
    to_body: str | None = Field(None, description="Slug of a higher body (the next one if absent).")
    reason: str = ""


class WithdrawIn(OnIn):
    reason: str = Field(..., min_length=1)


class CosignIn(Schema):
    organisation: str | None = Field(None, description="Slug of the organisation that signs.")
    movement: str | None = Field(None, description="Name of a movement outside the registry.")


class CommitmentOut(Schema):
    id: int
    responsible: str
    what: str
    due_on: date
    status: str
    outcome: str
    done_on: date | None


class TableOut(Schema):
    id: int
    title: str
    owner: str
    held_at: datetime
    place: str
    status: str


class TableDetailOut(TableOut):
    agenda: str
    minutes: str
    bodies: list[str]
    participants: list[dict[str, str]]
    commitments: list[CommitmentOut]


class TransferOut(Schema):
    id: int
    title: str
    owner: str
    from_body: str
    kind: str
    service: str
    phase: str
    started_on: date
    completed_on: date | None


class StepOut(Schema):
    phase: str
    started_on: date
    notes: str


class TransferDetailOut(TransferOut):
    description: str
    steps: list[StepOut]
    demands: list[int]


class ServiceOut(Schema):
    organisation: str
    organisation_name: str
    service: str
    since: date
    transfer: int | None


class DueDateOut(Schema):
    start: date
    business_days: int
    due: date


# Helpers --------------------------------------------------------------------------------------


def _today() -> date:
    return timezone.localdate()


def stats_out(figures: Any) -> dict[str, Any]:
    c = figures.counters
    low, high = figures.interval
    return {
        "received": c.received,
        "pending": c.pending,
        "overdue_now": figures.overdue,
        "very_overdue_now": figures.very_overdue,
        "answered": c.answered,
        "answered_late": c.answered_late,
        "closed_late": c.closed_late,
        "escalated": c.escalated,
        "withdrawn": c.withdrawn,
        "resolved": c.resolved,
        "median_days_to_answer": c.median_days,
        "settled": figures.settled,
        "late": figures.late,
        "late_share": figures.late_share,
        "late_share_interval": [low, high],
        "ranked": figures.ranked,
    }


def body_out(b: PublicBody) -> dict[str, Any]:
    return {
        "slug": b.slug,
        "name": b.name,
        "acronym": b.acronym,
        "level": b.level,
        "type": b.body_type,
        "parent": b.parent.slug if b.parent_id and b.parent else None,
        "state": b.state.code if b.state_id and b.state else None,
        "response_days": b.response_days,
    }


def demand_out(d: Demand, today: date) -> dict[str, Any]:
    return {
        "id": d.pk,
        "title": d.title,
        "topic": d.topic,
        "status": d.status,
        "state": d.state_on(today),
        "visibility": "public" if d.visibility == Visibility.PUBLIC else "private",
        "owner": d.owner.slug,
        "body": d.body.slug,
        "filed_on": d.filed_on,
        "due_on": d.due_on,
        "answered_on": d.answered_on,
    }


def demand_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    d = queries.demand_get(user=request.user, pk=pk)
    today = _today()
    return {
        **demand_out(d, today),
        "text": d.text,
        "business_days": d.business_days,
        "acknowledged_on": d.acknowledged_on,
        "body_reference": d.body_reference,
        "answer_text": d.answer_text,
        "answered_late": d.answered_late,
        "resolved_on": d.resolved_on,
        "closed_on": d.closed_on,
        "close_reason": d.close_reason,
        "escalated_from": d.escalated_from_id,
        "escalated_to": [e.pk for e in queries.escalations(d)],
        "cosigners": [s.organisation.slug for s in queries.signatures(d)],
        "timeline": [
            {
                "kind": e.kind,
                "on": e.on,
                "at": e.at,
                "organisation": e.organisation.slug if e.organisation else None,
                "text": e.text,
            }
            for e in queries.timeline(d)
        ],
    }


def _organisation(slug: str, field: str) -> Organisation:
    found = Organisation.objects.filter(slug=slug).first()
    if found is None:
        raise DomainError(
            _("No organisation has the short name “%(slug)s”.") % {"slug": slug},
            fields={field: [_("Unknown organisation.")]},
        )
    return found


def _body(slug: str, field: str = "body") -> PublicBody:
    found = PublicBody.objects.filter(slug=slug).first()
    if found is None:
        raise DomainError(
            _("No public body has the short name “%(slug)s”.") % {"slug": slug},
            fields={field: [_("Unknown public body.")]},
        )
    return found


# Public bodies and statistics -------------------------------------------------------------------


@router.get("/bodies", response=list[BodyOut], summary="List public bodies")
@decorate_view(cache_public_get())
@paginate(PageNumberPagination)
def body_list(request: HttpRequest, filters: Query[BodyFiltersIn]) -> Any:
    qs = queries.bodies(
        queries.BodyFilters(
            q=filters.q.strip(),
            level=filters.level.strip(),
            body_type=filters.type.strip(),
            state=filters.state.strip(),
        )
    )
    return MappedPage(qs, body_out)


@router.get("/bodies/{slug}", response=BodyDetailOut, summary="A public body and its statistics")
@decorate_view(cache_public_get())
def body_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    b = queries.body_get(slug=slug)
    return {
        **body_out(b),
        "contact_office": b.contact_office,
        "contact_email": b.contact_email,
        "contact_phone": b.contact_phone,
        "address": b.address,
        "website": b.website,
        "description": b.description,
        "stats": stats_out(queries.body_figures(b, _today())),
    }


@router.get("/bodies/{slug}/stats", response=StatsOut, summary="Statistics of a public body")
@decorate_view(cache_public_get())
def body_stats(request: HttpRequest, slug: str) -> dict[str, Any]:
    return stats_out(queries.body_figures(queries.body_get(slug=slug), _today()))


@router.get("/stats", response=NetworkStatsOut, summary="Where demands get stuck, network-wide")
@decorate_view(cache_public_get())
def network_stats(request: HttpRequest) -> dict[str, Any]:
    today = _today()
    report = queries.stuck_report_cached(today)
    return {
        "date": today,
        "totals": stats_out(report.totals),
        "never_acknowledged_overdue": report.never_acknowledged,
        "acknowledged_overdue": report.acknowledged_only,
        "ranked": [
            {"slug": r.slug, "name": r.name, "stats": stats_out(r.figures)} for r in report.ranked
        ],
        "ranked_total": report.ranked_total,
        "unranked": report.unranked,
    }


@router.get(
    "/due-date",
    response=DueDateOut,
    summary="The day that falls a number of business days after another (holidays in force)",
)
def due_date_get(request: HttpRequest, start: date, days: int) -> dict[str, Any]:
    if not -3650 <= days <= 3650:
        raise DomainError(
            _("Give between -3650 and 3650 business days."),
            fields={"days": [_("Out of range.")]},
        )
    try:
        due = due_date(start, days)
    except DeadlineError as err:
        message = _("The due date falls outside the calendar.")
        raise DomainError(message, fields={"start": [message]}) from err
    return {"start": start, "business_days": days, "due": due}


# Demands -----------------------------------------------------------------------------------------


@router.get("/demands", response=list[DemandOut], summary="Demands the caller may see")
@decorate_view(cache_public_get())
@paginate(PageNumberPagination)
def demand_list(request: HttpRequest, filters: Query[DemandFiltersIn]) -> Any:
    today = _today()
    qs = queries.demands(
        request.user,
        queries.DemandFilters(
            state=filters.state if filters.state in queries.STATE_FILTERS else "",
            body=filters.body.strip(),
            organisation=filters.organisation.strip(),
            topic=filters.topic if filters.topic in Topic.values else "",
            q=filters.q.strip(),
        ),
        today,
    )
    return MappedPage(qs, lambda d: demand_out(d, today))


class MappedPage:
    """A queryset for ninja's paginator: counted in SQL, and only the requested slice is
    read and turned into dicts."""

    def __init__(self, qs: Any, convert: Callable[[Any], dict[str, Any]]) -> None:
        self.qs = qs
        self.convert = convert

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.convert(item) for item in self.qs[index]]


@router.get("/demands/{pk}", response=DemandDetailOut, summary="A demand and its timeline")
@decorate_view(cache_public_get())
def demand_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return demand_detail(request, pk)


@router.post(
    "/demands",
    response={201: DemandDetailOut},
    auth=token_required,
    summary="Write and file a demand (or keep it as a draft)",
)
def demand_create(request: HttpRequest, payload: DemandIn) -> Status[dict[str, Any]]:
    owner = _organisation(payload.owner, "owner")
    demand = actions.demand_create(
        actor=request.user,
        owner=owner,
        body=_body(payload.body),
        topic=payload.topic,
        title=payload.title,
        text=payload.text,
        visibility=Visibility.PUBLIC if payload.visibility == "public" else Visibility.UNIT,
        file=not payload.draft,
        filed_on=payload.filed_on,
    )
    return Status(201, demand_detail(request, demand.pk))


@router.post("/demands/{pk}/file", response=DemandDetailOut, auth=token_required)
def demand_file(request: HttpRequest, pk: int, payload: OnIn) -> dict[str, Any]:
    demand = queries.demand_get(user=request.user, pk=pk)
    actions.demand_file(actor=request.user, demand=demand, on=payload.on)
    return demand_detail(request, pk)


@router.post("/demands/{pk}/acknowledge", response=DemandDetailOut, auth=token_required)
def demand_acknowledge(request: HttpRequest, pk: int, payload: AcknowledgeIn) -> dict[str, Any]:
    demand = queries.demand_get(user=request.user, pk=pk)
    actions.demand_acknowledge(
        actor=request.user, demand=demand, on=payload.on, reference=payload.reference
    )
    return demand_detail(request, pk)


@router.post(
    "/demands/{pk}/answer",
    response=DemandDetailOut,
    auth=token_required,
    summary="Record the body's answer",
)
def demand_answer(request: HttpRequest, pk: int, payload: AnswerIn) -> dict[str, Any]:
    demand = queries.demand_get(user=request.user, pk=pk)
    actions.demand_answer(actor=request.user, demand=demand, text=payload.text, on=payload.on)
    return demand_detail(request, pk)


@router.post("/demands/{pk}/resolve", response=DemandDetailOut, auth=token_required)
def demand_resolve(request: HttpRequest, pk: int, payload: ResolveIn) -> dict[str, Any]:
    demand = queries.demand_get(user=request.user, pk=pk)
    actions.demand_resolve(actor=request.user, demand=demand, on=payload.on, note=payload.note)
    return demand_detail(request, pk)


@router.post(
    "/demands/{pk}/escalate",
    response={201: DemandDetailOut},
    auth=token_required,
    summary="Escalate to a higher body (answers with the new demand)",
)
def demand_escalate(request: HttpRequest, pk: int, payload: EscalateIn) -> Status[dict[str, Any]]:
    demand = queries.demand_get(user=request.user, pk=pk)
    higher = actions.demand_escalate(
        actor=request.user,
        demand=demand,
        to_body=_body(payload.to_body, "to_body") if payload.to_body else None,
        on=payload.on,
        reason=payload.reason,
    )
    return Status(201, demand_detail(request, higher.pk))


@router.post("/demands/{pk}/withdraw", response=DemandDetailOut, auth=token_required)
def demand_withdraw(request: HttpRequest, pk: int, payload: WithdrawIn) -> dict[str, Any]:
    demand = queries.demand_get(user=request.user, pk=pk)
    actions.demand_withdraw(actor=request.user, demand=demand, reason=payload.reason, on=payload.on)
    return demand_detail(request, pk)


@router.post("/demands/{pk}/cosign", response=DemandDetailOut, auth=token_required)
def demand_cosign(request: HttpRequest, pk: int, payload: CosignIn) -> dict[str, Any]:
    demand = queries.demand_get(user=request.user, pk=pk)
    if payload.organisation:
        organisation = _organisation(payload.organisation, "organisation")
    elif payload.movement:
        organisation = actions.movement_ensure(actor=request.user, name=payload.movement)
    else:
        raise DomainError(
            _("Give the organisation that signs or a movement's name."),
            fields={"organisation": [_("This field is required.")]},
        )
    actions.demand_cosign(actor=request.user, demand=demand, organisation=organisation)
    return demand_detail(request, pk)


# Dialogue tables, transfers and services ----------------------------------------------------------


def table_out(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "title": t.title,
        "owner": t.owner.slug,
        "held_at": t.held_at,
        "place": t.place,
        "status": t.status,
    }


@router.get("/tables", response=list[TableOut], summary="Dialogue tables")
@decorate_view(cache_public_get())
@paginate(PageNumberPagination)
def table_list(request: HttpRequest, organisation: str = "") -> Any:
    return MappedPage(queries.tables(request.user, organisation), table_out)


@router.get("/tables/{pk}", response=TableDetailOut, summary="A dialogue table")
@decorate_view(cache_public_get())
def table_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    t = queries.table_get(user=request.user, pk=pk)
    today = _today()
    return {
        **table_out(t),
        "agenda": t.agenda,
        "minutes": t.minutes,
        "bodies": [b.slug for b in queries.table_bodies(t)],
        "participants": [
            {"side": p.side, "name": p.name, "position": p.position}
            for p in queries.participants(t)
        ],
        "commitments": [
            {
                "id": c.pk,
                "responsible": c.responsible.slug,
                "what": c.what,
                "due_on": c.due_on,
                "status": c.status,
                "outcome": c.outcome_on(today),
                "done_on": c.done_on,
            }
            for c in queries.commitments_of(t)
        ],
    }


def transfer_out(t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "title": t.title,
        "owner": t.owner.slug,
        "from_body": t.from_body.slug,
        "kind": t.kind,
        "service": t.service,
        "phase": t.phase,
        "started_on": t.started_on,
        "completed_on": t.completed_on,
    }


@router.get("/transfers", response=list[TransferOut], summary="Transfers of competences")
@decorate_view(cache_public_get())
@paginate(PageNumberPagination)
def transfer_list(
    request: HttpRequest, phase: str = "", service: str = "", organisation: str = ""
) -> Any:
    qs = queries.transfers(
        request.user,
        queries.TransferFilters(phase=phase, service=service, organisation=organisation),
    )
    return MappedPage(qs, transfer_out)


@router.get("/transfers/{pk}", response=TransferDetailOut, summary="A transfer of competences")
@decorate_view(cache_public_get())
def transfer_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    t = queries.transfer_get(user=request.user, pk=pk)
    return {
        **transfer_out(t),
        "description": t.description,
        "steps": [
            {"phase": s.phase, "started_on": s.started_on, "notes": s.notes}
            for s in queries.transfer_steps(t)
        ],
        "demands": [d.pk for d in queries.transfer_demands(request.user, t)],
    }


@router.get(
    "/services",
    response=list[ServiceOut],
    summary="Public services run by communes and councils after a completed transfer",
)
@decorate_view(cache_public_get())
def service_list(request: HttpRequest, organisation: str = "") -> list[dict[str, Any]]:
    rows = (
        queries.services_managed_by(_organisation(organisation, "organisation"))
        if organisation
        else queries.managed_services()
    )
    return [
        {
            "organisation": r.slug,
            "organisation_name": r.organisation,
            "service": r.service,
            "since": r.since,
            "transfer": r.transfer_id,
        }
        for r in rows
    ]
