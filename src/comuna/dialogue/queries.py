"""Reads of the dialogue with government, already scoped to the user.

Public bodies, their statistics and everything public are open to all. A private demand
(visibility `unit`) is seen by the members of the filing organisation and of the ones above
it (social oversight included), by the members of its co-signers and by the people of the
body it is addressed to; everybody else gets 404. Statistics count every filed demand,
public or private, as numbers only.

Lists own their select_related / only(), so the number of queries of a page does not grow
with the data; the statistics read the counters kept by the actions (a few rows per body)
and count only "overdue now" live, on the partial indexes of open demands.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from comuna.core import access
from comuna.core.models import Organisation, OrganisationKind, Visibility
from comuna.dialogue import stats
from comuna.dialogue.actions import (
    can_act_for_demand,
    can_manage_directory,
    can_record_response,
    can_update_commitment,
    higher_bodies,
)
from comuna.dialogue.models import (
    OPEN_STATUSES,
    BodyCorrection,
    BodyMonth,
    BodyStats,
    Commitment,
    CommitmentStatus,
    CompetenceTransfer,
    CorrectionStatus,
    Demand,
    DemandAttachment,
    DemandCosigner,
    DemandEvent,
    DemandStatus,
    DialogueTable,
    EventKind,
    Phase,
    PublicBody,
    Service,
    ServiceManagement,
    TableParticipant,
    Topic,
    TransferDocument,
    TransferStep,
)
from comuna.engines.deadlines import DEFAULT_VERY_OVERDUE_AFTER_DAYS
from comuna.registry.models import CommunalCouncil, Commune

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

#: The states a list of demands can be filtered by: stored statuses and the derived ones.
STATE_FILTERS = (*DemandStatus.values, "overdue", "very_overdue", "open")
CHART_MONTHS = 24
RANKED_SHOWN = 20
STUCK_CACHE_SECONDS = 600
STUCK_FRESH_SECONDS = 60


def very_overdue_before(today: date) -> date:
    """Open demands due before this date are very overdue on `today`."""
    return today - timedelta(days=DEFAULT_VERY_OVERDUE_AFTER_DAYS)


# Public bodies ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BodyFilters:
    q: str = ""
    level: str = ""
    body_type: str = ""
    state: str = ""  # ISO code, e.g. VE-K


def bodies(filters: BodyFilters) -> QuerySet[PublicBody]:
    qs = (
        PublicBody.objects.filter(archived_at__isnull=True)
        .select_related("stats", "state", "parent")
        .only(
            "pk",
            "name",
            "slug",
            "acronym",
            "level",
            "body_type",
            "response_days",
            "parent_id",
            "parent__name",
            "parent__slug",
            "state__name",
            "state__code",
            "stats__received",
            "stats__pending",
            "stats__answered",
            "stats__median_days",
        )
    )
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(acronym__icontains=filters.q))
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.body_type:
        qs = qs.filter(body_type=filters.body_type)
    if filters.state:
        qs = qs.filter(state__code=filters.state)
    return qs.order_by("name", "pk")


def body_get(*, slug: str) -> PublicBody:
    return get_object_or_404(
        PublicBody.objects.select_related("state", "parent", "stats").defer("state__outline"),
        slug=slug,
    )


@dataclass(frozen=True)
class BodyBrief:
    """What a body's page needs when its content comes from the cache."""

    pk: int
    name: str
    slug: str


def body_brief(*, slug: str) -> BodyBrief:
    row = PublicBody.objects.filter(slug=slug).values_list("pk", "name", "slug").first()
    if row is None:
        raise Http404
    return BodyBrief(*row)


def body_children(body: PublicBody) -> QuerySet[PublicBody]:
    return PublicBody.objects.filter(parent_id=body.pk, archived_at__isnull=True).only(
        "pk", "name", "slug", "acronym"
    )


def body_choices() -> list[tuple[int, str]]:
    """(id, label) of every body, for the forms' select boxes."""
    rows = PublicBody.objects.filter(archived_at__isnull=True).order_by("name")
    return [
        (pk, f"{name} ({acronym})" if acronym else name)
        for pk, name, acronym in rows.values_list("pk", "name", "acronym")
    ]


def counters_of(row: BodyStats | None) -> stats.Counters:
    if row is None:
        return stats.Counters()
    return stats.Counters(
        received=row.received,
        pending=row.pending,
        answered=row.answered,
        answered_late=row.answered_late,
        closed_late=row.closed_late,
        escalated=row.escalated,
        withdrawn=row.withdrawn,
        resolved=row.resolved,
        median_days=row.median_days,
    )


def overdue_counts(today: date, body_id: int | None = None) -> dict[int, tuple[int, int]]:
    """body id -> (overdue now, very overdue now), counted on the open demands only."""
    qs = Demand.objects.filter(waiting=True, due_on__lt=today)
    if body_id is not None:
        qs = qs.filter(body_id=body_id)
    rows = (
        qs.order_by()
        .values_list("body_id")
        .annotate(
            n=Count("*"),
            very=Count("due_on", filter=Q(due_on__lt=very_overdue_before(today))),
        )
    )
    return {pk: (n, very) for pk, n, very in rows}


@dataclass(frozen=True)
class OverdueGroup:
    body_id: int
    topic: str
    status: str
    overdue: int
    very_overdue: int


def overdue_groups(today: date) -> list[OverdueGroup]:
    """Open demands past their due date now, counted by body, topic and status in one pass
    over the partial index of open demands (counting `*` and `due_on`, not the id: the index
    holds every column read, so PostgreSQL answers from it alone)."""
    rows = (
        Demand.objects.filter(waiting=True, due_on__lt=today)
        .order_by()
        .values_list("body_id", "topic", "status")
        .annotate(
            n=Count("*"), very=Count("due_on", filter=Q(due_on__lt=very_overdue_before(today)))
        )
    )
    return [OverdueGroup(*row) for row in rows]


def body_figures(body: PublicBody, today: date) -> stats.Figures:
    row = BodyStats.objects.filter(body_id=body.pk).first()
    overdue, very = overdue_counts(today, body.pk).get(body.pk, (0, 0))
    return stats.Figures(counters=counters_of(row), overdue=overdue, very_overdue=very)


@dataclass(frozen=True)
class MonthRow:
    month: date
    received: int
    answered: int
    answered_late: int

    @property
    def on_time(self) -> int:
        return self.answered - self.answered_late

    @property
    def unanswered(self) -> int:
        return self.received - self.answered


def _month_start(today: date, months: int) -> date:
    year, month = today.year, today.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def _fill_months(rows: dict[date, MonthRow], today: date, months: int) -> list[MonthRow]:
    out: list[MonthRow] = []
    current = _month_start(today, months)
    for _n in range(months):
        out.append(rows.get(current, MonthRow(current, 0, 0, 0)))
        current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
    return out


def body_months(body: PublicBody, today: date, months: int = CHART_MONTHS) -> list[MonthRow]:
    start = _month_start(today, months)
    rows = BodyMonth.objects.filter(body_id=body.pk, month__gte=start).values_list(
        "month", "received", "answered", "answered_late"
    )
    return _fill_months({m: MonthRow(m, r, a, late) for m, r, a, late in rows}, today, months)


def network_months(today: date, months: int = CHART_MONTHS) -> list[MonthRow]:
    start = _month_start(today, months)
    rows = (
        BodyMonth.objects.filter(month__gte=start)
        .order_by()
        .values_list("month")
        .annotate(r=Sum("received"), a=Sum("answered"), late=Sum("answered_late"))
    )
    return _fill_months(
        {m: MonthRow(m, r or 0, a or 0, late or 0) for m, r, a, late in rows}, today, months
    )


@dataclass(frozen=True)
class BodyRow:
    pk: int
    slug: str
    name: str
    acronym: str
    level: str
    figures: stats.Figures

    @property
    def label(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


@dataclass(frozen=True)
class TopicRow:
    topic: str
    overdue: int
    very_overdue: int

    @property
    def label(self) -> str:
        return str(dict(Topic.choices).get(self.topic, self.topic))


@dataclass
class StuckReport:
    """Where demands get stuck, network-wide, on one day."""

    today: date
    totals: stats.Figures
    ranked: list[BodyRow]
    ranked_total: int
    unranked: int
    most_overdue: list[BodyRow]
    by_topic: list[TopicRow]
    never_acknowledged: int  # overdue without even an acknowledgement
    acknowledged_only: int  # acknowledged, then overdue without an answer
    months: list[MonthRow] = field(default_factory=list)


def body_rows(today: date, groups: Sequence[OverdueGroup] | None = None) -> list[BodyRow]:
    """Every body that has received demands, with its figures (two queries, or one when
    the overdue groups are given)."""
    late_now: dict[int, tuple[int, int]] = {}
    for g in overdue_groups(today) if groups is None else groups:
        n, very = late_now.get(g.body_id, (0, 0))
        late_now[g.body_id] = (n + g.overdue, very + g.very_overdue)
    rows = (
        BodyStats.objects.filter(received__gt=0)
        .select_related("body")
        .only(
            "received",
            "pending",
            "answered",
            "answered_late",
            "closed_late",
            "escalated",
            "withdrawn",
            "resolved",
            "median_days",
            "body__name",
            "body__slug",
            "body__acronym",
            "body__level",
        )
        .order_by("body__name", "body_id")
    )
    out = []
    for row in rows:
        overdue, very = late_now.get(row.body_id, (0, 0))
        out.append(
            BodyRow(
                pk=row.body_id,
                slug=row.body.slug,
                name=row.body.name,
                acronym=row.body.acronym,
                level=row.body.level,
                figures=stats.Figures(
                    counters=counters_of(row), overdue=overdue, very_overdue=very
                ),
            )
        )
    return out


def ranking(rows: Sequence[BodyRow]) -> list[BodyRow]:
    """Bodies with enough settled demands, the latest first: by the lower bound of the
    Wilson interval of their late share, then by the share, then by name."""
    ranked = [r for r in rows if r.figures.ranked]
    ranked.sort(
        key=lambda r: (-r.figures.interval[0], -(r.figures.late_share or 0.0), r.name, r.pk)
    )
    return ranked


def stuck_report(today: date) -> StuckReport:
    groups = overdue_groups(today)
    rows = body_rows(today, groups)
    ranked = ranking(rows)
    totals = stats.Counters(
        received=sum(r.figures.counters.received for r in rows),
        pending=sum(r.figures.counters.pending for r in rows),
        answered=sum(r.figures.counters.answered for r in rows),
        answered_late=sum(r.figures.counters.answered_late for r in rows),
        closed_late=sum(r.figures.counters.closed_late for r in rows),
        escalated=sum(r.figures.counters.escalated for r in rows),
        withdrawn=sum(r.figures.counters.withdrawn for r in rows),
        resolved=sum(r.figures.counters.resolved for r in rows),
    )
    topics: dict[str, list[int]] = {}
    never = acknowledged = 0
    for g in groups:
        counts = topics.setdefault(g.topic, [0, 0])
        counts[0] += g.overdue
        counts[1] += g.very_overdue
        if g.status == DemandStatus.FILED:
            never += g.overdue
        else:
            acknowledged += g.overdue
    by_topic = sorted(
        (TopicRow(t, n, v) for t, (n, v) in topics.items()), key=lambda r: (-r.overdue, r.topic)
    )
    overdue_total = sum(r.figures.overdue for r in rows)
    very_total = sum(r.figures.very_overdue for r in rows)
    most_overdue = sorted(
        (r for r in rows if r.figures.overdue),
        key=lambda r: (-r.figures.very_overdue, -r.figures.overdue, r.name),
    )[:10]
    return StuckReport(
        today=today,
        totals=stats.Figures(counters=totals, overdue=overdue_total, very_overdue=very_total),
        ranked=ranked[:RANKED_SHOWN],
        ranked_total=len(ranked),
        unranked=len(rows) - len(ranked),
        most_overdue=most_overdue,
        by_topic=by_topic,
        never_acknowledged=never,
        acknowledged_only=acknowledged,
        months=network_months(today),
    )


def stuck_version(today: date) -> str:
    """Changes when any body's counters change, and every day (one indexed read, kept for
    the rest of the request)."""
    store = access.request_store()
    if store is not None and "dialogue_stuck_version" in store:
        return str(store["dialogue_stuck_version"])
    stamp = BodyStats.objects.aggregate(latest=Max("updated_at"))["latest"]
    version = f"{today.isoformat()}:{stamp.isoformat() if stamp else '-'}"
    if store is not None:
        store["dialogue_stuck_version"] = version
    return version


def stuck_report_cached(today: date) -> StuckReport:
    """The report, kept in the cache until any body's counters change or the day does.

    Under many writes it is computed at most once every STUCK_FRESH_SECONDS in a process: a
    report of the same day younger than that is served even if a counter moved since (the
    network-wide figures may lag by that much; a body's own page never does)."""
    version = stuck_version(today)
    key = f"dialogue:stuck-report:{version}"
    report: StuckReport | None = cache.get(key)
    if report is not None:
        return report
    latest: tuple[str, float, StuckReport] | None = cache.get("dialogue:stuck-latest")
    now = time.monotonic()
    if latest is not None:
        day, computed, previous = latest
        if day == today.isoformat() and now - computed < STUCK_FRESH_SECONDS:
            return previous
    report = stuck_report(today)
    cache.set(key, report, STUCK_CACHE_SECONDS)
    cache.set("dialogue:stuck-latest", (today.isoformat(), now, report), STUCK_CACHE_SECONDS)
    return report


def corrections_pending() -> QuerySet[BodyCorrection]:
    return (
        BodyCorrection.objects.filter(status=CorrectionStatus.PENDING)
        .select_related("body", "proposed_by")
        .order_by("created_at", "pk")
    )


def correction_get(*, user: AnyUser | None, pk: int) -> BodyCorrection:
    if not can_manage_directory(user):
        raise Http404
    return get_object_or_404(BodyCorrection.objects.select_related("body"), pk=pk)


# Demands ------------------------------------------------------------------------------------------


def demand_visibility(user: AnyUser | None) -> Q:
    """The demands the user may see: by their visibility and owner, and private ones the
    user reaches as a member of a co-signer or of the body addressed."""
    viewer = access.viewer_for(user)
    if viewer.is_staff:
        return Q()
    allowed = access.visibility_filter(viewer)
    if viewer.in_network:
        signed = DemandCosigner.objects.filter(access.below("organisation", viewer.direct))
        allowed |= Q(pk__in=signed.values("demand_id"))
        allowed |= access.below("body", viewer.direct)
    return allowed


def demand_visible_to(user: AnyUser | None, demand: Demand) -> bool:
    if access.can_see(user, visibility=demand.visibility, owner_id=demand.owner_id):
        return True
    viewer = access.viewer_for(user)
    if not viewer.in_network:
        return False
    if viewer.roles_for(demand.body_id):
        return True
    signers = DemandCosigner.objects.filter(demand_id=demand.pk).values_list(
        "organisation_id", flat=True
    )
    return any(viewer.roles_for(org_id) for org_id in signers)


@dataclass(frozen=True)
class DemandFilters:
    state: str = ""
    body: str = ""  # slug
    organisation: str = ""  # slug: filed or co-signed by
    topic: str = ""
    q: str = ""


LIST_FIELDS = (
    "pk",
    "title",
    "topic",
    "status",
    "waiting",
    "visibility",
    "filed_on",
    "due_on",
    "answered_on",
    "owner_id",
    "body_id",
)


def with_names(qs: QuerySet[Demand]) -> QuerySet[Demand]:
    """The owners and bodies of a list of demands, read by id in two more queries.

    Not a join: with a join SQLite may start from the small table of bodies and read every
    demand of each, ignoring the ORDER BY ... LIMIT of a page; with separate reads each
    query follows its own index."""
    return qs.prefetch_related(
        Prefetch("owner", queryset=Organisation.objects.only("pk", "name", "slug", "kind")),
        Prefetch("body", queryset=PublicBody.objects.only("pk", "name", "slug", "acronym")),
    )


def demands(user: AnyUser | None, filters: DemandFilters, today: date) -> QuerySet[Demand]:
    """Demands the user may see, newest filing first (drafts only for those who write them)."""
    qs = with_names(Demand.objects.filter(demand_visibility(user)))
    viewer = access.viewer_for(user)
    if not viewer.is_staff:
        writers = viewer.organisations_with(access.CHANGE_ROLES)
        qs = qs.filter(Q(filed_on__isnull=False) | access.below("owner", writers))
    if filters.body:
        # The id first: filtering on a plain value lets PostgreSQL read the (body, visibility,
        # filed_on) index in order and stop after one page.
        body_id = PublicBody.objects.filter(slug=filters.body).values_list("pk", flat=True).first()
        qs = qs.filter(body_id=body_id) if body_id is not None else qs.none()
    if filters.organisation:
        org = Organisation.objects.filter(slug=filters.organisation).first()
        qs = qs.filter(pk__in=organisation_demand_ids(org) if org is not None else [])
    if filters.topic:
        qs = qs.filter(topic=filters.topic)
    if filters.q:
        qs = qs.filter(title__icontains=filters.q)
    qs = filter_state(qs, filters.state, today)
    return qs.only(*LIST_FIELDS).order_by("-filed_on", "-pk")


def filter_state(qs: QuerySet[Demand], state: str, today: date) -> QuerySet[Demand]:
    """Stored statuses filter as stored, except that `filed` and `acknowledged` keep only
    those still on time; overdue and very_overdue are derived from the due date by date."""
    very_before = very_overdue_before(today)
    if state == "open":
        return qs.filter(waiting=True)
    if state == "overdue":
        return qs.filter(waiting=True, due_on__lt=today, due_on__gte=very_before)
    if state == "very_overdue":
        return qs.filter(waiting=True, due_on__lt=very_before)
    if state in OPEN_STATUSES:
        return qs.filter(status=state, due_on__gte=today)
    if state in DemandStatus.values:
        return qs.filter(status=state)
    return qs


def demands_by_ids(user: AnyUser | None, ids: Sequence[int]) -> list[Demand]:
    """The demands among `ids` that the user may see, in one query."""
    return list(Demand.objects.filter(demand_visibility(user), pk__in=list(ids)).order_by("pk"))


def demand_get(*, user: AnyUser | None, pk: int) -> Demand:
    demand = get_object_or_404(
        Demand.objects.select_related("owner", "body", "escalated_from__body"), pk=pk
    )
    if not demand_visible_to(user, demand):
        raise Http404
    if demand.status == DemandStatus.DRAFT and not can_act_for_demand(user, demand):
        raise Http404
    return demand


@dataclass(frozen=True)
class DemandPermissions:
    act: bool  # file, escalate, withdraw, resolve, edit a draft
    respond: bool  # record the acknowledgement and the answer, attach documents
    sign_for: list[Organisation]  # organisations the user may still sign for
    add_movement: bool
    escalate_to: list[PublicBody]


def demand_permissions(user: AnyUser | None, demand: Demand) -> DemandPermissions:
    act = can_act_for_demand(user, demand)
    viewer = access.viewer_for(user)
    signed = set(
        DemandCosigner.objects.filter(demand=demand).values_list("organisation_id", flat=True)
    )
    closed = demand.status in {
        DemandStatus.RESOLVED,
        DemandStatus.WITHDRAWN,
        DemandStatus.ESCALATED,
    }
    candidates = [
        pk
        for pk in viewer.organisations_with(access.CHANGE_ROLES)
        if pk != demand.owner_id and pk not in signed
    ]
    sign_for = (
        []
        if closed or not candidates
        else list(
            Organisation.objects.filter(pk__in=candidates)
            .exclude(kind__in=[OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK])
            .order_by("name")
        )
    )
    escalate = act and demand.status in (*OPEN_STATUSES, DemandStatus.ANSWERED)
    return DemandPermissions(
        act=act,
        respond=can_record_response(user, demand),
        sign_for=sign_for,
        add_movement=act and not closed,
        escalate_to=higher_bodies(demand.body) if escalate else [],
    )


def timeline(demand: Demand) -> QuerySet[DemandEvent]:
    return (
        DemandEvent.objects.filter(demand=demand)
        .select_related("organisation")
        .only(
            "pk", "kind", "on", "at", "text", "details", "organisation__name", "organisation__slug"
        )
    )


def signatures(demand: Demand) -> QuerySet[DemandCosigner]:
    return DemandCosigner.objects.filter(demand=demand).select_related("organisation")


def attachments(demand: Demand) -> QuerySet[DemandAttachment]:
    return DemandAttachment.objects.filter(demand=demand)


def attachment_get(*, user: AnyUser | None, pk: int) -> DemandAttachment:
    attachment = get_object_or_404(DemandAttachment.objects.select_related("demand"), pk=pk)
    demand_get(user=user, pk=attachment.demand_id)
    return attachment


def escalations(demand: Demand) -> QuerySet[Demand]:
    return with_names(Demand.objects.filter(escalated_from=demand))


def writable_owners(user: AnyUser | None) -> list[Organisation]:
    """Organisations the user may file demands for (directly held roles)."""
    viewer = access.viewer_for(user)
    if viewer.is_staff:
        qs = Organisation.objects.filter(
            kind__in=[OrganisationKind.COMMUNE, OrganisationKind.COUNCIL]
        )
    else:
        qs = Organisation.objects.filter(pk__in=viewer.organisations_with(access.CHANGE_ROLES))
    return list(
        qs.exclude(kind__in=[OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK]).order_by(
            "name"
        )[:200]
    )


# Dialogue tables ----------------------------------------------------------------------------------


def tables(user: AnyUser | None, organisation: str = "") -> QuerySet[DialogueTable]:
    qs = access.visible(DialogueTable.objects.all(), user).select_related("owner")
    if organisation:
        qs = qs.filter(owner__slug=organisation)
    return (
        qs.annotate(
            open_count=Count("commitments", filter=Q(commitments__status=CommitmentStatus.OPEN)),
            commitment_count=Count("commitments"),
        )
        .only(
            "pk", "title", "held_at", "place", "status", "visibility", "owner__name", "owner__slug"
        )
        .order_by("-held_at", "-pk")
    )


def table_get(*, user: AnyUser | None, pk: int) -> DialogueTable:
    table = get_object_or_404(DialogueTable.objects.select_related("owner"), pk=pk)
    access.require_visible(user, visibility=table.visibility, owner_id=table.owner_id)
    return table


def table_bodies(table: DialogueTable) -> QuerySet[PublicBody]:
    return table.bodies.only("pk", "name", "slug", "acronym").order_by("name")


def participants(table: DialogueTable) -> QuerySet[TableParticipant]:
    return TableParticipant.objects.filter(table=table).select_related("organisation")


def commitments_of(table: DialogueTable) -> QuerySet[Commitment]:
    """The table's commitments, with their table (who may follow one up depends on it)."""
    return Commitment.objects.filter(table=table).select_related("table", "responsible")


def commitment_get(*, user: AnyUser | None, pk: int) -> Commitment:
    commitment = get_object_or_404(
        Commitment.objects.select_related("table__owner", "responsible"), pk=pk
    )
    table = commitment.table
    access.require_visible(user, visibility=table.visibility, owner_id=table.owner_id)
    return commitment


def commitment_changeable(user: AnyUser | None, commitment: Commitment) -> bool:
    return can_update_commitment(user, commitment)


def open_commitments_for(
    organisation: Organisation, user: AnyUser | None = None, limit: int = 20
) -> list[Commitment]:
    """Open commitments of the tables an organisation convened or is responsible in (the
    ones with government on a commune's page), soonest due first; only what `user` sees."""
    tables_seen = access.visible(DialogueTable.objects.all(), user)
    return list(
        Commitment.objects.filter(status=CommitmentStatus.OPEN)
        .filter(Q(table__owner_id=organisation.pk) | Q(responsible_id=organisation.pk))
        .filter(table__in=tables_seen.values("pk"))
        .select_related("table", "responsible")
        .only(
            "pk",
            "what",
            "due_on",
            "status",
            "done_on",
            "table__id",
            "table__title",
            "responsible__name",
            "responsible__slug",
            "responsible__kind",
        )
        .order_by("due_on", "pk")[:limit]
    )


def upcoming_commitments(user: AnyUser | None, limit: int = 50) -> QuerySet[Commitment]:
    tables_seen = access.visible(DialogueTable.objects.all(), user)
    return (
        Commitment.objects.filter(status=CommitmentStatus.OPEN, table__in=tables_seen.values("pk"))
        .select_related("table", "responsible")
        .order_by("due_on", "pk")[:limit]
    )


# Transfers of competences -------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferFilters:
    phase: str = ""
    service: str = ""
    organisation: str = ""


def transfers(user: AnyUser | None, filters: TransferFilters) -> QuerySet[CompetenceTransfer]:
    qs = access.visible(CompetenceTransfer.objects.all(), user).select_related("owner", "from_body")
    if filters.phase:
        qs = qs.filter(phase=filters.phase)
    if filters.service:
        qs = qs.filter(service=filters.service)
    if filters.organisation:
        qs = qs.filter(owner__slug=filters.organisation)
    return qs.only(
        "pk",
        "title",
        "kind",
        "service",
        "phase",
        "started_on",
        "completed_on",
        "visibility",
        "owner__name",
        "owner__slug",
        "from_body__name",
        "from_body__slug",
        "from_body__acronym",
    ).order_by("-started_on", "-pk")


def transfer_get(*, user: AnyUser | None, pk: int) -> CompetenceTransfer:
    transfer = get_object_or_404(
        CompetenceTransfer.objects.select_related("owner", "from_body"), pk=pk
    )
    access.require_visible(user, visibility=transfer.visibility, owner_id=transfer.owner_id)
    return transfer


def transfer_steps(transfer: CompetenceTransfer) -> QuerySet[TransferStep]:
    return TransferStep.objects.filter(transfer=transfer)


def transfer_documents(transfer: CompetenceTransfer) -> QuerySet[TransferDocument]:
    return TransferDocument.objects.filter(transfer=transfer)


def transfer_demands(user: AnyUser | None, transfer: CompetenceTransfer) -> QuerySet[Demand]:
    return with_names(
        transfer.demands.filter(demand_visibility(user))
        .exclude(status=DemandStatus.DRAFT)
        .only("pk", "title", "status", "due_on", "filed_on", "body_id", "owner_id")
    )


def demand_transfers(user: AnyUser | None, demand: Demand) -> QuerySet[CompetenceTransfer]:
    """The transfers a demand is linked to that the user may see."""
    return access.visible(demand.transfers.all(), user).only("pk", "title").order_by("pk")


def document_get(*, user: AnyUser | None, pk: int) -> TransferDocument:
    document = get_object_or_404(TransferDocument.objects.select_related("transfer"), pk=pk)
    transfer = document.transfer
    access.require_visible(user, visibility=transfer.visibility, owner_id=transfer.owner_id)
    return document


@dataclass(frozen=True)
class ManagedService:
    organisation_id: int
    organisation: str
    slug: str
    kind: str
    service: str
    service_label: str
    since: date
    transfer_id: int | None


def services_managed_by(organisation: Organisation) -> list[ManagedService]:
    """The public services the organisation runs now (completed transfers): the contract
    the public-services module reads."""
    return _managed(ServiceManagement.objects.filter(organisation_id=organisation.pk))


def managed_services() -> list[ManagedService]:
    """Every service run by an organisation of the network now, by organisation."""
    return _managed(ServiceManagement.objects.all())


def _managed(qs: QuerySet[ServiceManagement]) -> list[ManagedService]:
    labels = dict(Service.choices)
    rows = (
        qs.filter(ended_on__isnull=True)
        .order_by("organisation__name", "service")
        .values_list(
            "organisation_id",
            "organisation__name",
            "organisation__slug",
            "organisation__kind",
            "service",
            "since",
            "transfer_id",
        )
    )
    return [
        ManagedService(o, name, slug, kind, service, str(labels.get(service, service)), since, t)
        for o, name, slug, kind, service, since, t in rows
    ]


def places_of(organisation_ids: list[int]) -> dict[int, tuple[float | None, float | None]]:
    """(lon, lat) of the communes and councils among `organisation_ids` that have a point."""
    found: dict[int, tuple[float | None, float | None]] = {}
    for model in (Commune, CommunalCouncil):
        rows = model.objects.filter(pk__in=organisation_ids, lon__isnull=False)
        found.update({pk: (lon, lat) for pk, lon, lat in rows.values_list("pk", "lon", "lat")})
    return found


def transfers_in_progress_count() -> int:
    return (
        CompetenceTransfer.objects.filter(visibility=Visibility.PUBLIC)
        .exclude(phase__in=[Phase.COMPLETED, Phase.CANCELLED])
        .count()
    )


# Organisations, feeds and calendars ---------------------------------------------------------------


def organisation_get(*, slug: str) -> Organisation:
    return get_object_or_404(Organisation.objects.defer("description"), slug=slug)


FEED_EVENTS = [
    EventKind.FILED,
    EventKind.RECEIVED,
    EventKind.COSIGNED,
    EventKind.ACKNOWLEDGED,
    EventKind.ANSWERED,
    EventKind.RESOLVED,
    EventKind.ESCALATED,
    EventKind.WITHDRAWN,
]


def public_events(
    *, body: PublicBody | None = None, organisation: Organisation | None = None, limit: int = 30
) -> list[DemandEvent]:
    """The latest public updates of public demands to a body, or filed or co-signed by an
    organisation (for Atom feeds and pages)."""
    qs = DemandEvent.objects.filter(public=True, kind__in=FEED_EVENTS).prefetch_related(
        Prefetch(
            "demand",
            queryset=with_names(Demand.objects.only("pk", "title", "text", "body_id", "owner_id")),
        ),
        Prefetch("organisation", queryset=Organisation.objects.only("pk", "name", "slug")),
    )
    if body is not None:
        qs = qs.filter(body_id=body.pk)
    if organisation is not None:
        qs = qs.filter(demand_id__in=organisation_demand_ids(organisation, public_only=True))
    return list(qs.order_by("-at", "-pk")[:limit])


def organisation_demand_ids(organisation: Organisation, *, public_only: bool = False) -> list[int]:
    """Ids of the demands an organisation filed or co-signed (two indexed reads)."""
    owned = Demand.objects.filter(owner_id=organisation.pk)
    signed = DemandCosigner.objects.filter(organisation_id=organisation.pk)
    if public_only:
        owned = owned.filter(visibility=Visibility.PUBLIC)
        signed = signed.filter(demand__visibility=Visibility.PUBLIC)
    ids = set(owned.values_list("pk", flat=True))
    ids.update(signed.values_list("demand_id", flat=True))
    return sorted(ids)


def public_transfer_steps(organisation: Organisation, limit: int = 30) -> list[TransferStep]:
    return list(
        TransferStep.objects.filter(
            transfer__owner_id=organisation.pk, transfer__visibility=Visibility.PUBLIC
        )
        .select_related("transfer__from_body")
        .order_by("-at", "-pk")[:limit]
    )


def calendar_demands(
    *, body: PublicBody | None = None, organisation: Organisation | None = None
) -> QuerySet[Demand]:
    """Public demands waiting for an answer (their due dates go into the calendar)."""
    qs = Demand.objects.filter(visibility=Visibility.PUBLIC, waiting=True)
    if body is not None:
        qs = qs.filter(body_id=body.pk)
    if organisation is not None:
        qs = qs.filter(pk__in=organisation_demand_ids(organisation, public_only=True))
    return with_names(qs).order_by("due_on", "pk")[:500]


def calendar_tables(
    *, body: PublicBody | None = None, organisation: Organisation | None = None
) -> list[DialogueTable]:
    qs = DialogueTable.objects.filter(visibility=Visibility.PUBLIC)
    if body is not None:
        qs = qs.filter(bodies=body)
    if organisation is not None:
        qs = qs.filter(owner_id=organisation.pk)
    commitments = Commitment.objects.select_related("responsible").order_by("due_on", "pk")
    return list(
        qs.prefetch_related(Prefetch("commitments", queryset=commitments)).order_by(
            "-held_at", "-pk"
        )[:200]
    )


def organisation_summary(user: AnyUser | None, organisation: Organisation, today: date) -> Any:
    """What the organisation's dialogue page shows: its demands (visible ones), open
    commitments, transfers and the services it runs."""
    return {
        "demands": demands(user, DemandFilters(organisation=organisation.slug), today)[:25],
        "commitments": open_commitments_for(organisation, user),
        "transfers": list(transfers(user, TransferFilters(organisation=organisation.slug))[:25]),
        "services": services_managed_by(organisation),
    }
