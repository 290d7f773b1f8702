"""Forms of schedules and route planning: shape at the edge; the actions check the rules."""

from __future__ import annotations

import json
from datetime import time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuna.public_services.models_operations import (
    CapacityUnit,
    Outcome,
    PlanPurpose,
    ServiceKind,
    VehicleKind,
    Weekday,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAY_CHOICES = Weekday.choices
VISIBILITY_CHOICES = [
    ("public", _("Public: anyone can read it")),
    ("unit", _("Private: only our organisation and the ones above it")),
]


class CouncilChoiceForm(forms.Form):
    """ "When does water come to my sector?": choose your council."""

    consejo = forms.ChoiceField(label=_("Your communal council"))

    def __init__(self, *args: Any, councils: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consejo"].choices = [("", _("Choose your council")), *councils]  # type: ignore[attr-defined]


class SectorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    councils = forms.TypedMultipleChoiceField(
        label=_("Communal councils of the sector"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.CharField(
        label=_("Area (GeoJSON, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A GeoJSON Polygon in longitude and latitude, if the sector has a drawn area."),
    )

    def __init__(self, *args: Any, councils: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["councils"].choices = councils  # type: ignore[attr-defined]

    def clean_area(self) -> dict[str, Any] | None:
        text = (self.cleaned_data.get("area") or "").strip()
        if not text:
            return None
        try:
            value = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("This is not valid GeoJSON.")) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("This is not valid GeoJSON."))
        return value


class SlotsField(forms.Form):
    """Weekdays and hours, shared by the schedule forms."""

    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    start = forms.TimeField(label=_("From"), widget=TIME_WIDGET)
    end = forms.TimeField(label=_("To"), widget=TIME_WIDGET)
    weekdays_2 = forms.TypedMultipleChoiceField(
        label=_("Other weekdays (optional)"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When some days have other hours, tick them here and give their hours."),
    )
    start_2 = forms.TimeField(label=_("From"), required=False, widget=TIME_WIDGET)
    end_2 = forms.TimeField(label=_("To"), required=False, widget=TIME_WIDGET)

    def slots(self) -> list[tuple[int, time, time]]:
        data = self.cleaned_data
        out = [(w, data["start"], data["end"]) for w in data["weekdays"]]
        if data.get("weekdays_2"):
            if not data.get("start_2") or not data.get("end_2"):
                return out + [(w, time(0), time(0)) for w in data["weekdays_2"]]
            out += [(w, data["start_2"], data["end_2"]) for w in data["weekdays_2"]]
        return out


class ScheduleForm(SlotsField):
    service = forms.ChoiceField(label=_("Service"), choices=ServiceKind.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE_WIDGET)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = [
        "service",
        "title",
        "valid_from",
        "weekdays",
        "start",
        "end",
        "weekdays_2",
        "start_2",
        "end_2",
        "notes",
    ]


class ReplaceForm(SlotsField):
    from_day = forms.DateField(label=_("New hours from"), widget=DATE_WIDGET)
    field_order = ["from_day", "weekdays", "start", "end", "weekdays_2", "start_2", "end_2"]


class ExceptionForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE_WIDGET)
    cancelled = forms.BooleanField(label=_("No service that day"), required=False)
    start = forms.TimeField(label=_("From"), required=False, widget=TIME_WIDGET)
    end = forms.TimeField(label=_("To"), required=False, widget=TIME_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    announce = forms.BooleanField(
        label=_("Announce it in the sector"), required=False, initial=True
    )


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReportForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput)
    start = forms.TimeField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=Outcome.choices)
    note = forms.CharField(required=False, max_length=300)


class VehicleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=VehicleKind.choices)
    plate = forms.CharField(label=_("Plate"), max_length=20, required=False)
    capacity = forms.DecimalField(label=_("Capacity"), min_value=0, max_digits=10, decimal_places=3)
    capacity_unit = forms.ChoiceField(label=_("Unit"), choices=CapacityUnit.choices)
    shift_start = forms.TimeField(label=_("Shift starts"), widget=TIME_WIDGET)
    shift_end = forms.TimeField(label=_("Shift ends"), widget=TIME_WIDGET)


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PlanPurpose.choices)
    day = forms.DateField(label=_("Day"), widget=DATE_WIDGET, initial=timezone.localdate)
    depot_name = forms.CharField(label=_("Depot"), max_length=160)
    depot_lat = forms.FloatField(label=_("Depot latitude"), min_value=-90, max_value=90)
    depot_lon = forms.FloatField(label=_("Depot longitude"), min_value=-180, max_value=180)
    vehicles = forms.TypedMultipleChoiceField(
        label=_("Vehicles"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    unit = forms.ChoiceField(label=_("Unit of the quantities"), choices=CapacityUnit.choices)
    road_factor = forms.DecimalField(
        label=_("Road factor"),
        initial="1.3",
        max_digits=4,
        decimal_places=2,
        help_text=_("Roads are longer than straight lines: km on the map are multiplied by it."),
    )
    speed_kmh = forms.DecimalField(
        label=_("Average speed (km/h)"), initial=25, max_digits=5, decimal_places=1
    )
    time_limit = forms.IntegerField(
        label=_("Time to search (seconds)"), initial=10, min_value=1, max_value=300
    )
    visibility = forms.ChoiceField(label=_("Who may see it"), choices=VISIBILITY_CHOICES)

    def __init__(self, *args: Any, vehicles: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vehicles"].choices = vehicles  # type: ignore[attr-defined]


class StopForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=10, decimal_places=3)
    service_min = forms.IntegerField(
        label=_("Service time (minutes)"), min_value=0, max_value=600, initial=5
    )
    window_start = forms.TimeField(label=_("Not before"), required=False, widget=TIME_WIDGET)
    window_end = forms.TimeField(label=_("Not after"), required=False, widget=TIME_WIDGET)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)


class CollectionPointsForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("Expected volume at each point"), min_value=0, max_digits=10, decimal_places=3
    )
    service_min = forms.IntegerField(
        label=_("Service time (minutes)"), min_value=0, max_value=600, initial=5
    )


class MatrixForm(forms.Form):
    matrix = forms.FileField(
        label=_("Distance matrix (CSV)"),
        help_text=_(
            "Road km from each row to each column, over the depot and the stops in the order "
            "shown (depot first). A first row and column of names are allowed."
        ),
    )
