"""Forms of the registry: shape at the edge; the actions check the domain rules."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuna.geography.models import Parish, search_key
from comuna.registry.models import (
    AggregationKind,
    CommitteeType,
    CommuneStatus,
    CouncilStatus,
    LinkKind,
    MandatePosition,
    Scope,
)

LEVEL_CHOICES = [("", _("Any level")), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4")]


def resolve_parish(text: str) -> Parish:
    """A parish by code (VE-K-07-03) or by an unambiguous name ("Sarare")."""
    value = text.strip()
    qs = Parish.objects.select_related("municipality__state")
    found = qs.filter(code__iexact=value).first()
    if found is not None:
        return found
    matches = list(qs.filter(search_name=search_key(value))[:6])
    if not matches:
        raise forms.ValidationError(
            _("No parish is called “%(name)s”. Write its code or its exact name."),
            params={"name": value},
        )
    if len(matches) > 1:
        options = "; ".join(
            f"{p.code} ({p.municipality.name}, {p.municipality.state.name})" for p in matches
        )
        raise forms.ValidationError(
            _("Several parishes are called “%(name)s”: write the code of one of them: %(options)s"),
            params={"name": value, "options": options},
        )
    return matches[0]


class ParishField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Parish"))
        kwargs.setdefault(
            "help_text", _("Its code (for example VE-K-08-03) or its name (for example Sarare).")
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        return resolve_parish(text)


class GeoJSONField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 3})

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise forms.ValidationError(_("This is not valid GeoJSON (JSON).")) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_("This is not a GeoJSON object."))
        return data


class PlaceMixin(forms.Form):
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    territory = GeoJSONField(
        label=_("Territory (GeoJSON)"),
        required=False,
        help_text=_("Optional: a Polygon or MultiPolygon in longitude, latitude."),
    )


class CommuneForm(PlaceMixin):
    name = forms.CharField(label=_("Name"), max_length=200)
    registry_code = forms.CharField(label=_("Registry code"), max_length=40)
    parish = ParishField()
    charter_date = forms.DateField(label=_("Founding charter date"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=CommuneStatus.choices)
    seat = forms.CharField(label=_("Seat"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class CouncilForm(PlaceMixin):
    name = forms.CharField(label=_("Name"), max_length=200)
    registry_code = forms.CharField(label=_("Registry code"), max_length=40)
    parish = ParishField()
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    households = forms.IntegerField(label=_("Households"), required=False, min_value=0)
    population = forms.IntegerField(label=_("Population"), required=False, min_value=0)
    founded = forms.DateField(label=_("Founded"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=CouncilStatus.choices)


class LeaveForm(forms.Form):
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class JoinForm(forms.Form):
    council = forms.CharField(
        label=_("Council"), help_text=_("The short name (slug) or registry code of the council.")
    )
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)


class AggregationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    aggregation_kind = forms.ChoiceField(label=_("Type"), choices=AggregationKind.choices)
    communes = forms.CharField(
        label=_("Communes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The short names (slugs) of the communes, separated by commas or lines."),
    )
    formed = forms.DateField(label=_("Formed"), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)

    def clean_communes(self) -> list[str]:
        raw = self.cleaned_data["communes"]
        return [s.strip() for s in raw.replace("\n", ",").split(",") if s.strip()]


class MandateForm(forms.Form):
    person = forms.ChoiceField(label=_("Person"))
    seat = forms.ChoiceField(label=_("Body or committee"))
    position = forms.ChoiceField(label=_("Position"), choices=MandatePosition.choices)
    start = forms.DateField(label=_("Start"), initial=timezone.localdate)
    end = forms.DateField(
        label=_("End"), required=False, help_text=_("Empty: three years after the start.")
    )
    decision = forms.CharField(
        label=_("Decision"),
        max_length=300,
        help_text=_("The election or decision it comes from (assembly, date, minutes)."),
    )

    def __init__(
        self,
        *args: Any,
        people: list[tuple[int, str]],
        bodies: list[tuple[int, str]],
        committees: list[CommitteeType],
        language: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(pk), name) for pk, name in people]  # type: ignore[attr-defined]
        self.fields["seat"].choices = [  # type: ignore[attr-defined]
            (_("Bodies"), [(f"body:{pk}", label) for pk, label in bodies]),
            (_("Committees"), [(f"committee:{c.pk}", c.label(language)) for c in committees]),
        ]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)


class LinkForm(forms.Form):
    target = forms.CharField(
        label=_("Linked organisation"), help_text=_("The short name (slug) of the organisation.")
    )
    kind = forms.ChoiceField(label=_("Type of link"), choices=LinkKind.choices)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    since = forms.DateField(label=_("Since"), required=False)


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    charter_approved = forms.BooleanField(label=_("Founding charter approved"), required=False)
    parliament_meeting = forms.BooleanField(label=_("Parliament meets regularly"), required=False)
    plan_approved = forms.BooleanField(label=_("Development plan approved"), required=False)
    bank_operating = forms.BooleanField(label=_("Commune bank operating"), required=False)
    productive_units = forms.IntegerField(label=_("Productive units working"), min_value=0)
    services_managed = forms.IntegerField(label=_("Public services managed"), min_value=0)
    councils_active_share = forms.IntegerField(
        label=_("Active councils (%)"), min_value=0, max_value=100
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    def clean_assessed_on(self) -> date:
        day: date = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Must be today or earlier."))
        return day


class DirectoryFilterForm(forms.Form):
    tipo = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("comunas", _("Communes")),
            ("consejos", _("Communal councils")),
            ("agregaciones", _("Aggregations")),
        ],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    estado = forms.ChoiceField(label=_("State"), required=False)
    nivel = forms.ChoiceField(label=_("Capacity level"), required=False, choices=LEVEL_CHOICES)
    enlace = forms.ChoiceField(
        label=_("Type of link"),
        required=False,
        choices=[("", _("Any link")), *LinkKind.choices],
    )

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["estado"].choices = [("", _("All states")), *states]  # type: ignore[attr-defined]
