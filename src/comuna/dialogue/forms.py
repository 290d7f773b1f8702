"""Forms of the dialogue: shape at the edge; the actions check the domain rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comuna.dialogue.models import (
    AttachmentKind,
    BodyLevel,
    BodyType,
    HolidayChangeKind,
    Phase,
    Service,
    Side,
    TableStatus,
    Topic,
    TransferKind,
)

VISIBILITY_CHOICES = [
    ("public", _("Public: anyone can read it")),
    ("unit", _("Private: only our organisation, the ones above it and the co-signers")),
]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def any_choice(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class BodyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    nivel = forms.ChoiceField(
        label=_("Level"), required=False, choices=any_choice(_("Any level"), BodyLevel.choices)
    )
    tipo = forms.ChoiceField(
        label=_("Type"), required=False, choices=any_choice(_("Any type"), BodyType.choices)
    )

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["estado"] = forms.ChoiceField(
            label=_("State"), required=False, choices=any_choice(_("Any state"), states)
        )


class BodyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    acronym = forms.CharField(label=_("Acronym"), max_length=30, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=BodyLevel.choices)
    body_type = forms.ChoiceField(label=_("Type"), choices=BodyType.choices)
    parent = forms.TypedChoiceField(
        label=_("Higher body"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Where a demand goes when this body does not answer."),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    response_days = forms.IntegerField(
        label=_("Response time (business days)"),
        min_value=1,
        max_value=365,
        initial=20,
        help_text=_("Twenty business days unless a law sets another time."),
    )
    contact_office = forms.CharField(label=_("Office that receives demands"), required=False)
    contact_email = forms.EmailField(label=_("Office e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Office phone"), required=False, max_length=40)
    address = forms.CharField(label=_("Office address"), required=False, max_length=300)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(
        self,
        *args: Any,
        bodies: list[tuple[int, str]],
        states: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = any_choice(_("None"), bodies)  # type: ignore[attr-defined]
        self.fields["state"].choices = any_choice(_("None (national)"), states)  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    acronym = forms.CharField(label=_("Acronym"), max_length=30, required=False)
    response_days = forms.IntegerField(
        label=_("Response time (business days)"), min_value=1, max_value=365, required=False
    )
    contact_office = forms.CharField(label=_("Office that receives demands"), required=False)
    contact_email = forms.EmailField(label=_("Office e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Office phone"), required=False, max_length=40)
    address = forms.CharField(label=_("Office address"), required=False, max_length=300)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    note = forms.CharField(
        label=_("Why (your source)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the office moved; the new number is on its official page."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("reject", _("Reject"))]
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class HolidayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    change = forms.ChoiceField(label=_("Change"), choices=HolidayChangeKind.choices)
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=120,
        help_text=_("Required for a holiday that is added, e.g. the decree's bridge day."),
    )


class DemandFilterForm(forms.Form):
    estado = forms.ChoiceField(label=_("State of the demand"), required=False)
    tema = forms.ChoiceField(
        label=_("Topic"), required=False, choices=any_choice(_("Any topic"), Topic.choices)
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, *args: Any, states: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["estado"].choices = any_choice(_("Any state"), states)  # type: ignore[attr-defined]


class DemandForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Filed by"), coerce=int)
    body = forms.TypedChoiceField(label=_("Addressed to"), coerce=int)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    title = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(label=_("Text of the demand"), widget=forms.Textarea(attrs={"rows": 8}))
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=VISIBILITY_CHOICES,
        initial="public",
        widget=forms.RadioSelect,
    )
    filed_on = forms.DateField(
        label=_("Filed on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The day it was handed in; today if left empty."),
    )
    draft = forms.BooleanField(label=_("Keep it as a draft (file it later)"), required=False)
    attachment = forms.FileField(
        label=_("The letter as filed (PDF or image, at most 5 MB)"), required=False
    )

    def __init__(
        self,
        *args: Any,
        owners: list[tuple[int, str]],
        bodies: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]
        self.fields["body"].choices = any_choice(_("Choose a public body"), bodies)  # type: ignore[attr-defined]


class DraftForm(forms.Form):
    body = forms.TypedChoiceField(label=_("Addressed to"), coerce=int)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    title = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(label=_("Text of the demand"), widget=forms.Textarea(attrs={"rows": 8}))
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=VISIBILITY_CHOICES, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, bodies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = bodies  # type: ignore[attr-defined]


def _on(label: Any = None) -> forms.DateField:
    return forms.DateField(
        label=label or _("Date"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Today if left empty."),
    )


class FileForm(forms.Form):
    on = _on(_("Filed on"))


class AcknowledgeForm(forms.Form):
    on = _on(_("Acknowledged on"))
    reference = forms.CharField(
        label=_("The body's reference"),
        required=False,
        max_length=100,
        help_text=_("The file or letter number the body gave, if any."),
    )


class AnswerForm(forms.Form):
    on = _on(_("Answered on"))
    text = forms.CharField(
        label=_("What the body answered"), widget=forms.Textarea(attrs={"rows": 6})
    )
    attachment = forms.FileField(label=_("The answer (PDF or image, at most 5 MB)"), required=False)


class ResolveForm(forms.Form):
    on = _on(_("Resolved on"))
    note = forms.CharField(
        label=_("How it was settled"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EscalateForm(forms.Form):
    to_body = forms.TypedChoiceField(label=_("Higher body"), coerce=int)
    on = _on(_("Escalated on"))
    reason = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, bodies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_body"].choices = bodies  # type: ignore[attr-defined]


class WithdrawForm(forms.Form):
    on = _on(_("Withdrawn on"))
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))


class CosignForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label=_("Sign for"), coerce=int, required=False, empty_value=None
    )
    movement = forms.CharField(
        label=_("Or add a movement outside the registry"),
        required=False,
        max_length=200,
        help_text=_("Its name, e.g. a peasant front or a women's collective of the alliance."),
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = any_choice("—", organisations)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("organisation") and not (data.get("movement") or "").strip():
            raise forms.ValidationError(_("Choose an organisation or write a movement's name."))
        return data


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("File (PDF or image, at most 5 MB)"))


class TableForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Convened by"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=200)
    held_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    bodies = forms.TypedMultipleChoiceField(
        label=_("Public bodies at the table"), coerce=int, required=False
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=VISIBILITY_CHOICES,
        initial="public",
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        owners: list[tuple[int, str]],
        bodies: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]
        self.fields["bodies"].choices = bodies  # type: ignore[attr-defined]
        self.fields["bodies"].widget.attrs["size"] = 8


class TableRecordForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TableStatus.choices)
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )


class ParticipantForm(forms.Form):
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices)
    name = forms.CharField(
        label=_("Public name"),
        max_length=200,
        help_text=_("The name the person uses in public; never an ID number or phone."),
    )
    position = forms.CharField(
        label=_("Position"),
        max_length=200,
        required=False,
        help_text=_("For example: spokesperson of the water table; regional manager."),
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation or body"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = any_choice("—", organisations)  # type: ignore[attr-defined]


class CommitmentForm(forms.Form):
    responsible = forms.TypedChoiceField(label=_("Who commits"), coerce=int)
    what = forms.CharField(label=_("What"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("By when"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = organisations  # type: ignore[attr-defined]


class CommitmentUpdateForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What happened"),
        choices=[("done", _("It was done")), ("broken", _("It was broken"))],
    )
    on = _on(_("Done on"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when it is declared broken."),
    )


class TransferFilterForm(forms.Form):
    fase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=any_choice(_("Any phase"), Phase.choices)
    )
    servicio = forms.ChoiceField(
        label=_("Service"), required=False, choices=any_choice(_("Any service"), Service.choices)
    )


class TransferForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Receiving commune or council"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("What passes"), choices=TransferKind.choices)
    service = forms.ChoiceField(
        label=_("Service"),
        required=False,
        choices=any_choice("—", Service.choices),
        help_text=_("Only for a public service."),
    )
    from_body = forms.TypedChoiceField(label=_("From the body"), coerce=int)
    started_on = forms.DateField(
        label=_("Started on"), widget=DATE_WIDGET, initial=timezone.localdate
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    demands = forms.CharField(
        label=_("Linked demands"),
        required=False,
        max_length=200,
        help_text=_("Numbers of the demands, separated by commas."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=VISIBILITY_CHOICES,
        initial="public",
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        owners: list[tuple[int, str]],
        bodies: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]
        self.fields["from_body"].choices = any_choice(_("Choose a public body"), bodies)  # type: ignore[attr-defined]

    def clean_demands(self) -> list[int]:
        text = self.cleaned_data.get("demands") or ""
        numbers = []
        for part in text.replace(";", ",").split(","):
            part = part.strip().lstrip("#")
            if not part:
                continue
            if not part.isdigit():
                raise forms.ValidationError(_("Write the numbers of the demands, e.g. 12, 40."))
            numbers.append(int(part))
        return numbers


class AdvanceForm(forms.Form):
    on = _on(_("From"))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class CancelForm(forms.Form):
    on = _on(_("Cancelled on"))
    notes = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 3}))


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File (PDF or image, at most 5 MB)"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    dry_run = forms.BooleanField(
        label=_("Only check the file (write nothing)"), required=False, initial=True
    )
