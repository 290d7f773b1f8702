"""Reads of schedules and route plans, already scoped to the user.

A schedule's occurrences are expanded here from its weekly slots and its exceptions (a pure
function, `expand`), for the pages, the iCalendar feed, the API and the compliance figures.
`compliance_by_sector` is what the dashboards read (public schedules only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from comuna.core import access
from comuna.core.models import Organisation, OrganisationKind, Visibility
from comuna.public_services.models_operations import (
    Announcement,
    Outcome,
    PlannedRoute,
    RoutePlan,
    RouteStop,
    RouteVisit,
    Schedule,
    ScheduleException,
    ScheduleSlot,
    Sector,
    ServiceKind,
    SlotReport,
    Vehicle,
)

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

#: How far back the compliance shown on a sector's page reaches.
COMPLIANCE_WEEKS = 8


# Occurrences ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One planned occurrence of a schedule on a day (local times). `changed` when an
    exception set its hours; `cancelled` when an exception cancelled it."""

    schedule_id: int
    day: date
    start: time
    end: time
    changed: bool = False
    cancelled: bool = False
    reason: str = ""

    @property
    def key(self) -> tuple[int, date, time]:
        return (self.schedule_id, self.day, self.start)

    def starts_at(self) -> datetime:
        return datetime.combine(self.day, self.start, tzinfo=timezone.get_current_timezone())

    def ends_at(self) -> datetime:
        return datetime.combine(self.day, self.end, tzinfo=timezone.get_current_timezone())


def expand(
    schedule: Schedule,
    slots: Sequence[ScheduleSlot],
    exceptions: Iterable[ScheduleException],
    first: date,
    last: date,
) -> list[Occurrence]:
    """The occurrences of `schedule` from `first` to `last` (both included), by time: the
    weekly slots, except on days with an exception (cancelled: the day's slots are listed as
    cancelled; other hours: one occurrence at those hours)."""
    begin = max(first, schedule.valid_from)
    end = min(last, schedule.valid_to) if schedule.valid_to else last
    by_weekday: dict[int, list[ScheduleSlot]] = defaultdict(list)
    for slot in slots:
        by_weekday[slot.weekday].append(slot)
    by_day = {e.day: e for e in exceptions}
    out: list[Occurrence] = []
    day = begin
    while day <= end:
        regular = sorted(by_weekday.get(day.weekday(), []), key=lambda s: s.start)
        exception = by_day.get(day)
        if exception is None:
            out.extend(Occurrence(schedule.pk, day, s.start, s.end) for s in regular)
        elif exception.cancelled:
            out.extend(
                Occurrence(
                    schedule.pk, day, s.start, s.end, cancelled=True, reason=exception.reason
                )
                for s in regular
            )
        elif exception.start is not None and exception.end is not None:
            out.append(
                Occurrence(
                    schedule.pk,
                    day,
                    exception.start,
                    exception.end,
                    changed=True,
                    reason=exception.reason,
                )
            )
        day += timedelta(days=1)
    return out


def _past(occurrence: Occurrence, now: datetime) -> bool:
    return occurrence.ends_at() <= now


def planned_between(
    schedule: Schedule, first: date, last: date, now: datetime | None = None
) -> list[Occurrence]:
    """Occurrences that were due (not cancelled) from `first` and have ended by `now`.
    Uses the prefetched slots and exceptions when present."""
    moment = now or timezone.now()
    return [
        o
        for o in expand(
            schedule, list(schedule.slots.all()), schedule.exceptions.all(), first, last
        )
        if not o.cancelled and _past(o, moment)
    ]


def planned_count(
    schedule: Schedule,
    slots: Sequence[ScheduleSlot],
    exceptions: Iterable[ScheduleException],
    first: date,
    last: date,
    now: datetime,
) -> int:
    """How many occurrences were due from `first` to `last` and have ended by `now`: the
    same number as `len(planned_between(...))`, counted by arithmetic on the weekdays (plus
    the exceptions) instead of day by day, so that national figures stay cheap."""
    begin = max(first, schedule.valid_from)
    end = min(last, schedule.valid_to) if schedule.valid_to else last
    if begin > end:
        return 0
    today = now.astimezone(timezone.get_current_timezone()).date()
    per_weekday: dict[int, int] = defaultdict(int)
    for slot in slots:
        per_weekday[slot.weekday] += 1
    exceptions = list(exceptions)
    total = 0
    whole_end = min(end, today - timedelta(days=1))
    if begin <= whole_end:
        weeks, rest = divmod((whole_end - begin).days + 1, 7)
        for weekday, count in per_weekday.items():
            total += count * (weeks + (1 if (weekday - begin.weekday()) % 7 < rest else 0))
        for exception in exceptions:
            if begin <= exception.day <= whole_end:
                total -= per_weekday.get(exception.day.weekday(), 0)
                total += 0 if exception.cancelled else 1
    if begin <= today <= end:
        total += sum(
            1
            for o in expand(schedule, slots, exceptions, today, today)
            if not o.cancelled and _past(o, now)
        )
    return total


# Compliance -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectorCompliance:
    """How well one service's plan was kept in one sector since a day.

    `planned`: occurrences due (not cancelled) that have already ended; `kept`, `partial`,
    `not_kept`: what spokespeople reported for them; `unreported` = planned minus reported.
    `share_kept` = kept / planned (None when nothing was planned): occurrences nobody
    reported count as not known to be kept."""

    sector_id: int
    sector_name: str
    commune_id: int
    commune_name: str
    service: str
    planned: int
    kept: int
    partial: int
    not_kept: int
    unreported: int
    share_kept: float | None

    @property
    def reported(self) -> int:
        return self.kept + self.partial + self.not_kept

    @property
    def service_label(self) -> str:
        return str(ServiceKind(self.service).label)


def _schedules_with_parts(qs: QuerySet[Schedule], since: date) -> QuerySet[Schedule]:
    return qs.select_related("sector", "owner").prefetch_related(
        Prefetch("slots", queryset=ScheduleSlot.objects.order_by("weekday", "start")),
        Prefetch("exceptions", queryset=ScheduleException.objects.filter(day__gte=since)),
    )


def _compliance(
    schedules: Sequence[Schedule], since: date, today: date, now: datetime
) -> list[SectorCompliance]:
    ids = [s.pk for s in schedules]
    counts: dict[tuple[int, str], int] = {}
    reported_rows = (
        SlotReport.objects.filter(schedule_id__in=ids, day__gte=since, day__lte=today)
        .values_list("schedule_id", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for schedule_id, outcome, n in reported_rows:
        counts[(schedule_id, outcome)] = n
    totals: dict[tuple[int, str], dict[str, Any]] = {}
    for schedule in schedules:
        key = (schedule.sector_id, schedule.service)
        row = totals.setdefault(
            key,
            {
                "sector": schedule.sector,
                "planned": 0,
                Outcome.KEPT: 0,
                Outcome.PARTIAL: 0,
                Outcome.NOT_KEPT: 0,
            },
        )
        row["planned"] += planned_count(
            schedule, list(schedule.slots.all()), schedule.exceptions.all(), since, today, now
        )
        for outcome in Outcome.values:
            row[outcome] += counts.get((schedule.pk, outcome), 0)
    out: list[SectorCompliance] = []
    for (_sector_id, service), row in totals.items():
        sector: Sector = row["sector"]
        planned = row["planned"]
        kept, partial, not_kept = row[Outcome.KEPT], row[Outcome.PARTIAL], row[Outcome.NOT_KEPT]
        out.append(
            SectorCompliance(
                sector_id=sector.pk,
                sector_name=sector.name,
                commune_id=sector.owner_id,
                commune_name=sector.owner.name,
                service=service,
                planned=planned,
                kept=kept,
                partial=partial,
                not_kept=not_kept,
                unreported=max(0, planned - kept - partial - not_kept),
                share_kept=min(1.0, kept / planned) if planned else None,
            )
        )
    out.sort(key=lambda c: (c.commune_name, c.sector_name, c.service))
    return out


def compliance_by_sector(
    *, organisation_ids: list[int] | None, since: date
) -> list[SectorCompliance]:
    """Compliance of the public schedules of the sectors owned by `organisation_ids` (or by
    an organisation below one of them; every commune when None), from `since` to today.
    Four queries whatever the number of sectors."""
    today = timezone.localdate()
    qs = Schedule.objects.filter(
        archived_at__isnull=True,
        sector__archived_at__isnull=True,
        visibility=Visibility.PUBLIC,
        sector__visibility=Visibility.PUBLIC,
        valid_from__lte=today,
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=since))
    if organisation_ids is not None:
        qs = qs.filter(access.below("sector__owner", organisation_ids))
    schedules = list(_schedules_with_parts(qs.select_related("sector__owner"), since))
    return _compliance(schedules, since, today, timezone.now())


@dataclass(frozen=True)
class WeekCompliance:
    week: date  # the Monday
    planned: int
    kept: int
    partial: int
    not_kept: int


def weekly_compliance(
    schedule: Schedule, reports: Sequence[SlotReport], weeks: int, today: date
) -> list[WeekCompliance]:
    """Planned and reported occurrences per week (Monday first), oldest first, for a chart."""
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    planned = planned_between(schedule, first, today)
    out: list[WeekCompliance] = []
    for n in range(weeks):
        start = first + timedelta(weeks=n)
        stop = start + timedelta(days=7)
        in_week = [r for r in reports if start <= r.day < stop]
        out.append(
            WeekCompliance(
                week=start,
                planned=sum(1 for o in planned if start <= o.day < stop),
                kept=sum(1 for r in in_week if r.outcome == Outcome.KEPT),
                partial=sum(1 for r in in_week if r.outcome == Outcome.PARTIAL),
                not_kept=sum(1 for r in in_week if r.outcome == Outcome.NOT_KEPT),
            )
        )
    return out


# Sectors and schedules ------------------------------------------------------------------------


def commune_get(*, slug: str) -> Organisation:
    """A commune (or council or other organisation that may hold sectors) by short name."""
    found = Organisation.objects.filter(slug=slug, archived_at__isnull=True).first()
    if found is None or found.kind in {OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK}:
        raise Http404
    return found


def sectors_of(*, user: AnyUser | None, owner: Organisation) -> QuerySet[Sector]:
    return (
        access.visible(Sector.objects.filter(owner=owner, archived_at__isnull=True), user)
        .prefetch_related("councils")
        .order_by("name")
    )


def communes_with_sectors(*, user: AnyUser | None) -> QuerySet[Organisation]:
    """Organisations that publish at least one sector the user may see, by name."""
    sectors = access.visible(Sector.objects.filter(archived_at__isnull=True), user)
    return (
        Organisation.objects.filter(pk__in=sectors.values("owner_id"))
        .annotate(sector_count=Count("id"))
        .order_by("name")
    )


def communes_with_plans(*, user: AnyUser | None, limit: int = 50) -> list[Organisation]:
    """Organisations with route plans the user may see, or where the user may make them."""
    plans = access.visible(RoutePlan.objects.filter(archived_at__isnull=True), user)
    ids = set(plans.values_list("owner_id", flat=True).distinct()[:limit])
    viewer = access.viewer_for(user)
    ids |= viewer.organisations_with(access.CHANGE_ROLES)
    return list(
        Organisation.objects.filter(pk__in=ids, archived_at__isnull=True)
        .exclude(kind__in=[OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK])
        .order_by("name")[:limit]
    )


def sector_get(*, user: AnyUser | None, pk: int) -> Sector:
    sector = get_object_or_404(
        Sector.objects.select_related("owner"), pk=pk, archived_at__isnull=True
    )
    access.require_visible(user, visibility=sector.visibility, owner_id=sector.owner_id)
    return sector


def schedules_of(*, user: AnyUser | None, sector: Sector, since: date) -> list[Schedule]:
    """The sector's current schedules the user may see, with slots and exceptions from
    `since` prefetched."""
    today = timezone.localdate()
    qs = access.visible(
        Schedule.objects.filter(sector=sector, archived_at__isnull=True), user
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=min(since, today)))
    return list(_schedules_with_parts(qs, since).order_by("service", "title"))


def schedules_of_sectors(
    *, user: AnyUser | None, sectors: Sequence[Sector], since: date
) -> list[Schedule]:
    """The current schedules of several sectors (three queries whatever their number)."""
    if not sectors:
        return []
    today = timezone.localdate()
    qs = access.visible(
        Schedule.objects.filter(sector__in=list(sectors), archived_at__isnull=True), user
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=min(since, today)))
    return list(_schedules_with_parts(qs, since).order_by("service", "title"))


def schedule_get(*, user: AnyUser | None, pk: int) -> Schedule:
    schedule = get_object_or_404(
        Schedule.objects.select_related("sector", "owner"), pk=pk, archived_at__isnull=True
    )
    access.require_visible(user, visibility=schedule.visibility, owner_id=schedule.owner_id)
    access.require_visible(
        user, visibility=schedule.sector.visibility, owner_id=schedule.sector.owner_id
    )
    return schedule


def reports_since(*, schedules: Sequence[Schedule], since: date) -> list[SlotReport]:
    return list(
        SlotReport.objects.filter(schedule__in=schedules, day__gte=since).order_by("-day", "-start")
    )


def announcements_of(
    *, user: AnyUser | None, sector: Sector, limit: int = 10
) -> list[Announcement]:
    return list(
        access.visible(Announcement.objects.filter(sector=sector), user)
        .select_related("schedule")
        .order_by("-published_at", "-id")[:limit]
    )


def announcements_for_owner(
    *, user: AnyUser | None, owner: Organisation, limit: int = 20
) -> list[Announcement]:
    return list(
        access.visible(Announcement.objects.filter(owner=owner), user)
        .select_related("sector")
        .order_by("-published_at", "-id")[:limit]
    )


def councils_of(*, owner: Organisation) -> list[tuple[int, str, str]]:
    """(id, name, slug) of the councils below `owner` (a commune's councils), by name."""
    from comuna.registry.models import CommunalCouncil

    return list(
        CommunalCouncil.objects.filter(
            Q(commune_id=owner.pk) | Q(pk=owner.pk), archived_at__isnull=True
        )
        .order_by("name")
        .values_list("pk", "name", "slug")
    )


def council_places(*, council_ids: Iterable[int]) -> dict[int, tuple[float, float]]:
    """(lon, lat) of councils that have a point."""
    from comuna.registry.models import CommunalCouncil

    rows = CommunalCouncil.objects.filter(
        pk__in=list(council_ids), lon__isnull=False, lat__isnull=False
    ).values_list("pk", "lon", "lat")
    return {
        pk: (float(lon), float(lat)) for pk, lon, lat in rows if lon is not None and lat is not None
    }


def commune_place(*, owner: Organisation) -> tuple[float, float] | None:
    from comuna.registry.models import CommunalCouncil, Commune

    for model in (Commune, CommunalCouncil):
        row = model.objects.filter(pk=owner.pk).values_list("lon", "lat").first()
        if row and row[0] is not None and row[1] is not None:
            return (float(row[0]), float(row[1]))
    return None


@dataclass
class SectorPermissions:
    change: bool = False  # create and change sectors, schedules, announcements
    report: bool = False  # record what happened


def sector_permissions(user: AnyUser | None, sector: Sector) -> SectorPermissions:
    from comuna.public_services.actions_operations import can_report

    if user is None or not user.is_authenticated:
        return SectorPermissions()
    return SectorPermissions(
        change=access.can_change(user, owner_id=sector.owner_id),
        report=can_report(user, sector),
    )


# Route plans ----------------------------------------------------------------------------------


def vehicles_of(*, user: AnyUser | None, owner: Organisation) -> QuerySet[Vehicle]:
    return access.visible(
        Vehicle.objects.filter(owner=owner, archived_at__isnull=True), user
    ).order_by("name")


def plans_of(*, user: AnyUser | None, owner: Organisation) -> QuerySet[RoutePlan]:
    return (
        access.visible(RoutePlan.objects.filter(owner=owner, archived_at__isnull=True), user)
        .annotate(
            stop_count=Count("stops", distinct=True), route_count=Count("routes", distinct=True)
        )
        .order_by("-day", "-id")
    )


def plan_get(*, user: AnyUser | None, pk: int) -> RoutePlan:
    plan = get_object_or_404(
        RoutePlan.objects.select_related("owner"), pk=pk, archived_at__isnull=True
    )
    access.require_visible(user, visibility=plan.visibility, owner_id=plan.owner_id)
    return plan


def plan_stops(plan: RoutePlan) -> list[RouteStop]:
    return list(plan.stops.order_by("position"))


@dataclass
class RouteView:
    route: PlannedRoute
    visits: list[RouteVisit] = field(default_factory=list)


def plan_routes(plan: RoutePlan) -> list[RouteView]:
    """The plan's routes with their visits and stops (two queries)."""
    routes = list(plan.routes.select_related("vehicle").order_by("number"))
    visits = (
        RouteVisit.objects.filter(route__plan=plan)
        .select_related("stop")
        .order_by("route_id", "order")
    )
    by_route: dict[int, list[RouteVisit]] = defaultdict(list)
    for visit in visits:
        by_route[visit.route_id].append(visit)
    return [RouteView(route=r, visits=by_route.get(r.pk, [])) for r in routes]


def plan_progress_version(*, user: AnyUser | None, pk: int) -> tuple[int, str]:
    """(progress version, status) of a plan the user may see (404 otherwise): one small
    query for the polling, which must not load the whole plan."""
    row = (
        RoutePlan.objects.filter(pk=pk, archived_at__isnull=True)
        .values_list("visibility", "owner_id", "progress_version", "status")
        .first()
    )
    if row is None:
        raise Http404
    visibility, owner_id, version, status = row
    access.require_visible(user, visibility=visibility, owner_id=owner_id)
    return int(version), str(status)
