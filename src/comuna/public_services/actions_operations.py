"""Writes of schedules and route plans. Every action checks who may do it, validates the
domain rules (DomainError with a translated message naming the field), writes in one
transaction, records an AuditEvent and defers side effects (the solver task) to on_commit.

Who may do what:

- sectors, schedules, exceptions, announcements, vehicles and route plans: coordinators and
  spokespeople of the owning commune (or of an organisation above it);
- what actually happened to a planned occurrence: the same people, and the coordinators and
  spokespeople of a council of the sector.

A schedule that has started is not edited (its past would change, and with it the
compliance already shown): it is replaced from a day by a new one (`schedule_replace`),
which ends the old one the day before and announces the change.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comuna.core import access, audit
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import Organisation, OrganisationKind, Visibility
from comuna.core.validation import actor_id, clean_text, field_error
from comuna.engines import routing
from comuna.public_services.models_operations import (
    Announcement,
    CapacityUnit,
    Outcome,
    PlannedRoute,
    PlanPurpose,
    PlanStatus,
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
    VehicleKind,
    Weekday,
)
from comuna.public_services.queries_operations import expand

if TYPE_CHECKING:
    from comuna.core.access import AnyUser
    from comuna.registry.models import CommunalCouncil

#: Outcomes can be recorded for occurrences up to this many days back.
REPORT_WINDOW_DAYS = 60
#: The largest distance matrix accepted (depot and stops).
MAX_MATRIX = 501
MAX_MATRIX_BYTES = 4 * 1024 * 1024
MAX_STOPS = 500
#: How many row errors of a CSV are listed before "and N more".
MAX_ROW_ERRORS = 20
LITRES = {CapacityUnit.LITRE: Decimal(1), CapacityUnit.CUBIC_METRE: Decimal(1000)}
WEEKDAYS = range(7)


# Shared rules ---------------------------------------------------------------------------------


def _require_changer(actor: AnyUser | None, owner_id: int) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in first."))
    if not access.can_change(actor, owner_id=owner_id):
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of the commune may change its services.")
        )


def _visibility(value: str) -> str:
    if value not in {Visibility.PUBLIC, Visibility.NETWORK, Visibility.UNIT}:
        raise field_error("visibility", _("Not a valid choice: “%(value)s”.") % {"value": value})
    return value


def _check_owner(owner: Organisation) -> None:
    if owner.kind in {OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK}:
        raise field_error(
            "owner", _("Services are run by a commune, a council or another people's organisation.")
        )


def _check_slot(weekday: int, start: time, end: time, field_name: str = "slots") -> None:
    if weekday not in WEEKDAYS:
        raise field_error(
            field_name, _("The weekday must be a number from 0 (Monday) to 6 (Sunday).")
        )
    if not isinstance(start, time) or not isinstance(end, time) or end <= start:
        raise field_error(field_name, _("A slot must end after it starts, on the same day."))


def _check_area(area: dict[str, Any] | None) -> tuple[dict[str, Any] | None, tuple[float, ...]]:
    if not area:
        return None, ()
    from comuna.registry.geometry import check_territory

    try:
        territory = check_territory(area)
    except DomainError as err:
        raise field_error("area", err.message) from None
    return territory.geometry, territory.bbox


# Sectors --------------------------------------------------------------------------------------


def _check_councils(owner: Organisation, councils: Sequence[CommunalCouncil]) -> None:
    for council in councils:
        if council.pk != owner.pk and council.commune_id != owner.pk:
            raise field_error(
                "councils",
                _("“%(name)s” is not a council of %(owner)s.")
                % {"name": council.name, "owner": owner.name},
            )


@transaction.atomic
def sector_create(
    *,
    actor: AnyUser | None,
    owner: Organisation,
    name: str,
    description: str = "",
    councils: Sequence[CommunalCouncil] = (),
    area: dict[str, Any] | None = None,
    visibility: str = Visibility.PUBLIC,
) -> Sector:
    """A sector of the owner's territory: a set of its councils, a polygon, or both."""
    _require_changer(actor, owner.pk)
    _check_owner(owner)
    name = clean_text(name, "name", limit=120)
    if Sector.objects.filter(owner=owner, name=name).exists():
        raise field_error("name", _("There is already a sector with this name."), "duplicate")
    councils = list(councils)
    _check_councils(owner, councils)
    geometry, bbox = _check_area(area)
    if geometry is None and not councils:
        raise field_error("councils", _("Choose the councils of the sector, or draw its area."))
    sector = Sector.objects.create(
        owner=owner,
        visibility=_visibility(visibility),
        name=name,
        description=(description or "").strip(),
        area=geometry,
        **dict(zip(("min_lon", "min_lat", "max_lon", "max_lat"), bbox, strict=False)),
    )
    sector.councils.set(councils)
    audit.record(
        actor=actor,
        verb="sector.create",
        subject=sector,
        organisation=owner,
        details={"name": name, "councils": [c.pk for c in councils], "area": geometry is not None},
    )
    return sector


@transaction.atomic
def sector_update(
    *,
    actor: AnyUser | None,
    sector: Sector,
    name: str,
    description: str = "",
    councils: Sequence[CommunalCouncil] = (),
    area: dict[str, Any] | None = None,
) -> Sector:
    _require_changer(actor, sector.owner_id)
    owner = sector.owner
    name = clean_text(name, "name", limit=120)
    if Sector.objects.filter(owner=owner, name=name).exclude(pk=sector.pk).exists():
        raise field_error("name", _("There is already a sector with this name."), "duplicate")
    councils = list(councils)
    _check_councils(owner, councils)
    geometry, bbox = _check_area(area)
    if geometry is None and not councils:
        raise field_error("councils", _("Choose the councils of the sector, or draw its area."))
    sector.name = name
    sector.description = (description or "").strip()
    sector.area = geometry
    sector.min_lon, sector.min_lat, sector.max_lon, sector.max_lat = (
        bbox if bbox else (None, None, None, None)
    )
    sector.save()
    sector.councils.set(councils)
    audit.record(
        actor=actor,
        verb="sector.update",
        subject=sector,
        organisation=owner,
        details={"name": name, "councils": [c.pk for c in councils], "area": geometry is not None},
    )
    return sector


# Schedules ------------------------------------------------------------------------------------


def _clean_slots(slots: Iterable[tuple[int, time, time]]) -> list[tuple[int, time, time]]:
    clean = sorted({(int(w), s, e) for w, s, e in slots})
    if not clean:
        raise field_error("slots", _("Give at least one weekday and its hours."))
    for weekday, start, end in clean:
        _check_slot(weekday, start, end)
    for (w1, _s1, e1), (w2, s2, _e2) in itertools.pairwise(clean):
        if w1 == w2 and s2 < e1:
            raise field_error("slots", _("Two slots of the same weekday overlap."))
    return clean


@transaction.atomic
def schedule_create(
    *,
    actor: AnyUser | None,
    sector: Sector,
    service: str,
    title: str,
    slots: Iterable[tuple[int, time, time]],
    notes: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
    visibility: str | None = None,
) -> Schedule:
    """Publish the weekly slots of one service in a sector: `slots` are (weekday 0-6,
    start, end) in local time. For power cuts the slots are when the power is off."""
    _require_changer(actor, sector.owner_id)
    if service not in ServiceKind.values:
        raise field_error("service", _("Choose water, rubbish collection or power cuts."))
    title = clean_text(title, "title", limit=160)
    start_day = valid_from or timezone.localdate()
    if valid_to is not None and valid_to < start_day:
        raise field_error("valid_to", _("The schedule cannot end before it starts."))
    clean = _clean_slots(slots)
    schedule = Schedule.objects.create(
        owner_id=sector.owner_id,
        visibility=_visibility(visibility or sector.visibility),
        sector=sector,
        service=service,
        title=title,
        notes=(notes or "").strip(),
        valid_from=start_day,
        valid_to=valid_to,
    )
    ScheduleSlot.objects.bulk_create(
        ScheduleSlot(schedule=schedule, weekday=w, start=s, end=e) for w, s, e in clean
    )
    audit.record(
        actor=actor,
        verb="schedule.create",
        subject=schedule,
        organisation=sector.owner_id,
        details={
            "sector": sector.pk,
            "service": service,
            "valid_from": start_day.isoformat(),
            "slots": [[w, s.strftime("%H:%M"), e.strftime("%H:%M")] for w, s, e in clean],
        },
    )
    return schedule


@transaction.atomic
def schedule_replace(
    *,
    actor: AnyUser | None,
    schedule: Schedule,
    from_day: date,
    slots: Iterable[tuple[int, time, time]],
    title: str | None = None,
    notes: str | None = None,
) -> Schedule:
    """New slots from `from_day` on: the schedule ends the day before, a new one starts, and
    the change is announced in the sector. Past occurrences keep their reports."""
    _require_changer(actor, schedule.owner_id)
    locked = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if locked.archived_at is not None:
        raise field_error("schedule", _("This schedule is archived."))
    if from_day <= locked.valid_from:
        raise field_error(
            "from_day",
            _("The new slots must start after %(day)s, when this schedule started.")
            % {"day": locked.valid_from.strftime("%d/%m/%Y")},
        )
    if locked.valid_to is not None and from_day > locked.valid_to + timedelta(days=1):
        raise field_error("from_day", _("This schedule has already ended."))
    clean = _clean_slots(slots)
    old_end = locked.valid_to
    locked.valid_to = from_day - timedelta(days=1)
    locked.save(update_fields=["valid_to", "updated_at"])
    new = Schedule.objects.create(
        owner_id=locked.owner_id,
        visibility=locked.visibility,
        sector_id=locked.sector_id,
        service=locked.service,
        title=clean_text(title if title is not None else locked.title, "title", limit=160),
        notes=(notes if notes is not None else locked.notes).strip(),
        valid_from=from_day,
        valid_to=old_end if old_end and old_end >= from_day else None,
    )
    ScheduleSlot.objects.bulk_create(
        ScheduleSlot(schedule=new, weekday=w, start=s, end=e) for w, s, e in clean
    )
    ScheduleException.objects.filter(schedule=locked, day__gte=from_day).update(schedule=new)
    _announce(
        actor,
        sector_id=locked.sector_id,
        owner_id=locked.owner_id,
        visibility=locked.visibility,
        schedule=new,
        title=_("New schedule from %(day)s: %(title)s")
        % {"day": from_day.strftime("%d/%m/%Y"), "title": new.title},
        text=describe_slots(clean),
    )
    audit.record(
        actor=actor,
        verb="schedule.replace",
        subject=new,
        organisation=locked.owner_id,
        details={
            "replaces": locked.pk,
            "from": from_day.isoformat(),
            "slots": [[w, s.strftime("%H:%M"), e.strftime("%H:%M")] for w, s, e in clean],
        },
    )
    return new


def weekday_name(weekday: int) -> str:
    return str(Weekday(weekday).label)


def describe_slots(slots: Iterable[tuple[int, time, time]]) -> str:
    """ "Monday 06:00-12:00; Thursday 14:00-18:00" in the current language."""
    return "; ".join(
        _("%(weekday)s %(start)s-%(end)s")
        % {"weekday": weekday_name(w), "start": s.strftime("%H:%M"), "end": e.strftime("%H:%M")}
        for w, s, e in sorted(slots)
    )


@transaction.atomic
def schedule_end(*, actor: AnyUser | None, schedule: Schedule, on: date) -> Schedule:
    """The schedule's last day is `on` (it stays in the history)."""
    _require_changer(actor, schedule.owner_id)
    locked = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if on < locked.valid_from:
        raise field_error("on", _("The schedule cannot end before it starts."))
    locked.valid_to = on
    locked.save(update_fields=["valid_to", "updated_at"])
    audit.record(
        actor=actor,
        verb="schedule.end",
        subject=locked,
        organisation=locked.owner_id,
        details={"on": on.isoformat()},
    )
    return locked


def _announce(
    actor: AnyUser | None,
    *,
    sector_id: int,
    owner_id: int,
    visibility: str,
    title: str,
    text: str,
    schedule: Schedule | None = None,
) -> Announcement:
    return Announcement.objects.create(
        owner_id=owner_id,
        visibility=visibility,
        sector_id=sector_id,
        schedule=schedule,
        title=title[:200],
        text=text,
        author_id=actor_id(actor),
    )


@transaction.atomic
def schedule_exception_set(
    *,
    actor: AnyUser | None,
    schedule: Schedule,
    day: date,
    cancelled: bool,
    reason: str,
    start: time | None = None,
    end: time | None = None,
    announce: bool = True,
) -> ScheduleException:
    """Replace the slots of `day`: cancelled, or served from `start` to `end`. Announced in
    the sector unless `announce` is False. A day that already has an exception is changed."""
    _require_changer(actor, schedule.owner_id)
    reason = clean_text(reason, "reason", limit=300)
    if day < timezone.localdate():
        raise field_error("day", _("The day has passed: record what happened instead."))
    if (schedule.valid_to is not None and day > schedule.valid_to) or day < schedule.valid_from:
        raise field_error("day", _("The day is outside the period of the schedule."))
    if cancelled:
        start = end = None
    elif start is None or end is None or end <= start:
        raise field_error("end", _("Give the hours: the end must come after the start."))
    exception, _created = ScheduleException.objects.update_or_create(
        schedule=schedule,
        day=day,
        defaults={
            "cancelled": cancelled,
            "start": start,
            "end": end,
            "reason": reason,
            "created_by_id": actor_id(actor),
        },
    )
    if announce:
        when = day.strftime("%d/%m/%Y")
        if cancelled:
            title = _("%(title)s: no service on %(day)s") % {"title": schedule.title, "day": when}
        else:
            title = _("%(title)s: on %(day)s from %(start)s to %(end)s") % {
                "title": schedule.title,
                "day": when,
                "start": start.strftime("%H:%M") if start else "",
                "end": end.strftime("%H:%M") if end else "",
            }
        _announce(
            actor,
            sector_id=schedule.sector_id,
            owner_id=schedule.owner_id,
            visibility=schedule.visibility,
            schedule=schedule,
            title=title,
            text=reason,
        )
    audit.record(
        actor=actor,
        verb="schedule.exception",
        subject=schedule,
        organisation=schedule.owner_id,
        details={
            "day": day.isoformat(),
            "cancelled": cancelled,
            "start": start.strftime("%H:%M") if start else None,
            "end": end.strftime("%H:%M") if end else None,
            "reason": reason,
        },
    )
    return exception


@transaction.atomic
def announcement_publish(
    *,
    actor: AnyUser | None,
    sector: Sector,
    title: str,
    text: str = "",
    schedule: Schedule | None = None,
) -> Announcement:
    _require_changer(actor, sector.owner_id)
    if schedule is not None and schedule.sector_id != sector.pk:
        raise field_error("schedule", _("The schedule is not one of this sector."))
    item = _announce(
        actor,
        sector_id=sector.pk,
        owner_id=sector.owner_id,
        visibility=sector.visibility,
        schedule=schedule,
        title=clean_text(title, "title", limit=200),
        text=(text or "").strip()[:4000],
    )
    audit.record(
        actor=actor,
        verb="announcement.publish",
        subject=item,
        organisation=sector.owner_id,
        details={"sector": sector.pk, "title": item.title},
    )
    return item


def can_report(actor: AnyUser | None, sector: Sector) -> bool:
    """Coordinators and spokespeople of the commune, or of a council of the sector."""
    if actor is None or not actor.is_authenticated:
        return False
    if access.can_change(actor, owner_id=sector.owner_id):
        return True
    viewer = access.viewer_for(actor)
    mine = viewer.organisations_with(access.CHANGE_ROLES)
    if not mine:
        return False
    return sector.councils.filter(pk__in=mine).exists()


@transaction.atomic
def slot_report(
    *,
    actor: AnyUser | None,
    schedule: Schedule,
    day: date,
    start: time,
    outcome: str,
    note: str = "",
) -> SlotReport:
    """Record what actually happened to the occurrence of `day` at `start` (the water came,
    did not come, or came partly). A second report of the same occurrence corrects it."""
    if not can_report(actor, schedule.sector):
        raise PermissionDeniedError(
            _(
                "Only spokespeople and coordinators of the commune or of a council of the "
                "sector may record what happened."
            )
        )
    if outcome not in Outcome.values:
        raise field_error("outcome", _("Choose what happened."))
    today = timezone.localdate()
    if day > today:
        raise field_error("day", _("This has not happened yet."))
    if day < today - timedelta(days=REPORT_WINDOW_DAYS):
        raise field_error(
            "day",
            _("Reports are taken for the last %(days)s days only.") % {"days": REPORT_WINDOW_DAYS},
        )
    occurrences = expand(
        schedule,
        list(schedule.slots.all()),
        schedule.exceptions.filter(day=day),
        day,
        day,
    )
    found = next((o for o in occurrences if o.start == start), None)
    if found is None:
        raise field_error("start", _("Nothing was planned at that time on that day."))
    if found.cancelled:
        raise field_error("start", _("That occurrence was cancelled."))
    if found.starts_at() > timezone.now():
        raise field_error("start", _("This has not started yet."))
    report, created = SlotReport.objects.update_or_create(
        schedule=schedule,
        day=day,
        start=start,
        defaults={
            "end": found.end,
            "outcome": outcome,
            "note": (note or "").strip()[:300],
            "recorded_by_id": actor_id(actor),
        },
    )
    audit.record(
        actor=actor,
        verb="schedule.report" if created else "schedule.report_corrected",
        subject=schedule,
        organisation=schedule.owner_id,
        details={"day": day.isoformat(), "start": start.strftime("%H:%M"), "outcome": outcome},
    )
    return report


# Vehicles -------------------------------------------------------------------------------------


def _decimal(value: Any, field_name: str, *, positive: bool = False) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise field_error(field_name, _("Give a number.")) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        message = _("Give a number above zero.") if positive else _("Give a number, zero or more.")
        raise field_error(field_name, message)
    if number >= Decimal("10000000"):
        raise field_error(field_name, _("The number is too large."))
    return number.quantize(Decimal("0.001"))


@transaction.atomic
def vehicle_create(
    *,
    actor: AnyUser | None,
    owner: Organisation,
    name: str,
    kind: str,
    capacity: Decimal | float | str,
    capacity_unit: str,
    shift_start: time,
    shift_end: time,
    plate: str = "",
    visibility: str = Visibility.PUBLIC,
) -> Vehicle:
    _require_changer(actor, owner.pk)
    _check_owner(owner)
    name = clean_text(name, "name", limit=120)
    if kind not in VehicleKind.values:
        raise field_error("kind", _("Choose the kind of vehicle."))
    if capacity_unit not in CapacityUnit.values:
        raise field_error("capacity_unit", _("Choose litres or cubic metres."))
    amount = _decimal(capacity, "capacity", positive=True)
    if shift_end <= shift_start:
        raise field_error("shift_end", _("The shift must end after it starts, on the same day."))
    if Vehicle.objects.filter(owner=owner, name=name).exists():
        raise field_error("name", _("There is already a vehicle with this name."), "duplicate")
    vehicle = Vehicle.objects.create(
        owner=owner,
        visibility=_visibility(visibility),
        name=name,
        kind=kind,
        plate=(plate or "").strip()[:20],
        capacity=amount,
        capacity_unit=capacity_unit,
        shift_start=shift_start,
        shift_end=shift_end,
    )
    audit.record(
        actor=actor,
        verb="vehicle.create",
        subject=vehicle,
        organisation=owner,
        details={"capacity": str(amount), "unit": capacity_unit, "kind": kind},
    )
    return vehicle


# Route plans ----------------------------------------------------------------------------------


def _check_place(lat: float, lon: float, prefix: str = "") -> None:
    from comuna.registry.geometry import EAST, NORTH, SOUTH, WEST

    if not (isinstance(lat, int | float) and isinstance(lon, int | float)) or not (
        math.isfinite(lat) and math.isfinite(lon)
    ):
        raise field_error(f"{prefix}latitude", _("Give the latitude and longitude as numbers."))
    if not (WEST <= lon <= EAST and SOUTH <= lat <= NORTH):
        message = _("The point lies outside Venezuela: check the latitude and longitude.")
        raise DomainError(
            message, fields={f"{prefix}latitude": [message], f"{prefix}longitude": [message]}
        )


@transaction.atomic
def route_plan_create(
    *,
    actor: AnyUser | None,
    owner: Organisation,
    name: str,
    purpose: str,
    day: date,
    depot_name: str,
    depot_lat: float,
    depot_lon: float,
    vehicles: Sequence[Vehicle],
    unit: str = CapacityUnit.CUBIC_METRE,
    road_factor: Decimal | float | str = Decimal("1.3"),
    speed_kmh: Decimal | float | str = Decimal(25),
    time_limit: int = 10,
    seed: int = 0,
    visibility: str = Visibility.UNIT,
) -> RoutePlan:
    """A route plan of the owner for `day`: depot, unit of the quantities, the vehicles to use
    (the owner's), and the solver's settings. Stops are added afterwards."""
    _require_changer(actor, owner.pk)
    _check_owner(owner)
    name = clean_text(name, "name", limit=160)
    if purpose not in PlanPurpose.values:
        raise field_error("purpose", _("Choose rubbish collection or water delivery."))
    if unit not in CapacityUnit.values:
        raise field_error("unit", _("Choose litres or cubic metres."))
    depot_name = clean_text(depot_name, "depot_name", limit=160)
    _check_place(depot_lat, depot_lon, "depot_")
    factor = _decimal(road_factor, "road_factor", positive=True)
    if not Decimal(1) <= factor <= Decimal(5):
        raise field_error("road_factor", _("The road factor must be between 1 and 5."))
    speed = _decimal(speed_kmh, "speed_kmh", positive=True)
    if speed > 120:
        raise field_error("speed_kmh", _("The average speed must be between 1 and 120 km/h."))
    if not 1 <= int(time_limit) <= 300:
        raise field_error("time_limit", _("The time to search must be from 1 to 300 seconds."))
    if not 0 <= int(seed) <= 2**31 - 1:
        raise field_error("seed", _("Give a whole number, zero or more."))
    vehicles = list(vehicles)
    if not vehicles:
        raise field_error("vehicles", _("Choose at least one vehicle."))
    if any(v.owner_id != owner.pk or v.archived_at is not None for v in vehicles):
        raise field_error("vehicles", _("Choose vehicles of this commune."))
    plan = RoutePlan.objects.create(
        owner=owner,
        visibility=_visibility(visibility),
        name=name,
        purpose=purpose,
        day=day,
        depot_name=depot_name,
        depot_lat=float(depot_lat),
        depot_lon=float(depot_lon),
        unit=unit,
        road_factor=factor.quantize(Decimal("0.01")),
        speed_kmh=speed.quantize(Decimal("0.1")),
        time_limit=int(time_limit),
        seed=int(seed),
        created_by_id=actor_id(actor),
    )
    plan.vehicles.set(vehicles)
    audit.record(
        actor=actor,
        verb="route_plan.create",
        subject=plan,
        organisation=owner,
        details={"purpose": purpose, "day": day.isoformat(), "vehicles": [v.pk for v in vehicles]},
    )
    return plan


#: A plan queued or solving for longer than its time limit plus this is taken as abandoned
#: (a worker stopped): it may be changed and solved again.
STALE_AFTER = timedelta(minutes=5)


def is_stale(plan: RoutePlan, now: datetime | None = None) -> bool:
    moment = now or timezone.now()
    return plan.updated_at < moment - STALE_AFTER - timedelta(seconds=plan.time_limit)


def _locked_plan(plan: RoutePlan) -> RoutePlan:
    locked = RoutePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status in {PlanStatus.QUEUED, PlanStatus.SOLVING} and not is_stale(locked):
        raise field_error(
            "status", _("The plan is being solved: wait until it ends."), code="plan_solving"
        )
    return locked


def _reset(plan: RoutePlan, *, drop_matrix: bool) -> None:
    """Stops changed: the routes found before and (if asked) the matrix no longer hold."""
    plan.routes.all().delete()
    plan.status = PlanStatus.DRAFT
    plan.feasible = None
    plan.distance_km = None
    plan.solved_at = None
    plan.progress = {}
    plan.error = ""
    fields = ["status", "feasible", "distance_km", "solved_at", "progress", "error", "updated_at"]
    if drop_matrix and plan.distance_matrix is not None:
        plan.distance_matrix = None
        plan.matrix_name = ""
        fields += ["distance_matrix", "matrix_name"]
    plan.save(update_fields=fields)


def _window(start: time | None, end: time | None) -> tuple[time | None, time | None]:
    if (start is None) != (end is None):
        raise field_error("window_end", _("Give both ends of the time window, or neither."))
    if start is not None and end is not None and end < start:
        raise field_error("window_end", _("The time window must end after it starts."))
    return start, end


@dataclass(frozen=True)
class StopInput:
    """One stop to add: what the form, the API and the demo give."""

    name: str
    latitude: float
    longitude: float
    quantity: Decimal | float | str
    service_min: int = 5
    window_start: time | None = None
    window_end: time | None = None
    notes: str = ""
    asset_id: int | None = None


@transaction.atomic
def route_stops_add(
    *, actor: AnyUser | None, plan: RoutePlan, stops: Sequence[StopInput]
) -> list[RouteStop]:
    """Add stops to the plan, all or none; the routes found before are dropped, and so is an
    uploaded distance matrix (it no longer has the right size)."""
    _require_changer(actor, plan.owner_id)
    locked = _locked_plan(plan)
    if not stops:
        raise field_error("stops", _("Give at least one stop."))
    first = (locked.stops.aggregate(n=Max("position"))["n"] or 0) + 1
    if first - 1 + len(stops) > MAX_STOPS:
        raise field_error(
            "stops", _("A plan has at most %(max)s stops.") % {"max": MAX_STOPS}, "too_many"
        )
    rows: list[RouteStop] = []
    for offset, item in enumerate(stops):
        _check_place(item.latitude, item.longitude)
        if not 0 <= int(item.service_min) <= 600:
            raise field_error("service_min", _("The service time must be from 0 to 600 minutes."))
        start, end = _window(item.window_start, item.window_end)
        rows.append(
            RouteStop(
                plan=locked,
                position=first + offset,
                name=clean_text(item.name, "name", limit=160),
                latitude=float(item.latitude),
                longitude=float(item.longitude),
                quantity=_decimal(item.quantity, "quantity"),
                service_min=int(item.service_min),
                window_start=start,
                window_end=end,
                notes=(item.notes or "").strip()[:300],
                asset_id=item.asset_id,
            )
        )
    created = RouteStop.objects.bulk_create(rows)
    _reset(locked, drop_matrix=True)
    audit.record(
        actor=actor,
        verb="route_plan.stops_add",
        subject=locked,
        organisation=locked.owner_id,
        details={"count": len(created), "first": first},
    )
    return created


@transaction.atomic
def route_stop_remove(*, actor: AnyUser | None, stop: RouteStop) -> None:
    """Take a stop out of a plan (the later stops move up one number)."""
    plan = stop.plan
    _require_changer(actor, plan.owner_id)
    locked = _locked_plan(plan)
    position = stop.position
    audit.record(
        actor=actor,
        verb="route_plan.stop_remove",
        subject=locked,
        organisation=locked.owner_id,
        details={"position": position, "name": stop.name},
    )
    _reset(locked, drop_matrix=True)
    stop.delete()
    for later in locked.stops.filter(position__gt=position).order_by("position"):
        RouteStop.objects.filter(pk=later.pk).update(position=F("position") - 1)


def collection_points_of(owner: Organisation) -> list[Any]:
    """The owner's collection points in working order (psreq's assets), by name."""
    from django.apps import apps

    try:
        asset_model = apps.get_model("public_services", "Asset")
    except LookupError:
        return []
    return list(
        asset_model.objects.filter(
            owner_id=owner.pk, kind="collection_point", archived_at__isnull=True
        )
        .exclude(state="out_of_service")
        .order_by("name")
    )


@transaction.atomic
def route_stops_from_collection_points(
    *,
    actor: AnyUser | None,
    plan: RoutePlan,
    quantity: Decimal | float | str,
    service_min: int = 5,
) -> list[RouteStop]:
    """Add every collection point of the commune that is not out of service and not yet a
    stop of the plan, each with the same expected volume."""
    _require_changer(actor, plan.owner_id)
    amount = _decimal(quantity, "quantity")
    taken = set(plan.stops.filter(asset__isnull=False).values_list("asset_id", flat=True))
    points = [p for p in collection_points_of(plan.owner) if p.pk not in taken]
    if not points:
        raise field_error(
            "quantity", _("The commune has no other collection point to add."), "none"
        )
    return route_stops_add(
        actor=actor,
        plan=plan,
        stops=[
            StopInput(
                name=p.name,
                latitude=float(p.latitude),
                longitude=float(p.longitude),
                quantity=amount,
                service_min=service_min,
                asset_id=p.pk,
            )
            for p in points
        ],
    )


@dataclass(frozen=True)
class MatrixReport:
    size: int
    errors: list[str]


def parse_matrix(text: str, size: int) -> tuple[list[list[float]] | None, list[str]]:
    """Read a square CSV of road km over the depot and the stops (`size` rows and columns,
    in the plan's order: depot first). A first row and a first column of labels are allowed
    (detected when their cells are not numbers). Separators: comma or semicolon; decimal
    comma when the separator is a semicolon. Returns (matrix, []) or (None, row errors)."""
    first_line = text.lstrip().split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else ","
    rows = [
        r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)
    ]
    errors: list[str] = []
    if not rows:
        return None, [_("The file is empty.")]

    def number(cell: str) -> float | None:
        value = cell.strip()
        if delimiter == ";":
            value = value.replace(",", ".")
        try:
            parsed = float(value)
        except ValueError:
            return None
        return parsed if math.isfinite(parsed) else None

    header = any(number(c) is None for c in rows[0][1:]) or (
        len(rows[0]) > 0 and rows[0][0].strip() == "" and len(rows) == size + 1
    )
    body = rows[1:] if header else rows
    if len(body) > MAX_MATRIX:
        return None, [_("The matrix is too large (at most %(max)s rows).") % {"max": MAX_MATRIX}]
    labels = bool(body) and all(number(r[0]) is None for r in body if r)
    matrix: list[list[float]] = []
    offset = 2 if header else 1
    for index, row in enumerate(body):
        line = index + offset
        cells = row[1:] if labels else row
        if len(cells) != size:
            errors.append(
                ngettext(
                    "Row %(row)s has %(count)s value; %(size)s were expected.",
                    "Row %(row)s has %(count)s values; %(size)s were expected.",
                    len(cells),
                )
                % {"row": line, "count": len(cells), "size": size}
            )
            continue
        values: list[float] = []
        for column, cell in enumerate(cells, start=1):
            parsed = number(cell)
            if parsed is None:
                errors.append(
                    _("Row %(row)s, column %(column)s: “%(value)s” is not a number.")
                    % {"row": line, "column": column, "value": cell.strip()[:20]}
                )
                break
            if parsed < 0:
                errors.append(
                    _("Row %(row)s, column %(column)s: a distance cannot be negative.")
                    % {"row": line, "column": column}
                )
                break
            if parsed > 10000:
                errors.append(
                    _("Row %(row)s, column %(column)s: %(value)s km is too far for a route.")
                    % {"row": line, "column": column, "value": cell.strip()[:20]}
                )
                break
            values.append(parsed)
        else:
            matrix.append(values)
    if len(body) != size:
        errors.insert(
            0,
            _(
                "The matrix has %(rows)s rows; the plan needs %(size)s (the depot and "
                "%(stops)s stops)."
            )
            % {"rows": len(body), "size": size, "stops": size - 1},
        )
    if errors:
        if len(errors) > MAX_ROW_ERRORS:
            rest = len(errors) - MAX_ROW_ERRORS
            errors = [
                *errors[:MAX_ROW_ERRORS],
                ngettext("…and %(count)s more error.", "…and %(count)s more errors.", rest)
                % {"count": rest},
            ]
        return None, errors
    return matrix, []


@transaction.atomic
def route_matrix_set(
    *, actor: AnyUser | None, plan: RoutePlan, content: bytes, filename: str = ""
) -> RoutePlan:
    """Use the road distances of an uploaded CSV instead of straight lines times the road
    factor. All or nothing: DomainError lists every wrong row under `matrix`."""
    _require_changer(actor, plan.owner_id)
    locked = _locked_plan(plan)
    size = locked.stops.count() + 1
    if size < 2:
        raise field_error("matrix", _("Add the stops first: the matrix covers the depot and them."))
    if len(content) > MAX_MATRIX_BYTES:
        raise field_error("matrix", _("The file is larger than 4 MB."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise field_error(
            "matrix", _("The file is not UTF-8 text (save it as CSV UTF-8).")
        ) from None
    matrix, errors = parse_matrix(text, size)
    if matrix is None:
        raise DomainError(
            _("The distance matrix was not used: correct these rows and upload it again."),
            code="matrix_invalid",
            fields={"matrix": errors},
        )
    _reset(locked, drop_matrix=False)
    locked.distance_matrix = matrix
    locked.matrix_name = (filename or "matriz.csv")[:200]
    locked.save(update_fields=["distance_matrix", "matrix_name", "updated_at"])
    audit.record(
        actor=actor,
        verb="route_plan.matrix_set",
        subject=locked,
        organisation=locked.owner_id,
        details={"size": size, "file": locked.matrix_name},
    )
    return locked


@transaction.atomic
def route_matrix_clear(*, actor: AnyUser | None, plan: RoutePlan) -> RoutePlan:
    _require_changer(actor, plan.owner_id)
    locked = _locked_plan(plan)
    _reset(locked, drop_matrix=True)
    audit.record(
        actor=actor, verb="route_plan.matrix_clear", subject=locked, organisation=locked.owner_id
    )
    return locked


def to_litres(quantity: Decimal, unit: str) -> Decimal:
    return quantity * LITRES[CapacityUnit(unit)]


def from_litres(litres: Decimal | int, unit: str) -> Decimal:
    return (Decimal(litres) / LITRES[CapacityUnit(unit)]).quantize(Decimal("0.001"))


def _minutes(moment: time) -> float:
    return moment.hour * 60 + moment.minute + moment.second / 60


def build_problem(
    plan: RoutePlan, stops: Sequence[RouteStop], vehicles: Sequence[Vehicle]
) -> routing.RoutingProblem:
    """The engine's problem: quantities in whole litres (stops rounded up, capacities down),
    times in minutes from the day's midnight."""
    engine_vehicles = [
        routing.Vehicle(
            id=v.pk,
            capacity=int(
                to_litres(v.capacity, v.capacity_unit).to_integral_value(rounding=ROUND_FLOOR)
            ),
            shift_start_min=_minutes(v.shift_start),
            shift_end_min=_minutes(v.shift_end),
        )
        for v in vehicles
    ]
    engine_stops = [
        routing.Stop(
            id=s.pk,
            lat=s.latitude,
            lon=s.longitude,
            demand=int(to_litres(s.quantity, plan.unit).to_integral_value(rounding=ROUND_CEILING)),
            service_min=float(s.service_min),
            window=(
                (_minutes(s.window_start), _minutes(s.window_end))
                if s.window_start is not None and s.window_end is not None
                else None
            ),
        )
        for s in stops
    ]
    return routing.RoutingProblem(
        depot=routing.Depot(lat=plan.depot_lat, lon=plan.depot_lon),
        vehicles=tuple(engine_vehicles),
        stops=tuple(engine_stops),
        speed_kmh=float(plan.speed_kmh),
        road_factor=float(plan.road_factor),
        distance_km=plan.distance_matrix,
    )


def _check_solvable(
    plan: RoutePlan, stops: Sequence[RouteStop], vehicles: Sequence[Vehicle]
) -> None:
    if not stops:
        raise field_error("stops", _("Add the stops to serve first."), "no_stops")
    if not vehicles:
        raise field_error("vehicles", _("The plan has no vehicle left to use."), "no_vehicles")
    largest = max(to_litres(v.capacity, v.capacity_unit) for v in vehicles)
    for stop in stops:
        if to_litres(stop.quantity, plan.unit) > largest:
            raise field_error(
                "quantity",
                _("Stop %(number)s (%(name)s) needs more than the largest vehicle carries.")
                % {"number": stop.position, "name": stop.name},
                "over_capacity",
            )
    if plan.distance_matrix is not None and len(plan.distance_matrix) != len(stops) + 1:
        raise field_error(
            "matrix", _("The distance matrix does not match the stops: upload it again.")
        )


@transaction.atomic
def route_plan_solve_request(*, actor: AnyUser | None, plan: RoutePlan) -> RoutePlan:
    """Put the plan on the solver's queue (the task runs after the commit)."""
    _require_changer(actor, plan.owner_id)
    locked = _locked_plan(plan)
    stops = list(locked.stops.order_by("position"))
    vehicles = list(locked.vehicles.filter(archived_at__isnull=True).order_by("pk"))
    _check_solvable(locked, stops, vehicles)
    locked.status = PlanStatus.QUEUED
    locked.error = ""
    locked.progress = {"elapsed": 0, "time_limit": locked.time_limit, "best_km": None}
    locked.progress_version = F("progress_version") + 1
    locked.save(update_fields=["status", "error", "progress", "progress_version", "updated_at"])
    audit.record(
        actor=actor,
        verb="route_plan.solve_request",
        subject=locked,
        organisation=locked.owner_id,
        details={"stops": len(stops), "vehicles": len(vehicles), "time_limit": locked.time_limit},
    )
    plan_id = locked.pk

    def enqueue() -> None:
        from comuna.public_services.tasks_operations import solve_route_plan

        solve_route_plan.enqueue(plan_id)

    transaction.on_commit(enqueue)
    locked.refresh_from_db()
    return locked


def _progress_writer(plan_id: int, time_limit: int) -> routing.ProgressCallback:
    def write(progress: routing.Progress) -> None:
        RoutePlan.objects.filter(pk=plan_id).update(
            progress={
                "elapsed": round(progress.elapsed_s, 1),
                "time_limit": time_limit,
                "best_km": None if progress.best_cost is None else round(progress.best_cost, 2),
                "iterations": progress.iterations,
            },
            progress_version=F("progress_version") + 1,
            updated_at=timezone.now(),
        )

    return write


def route_plan_solve(*, plan_id: int) -> RoutePlan | None:
    """Solve a queued plan (the task calls this; not inside one transaction, since the
    search takes its whole time limit): mark it solving, run the engine with a progress
    writer, then store the routes in one transaction. Running it again on a plan that is not
    queued does nothing."""
    claimed = RoutePlan.objects.filter(pk=plan_id, status=PlanStatus.QUEUED).update(
        status=PlanStatus.SOLVING,
        progress_version=F("progress_version") + 1,
        updated_at=timezone.now(),
    )
    if not claimed:
        return None
    plan = RoutePlan.objects.get(pk=plan_id)
    stops = list(plan.stops.order_by("position"))
    vehicles = list(plan.vehicles.filter(archived_at__isnull=True).order_by("pk"))
    try:
        _check_solvable(plan, stops, vehicles)
        solution = routing.solve_routes(
            build_problem(plan, stops, vehicles),
            time_limit=float(plan.time_limit),
            seed=plan.seed,
            progress=_progress_writer(plan.pk, plan.time_limit),
        )
    except (DomainError, routing.RoutingError) as err:
        message = err.message if isinstance(err, DomainError) else str(err)
        with transaction.atomic():
            RoutePlan.objects.filter(pk=plan_id).update(
                status=PlanStatus.FAILED,
                error=message,
                progress_version=F("progress_version") + 1,
            )
            audit.record(
                actor=None,
                verb="route_plan.failed",
                subject=plan,
                organisation=plan.owner_id,
                details={"error": message},
            )
        plan.refresh_from_db()
        return plan
    _store_solution(plan, stops, vehicles, solution)
    plan.refresh_from_db()
    return plan


def _seconds(minutes: float) -> int:
    return max(0, round(minutes * 60))


@transaction.atomic
def _store_solution(
    plan: RoutePlan,
    stops: Sequence[RouteStop],
    vehicles: Sequence[Vehicle],
    solution: routing.RoutingSolution,
) -> None:
    locked = RoutePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.SOLVING:
        return  # the stops changed meanwhile: this solution is stale
    locked.routes.all().delete()
    stop_by_id = {s.pk: s for s in stops}
    vehicle_by_id = {v.pk: v for v in vehicles}
    visits: list[RouteVisit] = []
    routes = sorted(solution.routes, key=lambda r: (r.start_min, str(r.vehicle)))
    for number, found in enumerate(routes, start=1):
        vehicle = vehicle_by_id[int(found.vehicle)]
        route = PlannedRoute.objects.create(
            plan=locked,
            number=number,
            vehicle=vehicle,
            load=from_litres(found.load, locked.unit),
            distance_km=Decimal(str(round(found.distance_km, 2))),
            start_s=_seconds(found.start_min),
            end_s=_seconds(found.end_min),
            time_warp_s=_seconds(found.time_warp_min),
            excess_load=from_litres(found.excess_load, locked.unit),
        )
        visits.extend(
            RouteVisit(
                route=route,
                order=order,
                stop=stop_by_id[int(visit.stop)],
                arrival_s=_seconds(visit.arrival_min),
                start_s=_seconds(visit.service_start_min),
                departure_s=_seconds(visit.departure_min),
                load_after=from_litres(visit.load_after, locked.unit),
            )
            for order, visit in enumerate(found.visits, start=1)
        )
    RouteVisit.objects.bulk_create(visits)
    locked.status = PlanStatus.SOLVED
    locked.feasible = solution.feasible
    locked.distance_km = Decimal(str(round(solution.distance_km, 2)))
    locked.solved_at = timezone.now()
    locked.progress = {
        **(locked.progress or {}),
        "elapsed": round(solution.runtime_s, 1),
        "best_km": round(solution.distance_km, 2),
        "iterations": solution.iterations,
    }
    locked.progress_version = F("progress_version") + 1
    locked.save(
        update_fields=[
            "status",
            "feasible",
            "distance_km",
            "solved_at",
            "progress",
            "progress_version",
            "updated_at",
        ]
    )
    audit.record(
        actor=None,
        verb="route_plan.solved",
        subject=locked,
        organisation=locked.owner_id,
        details={
            "routes": len(routes),
            "distance_km": round(solution.distance_km, 2),
            "feasible": solution.feasible,
        },
    )


def clock(seconds: int) -> str:
    """HH:MM of seconds from midnight (past midnight shows +1d)."""
    days, rest = divmod(int(seconds), 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return f"{text} (+{days}d)" if days else text
