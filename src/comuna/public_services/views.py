"""Pages of the public services reports side: reporting in two steps (works without
JavaScript), the tracking page with its questionnaire, the public list and page of each
report, the coordinators' inbox and triage, work orders, crews, assets, the catalogue and
the dashboards."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from comuna.core import access
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.forms import add_domain_error, form_page
from comuna.core.models import Organisation
from comuna.core.pagination import is_htmx, paginate
from comuna.public_services import actions, charts, queries, tapmap
from comuna.public_services.forms import (
    AssetFilterForm,
    AssetForm,
    AssetStateForm,
    AssignForm,
    AttributeForm,
    CrewForm,
    DuplicateForm,
    ImportForm,
    MaterialForm,
    MoveForm,
    NoteForm,
    PlaceForm,
    QuestionnaireForm,
    ReasonForm,
    ReportForm,
    RequestFilterForm,
    ResolveForm,
    ServiceEditForm,
    WorkNoteForm,
)
from comuna.public_services.models import (
    Asset,
    AssetKind,
    AssetState,
    ServiceGroup,
    ServiceRequest,
    Status,
    Step,
)
from comuna.public_services.places import check_point, route_point

#: Anonymous reports from the web: at most RATE_LIMIT per RATE_WINDOW seconds from one
#: address (signed-in residents are not limited).
RATE_LIMIT = 5
RATE_WINDOW = 3600
#: The dashboards show how the schedules were kept over this many days.
COMPLIANCE_DAYS = 30


def _form_field(name: str) -> str:
    """The form field of an action's field name: the answer to an extra question
    `attribute[code]` is the form's `attr_code`."""
    return f"attr_{name[10:-1]}" if name.startswith("attribute[") else name


def _decimal(value: str | None) -> float | None:
    try:
        number = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _owners_for(
    user: Any, kinds: tuple[str, ...] = ("commune", "council")
) -> list[tuple[int, str]]:
    """Organisations whose crews and assets the user keeps (coordinator or spokesperson)."""
    viewer = access.viewer_for(user)
    qs = Organisation.objects.filter(archived_at__isnull=True, kind__in=kinds)
    if not viewer.is_staff:
        ids = viewer.organisations_with({"coordinator", "spokesperson"})
        qs = qs.filter(Q(pk__in=ids) | access.below("parent", ids))
    return list(qs.order_by("name").values_list("pk", "name")[:500])


# Home --------------------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    recent = queries.requests_public(queries.RequestFilters())[:10]
    return render(
        request,
        "public_services/home.html",
        {
            "recent": list(recent),
            "can_triage": request.user.is_authenticated and queries.can_use_inbox(request.user),
            "board": queries.dashboard(commune_ids=None),
        },
    )


# Reporting, step 1: what and where ----------------------------------------------------------------


def report_place(request: HttpRequest) -> HttpResponse:
    services = queries.services_for(None)
    communes = queries.commune_choices()
    params = request.GET
    form = PlaceForm(params or None, services=services, communes=communes)
    c_lon, c_lat = _decimal(params.get("c_lon")), _decimal(params.get("c_lat"))
    c_span = _decimal(params.get("c_span"))
    lat, lon = _decimal(params.get("lat")), _decimal(params.get("lon"))
    commune_id = params.get("comuna", "")
    point: tuple[float, float] | None = (lon, lat) if lat is not None and lon is not None else None
    seat = queries.commune_point(int(commune_id)) if commune_id.isdigit() else None
    if c_lon is None or c_lat is None:
        if point is not None:
            win = tapmap.window(point[0], point[1], 0.02)
        elif seat is not None:
            win = tapmap.window(seat[0], seat[1], 0.06)
        else:
            win = tapmap.window(None, None, None)
    else:
        win = tapmap.window(c_lon, c_lat, c_span)
        if seat is not None and params.get("ver"):
            win = tapmap.window(seat[0], seat[1], 0.06)
    tap_x, tap_y = _decimal(params.get("mapa.x")), _decimal(params.get("mapa.y"))
    if tap_x is not None and tap_y is not None:
        point = win.to_point(tap_x, tap_y)
        win = win.zoomed(*point)
        data = params.copy()
        data["lon"], data["lat"] = str(point[0]), str(point[1])
        form = PlaceForm(data, services=services, communes=communes)
    elif params.get("paso") == "2" and form.is_valid():
        chosen = point
        if chosen is None and seat is not None:
            if not form.cleaned_data["direccion"]:
                form.add_error(
                    "direccion",
                    _("Without a point on the map, write the address so the crew finds it."),
                )
            chosen = seat
        if chosen is None:
            form.add_error(
                None,
                _(
                    "Choose the place: tap the map, use your phone's location, type the "
                    "latitude and longitude, or choose a commune and write the address."
                ),
            )
        else:
            try:
                check_point(chosen[0], chosen[1])
            except DomainError as err:
                form.add_error(None, err.message)
        if not form.errors and chosen is not None:
            query = urlencode(
                {
                    "servicio": form.cleaned_data["servicio"],
                    "lat": f"{chosen[1]:.6f}",
                    "lon": f"{chosen[0]:.6f}",
                    "direccion": form.cleaned_data["direccion"],
                }
            )
            return redirect(reverse("public_services:report_details") + "?" + query)
    map_query = urlencode(
        {
            "c_lon": f"{win.lon:.6f}",
            "c_lat": f"{win.lat:.6f}",
            "c_span": f"{win.span:.5f}",
            **({"m_lon": f"{point[0]:.6f}", "m_lat": f"{point[1]:.6f}"} if point else {}),
        }
    )
    return render(
        request,
        "public_services/report_place.html",
        {
            "form": form,
            "win": win,
            "point": point,
            "map_query": map_query,
            "size": tapmap.SIZE,
            "zoom_out": urlencode(
                {
                    **{k: str(v) for k, v in params.items() if k not in ("mapa.x", "mapa.y")},
                    "c_lon": f"{win.lon:.6f}",
                    "c_lat": f"{win.lat:.6f}",
                    "c_span": f"{min(tapmap.MAX_SPAN, win.span * tapmap.ZOOM):.5f}",
                }
            ),
        },
    )


def map_svg(request: HttpRequest) -> HttpResponse:
    params = request.GET
    win = tapmap.window(
        _decimal(params.get("c_lon")), _decimal(params.get("c_lat")), _decimal(params.get("c_span"))
    )
    m_lon, m_lat = _decimal(params.get("m_lon")), _decimal(params.get("m_lat"))
    marker = (m_lon, m_lat) if m_lon is not None and m_lat is not None else None
    svg = tapmap.render(win, marker, _("Tap the place of the problem"))
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=600"
    return response


# Reporting, step 2: "is it one of these?" and the report itself ----------------------------------


def _client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "unknown")


def rate_limited(request: HttpRequest) -> bool:
    """Count an anonymous report from this address; True when over the limit."""
    if request.user.is_authenticated:
        return False
    key = f"ps:report-rate:{_client_address(request)}"
    if cache.add(key, 1, RATE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, RATE_WINDOW)
        return False
    return count > RATE_LIMIT


@require_http_methods(["GET", "POST"])
def report_details(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    code = (source.get("servicio") or "").strip()[:40]
    lat, lon = _decimal(source.get("lat")), _decimal(source.get("lon"))
    back = (
        reverse("public_services:report")
        + "?"
        + urlencode(
            {
                k: v
                for k, v in (
                    ("servicio", code),
                    ("lat", source.get("lat", "")),
                    ("lon", source.get("lon", "")),
                    ("direccion", source.get("direccion", "")),
                )
                if v
            }
        )
    )
    if lat is None or lon is None:
        messages.error(request, _("Choose the place first."))
        return redirect(back)
    try:
        check_point(lon, lat)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect(back)
    destination = route_point(lon, lat)
    try:
        service = queries.service_for(destination.commune_id, code)
    except Http404:
        messages.error(request, _("Choose a service offered at that place."))
        return redirect(back)
    commune = (
        Organisation.objects.filter(pk=destination.commune_id).first()
        if destination.commune_id
        else None
    )
    nearby = queries.nearby_open(service_code=service.code, lon=lon, lat=lat)
    assets = (
        queries.assets_near(lon=lon, lat=lat, kinds=service.asset_kinds)
        if service.refers_to_asset
        else []
    )
    attributes = list(service.attributes.all())
    asset_choices = [(a.pk, f"{a.name} ({a.get_kind_display()})") for a in assets]
    initial = {
        "servicio": code,
        "lat": f"{lat:.6f}",
        "lon": f"{lon:.6f}",
        "direccion": source.get("direccion", "")[:300],
    }
    if request.user.is_authenticated:
        # A resident with an account gets the news at their address unless they change it.
        initial["contact_email"] = getattr(request.user, "email", "")
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        attributes=attributes,
        assets=asset_choices,
        initial=initial,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        if rate_limited(request):
            form.add_error(
                None,
                _(
                    "Too many reports from this connection in the last hour (at most "
                    "%(limit)s). Try again later or sign in."
                )
                % {"limit": RATE_LIMIT},
            )
            status = 429
        else:
            data = form.cleaned_data
            asset_id = data.get("asset")
            asset = Asset.objects.filter(pk=int(asset_id)).first() if asset_id else None
            uploads = [f for f in request.FILES.getlist("photos") if isinstance(f, UploadedFile)]
            try:
                item = actions.request_submit(
                    actor=request.user,
                    service=service,
                    lat=lat,
                    lon=lon,
                    description=data["description"],
                    address=data.get("direccion", ""),
                    attributes=form.answers(),
                    photos=uploads,
                    contact_name=data.get("contact_name", ""),
                    contact_email=data.get("contact_email", ""),
                    contact_phone=data.get("contact_phone", ""),
                    asset=asset,
                )
            except DomainError as err:
                add_domain_error(form, err, _form_field)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: your report #%(number)s was received. Keep the address of "
                        "this page to follow it."
                    )
                    % {"number": item.pk},
                )
                return redirect("public_services:track", token=item.token)
    if request.method == "POST" and form.errors and status == 200:
        status = 400
    return render(
        request,
        "public_services/report_details.html",
        {
            "form": form,
            "service": service,
            "commune": commune,
            "destination": destination,
            "nearby": nearby,
            "lat": lat,
            "lon": lon,
            "back": back,
        },
        status=status,
    )


# Tracking, photos ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, token: str) -> HttpResponse:
    item = queries.request_by_token(token)
    form = QuestionnaireForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.questionnaire_answer(
                token=token,
                fixed=form.cleaned_data["fixed"],
                comment=form.cleaned_data["comment"],
                actor=request.user,
            )
        except DomainError as err:
            add_domain_error(form, err, _form_field)
        else:
            messages.success(
                request,
                _("Thank you for confirming.")
                if form.cleaned_data["fixed"]
                else _("Thank you: the report was reopened."),
            )
            return redirect("public_services:track", token=token)
    response = render(
        request,
        "public_services/track.html",
        {
            "item": item,
            "events": list(queries.timeline(item)),
            "photos": queries.photos(item),
            "form": form,
            "answered": item.questionnaires.exists(),
        },
        status=400 if form.errors else 200,
    )
    # The token must not leak to other sites: the site's Referrer-Policy is "same-origin"
    # (not "no-referrer", which would send "Origin: null" and fail the CSRF check).
    response["Cache-Control"] = "private, no-store"
    return response


def photo(request: HttpRequest, pk: int) -> FileResponse:
    found = queries.photo_get(pk=pk)
    try:
        handle = found.image.open("rb")
    except FileNotFoundError as err:
        raise Http404 from err
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# The public list and page of a report ------------------------------------------------------------


def _filters(request: HttpRequest, *, commune: str = "") -> queries.RequestFilters:
    params = request.GET
    status = params.get("estado", "")
    step = params.get("paso", "")
    group = params.get("grupo", "")
    return queries.RequestFilters(
        commune=commune or params.get("comuna", "")[:120],
        status=status if status in Status.values else "",
        step=step if step in Step.values else "",
        group=group if group in ServiceGroup.values else "",
        overdue=params.get("vencidos") in ("on", "1", "true"),
        service=params.get("servicio", "")[:40],
    )


@vary_on_headers("HX-Request")
def requests_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page, query = paginate(request, queries.requests_public(filters))
    context = {
        "page": page,
        "query": query,
        "form": RequestFilterForm(request.GET or None),
        "export_query": request.GET.urlencode(),
        "now": timezone.now(),
    }
    if is_htmx(request):
        return render(request, "public_services/requests.html#results", context)
    return render(request, "public_services/requests.html", context)


def _csv_rows(qs: Any) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow(
        [
            "id",
            "service_code",
            "service",
            "commune",
            "status",
            "step",
            "requested",
            "expected",
            "closed",
            "address",
            "lat",
            "lon",
        ]
    )
    yield flush()
    for item in qs.iterator(chunk_size=500):
        writer.writerow(
            [
                item.pk,
                item.service.code,
                item.service.name,
                item.commune.slug if item.commune else "",
                item.status,
                item.step,
                timezone.localtime(item.requested_at).isoformat(),
                timezone.localtime(item.expected_at).isoformat() if item.expected_at else "",
                timezone.localtime(item.closed_at).isoformat() if item.closed_at else "",
                item.address,
                item.lat,
                item.lon,
            ]
        )
        yield flush()


def requests_csv(request: HttpRequest) -> StreamingHttpResponse:
    qs = queries.requests_public(_filters(request))
    response = StreamingHttpResponse(_csv_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reportes.csv"'
    return response


def _crew_choices(item: ServiceRequest) -> list[tuple[int, str]]:
    """(id, name) of the active crews of the report's commune (none in the parish queue)."""
    if not item.commune_id:
        return []
    return [(c.pk, c.name) for c in queries.crews_of(item.commune_id)]


def _detail_context(request: HttpRequest, item: ServiceRequest) -> dict[str, Any]:
    perms = queries.permissions(request.user, item)
    context: dict[str, Any] = {
        "item": item,
        "perms": perms,
        "events": list(queries.timeline(item)),
        "photos": queries.photos(item),
        "duplicates": list(item.duplicates.order_by("pk").values_list("pk", flat=True)[:50]),
    }
    if perms.triage:
        crews = _crew_choices(item)
        context.update(
            {
                "orders": list(queries.work_orders(item)),
                "crews": crews,
                "forms": {
                    "note": NoteForm(),
                    "reject": ReasonForm(),
                    "reopen": ReasonForm(),
                    "resolve": ResolveForm(),
                    "duplicate": DuplicateForm(),
                    "assign": AssignForm(crews=crews),
                    "move": MoveForm(communes=queries.commune_choices()),
                },
            }
        )
    return context


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.request_get(pk=pk)
    return render(request, "public_services/request.html", _detail_context(request, item))


TRIAGE_FORMS = {
    "verificar": None,
    "rechazar": ReasonForm,
    "reabrir": ReasonForm,
    "resolver": ResolveForm,
    "duplicado": DuplicateForm,
    "asignar": AssignForm,
    "nota": NoteForm,
    "enviar": MoveForm,
    "iniciar": None,
}
FORM_KEYS = {
    "rechazar": "reject",
    "reabrir": "reopen",
    "resolver": "resolve",
    "duplicado": "duplicate",
    "asignar": "assign",
    "nota": "note",
    "enviar": "move",
}


@login_required
@require_POST
def request_act(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """One triage step from the report's page (each has its small form there)."""
    item = queries.request_get(pk=pk)
    if what not in TRIAGE_FORMS:
        raise Http404
    if not actions.can_triage(request.user, item):
        raise PermissionDeniedError(
            _("Only the coordinators and spokespeople of the responsible commune may do this.")
        )
    form_class = TRIAGE_FORMS[what]
    form: Any = None
    if form_class is AssignForm:
        form = AssignForm(request.POST, crews=_crew_choices(item))
    elif form_class is MoveForm:
        form = MoveForm(request.POST, communes=queries.commune_choices())
    elif form_class is not None:
        form = form_class(request.POST)  # type: ignore[call-arg]
    try:
        if form is not None and not form.is_valid():
            raise DomainError(_("Check the form."), code="invalid")
        data = form.cleaned_data if form is not None else {}
        if what == "verificar":
            actions.request_verify(actor=request.user, request=item)
            done = _("The report was verified.")
        elif what == "rechazar":
            actions.request_reject(actor=request.user, request=item, reason=data["reason"])
            done = _("The report was rejected.")
        elif what == "reabrir":
            actions.request_reopen(actor=request.user, request=item, reason=data["reason"])
            done = _("The report was reopened.")
        elif what == "resolver":
            actions.request_resolve(actor=request.user, request=item, note=data["note"])
            done = _("The report was closed as fixed.")
        elif what == "duplicado":
            original = ServiceRequest.objects.filter(pk=data["original"]).first()
            if original is None:
                raise DomainError(
                    _("There is no report with this number."),
                    fields={"original": [_("There is no report with this number.")]},
                )
            actions.request_mark_duplicate(actor=request.user, request=item, original=original)
            done = _("The report was marked as a duplicate.")
        elif what == "asignar":
            crew = queries.crews_of(item.commune_id or 0).filter(pk=data["crew"]).first()
            if crew is None:
                raise DomainError(
                    _("Choose an active crew of the responsible commune."),
                    fields={"crew": [_("Choose an active crew of the responsible commune.")]},
                )
            actions.request_assign(
                actor=request.user, request=item, crew=crew, instructions=data["instructions"]
            )
            done = _("The report was assigned.")
        elif what == "iniciar":
            actions.request_start(actor=request.user, request=item)
            done = _("The work started.")
        elif what == "nota":
            actions.request_note(actor=request.user, request=item, text=data["text"])
            done = _("The note was added to the timeline.")
        else:
            commune = Organisation.objects.filter(pk=data["commune"]).first()
            if commune is None:
                raise DomainError(
                    _("Choose a commune."), fields={"commune": [_("Choose a commune.")]}
                )
            actions.request_move(actor=request.user, request=item, commune=commune)
            done = _("The report was sent to the commune.")
    except DomainError as err:
        # The page is built only when it is shown again: a step that works redirects.
        context = _detail_context(request, item)
        if form is not None:
            add_domain_error(form, err, _form_field)
            context["forms"][FORM_KEYS[what]] = form
            context["failed"] = FORM_KEYS[what]
        context["error"] = err.message
        return render(request, "public_services/request.html", context, status=400)
    messages.success(request, done)
    return redirect("public_services:request", pk=item.pk)


# Inbox -------------------------------------------------------------------------------------------


@login_required
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest) -> HttpResponse:
    if not queries.can_use_inbox(request.user):
        raise PermissionDeniedError(
            _("The inbox is for the coordinators and spokespeople of a commune.")
        )
    filters = _filters(request)
    if not request.GET.get("estado") and "estado" not in request.GET:
        filters = queries.RequestFilters(**{**filters.__dict__, "status": Status.OPEN})
    page, query = paginate(request, queries.inbox(request.user, filters))
    items = list(page.object_list)
    context = {
        "page": page,
        "items": items,
        "query": query,
        "form": RequestFilterForm(request.GET or {"estado": "open"}),
        "map": charts.points_map(
            [
                (
                    i.lon,
                    i.lat,
                    f"#{i.pk} {i.service.name}",
                    reverse("public_services:request", args=[i.pk]),
                    i.overdue,
                )
                for i in items
            ],
            _("Reports on this page"),
        ),
        "now": timezone.now(),
    }
    if is_htmx(request):
        return render(request, "public_services/inbox.html#results", context)
    return render(request, "public_services/inbox.html", context)


# Work orders and crews ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def work_order(request: HttpRequest, pk: int) -> HttpResponse:
    order = queries.work_order_get(user=request.user, pk=pk)
    note_form = WorkNoteForm(request.POST if request.POST.get("que") == "nota" else None)
    material_form = MaterialForm(request.POST if request.POST.get("que") == "material" else None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("que") == "nota" and note_form.is_valid():
                actions.work_order_note(
                    actor=request.user, order=order, text=note_form.cleaned_data["text"]
                )
                messages.success(request, _("The note was saved."))
                return redirect("public_services:work_order", pk=order.pk)
            if request.POST.get("que") == "material" and material_form.is_valid():
                data = material_form.cleaned_data
                actions.material_record(
                    actor=request.user,
                    order=order,
                    material=data["material"],
                    quantity=data["quantity"],
                    unit=data["unit"],
                )
                messages.success(request, _("The material was recorded."))
                return redirect("public_services:work_order", pk=order.pk)
        except DomainError as err:
            add_domain_error(note_form if request.POST.get("que") == "nota" else material_form, err)
        status = 400
    return render(
        request,
        "public_services/work_order.html",
        {
            "order": order,
            "notes": list(order.notes.select_related("author").order_by("at", "id")),
            "materials": list(order.materials.order_by("id")),
            "note_form": note_form,
            "material_form": material_form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def crews(request: HttpRequest) -> HttpResponse:
    owners = _owners_for(request.user, ("commune",))
    if not owners:
        raise PermissionDeniedError(_("Crews are kept by the coordinators of a commune."))
    form = CrewForm(request.POST if request.method == "POST" else None, owners=owners)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = Organisation.objects.filter(pk=data["owner"]).first()
        try:
            if owner is None:
                raise DomainError(
                    _("Choose a commune."), fields={"owner": [_("Choose a commune.")]}
                )
            actions.crew_create(
                actor=request.user,
                owner=owner,
                name=data["name"],
                group=data["group"],
                members=data["members"],
            )
        except DomainError as err:
            add_domain_error(form, err, _form_field)
        else:
            messages.success(request, _("The crew was created."))
            return redirect("public_services:crews")
    owner_ids = [pk for pk, _name in owners]
    return render(
        request,
        "public_services/crews.html",
        {"form": form, "crews": queries.crews_of_owners(owner_ids)},
        status=400 if form.errors else 200,
    )


# Assets ------------------------------------------------------------------------------------------


def _asset_filters(request: HttpRequest) -> queries.AssetFilters:
    params = request.GET
    kind, state = params.get("tipo", ""), params.get("estado", "")
    return queries.AssetFilters(
        owner=params.get("de", "")[:120],
        kind=kind if kind in AssetKind.values else "",
        state=state if state in AssetState.values else "",
        q=params.get("q", "").strip()[:100],
    )


@vary_on_headers("HX-Request")
def assets(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, queries.assets(_asset_filters(request)))
    context = {
        "page": page,
        "query": query,
        "form": AssetFilterForm(request.GET or None),
        "export_query": request.GET.urlencode(),
        "can_add": request.user.is_authenticated and bool(_owners_for(request.user)),
    }
    if is_htmx(request):
        return render(request, "public_services/assets.html#results", context)
    return render(request, "public_services/assets.html", context)


def asset_feature(asset: Asset) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": str(asset.pk),
        "geometry": asset.geometry,
        "properties": {
            "id": str(asset.pk),
            "kind": asset.kind,
            "name": asset.name,
            "code": asset.code,
            "state": asset.state,
            "owner": asset.owner.slug,
            "capacity": str(asset.capacity) if asset.capacity is not None else None,
            "capacity_unit": asset.capacity_unit or None,
            "description": asset.description,
        },
    }


def assets_geojson(request: HttpRequest) -> HttpResponse:
    qs = queries.assets(_asset_filters(request))[:20000]
    data = {"type": "FeatureCollection", "features": [asset_feature(a) for a in qs]}
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/geo+json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="activos.geojson"'
    return response


def _asset_rows(qs: Any) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["id", "owner", "kind", "name", "code", "state", "latitude", "longitude"]
    writer.writerow([*header, "capacity", "capacity_unit", "geometry_type"])
    for asset in qs.iterator(chunk_size=500):
        writer.writerow(
            [
                asset.pk,
                asset.owner.slug,
                asset.kind,
                asset.name,
                asset.code,
                asset.state,
                asset.latitude,
                asset.longitude,
                asset.capacity if asset.capacity is not None else "",
                asset.capacity_unit,
                asset.geometry.get("type", ""),
            ]
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
    yield buffer.getvalue()


def assets_csv(request: HttpRequest) -> StreamingHttpResponse:
    qs = queries.assets(_asset_filters(request))
    response = StreamingHttpResponse(_asset_rows(qs), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="activos.csv"'
    return response


def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = queries.asset_get(pk=pk)
    can_change = access.can_change(request.user, owner_id=asset.owner_id)
    form = AssetStateForm(
        request.POST if request.method == "POST" else None, initial={"state": asset.state}
    )
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_change:
            raise PermissionDeniedError(
                _("Only coordinators and spokespeople of its owner may change it.")
            )
        if form.is_valid():
            try:
                actions.asset_set_state(
                    actor=request.user,
                    asset=asset,
                    state=form.cleaned_data["state"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as err:
                add_domain_error(form, err, _form_field)
            else:
                messages.success(request, _("The state of the asset was saved."))
                return redirect("public_services:asset", pk=asset.pk)
        status = 400
    return render(
        request,
        "public_services/asset.html",
        {
            "asset": asset,
            "history": list(queries.asset_history(asset)[:100]),
            "reports": list(queries.asset_requests(asset)[:50]),
            "can_change": can_change,
            "form": form,
            "map": charts.points_map(
                [(asset.longitude, asset.latitude, asset.name, "", False)], asset.name
            ),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def asset_new(request: HttpRequest) -> HttpResponse:
    owners = _owners_for(request.user)
    if not owners:
        raise PermissionDeniedError(
            _("Assets are kept by the coordinators and spokespeople of a commune or council.")
        )
    form = AssetForm(request.POST if request.method == "POST" else None, owners=owners)
    if request.method == "POST" and form.is_valid():
        geometry = form.geometry()
        if geometry is not None:
            data = form.cleaned_data
            owner = Organisation.objects.get(pk=data["owner"])
            try:
                asset = actions.asset_create(
                    actor=request.user,
                    owner=owner,
                    kind=data["kind"],
                    name=data["name"],
                    code=data["code"],
                    geometry=geometry,
                    state=data["state"],
                    capacity=data["capacity"],
                    capacity_unit=data["capacity_unit"],
                    description=data["description"],
                )
            except DomainError as err:
                add_domain_error(form, err, _form_field)
            else:
                messages.success(request, _("The asset was added."))
                return redirect("public_services:asset", pk=asset.pk)
    return form_page(
        request,
        form,
        title=_("Add an asset"),
        back=reverse("public_services:assets"),
        base="public_services/_base.html",
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assets_import(request: HttpRequest) -> HttpResponse:
    owners = _owners_for(request.user)
    if not owners:
        raise PermissionDeniedError(
            _("Assets are kept by the coordinators and spokespeople of a commune or council.")
        )
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        owners=owners,
    )
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        owner = Organisation.objects.get(pk=form.cleaned_data["owner"])
        try:
            if upload.size > 10 * 1024 * 1024:
                raise DomainError(
                    _("The file is larger than 10 MB."),
                    fields={"file": [_("The file is larger than 10 MB.")]},
                )
            try:
                data = json.loads(upload.read().decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise DomainError(
                    _("The file is not GeoJSON (JSON in UTF-8)."),
                    fields={"file": [_("The file is not GeoJSON (JSON in UTF-8).")]},
                ) from None
            report = actions.assets_import(actor=request.user, owner=owner, data=data)
        except DomainError as err:
            add_domain_error(form, err, _form_field)
        else:
            if report.ok:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s asset was imported.",
                        "%(count)s assets were imported.",
                        report.created,
                    )
                    % {"count": report.created},
                )
                return redirect(
                    reverse("public_services:assets") + "?" + urlencode({"de": owner.slug})
                )
    return render(
        request,
        "public_services/import.html",
        {"form": form, "report": report},
        status=400 if (form.errors or (report and not report.ok)) else 200,
    )


# Catalogue ---------------------------------------------------------------------------------------


def catalogue(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("comuna", "")
    commune = queries.commune_by_slug(slug) if slug else None
    services = queries.services_for(commune.pk if commune else None, include_inactive=True)
    can_keep = request.user.is_authenticated and actions.can_keep_catalogue(
        request.user, commune.pk if commune else None
    )
    return render(
        request,
        "public_services/catalogue.html",
        {
            "commune": commune,
            "groups": [
                (label, [s for s in services if s.group == value])
                for value, label in ServiceGroup.choices
            ],
            "can_keep": can_keep,
            "communes": queries.commune_slug_choices(),
        },
    )


@login_required
@require_POST
def catalogue_install(request: HttpRequest) -> HttpResponse:
    try:
        created = actions.catalogue_install(actor=request.user, owner=None)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(
            request,
            ngettext("%(count)s service was added.", "%(count)s services were added.", len(created))
            % {"count": len(created)},
        )
    return redirect("public_services:catalogue")


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Change a service for one commune (it takes its own copy of a shared one first)."""
    commune = queries.commune_by_slug(slug)
    if not actions.can_keep_catalogue(request.user, commune.pk):
        raise PermissionDeniedError(_("Only a coordinator may keep this catalogue."))
    service = next(
        (s for s in queries.services_for(commune.pk, include_inactive=True) if s.code == code), None
    )
    if service is None:
        raise Http404
    form = ServiceEditForm(
        request.POST
        if request.POST.get("que") != "pregunta" and request.method == "POST"
        else None,
        initial={
            "name": service.name,
            "description": service.description,
            "target_hours": service.target_hours,
            "active": service.active,
        },
    )
    attr_form = AttributeForm(request.POST if request.POST.get("que") == "pregunta" else None)
    if request.method == "POST":
        try:
            own = actions.service_adopt(actor=request.user, commune=commune, code=code)
            if request.POST.get("que") == "pregunta":
                if attr_form.is_valid():
                    data = attr_form.cleaned_data
                    actions.attribute_add(
                        actor=request.user,
                        service=own,
                        code=data["code"],
                        description=data["description"],
                        datatype=data["datatype"],
                        required=data["required"],
                        values=attr_form.options(),
                    )
                    messages.success(request, _("The question was added."))
                    return redirect("public_services:service_edit", slug=slug, code=code)
            elif form.is_valid():
                data = form.cleaned_data
                actions.service_update(
                    actor=request.user,
                    service=own,
                    name=data["name"],
                    description=data["description"],
                    target_hours=data["target_hours"],
                    active=data["active"],
                )
                messages.success(request, _("The service was saved."))
                return redirect(
                    reverse("public_services:catalogue") + "?" + urlencode({"comuna": slug})
                )
        except DomainError as err:
            add_domain_error(attr_form if request.POST.get("que") == "pregunta" else form, err)
    return render(
        request,
        "public_services/service_edit.html",
        {"commune": commune, "service": service, "form": form, "attr_form": attr_form},
        status=400 if (form.errors or attr_form.errors) else 200,
    )


# Dashboards --------------------------------------------------------------------------------------


def dashboard(request: HttpRequest, slug: str = "") -> HttpResponse:
    commune = queries.commune_by_slug(slug) if slug else None
    today = timezone.localdate()
    board = queries.dashboard(commune_ids=[commune.pk] if commune else None, today=today)
    compliance = queries.compliance(
        organisation_ids=[commune.pk] if commune else None,
        since=today - timedelta(days=COMPLIANCE_DAYS),
    )
    return render(
        request,
        "public_services/dashboard.html",
        {
            "commune": commune,
            "board": board,
            "chart": charts.month_bars(board.months),
            "compliance": compliance,
            "services_run": queries.services_run(commune),
            "communes": queries.commune_choices(),
        },
    )


def dashboard_pick(request: HttpRequest) -> HttpResponse:
    pk = request.GET.get("comuna", "")
    slug = (
        Organisation.objects.filter(pk=int(pk)).values_list("slug", flat=True).first()
        if pk.isdigit()
        else None
    )
    if slug:
        return redirect("public_services:dashboard_commune", slug=slug)
    return redirect("public_services:dashboard")
