"""Forms of polls and elections: shape only; the domain rules are in actions_voting."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.assemblies.models_voting import (
    DECISION_RULES,
    Candidate,
    DecisionType,
    ElectionMethod,
    MajorityRule,
    PollMode,
)


def decision_choices() -> list[tuple[str, str]]:
    """Each decision type with the majority rule it takes."""
    return [
        (value, f"{label} — {MajorityRule(DECISION_RULES[value]).label}")
        for value, label in DecisionType.choices
    ]


class PollForm(forms.Form):
    title = forms.CharField(label=_("Question put to the vote"), max_length=300)
    decision_type = forms.ChoiceField(
        label=_("Decision type (it gives the majority rule)"), choices=()
    )
    motion = forms.ChoiceField(label=_("Motion voted on"), required=False, choices=())
    amendment = forms.ChoiceField(
        label=_("Or an amendment voted on"),
        required=False,
        choices=(),
        help_text=_("An adopted amendment changes the paragraph of its motion."),
    )
    secret = forms.BooleanField(
        label=_("Secret ballot: the roll shows who voted, never what"), required=False
    )
    weighted = forms.BooleanField(
        label=_("Weighted: each delegate's vote counts their vote weight"), required=False
    )
    mode = forms.ChoiceField(
        label=_("How it is voted"),
        choices=PollMode.choices,
        initial=PollMode.ELECTRONIC,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        motions: list[tuple[str, str]],
        amendments: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        decision = self.fields["decision_type"]
        assert isinstance(decision, forms.ChoiceField)  # noqa: S101 - narrowing for mypy
        decision.choices = decision_choices()
        motion = self.fields["motion"]
        assert isinstance(motion, forms.ChoiceField)  # noqa: S101
        motion.choices = [("", _("None: a question of its own")), *motions]
        amendment = self.fields["amendment"]
        assert isinstance(amendment, forms.ChoiceField)  # noqa: S101
        amendment.choices = [("", "—"), *amendments]
        if not amendments:
            del self.fields["amendment"]


class PaperResultsForm(forms.Form):
    yes = forms.IntegerField(label=_("Yes"), min_value=0, max_value=1_000_000)
    no = forms.IntegerField(label=_("No"), min_value=0, max_value=1_000_000)
    abstain = forms.IntegerField(label=_("Abstentions"), min_value=0, max_value=1_000_000)
    voters = forms.IntegerField(
        label=_("Delegates who handed in a paper"),
        min_value=0,
        max_value=1_000_000,
        required=False,
        help_text=_("Leave it empty when it is the sum of the votes."),
    )
    tellers = forms.CharField(label=_("Tellers (names)"), max_length=300)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=300)


class ElectionForm(forms.Form):
    title = forms.CharField(label=_("What is elected"), max_length=300)
    method = forms.ChoiceField(
        label=_("Method"),
        choices=ElectionMethod.choices,
        initial=ElectionMethod.STV,
        widget=forms.RadioSelect,
        help_text=_(
            "STV is counted under the Scottish rules (SSI 2007/42, rules 45 to 52); Schulze "
            "by winning votes; approval elects the candidates with the most approvals."
        ),
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=100, initial=1)
    min_women = forms.IntegerField(
        label=_("At least this many women"), min_value=0, max_value=100, initial=0
    )
    min_men = forms.IntegerField(
        label=_("At least this many men"), min_value=0, max_value=100, initial=0
    )
    mode = forms.ChoiceField(
        label=_("How it is voted"),
        choices=PollMode.choices,
        initial=PollMode.ELECTRONIC,
        widget=forms.RadioSelect,
    )


class CandidateForm(forms.Form):
    participant = forms.CharField(
        label=_("Participant number"),
        max_length=20,
        required=False,
        help_text=_("For a participant of the assembly; otherwise write the name below."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    gender = forms.ChoiceField(
        label=_("Gender (for the quota)"),
        required=False,
        choices=[
            ("", _("Not stated")),
            ("female", _("Woman")),
            ("male", _("Man")),
            ("other", _("Other")),
        ],
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("participant") and not data.get("name"):
            raise forms.ValidationError(_("Give a participant number or a name."))
        return data


class CloseElectionForm(forms.Form):
    tellers = forms.CharField(
        label=_("Tellers (names)"),
        max_length=300,
        required=False,
        help_text=_("Required when the ballots were on paper."),
    )


class BallotForm(forms.Form):
    """One field per candidate: a preference number (STV, Schulze) or a tick (approval).
    Works without JavaScript; an empty ballot is a blank vote."""

    def __init__(
        self,
        *args: Any,
        method: str,
        candidates: list[Candidate],
        paper: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.method = method
        self.candidates = candidates
        for c in candidates:
            label = f"{c.name} ({c.organisation})" if c.organisation else c.name
            if method == ElectionMethod.APPROVAL:
                self.fields[f"c{c.pk}"] = forms.BooleanField(label=label, required=False)
            else:
                self.fields[f"c{c.pk}"] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=1,
                    max_value=len(candidates),
                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 3}),
                )
        if paper:
            self.fields["copies"] = forms.IntegerField(
                label=_("Identical papers"), min_value=1, max_value=1000, initial=1
            )

    def ranking(self) -> list[list[int]]:
        """Preference levels of candidate ids, best first (after is_valid)."""
        data = self.cleaned_data
        if self.method == ElectionMethod.APPROVAL:
            ticked = [c.pk for c in self.candidates if data.get(f"c{c.pk}")]
            return [ticked] if ticked else []
        levels: dict[int, list[int]] = {}
        for c in self.candidates:
            number = data.get(f"c{c.pk}")
            if number is not None:
                levels.setdefault(int(number), []).append(c.pk)
        return [levels[n] for n in sorted(levels)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.method != ElectionMethod.APPROVAL:
            numbers = sorted(int(v) for k, v in data.items() if k.startswith("c") and v is not None)
            if self.method == ElectionMethod.STV:
                if len(set(numbers)) != len(numbers):
                    raise forms.ValidationError(
                        _("Give each candidate a different number: 1, 2, 3…")
                    )
                if numbers and numbers != list(range(1, len(numbers) + 1)):
                    raise forms.ValidationError(
                        _("Number your choices 1, 2, 3… without leaving a number out.")
                    )
            elif numbers and numbers[0] != 1:
                raise forms.ValidationError(_("Start with 1 for your first choice."))
        return data
