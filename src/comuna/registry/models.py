"""The registry: councils, communes, aggregations, bodies, committees, mandates, links and
capacity assessments. Councils, communes and aggregations are core Organisations (multi-table
inheritance), so memberships, audit events and the owner of any record point at one table.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuna.core.models import Organisation, Person, TimeStamped
from comuna.geography.models import Parish, State


class Scope(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")
    INDIGENOUS = "indigenous", _("Indigenous")


class CouncilStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RENEWAL_DUE = "renewal_due", _("Renewal of spokespeople due")
    INACTIVE = "inactive", _("Inactive")


class CommuneStatus(models.TextChoices):
    FORMING = "forming", _("Forming")
    REGISTERED = "registered", _("Registered")
    INACTIVE = "inactive", _("Inactive")


class Placed(models.Model):
    """A territory (GeoJSON geometry, RFC 7946) and/or a point, with a bounding box."""

    territory = models.JSONField(
        _("territory"),
        null=True,
        blank=True,
        help_text=_("A GeoJSON Polygon or MultiPolygon in longitude and latitude (WGS84)."),
    )
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Commune(Organisation, Placed):
    """A commune (comuna): neighbouring councils and their productive organisations."""

    organisation_ptr = models.OneToOneField(
        Organisation,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="commune_profile",
    )
    registry_code = models.CharField(_("registry code"), max_length=40, unique=True)
    charter_date = models.DateField(_("founding charter"), null=True, blank=True)
    parish = models.ForeignKey(
        Parish, verbose_name=_("seat parish"), on_delete=models.PROTECT, related_name="communes"
    )
    state = models.ForeignKey(
        State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="communes"
    )
    seat = models.CharField(_("seat"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CommuneStatus.choices, default=CommuneStatus.FORMING
    )
    capacity_level = models.PositiveSmallIntegerField(
        _("capacity level"), null=True, blank=True, editable=False
    )
    council_count = models.PositiveIntegerField(_("councils"), default=0, editable=False)
    link_count = models.PositiveIntegerField(_("links"), default=0, editable=False)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering: ClassVar[list[str]] = ["name"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["state", "status"]),
            models.Index(fields=["capacity_level"]),
        ]

    def __str__(self) -> str:
        return self.name


class CommunalCouncil(Organisation, Placed):
    """A communal council (consejo comunal): self-government of one community."""

    organisation_ptr = models.OneToOneField(
        Organisation,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="council_profile",
    )
    registry_code = models.CharField(_("registry code"), max_length=40, unique=True)
    parish = models.ForeignKey(
        Parish, verbose_name=_("parish"), on_delete=models.PROTECT, related_name="councils"
    )
    state = models.ForeignKey(
        State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="councils"
    )
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    founded = models.DateField(_("founded"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CouncilStatus.choices, default=CouncilStatus.ACTIVE
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="councils",
    )

    class Meta:
        verbose_name = _("communal council")
        verbose_name_plural = _("communal councils")
        ordering: ClassVar[list[str]] = ["name"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["state", "status"]),
            models.Index(fields=["commune", "status"]),
        ]

    def __str__(self) -> str:
        return self.name


class CouncilMembership(TimeStamped):
    """A council's time in a commune: joined, and left (or still in)."""

    council = models.ForeignKey(
        CommunalCouncil, verbose_name=_("council"), on_delete=models.PROTECT, related_name="+"
    )
    commune = models.ForeignKey(
        Commune,
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="council_history",
    )
    joined = models.DateField(_("joined"))
    left = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("council in a commune")
        verbose_name_plural = _("councils in communes")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["council"], condition=Q(left__isnull=True), name="council_in_one_commune"
            ),
            models.CheckConstraint(
                condition=Q(left__isnull=True) | Q(left__gte=F("joined")),
                name="council_leaves_after_joining",
            ),
        ]


class AggregationKind(models.TextChoices):
    COMMUNAL_CITY = "communal_city", _("Communal city")
    FEDERATION = "federation", _("Communal federation")
    CORRIDOR = "corridor", _("Communal corridor")


class Aggregation(Organisation):
    """A named group of communes: communal city, federation or corridor."""

    organisation_ptr = models.OneToOneField(
        Organisation,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="aggregation_profile",
    )
    aggregation_kind = models.CharField(_("type"), max_length=16, choices=AggregationKind.choices)
    formed = models.DateField(_("formed"), null=True, blank=True)
    communes: models.ManyToManyField[Commune, AggregationMember] = models.ManyToManyField(
        Commune,
        through="AggregationMember",
        verbose_name=_("communes"),
        related_name="aggregations",
    )

    class Meta:
        verbose_name = _("aggregation")
        verbose_name_plural = _("aggregations")
        ordering: ClassVar[list[str]] = ["name"]


class AggregationMember(TimeStamped):
    aggregation = models.ForeignKey(Aggregation, on_delete=models.PROTECT, related_name="members")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    joined = models.DateField(_("joined"))
    left = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["aggregation", "commune"],
                condition=Q(left__isnull=True),
                name="commune_once_in_aggregation",
            ),
        ]


class BodyKind(models.TextChoices):
    # Organs of a communal council
    CITIZENS_ASSEMBLY = "citizens_assembly", _("Citizens' assembly")
    EXECUTIVE_UNIT = "executive_unit", _("Executive unit")
    FINANCIAL_UNIT = "financial_unit", _("Administrative and financial unit")
    OVERSIGHT_UNIT = "oversight_unit", _("Social oversight unit")
    ELECTORAL_COMMISSION = "electoral_commission", _("Permanent electoral commission")
    # Organs of a commune
    PARLIAMENT = "parliament", _("Communal parliament")
    EXECUTIVE_COUNCIL = "executive_council", _("Executive council")
    PLANNING_COUNCIL = "planning_council", _("Communal planning council")
    ECONOMY_COUNCIL = "economy_council", _("Communal economy council")
    BANK = "bank", _("Commune bank")
    OVERSIGHT_COUNCIL = "oversight_council", _("Communal oversight council")


COUNCIL_BODIES = [
    BodyKind.CITIZENS_ASSEMBLY,
    BodyKind.EXECUTIVE_UNIT,
    BodyKind.FINANCIAL_UNIT,
    BodyKind.OVERSIGHT_UNIT,
    BodyKind.ELECTORAL_COMMISSION,
]
COMMUNE_BODIES = [
    BodyKind.PARLIAMENT,
    BodyKind.EXECUTIVE_COUNCIL,
    BodyKind.PLANNING_COUNCIL,
    BodyKind.ECONOMY_COUNCIL,
    BodyKind.BANK,
    BodyKind.OVERSIGHT_COUNCIL,
]


class Body(TimeStamped):
    """An organ of a council or a commune. Created with the unit."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="bodies",
    )
    kind = models.CharField(_("type"), max_length=24, choices=BodyKind.choices)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="one_body_of_a_kind"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class CommitteeType(models.Model):
    """A working committee or technical table (dated catalogue, not an enum)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150)
    name_es = models.CharField(_("name in Spanish"), max_length=150)
    technical_table = models.BooleanField(_("technical table"), default=False)
    valid_from = models.DateField(_("valid from"), default=date(2009, 11, 28))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee type")
        verbose_name_plural = _("committee types")
        ordering: ClassVar[list[str]] = ["name_es"]

    def __str__(self) -> str:
        return self.name_es

    def label(self, language: str) -> str:
        return self.name_es if language.startswith("es") else self.name


class MandatePosition(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    ALTERNATE = "alternate", _("Alternate")


class MandateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class Mandate(TimeStamped):
    """A spokesperson's mandate (vocería) in a body or a committee of a council or commune."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="mandates"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    body = models.ForeignKey(
        Body,
        verbose_name=_("body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    committee = models.ForeignKey(
        CommitteeType,
        verbose_name=_("committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mandates",
    )
    position = models.CharField(
        _("position"),
        max_length=10,
        choices=MandatePosition.choices,
        default=MandatePosition.PRINCIPAL,
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=8, choices=MandateStatus.choices, default=MandateStatus.ACTIVE
    )
    decision = models.CharField(
        _("decision"),
        max_length=300,
        help_text=_("The election or decision the mandate comes from (assembly, date, minutes)."),
    )
    membership = models.OneToOneField(
        "core.Membership", null=True, blank=True, on_delete=models.PROTECT, related_name="mandate"
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    expiry_warned_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering: ClassVar[list[str]] = ["-start"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="mandate_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    Q(body__isnull=False, committee__isnull=True)
                    | Q(body__isnull=True, committee__isnull=False)
                ),
                name="mandate_in_a_body_or_a_committee",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["status", "end"]),
        ]

    def __str__(self) -> str:
        seat = self.body or self.committee
        return f"{self.person} · {seat} · {self.organisation}"

    @property
    def is_current(self) -> bool:
        return self.status == MandateStatus.ACTIVE and self.end >= timezone.localdate()


class LinkKind(models.TextChoices):
    PRODUCTION = "production", _("Production")
    COMMUNICATION = "communication", _("Communication")
    EDUCATION = "education", _("Education")
    SERVICES = "services", _("Services")
    TERRITORY = "territory", _("Territory")


class Link(TimeStamped):
    """A typed edge between two organisations; the network graph is these links."""

    source = models.ForeignKey(
        Organisation, verbose_name=_("from"), on_delete=models.PROTECT, related_name="links_out"
    )
    target = models.ForeignKey(
        Organisation, verbose_name=_("to"), on_delete=models.PROTECT, related_name="links_in"
    )
    kind = models.CharField(_("type"), max_length=16, choices=LinkKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    since = models.DateField(_("since"), default=timezone.localdate)
    ended = models.DateField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=~Q(source=F("target")), name="link_not_to_itself"),
            models.UniqueConstraint(
                fields=["source", "target", "kind"],
                condition=Q(ended__isnull=True),
                name="one_open_link_of_a_kind",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["kind", "ended"])]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.get_kind_display()})"


class CapacityAssessment(TimeStamped):
    """Dated indicators of a commune's organisation, giving a level 1-4 (see capacity.py)."""

    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="assessments"
    )
    assessed_on = models.DateField(_("date"))
    charter_approved = models.BooleanField(_("founding charter approved"), default=False)
    parliament_meeting = models.BooleanField(_("parliament meets regularly"), default=False)
    plan_approved = models.BooleanField(_("development plan approved"), default=False)
    bank_operating = models.BooleanField(_("commune bank operating"), default=False)
    productive_units = models.PositiveIntegerField(_("productive units"), default=0)
    services_managed = models.PositiveIntegerField(_("public services managed"), default=0)
    councils_active_share = models.PositiveSmallIntegerField(
        _("active councils (%)"), default=0, help_text=_("Share of its councils that are active.")
    )
    level = models.PositiveSmallIntegerField(_("level"), editable=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("capacity assessment")
        verbose_name_plural = _("capacity assessments")
        ordering: ClassVar[list[str]] = ["-assessed_on", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="level_1_to_4"),
            models.CheckConstraint(
                condition=Q(councils_active_share__lte=100), name="share_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune} {self.assessed_on}: {self.level}"
