"""Forms of the geography pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _


class ParishSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Parish name"),
        max_length=100,
        required=False,
        help_text=_("Accents and capital letters do not matter."),
    )
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args: Any, states: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        """`states` are the (slug, name) choices of the state filter."""
        super().__init__(*args, **kwargs)
        state_field = cast(forms.ChoiceField, self.fields["state"])
        state_field.choices = [("", _("All states")), *states]
