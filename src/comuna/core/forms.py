from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comuna.core.errors import DomainError
from comuna.core.models import Person


def post_data(request: HttpRequest) -> QueryDict | None:
    """The POSTed data, or None for GET: a POST whose fields are all optional and empty still
    binds the form."""
    return request.POST if request.method == "POST" else None


def add_domain_error(
    form: forms.BaseForm, err: DomainError, rename: Callable[[str], str] | None = None
) -> None:
    """Put an action's refusal on the form: each field's messages beside its visible input
    (`rename` maps the action's field names to the form's), the others above the form, and
    the general message above the form when no field took one."""
    placed = False
    for name, messages in err.fields.items():
        target = rename(name) if rename else name
        field = form.fields.get(target)
        on_field = field is not None and not field.widget.is_hidden
        for message in messages:
            form.add_error(target if on_field else None, message)
        placed = placed or on_field
    if not placed and err.message not in form.non_field_errors():
        form.add_error(None, err.message)


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    back: str,
    submit: str = "",
    intro: str = "",
    base: str = "core/base.html",
    parent: tuple[str, str] | None = None,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    """A page with one form (`core/form.html`): a way back, a title, an optional
    introduction and link to the parent page, the fields, submit and cancel. `base` is the
    template the page extends (a module's own, for its styles)."""
    context = {
        "form": form,
        "title": title,
        "back": back,
        "submit": submit or gettext("Save"),
        "intro": intro,
        "base": base,
        "parent": parent,
        **extra,
    }
    return render(request, "core/form.html", context, status=status)


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
