"""Models of the public_services module: the service catalogue, service requests (reports)
with their public timeline, crews and work orders, assets, and Open311 api keys.

A report (`ServiceRequest`) is public like a FixMyStreet report: its place, service,
description, photos and timeline are open to all. The reporter's contact (name, e-mail,
phone) is private: only the coordinators and oversight of the responsible commune see it.

Open311 has two statuses, `open` and `closed`; the commune's work has finer steps
(received -> verified -> assigned -> in progress -> resolved; or rejected, or duplicate).
The status follows from the step (see `STEP_STATUS`) and both are stored, so lists filter
on an index.

The schedules and route planning models live in models_operations.py (imported at the end).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuna.core.models import Organisation, TimeStamped
from comuna.geography.models import Parish

# Catalogue --------------------------------------------------------------------------------------


class ServiceGroup(models.TextChoices):
    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")
    WASTE = "waste", _("Rubbish")
    OTHER = "other", _("Other")


class AttributeType(models.TextChoices):
    """Open311 attribute datatypes."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One of a list")
    MULTI = "multivaluelist", _("Several of a list")


class ServiceType(TimeStamped):
    """An Open311 service: what a resident can report. `owner` is a commune for a commune's
    own catalogue entry, or empty for the network's shared catalogue, which every commune
    offers unless it has its own entry with the same code."""

    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.SlugField(_("code"), max_length=40)
    group = models.CharField(_("group"), max_length=12, choices=ServiceGroup.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=400, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    target_hours = models.PositiveIntegerField(
        _("target time to resolve (hours)"), default=72, help_text=_("From the report.")
    )
    refers_to_asset = models.BooleanField(_("can refer to an asset"), default=False)
    asset_kinds = models.JSONField(_("kinds of asset"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering: ClassVar[list[str]] = ["position", "code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["owner", "code"], name="service_code_once_per_owner"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(owner__isnull=True), name="service_code_once_shared"
            ),
            models.CheckConstraint(condition=Q(target_hours__gte=1), name="service_target_set"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceAttribute(models.Model):
    """An extra question of a service (an Open311 attribute)."""

    service = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(_("code"), max_length=40)
    description = models.CharField(_("question"), max_length=300)
    datatype = models.CharField(
        _("type of answer"), max_length=16, choices=AttributeType.choices, default="string"
    )
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    values = models.JSONField(
        _("options"), default=list, blank=True, help_text=_("A list of {key, name} options.")
    )

    class Meta:
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")
        ordering: ClassVar[list[str]] = ["order", "code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["service", "code"], name="attribute_code_once"),
        ]

    def __str__(self) -> str:
        return self.code


# Assets -------------------------------------------------------------------------------------------


class AssetKind(models.TextChoices):
    TANK = "tank", _("Tank")
    WELL = "well", _("Well")
    PUMP = "pump", _("Pump")
    VALVE = "valve", _("Valve")
    PIPE = "pipe", _("Pipe")
    TRANSFORMER = "transformer", _("Transformer")
    COLLECTION_POINT = "collection_point", _("Collection point")
    OTHER = "other", _("Other")


class AssetState(models.TextChoices):
    WORKING = "working", _("Working")
    NEEDS_REPAIR = "needs_repair", _("Needs repair")
    OUT_OF_SERVICE = "out_of_service", _("Out of service")


class Asset(TimeStamped):
    """A tank, well, pump, valve, pipe (a line), transformer or collection point of a commune
    or council. `geometry` is a GeoJSON Point or LineString; `latitude`/`longitude` is a
    representative point (the point itself, or the middle of a line)."""

    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    name = models.CharField(_("name"), max_length=150)
    code = models.CharField(_("code"), max_length=40, blank=True)
    geometry = models.JSONField(_("geometry"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=AssetState.choices, default=AssetState.WORKING
    )
    description = models.TextField(_("description"), blank=True)
    capacity = models.DecimalField(
        _("capacity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    capacity_unit = models.CharField(_("unit"), max_length=12, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering: ClassVar[list[str]] = ["name", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["owner", "kind"]),
            models.Index(fields=["min_lon", "min_lat"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="asset_point_on_earth",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="asset_capacity_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssetEvent(models.Model):
    """The history of an asset: created, changed, its state set (with a note)."""

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(_("what"), max_length=20)
    state = models.CharField(_("state"), max_length=16, choices=AssetState.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("asset event")
        verbose_name_plural = _("asset events")
        ordering: ClassVar[list[str]] = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.verb}"


# Crews --------------------------------------------------------------------------------------------


class Crew(TimeStamped):
    """A commune's crew (cuadrilla): who goes out to fix things."""

    owner = models.ForeignKey(
        Organisation, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    group = models.CharField(_("works on"), max_length=12, choices=ServiceGroup.choices)
    members = models.CharField(
        _("members"), max_length=300, blank=True, help_text=_("Public first names or roles.")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("crew")
        verbose_name_plural = _("crews")
        ordering: ClassVar[list[str]] = ["name", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["owner", "name"], name="crew_name_once_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name


# Service requests -----------------------------------------------------------------------------


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Step(models.TextChoices):
    RECEIVED = "received", _("Report received")
    VERIFIED = "verified", _("Verified")
    ASSIGNED = "assigned", _("Assigned to a crew")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Fixed")
    REJECTED = "rejected", _("Report rejected")
    DUPLICATE = "duplicate", _("Duplicate")


CLOSED_STEPS = frozenset({Step.RESOLVED, Step.REJECTED, Step.DUPLICATE})
OPEN_STEPS = tuple(step for step in Step.values if step not in CLOSED_STEPS)


def status_of(step: str) -> str:
    return Status.CLOSED if step in CLOSED_STEPS else Status.OPEN


class Routing(models.TextChoices):
    TERRITORY = "territory", _("Inside the commune's territory")
    SEAT = "seat", _("Near the commune's seat")
    COUNCIL = "council", _("Near one of the commune's councils")
    PARISH = "parish", _("Parish queue")
    CHOSEN = "chosen", _("Chosen by a coordinator")


class Source(models.TextChoices):
    WEB = "web", _("Web page")
    OPEN311 = "open311", _("Open311 client")
    STAFF = "staff", _("Entered by a coordinator")


class ServiceRequest(models.Model):
    """A report (reporte de falla). Public except for the reporter's contact."""

    service = models.ForeignKey(
        ServiceType, verbose_name=_("service"), on_delete=models.PROTECT, related_name="requests"
    )
    commune = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parish = models.ForeignKey(
        Parish,
        verbose_name=_("parish"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    routing = models.CharField(_("how it was routed"), max_length=10, choices=Routing.choices)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    address = models.CharField(_("address or place"), max_length=300, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    attributes = models.JSONField(_("answers to the extra questions"), default=dict, blank=True)
    asset = models.ForeignKey(
        Asset,
        verbose_name=_("asset"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN
    )
    step = models.CharField(_("step"), max_length=12, choices=Step.choices, default=Step.RECEIVED)
    status_notes = models.CharField(_("status notes"), max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    crew = models.ForeignKey(
        Crew,
        verbose_name=_("crew"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    # Private: the reporter's contact.
    contact_name = models.CharField(_("name"), max_length=120, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter's account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.CharField(_("tracking token"), max_length=40, unique=True)
    source = models.CharField(_("sent from"), max_length=8, choices=Source.choices)
    api_key = models.ForeignKey(
        "public_services.ApiKey",
        verbose_name=_("api key"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    media_url = models.URLField(_("media address"), max_length=500, blank=True)
    requested_at = models.DateTimeField(_("reported"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    expected_at = models.DateTimeField(_("expected"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering: ClassVar[list[str]] = ["-requested_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["commune", "status", "expected_at"]),
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["service", "status"]),
            models.Index(fields=["parish", "status"]),
            models.Index(fields=["fingerprint", "requested_at"]),
            models.Index(fields=["updated_at"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    Q(status="closed", step__in=sorted(CLOSED_STEPS))
                    | (Q(status="open") & ~Q(step__in=sorted(CLOSED_STEPS)))
                ),
                name="request_status_follows_step",
            ),
            models.CheckConstraint(
                condition=~Q(step="duplicate") | Q(duplicate_of__isnull=False),
                name="request_duplicate_names_original",
            ),
            models.CheckConstraint(
                condition=~Q(duplicate_of=F("id")), name="request_not_duplicate_of_itself"
            ),
            models.CheckConstraint(
                condition=Q(commune__isnull=False) | Q(parish__isnull=False) | Q(routing="parish"),
                name="request_has_a_queue",
            ),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90) & Q(lon__gte=-180, lon__lte=180),
                name="request_point_on_earth",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.service.name}"

    @property
    def overdue(self) -> bool:
        return (
            self.status == Status.OPEN
            and self.expected_at is not None
            and self.expected_at < timezone.now()
        )


class RequestPhoto(models.Model):
    """A photo of a report: resized JPEG without metadata (see photos.py)."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("photo"), upload_to="servicios/fotos/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering: ClassVar[list[str]] = ["position", "id"]

    def __str__(self) -> str:
        return self.image.name


class UpdateKind(models.TextChoices):
    RECEIVED = "received", _("Report received")
    VERIFIED = "verified", _("Verified")
    ASSIGNED = "assigned", _("Assigned to a crew")
    IN_PROGRESS = "in_progress", _("Work started")
    RESOLVED = "resolved", _("Fixed")
    REJECTED = "rejected", _("Report rejected")
    DUPLICATE = "duplicate", _("Marked as duplicate")
    REOPENED = "reopened", _("Reopened")
    NOTE = "note", _("Note")
    CONFIRMED = "confirmed", _("The reporter confirms it is fixed")
    MOVED = "moved", _("Sent to another commune")


class RequestUpdate(models.Model):
    """One entry of a report's public timeline (also Open311 servicerequestupdates)."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("report"), on_delete=models.CASCADE, related_name="updates"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=12, choices=UpdateKind.choices)
    step = models.CharField(_("step"), max_length=12, choices=Step.choices)
    status = models.CharField(_("status"), max_length=6, choices=Status.choices)
    text = models.CharField(_("public note"), max_length=1000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("update")
        verbose_name_plural = _("updates")
        ordering: ClassVar[list[str]] = ["at", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["at", "id"])]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind}"


class Questionnaire(models.Model):
    """The reporter's answer after closing: is it fixed? A "no" reopens the report."""

    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("report"),
        on_delete=models.CASCADE,
        related_name="questionnaires",
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    fixed = models.BooleanField(_("fixed"))
    comment = models.CharField(_("comment"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("questionnaire answer")
        verbose_name_plural = _("questionnaire answers")
        ordering: ClassVar[list[str]] = ["-answered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.fixed}"


class WorkOrderStatus(models.TextChoices):
    PLANNED = "planned", _("Work to do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Work done")
    CANCELLED = "cancelled", _("Work cancelled")


class WorkOrder(TimeStamped):
    """A crew's job on one report."""

    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("report"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    crew = models.ForeignKey(
        Crew, verbose_name=_("crew"), on_delete=models.PROTECT, related_name="work_orders"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=WorkOrderStatus.choices,
        default=WorkOrderStatus.PLANNED,
    )
    instructions = models.CharField(_("instructions"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status__in=["planned", "in_progress"]),
                name="one_open_work_order_per_request",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=F("started_at")),
                name="work_order_finishes_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"OT-{self.pk}"


class WorkNote(models.Model):
    """A crew's internal note on a work order (not public)."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="notes"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.CharField(_("note"), max_length=1000)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class MaterialUse(models.Model):
    """Material used on a work order: a quantity with its unit."""

    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="materials"
    )
    material = models.CharField(_("material"), max_length=150)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=20)

    class Meta:
        verbose_name = _("material used")
        verbose_name_plural = _("materials used")
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="material_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} {self.material}"


# Open311 api keys -------------------------------------------------------------------------------


class ApiKey(models.Model):
    """An Open311 api key for a client application. Only its SHA-256 is stored."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 api key")
        verbose_name_plural = _("Open311 api keys")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


# Importing the schedules and route planning models registers them.
from comuna.public_services.models_operations import *  # noqa: E402, F403
