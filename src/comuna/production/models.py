"""The productive network, modelled on ValueFlows (REA) with the names users know.

- Catalogue: `Unit` (with a conversion to its base unit: a 40 kg sack is 40 kg) and
  `ResourceSpecification` (rubro, insumo: maize seed, organic fertiliser, PVC pipe...).
- Agents: `ProductiveUnit` (EPSDC, EPSIC, UPF, GIS, cooperative) is a core Organisation below
  a council or a commune; councils and communes are agents too.
- `MicroProject` (proyecto socioproductivo) with its `ProcessFlow`s: inputs and outputs per
  period.
- `Intent`: an offer or a need (ValueFlows intents); those of a `SupplyCycle` are allocated.
- `SupplyCycle` (ciclo de abastecimiento): open -> allocated -> delivering -> closed.
- `Proposal`: a flow proposed by the allocation, that both sides accept or decline;
  `Shortfall`: what the allocation could not meet, and why.
- `Agreement` (approved by the economy council) -> `Commitment`s -> `EconomicEvent`s
  (append-only; corrected by new events) -> `Inventory` (derived, never negative).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comuna.core.models import Organisation, OwnedRecord, Visibility


class Category(models.TextChoices):
    SEED = "seed", _("Seed")
    FERTILISER = "fertiliser", _("Fertiliser")
    PACKAGING = "packaging", _("Packaging")
    SPARE_PART = "spare_part", _("Spare part")
    TOOL = "tool", _("Tool")
    FOOD = "food", _("Food product")
    RAW_MATERIAL = "raw_material", _("Raw material")
    SERVICE = "service", _("Service")


class Unit(models.Model):
    """A unit of measure. A unit without `base` is a base unit; otherwise one of it is
    `factor` of its base unit (a 40 kg sack: base kg, factor 40)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    symbol = models.CharField(_("symbol"), max_length=20)
    base = models.ForeignKey(
        "self",
        verbose_name=_("base unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
    )
    factor = models.DecimalField(_("factor"), max_digits=18, decimal_places=6, default=1)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering: ClassVar[list[str]] = ["code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(factor__gt=0), name="unit_factor_positive"),
            models.CheckConstraint(
                condition=Q(base__isnull=False) | Q(factor=1), name="base_unit_factor_one"
            ),
        ]

    def __str__(self) -> str:
        return self.symbol

    @property
    def base_id_or_own(self) -> int:
        return self.base_id or self.pk


class ResourceSpecification(models.Model):
    """What a thing is (rubro, insumo): maize seed, 40 kg sacks, tractor hours."""

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=150)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("default unit"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("resource specification")
        verbose_name_plural = _("resource specifications")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitForm(models.TextChoices):
    EPSDC = "epsdc", _("Direct communal social property enterprise (EPSDC)")
    EPSIC = "epsic", _("Indirect communal social property enterprise (EPSIC)")
    UPF = "upf", _("Family production unit (UPF)")
    GIS = "gis", _("Solidarity exchange group (GIS)")
    COOPERATIVE = "cooperative", _("Cooperative")
    OTHER = "other", _("Other")


class ProductiveUnit(Organisation):
    """A productive organisation (organización socioproductiva) of a council or a commune.

    Its parent is the council or commune; `commune` is the commune it belongs to (the
    parent itself, or the council's commune), kept for maps and roll-ups."""

    organisation_ptr = models.OneToOneField(
        Organisation,
        parent_link=True,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="productive_profile",
    )
    form = models.CharField(_("form"), max_length=12, choices=UnitForm.choices)
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    commune = models.ForeignKey(
        Organisation,
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="productive_units",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    makes: models.ManyToManyField[ResourceSpecification, models.Model] = models.ManyToManyField(
        ResourceSpecification,
        verbose_name=_("what it makes"),
        blank=True,
        related_name="made_by",
    )

    class Meta:
        verbose_name = _("productive unit")
        verbose_name_plural = _("productive units")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(lat__isnull=True) | Q(lat__gte=-90, lat__lte=90),
                name="productive_unit_lat_range",
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True) | Q(lon__gte=-180, lon__lte=180),
                name="productive_unit_lon_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("micro-project", "Planned")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    FINISHED = "finished", _("Finished")


class Period(models.TextChoices):
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    SEASON = "season", _("per season")
    YEAR = "year", _("per year")


class MicroProject(OwnedRecord):
    """A productive micro-project (proyecto socioproductivo) of a productive unit."""

    unit = models.ForeignKey(
        ProductiveUnit,
        verbose_name=_("productive unit"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    plan = models.CharField(
        _("plan"),
        max_length=200,
        blank=True,
        help_text=_("The plan it belongs to, e.g. the communal development plan 2025-2027."),
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("micro-project")
        verbose_name_plural = _("micro-projects")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Direction(models.TextChoices):
    INPUT = "input", _("Input")
    OUTPUT = "output", _("Output")


class ProcessFlow(models.Model):
    """An input a micro-project consumes or an output it produces, per period."""

    project = models.ForeignKey(
        MicroProject,
        verbose_name=_("micro-project"),
        on_delete=models.PROTECT,
        related_name="flows",
    )
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    resource = models.ForeignKey(
        ResourceSpecification,
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)

    class Meta:
        verbose_name = _("input or output")
        verbose_name_plural = _("inputs and outputs")
        ordering: ClassVar[list[str]] = ["direction", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="process_flow_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.quantity} {self.unit} {self.resource}"


class CycleStatus(models.TextChoices):
    COLLECTING = "collecting", _("Collecting offers and needs")
    ALLOCATED = "allocated", _("Proposals to agree")
    DELIVERING = "delivering", _("Delivering")
    CLOSED = "closed", pgettext_lazy("cycle", "Closed")


class AllocationState(models.TextChoices):
    IDLE = "idle", _("Not run yet")
    QUEUED = "queued", _("Waiting to run")
    RUNNING = "running", _("Running")
    DONE = "done", pgettext_lazy("allocation", "Done")
    FAILED = "failed", _("Failed")


class SupplyCycle(OwnedRecord):
    """A round of gathering offers and needs, coordinated by a commune's economy council
    (owner: the commune) or by the network, for exchange between communes (owner: the
    network)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CycleStatus.choices, default=CycleStatus.COLLECTING
    )
    opens_on = models.DateField(_("opens"), default=timezone.localdate)
    collect_until = models.DateField(_("offers and needs until"))
    deliver_by = models.DateField(_("deliveries by"))
    cost_per_unit_km = models.DecimalField(
        _("transport cost per unit and km"),
        max_digits=10,
        decimal_places=4,
        default=0.005,
        help_text=_(
            "In priority points per base unit and km: with 0.005, a need of priority 10 may be "
            "served from up to 2,000 km, one of priority 1 from up to 200 km."
        ),
    )
    max_distance_km = models.DecimalField(
        _("maximum distance (km)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    allocation_state = models.CharField(
        _("allocation"),
        max_length=8,
        choices=AllocationState.choices,
        default=AllocationState.IDLE,
    )
    allocation_progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    allocation_message = models.CharField(_("allocation message"), max_length=300, blank=True)
    allocation_run = models.PositiveIntegerField(_("allocation run"), default=0)
    allocated_at = models.DateTimeField(_("allocated"), null=True, blank=True)
    allocation_summary = models.JSONField(_("allocation summary"), default=dict, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        verbose_name = _("supply cycle")
        verbose_name_plural = _("supply cycles")
        ordering: ClassVar[list[str]] = ["-opens_on", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(collect_until__gte=F("opens_on")), name="cycle_collects_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(deliver_by__gte=F("collect_until")),
                name="cycle_delivers_after_collecting",
            ),
            models.CheckConstraint(condition=Q(cost_per_unit_km__gte=0), name="cycle_cost_ge_0"),
            models.CheckConstraint(
                condition=Q(max_distance_km__isnull=True) | Q(max_distance_km__gt=0),
                name="cycle_max_distance_positive",
            ),
            models.CheckConstraint(
                condition=Q(allocation_progress__lte=100), name="cycle_progress_at_most_100"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status", "-opens_on"])]

    def __str__(self) -> str:
        return self.name


class CycleParticipant(models.Model):
    """A productive unit that opted in to a cycle."""

    cycle = models.ForeignKey(
        SupplyCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="participants"
    )
    unit = models.ForeignKey(
        ProductiveUnit,
        verbose_name=_("productive unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="unit_joins_a_cycle_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.cycle}"


class IntentKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    NEED = "need", _("Need")


class Terms(models.TextChoices):
    BARTER = "barter", _("Barter")
    COMMUNAL_CURRENCY = "communal_currency", _("Communal currency")
    BOLIVARES = "bolivares", _("Bolívares (reference price)")
    DONATION = "donation", _("Donation")


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    WEEKLY = "weekly", _("Every week")
    MONTHLY = "monthly", _("Every month")
    SEASONAL = "seasonal", _("Every season")


class IntentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("offer or need", "Open")
    WITHDRAWN = "withdrawn", pgettext_lazy("offer or need", "Withdrawn")


class Intent(OwnedRecord):
    """An offer (the owner provides) or a need (the owner receives): a ValueFlows intent."""

    kind = models.CharField(_("kind"), max_length=5, choices=IntentKind.choices)
    cycle = models.ForeignKey(
        SupplyCycle,
        verbose_name=_("cycle"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intents",
    )
    resource = models.ForeignKey(
        ResourceSpecification,
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    quantity_base = models.DecimalField(
        _("quantity in the base unit"), max_digits=18, decimal_places=3, editable=False
    )
    available_from = models.DateField(_("from"), null=True, blank=True)
    available_until = models.DateField(_("until"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    commune = models.ForeignKey(
        Organisation,
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    terms = models.CharField(_("terms"), max_length=18, choices=Terms.choices)
    reference_price = models.PositiveBigIntegerField(
        _("reference price (céntimos of a bolívar per unit)"), null=True, blank=True
    )
    recurrence = models.CharField(
        _("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=5,
        help_text=_("For needs: 1 (nice to have) to 10 (vital)."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=IntentStatus.choices, default=IntentStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("offer or need")
        verbose_name_plural = _("offers and needs")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="intent_quantity_positive"),
            models.CheckConstraint(
                condition=Q(quantity_base__gt=0), name="intent_base_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=10), name="intent_priority_1_to_10"
            ),
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_from__isnull=True)
                | Q(available_until__gte=F("available_from")),
                name="intent_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="intent_place_on_earth",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["cycle", "kind", "status"]),
            models.Index(fields=["owner", "kind"]),
            models.Index(fields=["resource", "kind", "status"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}: {self.quantity.normalize():f} {self.unit} {self.resource}"
        )


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Proposal(models.Model):
    """A flow proposed by an allocation run: `quantity` (in the need's unit) from an offer to
    a need. Both sides accept or decline it. Proposals of older runs stay, for history."""

    cycle = models.ForeignKey(
        SupplyCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="proposals"
    )
    run = models.PositiveIntegerField(_("allocation run"))
    offer = models.ForeignKey(
        Intent, verbose_name=_("offer"), on_delete=models.PROTECT, related_name="proposals_out"
    )
    need = models.ForeignKey(
        Intent, verbose_name=_("need"), on_delete=models.PROTECT, related_name="proposals_in"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    offer_quantity = models.DecimalField(
        _("quantity in the offer's unit"), max_digits=18, decimal_places=3
    )
    quantity_base = models.DecimalField(
        _("quantity in the base unit"), max_digits=18, decimal_places=3
    )
    distance_km = models.FloatField(_("distance (km)"))
    provider_decision = models.CharField(
        _("provider"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    receiver_decision = models.CharField(
        _("receiver"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="proposal_quantity_positive"),
            models.CheckConstraint(condition=Q(distance_km__gte=0), name="proposal_distance_ge_0"),
            models.UniqueConstraint(
                fields=["cycle", "run", "offer", "need"], name="one_proposal_per_pair_and_run"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["cycle", "run"])]

    def __str__(self) -> str:
        return f"{self.offer_id} -> {self.need_id}: {self.quantity}"

    @property
    def accepted(self) -> bool:
        return self.provider_decision == self.receiver_decision == Decision.ACCEPTED

    @property
    def declined(self) -> bool:
        return Decision.DECLINED in (self.provider_decision, self.receiver_decision)


class ShortfallReason(models.TextChoices):
    NO_SUPPLIER = "no_supplier", _("Nobody offers it")
    TOO_FAR = "too_far", _("Every offer is too far")
    NOT_WORTHWHILE = "not_worthwhile", _("Transport would cost more than the need weighs")
    SUPPLY_EXHAUSTED = "supply_exhausted", _("The supply is used up")


class Shortfall(models.Model):
    """The part of a need an allocation run could not meet, and why."""

    cycle = models.ForeignKey(
        SupplyCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="shortfalls"
    )
    run = models.PositiveIntegerField(_("allocation run"))
    need = models.ForeignKey(
        Intent, verbose_name=_("need"), on_delete=models.PROTECT, related_name="shortfalls"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    reason = models.CharField(_("reason"), max_length=16, choices=ShortfallReason.choices)

    class Meta:
        verbose_name = _("unmet need")
        verbose_name_plural = _("unmet needs")
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shortfall_positive"),
            models.UniqueConstraint(fields=["cycle", "run", "need"], name="one_shortfall_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.need_id}: {self.quantity} ({self.reason})"


class Agreement(OwnedRecord):
    """The economy council's approval of a cycle's accepted proposals."""

    cycle = models.OneToOneField(
        SupplyCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="agreement"
    )
    decision = models.CharField(
        _("decision"),
        max_length=300,
        help_text=_("The decision that approves it (body, date, minutes)."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), default=timezone.now)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return f"{self.cycle}: {self.decision}"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("To deliver")
    FULFILLED = "fulfilled", _("Delivered")


class Commitment(models.Model):
    """Who delivers what to whom by when (from an accepted proposal)."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.PROTECT, related_name="commitments"
    )
    proposal = models.OneToOneField(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="commitment"
    )
    provider = models.ForeignKey(
        Organisation, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="+"
    )
    receiver = models.ForeignKey(
        Organisation, verbose_name=_("receiver"), on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        ResourceSpecification,
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    quantity_base = models.DecimalField(
        _("quantity in the base unit"), max_digits=18, decimal_places=3
    )
    delivered_base = models.DecimalField(
        _("delivered in the base unit"), max_digits=18, decimal_places=3, default=0, editable=False
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering: ClassVar[list[str]] = ["due_on", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="commitment_positive"),
            models.CheckConstraint(
                condition=Q(delivered_base__gte=0) & Q(delivered_base__lte=F("quantity_base")),
                name="commitment_not_over_delivered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} -> {self.receiver}: {self.quantity.normalize():f} {self.unit}"


class Action(models.TextChoices):
    PRODUCE = "produce", _("Produce")
    CONSUME = "consume", _("Consume")
    TRANSFER = "transfer", _("Transfer")
    MOVE = "move", _("Move")
    PICKUP = "pickup", _("Pick up")
    DROPOFF = "dropoff", _("Drop off")
    WORK = "work", _("Work")
    USE = "use", _("Use")


# How an action changes inventories: (provider's sign, receiver's sign).
EFFECTS: dict[str, tuple[int, int]] = {
    Action.PRODUCE: (0, 1),
    Action.CONSUME: (-1, 0),
    Action.TRANSFER: (-1, 1),
    Action.PICKUP: (-1, 1),
    Action.DROPOFF: (-1, 1),
    Action.MOVE: (0, 0),
    Action.WORK: (0, 0),
    Action.USE: (0, 0),
}
DELIVERY_ACTIONS = (Action.TRANSFER, Action.DROPOFF)


class EconomicEvent(OwnedRecord):
    """Something that happened to a resource. Append-only: a mistake is corrected by a new
    event that `corrects` it (and replaces its effect); nothing is edited or deleted."""

    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    receiver = models.ForeignKey(
        Organisation,
        verbose_name=_("receiver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resource = models.ForeignKey(
        ResourceSpecification,
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.DecimalField(_("quantity"), max_digits=18, decimal_places=3)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    quantity_base = models.DecimalField(
        _("quantity in the base unit"), max_digits=18, decimal_places=3
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    commitment = models.ForeignKey(
        Commitment,
        verbose_name=_("commitment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("economic event")
        verbose_name_plural = _("economic events")
        ordering: ClassVar[list[str]] = ["-occurred_at", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | (Q(quantity=0) & Q(corrects__isnull=False)),
                name="event_quantity_positive_unless_correction",
            ),
            models.CheckConstraint(
                condition=Q(provider__isnull=False) | Q(receiver__isnull=False),
                name="event_has_an_agent",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["provider", "-occurred_at"]),
            models.Index(fields=["receiver", "-occurred_at"]),
        ]

    def __str__(self) -> str:
        amount = f"{self.quantity.normalize():f}"
        return f"{self.get_action_display()}: {amount} {self.unit} {self.resource}"


class Inventory(models.Model):
    """What an agent has on hand of a resource, in the resource's base unit: derived from
    its economic events by the event actions, and never negative."""

    agent = models.ForeignKey(
        Organisation, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    resource = models.ForeignKey(
        ResourceSpecification,
        verbose_name=_("resource"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    on_hand = models.DecimalField(_("on hand"), max_digits=18, decimal_places=3, default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("inventory")
        verbose_name_plural = _("inventories")
        ordering: ClassVar[list[str]] = ["resource__name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="inventory_never_negative"),
            models.UniqueConstraint(
                fields=["agent", "resource"], name="one_inventory_per_resource"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.on_hand.normalize():f} {self.unit} {self.resource}"


DEFAULT_INTENT_VISIBILITY = Visibility.NETWORK
