"""Dialogue with government: public bodies, demands with legal deadlines, dialogue tables with
their commitments, and transfers of competences.

Public bodies are core Organisations (multi-table inheritance, like the registry's communes),
so a body can be a co-signer, an owner or the subject of an audit event like any organisation,
and its hierarchy (Hidrolara under Hidroven) is `Organisation.parent`.

A demand's stored `status` is what happened (draft, filed, acknowledged, answered, resolved,
escalated, withdrawn). Whether an open demand is *overdue* or *very overdue* is derived from
its due date and today's date in America/Caracas, never stored (see `Demand.state_on`).

Statistics per body are kept in `BodyStats`, `AnswerDays` and `BodyMonth`, updated by the
actions in the same transaction as the change they count (and rebuilt from the demands by
`stats.rebuild`), so that the statistics pages read a few rows per body whatever the number
of demands. Only "overdue now" depends on the day: it is counted live on two small partial
indexes that hold the open demands only.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuna.core.models import Organisation, OwnedRecord, TimeStamped
from comuna.engines.deadlines import DueState, due_state
from comuna.geography.models import State

#: The legal default: a petition that needs no further procedure is answered within twenty
#: business days (Ley Orgánica de Procedimientos Administrativos, art. 5).
DEFAULT_RESPONSE_DAYS = 20


# Public bodies ------------------------------------------------------------------------------


class BodyLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    STATE = "state", _("State")
    MUNICIPAL = "municipal", _("Municipal")


class BodyType(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    INSTITUTE = "institute", _("Institute")
    WATER_UTILITY = "water_utility", _("Water utility")
    ELECTRICITY_UTILITY = "electricity_utility", _("Electricity utility")
    STATE_GOVERNMENT = "state_government", _("State government")
    MAYORS_OFFICE = "mayors_office", _("Mayor's office")
    AGRARIAN_AUTHORITY = "agrarian_authority", _("Agrarian authority")
    OTHER = "other", _("Other public body")


class PublicBody(Organisation):
    """A ministry, institute, utility, state government, mayor's office or the agrarian
    authority. `parent` (from Organisation) is the higher body a demand is escalated to.
    The contact is the body's public office, never a person's own number or address."""

    organisation_ptr = models.OneToOneField(
        Organisation,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="public_body_profile",
    )
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=BodyLevel.choices)
    body_type = models.CharField(_("type"), max_length=20, choices=BodyType.choices)
    state = models.ForeignKey(
        State,
        verbose_name=_("state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="public_bodies",
    )
    response_days = models.PositiveSmallIntegerField(
        _("response time (business days)"),
        default=DEFAULT_RESPONSE_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    contact_office = models.CharField(_("office that receives demands"), max_length=200, blank=True)
    contact_email = models.EmailField(_("office e-mail"), blank=True)
    contact_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    address = models.CharField(_("office address"), max_length=300, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("public body")
        verbose_name_plural = _("public bodies")
        ordering: ClassVar[list[str]] = ["name"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["level", "body_type"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(response_days__gte=1) & Q(response_days__lte=365),
                name="public_body_response_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class BodyCorrection(TimeStamped):
    """A correction to a body's entry proposed by a user; a network coordinator decides."""

    body = models.ForeignKey(
        PublicBody, verbose_name=_("public body"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changes = models.JSONField(_("proposed values"), default=dict)
    note = models.TextField(_("why"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("correction to a public body")
        verbose_name_plural = _("corrections to public bodies")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.body_id}: {', '.join(sorted(self.changes))}"


class HolidayChangeKind(models.TextChoices):
    ADDED = "added", _("Holiday added")
    REMOVED = "removed", _("Holiday removed")


class HolidayChange(models.Model):
    """A change to the national calendar in one year: a decreed holiday or bridge day
    (added), or a regular holiday that is worked that year (removed)."""

    day = models.DateField(_("date"), unique=True)
    change = models.CharField(_("change"), max_length=8, choices=HolidayChangeKind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("change to the holiday calendar")
        verbose_name_plural = _("changes to the holiday calendar")
        ordering: ClassVar[list[str]] = ["day"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~Q(change="added") | ~Q(name=""), name="holiday_added_has_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {self.change} {self.name}"


# Demands ------------------------------------------------------------------------------------


class Topic(models.TextChoices):
    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Domestic gas")
    WASTE = "waste", _("Rubbish collection")
    ROADS = "roads", _("Roads and transport")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    HOUSING = "housing", _("Housing")
    LAND = "land", _("Land")
    FOOD = "food", _("Food supply")
    ECONOMY = "economy", _("Communal economy")
    TRANSFER = "transfer", _("Transfer of competences")
    OTHER = "other", _("Other")


class DemandStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FILED = "filed", _("Filed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


#: Waiting for the body's answer: the only statuses that can become overdue.
OPEN_STATUSES: tuple[str, ...] = (DemandStatus.FILED.value, DemandStatus.ACKNOWLEDGED.value)

#: What a demand shows: its status, or for an open one past its due date, how late it is.
DISPLAY_STATES: dict[str, object] = {
    **dict(DemandStatus.choices),
    "overdue": _("Overdue"),
    "very_overdue": _("Very overdue"),
}


class Demand(OwnedRecord):
    """A demand (solicitud, planteamiento) from an organisation, co-signed by others, to a body.

    `owner` is the filing organisation; `visibility` is PUBLIC or UNIT (private: members of
    the filing organisation, the ones above it and the co-signers). `due_on` is computed when
    the demand is filed: `business_days` business days after `filed_on` under the holiday
    calendar of that moment, and then kept.
    """

    body = models.ForeignKey(
        PublicBody,
        verbose_name=_("addressed to"),
        on_delete=models.PROTECT,
        related_name="demands",
        db_index=False,  # the (body, -filed_on) index serves
    )
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    title = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=12, choices=DemandStatus.choices, default=DemandStatus.DRAFT
    )
    # Kept equal to "status is filed or acknowledged" (a database constraint says so): a
    # literal boolean lets SQLite use the partial indexes of open demands, which a
    # parameterised "status IN (?, ?)" does not.
    waiting = models.BooleanField(_("waiting for an answer"), default=False, editable=False)
    filed_on = models.DateField(_("filed"), null=True, blank=True)
    business_days = models.PositiveSmallIntegerField(_("business days to answer"), null=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    acknowledged_on = models.DateField(_("acknowledged"), null=True, blank=True)
    body_reference = models.CharField(_("the body's reference"), max_length=100, blank=True)
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    answer_days = models.PositiveIntegerField(_("days to answer"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved"), null=True, blank=True)
    closed_on = models.DateField(_("escalated or withdrawn"), null=True, blank=True)
    close_reason = models.TextField(_("reason"), blank=True)
    escalated_from = models.ForeignKey(
        "self",
        verbose_name=_("escalated from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalations",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cosigners: models.ManyToManyField[Organisation, DemandCosigner] = models.ManyToManyField(
        Organisation,
        through="DemandCosigner",
        verbose_name=_("co-signers"),
        related_name="cosigned_demands",
    )

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        ordering: ClassVar[list[str]] = ["-filed_on", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["body", "visibility", "-filed_on"], name="demand_body_filed"),
            models.Index(fields=["owner", "-filed_on"], name="demand_owner_filed"),
            models.Index(fields=["visibility", "-filed_on"], name="demand_filed"),
            # Open demands only: what "overdue now" counts, network-wide and per body.
            models.Index(
                fields=["due_on", "body", "topic", "status"],
                condition=Q(waiting=True),
                name="demand_open_due",
            ),
            models.Index(
                fields=["body", "due_on"], condition=Q(waiting=True), name="demand_open_body"
            ),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(filed_on__isnull=False) & Q(due_on__isnull=False)),
                name="demand_filed_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=F("filed_on")),
                name="demand_due_after_filing",
            ),
            models.CheckConstraint(
                condition=Q(answered_on__isnull=True) | Q(answered_on__gte=F("filed_on")),
                name="demand_answer_after_filing",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "unit"]), name="demand_public_or_private"
            ),
            models.CheckConstraint(
                condition=(Q(waiting=True) & Q(status__in=OPEN_STATUSES))
                | (Q(waiting=False) & ~Q(status__in=OPEN_STATUSES)),
                name="demand_waiting_when_open",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def set_status(self, status: str) -> None:
        """Change the stored status (and `waiting` with it). Only the actions call this."""
        self.status = status
        self.waiting = status in OPEN_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_private(self) -> bool:
        return self.visibility != "public"

    def due_state_on(self, today: date) -> DueState:
        """on_time, overdue or very_overdue on `today` (a local date): only open demands
        can be late; the due date itself is still on time."""
        if not self.is_open or self.due_on is None:
            return "on_time"
        return due_state(self.due_on, today, resolved=False)

    def state_on(self, today: date | None = None) -> str:
        """The stored status, or overdue / very_overdue for an open demand past its due
        date. `today` defaults to the local date in America/Caracas."""
        day = today or timezone.localdate()
        late = self.due_state_on(day)
        return self.status if late == "on_time" else late

    def state_label(self, today: date | None = None) -> str:
        return str(DISPLAY_STATES[self.state_on(today)])

    @property
    def answered_late(self) -> bool:
        return (
            self.answered_on is not None
            and self.due_on is not None
            and self.answered_on > self.due_on
        )


class DemandCosigner(models.Model):
    """An organisation that signs a demand beside its owner (an alliance). Movements outside
    the registry are organisations of kind `movement`."""

    demand = models.ForeignKey(
        Demand, verbose_name=_("demand"), on_delete=models.CASCADE, related_name="signatures"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(_("signed"), default=timezone.localdate)
    signed_at = models.DateTimeField(_("recorded"), default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("co-signature")
        verbose_name_plural = _("co-signatures")
        ordering: ClassVar[list[str]] = ["signed_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["demand", "organisation"], name="cosign_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["organisation", "demand"])]

    def __str__(self) -> str:
        return f"{self.organisation_id} → {self.demand_id}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Draft written")
    FILED = "filed", _("Filed")
    RECEIVED = "received", _("Received by escalation")
    COSIGNED = "cosigned", _("Co-signed")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the body")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated to a higher body")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ATTACHED = "attached", _("Document attached")
    REMINDER = "reminder", _("Reminder")


class DemandEvent(models.Model):
    """One step of a demand's public timeline. Append-only: written by the actions, never
    edited. `on` is the date the step happened (a paper answer may be recorded days later);
    `at` is when it was recorded."""

    demand = models.ForeignKey(
        Demand, verbose_name=_("demand"), on_delete=models.CASCADE, related_name="events"
    )
    # Copied from the demand when the event is written (a filed demand never changes its body
    # or its visibility), so that feeds read one index instead of joining the demands.
    body = models.ForeignKey(PublicBody, on_delete=models.CASCADE, related_name="+", db_index=False)
    public = models.BooleanField(default=False)
    kind = models.CharField(_("what"), max_length=12, choices=EventKind.choices)
    on = models.DateField(_("date"))
    at = models.DateTimeField(_("recorded"), default=timezone.now)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("demand event")
        verbose_name_plural = _("demand events")
        ordering: ClassVar[list[str]] = ["at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["demand", "at"]),
            # Partial: a bare boolean test ("WHERE public") can use only a partial index.
            models.Index(
                fields=["-at", "-id"], condition=Q(public=True), name="demand_event_recent"
            ),
            models.Index(
                fields=["body", "-at", "-id"], condition=Q(public=True), name="demand_event_body"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.kind} {self.on.isoformat()}"


class AttachmentKind(models.TextChoices):
    DEMAND = "demand", _("The demand as filed")
    RECEIPT = "receipt", _("Acknowledgement of receipt")
    ANSWER = "answer", _("The body's answer")
    OTHER = "other", _("Other document")


def attachment_path(instance: models.Model, filename: str) -> str:
    today = timezone.localdate()
    return f"dialogo/{today:%Y/%m}/{filename}"


class StoredFile(models.Model):
    """A checked upload (see dialogue.files) with who sent it and when."""

    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        abstract = True


class DemandAttachment(StoredFile):
    """A PDF or an image (at most 5 MB) attached to a demand: the letter as filed, the
    stamped receipt, the body's answer. Served only to those who may see the demand."""

    demand = models.ForeignKey(
        Demand, verbose_name=_("demand"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("document"), max_length=8, choices=AttachmentKind.choices)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering: ClassVar[list[str]] = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    VERY_OVERDUE = "very_overdue", _("Very overdue")


class DemandReminder(models.Model):
    """A reminder sent for a demand: once per kind (so the daily task can run twice)."""

    demand = models.ForeignKey(
        Demand, verbose_name=_("demand"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("reminder"), max_length=12, choices=ReminderKind.choices)
    sent_on = models.DateField(_("sent"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["demand", "kind"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.kind}"


# Statistics (kept by the actions, rebuilt by stats.rebuild) ---------------------------------


class BodyStats(models.Model):
    """Counters of one body's demands (filed ones only; drafts are not counted).

    received: filed to the body; pending: filed or acknowledged now; answered; answered_late:
    answered after the due date; closed_late: escalated or withdrawn without an answer after
    the due date had passed (they count as late); escalated, withdrawn, resolved;
    median_days: median calendar days from filing to answer.
    """

    body = models.OneToOneField(
        PublicBody,
        verbose_name=_("public body"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="stats",
    )
    received = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_late = models.PositiveIntegerField(default=0)
    closed_late = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    median_days = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("statistics of a public body")
        verbose_name_plural = _("statistics of public bodies")

    def __str__(self) -> str:
        return f"{self.body_id}: {self.received}"


class AnswerDays(models.Model):
    """How many of a body's demands were answered after `days` calendar days (for the
    median)."""

    body = models.ForeignKey(PublicBody, on_delete=models.CASCADE, related_name="+")
    days = models.PositiveIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["body", "days"], name="answer_days_once"),
        ]

    def __str__(self) -> str:
        return f"{self.body_id}: {self.days} d x {self.count}"


class BodyMonth(models.Model):
    """A body's demands by month of filing: received, answered, answered late."""

    body = models.ForeignKey(PublicBody, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    received = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_late = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["body", "month"], name="body_month_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.body_id} {self.month:%Y-%m}: {self.received}"


# Dialogue tables ----------------------------------------------------------------------------


class TableStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class DialogueTable(OwnedRecord):
    """A dialogue table (mesa de diálogo): spokespeople and officials meet on an agenda and
    agree commitments. `owner` is the organisation that convenes it."""

    title = models.CharField(_("title"), max_length=200)
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TableStatus.choices, default=TableStatus.PLANNED
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    bodies: models.ManyToManyField[PublicBody, models.Model] = models.ManyToManyField(
        PublicBody, verbose_name=_("public bodies"), related_name="dialogue_tables", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("dialogue table")
        verbose_name_plural = _("dialogue tables")
        ordering: ClassVar[list[str]] = ["-held_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["owner", "-held_at"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "unit"]), name="table_public_or_private"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Side(models.TextChoices):
    COMMUNITY = "community", _("Popular power")
    GOVERNMENT = "government", _("Government")


class TableParticipant(models.Model):
    """Who sat at the table: a public name and a position, on one side."""

    table = models.ForeignKey(
        DialogueTable,
        verbose_name=_("dialogue table"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    name = models.CharField(_("public name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering: ClassVar[list[str]] = ["side", "id"]

    def __str__(self) -> str:
        return self.name


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    BROKEN = "broken", _("Declared broken")


#: What a commitment shows, derived from its status, due date and today.
COMMITMENT_OUTCOMES: dict[str, object] = {
    "pending": _("Pending"),
    "kept": _("Kept"),
    "late": _("Late"),
    "broken": _("Broken"),
}


class Commitment(models.Model):
    """Who commits to what by when, agreed at a dialogue table.

    Shown as *kept* (done by its due date), *late* (done after it, or still open up to 30
    days after it) or *broken* (declared broken, or still open more than 30 days after it);
    *pending* while open and not yet due.
    """

    table = models.ForeignKey(
        DialogueTable,
        verbose_name=_("dialogue table"),
        on_delete=models.CASCADE,
        related_name="commitments",
    )
    responsible = models.ForeignKey(
        Organisation,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        related_name="dialogue_commitments",
    )
    what = models.TextField(_("what"))
    due_on = models.DateField(_("by when"))
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.OPEN,
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering: ClassVar[list[str]] = ["due_on", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["responsible", "status", "due_on"]),
            models.Index(fields=["status", "due_on"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="commitment_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.what[:80]

    def outcome_on(self, today: date | None = None) -> str:
        """pending, kept, late or broken on `today` (the local date by default)."""
        day = today or timezone.localdate()
        if self.status == CommitmentStatus.BROKEN:
            return "broken"
        if self.status == CommitmentStatus.DONE and self.done_on is not None:
            return "kept" if self.done_on <= self.due_on else "late"
        late = due_state(self.due_on, day, resolved=False)
        return {"on_time": "pending", "overdue": "late", "very_overdue": "broken"}[late]

    def outcome_label(self, today: date | None = None) -> str:
        return str(COMMITMENT_OUTCOMES[self.outcome_on(today)])


# Transfers of competences ---------------------------------------------------------------------


class TransferKind(models.TextChoices):
    SERVICE = "service", _("Public service")
    ASSET = "asset", _("Asset")
    POWER = "power", _("Power or function")


class Service(models.TextChoices):
    WATER = "water", _("Water")
    ELECTRICITY = "electricity", _("Electricity")
    WASTE = "waste", _("Rubbish collection")
    GAS = "gas", _("Domestic gas")
    TRANSPORT = "transport", _("Public transport")


class Phase(models.TextChoices):
    DIAGNOSIS = "diagnosis", _("Diagnosis")
    PLAN = "plan", _("Transfer plan")
    BUDGET = "budget", _("Budget")
    EXECUTION = "execution", _("Execution")
    OVERSIGHT = "oversight", _("Social oversight")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


#: The phases in order; `completed` follows social oversight.
PHASE_ORDER: tuple[str, ...] = (
    Phase.DIAGNOSIS.value,
    Phase.PLAN.value,
    Phase.BUDGET.value,
    Phase.EXECUTION.value,
    Phase.OVERSIGHT.value,
    Phase.COMPLETED.value,
)


class CompetenceTransfer(OwnedRecord):
    """A service, asset or power passing from a public body to a commune or council (the
    owner), through its phases. When a service transfer is completed the receiving
    organisation runs that service (ServiceManagement)."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("what passes"), max_length=8, choices=TransferKind.choices)
    service = models.CharField(_("service"), max_length=12, choices=Service.choices, blank=True)
    from_body = models.ForeignKey(
        PublicBody,
        verbose_name=_("from the body"),
        on_delete=models.PROTECT,
        related_name="transfers",
    )
    description = models.TextField(_("description"), blank=True)
    phase = models.CharField(
        _("phase"), max_length=10, choices=Phase.choices, default=Phase.DIAGNOSIS
    )
    started_on = models.DateField(_("started"))
    completed_on = models.DateField(_("completed"), null=True, blank=True)
    demands: models.ManyToManyField[Demand, models.Model] = models.ManyToManyField(
        Demand, verbose_name=_("linked demands"), related_name="transfers", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("transfer of competences")
        verbose_name_plural = _("transfers of competences")
        ordering: ClassVar[list[str]] = ["-started_on", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["owner", "phase"]),
            models.Index(fields=["phase", "-started_on"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(Q(kind="service") & ~Q(service=""))
                | (~Q(kind="service") & Q(service="")),
                name="transfer_service_when_service",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "unit"]), name="transfer_public_or_private"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def phase_index(self) -> int:
        return PHASE_ORDER.index(self.phase) if self.phase in PHASE_ORDER else -1


class TransferStep(models.Model):
    """A transfer entering a phase, with its date and notes: the transfer's history."""

    transfer = models.ForeignKey(
        CompetenceTransfer,
        verbose_name=_("transfer"),
        on_delete=models.CASCADE,
        related_name="steps",
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    started_on = models.DateField(_("from"))
    notes = models.TextField(_("notes"), blank=True)
    at = models.DateTimeField(_("recorded"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phase of a transfer")
        verbose_name_plural = _("phases of transfers")
        ordering: ClassVar[list[str]] = ["started_on", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["transfer", "started_on"])]

    def __str__(self) -> str:
        return f"{self.transfer_id} {self.phase} {self.started_on.isoformat()}"


class TransferDocument(StoredFile):
    """A document of a transfer (diagnosis, plan, budget, inventory, oversight report)."""

    transfer = models.ForeignKey(
        CompetenceTransfer,
        verbose_name=_("transfer"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("document of a transfer")
        verbose_name_plural = _("documents of transfers")
        ordering: ClassVar[list[str]] = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title


class ServiceManagement(models.Model):
    """An organisation (commune or council) runs a public service since a date, because a
    transfer of competences was completed. The public-services module reads this through
    `dialogue.queries.services_managed_by`."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="managed_services",
    )
    service = models.CharField(_("service"), max_length=12, choices=Service.choices)
    since = models.DateField(_("since"))
    transfer = models.ForeignKey(
        CompetenceTransfer,
        verbose_name=_("transfer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("service run by an organisation")
        verbose_name_plural = _("services run by organisations")
        ordering: ClassVar[list[str]] = ["service", "since"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["organisation", "service"],
                condition=Q(ended_on__isnull=True),
                name="service_managed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.service} {self.since.isoformat()}"
