"""The small checks every module's actions make on their arguments, with one translated
message each, naming the field (`DomainError.fields`), so that pages put it beside the input
and the API returns it in `fields`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from comuna.core.errors import DomainError


def actor_id(actor: Any) -> int | None:
    """The id of a signed-in actor, for the "who recorded it" columns; None otherwise."""
    return int(actor.pk) if actor is not None and actor.is_authenticated else None


def field_error(field: str, message: str, code: str = "invalid") -> DomainError:
    """A DomainError whose message belongs to one field."""
    return DomainError(message, code=code, fields={field: [message]})


def clean_text(value: Any, field: str, *, required: bool = True, limit: int = 0) -> str:
    """The value stripped; refused when required and empty, or longer than `limit` (0: no
    limit)."""
    text = str(value or "").strip()
    if required and not text:
        raise field_error(field, _("This field is required."), "required")
    if limit and len(text) > limit:
        raise field_error(field, _("At most %(limit)s characters.") % {"limit": limit}, "too_long")
    return text


def clean_choice(value: str, choices: Iterable[str], field: str) -> str:
    """The value when it is one of `choices`."""
    if value not in set(choices):
        raise field_error(
            field, _("Not a valid choice: “%(value)s”.") % {"value": value}, "invalid_choice"
        )
    return value
