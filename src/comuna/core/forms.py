from __future__ import annotations

from typing import ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from comuna.core.models import Person


class ProfileForm(forms.ModelForm[Person]):
    class Meta:
        model = Person
        fields: ClassVar[list[str]] = [
            "full_name",
            "public_name",
            "gender",
            "national_id",
            "phone",
            "email",
            "address",
        ]
        help_texts: ClassVar[dict[str, object]] = {
            "public_name": _("The name everybody can see, for example on a commune's page."),
            "national_id": _("Private: only you and the coordinators of your organisations."),
            "phone": _("Private: only you and the coordinators of your organisations."),
        }


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, for example “spreadsheet of the commune”."),
    )
