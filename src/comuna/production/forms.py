"""Forms of the productive network: shape at the edge; the actions check the domain rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.core.models import Role, Visibility
from comuna.production.models import (
    Action,
    Category,
    Direction,
    Period,
    ProjectStatus,
    Recurrence,
    Terms,
    UnitForm,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
Choices = list[tuple[Any, Any]]


def quantity_field(label: Any = None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label or _("Quantity"),
        max_digits=16,
        decimal_places=3,
        min_value=Decimal("0.001"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=80,
        required=False,
        help_text=_("Letters, numbers and hyphens; made from the name when empty."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    unit = forms.TypedChoiceField(label=_("Default unit"), coerce=int)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, units: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class ProductiveUnitForm(forms.Form):
    parent = forms.TypedChoiceField(
        label=_("Council or commune it belongs to"), coerce=int, choices=[]
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    form = forms.ChoiceField(label=_("Form"), choices=UnitForm.choices)
    sector = forms.CharField(label=_("Sector"), max_length=120, required=False)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    lat = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        help_text=_("Empty: the place of its council or commune."),
    )
    lon = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)
    makes = forms.TypedMultipleChoiceField(
        label=_("What it makes"), coerce=int, required=False, choices=[]
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, parents: Choices, resources: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = parents  # type: ignore[attr-defined]
        self.fields["makes"].choices = resources  # type: ignore[attr-defined]


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    plan = forms.CharField(
        label=_("Plan it belongs to"),
        max_length=200,
        required=False,
        help_text=_("For example: Plan Comunal de Desarrollo 2025-2027."),
    )
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DATE_WIDGET)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)


class FlowForm(forms.Form):
    direction = forms.ChoiceField(label=_("Input or output"), choices=Direction.choices)
    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int, choices=[])
    quantity = quantity_field()
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, choices=[])
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)

    def __init__(self, *args: Any, resources: Choices, units: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = resources  # type: ignore[attr-defined]
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class CycleForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Coordinated by"), coerce=int, choices=[])
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)
    opens_on = forms.DateField(label=_("Opens"), widget=DATE_WIDGET)
    collect_until = forms.DateField(label=_("Offers and needs until"), widget=DATE_WIDGET)
    deliver_by = forms.DateField(label=_("Deliveries by"), widget=DATE_WIDGET)
    cost_per_unit_km = forms.DecimalField(
        label=_("Transport cost per unit and km"),
        max_digits=10,
        decimal_places=4,
        min_value=0,
        initial=Decimal("0.005"),
        help_text=_(
            "In priority points per base unit and km: with 0.005, a need of priority 10 may be "
            "served from up to 2,000 km, one of priority 1 from up to 200 km."
        ),
    )
    max_distance_km = forms.DecimalField(
        label=_("Maximum distance (km)"),
        max_digits=8,
        decimal_places=1,
        min_value=Decimal("0.1"),
        required=False,
        help_text=_("Empty: no limit."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=[
            (Visibility.PUBLIC, _("Public")),
            (Visibility.NETWORK, _("Members of the network")),
        ],
    )

    def __init__(self, *args: Any, owners: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]


class JoinForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Productive unit"), coerce=int, choices=[])

    def __init__(self, *args: Any, units: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class IntentForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("On behalf of"), coerce=int, choices=[])
    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int, choices=[])
    quantity = quantity_field()
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, choices=[])
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        initial=5,
        choices=[(n, str(n)) for n in range(1, 11)],
        help_text=_("For needs: 1 (nice to have) to 10 (vital)."),
    )
    terms = forms.ChoiceField(label=_("Terms"), choices=Terms.choices)
    reference_price = forms.IntegerField(
        label=_("Reference price (céntimos of a bolívar per unit)"), min_value=0, required=False
    )
    available_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    available_until = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET)
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        help_text=_("Where to pick up or deliver; the location of the unit by default."),
    )
    recurrence = forms.ChoiceField(label=_("Recurrence"), choices=Recurrence.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(
        self, *args: Any, owners: Choices, resources: Choices, units: Choices, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]
        self.fields["resource"].choices = resources  # type: ignore[attr-defined]
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: kind (offer or need), agent (short name), resource (short name), "
            "quantity, unit (code), priority, terms, from, until, place, note."
        ),
    )


class ApproveForm(forms.Form):
    decision = forms.CharField(
        label=_("Decision of the economy council"),
        max_length=300,
        help_text=_("Body, date and minutes, e.g. “Acta del Consejo de Economía Comunal, 12/11”."),
    )


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Closing note"), required=False, widget=forms.Textarea)


class DeliveryForm(forms.Form):
    action = forms.ChoiceField(
        label=_("How"),
        choices=[(Action.TRANSFER, _("Handed over")), (Action.DROPOFF, _("Dropped off"))],
    )
    quantity = quantity_field()
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, choices=[])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, units: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class EventForm(forms.Form):
    action = forms.ChoiceField(label=_("What happened"), choices=Action.choices)
    resource = forms.TypedChoiceField(label=_("Resource"), coerce=int, choices=[])
    quantity = quantity_field()
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, choices=[])
    receiver = forms.SlugField(
        label=_("Other agent (short name)"),
        required=False,
        help_text=_("For a transfer, pick-up or drop-off: who receives."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, resources: Choices, units: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = resources  # type: ignore[attr-defined]
        self.fields["unit"].choices = units  # type: ignore[attr-defined]


class CorrectForm(forms.Form):
    quantity = forms.DecimalField(
        label=_("Right quantity"),
        max_digits=16,
        decimal_places=3,
        min_value=0,
        help_text=_("In the event's unit; 0 cancels it."),
    )
    note = forms.CharField(label=_("Why"), max_length=300)


class MemberForm(forms.Form):
    person = forms.TypedChoiceField(label=_("Person"), coerce=int, choices=[])
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (Role.MEMBER, _("Member")),
            (Role.SPOKESPERSON, _("Spokesperson")),
            (Role.COORDINATOR, _("Coordinator")),
        ],
    )

    def __init__(self, *args: Any, people: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = people  # type: ignore[attr-defined]
