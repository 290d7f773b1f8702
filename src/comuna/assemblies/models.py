"""Models of the assemblies module: the event side.

An `Assembly` is convened by a registered organisation (its `owner`, whose coordinators run
it) together with other convenors, registered or not (`Convenor`: a movement from abroad has
a name and a country, no registry entry). It has `Session`s (days, half-days), an agenda tree
(`AgendaItem`) with a speakers list per item (`SpeakerEntry`).

Each invited organisation sends a `Delegation` with a quota; its delegates are `Participant`s
carrying a mandate issued by their unit (validity, instructions) that the credentials desk
accepts or refuses. Observers and guests are participants too, without a vote. Check-in (by
number or by the QR code printed on the badge, which carries the participant's `badge_code`)
sets `present`; presence gives the quorum (`Assembly.quorum_share` of the voting members).

Working groups (mesas de trabajo) have a facilitator, a rapporteur, members, a report and
motions. A `Motion` moves through workflow states that are data (`MotionState`, seeded with the
default workflow); each move is kept in `MotionEvent`. Amendments replace one paragraph.
A motion forwarded to another body is a new motion in that body that points back to the one
it came from (`forwarded_from`) and keeps its `origin`.

After the assembly: `Minutes` generated from the record, edited, approved; a `Declaration`
with numbered versions and endorsing organisations; `Resolution`s followed up on a board.

Every change bumps `Assembly.version` (in the same transaction), which the projector page
uses as its ETag: a poll that finds nothing changed costs one small query.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuna.core.models import Organisation, OwnedRecord, Person, TimeStamped, Visibility

# Assemblies ---------------------------------------------------------------------------------


class Scope(models.TextChoices):
    NATIONAL = "national", _("National assembly")
    REGIONAL = "regional", _("Regional assembly")
    COMMUNE_PARLIAMENT = "commune_parliament", _("Communal parliament")
    CITIZENS_ASSEMBLY = "citizens_assembly", _("Citizens' assembly of a council")


class AssemblyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONVENED = "convened", _("Convened")
    IN_SESSION = "in_session", _("In session")
    CLOSED = "closed", _("Adjourned")


class Assembly(OwnedRecord):
    """An assembly. `owner` is the convening registered organisation; its coordinators (and
    those of the organisations above it) run the assembly."""

    slug = models.SlugField(_("short name"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=AssemblyStatus.choices, default=AssemblyStatus.DRAFT
    )
    quorum_share = models.DecimalField(
        _("quorum (share of voting members present)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    speaking_seconds = models.PositiveSmallIntegerField(
        _("default speaking time (seconds)"), default=180
    )
    current_item = models.ForeignKey(
        "AgendaItem",
        verbose_name=_("current agenda item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")
        ordering: ClassVar[list[str]] = ["-starts_on", "title"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status", "starts_on"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="assembly_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(quorum_share__gte=0) & Q(quorum_share__lte=1),
                name="assembly_quorum_share_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Convenor(models.Model):
    """An organisation that convenes the assembly with its owner: registered (`organisation`)
    or outside the registry (`name` and `country` only, e.g. a movement from abroad)."""

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="convenors"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("registered organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("convenor")
        verbose_name_plural = _("convenors")
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assembly", "name"], name="convenor_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.CharField(_("room or place"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering: ClassVar[list[str]] = ["starts_at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


# Delegations and participants ---------------------------------------------------------------


class Delegation(models.Model):
    """An invited organisation and how many delegates it may send."""

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="delegations"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveSmallIntegerField(
        _("delegates allowed"), default=1, validators=[MinValueValidator(1)]
    )
    instructions = models.TextField(_("instructions of the unit"), blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering: ClassVar[list[str]] = ["organisation__name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["assembly", "organisation"], name="delegation_once_per_organisation"
            ),
            models.CheckConstraint(condition=Q(quota__gte=1), name="delegation_quota_positive"),
        ]

    def __str__(self) -> str:
        return str(self.organisation_id)


class ParticipantKind(models.TextChoices):
    DELEGATE = "delegate", _("Delegate")
    OBSERVER = "observer", _("Observer")
    GUEST = "guest", _("Guest")


class ParticipantGender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Other")
    __empty__ = _("Not stated")


class CredentialStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the credentials desk")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class Participant(models.Model):
    """A delegate, observer or guest. Only delegates with an accepted credential and a
    mandate valid today vote (see queries.voting_members)."""

    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assembly_participations",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=ParticipantKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    affiliation = models.CharField(
        _("organisation outside the registry"), max_length=200, blank=True
    )
    delegation = models.ForeignKey(
        Delegation,
        verbose_name=_("delegation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegates",
    )
    number = models.CharField(_("participant number"), max_length=20)
    gender = models.CharField(
        _("gender"), max_length=6, choices=ParticipantGender.choices, blank=True, default=""
    )
    vote_weight = models.PositiveIntegerField(_("vote weight"), default=1)
    mandate_issued_on = models.DateField(_("mandate issued on"), null=True, blank=True)
    mandate_valid_until = models.DateField(_("mandate valid until"), null=True, blank=True)
    mandate_instructions = models.TextField(_("mandate instructions"), blank=True)
    mandate_reference = models.CharField(
        _("mandate reference (act or decision)"), max_length=200, blank=True
    )
    credential_status = models.CharField(
        _("credential"),
        max_length=10,
        choices=CredentialStatus.choices,
        default=CredentialStatus.PENDING,
    )
    credential_note = models.CharField(_("credentials desk note"), max_length=300, blank=True)
    credential_checked_at = models.DateTimeField(_("credential checked"), null=True, blank=True)
    badge_code = models.CharField(_("badge code"), max_length=24, unique=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    present = models.BooleanField(_("present"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering: ClassVar[list[str]] = ["number"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["assembly", "kind", "credential_status", "present"]),
            models.Index(fields=["assembly", "name"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assembly", "number"], name="participant_number_once"),
            models.UniqueConstraint(
                fields=["assembly", "person"],
                condition=Q(person__isnull=False),
                name="participant_person_once",
            ),
            models.CheckConstraint(
                condition=Q(vote_weight__gte=1), name="participant_vote_weight_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind="delegate") | Q(delegation__isnull=True),
                name="participant_only_delegates_in_delegation",
            ),
            models.CheckConstraint(
                condition=Q(present=False) | Q(checked_in_at__isnull=False),
                name="participant_present_after_check_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def mandate_valid_on(self, day: object) -> bool:
        return self.mandate_valid_until is None or self.mandate_valid_until >= day  # type: ignore[operator]


# Agenda and speakers ------------------------------------------------------------------------


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CURRENT = "current", _("Being discussed")
    DONE = "done", _("Done")


class AgendaItem(models.Model):
    """An item of the agenda; items nest (`parent`), ordered by `position` among siblings."""

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="agenda"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("under item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    motion = models.ForeignKey(
        "Motion",
        verbose_name=_("motion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering: ClassVar[list[str]] = ["position", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(duration_minutes__lte=1440), name="agenda_item_duration_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Stance(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    NEUTRAL = "neutral", _("Neither")


class SpeakerStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    SPEAKING = "speaking", _("Speaking")
    DONE = "done", _("Spoke")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class SpeakerEntry(models.Model):
    """A participant on the speakers list of an agenda item."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="speakers"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("speaker"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("order"))
    stance = models.CharField(
        _("for or against"), max_length=8, choices=Stance.choices, default=Stance.NEUTRAL
    )
    seconds = models.PositiveSmallIntegerField(_("speaking time (seconds)"), default=180)
    status = models.CharField(
        _("status"), max_length=10, choices=SpeakerStatus.choices, default=SpeakerStatus.WAITING
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering: ClassVar[list[str]] = ["position", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["item", "participant"],
                condition=Q(status__in=["waiting", "speaking"]),
                name="speaker_waiting_once",
            ),
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="speaking"), name="speaker_one_at_a_time"
            ),
            models.CheckConstraint(condition=Q(seconds__gte=10), name="speaker_seconds_min"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.position}"


# Working groups -----------------------------------------------------------------------------


class WorkingGroup(models.Model):
    """A mesa de trabajo: a topic, a facilitator, a rapporteur, members and a report."""

    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="working_groups",
    )
    slug = models.SlugField(_("short name"), max_length=80)
    topic = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    facilitator = models.ForeignKey(
        Participant,
        verbose_name=_("facilitator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rapporteur = models.ForeignKey(
        Participant,
        verbose_name=_("rapporteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        Participant, verbose_name=_("members"), blank=True, related_name="working_groups"
    )
    report = models.TextField(_("working group report"), blank=True)
    report_submitted_at = models.DateTimeField(_("report submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering: ClassVar[list[str]] = ["topic"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["assembly", "slug"], name="working_group_slug_once"),
        ]

    def __str__(self) -> str:
        return self.topic


# Motions ------------------------------------------------------------------------------------


#: The names of the default workflow's states, translated (a state renamed by its users
#: shows its own name).
DEFAULT_STATE_LABELS = {
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "admitted": _("Admitted"),
    "debated": _("Debated"),
    "voted": _("Voted"),
    "adopted": _("Adopted"),
    "rejected": _("Rejected"),
    "withdrawn": _("Withdrawn"),
    "referred": _("Referred to another body"),
}


class MotionState(models.Model):
    """A state of the motion workflow. The states and the moves allowed from each
    (`next_codes`) are data; `seed_default_workflow` writes the default one."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    next_codes = models.JSONField(_("may move to"), default=list, blank=True)
    is_final = models.BooleanField(_("final"), default=False)

    class Meta:
        verbose_name = _("motion state")
        verbose_name_plural = _("motion states")
        ordering: ClassVar[list[str]] = ["position", "code"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        default = DEFAULT_STATE_LABELS.get(self.code)
        if default is not None and self.name == _english(self.code):
            return str(default)
        return self.name


def _english(code: str) -> str:
    from comuna.assemblies.actions import DEFAULT_WORKFLOW

    return next((name for c, name, _next, _final in DEFAULT_WORKFLOW if c == code), "")


class Motion(models.Model):
    """A motion before a body: in an assembly (`assembly`) or, forwarded to a unit that holds
    no assembly on the platform, before that organisation (`body`). `origin` is the
    organisation it started from and is kept through forwarding."""

    assembly = models.ForeignKey(
        Assembly,
        verbose_name=_("assembly"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="motions",
    )
    body = models.ForeignKey(
        Organisation,
        verbose_name=_("before the body of"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    state = models.ForeignKey(
        MotionState, verbose_name=_("state"), on_delete=models.PROTECT, related_name="+"
    )
    origin = models.ForeignKey(
        Organisation, verbose_name=_("origin"), on_delete=models.PROTECT, related_name="+"
    )
    working_group = models.ForeignKey(
        WorkingGroup,
        verbose_name=_("working group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="motions",
    )
    submitter = models.ForeignKey(
        Participant,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    forwarded_from = models.ForeignKey(
        "self",
        verbose_name=_("forwarded from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwards",
    )
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["assembly", "state"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["assembly", "number"],
                condition=Q(assembly__isnull=False),
                name="motion_number_once_per_assembly",
            ),
            models.UniqueConstraint(
                fields=["body", "number"],
                condition=Q(assembly__isnull=True),
                name="motion_number_once_per_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.text)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines."""
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


class MotionSupport(models.Model):
    """A supporter of a motion: a participant or an organisation."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="supports"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        ordering: ClassVar[list[str]] = ["at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(participant__isnull=False) | Q(organisation__isnull=False),
                name="motion_support_has_supporter",
            ),
            models.UniqueConstraint(
                fields=["motion", "participant"],
                condition=Q(participant__isnull=False),
                name="motion_support_participant_once",
            ),
            models.UniqueConstraint(
                fields=["motion", "organisation"],
                condition=Q(organisation__isnull=False),
                name="motion_support_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.motion_id}"


class MotionEvent(models.Model):
    """One move of a motion through its workflow (its history)."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.ForeignKey(
        MotionState,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_state = models.ForeignKey(
        MotionState, verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("motion event")
        verbose_name_plural = _("motion events")
        ordering: ClassVar[list[str]] = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.motion_id} -> {self.to_state_id}"


class AmendmentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Amendment(models.Model):
    """A new wording for one paragraph of a motion (or an empty one: delete it). When
    accepted, the motion's text takes it; `original` keeps the paragraph as it was."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="amendments"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    paragraph = models.PositiveSmallIntegerField(_("paragraph"))
    original = models.TextField(_("paragraph as it was"))
    proposed = models.TextField(_("proposed wording"), blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    proposer = models.ForeignKey(
        Participant,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    origin = models.ForeignKey(
        Organisation,
        verbose_name=_("proposing organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AmendmentStatus.choices,
        default=AmendmentStatus.SUBMITTED,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering: ClassVar[list[str]] = ["number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["motion", "number"], name="amendment_number_once"),
            models.CheckConstraint(condition=Q(paragraph__gte=1), name="amendment_paragraph_min"),
        ]

    def __str__(self) -> str:
        return f"{self.motion_id}/A{self.number}"


# After the assembly -------------------------------------------------------------------------


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class Minutes(models.Model):
    """The minutes of an assembly: generated from the record, then edited, then approved
    (by a poll on the minutes when the voting part is there, or by a coordinator)."""

    assembly = models.OneToOneField(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="minutes"
    )
    text = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approval_basis = models.CharField(_("approved through"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.assembly_id)


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Declaration(models.Model):
    assembly = models.OneToOneField(
        Assembly,
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="declaration",
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.DRAFT,
    )
    motions = models.ManyToManyField(
        Motion, verbose_name=_("adopted motions"), blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")

    def __str__(self) -> str:
        return self.title


class DeclarationVersion(models.Model):
    declaration = models.ForeignKey(
        Declaration,
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("text"))
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("declaration version")
        verbose_name_plural = _("declaration versions")
        ordering: ClassVar[list[str]] = ["number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["declaration", "number"], name="declaration_version_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id} v{self.number}"


class Endorsement(models.Model):
    declaration = models.ForeignKey(
        Declaration,
        verbose_name=_("declaration"),
        on_delete=models.CASCADE,
        related_name="endorsements",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        ordering: ClassVar[list[str]] = ["at", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["declaration", "organisation"], name="endorsement_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.declaration_id}: {self.organisation_id}"


class ResolutionStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")
    CANCELLED = "cancelled", _("Cancelled")


class Resolution(TimeStamped):
    """What was resolved and who carries it out, followed up after the assembly."""

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("assembly"), on_delete=models.CASCADE, related_name="resolutions"
    )
    motion = models.ForeignKey(
        Motion,
        verbose_name=_("motion"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolutions",
    )
    title = models.CharField(_("title"), max_length=200)
    responsible = models.ForeignKey(
        Organisation,
        verbose_name=_("responsible organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ResolutionStatus.choices,
        default=ResolutionStatus.PENDING,
    )
    note = models.TextField(_("follow-up note"), blank=True)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering: ClassVar[list[str]] = ["due_on", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["assembly", "status"])]

    def __str__(self) -> str:
        return self.title


# Importing the polls, elections and exports models registers them.
from comuna.assemblies.models_voting import *  # noqa: E402, F403
