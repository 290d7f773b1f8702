"""Models of the public_services module: schedules and route planning (imported by models.py).

Schedules. A commune divides its territory into `Sector`s (a polygon, or a set of its
councils, or both). A `Schedule` publishes, for one sector and one service, weekly `slots`
(weekday, start, end in America/Caracas time): when water comes (water rotation), when the
rubbish truck passes (collection days), or when the power is cut (planned cuts by block).
A `ScheduleException` replaces one day's slots (cancelled, or other hours). Spokespeople
record what actually happened to each planned occurrence (`SlotReport`), which gives the
compliance of the plan per sector. `Announcement`s tell residents about changes.

Route planning. A commune's `Vehicle`s (capacity in litres or m³, shift hours) serve the
`RouteStop`s of a `RoutePlan` (collection points with an expected volume, or tanker
deliveries with litres, a time window and a service time) from the plan's depot. The plan is
solved by the routing engine in a background task, which stores its progress on the plan and
then the `PlannedRoute`s with their ordered `RouteVisit`s.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuna.core.models import OwnedRecord, TimeStamped

__all__ = [
    "Announcement",
    "CapacityUnit",
    "Outcome",
    "PlanPurpose",
    "PlanStatus",
    "PlannedRoute",
    "RoutePlan",
    "RouteStop",
    "RouteVisit",
    "Schedule",
    "ScheduleException",
    "ScheduleSlot",
    "Sector",
    "ServiceKind",
    "SlotReport",
    "Vehicle",
    "VehicleKind",
    "Weekday",
]


# Schedules ------------------------------------------------------------------------------------


class ServiceKind(models.TextChoices):
    WATER = "water", _("Water supply")
    WASTE = "waste", _("Rubbish collection")
    ELECTRICITY = "electricity", _("Planned power cuts")


class Sector(OwnedRecord):
    """A part of a commune's territory that a schedule serves: a polygon (`area`, GeoJSON
    in longitude and latitude), a set of the commune's councils, or both."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    area = models.JSONField(
        _("area"),
        null=True,
        blank=True,
        help_text=_("A GeoJSON Polygon or MultiPolygon in longitude and latitude (WGS84)."),
    )
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    councils = models.ManyToManyField(
        "registry.CommunalCouncil",
        verbose_name=_("communal councils"),
        blank=True,
        related_name="service_sectors",
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["owner", "name"], name="sector_name_once_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name


class Schedule(OwnedRecord):
    """The published plan of one service in one sector, valid from a day (to a day)."""

    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="schedules"
    )
    service = models.CharField(_("service"), max_length=12, choices=ServiceKind.choices)
    title = models.CharField(_("title"), max_length=160)
    notes = models.TextField(_("notes"), blank=True)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering: ClassVar[list[str]] = ["service", "title"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="schedule_ends_after_start",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["sector", "service"])]

    def __str__(self) -> str:
        return self.title


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class ScheduleSlot(models.Model):
    """A weekly slot: weekday 0 (Monday) to 6 (Sunday), from `start` to `end`, local time."""

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="slots"
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=Weekday.choices,
        validators=[MinValueValidator(0), MaxValueValidator(6)],
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("weekly slot")
        verbose_name_plural = _("weekly slots")
        ordering: ClassVar[list[str]] = ["weekday", "start"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="slot_weekday_range"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_ends_after_start"),
            models.UniqueConstraint(
                fields=["schedule", "weekday", "start"], name="slot_once_per_weekday_and_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class ScheduleException(TimeStamped):
    """One day whose slots are replaced: cancelled, or served from `start` to `end`."""

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="exceptions"
    )
    day = models.DateField(_("day"))
    cancelled = models.BooleanField(_("cancelled"), default=False)
    start = models.TimeField(_("from"), null=True, blank=True)
    end = models.TimeField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("exception to a schedule")
        verbose_name_plural = _("exceptions to schedules")
        ordering: ClassVar[list[str]] = ["day"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["schedule", "day"], name="one_exception_per_day"),
            models.CheckConstraint(
                condition=(
                    Q(cancelled=True, start__isnull=True, end__isnull=True)
                    | Q(cancelled=False, start__isnull=False, end__gt=F("start"))
                ),
                name="exception_cancelled_or_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.day.isoformat()}"


class Outcome(models.TextChoices):
    KEPT = "kept", _("Kept")
    PARTIAL = "partial", _("Partly kept")
    NOT_KEPT = "not_kept", _("Not kept")


class SlotReport(TimeStamped):
    """What actually happened to one planned occurrence (schedule, day, planned start)."""

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("schedule"), on_delete=models.PROTECT, related_name="reports"
    )
    day = models.DateField(_("day"))
    start = models.TimeField(_("planned start"))
    end = models.TimeField(_("planned end"))
    outcome = models.CharField(_("what happened"), max_length=10, choices=Outcome.choices)
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
        verbose_name = _("report of what happened")
        verbose_name_plural = _("reports of what happened")
        ordering: ClassVar[list[str]] = ["-day", "-start"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["schedule", "day", "start"], name="one_report_per_occurrence"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["schedule", "day"])]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.day.isoformat()} {self.outcome}"


class Announcement(OwnedRecord):
    """A notice to the residents of a sector: a change of schedule, a cut, a repair."""

    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="announcements"
    )
    schedule = models.ForeignKey(
        Schedule,
        verbose_name=_("schedule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="announcements",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering: ClassVar[list[str]] = ["-published_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["sector", "-published_at"])]

    def __str__(self) -> str:
        return self.title


# Route planning -------------------------------------------------------------------------------


class CapacityUnit(models.TextChoices):
    LITRE = "l", _("litres")
    CUBIC_METRE = "m3", _("cubic metres")


class VehicleKind(models.TextChoices):
    RUBBISH_TRUCK = "rubbish_truck", _("Rubbish truck")
    TANKER = "tanker", _("Water tanker")
    OTHER = "other", _("Other vehicle")


class Vehicle(OwnedRecord):
    """A commune's truck or tanker: capacity (litres or m³) and shift hours (local time)."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=VehicleKind.choices)
    plate = models.CharField(_("plate"), max_length=20, blank=True)
    capacity = models.DecimalField(_("capacity"), max_digits=10, decimal_places=3)
    capacity_unit = models.CharField(
        _("unit"), max_length=2, choices=CapacityUnit.choices, default=CapacityUnit.CUBIC_METRE
    )
    shift_start = models.TimeField(_("shift starts"))
    shift_end = models.TimeField(_("shift ends"))
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["owner", "name"], name="vehicle_name_once_per_owner"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="vehicle_capacity_positive"),
            models.CheckConstraint(
                condition=Q(shift_end__gt=F("shift_start")), name="vehicle_shift_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanPurpose(models.TextChoices):
    COLLECTION = "collection", _("Rubbish collection")
    DELIVERY = "delivery", _("Water delivery by tanker")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Waiting for the solver")
    SOLVING = "solving", _("Solving")
    SOLVED = "solved", _("Solved")
    FAILED = "failed", _("Failed")


class RoutePlan(OwnedRecord):
    """A day's routes to compute: depot, vehicles, stops; then the routes found.

    Distances are great-circle km times `road_factor`, unless `distance_matrix` (road km over
    the depot and the stops in their order, from an uploaded CSV) is set."""

    name = models.CharField(_("name"), max_length=160)
    purpose = models.CharField(_("purpose"), max_length=12, choices=PlanPurpose.choices)
    day = models.DateField(_("day"), default=timezone.localdate)
    depot_name = models.CharField(_("depot"), max_length=160)
    depot_lat = models.FloatField(_("depot latitude"))
    depot_lon = models.FloatField(_("depot longitude"))
    unit = models.CharField(
        _("unit of the quantities"),
        max_length=2,
        choices=CapacityUnit.choices,
        default=CapacityUnit.CUBIC_METRE,
    )
    road_factor = models.DecimalField(_("road factor"), max_digits=4, decimal_places=2, default=1.3)
    speed_kmh = models.DecimalField(
        _("average speed (km/h)"), max_digits=5, decimal_places=1, default=25
    )
    time_limit = models.PositiveSmallIntegerField(_("time to search (seconds)"), default=10)
    seed = models.PositiveIntegerField(_("seed"), default=0)
    vehicles = models.ManyToManyField(Vehicle, verbose_name=_("vehicles"), related_name="plans")
    distance_matrix = models.JSONField(_("distance matrix (km)"), null=True, blank=True)
    matrix_name = models.CharField(_("distance matrix file"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    progress_version = models.PositiveIntegerField(default=0, editable=False)
    feasible = models.BooleanField(_("every constraint met"), null=True, blank=True)
    distance_km = models.DecimalField(
        _("total distance (km)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("route plan")
        verbose_name_plural = _("route plans")
        ordering: ClassVar[list[str]] = ["-day", "-id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(road_factor__gte=1) & Q(road_factor__lte=5), name="plan_road_factor"
            ),
            models.CheckConstraint(
                condition=Q(speed_kmh__gt=0) & Q(speed_kmh__lte=120), name="plan_speed_range"
            ),
            models.CheckConstraint(
                condition=Q(time_limit__gte=1) & Q(time_limit__lte=300), name="plan_time_limit"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["owner", "-day"])]

    def __str__(self) -> str:
        return self.name


class RouteStop(models.Model):
    """A place to serve: a collection point (volume to pick up) or a tanker delivery
    (litres to deliver), with service minutes and an optional time window (local time)."""

    plan = models.ForeignKey(
        RoutePlan, verbose_name=_("route plan"), on_delete=models.CASCADE, related_name="stops"
    )
    position = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=160)
    asset = models.ForeignKey(
        "public_services.Asset",
        verbose_name=_("collection point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="route_stops",
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=3)
    service_min = models.PositiveSmallIntegerField(_("service time (minutes)"), default=5)
    window_start = models.TimeField(_("not before"), null=True, blank=True)
    window_end = models.TimeField(_("not after"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stop")
        verbose_name_plural = _("stops")
        ordering: ClassVar[list[str]] = ["plan", "position"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["plan", "position"], name="stop_position_once"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stop_quantity_not_negative"),
            models.CheckConstraint(
                condition=(
                    Q(window_start__isnull=True, window_end__isnull=True)
                    | Q(
                        window_start__isnull=False,
                        window_end__isnull=False,
                        window_end__gte=F("window_start"),
                    )
                ),
                name="stop_window_complete_and_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class PlannedRoute(models.Model):
    """One vehicle's route in a solved plan; times are seconds from the day's midnight."""

    plan = models.ForeignKey(
        RoutePlan, verbose_name=_("route plan"), on_delete=models.CASCADE, related_name="routes"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), on_delete=models.PROTECT, related_name="+"
    )
    load = models.DecimalField(_("load"), max_digits=12, decimal_places=3)
    distance_km = models.DecimalField(_("distance (km)"), max_digits=10, decimal_places=2)
    start_s = models.PositiveIntegerField(_("leaves the depot"))
    end_s = models.PositiveIntegerField(_("back at the depot"))
    time_warp_s = models.PositiveIntegerField(_("lateness"), default=0)
    excess_load = models.DecimalField(_("load over capacity"), max_digits=12, decimal_places=3)

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        ordering: ClassVar[list[str]] = ["plan", "number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["plan", "number"], name="route_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.number}"


class RouteVisit(models.Model):
    """A stop on a route, in order, with its times (seconds from midnight) and the load
    carried after it."""

    route = models.ForeignKey(
        PlannedRoute, verbose_name=_("route"), on_delete=models.CASCADE, related_name="visits"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    stop = models.ForeignKey(
        RouteStop, verbose_name=_("stop"), on_delete=models.CASCADE, related_name="visits"
    )
    arrival_s = models.PositiveIntegerField(_("arrival"))
    start_s = models.PositiveIntegerField(_("service starts"))
    departure_s = models.PositiveIntegerField(_("departure"))
    load_after = models.DecimalField(_("load after"), max_digits=12, decimal_places=3)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering: ClassVar[list[str]] = ["route", "order"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["route", "order"], name="visit_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.route_id}.{self.order}"
