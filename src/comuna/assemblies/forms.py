"""Forms of the assemblies (the event side): shape at the edge; the actions check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.assemblies.models import (
    AssemblyStatus,
    CredentialStatus,
    ParticipantGender,
    ParticipantKind,
    ResolutionStatus,
    Scope,
    Stance,
)
from comuna.core.models import Visibility

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
GENDER_CHOICES = [("", _("Not stated")), *ParticipantGender.choices]


def any_choice(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class AssemblyFilterForm(forms.Form):
    ambito = forms.ChoiceField(
        label=_("Scope"), required=False, choices=any_choice(_("Any scope"), Scope.choices)
    )
    estado = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=any_choice(_("Any status"), AssemblyStatus.choices),
    )


class AssemblyForm(forms.Form):
    owner = forms.TypedChoiceField(label=_("Convened by"), coerce=int)
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name for the address"),
        max_length=120,
        required=False,
        help_text=_("Letters, numbers and hyphens. Made from the title when left empty."),
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_WIDGET)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    quorum_share = forms.DecimalField(
        label=_("Quorum (share of the voting members who must be present)"),
        min_value=0,
        max_value=1,
        decimal_places=3,
        initial="0.5",
    )
    visibility = forms.ChoiceField(
        label=_("Who may see the assembly"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]


class AssemblyEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    scope = forms.ChoiceField(label=_("Scope"), choices=Scope.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_WIDGET)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE_WIDGET)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    quorum_share = forms.DecimalField(
        label=_("Quorum (share of the voting members who must be present)"),
        min_value=0,
        max_value=1,
        decimal_places=3,
    )
    speaking_seconds = forms.IntegerField(
        label=_("Default speaking time (seconds)"), min_value=10, max_value=3600
    )
    visibility = forms.ChoiceField(label=_("Who may see the assembly"), choices=Visibility.choices)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=AssemblyStatus.choices)


class ConvenorForm(forms.Form):
    organisation = forms.SlugField(
        label=_("Registered organisation (short name in the registry)"),
        max_length=120,
        required=False,
    )
    name = forms.CharField(
        label=_("Or the name of a movement or organisation outside the registry"),
        max_length=200,
        required=False,
        help_text=_("For example a movement from abroad."),
    )
    country = forms.CharField(label=_("Country"), max_length=80, required=False)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    venue = forms.CharField(label=_("Room or place"), max_length=200, required=False)


class DelegationForm(forms.Form):
    organisation = forms.SlugField(
        label=_("Organisation (short name in the registry)"),
        max_length=120,
        help_text=_("For example el-maizal."),
    )
    quota = forms.IntegerField(label=_("Delegates allowed"), min_value=1, max_value=500)
    instructions = forms.CharField(
        label=_("Instructions of the unit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DelegateForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=200)
    gender = forms.ChoiceField(label=_("Gender"), choices=GENDER_CHOICES, required=False)
    mandate_reference = forms.CharField(
        label=_("Mandate given by (act or decision of the unit)"), max_length=200, required=False
    )
    mandate_issued_on = forms.DateField(
        label=_("Mandate issued on"), required=False, widget=DATE_WIDGET
    )
    mandate_valid_until = forms.DateField(
        label=_("Mandate valid until"), required=False, widget=DATE_WIDGET
    )
    mandate_instructions = forms.CharField(
        label=_("Instructions of the mandate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ParticipantForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (ParticipantKind.GUEST, ParticipantKind.GUEST.label),
            (ParticipantKind.OBSERVER, ParticipantKind.OBSERVER.label),
        ],
    )
    name = forms.CharField(label=_("Full name"), max_length=200)
    affiliation = forms.CharField(
        label=_("Organisation or movement"), max_length=200, required=False
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=GENDER_CHOICES, required=False)


class ParticipantFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or number"), required=False, max_length=100)
    tipo = forms.ChoiceField(
        label=_("Kind"), required=False, choices=any_choice(_("Any kind"), ParticipantKind.choices)
    )
    credencial = forms.ChoiceField(
        label=_("Credential"),
        required=False,
        choices=any_choice(_("Any credential"), CredentialStatus.choices),
    )
    presente = forms.ChoiceField(
        label=_("Present"),
        required=False,
        choices=[("", _("Present or not")), ("yes", _("Present")), ("no", _("Not present"))],
    )


class CredentialForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept the credential")), ("refuse", _("Refuse the credential"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note (required to refuse)"), max_length=300, required=False)


class CheckInForm(forms.Form):
    codigo = forms.CharField(
        label=_("Participant number or badge code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    parent = forms.TypedChoiceField(
        label=_("Under item"), required=False, coerce=int, empty_value=None
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=1440, initial=0
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, parents: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("None: a main item")), *parents]  # type: ignore[attr-defined]


class SpeakForm(forms.Form):
    stance = forms.ChoiceField(label=_("You speak"), choices=Stance.choices, initial=Stance.NEUTRAL)


class AddSpeakerForm(forms.Form):
    number = forms.CharField(label=_("Participant number"), max_length=20)
    stance = forms.ChoiceField(
        label=_("For or against"), choices=Stance.choices, initial=Stance.NEUTRAL
    )


class WorkingGroupForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    facilitator = forms.CharField(
        label=_("Facilitator (participant number)"), max_length=20, required=False
    )
    rapporteur = forms.CharField(
        label=_("Rapporteur (participant number)"), max_length=20, required=False
    )


class ReportForm(forms.Form):
    report = forms.CharField(label=_("Report"), widget=forms.Textarea(attrs={"rows": 10}))


class MotionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Separate paragraphs with a blank line: amendments refer to paragraphs."),
    )
    on_behalf = forms.ChoiceField(label=_("Submitted by"), required=False)

    def __init__(self, *args: Any, behalf: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_behalf"].choices = behalf  # type: ignore[attr-defined]
        if len(behalf) <= 1:
            self.fields["on_behalf"].widget = forms.HiddenInput()


class TransitionForm(forms.Form):
    state = forms.ChoiceField(label=_("New state"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = states  # type: ignore[attr-defined]


class AmendmentForm(forms.Form):
    paragraph = forms.TypedChoiceField(label=_("Paragraph"), coerce=int)
    proposed = forms.CharField(
        label=_("New wording of the paragraph"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Leave it empty to propose deleting the paragraph."),
    )
    rationale = forms.CharField(
        label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, paragraphs: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["paragraph"].choices = [  # type: ignore[attr-defined]
            (index, f"{index}. {text[:70]}") for index, text in enumerate(paragraphs, start=1)
        ]


class AmendmentDecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accepted", _("Accept: the paragraph takes the new wording")),
            ("rejected", _("Reject")),
            ("withdrawn", _("Withdrawn by the proposer")),
        ],
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ForwardForm(forms.Form):
    to_assembly = forms.ChoiceField(label=_("To the assembly"), required=False)
    to_body = forms.SlugField(
        label=_("Or to the organisation (short name in the registry)"),
        max_length=120,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_assembly"].choices = [("", _("None")), *targets]  # type: ignore[attr-defined]


class SupportForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Support as"), required=False)

    def __init__(self, *args: Any, behalf: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = behalf  # type: ignore[attr-defined]


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 30}))


class ApproveForm(forms.Form):
    basis = forms.CharField(
        label=_("Approved by"),
        max_length=300,
        help_text=_("Say how the plenary approved them, e.g. the vote and its numbers."),
    )


class DeclarationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    preamble = forms.CharField(
        label=_("Preamble"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


class RevisionForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 25}))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class EndorseForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Endorse on behalf of"), coerce=int)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class ResolutionForm(forms.Form):
    title = forms.CharField(label=_("What was resolved"), max_length=200)
    responsible = forms.SlugField(
        label=_("Responsible organisation (short name in the registry)"), max_length=120
    )
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE_WIDGET)
    motion = forms.TypedChoiceField(
        label=_("Adopted motion"), required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, motions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["motion"].choices = [("", _("None")), *motions]  # type: ignore[attr-defined]


class ResolutionUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ResolutionStatus.choices)
    note = forms.CharField(
        label=_("Follow-up note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
