"""Writes of the public services reports side: the catalogue, reports and their triage, crews
and work orders, assets, and Open311 api keys. Every action checks who may do it, validates
(DomainError with a translated message naming the field), writes in one transaction, appends
to the report's public timeline where there is one, records an AuditEvent, and sends its
e-mails on commit.

Who may do what:

- anyone (signed in or not) reports; anonymous web reports are rate-limited by the page
  (see views.RATE_LIMIT); an Open311 client needs an api key;
- coordinators and spokespeople of the responsible commune (or of an organisation above it:
  the network's coordinators) triage, assign, update work orders and close reports; the
  parish queue (reports outside every commune) belongs to the network's coordinators;
- the commune's coordinators and spokespeople keep its catalogue, crews and assets (the
  network's coordinators keep the shared catalogue);
- the reporter, with the tracking token, answers the questionnaire after closing;
- `comuna api-key create` (an operator on the server) issues Open311 api keys.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comuna.core import access, audit
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import Organisation, OrganisationKind, hash_token
from comuna.core.validation import clean_choice, clean_text
from comuna.public_services.models import (
    ApiKey,
    Asset,
    AssetEvent,
    AssetKind,
    AssetState,
    AttributeType,
    Crew,
    MaterialUse,
    Questionnaire,
    RequestPhoto,
    RequestUpdate,
    Routing,
    ServiceAttribute,
    ServiceGroup,
    ServiceRequest,
    ServiceType,
    Source,
    Status,
    Step,
    UpdateKind,
    WorkNote,
    WorkOrder,
    WorkOrderStatus,
    status_of,
)
from comuna.public_services.photos import clean_photos
from comuna.public_services.places import check_asset_geometry, check_point, route_point
from comuna.registry.actions import network_root

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

MAX_DESCRIPTION = 4000
#: An identical report (same service, place, text and sender) within this time is the same.
REPEAT_WINDOW = timedelta(minutes=30)


# Shared rules ------------------------------------------------------------------------------------


def _root_id() -> int | None:
    root = network_root()
    return root.pk if root is not None else None


def can_triage(user: AnyUser | None, request: ServiceRequest) -> bool:
    """Coordinators and spokespeople of the responsible commune (or above it); the parish
    queue: the network's coordinators."""
    if request.commune_id is not None:
        return access.can_change(user, owner_id=request.commune_id)
    root = _root_id()
    if root is None:
        return access.viewer_for(user).is_staff
    return access.can_coordinate(user, owner_id=root)


def can_see_contact(user: AnyUser | None, request: ServiceRequest) -> bool:
    """The reporter's contact: coordinators and oversight of the responsible commune."""
    if request.commune_id is not None:
        return access.can_read_all(user, owner_id=request.commune_id)
    root = _root_id()
    if root is None:
        return access.viewer_for(user).is_staff
    return access.can_read_all(user, owner_id=root)


def can_keep_catalogue(user: AnyUser | None, owner_id: int | None) -> bool:
    if owner_id is None:
        root = _root_id()
        return access.viewer_for(user).is_staff or (
            root is not None and access.can_coordinate(user, owner_id=root)
        )
    return access.can_change(user, owner_id=owner_id)


def _require_triage(actor: AnyUser | None, request: ServiceRequest) -> None:
    if not can_triage(actor, request):
        raise PermissionDeniedError(
            _("Only the coordinators and spokespeople of the responsible commune may do this.")
        )


def _require_owner(actor: AnyUser | None, owner_id: int) -> None:
    if not access.can_change(actor, owner_id=owner_id):
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of this organisation may do this.")
        )


def _email(value: str, field_name: str = "email") -> str:
    text = (value or "").strip()
    if text:
        try:
            EmailValidator()(text)
        except ValidationError:
            message = _("Enter a valid e-mail address.")
            raise DomainError(message, code="bad_email", fields={field_name: [message]}) from None
    return text


def _user(actor: AnyUser | None) -> Any:
    """The signed-in actor for a "who" column (None for anonymous and system actions)."""
    return actor if actor is not None and actor.is_authenticated else None


def _locked(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().select_related("service").get(pk=request.pk)


# Catalogue ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttributeSpec:
    code: str
    description: str
    datatype: str = "string"
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ServiceSpec:
    code: str
    group: str
    name: str
    description: str
    target_hours: int
    refers_to_asset: bool = False
    asset_kinds: tuple[str, ...] = ()
    keywords: str = ""
    attributes: tuple[AttributeSpec, ...] = field(default_factory=tuple)


# The default catalogue. Names are stored in Spanish (what residents read; the catalogue is
# data a commune may edit, not interface text).
DEFAULT_CATALOGUE: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "sin-agua",
        ServiceGroup.WATER,
        "Sin suministro de agua",
        "No llega agua por tubería al sector o a la vivienda.",
        48,
        True,
        ("tank", "well", "pump", "valve", "pipe"),
        "agua, suministro, tubería",
        (
            AttributeSpec(
                "desde-cuando",
                "¿Desde hace cuántos días no llega el agua?",
                AttributeType.NUMBER,
                True,
            ),
        ),
    ),
    ServiceSpec(
        "fuga",
        ServiceGroup.WATER,
        "Fuga de agua",
        "Agua que se pierde en la calle, una tubería rota o una válvula que gotea.",
        72,
        True,
        ("pipe", "valve", "tank", "pump"),
        "fuga, bote, tubería rota",
        (
            AttributeSpec(
                "tamano",
                "¿Qué tan grande es la fuga?",
                AttributeType.SINGLE,
                True,
                (("goteo", "Goteo"), ("chorro", "Chorro"), ("inundacion", "Inundación")),
            ),
        ),
    ),
    ServiceSpec(
        "baja-presion",
        ServiceGroup.WATER,
        "Baja presión",
        "El agua llega con poca fuerza y no sube a los tanques.",
        120,
        True,
        ("pump", "valve", "pipe"),
        "presión",
    ),
    ServiceSpec(
        "agua-turbia",
        ServiceGroup.WATER,
        "Agua contaminada o turbia",
        "El agua llega turbia, con olor o con color.",
        24,
        True,
        ("tank", "well"),
        "turbia, contaminada, olor",
    ),
    ServiceSpec(
        "apagon",
        ServiceGroup.ELECTRICITY,
        "Corte eléctrico",
        "No hay luz en la vivienda, la calle o el sector.",
        24,
        True,
        ("transformer",),
        "apagón, luz, electricidad",
    ),
    ServiceSpec(
        "transformador",
        ServiceGroup.ELECTRICITY,
        "Transformador dañado",
        "Un transformador quemado, que suena o que bota aceite.",
        72,
        True,
        ("transformer",),
        "transformador",
    ),
    ServiceSpec(
        "alumbrado",
        ServiceGroup.ELECTRICITY,
        "Alumbrado público",
        "Postes o lámparas de la calle apagados o dañados.",
        168,
        False,
        (),
        "alumbrado, poste, lámpara",
    ),
    ServiceSpec(
        "basura",
        ServiceGroup.WASTE,
        "Basura no recolectada",
        "El camión no pasó el día previsto.",
        48,
        True,
        ("collection_point",),
        "basura, recolección, aseo",
    ),
    ServiceSpec(
        "bote-ilegal",
        ServiceGroup.WASTE,
        "Bote ilegal de basura",
        "Basura botada en un terreno, una quebrada o la calle.",
        120,
        False,
        (),
        "bote, vertedero",
    ),
    ServiceSpec(
        "contenedor-lleno",
        ServiceGroup.WASTE,
        "Contenedor lleno",
        "El contenedor o punto de recolección está desbordado.",
        48,
        True,
        ("collection_point",),
        "contenedor, punto de recolección",
    ),
    ServiceSpec(
        "otro",
        ServiceGroup.OTHER,
        "Otro problema de servicios",
        "Otro problema de agua, luz o aseo.",
        168,
        False,
    ),
)


@transaction.atomic
def catalogue_install(
    *, actor: AnyUser | None, owner: Organisation | None = None
) -> list[ServiceType]:
    """Add the default services that are missing to the network's shared catalogue (owner
    None) or to a commune's own. Running it again adds nothing."""
    if actor is not None and not can_keep_catalogue(actor, owner.pk if owner else None):
        raise PermissionDeniedError(_("Only a coordinator may keep this catalogue."))
    existing = set(ServiceType.objects.filter(owner=owner).values_list("code", flat=True))
    created: list[ServiceType] = []
    for position, spec in enumerate(DEFAULT_CATALOGUE, start=1):
        if spec.code in existing:
            continue
        service = ServiceType.objects.create(
            owner=owner,
            code=spec.code,
            group=spec.group,
            name=spec.name,
            description=spec.description,
            keywords=spec.keywords,
            target_hours=spec.target_hours,
            refers_to_asset=spec.refers_to_asset,
            asset_kinds=list(spec.asset_kinds),
            position=position,
        )
        for order, attr in enumerate(spec.attributes, start=1):
            ServiceAttribute.objects.create(
                service=service,
                code=attr.code,
                description=attr.description,
                datatype=attr.datatype,
                required=attr.required,
                order=order,
                values=[{"key": key, "name": name} for key, name in attr.values],
            )
        created.append(service)
    if created:
        audit.record(
            actor=actor,
            verb="service.catalogue_install",
            subject=created[0],
            organisation=owner,
            details={"codes": [s.code for s in created]},
        )
    return created


@transaction.atomic
def service_update(
    *,
    actor: AnyUser | None,
    service: ServiceType,
    name: str | None = None,
    description: str | None = None,
    target_hours: int | None = None,
    active: bool | None = None,
) -> ServiceType:
    if not can_keep_catalogue(actor, service.owner_id):
        raise PermissionDeniedError(_("Only a coordinator may keep this catalogue."))
    if name is not None:
        service.name = clean_text(name, "name", limit=120)
    if description is not None:
        service.description = clean_text(description, "description", required=False, limit=400)
    if target_hours is not None:
        if not 1 <= int(target_hours) <= 24 * 365:
            message = _("Give a number of hours from 1 to 8760.")
            raise DomainError(message, fields={"target_hours": [message]})
        service.target_hours = int(target_hours)
    if active is not None:
        service.active = bool(active)
    service.save()
    audit.record(actor=actor, verb="service.update", subject=service, organisation=service.owner_id)
    return service


@transaction.atomic
def service_adopt(*, actor: AnyUser | None, commune: Organisation, code: str) -> ServiceType:
    """A commune takes its own copy of a shared service (to change its target time, its
    questions or to switch it off for the commune)."""
    if not can_keep_catalogue(actor, commune.pk):
        raise PermissionDeniedError(_("Only a coordinator may keep this catalogue."))
    own = ServiceType.objects.filter(owner=commune, code=code).first()
    if own is not None:
        return own
    shared = ServiceType.objects.filter(owner__isnull=True, code=code).first()
    if shared is None:
        raise DomainError(
            _("Unknown service."), code="not_found", fields={"code": [_("Unknown service.")]}
        )
    attributes = list(shared.attributes.all())
    shared.pk = None
    shared.owner = commune
    shared._state.adding = True
    shared.save()
    for attr in attributes:
        attr.pk = None
        attr.service = shared
        attr._state.adding = True
        attr.save()
    audit.record(actor=actor, verb="service.adopt", subject=shared, organisation=commune)
    return shared


@transaction.atomic
def attribute_add(
    *,
    actor: AnyUser | None,
    service: ServiceType,
    code: str,
    description: str,
    datatype: str = AttributeType.STRING,
    required: bool = False,
    values: Sequence[tuple[str, str]] = (),
) -> ServiceAttribute:
    if not can_keep_catalogue(actor, service.owner_id):
        raise PermissionDeniedError(_("Only a coordinator may keep this catalogue."))
    from django.utils.text import slugify

    code = slugify(code)[:40]
    if not code:
        raise DomainError(_("Give a code."), fields={"code": [_("This field is required.")]})
    clean_choice(datatype, AttributeType.values, "datatype")
    if service.attributes.filter(code=code).exists():
        message = _("This code is already used by another question.")
        raise DomainError(message, fields={"code": [message]})
    if datatype in (AttributeType.SINGLE, AttributeType.MULTI) and not values:
        message = _("A list question needs options.")
        raise DomainError(message, fields={"values": [message]})
    attr = ServiceAttribute.objects.create(
        service=service,
        code=code,
        description=clean_text(description, "description", limit=300),
        datatype=datatype,
        required=required,
        order=service.attributes.count() + 1,
        values=[{"key": str(k), "name": str(n)} for k, n in values],
    )
    audit.record(
        actor=actor,
        verb="service.attribute_add",
        subject=service,
        organisation=service.owner_id,
        details={"code": code},
    )
    return attr


def clean_attributes(
    service: ServiceType, answers: Mapping[str, Any], attributes: Sequence[ServiceAttribute]
) -> dict[str, Any]:
    """The answers to the service's extra questions, checked against their datatypes."""
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for attr in attributes:
        raw = answers.get(attr.code)
        values = raw if isinstance(raw, list) else [] if raw in (None, "") else [raw]
        values = [str(v).strip() for v in values if str(v).strip()]
        key = f"attribute[{attr.code}]"
        if not values:
            if attr.required:
                errors[key] = [_("This question must be answered.")]
            continue
        if attr.datatype == AttributeType.NUMBER:
            try:
                number = Decimal(values[0].replace(",", "."))
            except InvalidOperation:
                errors[key] = [_("Give a number.")]
                continue
            if not number.is_finite():
                errors[key] = [_("Give a number.")]
                continue
            clean[attr.code] = str(number)
        elif attr.datatype in (AttributeType.SINGLE, AttributeType.MULTI):
            keys = {str(v.get("key")) for v in attr.values}
            if any(v not in keys for v in values):
                errors[key] = [_("Choose one of the options.")]
                continue
            clean[attr.code] = values if attr.datatype == AttributeType.MULTI else values[0]
        else:
            clean[attr.code] = values[0][:1000]
    if errors:
        raise DomainError(
            _("Some extra questions are not answered correctly."),
            code="bad_attribute",
            fields=errors,
        )
    return clean


# Reports -----------------------------------------------------------------------------------------


def _fingerprint(**parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _timeline(
    request: ServiceRequest,
    kind: str,
    *,
    actor: AnyUser | None,
    text: str = "",
    notify: bool = True,
) -> RequestUpdate:
    now = timezone.now()
    update = RequestUpdate.objects.create(
        request=request,
        at=now,
        kind=kind,
        step=request.step,
        status=request.status,
        text=text,
        actor=_user(actor),
    )
    request.updated_at = now
    request.save(update_fields=["updated_at"])
    if notify and request.contact_email:
        from comuna.public_services import tasks

        transaction.on_commit(partial(tasks.notify_reporter.enqueue, update.pk))
    return update


def _set_step(request: ServiceRequest, step: str) -> None:
    request.step = step
    request.status = status_of(step)
    request.closed_at = timezone.now() if request.status == Status.CLOSED else None


@transaction.atomic
def request_submit(
    *,
    actor: AnyUser | None,
    service: ServiceType,
    lat: Any,
    lon: Any,
    description: str,
    address: str = "",
    attributes: Mapping[str, Any] | None = None,
    photos: Sequence[UploadedFile] = (),
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    asset: Asset | None = None,
    source: str = Source.WEB,
    api_key: ApiKey | None = None,
    media_url: str = "",
) -> ServiceRequest:
    """File a report. The commune is found from the point (see places.route_point); an
    identical report from the same sender within REPEAT_WINDOW returns the first one."""
    if not service.active:
        message = _("This service is not offered at the moment.")
        raise DomainError(message, code="service_inactive", fields={"service_code": [message]})
    lon_f, lat_f = check_point(lon, lat)
    text = str(description or "").strip()
    if not text:
        message = _("Describe the problem.")
        raise DomainError(message, code="required", fields={"description": [message]})
    if len(text) > MAX_DESCRIPTION:
        message = _("The description is longer than 4000 characters.")
        raise DomainError(message, code="too_long", fields={"description": [message]})
    address = clean_text(address, "address_string", required=False, limit=300)
    name = clean_text(contact_name, "name", required=False, limit=120)
    email = _email(contact_email)
    phone = clean_text(contact_phone, "phone", required=False, limit=30)
    answers = clean_attributes(service, attributes or {}, list(service.attributes.all()))
    if asset is not None:
        if not service.refers_to_asset:
            message = _("This service does not refer to an asset.")
            raise DomainError(message, fields={"asset": [message]})
        if service.asset_kinds and asset.kind not in service.asset_kinds:
            message = _("This kind of asset does not fit the service.")
            raise DomainError(message, fields={"asset": [message]})
    cleaned = clean_photos(list(photos))
    fingerprint = _fingerprint(
        service=service.pk,
        lat=round(lat_f, 5),
        lon=round(lon_f, 5),
        text=text,
        email=email,
        phone=phone,
        actor=actor.pk if actor is not None and actor.is_authenticated else None,
        key=api_key.pk if api_key else None,
        attributes=answers,
    )
    now = timezone.now()
    repeat = (
        ServiceRequest.objects.filter(
            fingerprint=fingerprint, requested_at__gte=now - REPEAT_WINDOW
        )
        .order_by("pk")
        .first()
    )
    if repeat is not None:
        return repeat
    destination = route_point(lon_f, lat_f)
    request = ServiceRequest.objects.create(
        service=service,
        commune_id=destination.commune_id,
        parish_id=destination.parish_id,
        routing=destination.routing,
        lat=lat_f,
        lon=lon_f,
        address=address,
        description=text,
        attributes=answers,
        asset=asset,
        contact_name=name,
        contact_email=email,
        contact_phone=phone,
        reporter=_user(actor),
        token=secrets.token_urlsafe(18),
        source=source,
        api_key=api_key,
        fingerprint=fingerprint,
        media_url=media_url[:500],
        requested_at=now,
        updated_at=now,
        expected_at=now + timedelta(hours=service.target_hours),
    )
    for position, photo in enumerate(cleaned):
        stored = RequestPhoto(
            request=request, width=photo.width, height=photo.height, position=position
        )
        stored.image.save(
            f"{request.pk}-{position + 1}.jpg", ContentFile(photo.content), save=False
        )
        stored.save()
    _timeline(request, UpdateKind.RECEIVED, actor=actor)
    audit.record(
        actor=actor,
        verb="request.submit",
        subject=request,
        organisation=destination.commune_id,
        details={"service": service.code, "routing": destination.routing, "source": source},
    )
    return request


@transaction.atomic
def request_verify(
    *, actor: AnyUser | None, request: ServiceRequest, note: str = ""
) -> ServiceRequest:
    _require_triage(actor, request)
    request = _locked(request)
    if request.step != Step.RECEIVED:
        raise DomainError(_("Only a newly received report can be verified."), code="bad_step")
    _set_step(request, Step.VERIFIED)
    request.save()
    _timeline(
        request,
        UpdateKind.VERIFIED,
        actor=actor,
        text=clean_text(note, "note", required=False, limit=1000),
    )
    audit.record(
        actor=actor, verb="request.verify", subject=request, organisation=request.commune_id
    )
    return request


@transaction.atomic
def request_reject(
    *, actor: AnyUser | None, request: ServiceRequest, reason: str
) -> ServiceRequest:
    _require_triage(actor, request)
    reason = clean_text(reason, "reason", limit=500)
    request = _locked(request)
    if request.status == Status.CLOSED:
        raise DomainError(_("This report is already closed."), code="closed")
    _cancel_work_orders(request)
    _set_step(request, Step.REJECTED)
    request.status_notes = reason
    request.save()
    _timeline(request, UpdateKind.REJECTED, actor=actor, text=reason)
    audit.record(
        actor=actor, verb="request.reject", subject=request, organisation=request.commune_id
    )
    return request


@transaction.atomic
def request_mark_duplicate(
    *, actor: AnyUser | None, request: ServiceRequest, original: ServiceRequest
) -> ServiceRequest:
    _require_triage(actor, request)
    if original.pk == request.pk:
        message = _("A report cannot be a duplicate of itself.")
        raise DomainError(message, fields={"original": [message]})
    if original.duplicate_of_id is not None:
        original = original.duplicate_of  # type: ignore[assignment]
    request = _locked(request)
    if request.status == Status.CLOSED:
        raise DomainError(_("This report is already closed."), code="closed")
    _cancel_work_orders(request)
    _set_step(request, Step.DUPLICATE)
    request.duplicate_of = original
    request.status_notes = _("Duplicate of report #%(number)s.") % {"number": original.pk}
    request.save()
    _timeline(request, UpdateKind.DUPLICATE, actor=actor, text=request.status_notes)
    audit.record(
        actor=actor,
        verb="request.duplicate",
        subject=request,
        organisation=request.commune_id,
        details={"original": original.pk},
    )
    return request


@transaction.atomic
def request_move(
    *, actor: AnyUser | None, request: ServiceRequest, commune: Organisation
) -> ServiceRequest:
    """Send a report to another commune (from the parish queue, or a wrong routing)."""
    _require_triage(actor, request)
    if commune.kind != OrganisationKind.COMMUNE:
        message = _("Choose a commune.")
        raise DomainError(message, fields={"commune": [message]})
    request = _locked(request)
    if request.status == Status.CLOSED:
        raise DomainError(_("This report is already closed."), code="closed")
    if request.commune_id == commune.pk:
        return request
    _cancel_work_orders(request)
    if request.step in (Step.ASSIGNED, Step.IN_PROGRESS):
        _set_step(request, Step.VERIFIED)
    request.commune = commune
    request.crew = None
    request.routing = Routing.CHOSEN
    request.save()
    _timeline(
        request,
        UpdateKind.MOVED,
        actor=actor,
        text=_("Sent to %(commune)s.") % {"commune": commune.name},
    )
    audit.record(actor=actor, verb="request.move", subject=request, organisation=commune)
    return request


def _cancel_work_orders(request: ServiceRequest) -> None:
    WorkOrder.objects.filter(
        request=request, status__in=[WorkOrderStatus.PLANNED, WorkOrderStatus.IN_PROGRESS]
    ).update(status=WorkOrderStatus.CANCELLED, updated_at=timezone.now())


@transaction.atomic
def request_assign(
    *, actor: AnyUser | None, request: ServiceRequest, crew: Crew, instructions: str = ""
) -> WorkOrder:
    """Give the report to a crew: a work order is opened (an open one is handed over)."""
    _require_triage(actor, request)
    if request.commune_id is None:
        raise DomainError(
            _("Send the report to a commune before assigning a crew."), code="no_commune"
        )
    if crew.owner_id != request.commune_id or not crew.active:
        message = _("Choose an active crew of the responsible commune.")
        raise DomainError(message, fields={"crew": [message]})
    request = _locked(request)
    if request.status == Status.CLOSED:
        raise DomainError(_("This report is already closed."), code="closed")
    _cancel_work_orders(request)
    order = WorkOrder.objects.create(
        request=request,
        crew=crew,
        instructions=clean_text(instructions, "instructions", required=False, limit=500),
    )
    _set_step(request, Step.ASSIGNED)
    request.crew = crew
    request.save()
    _timeline(
        request,
        UpdateKind.ASSIGNED,
        actor=actor,
        text=_("Assigned to the crew %(crew)s.") % {"crew": crew.name},
    )
    audit.record(
        actor=actor,
        verb="request.assign",
        subject=request,
        organisation=request.commune_id,
        details={"crew": crew.pk, "work_order": order.pk},
    )
    return order


def _order_locked(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().select_related("request", "crew").get(pk=order.pk)


@transaction.atomic
def work_order_start(*, actor: AnyUser | None, order: WorkOrder, note: str = "") -> WorkOrder:
    order = _order_locked(order)
    _require_triage(actor, order.request)
    if order.status != WorkOrderStatus.PLANNED:
        raise DomainError(_("Only a planned work order can be started."), code="bad_status")
    order.status = WorkOrderStatus.IN_PROGRESS
    order.started_at = timezone.now()
    order.save()
    request = _locked(order.request)
    _set_step(request, Step.IN_PROGRESS)
    request.save()
    public = clean_text(note, "note", required=False, limit=1000)
    _timeline(request, UpdateKind.IN_PROGRESS, actor=actor, text=public)
    audit.record(
        actor=actor, verb="work_order.start", subject=order, organisation=request.commune_id
    )
    return order


@transaction.atomic
def request_start(*, actor: AnyUser | None, request: ServiceRequest, note: str = "") -> WorkOrder:
    """Start the report's planned work order (the "start" of the report's page and API)."""
    _require_triage(actor, request)
    order = request.work_orders.filter(status=WorkOrderStatus.PLANNED).first()
    if order is None:
        raise DomainError(_("There is no planned work order to start."), code="bad_status")
    return work_order_start(actor=actor, order=order, note=note)


@transaction.atomic
def work_order_note(*, actor: AnyUser | None, order: WorkOrder, text: str) -> WorkNote:
    """An internal note of the crew (not on the public timeline)."""
    order = _order_locked(order)
    _require_triage(actor, order.request)
    note = WorkNote.objects.create(
        work_order=order,
        author=_user(actor),
        text=clean_text(text, "text", limit=1000),
    )
    audit.record(
        actor=actor, verb="work_order.note", subject=order, organisation=order.request.commune_id
    )
    return note


@transaction.atomic
def material_record(
    *, actor: AnyUser | None, order: WorkOrder, material: str, quantity: Any, unit: str
) -> MaterialUse:
    order = _order_locked(order)
    _require_triage(actor, order.request)
    if order.status == WorkOrderStatus.CANCELLED:
        raise DomainError(_("This work order was cancelled."), code="bad_status")
    try:
        amount = Decimal(str(quantity).replace(",", "."))
    except InvalidOperation:
        amount = Decimal(0)
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e9"):
        message = _("Give a quantity greater than zero.")
        raise DomainError(message, fields={"quantity": [message]})
    use = MaterialUse.objects.create(
        work_order=order,
        material=clean_text(material, "material", limit=150),
        quantity=amount.quantize(Decimal("0.001")),
        unit=clean_text(unit, "unit", limit=20),
    )
    audit.record(
        actor=actor,
        verb="work_order.material",
        subject=order,
        organisation=order.request.commune_id,
        details={"material": use.material, "quantity": str(use.quantity), "unit": use.unit},
    )
    return use


@transaction.atomic
def request_resolve(
    *, actor: AnyUser | None, request: ServiceRequest, note: str = ""
) -> ServiceRequest:
    """Fixed: the report closes and its open work order is done. The reporter is asked on the
    tracking page whether it is really fixed."""
    _require_triage(actor, request)
    request = _locked(request)
    if request.status == Status.CLOSED:
        raise DomainError(_("This report is already closed."), code="closed")
    now = timezone.now()
    for order in WorkOrder.objects.select_for_update().filter(
        request=request, status__in=[WorkOrderStatus.PLANNED, WorkOrderStatus.IN_PROGRESS]
    ):
        order.status = WorkOrderStatus.DONE
        order.started_at = order.started_at or now
        order.finished_at = now
        order.save()
    _set_step(request, Step.RESOLVED)
    request.status_notes = clean_text(note, "note", required=False, limit=500)
    request.save()
    _timeline(request, UpdateKind.RESOLVED, actor=actor, text=request.status_notes)
    audit.record(
        actor=actor, verb="request.resolve", subject=request, organisation=request.commune_id
    )
    return request


@transaction.atomic
def request_note(*, actor: AnyUser | None, request: ServiceRequest, text: str) -> RequestUpdate:
    """A public note on the timeline (the reporter is told)."""
    _require_triage(actor, request)
    request = _locked(request)
    update = _timeline(
        request, UpdateKind.NOTE, actor=actor, text=clean_text(text, "text", limit=1000)
    )
    audit.record(actor=actor, verb="request.note", subject=request, organisation=request.commune_id)
    return update


def _reopen(request: ServiceRequest, actor: AnyUser | None, text: str) -> None:
    target = Step.ASSIGNED if request.crew_id else Step.VERIFIED
    if request.step == Step.DUPLICATE:
        request.duplicate_of = None
        target = Step.RECEIVED
    _set_step(request, target)
    request.status_notes = ""
    request.expected_at = timezone.now() + timedelta(hours=request.service.target_hours)
    if request.crew_id and target == Step.ASSIGNED:
        WorkOrder.objects.create(request=request, crew_id=request.crew_id, instructions=text[:500])
    request.save()
    _timeline(request, UpdateKind.REOPENED, actor=actor, text=text)


@transaction.atomic
def request_reopen(
    *, actor: AnyUser | None, request: ServiceRequest, reason: str
) -> ServiceRequest:
    _require_triage(actor, request)
    reason = clean_text(reason, "reason", limit=500)
    request = _locked(request)
    if request.status != Status.CLOSED:
        raise DomainError(_("This report is open."), code="open")
    _reopen(request, actor, reason)
    audit.record(
        actor=actor, verb="request.reopen", subject=request, organisation=request.commune_id
    )
    return request


@transaction.atomic
def questionnaire_answer(
    *, token: str, fixed: bool, comment: str = "", actor: AnyUser | None = None
) -> Questionnaire:
    """The reporter (who holds the tracking token) says whether it is fixed; "no" reopens a
    report that was closed as fixed."""
    request = (
        ServiceRequest.objects.select_for_update()
        .select_related("service")
        .filter(token=token)
        .first()
    )
    if request is None:
        raise DomainError(_("Unknown report."), code="not_found")
    if request.status != Status.CLOSED:
        raise DomainError(_("The questionnaire opens when the report is closed."), code="open")
    comment = clean_text(comment, "comment", required=False, limit=1000)
    answer = Questionnaire.objects.create(request=request, fixed=fixed, comment=comment)
    if fixed:
        _timeline(request, UpdateKind.CONFIRMED, actor=actor, text=comment, notify=False)
    elif request.step == Step.RESOLVED:
        _reopen(
            request,
            actor,
            comment or _("The reporter says the problem is not fixed."),
        )
    else:
        # A rejected or duplicate report is not reopened by the reporter: the answer goes
        # on the timeline for the coordinators to see.
        _timeline(
            request,
            UpdateKind.NOTE,
            actor=actor,
            text=comment or _("The reporter says the problem is not fixed."),
            notify=False,
        )
    audit.record(
        actor=actor,
        verb="request.questionnaire",
        subject=request,
        organisation=request.commune_id,
        details={"fixed": fixed},
    )
    return answer


# Crews -------------------------------------------------------------------------------------------


@transaction.atomic
def crew_create(
    *, actor: AnyUser | None, owner: Organisation, name: str, group: str, members: str = ""
) -> Crew:
    _require_owner(actor, owner.pk)
    name = clean_text(name, "name", limit=120)
    clean_choice(group, ServiceGroup.values, "group")
    if Crew.objects.filter(owner=owner, name=name).exists():
        message = _("This commune already has a crew with this name.")
        raise DomainError(message, fields={"name": [message]})
    crew = Crew.objects.create(
        owner=owner,
        name=name,
        group=group,
        members=clean_text(members, "members", required=False, limit=300),
    )
    audit.record(actor=actor, verb="crew.create", subject=crew, organisation=owner)
    return crew


@transaction.atomic
def crew_set_active(*, actor: AnyUser | None, crew: Crew, active: bool) -> Crew:
    _require_owner(actor, crew.owner_id)
    crew.active = active
    crew.save(update_fields=["active", "updated_at"])
    audit.record(
        actor=actor,
        verb="crew.active",
        subject=crew,
        organisation=crew.owner_id,
        details={"active": active},
    )
    return crew


# Assets ------------------------------------------------------------------------------------------


def _asset_values(
    *,
    owner: Organisation,
    kind: str,
    name: str,
    geometry: Any,
    state: str,
    code: str = "",
    description: str = "",
    capacity: Any = None,
    capacity_unit: str = "",
) -> dict[str, Any]:
    clean_choice(kind, AssetKind.values, "kind")
    clean_choice(state, AssetState.values, "state")
    geo = check_asset_geometry(geometry)
    amount: Decimal | None = None
    if capacity not in (None, ""):
        try:
            amount = Decimal(str(capacity).replace(",", "."))
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
            message = _("Give a capacity of zero or more.")
            raise DomainError(message, fields={"capacity": [message]})
        if not capacity_unit.strip():
            message = _("Give the unit of the capacity (litres, m3, kVA...).")
            raise DomainError(message, fields={"capacity_unit": [message]})
    return {
        "owner": owner,
        "kind": kind,
        "name": clean_text(name, "name", limit=150),
        "code": clean_text(code, "code", required=False, limit=40),
        "description": clean_text(description, "description", required=False, limit=2000),
        "geometry": geo.geometry,
        "latitude": geo.latitude,
        "longitude": geo.longitude,
        "min_lon": geo.bbox[0],
        "min_lat": geo.bbox[1],
        "max_lon": geo.bbox[2],
        "max_lat": geo.bbox[3],
        "state": state,
        "capacity": amount,
        "capacity_unit": capacity_unit.strip()[:12] if amount is not None else "",
    }


@transaction.atomic
def asset_create(
    *,
    actor: AnyUser | None,
    owner: Organisation,
    kind: str,
    name: str,
    geometry: Any,
    state: str = AssetState.WORKING,
    code: str = "",
    description: str = "",
    capacity: Any = None,
    capacity_unit: str = "",
) -> Asset:
    """A new asset of a commune or council. `geometry` is a GeoJSON Point or LineString (or a
    Feature holding one) in longitude, latitude."""
    if actor is not None:
        _require_owner(actor, owner.pk)
    values = _asset_values(
        owner=owner,
        kind=kind,
        name=name,
        geometry=geometry,
        state=state,
        code=code,
        description=description,
        capacity=capacity,
        capacity_unit=capacity_unit,
    )
    asset = Asset.objects.create(**values)
    AssetEvent.objects.create(
        asset=asset,
        actor=_user(actor),
        verb="created",
        state=asset.state,
    )
    audit.record(actor=actor, verb="asset.create", subject=asset, organisation=owner)
    return asset


@transaction.atomic
def asset_set_state(*, actor: AnyUser | None, asset: Asset, state: str, note: str = "") -> Asset:
    _require_owner(actor, asset.owner_id)
    clean_choice(state, AssetState.values, "state")
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    asset.state = state
    asset.save(update_fields=["state", "updated_at"])
    AssetEvent.objects.create(
        asset=asset,
        actor=_user(actor),
        verb="state",
        state=state,
        note=clean_text(note, "note", required=False, limit=500),
    )
    audit.record(
        actor=actor,
        verb="asset.state",
        subject=asset,
        organisation=asset.owner_id,
        details={"state": state},
    )
    return asset


@dataclass
class ImportReport:
    """What an import did, row by row (a row is a GeoJSON feature, numbered from 1)."""

    created: int = 0
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def assets_import(*, actor: AnyUser | None, owner: Organisation, data: Any) -> ImportReport:
    """Import a GeoJSON FeatureCollection of assets: all or nothing. Each feature has a Point
    or LineString geometry and properties `kind`, `name` and optionally `state`, `code`,
    `description`, `capacity`, `capacity_unit`. On any error nothing is written and the report
    names every wrong feature."""
    if actor is not None:
        _require_owner(actor, owner.pk)
    report = ImportReport()
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        message = _("The file must be a GeoJSON FeatureCollection.")
        raise DomainError(message, code="bad_geojson", fields={"file": [message]})
    features = data.get("features")
    if not isinstance(features, list) or not features:
        message = _("The FeatureCollection has no features.")
        raise DomainError(message, code="bad_geojson", fields={"file": [message]})
    if len(features) > 5000:
        message = _("At most 5000 features in one import.")
        raise DomainError(message, code="bad_geojson", fields={"file": [message]})
    rows: list[dict[str, Any]] = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        try:
            rows.append(
                _asset_values(
                    owner=owner,
                    kind=str(props.get("kind", "")),
                    name=str(props.get("name", "")),
                    geometry=feature.get("geometry") if isinstance(feature, dict) else None,
                    state=str(props.get("state") or AssetState.WORKING),
                    code=str(props.get("code") or ""),
                    description=str(props.get("description") or ""),
                    capacity=props.get("capacity"),
                    capacity_unit=str(props.get("capacity_unit") or ""),
                )
            )
        except DomainError as err:
            report.errors[number] = err.fields or {"__all__": [err.message]}
    if report.errors:
        return report
    with transaction.atomic():
        for values in rows:
            asset = Asset.objects.create(**values)
            AssetEvent.objects.create(
                asset=asset,
                actor=_user(actor),
                verb="imported",
                state=asset.state,
            )
        report.created = len(rows)
        audit.record(
            actor=actor,
            verb="asset.import",
            subject=owner,
            organisation=owner,
            details={"created": report.created},
        )
    return report


# Open311 api keys ---------------------------------------------------------------------------------


@transaction.atomic
def api_key_create(*, actor: AnyUser | None, name: str, contact: str = "") -> tuple[ApiKey, str]:
    """A new Open311 api key; returns it with the raw key, shown only once."""
    name = clean_text(name, "name", limit=100)
    raw = "o311_" + secrets.token_urlsafe(24)
    key = ApiKey.objects.create(
        name=name,
        prefix=raw[:10],
        digest=hash_token(raw),
        contact=clean_text(contact, "contact", required=False, limit=200),
    )
    audit.record(actor=actor, verb="api_key.create", subject=key)
    return key, raw


@transaction.atomic
def api_key_revoke(*, actor: AnyUser | None, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(actor=actor, verb="api_key.revoke", subject=key)
    return key


def api_key_check(raw: str) -> ApiKey | None:
    """The live api key with this value, or None (its last use is noted once a minute)."""
    if not raw:
        return None
    key = ApiKey.objects.filter(digest=hash_token(raw), revoked_at__isnull=True).first()
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
