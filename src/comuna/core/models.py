"""People, organisations, memberships, audit events, API tokens and idempotency keys."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    NETWORK = "network", _("Network members")
    UNIT = "unit", _("Members of the organisation")
    RESTRICTED = "restricted", _("Coordinators and oversight")


class Role(models.TextChoices):
    SPOKESPERSON = "spokesperson", _("Spokesperson")
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", _("Member")
    OVERSIGHT = "oversight", _("Social oversight")
    OBSERVER = "observer", _("Observer")


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", _("Communal council")
    COMMUNE = "commune", _("Commune")
    AGGREGATION = "aggregation", _("Aggregation of communes")
    PRODUCTIVE_UNIT = "productive_unit", _("Productive unit")
    PUBLIC_BODY = "public_body", _("Public body")
    MOVEMENT = "movement", _("Movement or organisation outside the registry")
    NETWORK = "network", _("Network")


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Organisation(TimeStamped):
    """An organised agent: council, commune, communal city, productive unit, public body...

    Concrete kinds extend it (multi-table inheritance), so memberships, audit events and the
    owner of any record point at one table whatever the kind. Organisations nest through
    `parent` (council -> commune -> communal city -> network).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("belongs to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering: ClassVar[list[str]] = ["name"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self, depth: int = 4) -> list[int]:
        """Ids of this organisation and the ones it belongs to, nearest first."""
        ids: list[int] = [self.pk]
        parent_id = self.parent_id
        seen = {self.pk}
        while parent_id is not None and parent_id not in seen and len(ids) <= depth:
            ids.append(parent_id)
            seen.add(parent_id)
            parent_id = (
                Organisation.objects.filter(pk=parent_id)
                .values_list("parent_id", flat=True)
                .first()
            )
        return ids


class Person(TimeStamped):
    """A person of the network. Many people never sign in: `user` is optional.

    `national_id`, `phone`, `email` and `address` are private: only the person and the
    coordinators of their organisations see them (see core.access.person_private_visible).
    `public_name` is what the public sees (a spokesperson may choose a short form).
    """

    class Gender(models.TextChoices):
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")
        OTHER = "x", _("Other or not stated")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    full_name = models.CharField(_("full name"), max_length=200)
    public_name = models.CharField(_("public name"), max_length=200)
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, default=Gender.OTHER
    )
    national_id = models.CharField(_("national ID number"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering: ClassVar[list[str]] = ["public_name"]

    def __str__(self) -> str:
        return self.public_name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: object = None) -> MembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class Membership(TimeStamped):
    """A person's role in an organisation, valid from a day to an optional day."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_ends_after_start",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["organisation", "role"]),
            models.Index(fields=["person", "valid_to"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.organisation}"


class OwnedRecord(TimeStamped):
    """Base for records that belong to an organisation and carry a visibility level."""

    owner = models.ForeignKey(
        Organisation, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who did what to which record, when. Written by every action; never edited."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    verb = models.CharField(_("what"), max_length=60)
    subject_type = models.CharField(_("record type"), max_length=60)
    subject_id = models.CharField(_("record"), max_length=64)
    subject_label = models.CharField(_("record name"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.subject_type}:{self.subject_id}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "cmn_" + secrets.token_urlsafe(32)


class IdempotencyKey(models.Model):
    """The stored answer to an API POST sent with an Idempotency-Key header."""

    key = models.CharField(max_length=200)
    principal = models.CharField(max_length=80)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    body_digest = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["principal", "key", "method", "path"], name="idempotency_key_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.key}"


class ScheduledRun(models.Model):
    """When a periodic task was last put on the queue (see core.scheduler)."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_enqueued_at:%Y-%m-%d %H:%M}"
