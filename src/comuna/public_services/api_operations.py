"""API of the public_services module: schedules and route planning, under
/api/v1/public-services/.

Sectors and their schedules, the next occurrences (exceptions applied), "which sector is
mine" by council or point, recording what happened, compliance per sector; route plans with
their progress and routes, and asking for them to be solved.

(No `from __future__ import annotations` here: ninja reads the annotations of Query[...]
parameters at import time.)"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from shapely.geometry import Point, shape

from comuna.core.auth import token_required
from comuna.core.errors import DomainError
from comuna.public_services import actions_operations as actions
from comuna.public_services import queries_operations as queries
from comuna.public_services.models_operations import RoutePlan, Schedule, Sector

router = Router(tags=["public-services: schedules and routes"])


# Schemas --------------------------------------------------------------------------------------


class SlotOut(Schema):
    weekday: int = Field(..., description="0 = Monday ... 6 = Sunday.")
    start: time
    end: time


class ScheduleOut(Schema):
    id: int
    service: str = Field(..., description="water, waste or electricity (planned cuts).")
    title: str
    notes: str
    valid_from: date
    valid_to: date | None
    slots: list[SlotOut]


class SectorOut(Schema):
    id: int
    name: str
    commune: str
    councils: list[str]
    has_area: bool
    calendar: str = Field(..., description="Path of the sector's iCalendar feed.")


class SectorDetailOut(SectorOut):
    description: str
    area: dict[str, Any] | None
    schedules: list[ScheduleOut]


class OccurrenceOut(Schema):
    schedule: int
    service: str
    day: date
    start: time
    end: time
    starts_at: datetime
    ends_at: datetime
    changed: bool
    cancelled: bool
    reason: str


class LocateIn(Schema):
    commune: str = Field(..., description="Short name (slug) of the commune.")
    council: str = Field("", description="Short name of your communal council.")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class SectorIn(Schema):
    commune: str
    name: str
    description: str = ""
    councils: list[str] = Field(default_factory=list, description="Short names of councils.")
    area: dict[str, Any] | None = Field(None, description="GeoJSON Polygon or MultiPolygon.")


class SlotIn(Schema):
    weekday: int = Field(..., ge=0, le=6)
    start: time
    end: time


class ScheduleIn(Schema):
    service: str
    title: str
    valid_from: date | None = None
    notes: str = ""
    slots: list[SlotIn]


class ReportIn(Schema):
    day: date
    start: time
    outcome: str = Field(..., description="kept, partial or not_kept.")
    note: str = Field("", max_length=300)


class ReportOut(Schema):
    schedule: int
    day: date
    start: time
    end: time
    outcome: str
    note: str


class ComplianceOut(Schema):
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


class ComplianceIn(Schema):
    commune: str = Field("", description="Short name of a commune; all communes when empty.")
    since: date | None = Field(None, description="First day counted (default: 8 weeks ago).")


class PlanOut(Schema):
    id: int
    name: str
    commune: str
    purpose: str
    day: date
    status: str
    stops: int
    distance_km: float | None
    feasible: bool | None


class VisitOut(Schema):
    order: int
    stop: int = Field(..., description="The stop's number in the plan.")
    name: str
    lat: float
    lon: float
    arrival: str
    service_starts: str
    departure: str
    load_after: str


class RouteOut(Schema):
    number: int
    vehicle: str
    load: str
    unit: str
    distance_km: float
    leaves: str
    returns: str
    late_minutes: int
    excess_load: str
    visits: list[VisitOut]


class ProgressOut(Schema):
    version: int
    elapsed: float | None = None
    time_limit: int | None = None
    best_km: float | None = None
    iterations: int | None = None


class PlanDetailOut(PlanOut):
    depot: str
    depot_lat: float
    depot_lon: float
    unit: str
    error: str
    progress: ProgressOut
    routes: list[RouteOut]


# Helpers ---------------------------------------------------------------------------------------


def _sector_out(sector: Sector) -> dict[str, Any]:
    return {
        "id": sector.pk,
        "name": sector.name,
        "commune": sector.owner.slug,
        "councils": sorted(c.slug for c in sector.councils.all()),
        "has_area": sector.area is not None,
        "calendar": f"/servicios/sectores/{sector.pk}/calendario.ics",
    }


def _schedule_out(schedule: Schedule) -> dict[str, Any]:
    return {
        "id": schedule.pk,
        "service": schedule.service,
        "title": schedule.title,
        "notes": schedule.notes,
        "valid_from": schedule.valid_from,
        "valid_to": schedule.valid_to,
        "slots": [
            {"weekday": s.weekday, "start": s.start, "end": s.end} for s in schedule.slots.all()
        ],
    }


def _plan_out(plan: RoutePlan, stops: int) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "name": plan.name,
        "commune": plan.owner.slug,
        "purpose": plan.purpose,
        "day": plan.day,
        "status": plan.status,
        "stops": stops,
        "distance_km": float(plan.distance_km) if plan.distance_km is not None else None,
        "feasible": plan.feasible,
    }


# Sectors and schedules ------------------------------------------------------------------------


@router.get(
    "/sectors", response=list[SectorOut], summary="Sectors of a commune with their schedules"
)
@paginate(PageNumberPagination, page_size=50)
def sectors(request: HttpRequest, commune: str) -> Any:
    owner = queries.commune_get(slug=commune)
    return [
        _sector_out(s)
        for s in queries.sectors_of(user=request.user, owner=owner).select_related("owner")
    ]


@router.get(
    "/sectors/locate",
    response=list[SectorOut],
    summary="Which sectors serve my council, or a point (latitude, longitude)",
)
def sectors_locate(request: HttpRequest, filters: Query[LocateIn]) -> list[dict[str, Any]]:
    owner = queries.commune_get(slug=filters.commune)
    found = list(queries.sectors_of(user=request.user, owner=owner).select_related("owner"))
    if filters.council:
        return [
            _sector_out(s)
            for s in found
            if any(c.slug == filters.council for c in s.councils.all())
        ]
    if filters.lat is None or filters.lon is None:
        message = _("Give a council, or a latitude and a longitude.")
        raise DomainError(message, fields={"council": [message]})
    point = Point(filters.lon, filters.lat)
    inside = [s for s in found if s.area and shape(s.area).covers(point)]
    if inside:
        return [_sector_out(s) for s in inside]
    places = queries.council_places(council_ids=[c.pk for s in found for c in s.councils.all()])
    if not places:
        return []
    nearest = min(places, key=lambda pk: Point(places[pk]).distance(point))
    return [_sector_out(s) for s in found if any(c.pk == nearest for c in s.councils.all())]


@router.get("/sectors/{pk}", response=SectorDetailOut, summary="A sector and its schedules")
def sector_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    sector = queries.sector_get(user=request.user, pk=pk)
    schedules = queries.schedules_of(user=request.user, sector=sector, since=timezone.localdate())
    return {
        **_sector_out(sector),
        "description": sector.description,
        "area": sector.area,
        "schedules": [_schedule_out(s) for s in schedules],
    }


@router.get(
    "/sectors/{pk}/occurrences",
    response=list[OccurrenceOut],
    summary="The sector's next occurrences, exceptions applied (up to 60 days)",
)
def sector_occurrences(request: HttpRequest, pk: int, days: int = 14) -> list[dict[str, Any]]:
    if not 1 <= days <= 60:
        message = _("Give a number of days from 1 to 60.")
        raise DomainError(message, fields={"days": [message]})
    sector = queries.sector_get(user=request.user, pk=pk)
    today = timezone.localdate()
    out: list[dict[str, Any]] = []
    for schedule in queries.schedules_of(user=request.user, sector=sector, since=today):
        occurrences = queries.expand(
            schedule,
            list(schedule.slots.all()),
            schedule.exceptions.all(),
            today,
            today + timedelta(days=days),
        )
        out.extend(
            {
                "schedule": schedule.pk,
                "service": schedule.service,
                "day": o.day,
                "start": o.start,
                "end": o.end,
                "starts_at": o.starts_at(),
                "ends_at": o.ends_at(),
                "changed": o.changed,
                "cancelled": o.cancelled,
                "reason": o.reason,
            }
            for o in occurrences
        )
    out.sort(key=lambda row: (row["starts_at"], row["schedule"]))
    return out


@router.post(
    "/sectors", response={201: SectorDetailOut}, auth=token_required, summary="Create a sector"
)
def sector_create(request: HttpRequest, payload: SectorIn) -> Status[dict[str, Any]]:
    from comuna.registry.models import CommunalCouncil

    owner = queries.commune_get(slug=payload.commune)
    councils = list(CommunalCouncil.objects.filter(slug__in=payload.councils))
    unknown = sorted(set(payload.councils) - {c.slug for c in councils})
    if unknown:
        message = _("Unknown councils: %(slugs)s.") % {"slugs": ", ".join(unknown)}
        raise DomainError(message, fields={"councils": [message]})
    sector = actions.sector_create(
        actor=request.user,
        owner=owner,
        name=payload.name,
        description=payload.description,
        councils=councils,
        area=payload.area,
    )
    return Status(201, sector_detail(request, sector.pk))


@router.post(
    "/sectors/{pk}/schedules",
    response={201: ScheduleOut},
    auth=token_required,
    summary="Publish a schedule in a sector",
)
def schedule_create(request: HttpRequest, pk: int, payload: ScheduleIn) -> Status[dict[str, Any]]:
    sector = queries.sector_get(user=request.user, pk=pk)
    schedule = actions.schedule_create(
        actor=request.user,
        sector=sector,
        service=payload.service,
        title=payload.title,
        slots=[(s.weekday, s.start, s.end) for s in payload.slots],
        notes=payload.notes,
        valid_from=payload.valid_from,
    )
    return Status(201, _schedule_out(schedule))


@router.post(
    "/schedules/{pk}/reports",
    response={201: ReportOut},
    auth=token_required,
    summary="Record what happened to a planned occurrence (the water came, or not)",
)
def report_create(request: HttpRequest, pk: int, payload: ReportIn) -> Status[dict[str, Any]]:
    schedule = queries.schedule_get(user=request.user, pk=pk)
    report = actions.slot_report(
        actor=request.user,
        schedule=schedule,
        day=payload.day,
        start=payload.start,
        outcome=payload.outcome,
        note=payload.note,
    )
    return Status(
        201,
        {
            "schedule": schedule.pk,
            "day": report.day,
            "start": report.start,
            "end": report.end,
            "outcome": report.outcome,
            "note": report.note,
        },
    )


@router.get(
    "/compliance",
    response=list[ComplianceOut],
    summary="Was the plan kept? Planned and reported occurrences per sector and service",
)
def compliance(request: HttpRequest, filters: Query[ComplianceIn]) -> list[dict[str, Any]]:
    ids = [queries.commune_get(slug=filters.commune).pk] if filters.commune else None
    since = filters.since or timezone.localdate() - timedelta(weeks=queries.COMPLIANCE_WEEKS)
    if since > timezone.localdate() or since < timezone.localdate() - timedelta(days=730):
        message = _("The first day must be within the last two years.")
        raise DomainError(message, fields={"since": [message]})
    rows = queries.compliance_by_sector(organisation_ids=ids, since=since)
    return [row.__dict__ for row in rows]


# Route plans ----------------------------------------------------------------------------------


@router.get("/route-plans", response=list[PlanOut], summary="Route plans of a commune")
@paginate(PageNumberPagination, page_size=50)
def route_plans(request: HttpRequest, commune: str) -> Any:
    owner = queries.commune_get(slug=commune)
    return [
        _plan_out(p, p.stop_count)  # type: ignore[attr-defined]
        for p in queries.plans_of(user=request.user, owner=owner).select_related("owner")
    ]


@router.get(
    "/route-plans/{pk}",
    response=PlanDetailOut,
    summary="A route plan: status, progress of the solver, and the routes found",
)
def route_plan_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    plan = queries.plan_get(user=request.user, pk=pk)
    stops = queries.plan_stops(plan)
    routes = []
    for view in queries.plan_routes(plan):
        route = view.route
        routes.append(
            {
                "number": route.number,
                "vehicle": route.vehicle.name,
                "load": str(route.load),
                "unit": plan.unit,
                "distance_km": float(route.distance_km),
                "leaves": actions.clock(route.start_s),
                "returns": actions.clock(route.end_s),
                "late_minutes": route.time_warp_s // 60,
                "excess_load": str(route.excess_load),
                "visits": [
                    {
                        "order": v.order,
                        "stop": v.stop.position,
                        "name": v.stop.name,
                        "lat": v.stop.latitude,
                        "lon": v.stop.longitude,
                        "arrival": actions.clock(v.arrival_s),
                        "service_starts": actions.clock(v.start_s),
                        "departure": actions.clock(v.departure_s),
                        "load_after": str(v.load_after),
                    }
                    for v in view.visits
                ],
            }
        )
    return {
        **_plan_out(plan, len(stops)),
        "depot": plan.depot_name,
        "depot_lat": plan.depot_lat,
        "depot_lon": plan.depot_lon,
        "unit": plan.unit,
        "error": plan.error,
        "progress": {"version": plan.progress_version, **(plan.progress or {})},
        "routes": routes,
    }


@router.post(
    "/route-plans/{pk}/solve",
    response={202: PlanDetailOut},
    auth=token_required,
    summary="Compute the routes in the background; poll the plan for its progress",
)
def route_plan_solve(request: HttpRequest, pk: int) -> Status[dict[str, Any]]:
    plan = queries.plan_get(user=request.user, pk=pk)
    actions.route_plan_solve_request(actor=request.user, plan=plan)
    return Status(202, route_plan_detail(request, pk))
