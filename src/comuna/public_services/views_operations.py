"""Pages of schedules and route planning, under /servicios/: "when does water come to my
sector?" (a tappable map of the commune's councils or a list), sectors with their schedules,
next occurrences, compliance and iCalendar feed; the forms that write through the actions;
route plans with their progress, map, printable sheets, GeoJSON and GPX."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from comuna.core import access, ical
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.forms import add_domain_error, form_page, post_data
from comuna.core.fragments import cache_public_get
from comuna.core.models import Organisation
from comuna.core.pagination import is_htmx, paginate
from comuna.public_services import actions_operations as actions
from comuna.public_services import maps_operations as maps
from comuna.public_services import queries_operations as queries
from comuna.public_services.forms_operations import (
    AnnouncementForm,
    CollectionPointsForm,
    CouncilChoiceForm,
    ExceptionForm,
    MatrixForm,
    PlanForm,
    ReplaceForm,
    ReportForm,
    ScheduleForm,
    SectorForm,
    StopForm,
    VehicleForm,
)
from comuna.public_services.models_operations import (
    Outcome,
    PlanPurpose,
    PlanStatus,
    RoutePlan,
    RouteStop,
    Schedule,
    Sector,
    ServiceKind,
)

#: The next occurrences shown on a sector's page and in the API.
UPCOMING_DAYS = 14
#: Past occurrences that can be reported from the sector's page.
RECENT_DAYS = 7
#: The iCalendar feed covers this many days back and ahead (occurrences expanded, not RRULE).
ICAL_PAST_DAYS = 14
ICAL_AHEAD_DAYS = 42


def outcome_labels(service: str) -> dict[str, str]:
    """What happened, in the words of each service."""
    if service == ServiceKind.WATER:
        return {
            Outcome.KEPT: _("The water came"),
            Outcome.PARTIAL: _("It came partly (late, short or weak)"),
            Outcome.NOT_KEPT: _("The water did not come"),
        }
    if service == ServiceKind.WASTE:
        return {
            Outcome.KEPT: _("The truck came"),
            Outcome.PARTIAL: _("It came late or left rubbish behind"),
            Outcome.NOT_KEPT: _("The truck did not come"),
        }
    return {
        Outcome.KEPT: _("The cut was as announced"),
        Outcome.PARTIAL: _("The cut lasted longer than announced"),
        Outcome.NOT_KEPT: _("The cut did not follow the plan"),
    }


def _require_changer(request: HttpRequest, owner_id: int) -> None:
    if not access.can_change(request.user, owner_id=owner_id):
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of the commune may change its services.")
        )


def _visible_owner(request: HttpRequest, slug: str) -> Organisation:
    return queries.commune_get(slug=slug)


# Schedules: finding them ------------------------------------------------------------------------


@cache_public_get()
def schedules_home(request: HttpRequest) -> HttpResponse:
    """Communes that publish schedules."""
    page, query = paginate(request, queries.communes_with_sectors(user=request.user))
    return render(
        request,
        "public_services/operations/home.html",
        {
            "page": page,
            "query": query,
            "planners": queries.communes_with_plans(user=request.user),
        },
    )


def _occurrences_by_schedule(
    schedules: list[Schedule], first: date, last: date
) -> dict[int, list[queries.Occurrence]]:
    return {
        s.pk: queries.expand(s, list(s.slots.all()), s.exceptions.all(), first, last)
        for s in schedules
    }


@cache_public_get()
def commune_schedules(request: HttpRequest, slug: str) -> HttpResponse:
    owner = _visible_owner(request, slug)
    sectors = list(queries.sectors_of(user=request.user, owner=owner))
    councils = queries.councils_of(owner=owner)
    by_slug = {c[2]: c for c in councils}
    chosen_slug = request.GET.get("consejo", "")
    chosen = by_slug.get(chosen_slug)
    places = queries.council_places(council_ids=[c[0] for c in councils])
    base = reverse("public_services:commune_schedules", args=[owner.slug])
    marks = [
        maps.CouncilMark(
            pk=pk,
            name=name,
            lon=places[pk][0],
            lat=places[pk][1],
            url=f"{base}?consejo={council_slug}#resultado",
            current=chosen is not None and pk == chosen[0],
        )
        for pk, name, council_slug in councils
        if pk in places
    ]
    areas = [
        maps.AreaMark(name=s.name, area=s.area, url=reverse("public_services:sector", args=[s.pk]))
        for s in sectors
        if s.area
    ]
    tapped = None
    if chosen is not None:
        found = [s for s in sectors if any(c.pk == chosen[0] for c in s.councils.all())]
        today = timezone.localdate()
        schedules = queries.schedules_of_sectors(user=request.user, sectors=found, since=today)
        upcoming = _occurrences_by_schedule(schedules, today, today + timedelta(days=7))
        tapped = {
            "name": chosen[1],
            "sectors": found,
            "schedules": [
                {"schedule": s, "next": [o for o in upcoming[s.pk] if not o.cancelled][:4]}
                for s in schedules
            ],
        }
    form = CouncilChoiceForm(
        request.GET if chosen_slug else None,
        councils=[(c[2], c[1]) for c in councils],
    )
    since = timezone.localdate() - timedelta(weeks=queries.COMPLIANCE_WEEKS)
    return render(
        request,
        "public_services/operations/commune.html",
        {
            "owner": owner,
            "sectors": sectors,
            "form": form,
            "tapped": tapped,
            "map": maps.commune_map(
                title=_("Councils of %(name)s: tap yours") % {"name": owner.name},
                councils=marks,
                areas=areas,
                seat=queries.commune_place(owner=owner),
            ),
            "compliance": queries.compliance_by_sector(organisation_ids=[owner.pk], since=since),
            "since": since,
            "announcements": queries.announcements_for_owner(user=request.user, owner=owner),
            "can_change": access.can_change(request.user, owner_id=owner.pk),
        },
    )


def commune_compliance_csv(request: HttpRequest, slug: str) -> HttpResponse:
    owner = _visible_owner(request, slug)
    try:
        since = date.fromisoformat(request.GET.get("desde", ""))
    except ValueError:
        since = timezone.localdate() - timedelta(weeks=queries.COMPLIANCE_WEEKS)
    rows = queries.compliance_by_sector(organisation_ids=[owner.pk], since=since)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("sector"),
            _("service"),
            _("planned"),
            _("kept"),
            _("partly kept"),
            _("not kept"),
            _("not reported"),
            _("share kept"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.sector_name,
                row.service_label,
                row.planned,
                row.kept,
                row.partial,
                row.not_kept,
                row.unreported,
                "" if row.share_kept is None else f"{row.share_kept:.3f}",
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cumplimiento-{owner.slug}.csv"'
    return response


# A sector --------------------------------------------------------------------------------------


@cache_public_get()
def sector(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.sector_get(user=request.user, pk=pk)
    today = timezone.localdate()
    now = timezone.now()
    since = today - timedelta(weeks=queries.COMPLIANCE_WEEKS)
    schedules = queries.schedules_of(user=request.user, sector=item, since=since)
    reports = queries.reports_since(schedules=schedules, since=since)
    perms = queries.sector_permissions(request.user, item)
    blocks = []
    for schedule in schedules:
        mine = [r for r in reports if r.schedule_id == schedule.pk]
        reported = {(r.day, r.start): r for r in mine}
        upcoming = queries.expand(
            schedule,
            list(schedule.slots.all()),
            schedule.exceptions.all(),
            today,
            today + timedelta(days=UPCOMING_DAYS),
        )
        recent = [
            o
            for o in queries.expand(
                schedule,
                list(schedule.slots.all()),
                schedule.exceptions.all(),
                today - timedelta(days=RECENT_DAYS),
                today,
            )
            if not o.cancelled and o.starts_at() <= now
        ]
        recent.reverse()
        weeks = queries.weekly_compliance(schedule, mine, queries.COMPLIANCE_WEEKS, today)
        labels = outcome_labels(schedule.service)
        blocks.append(
            {
                "schedule": schedule,
                "slots": list(schedule.slots.all()),
                "upcoming": [o for o in upcoming if o.ends_at() > now],
                "recent": [
                    {"occurrence": o, "report": reported.get((o.day, o.start))} for o in recent
                ],
                "labels": labels,
                "chart": maps.compliance_chart(
                    weeks,
                    title=_("Compliance by week: %(title)s") % {"title": schedule.title},
                    description=_(
                        "Planned occurrences per week: kept (green), partly kept (ochre), "
                        "not kept (red), not reported (grey)."
                    ),
                    svg_id=f"chart-{schedule.pk}",
                ),
                "totals": {
                    "planned": sum(w.planned for w in weeks),
                    "kept": sum(w.kept for w in weeks),
                    "partial": sum(w.partial for w in weeks),
                    "not_kept": sum(w.not_kept for w in weeks),
                },
            }
        )
    return render(
        request,
        "public_services/operations/sector.html",
        {
            "sector": item,
            "councils": list(item.councils.order_by("name")),
            "blocks": blocks,
            "announcements": queries.announcements_of(user=request.user, sector=item),
            "perms": perms,
            "outcomes": Outcome,
            "weeks": queries.COMPLIANCE_WEEKS,
        },
    )


def sector_ical(request: HttpRequest, pk: int) -> HttpResponse:
    """The sector's occurrences from two weeks back to six weeks ahead, expanded (exceptions
    applied; cancelled ones carry STATUS:CANCELLED), so every calendar shows them alike."""
    item = queries.sector_get(user=request.user, pk=pk)
    today = timezone.localdate()
    first, last = today - timedelta(days=ICAL_PAST_DAYS), today + timedelta(days=ICAL_AHEAD_DAYS)
    schedules = queries.schedules_of(user=request.user, sector=item, since=first)
    url = request.build_absolute_uri(reverse("public_services:sector", args=[item.pk]))
    host = request.get_host().split(":")[0] or "comuna"
    events: list[ical.Event] = []
    for schedule in schedules:
        label = ServiceKind(schedule.service).label
        events.extend(
            ical.Event(
                uid=f"ps-{schedule.pk}-{o.day:%Y%m%d}-{o.start:%H%M}@{host}",
                summary=f"{label}: {item.name}",
                start=o.starts_at(),
                end=o.ends_at(),
                description=" ".join(part for part in (schedule.title, o.reason) if part),
                location=item.name,
                url=url,
                status="CANCELLED" if o.cancelled else "CONFIRMED",
            )
            for o in queries.expand(
                schedule, list(schedule.slots.all()), schedule.exceptions.all(), first, last
            )
        )
    text = ical.calendar(f"{item.name} · {item.owner.name}", events, timezone.now())
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="sector-{item.pk}.ics"'
    return response


def _sector_for_change(request: HttpRequest, pk: int) -> Sector:
    item = queries.sector_get(user=request.user, pk=pk)
    _require_changer(request, item.owner_id)
    return item


def _council_objects(owner: Organisation, ids: list[int]) -> list[Any]:
    from comuna.registry.models import CommunalCouncil

    return list(CommunalCouncil.objects.filter(pk__in=ids))


@login_required
@require_http_methods(["GET", "POST"])
def sector_new(request: HttpRequest, slug: str) -> HttpResponse:
    owner = _visible_owner(request, slug)
    _require_changer(request, owner.pk)
    councils = queries.councils_of(owner=owner)
    form = SectorForm(post_data(request), councils=[(c[0], c[1]) for c in councils])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.sector_create(
                actor=request.user,
                owner=owner,
                name=data["name"],
                description=data["description"],
                councils=_council_objects(owner, data["councils"]),
                area=data["area"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The sector was created. Now publish its schedules."))
            return redirect("public_services:sector", pk=created.pk)
    back = reverse("public_services:commune_schedules", args=[owner.slug])
    return form_page(
        request, form, title=_("New sector of %(name)s") % {"name": owner.name}, back=back
    )


@login_required
@require_http_methods(["GET", "POST"])
def sector_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _sector_for_change(request, pk)
    councils = queries.councils_of(owner=item.owner)
    form = SectorForm(
        post_data(request),
        councils=[(c[0], c[1]) for c in councils],
        initial={
            "name": item.name,
            "description": item.description,
            "councils": [c.pk for c in item.councils.all()],
            "area": json.dumps(item.area) if item.area else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.sector_update(
                actor=request.user,
                sector=item,
                name=data["name"],
                description=data["description"],
                councils=_council_objects(item.owner, data["councils"]),
                area=data["area"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The sector was saved."))
            return redirect("public_services:sector", pk=item.pk)
    back = reverse("public_services:sector", args=[item.pk])
    return form_page(
        request, form, title=_("Edit the sector “%(name)s”") % {"name": item.name}, back=back
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_new(request: HttpRequest, pk: int) -> HttpResponse:
    item = _sector_for_change(request, pk)
    form = ScheduleForm(post_data(request), initial={"valid_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.schedule_create(
                actor=request.user,
                sector=item,
                service=data["service"],
                title=data["title"],
                slots=form.slots(),
                notes=data["notes"],
                valid_from=data["valid_from"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The schedule was published."))
            return redirect("public_services:sector", pk=item.pk)
    back = reverse("public_services:sector", args=[item.pk])
    return form_page(
        request,
        form,
        title=_("New schedule for %(name)s") % {"name": item.name},
        back=back,
        submit=_("Publish"),
        intro=_(
            "For water and rubbish the hours are when the service comes; for power cuts, "
            "when the power is off."
        ),
    )


def _schedule_for_change(request: HttpRequest, pk: int) -> Schedule:
    schedule = queries.schedule_get(user=request.user, pk=pk)
    _require_changer(request, schedule.owner_id)
    return schedule


@login_required
@require_http_methods(["GET", "POST"])
def schedule_replace(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule_for_change(request, pk)
    form = ReplaceForm(
        post_data(request), initial={"from_day": timezone.localdate() + timedelta(days=1)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.schedule_replace(
                actor=request.user,
                schedule=schedule,
                from_day=form.cleaned_data["from_day"],
                slots=form.slots(),
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The new hours were published and announced."))
            return redirect("public_services:sector", pk=schedule.sector_id)
    back = reverse("public_services:sector", args=[schedule.sector_id])
    return form_page(
        request,
        form,
        title=_("Change the hours of “%(title)s”") % {"title": schedule.title},
        back=back,
        submit=_("Publish"),
        intro=_(
            "The current hours stay in the history until the day before; the change is announced."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_exception(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule_for_change(request, pk)
    form = ExceptionForm(
        post_data(request), initial={"day": timezone.localdate(), "announce": True}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.schedule_exception_set(
                actor=request.user,
                schedule=schedule,
                day=data["day"],
                cancelled=data["cancelled"],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                announce=data["announce"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The change for that day was saved."))
            return redirect("public_services:sector", pk=schedule.sector_id)
    back = reverse("public_services:sector", args=[schedule.sector_id])
    return form_page(
        request,
        form,
        title=_("Change one day of “%(title)s”") % {"title": schedule.title},
        back=back,
        intro=_("Tick “no service” to cancel the day, or give the hours of that day."),
    )


@login_required
@require_POST
def schedule_report(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = queries.schedule_get(user=request.user, pk=pk)
    form = ReportForm(request.POST)
    back = reverse("public_services:sector", args=[schedule.sector_id]) + "#reportar"
    if not form.is_valid():
        messages.error(request, _("The report could not be read: choose what happened."))
        return redirect(back)
    data = form.cleaned_data
    try:
        actions.slot_report(
            actor=request.user,
            schedule=schedule,
            day=data["day"],
            start=data["start"],
            outcome=data["outcome"],
            note=data["note"],
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("Thank you: what happened was recorded."))
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def announcement_new(request: HttpRequest, pk: int) -> HttpResponse:
    item = _sector_for_change(request, pk)
    form = AnnouncementForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.announcement_publish(actor=request.user, sector=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The announcement was published."))
            return redirect("public_services:sector", pk=item.pk)
    back = reverse("public_services:sector", args=[item.pk])
    return form_page(
        request,
        form,
        title=_("Announce a change in %(name)s") % {"name": item.name},
        back=back,
        submit=_("Publish"),
    )


# Route plans -----------------------------------------------------------------------------------


def route_plans(request: HttpRequest, slug: str) -> HttpResponse:
    owner = _visible_owner(request, slug)
    page, query = paginate(request, queries.plans_of(user=request.user, owner=owner))
    return render(
        request,
        "public_services/operations/plans.html",
        {
            "owner": owner,
            "page": page,
            "query": query,
            "vehicles": list(queries.vehicles_of(user=request.user, owner=owner)[:100]),
            "can_change": access.can_change(request.user, owner_id=owner.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def vehicle_new(request: HttpRequest, slug: str) -> HttpResponse:
    owner = _visible_owner(request, slug)
    _require_changer(request, owner.pk)
    form = VehicleForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.vehicle_create(actor=request.user, owner=owner, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The vehicle was added."))
            return redirect("public_services:route_plans", slug=owner.slug)
    back = reverse("public_services:route_plans", args=[owner.slug])
    return form_page(
        request, form, title=_("New vehicle of %(name)s") % {"name": owner.name}, back=back
    )


@login_required
@require_http_methods(["GET", "POST"])
def route_plan_new(request: HttpRequest, slug: str) -> HttpResponse:
    owner = _visible_owner(request, slug)
    _require_changer(request, owner.pk)
    vehicles = list(queries.vehicles_of(user=request.user, owner=owner))
    place = queries.commune_place(owner=owner)
    form = PlanForm(
        post_data(request),
        vehicles=[
            (v.pk, f"{v.name} ({v.capacity.normalize():f} {v.capacity_unit})") for v in vehicles
        ],
        initial={
            "depot_lat": place[1] if place else None,
            "depot_lon": place[0] if place else None,
            "purpose": PlanPurpose.COLLECTION,
            "visibility": "unit",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        wanted = set(data.pop("vehicles"))
        chosen = [v for v in vehicles if v.pk in wanted]
        try:
            plan = actions.route_plan_create(
                actor=request.user, owner=owner, vehicles=chosen, **data
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The plan was created. Now add its stops."))
            return redirect("public_services:route_plan", pk=plan.pk)
    back = reverse("public_services:route_plans", args=[owner.slug])
    return form_page(
        request,
        form,
        title=_("New route plan of %(name)s") % {"name": owner.name},
        back=back,
        intro=_("Add the vehicles first: a plan uses some of the commune's vehicles."),
    )


def _plan_context(request: HttpRequest, plan: RoutePlan) -> dict[str, Any]:
    stops = queries.plan_stops(plan)
    routes = queries.plan_routes(plan)
    served: dict[int, int] = {}
    lines = []
    depot = (plan.depot_lon, plan.depot_lat)
    for view in routes:
        for visit in view.visits:
            served[visit.stop_id] = view.route.number
        lines.append(
            maps.RouteLine(
                number=view.route.number,
                label=_("Route %(number)s: %(vehicle)s")
                % {"number": view.route.number, "vehicle": view.route.vehicle.name},
                points=[depot, *((v.stop.longitude, v.stop.latitude) for v in view.visits), depot],
            )
        )
    route_map = maps.route_map(
        title=_("Map of the routes of %(name)s") % {"name": plan.name},
        depot=depot,
        depot_name=plan.depot_name,
        stops=[
            maps.StopMark(s.position, s.name, s.longitude, s.latitude, served.get(s.pk))
            for s in stops
        ],
        routes=lines,
    )
    return {
        "plan": plan,
        "stops": stops,
        "routes": [
            {
                "view": view,
                "colour": maps.route_colour(view.route.number),
                "start": actions.clock(view.route.start_s),
                "end": actions.clock(view.route.end_s),
            }
            for view in routes
        ],
        "map": route_map,
        "vehicles": list(plan.vehicles.order_by("name")),
        "can_change": access.can_change(request.user, owner_id=plan.owner_id),
        "busy": plan.status in {PlanStatus.QUEUED, PlanStatus.SOLVING}
        and not actions.is_stale(plan),
        "stop_form": StopForm(),
        "points_form": CollectionPointsForm(),
        "matrix_form": MatrixForm(),
        "has_points": bool(actions.collection_points_of(plan.owner)),
    }


def route_plan(request: HttpRequest, pk: int) -> HttpResponse:
    plan = queries.plan_get(user=request.user, pk=pk)
    return render(request, "public_services/operations/plan.html", _plan_context(request, plan))


@vary_on_headers("HX-Request")
def route_plan_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress box. Polled by htmx with the version it shows (`v`): an unchanged plan
    answers 204 with no body (htmx keeps the box); a finished one asks for a full reload."""
    version, status = queries.plan_progress_version(user=request.user, pk=pk)
    try:
        known = int(request.GET.get("v", "-1"))
    except ValueError:
        known = -1
    if is_htmx(request):
        if known == version:
            return HttpResponse(status=204)
        if status not in {PlanStatus.QUEUED, PlanStatus.SOLVING}:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
    plan = queries.plan_get(user=request.user, pk=pk)
    return render(
        request,
        "public_services/operations/plan.html#progress",
        {"plan": plan, "busy": status in {PlanStatus.QUEUED, PlanStatus.SOLVING}},
    )


def _plan_for_change(request: HttpRequest, pk: int) -> RoutePlan:
    plan = queries.plan_get(user=request.user, pk=pk)
    _require_changer(request, plan.owner_id)
    return plan


def _back_to_plan(plan: RoutePlan) -> str:
    return reverse("public_services:route_plan", args=[plan.pk])


@login_required
@require_http_methods(["GET", "POST"])
def route_stop_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for_change(request, pk)
    form = StopForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.route_stops_add(
                actor=request.user, plan=plan, stops=[actions.StopInput(**form.cleaned_data)]
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The stop was added."))
            return redirect(_back_to_plan(plan) + "#paradas")
    return form_page(
        request,
        form,
        title=_("New stop of %(name)s") % {"name": plan.name},
        back=_back_to_plan(plan),
        intro=_("The quantity is in %(unit)s.") % {"unit": plan.get_unit_display()},
    )


@login_required
@require_POST
def route_stop_remove(request: HttpRequest, pk: int, stop_pk: int) -> HttpResponse:
    plan = _plan_for_change(request, pk)
    stop = get_object_or_404(RouteStop, pk=stop_pk, plan=plan)
    try:
        actions.route_stop_remove(actor=request.user, stop=stop)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The stop was taken out of the plan."))
    return redirect(_back_to_plan(plan) + "#paradas")


@login_required
@require_http_methods(["GET", "POST"])
def route_points(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for_change(request, pk)
    form = CollectionPointsForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            added = actions.route_stops_from_collection_points(
                actor=request.user, plan=plan, **form.cleaned_data
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s collection point was added.",
                    "%(count)s collection points were added.",
                    len(added),
                )
                % {"count": len(added)},
            )
            return redirect(_back_to_plan(plan) + "#paradas")
    return form_page(
        request,
        form,
        title=_("Add the commune's collection points"),
        back=_back_to_plan(plan),
        submit=_("Add"),
        intro=_("The quantity is in %(unit)s.") % {"unit": plan.get_unit_display()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def route_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for_change(request, pk)
    if request.method == "POST" and request.POST.get("clear"):
        try:
            actions.route_matrix_clear(actor=request.user, plan=plan)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Distances are measured on the map again."))
        return redirect(_back_to_plan(plan))
    form = MatrixForm(post_data(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["matrix"]
        content = (
            upload.read(actions.MAX_MATRIX_BYTES + 1) if isinstance(upload, UploadedFile) else b""
        )
        try:
            actions.route_matrix_set(
                actor=request.user, plan=plan, content=content, filename=upload.name or ""
            )
        except DomainError as err:
            form.add_error(None, err.message)
            for message in err.fields.get("matrix", []):
                if message != err.message:
                    form.add_error("matrix", message)
        else:
            messages.success(request, _("The distance matrix will be used."))
            return redirect(_back_to_plan(plan))
    return form_page(
        request,
        form,
        title=_("Road distances for %(name)s") % {"name": plan.name},
        back=_back_to_plan(plan),
    )


@login_required
@require_POST
def route_solve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_for_change(request, pk)
    try:
        actions.route_plan_solve_request(actor=request.user, plan=plan)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request,
            _("The routes are being computed (about %(seconds)s seconds).")
            % {"seconds": plan.time_limit},
        )
    return redirect(_back_to_plan(plan))


def route_sheets(request: HttpRequest, pk: int, number: int | None = None) -> HttpResponse:
    """Printable route sheets, one per vehicle (all of them, or route `number`)."""
    plan = queries.plan_get(user=request.user, pk=pk)
    views = queries.plan_routes(plan)
    if number is not None:
        views = [v for v in views if v.route.number == number]
        if not views:
            raise Http404
    sheets = [
        {
            "view": v,
            "start": actions.clock(v.route.start_s),
            "end": actions.clock(v.route.end_s),
            "visits": [
                {
                    "visit": visit,
                    "arrival": actions.clock(visit.arrival_s),
                    "start": actions.clock(visit.start_s),
                    "departure": actions.clock(visit.departure_s),
                }
                for visit in v.visits
            ],
        }
        for v in views
    ]
    return render(
        request, "public_services/operations/sheets.html", {"plan": plan, "sheets": sheets}
    )


def route_geojson(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as a GeoJSON FeatureCollection (RFC 7946: longitude, latitude): one
    LineString per route (depot to depot) and one Point per stop."""
    plan = queries.plan_get(user=request.user, pk=pk)
    features: list[dict[str, Any]] = []
    depot = [round(plan.depot_lon, 6), round(plan.depot_lat, 6)]
    served: dict[int, tuple[int, int]] = {}
    for view in queries.plan_routes(plan):
        route = view.route
        for visit in view.visits:
            served[visit.stop_id] = (route.number, visit.order)
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        depot,
                        *(
                            [round(v.stop.longitude, 6), round(v.stop.latitude, 6)]
                            for v in view.visits
                        ),
                        depot,
                    ],
                },
                "properties": {
                    "kind": "route",
                    "route": route.number,
                    "vehicle": route.vehicle.name,
                    "stops": len(view.visits),
                    "load": str(route.load),
                    "unit": plan.unit,
                    "distance_km": str(route.distance_km),
                    "leaves": actions.clock(route.start_s),
                    "returns": actions.clock(route.end_s),
                },
            }
        )
    features.append(
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": depot},
            "properties": {"kind": "depot", "name": plan.depot_name},
        }
    )
    for stop in queries.plan_stops(plan):
        route_number, order = served.get(stop.pk, (None, None))
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(stop.longitude, 6), round(stop.latitude, 6)],
                },
                "properties": {
                    "kind": "stop",
                    "number": stop.position,
                    "name": stop.name,
                    "quantity": str(stop.quantity),
                    "unit": plan.unit,
                    "route": route_number,
                    "order": order,
                },
            }
        )
    body = {"type": "FeatureCollection", "name": plan.name, "features": features}
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = f'attachment; filename="rutas-{plan.pk}.geojson"'
    return response


def route_gpx(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan as GPX 1.1: the depot and stops as waypoints, one route (<rte>) per vehicle
    with its stops in order, depot to depot."""
    plan = queries.plan_get(user=request.user, pk=pk)

    def point(tag: str, lat: float, lon: float, name: str, extra: str = "") -> str:
        return (
            f'<{tag} lat="{lat:.6f}" lon="{lon:.6f}"><name>{xml_escape(name)}</name>{extra}</{tag}>'
        )

    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="Comuna" xmlns="http://www.topografix.com/GPX/1/1">',
        f"<metadata><name>{xml_escape(plan.name)}</name></metadata>",
        point("wpt", plan.depot_lat, plan.depot_lon, plan.depot_name),
    ]
    parts.extend(
        point("wpt", s.latitude, s.longitude, f"{s.position}. {s.name}")
        for s in queries.plan_stops(plan)
    )
    for view in queries.plan_routes(plan):
        name = _("Route %(number)s: %(vehicle)s") % {
            "number": view.route.number,
            "vehicle": view.route.vehicle.name,
        }
        parts.append(f"<rte><name>{xml_escape(name)}</name><number>{view.route.number}</number>")
        parts.append(point("rtept", plan.depot_lat, plan.depot_lon, plan.depot_name))
        parts.extend(
            point(
                "rtept",
                v.stop.latitude,
                v.stop.longitude,
                f"{v.stop.position}. {v.stop.name}",
                f"<desc>{xml_escape(actions.clock(v.start_s))}</desc>",
            )
            for v in view.visits
        )
        parts.append(point("rtept", plan.depot_lat, plan.depot_lon, plan.depot_name))
        parts.append("</rte>")
    parts.append("</gpx>")
    response = HttpResponse("\n".join(parts), content_type="application/gpx+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rutas-{plan.pk}.gpx"'
    return response


def route_stops_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The stops of a plan with the route and time that serve them."""
    plan = queries.plan_get(user=request.user, pk=pk)
    served: dict[int, tuple[int, int, str, str]] = {}
    for view in queries.plan_routes(plan):
        for visit in view.visits:
            served[visit.stop_id] = (
                view.route.number,
                visit.order,
                view.route.vehicle.name,
                actions.clock(visit.start_s),
            )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("number"),
            _("name"),
            _("latitude"),
            _("longitude"),
            _("quantity"),
            _("unit"),
            _("route"),
            _("order"),
            _("vehicle"),
            _("service starts"),
        ]
    )
    for stop in queries.plan_stops(plan):
        route_number, order, vehicle, start = served.get(stop.pk, ("", "", "", ""))
        writer.writerow(
            [
                stop.position,
                stop.name,
                f"{stop.latitude:.6f}",
                f"{stop.longitude:.6f}",
                f"{Decimal(stop.quantity).normalize():f}",
                plan.unit,
                route_number,
                order,
                vehicle,
                start,
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="paradas-{plan.pk}.csv"'
    return response


# Announcements feed ------------------------------------------------------------------------------


class AnnouncementsFeed(Feed):
    """Atom feed of a commune's public announcements (changes of schedule, cuts, repairs)."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, slug: str) -> Organisation:
        return queries.commune_get(slug=slug)

    def title(self, obj: Organisation) -> str:
        return _("Service announcements of %(name)s") % {"name": obj.name}

    def link(self, obj: Organisation) -> str:
        return reverse("public_services:commune_schedules", args=[obj.slug])

    def description(self, obj: Organisation) -> str:
        return _("Changes of the water, rubbish and power schedules of %(name)s.") % {
            "name": obj.name
        }

    def items(self, obj: Organisation) -> list[Any]:
        return queries.announcements_for_owner(user=None, owner=obj, limit=30)

    def item_title(self, item: Any) -> str:
        return f"{item.sector.name}: {item.title}"

    def item_description(self, item: Any) -> str:
        return str(item.text)

    def item_link(self, item: Any) -> str:
        return reverse("public_services:sector", args=[item.sector_id]) + f"#aviso-{item.pk}"

    def item_pubdate(self, item: Any) -> datetime:
        return item.published_at
