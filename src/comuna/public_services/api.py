"""Public services API under /api/v1/public-services/: the catalogue, reports (list, one,
file), triage (verify, reject, duplicate, assign, start, resolve, note, reopen, move),
work orders (notes, materials), crews, assets (list, one, create, state, GeoJSON import),
and the dashboards. Open311 clients use /open311/v2/ instead (see open311.py).

(No `from __future__ import annotations` here: ninja reads the annotations at import time.)"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from comuna.core.auth import token_required
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import Organisation
from comuna.public_services import actions, queries
from comuna.public_services.api_operations import router as operations_router
from comuna.public_services.models import (
    Asset,
    AssetKind,
    AssetState,
    Crew,
    ServiceRequest,
    ServiceType,
    Step,
    WorkOrder,
)

router = Router(tags=["public-services"])


# Schemas -----------------------------------------------------------------------------------------


class AttributeOut(Schema):
    code: str
    description: str
    datatype: str
    required: bool
    values: list[dict[str, str]]


class ServiceOut(Schema):
    code: str
    name: str
    group: str
    description: str
    target_hours: int
    refers_to_asset: bool
    asset_kinds: list[str]
    active: bool
    shared: bool
    attributes: list[AttributeOut]


class UpdateOut(Schema):
    at: datetime
    kind: str
    step: str
    status: str
    text: str


class RequestOut(Schema):
    id: int
    service: str
    service_name: str
    status: str
    step: str
    commune: str | None
    parish: str | None
    lat: float
    lon: float
    address: str
    description: str
    requested_at: datetime
    expected_at: datetime | None
    closed_at: datetime | None
    overdue: bool
    crew: str | None
    asset: int | None
    duplicate_of: int | None

    @staticmethod
    def resolve_id(obj: Any) -> int:
        return int(obj["id"] if isinstance(obj, dict) else obj.pk)

    @staticmethod
    def resolve_service(obj: Any) -> str:
        return str(obj["service"] if isinstance(obj, dict) else obj.service.code)

    @staticmethod
    def resolve_service_name(obj: Any) -> str:
        return str(obj["service_name"] if isinstance(obj, dict) else obj.service.name)

    @staticmethod
    def resolve_commune(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj["commune"]
        return obj.commune.slug if obj.commune else None

    @staticmethod
    def resolve_parish(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj["parish"]
        return obj.parish.code if obj.parish else None

    @staticmethod
    def resolve_crew(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj["crew"]
        return obj.crew.name if obj.crew else None

    @staticmethod
    def resolve_asset(obj: Any) -> int | None:
        return obj["asset"] if isinstance(obj, dict) else obj.asset_id

    @staticmethod
    def resolve_duplicate_of(obj: Any) -> int | None:
        return obj["duplicate_of"] if isinstance(obj, dict) else obj.duplicate_of_id


class ContactOut(Schema):
    name: str
    email: str
    phone: str


class RequestDetailOut(RequestOut):
    attributes: dict[str, Any]
    status_notes: str
    timeline: list[UpdateOut]
    photos: list[str]
    contact: ContactOut | None = Field(None, description="Only for who may see it.")


class RequestCreatedOut(RequestDetailOut):
    token: str = Field(description="The tracking token: keep it; it opens the tracking page.")
    tracking_url: str


class RequestIn(Schema):
    service: str = Field(description="The service code (see /services).")
    lat: float
    lon: float
    description: str = Field(max_length=4000)
    address: str = ""
    attributes: dict[str, Any] = Field(default_factory=dict)
    asset: int | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


class RequestFiltersIn(Schema):
    commune: str = Field("", description="Short name of the responsible commune.")
    service: str = Field("", description="Service code(s), comma-separated.")
    status: str = Field("", description="open or closed.")
    step: str = Field("", description="received, verified, assigned, in_progress, resolved...")
    overdue: bool = False


class NoteIn(Schema):
    text: str = Field(max_length=1000)


class ReasonIn(Schema):
    reason: str = Field(max_length=500)


class ResolveIn(Schema):
    note: str = Field("", max_length=500)


class DuplicateIn(Schema):
    original: int


class AssignIn(Schema):
    crew: int
    instructions: str = Field("", max_length=500)


class MoveIn(Schema):
    commune: str = Field(description="Short name of the commune.")


class MaterialIn(Schema):
    material: str = Field(max_length=150)
    quantity: Decimal
    unit: str = Field(max_length=20)


class MaterialOut(Schema):
    material: str
    quantity: Decimal
    unit: str


class WorkOrderOut(Schema):
    id: int
    request: int
    crew: str
    status: str
    instructions: str
    started_at: datetime | None
    finished_at: datetime | None
    materials: list[MaterialOut]
    notes: list[str]


class CrewIn(Schema):
    commune: str
    name: str = Field(max_length=120)
    group: str
    members: str = ""


class CrewOut(Schema):
    id: int
    commune: str
    name: str
    group: str
    members: str
    active: bool


class AssetIn(Schema):
    owner: str = Field(description="Short name of the commune or council.")
    kind: str = Field(description=", ".join(AssetKind.values))
    name: str
    geometry: dict[str, Any] = Field(description="A GeoJSON Point or LineString (lon, lat).")
    state: str = Field(AssetState.WORKING, description=", ".join(AssetState.values))
    code: str = ""
    description: str = ""
    capacity: Decimal | None = None
    capacity_unit: str = ""


class AssetStateIn(Schema):
    state: str
    note: str = ""


class AssetOut(Schema):
    id: int
    owner: str

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj["owner"] if isinstance(obj, dict) else obj.owner.slug)

    kind: str
    name: str
    code: str
    state: str
    geometry: dict[str, Any]
    latitude: float
    longitude: float
    capacity: Decimal | None
    capacity_unit: str


class AssetFiltersIn(Schema):
    owner: str = ""
    kind: str = ""
    state: str = ""
    q: str = ""


class FeatureCollectionIn(Schema):
    type: str = Field(description="FeatureCollection")
    features: list[dict[str, Any]]


class ImportOut(Schema):
    created: int
    errors: dict[str, dict[str, list[str]]]


class ServiceFiguresOut(Schema):
    code: str
    label: str
    open: int
    overdue: int
    closed: int
    median_days: float | None


class MonthOut(Schema):
    month: str
    opened: int
    closed: int


class DashboardOut(Schema):
    commune: str | None
    open: int
    overdue: int
    closed: int
    median_days: float | None
    by_service: list[ServiceFiguresOut]
    months: list[MonthOut]


# Helpers -----------------------------------------------------------------------------------------


def _commune(slug: str, field: str = "commune") -> Organisation:
    try:
        return queries.commune_by_slug(slug)
    except Http404:
        message = _("Unknown commune.")
        raise DomainError(message, code="not_found", fields={field: [message]}) from None


def _organisation(slug: str, field: str) -> Organisation:
    found = Organisation.objects.filter(slug=slug, kind__in=["commune", "council"]).first()
    if found is None:
        message = _("Unknown commune or council.")
        raise DomainError(message, code="not_found", fields={field: [message]})
    return found


def service_out(service: ServiceType) -> dict[str, Any]:
    return {
        "code": service.code,
        "name": service.name,
        "group": service.group,
        "description": service.description,
        "target_hours": service.target_hours,
        "refers_to_asset": service.refers_to_asset,
        "asset_kinds": list(service.asset_kinds),
        "active": service.active,
        "shared": service.owner_id is None,
        "attributes": [
            {
                "code": a.code,
                "description": a.description,
                "datatype": a.datatype,
                "required": a.required,
                "values": [
                    {"key": str(v.get("key")), "name": str(v.get("name"))} for v in a.values
                ],
            }
            for a in service.attributes.all()
        ],
    }


def request_out(item: ServiceRequest) -> dict[str, Any]:
    return {
        "id": item.pk,
        "service": item.service.code,
        "service_name": item.service.name,
        "status": item.status,
        "step": item.step,
        "commune": item.commune.slug if item.commune else None,
        "parish": item.parish.code if item.parish else None,
        "lat": item.lat,
        "lon": item.lon,
        "address": item.address,
        "description": item.description,
        "requested_at": item.requested_at,
        "expected_at": item.expected_at,
        "closed_at": item.closed_at,
        "overdue": item.overdue,
        "crew": item.crew.name if item.crew else None,
        "asset": item.asset_id,
        "duplicate_of": item.duplicate_of_id,
    }


def request_detail_out(request: HttpRequest, pk: int) -> dict[str, Any]:
    item = queries.request_get(pk=pk)
    perms = queries.permissions(request.user, item)
    from django.urls import reverse

    return {
        **request_out(item),
        "attributes": item.attributes,
        "status_notes": item.status_notes,
        "timeline": [
            {"at": u.at, "kind": u.kind, "step": u.step, "status": u.status, "text": u.text}
            for u in queries.timeline(item)
        ],
        "photos": [
            request.build_absolute_uri(reverse("public_services:photo", args=[p.pk]))
            for p in queries.photos(item)
        ],
        "contact": (
            {"name": item.contact_name, "email": item.contact_email, "phone": item.contact_phone}
            if perms.contact
            else None
        ),
    }


def order_out(order: WorkOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "request": order.request_id,
        "crew": order.crew.name,
        "status": order.status,
        "instructions": order.instructions,
        "started_at": order.started_at,
        "finished_at": order.finished_at,
        "materials": [
            {"material": m.material, "quantity": m.quantity, "unit": m.unit}
            for m in order.materials.all()
        ],
        "notes": [n.text for n in order.notes.all()],
    }


def crew_out(crew: Crew, commune: Organisation) -> dict[str, Any]:
    return {
        "id": crew.pk,
        "commune": commune.slug,
        "name": crew.name,
        "group": crew.group,
        "members": crew.members,
        "active": crew.active,
    }


def asset_out(asset: Asset) -> dict[str, Any]:
    return {
        "id": asset.pk,
        "owner": asset.owner.slug,
        "kind": asset.kind,
        "name": asset.name,
        "code": asset.code,
        "state": asset.state,
        "geometry": asset.geometry,
        "latitude": asset.latitude,
        "longitude": asset.longitude,
        "capacity": asset.capacity,
        "capacity_unit": asset.capacity_unit,
    }


def _triage_target(request: HttpRequest, pk: int) -> ServiceRequest:
    item = queries.request_get(pk=pk)
    if not actions.can_triage(request.user, item):
        raise PermissionDeniedError(
            _("Only the coordinators and spokespeople of the responsible commune may do this.")
        )
    return item


# Catalogue ---------------------------------------------------------------------------------------


@router.get("/services", response=list[ServiceOut], summary="The services a commune offers")
def services(request: HttpRequest, commune: str = "") -> list[dict[str, Any]]:
    found = queries.services_for(_commune(commune).pk if commune else None)
    return [service_out(s) for s in found]


# Reports -----------------------------------------------------------------------------------------


@router.get("/requests", response=list[RequestOut], summary="Reports (public; newest first)")
@paginate(PageNumberPagination)
def requests_list(request: HttpRequest, filters: Query[RequestFiltersIn]) -> Any:
    found = queries.requests_public(
        queries.RequestFilters(
            commune=filters.commune,
            service=filters.service,
            status=filters.status,
            step=filters.step if filters.step in Step.values else "",
            overdue=filters.overdue,
        )
    ).select_related("crew")
    return found


@router.get("/inbox", response=list[RequestOut], auth=token_required, summary="My inbox")
@paginate(PageNumberPagination)
def inbox(request: HttpRequest, filters: Query[RequestFiltersIn]) -> Any:
    if not queries.can_use_inbox(request.user):
        raise PermissionDeniedError(
            _("The inbox is for the coordinators and spokespeople of a commune.")
        )
    found = queries.inbox(
        request.user,
        queries.RequestFilters(
            commune=filters.commune,
            service=filters.service,
            status=filters.status or "open",
            step=filters.step if filters.step in Step.values else "",
            overdue=filters.overdue,
        ),
    )
    return found


@router.get("/requests/{pk}", response=RequestDetailOut, summary="A report and its timeline")
def request_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return request_detail_out(request, pk)


@router.post(
    "/requests",
    response={201: RequestCreatedOut},
    summary="File a report (signed in; anonymous residents use the page or Open311)",
    auth=token_required,
)
def request_create(request: HttpRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    from comuna.public_services.places import check_point, route_point

    lon, lat = check_point(payload.lon, payload.lat)
    destination = route_point(lon, lat)
    try:
        service = queries.service_for(destination.commune_id, payload.service)
    except Http404:
        message = _("Unknown service.")
        raise DomainError(message, code="not_found", fields={"service": [message]}) from None
    asset = Asset.objects.filter(pk=payload.asset).first() if payload.asset else None
    if payload.asset and asset is None:
        raise DomainError(_("Unknown asset."), fields={"asset": [_("Unknown asset.")]})
    item = actions.request_submit(
        actor=request.user,
        service=service,
        lat=lat,
        lon=lon,
        description=payload.description,
        address=payload.address,
        attributes=payload.attributes,
        asset=asset,
        contact_name=payload.contact_name,
        contact_email=payload.contact_email,
        contact_phone=payload.contact_phone,
        source="web",
    )
    from django.urls import reverse

    body = request_detail_out(request, item.pk)
    body["token"] = item.token
    body["tracking_url"] = request.build_absolute_uri(
        reverse("public_services:track", args=[item.token])
    )
    return Status(201, body)


@router.post("/requests/{pk}/verify", response=RequestDetailOut, auth=token_required)
def request_verify(request: HttpRequest, pk: int) -> dict[str, Any]:
    actions.request_verify(actor=request.user, request=_triage_target(request, pk))
    return request_detail_out(request, pk)


@router.post("/requests/{pk}/reject", response=RequestDetailOut, auth=token_required)
def request_reject(request: HttpRequest, pk: int, payload: ReasonIn) -> dict[str, Any]:
    actions.request_reject(
        actor=request.user, request=_triage_target(request, pk), reason=payload.reason
    )
    return request_detail_out(request, pk)


@router.post("/requests/{pk}/duplicate", response=RequestDetailOut, auth=token_required)
def request_duplicate(request: HttpRequest, pk: int, payload: DuplicateIn) -> dict[str, Any]:
    item = _triage_target(request, pk)
    original = ServiceRequest.objects.filter(pk=payload.original).first()
    if original is None:
        message = _("There is no report with this number.")
        raise DomainError(message, fields={"original": [message]})
    actions.request_mark_duplicate(actor=request.user, request=item, original=original)
    return request_detail_out(request, pk)


@router.post("/requests/{pk}/assign", response={201: WorkOrderOut}, auth=token_required)
def request_assign(request: HttpRequest, pk: int, payload: AssignIn) -> Status[dict[str, Any]]:
    item = _triage_target(request, pk)
    crew = Crew.objects.filter(pk=payload.crew).first()
    if crew is None:
        message = _("Choose an active crew of the responsible commune.")
        raise DomainError(message, fields={"crew": [message]})
    order = actions.request_assign(
        actor=request.user, request=item, crew=crew, instructions=payload.instructions
    )
    return Status(201, order_out(order))


@router.post("/requests/{pk}/start", response=RequestDetailOut, auth=token_required)
def request_start(request: HttpRequest, pk: int, payload: ResolveIn) -> dict[str, Any]:
    item = _triage_target(request, pk)
    actions.request_start(actor=request.user, request=item, note=payload.note)
    return request_detail_out(request, pk)


@router.post("/requests/{pk}/resolve", response=RequestDetailOut, auth=token_required)
def request_resolve(request: HttpRequest, pk: int, payload: ResolveIn) -> dict[str, Any]:
    actions.request_resolve(
        actor=request.user, request=_triage_target(request, pk), note=payload.note
    )
    return request_detail_out(request, pk)


@router.post("/requests/{pk}/reopen", response=RequestDetailOut, auth=token_required)
def request_reopen(request: HttpRequest, pk: int, payload: ReasonIn) -> dict[str, Any]:
    actions.request_reopen(
        actor=request.user, request=_triage_target(request, pk), reason=payload.reason
    )
    return request_detail_out(request, pk)


@router.post("/requests/{pk}/notes", response=RequestDetailOut, auth=token_required)
def request_note(request: HttpRequest, pk: int, payload: NoteIn) -> dict[str, Any]:
    actions.request_note(actor=request.user, request=_triage_target(request, pk), text=payload.text)
    return request_detail_out(request, pk)


@router.post("/requests/{pk}/move", response=RequestDetailOut, auth=token_required)
def request_move(request: HttpRequest, pk: int, payload: MoveIn) -> dict[str, Any]:
    item = _triage_target(request, pk)
    actions.request_move(actor=request.user, request=item, commune=_commune(payload.commune))
    return request_detail_out(request, pk)


# Work orders and crews ---------------------------------------------------------------------------


@router.get("/work-orders/{pk}", response=WorkOrderOut, auth=token_required)
def work_order(request: HttpRequest, pk: int) -> dict[str, Any]:
    return order_out(queries.work_order_get(user=request.user, pk=pk))


@router.post("/work-orders/{pk}/materials", response={201: WorkOrderOut}, auth=token_required)
def material_add(request: HttpRequest, pk: int, payload: MaterialIn) -> Status[dict[str, Any]]:
    order = queries.work_order_get(user=request.user, pk=pk)
    actions.material_record(
        actor=request.user,
        order=order,
        material=payload.material,
        quantity=payload.quantity,
        unit=payload.unit,
    )
    return Status(201, order_out(queries.work_order_get(user=request.user, pk=pk)))


@router.post("/work-orders/{pk}/notes", response={201: WorkOrderOut}, auth=token_required)
def work_note_add(request: HttpRequest, pk: int, payload: NoteIn) -> Status[dict[str, Any]]:
    order = queries.work_order_get(user=request.user, pk=pk)
    actions.work_order_note(actor=request.user, order=order, text=payload.text)
    return Status(201, order_out(queries.work_order_get(user=request.user, pk=pk)))


@router.get("/crews", response=list[CrewOut], summary="Crews of a commune")
def crews(request: HttpRequest, commune: str) -> list[dict[str, Any]]:
    found = _commune(commune)
    return [crew_out(c, found) for c in queries.crews_of(found.pk, active_only=False)]


@router.post("/crews", response={201: CrewOut}, auth=token_required)
def crew_create(request: HttpRequest, payload: CrewIn) -> Status[dict[str, Any]]:
    commune = _commune(payload.commune)
    crew = actions.crew_create(
        actor=request.user,
        owner=commune,
        name=payload.name,
        group=payload.group,
        members=payload.members,
    )
    return Status(201, crew_out(crew, commune))


# Assets ------------------------------------------------------------------------------------------


@router.get("/assets", response=list[AssetOut], summary="Assets (public)")
@paginate(PageNumberPagination)
def assets(request: HttpRequest, filters: Query[AssetFiltersIn]) -> Any:
    found = queries.assets(
        queries.AssetFilters(
            owner=filters.owner,
            kind=filters.kind if filters.kind in AssetKind.values else "",
            state=filters.state if filters.state in AssetState.values else "",
            q=filters.q[:100],
        )
    )
    return found


@router.get("/assets/{pk}", response=AssetOut, summary="One asset")
def asset(request: HttpRequest, pk: int) -> dict[str, Any]:
    return asset_out(queries.asset_get(pk=pk))


@router.post("/assets", response={201: AssetOut}, auth=token_required)
def asset_create(request: HttpRequest, payload: AssetIn) -> Status[dict[str, Any]]:
    found = actions.asset_create(
        actor=request.user,
        owner=_organisation(payload.owner, "owner"),
        kind=payload.kind,
        name=payload.name,
        geometry=payload.geometry,
        state=payload.state,
        code=payload.code,
        description=payload.description,
        capacity=payload.capacity,
        capacity_unit=payload.capacity_unit,
    )
    return Status(201, asset_out(found))


@router.post("/assets/{pk}/state", response=AssetOut, auth=token_required)
def asset_state(request: HttpRequest, pk: int, payload: AssetStateIn) -> dict[str, Any]:
    found = queries.asset_get(pk=pk)
    actions.asset_set_state(actor=request.user, asset=found, state=payload.state, note=payload.note)
    return asset_out(queries.asset_get(pk=pk))


@router.post(
    "/organisations/{slug}/assets/import",
    response={201: ImportOut, 422: ImportOut},
    auth=token_required,
    summary="Import a GeoJSON FeatureCollection of assets (all or nothing)",
)
def assets_import(
    request: HttpRequest, slug: str, payload: FeatureCollectionIn
) -> Status[dict[str, Any]]:
    report = actions.assets_import(
        actor=request.user,
        owner=_organisation(slug, "owner"),
        data={"type": payload.type, "features": payload.features},
    )
    body = {"created": report.created, "errors": {str(k): v for k, v in report.errors.items()}}
    return Status(201 if report.ok else 422, body)


# Dashboards --------------------------------------------------------------------------------------


@router.get("/dashboard", response=DashboardOut, summary="Figures of the network or a commune")
def dashboard(request: HttpRequest, commune: str = "") -> dict[str, Any]:
    found = _commune(commune) if commune else None
    board = queries.dashboard(commune_ids=[found.pk] if found else None, today=timezone.localdate())
    return {
        "commune": found.slug if found else None,
        "open": board.open,
        "overdue": board.overdue,
        "closed": board.closed,
        "median_days": board.median_days,
        "by_service": [
            {
                "code": f.code,
                "label": f.label,
                "open": f.open,
                "overdue": f.overdue,
                "closed": f.closed,
                "median_days": f.median_days,
            }
            for f in board.by_service
        ],
        "months": [
            {"month": m.strftime("%Y-%m"), "opened": o, "closed": c} for m, o, c in board.months
        ],
    }


router.add_router("", operations_router)
