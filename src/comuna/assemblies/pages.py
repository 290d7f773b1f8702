"""What the assemblies' pages share: the page of one form, with the assembly's styles and a
link back to the assembly."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from comuna.assemblies.models import Assembly
from comuna.core.forms import form_page as core_form_page


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    title: str,
    back: str,
    assembly: Assembly | None = None,
    submit: str = "",
    intro: str = "",
) -> HttpResponse:
    """`core.forms.form_page` for the assemblies; a refused form answers 400."""
    parent = (
        (assembly.title, reverse("assemblies:assembly", args=[assembly.slug]))
        if assembly is not None
        else None
    )
    return core_form_page(
        request,
        form,
        title=title,
        back=back,
        submit=submit,
        intro=intro,
        base="assemblies/_base.html",
        parent=parent,
        status=400 if form.is_bound and form.errors else 200,
    )
