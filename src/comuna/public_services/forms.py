"""Forms of the public services reports side: shape at the edge; the actions check the
domain rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.public_services.models import (
    AssetKind,
    AssetState,
    AttributeType,
    ServiceAttribute,
    ServiceGroup,
    ServiceType,
    Status,
    Step,
)


def any_choice(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Up to three files in one input (each is checked by photos.clean_photo)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def service_choices(services: list[ServiceType]) -> list[tuple[str, Any]]:
    """Services grouped by water, electricity, rubbish and other (optgroups)."""
    groups: list[tuple[str, Any]] = []
    for value, label in ServiceGroup.choices:
        options = [(s.code, s.name) for s in services if s.group == value]
        if options:
            groups.append((str(label), options))
    return groups


class PlaceForm(forms.Form):
    """Step 1 (GET): what and where. The place comes from the phone's location (filled in by
    report.js), a tap on the map, the latitude and longitude typed in, or a commune chosen
    with the address written out."""

    servicio = forms.ChoiceField(label=_("What is the problem?"))
    lat = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=10,
        decimal_places=7,
        min_value=-90,
        max_value=90,
        localize=False,
    )
    lon = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=10,
        decimal_places=7,
        min_value=-180,
        max_value=180,
        localize=False,
    )
    comuna = forms.TypedChoiceField(
        label=_("Commune nearby"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Centres the map there; without a point, the report is placed at its seat."),
    )
    direccion = forms.CharField(
        label=_("Address or reference"),
        required=False,
        max_length=300,
        help_text=_("Street, house number, a landmark: what helps the crew find it."),
    )

    def __init__(
        self,
        *args: Any,
        services: list[ServiceType],
        communes: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["servicio"].choices = any_choice(_("Choose…"), service_choices(services))  # type: ignore[attr-defined]
        self.fields["comuna"].choices = any_choice(_("I do not know / none"), communes)  # type: ignore[attr-defined]


def attribute_field(attr: ServiceAttribute) -> forms.Field:
    label = attr.description
    options = [(str(v.get("key")), str(v.get("name"))) for v in attr.values]
    if attr.datatype == AttributeType.SINGLE:
        return forms.ChoiceField(
            label=label, required=attr.required, choices=any_choice(_("Choose…"), options)
        )
    if attr.datatype == AttributeType.MULTI:
        return forms.MultipleChoiceField(
            label=label,
            required=attr.required,
            choices=options,
            widget=forms.CheckboxSelectMultiple,
        )
    if attr.datatype == AttributeType.NUMBER:
        return forms.DecimalField(label=label, required=attr.required, max_digits=12)
    if attr.datatype == AttributeType.TEXT:
        return forms.CharField(
            label=label,
            required=attr.required,
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    return forms.CharField(label=label, required=attr.required, max_length=300)


class ReportForm(forms.Form):
    """Step 2 (POST): the report itself. The place and service come from step 1 as hidden
    fields; the extra questions of the service are added as `attr_<code>` fields."""

    servicio = forms.CharField(widget=forms.HiddenInput, max_length=40)
    lat = forms.DecimalField(
        widget=forms.HiddenInput, max_digits=10, decimal_places=7, localize=False
    )
    lon = forms.DecimalField(
        widget=forms.HiddenInput, max_digits=10, decimal_places=7, localize=False
    )
    direccion = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
    )
    photos = MultipleImageField(
        label=_("Photos (up to 3, at most 5 MB each)"),
        required=False,
        help_text=_("They are made smaller and their hidden data (place, camera) is removed."),
    )
    contact_name = forms.CharField(label=_("Your name"), required=False, max_length=120)
    contact_email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        help_text=_("Only the commune's coordinators see it; we write to you when there is news."),
    )
    contact_phone = forms.CharField(
        label=_("Your phone"),
        required=False,
        max_length=30,
        help_text=_("Private: only the commune's coordinators see it."),
    )

    def __init__(
        self,
        *args: Any,
        attributes: list[ServiceAttribute],
        assets: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.attribute_codes: list[tuple[str, str]] = []
        for attr in attributes:
            name = f"attr_{attr.code}"
            self.fields[name] = attribute_field(attr)
            self.attribute_codes.append((name, attr.code))
        if assets:
            self.fields["asset"] = forms.TypedChoiceField(
                label=_("Which of these is it? (optional)"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=any_choice(_("None of them / I do not know"), assets),
            )

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, code in self.attribute_codes:
            value = self.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            out[code] = [str(v) for v in value] if isinstance(value, list) else str(value)
        return out


class RequestFilterForm(forms.Form):
    estado = forms.ChoiceField(
        label=_("Status"), required=False, choices=any_choice(_("Open or closed"), Status.choices)
    )
    paso = forms.ChoiceField(
        label=_("Step"), required=False, choices=any_choice(_("Any step"), Step.choices)
    )
    grupo = forms.ChoiceField(
        label=_("Group"),
        required=False,
        choices=any_choice(_("Any group"), ServiceGroup.choices),
    )
    vencidos = forms.BooleanField(label=_("Only overdue"), required=False)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Public note"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (public)"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("What was done (public)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DuplicateForm(forms.Form):
    original = forms.IntegerField(label=_("Number of the original report"), min_value=1)


class AssignForm(forms.Form):
    crew = forms.TypedChoiceField(label=_("Crew"), coerce=int)
    instructions = forms.CharField(
        label=_("Instructions for the crew"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, crews: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crew"].choices = crews  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    commune = forms.TypedChoiceField(label=_("Commune"), coerce=int)

    def __init__(self, *args: Any, communes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = communes  # type: ignore[attr-defined]


class WorkNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note of the crew"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MaterialForm(forms.Form):
    material = forms.CharField(label=_("Material"), max_length=150)
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0, max_digits=12, decimal_places=3, localize=False
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, help_text=_("m, units, kg, litres…"))


class QuestionnaireForm(forms.Form):
    fixed = forms.TypedChoiceField(
        label=_("Is it fixed?"),
        coerce=lambda value: value == "si",
        choices=[("si", _("Yes, it is fixed")), ("no", _("No, it is not fixed"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CrewForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Commune"), coerce=int)
    name = forms.CharField(label=_("Name"), max_length=120)
    group = forms.ChoiceField(label=_("Works on"), choices=ServiceGroup.choices)
    members = forms.CharField(
        label=_("Members"),
        required=False,
        max_length=300,
        help_text=_("Public first names or roles (no phone numbers)."),
    )

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]


class AssetFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    tipo = forms.ChoiceField(
        label=_("Kind"), required=False, choices=any_choice(_("Any kind"), AssetKind.choices)
    )
    estado = forms.ChoiceField(
        label=_("State"), required=False, choices=any_choice(_("Any state"), AssetState.choices)
    )


class AssetForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Belongs to"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind"), choices=AssetKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    code = forms.CharField(label=_("Code"), required=False, max_length=40)
    lat = forms.DecimalField(
        label=_("Latitude"), max_digits=10, decimal_places=7, required=False, localize=False
    )
    lon = forms.DecimalField(
        label=_("Longitude"), max_digits=10, decimal_places=7, required=False, localize=False
    )
    line = forms.CharField(
        label=_("Line (for pipes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One point per line: latitude, longitude. Leave empty for a single point."),
    )
    state = forms.ChoiceField(label=_("State"), choices=AssetState.choices)
    capacity = forms.DecimalField(
        label=_("Capacity"), required=False, max_digits=12, decimal_places=2, localize=False
    )
    capacity_unit = forms.CharField(label=_("Unit of the capacity"), required=False, max_length=12)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]

    def geometry(self) -> dict[str, Any] | None:
        """The GeoJSON of the typed point or line (None when neither is given)."""
        data = self.cleaned_data
        text = (data.get("line") or "").strip()
        if text:
            coords: list[list[float]] = []
            for row in text.splitlines():
                parts = [p.strip() for p in row.replace(";", ",").split(",") if p.strip()]
                if len(parts) != 2:
                    self.add_error("line", _("Each line needs a latitude and a longitude."))
                    return None
                try:
                    coords.append([float(parts[1]), float(parts[0])])
                except ValueError:
                    self.add_error("line", _("Each line needs a latitude and a longitude."))
                    return None
            return {"type": "LineString", "coordinates": coords}
        if data.get("lat") is not None and data.get("lon") is not None:
            return {"type": "Point", "coordinates": [float(data["lon"]), float(data["lat"])]}
        self.add_error("lat", _("Give the point, or the line for a pipe."))
        return None


class AssetStateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=AssetState.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ImportForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Belongs to"), coerce=int)
    file = forms.FileField(
        label=_("GeoJSON file"),
        help_text=_("A FeatureCollection; each feature with properties kind, name and state."),
    )

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]


class ServiceEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=400)
    target_hours = forms.IntegerField(
        label=_("Target time to resolve (hours)"), min_value=1, max_value=8760
    )
    active = forms.BooleanField(label=_("Offered in this commune"), required=False)


class AttributeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    description = forms.CharField(label=_("Question"), max_length=300)
    datatype = forms.ChoiceField(label=_("Type of answer"), choices=AttributeType.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    values = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For list questions: one option per line."),
    )

    def options(self) -> list[tuple[str, str]]:
        from django.utils.text import slugify

        lines = [line.strip() for line in (self.cleaned_data.get("values") or "").splitlines()]
        return [(slugify(line)[:40] or str(n), line) for n, line in enumerate(lines, 1) if line]
