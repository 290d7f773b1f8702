"""Open311 GeoReport v2 under /open311/v2/, in XML and JSON by suffix.

What the server speaks (https://wiki.open311.org/GeoReport_v2):

- `discovery.{xml,json}`; `services.{xml,json}`; `services/<code>.{xml,json}`;
- `requests.{xml,json}`: GET with the spec's filters (`service_request_id` — a comma list,
  which overrides the others —, `service_code`, `start_date`, `end_date`, `status`), the
  newest first, at most 200 a page (`page` beyond the spec), 90 days by default; POST with
  an `api_key` (form-encoded as in the spec; photos as multipart `media` files, at most 3);
- `requests/<id>.{xml,json}`; `tokens/<token>.{xml,json}`;
- the FixMyStreet extension `servicerequestupdates.{xml,json}` (GET, `start_date`,
  `end_date`), whose `status` carries the finer steps (INVESTIGATING, ACTION_SCHEDULED,
  IN_PROGRESS, FIXED, DUPLICATE, NO_FURTHER_ACTION, INTERNAL_REFERRAL...).

`jurisdiction_id` is a commune's short name (slug); it is required when the server holds
more than one commune. Every id and code is a string. Errors are a list of
`{code, description}` (`<errors><error>` in XML) with the spec's statuses: 400 bad or
missing arguments, 403 missing or wrong api_key, 404 unknown service, request, token or
jurisdiction.

This server does not geocode: a POST needs `lat` and `long` (an `address_string` alone is
refused with 400). A POST without CSRF (Open311 clients authenticate with the api key) is
idempotent: with an `Idempotency-Key` header (core.idempotency) and, without one, an
identical repeat from the same key within 30 minutes returns the first report.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from comuna.core.errors import DomainError
from comuna.core.models import Organisation
from comuna.public_services import actions, queries
from comuna.public_services.models import (
    RequestUpdate,
    ServiceRequest,
    ServiceType,
    Source,
    Status,
    Step,
    UpdateKind,
)

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
PAGE = 200
DEFAULT_DAYS = 90
CHANGESET = "2026-11-29T00:00:00Z"
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"

#: The FixMyStreet extended statuses of a timeline entry.
FMS_STATUS = {
    Step.RECEIVED: "OPEN",
    Step.VERIFIED: "INVESTIGATING",
    Step.ASSIGNED: "ACTION_SCHEDULED",
    Step.IN_PROGRESS: "IN_PROGRESS",
    Step.RESOLVED: "FIXED",
    Step.REJECTED: "NO_FURTHER_ACTION",
    Step.DUPLICATE: "DUPLICATE",
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


# Rendering ---------------------------------------------------------------------------------------

PLURALS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _xml_element(tag: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = "".join(_xml_element(k, v) for k, v in value.items())
        return f"<{tag}>{inner}</{tag}>"
    if isinstance(value, list):
        child = PLURALS.get(tag, "item")
        inner = "".join(_xml_element(child, v) for v in value)
        return f"<{tag}>{inner}</{tag}>"
    if value is None or value == "":
        return f"<{tag}/>"
    return f"<{tag}>{_xml_value(value)}</{tag}>"


def to_xml(root: str, item: str | None, data: Any) -> str:
    """An XML document: `root` holding one `item` element per entry of `data` (a list), or
    `root` holding the fields of `data` (a dict) when `item` is None."""
    if item is None:
        body = _xml_element(root, data)
    else:
        body = f"<{root}>" + "".join(_xml_element(item, entry) for entry in data) + f"</{root}>"
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def respond(fmt: str, root: str, item: str | None, data: Any, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        response = HttpResponse(
            to_xml(root, item, data), content_type=FORMATS["xml"], status=status
        )
    else:
        response = JsonResponse(
            data, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
        )
        response["Content-Type"] = FORMATS["json"]
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(
        fmt, "errors", "error", [{"code": str(status), "description": description}], status
    )


def endpoint(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turns Open311Error, DomainError and Http404 into the spec's error bodies."""

    def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as err:
            return error(fmt, err.status, err.description)
        except DomainError as err:
            detail = "; ".join(
                f"{name}: {' '.join(str(m) for m in msgs)}" for name, msgs in err.fields.items()
            )
            return error(fmt, 404 if err.code == "not_found" else 400, detail or err.message)
        except Http404:
            return error(fmt, 404, _("Not found."))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return csrf_exempt(wrapped)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# Jurisdictions -----------------------------------------------------------------------------------


def jurisdiction(request: HttpRequest, params: Any) -> Organisation | None:
    """The commune named by jurisdiction_id; required when the server holds several."""
    slug = (params.get("jurisdiction_id") or "").strip()
    if not slug:
        only = queries.only_commune()
        if only is None and queries.communes_count() > 1:
            raise Open311Error(
                400,
                _("jurisdiction_id is required: give the short name of a commune."),
            )
        return only
    try:
        return queries.commune_by_slug(slug)
    except Http404:
        raise Open311Error(404, _("Unknown jurisdiction_id “%(slug)s”.") % {"slug": slug}) from None


# Services ----------------------------------------------------------------------------------------


def service_dict(service: ServiceType) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(list(service.attributes.all())),
        "type": "realtime",
        "keywords": service.keywords,
        "group": service.get_group_display(),
    }


def definition_dict(service: ServiceType) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": True,
                "code": attr.code,
                "datatype": attr.datatype,
                "required": attr.required,
                "datatype_description": None,
                "order": attr.order,
                "description": attr.description,
                "values": [
                    {"key": str(v.get("key")), "name": str(v.get("name"))} for v in attr.values
                ],
            }
            for attr in service.attributes.all()
        ],
    }


@endpoint
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = _absolute(reverse("open311:services", kwargs={"fmt": "xml"})).rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": _("Write to the coordinators of your commune, or to %(email)s.")
        % {"email": settings.DEFAULT_FROM_EMAIL},
        "key_service": _("Ask the server's operators for a key (comuna api-key create)."),
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", None, data)


@endpoint
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    commune = jurisdiction(request, request.GET)
    found = queries.services_for(commune.pk if commune else None)
    return respond(fmt, "services", "service", [service_dict(s) for s in found])


@endpoint
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    commune = jurisdiction(request, request.GET)
    try:
        service = queries.service_for(commune.pk if commune else None, code)
    except Http404:
        raise Open311Error(404, _("Unknown service_code “%(code)s”.") % {"code": code}) from None
    return respond(fmt, "service_definition", None, definition_dict(service))


# Requests ----------------------------------------------------------------------------------------


def request_dict(item: ServiceRequest, photo_urls: dict[int, str]) -> dict[str, Any]:
    if item.commune is not None:
        agency = item.commune.name
    elif item.parish is not None:
        agency = _("Parish queue: %(parish)s") % {"parish": item.parish.name}
    else:
        agency = _("Network coordination")
    media = photo_urls.get(item.pk) or item.media_url or None
    return {
        "service_request_id": str(item.pk),
        "status": item.status,
        "status_notes": item.status_notes or None,
        "service_name": item.service.name,
        "service_code": item.service.code,
        "description": item.description,
        "agency_responsible": agency,
        "service_notice": (
            _("Expected by %(when)s.")
            % {"when": timezone.localtime(item.expected_at).strftime("%d/%m/%Y %H:%M")}
            if item.expected_at and item.status == Status.OPEN
            else None
        ),
        "requested_datetime": _iso(item.requested_at),
        "updated_datetime": _iso(item.updated_at),
        "expected_datetime": _iso(item.expected_at),
        "address": item.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": item.lat,
        "long": item.lon,
        "media_url": media,
    }


def _photo_urls(items: Iterable[ServiceRequest]) -> dict[int, str]:
    from comuna.public_services.models import RequestPhoto

    ids = [item.pk for item in items]
    urls: dict[int, str] = {}
    for request_id, photo_id in (
        RequestPhoto.objects.filter(request_id__in=ids)
        .order_by("request_id", "position", "id")
        .values_list("request_id", "pk")
    ):
        if request_id not in urls:
            urls[request_id] = _absolute(reverse("public_services:photo", args=[photo_id]))
    return urls


def _when(value: str, name: str, *, end: bool = False) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value.replace(" ", "+"))
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise Open311Error(
                400, _("%(name)s is not a date and time (ISO 8601).") % {"name": name}
            )
        moment = datetime.combine(day, datetime.max.time() if end else datetime.min.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.GET
    commune = jurisdiction(request, params)
    ids_text = (params.get("service_request_id") or "").strip()
    if ids_text:
        ids: list[int] = []
        for part in ids_text.split(","):
            if not re.fullmatch(r"\s*\d{1,18}\s*", part):
                raise Open311Error(
                    400, _("service_request_id must be numbers separated by commas.")
                )
            ids.append(int(part))
        qs: QuerySet[ServiceRequest] = queries.requests_public(
            queries.RequestFilters(ids=tuple(ids[:PAGE]))
        )
    else:
        status = (params.get("status") or "").strip().lower()
        statuses = [s for s in status.split(",") if s]
        if any(s not in (Status.OPEN, Status.CLOSED) for s in statuses):
            raise Open311Error(400, _("status must be open or closed."))
        since = _when(params.get("start_date", ""), "start_date")
        until = _when(params.get("end_date", ""), "end_date", end=True)
        if since is None:
            since = (until or timezone.now()) - timedelta(days=DEFAULT_DAYS)
        if until is not None and until < since:
            raise Open311Error(400, _("end_date is before start_date."))
        filters = queries.RequestFilters(
            commune=commune.slug if commune else "",
            service=(params.get("service_code") or "").strip(),
            status=statuses[0] if len(statuses) == 1 else "",
            since=since,
            until=until,
        )
        qs = queries.requests_public(filters)
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        raise Open311Error(400, _("page must be a number.")) from None
    items = list(qs[(page - 1) * PAGE : page * PAGE])
    photos = _photo_urls(items)
    return respond(fmt, "service_requests", "request", [request_dict(i, photos) for i in items])


def _uploads(request: HttpRequest) -> list[UploadedFile]:
    return [f for f in request.FILES.getlist("media") if isinstance(f, UploadedFile)]


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    params = request.POST
    key = actions.api_key_check((params.get("api_key") or request.GET.get("api_key") or "").strip())
    if key is None:
        raise Open311Error(
            403, _("Invalid or missing api_key: ask the operators of this server for one.")
        )
    commune = jurisdiction(request, params)
    code = (params.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code is required."))
    try:
        service = queries.service_for(commune.pk if commune else None, code)
    except Http404:
        raise Open311Error(404, _("Unknown service_code “%(code)s”.") % {"code": code}) from None
    lat, lon = (params.get("lat") or "").strip(), (params.get("long") or "").strip()
    if not lat or not lon:
        if params.get("address_string") or params.get("address_id"):
            raise Open311Error(
                400, _("lat and long are required: this server does not look up addresses.")
            )
        raise Open311Error(400, _("A location is required: give lat and long."))
    description = params.get("description") or ""
    if len(description) > actions.MAX_DESCRIPTION:
        raise Open311Error(400, _("description is longer than 4000 characters."))
    answers: dict[str, Any] = {}
    for name in params:
        match = re.fullmatch(r"attribute\[([^\]]+)\](\[\])?", name)
        if match:
            values = params.getlist(name)
            answers[match.group(1)] = values if len(values) > 1 or match.group(2) else values[0]
    contact = " ".join(
        part
        for part in (
            (params.get("first_name") or "").strip(),
            (params.get("last_name") or "").strip(),
        )
        if part
    )
    item = actions.request_submit(
        actor=None,
        service=service,
        lat=lat,
        lon=lon,
        description=description,
        address=params.get("address_string") or "",
        attributes=answers,
        photos=_uploads(request),
        contact_name=contact[:120],
        contact_email=params.get("email") or "",
        contact_phone=params.get("phone") or "",
        source=Source.OPEN311,
        api_key=key,
        media_url=(params.get("media_url") or "").strip()
        if (params.get("media_url") or "").startswith(("http://", "https://"))
        else "",
    )
    data = [
        {
            "service_request_id": str(item.pk),
            "token": item.token,
            "service_notice": _("Expected by %(when)s.")
            % {"when": timezone.localtime(item.expected_at).strftime("%d/%m/%Y %H:%M")}
            if item.expected_at
            else None,
            "account_id": None,
        }
    ]
    return respond(fmt, "service_requests", "request", data, status=201)


@endpoint
@require_http_methods(["GET", "POST"])
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@endpoint
def request_detail(request: HttpRequest, pk: str, fmt: str) -> HttpResponse:
    jurisdiction(request, request.GET)
    if not pk.isdigit() or len(pk) > 18:
        raise Open311Error(404, _("Unknown service_request_id."))
    try:
        item = queries.request_get(pk=int(pk))
    except Http404:
        raise Open311Error(404, _("Unknown service_request_id.")) from None
    return respond(fmt, "service_requests", "request", [request_dict(item, _photo_urls([item]))])


@endpoint
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    jurisdiction(request, request.GET)
    try:
        item = queries.request_by_token(token)
    except Http404:
        raise Open311Error(404, _("Unknown token.")) from None
    return respond(
        fmt,
        "service_requests",
        "request",
        [{"service_request_id": str(item.pk), "token": item.token}],
    )


def fms_status(update: RequestUpdate) -> str:
    if update.kind == UpdateKind.MOVED:
        return "INTERNAL_REFERRAL"
    if update.kind == UpdateKind.REOPENED:
        return "OPEN"
    return FMS_STATUS.get(Step(update.step), "OPEN")


@endpoint
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """FixMyStreet's servicerequestupdates: the public timeline entries, oldest first."""
    params = request.GET
    commune = jurisdiction(request, params)
    since = _when(params.get("start_date", ""), "start_date")
    until = _when(params.get("end_date", ""), "end_date", end=True)
    if since is None:
        since = (until or timezone.now()) - timedelta(days=DEFAULT_DAYS)
    qs = RequestUpdate.objects.filter(at__gte=since).select_related("request")
    if until is not None:
        qs = qs.filter(at__lte=until)
    if commune is not None:
        qs = qs.filter(request__commune=commune)
    try:
        page = max(1, int(params.get("page", "1")))
    except ValueError:
        raise Open311Error(400, _("page must be a number.")) from None
    items = list(qs.order_by("at", "id")[(page - 1) * PAGE : page * PAGE])
    data = [
        {
            "update_id": str(u.pk),
            "service_request_id": str(u.request_id),
            "status": fms_status(u),
            "updated_datetime": _iso(u.at),
            "description": u.text or u.get_kind_display(),
            "media_url": None,
        }
        for u in items
    ]
    return respond(fmt, "service_request_updates", "request_update", data)
