"""The rows of a table of demands, built in Python.

A table of 25 demands drawn by a template loop (two URL reversals, two localised dates and a
translated state per row) costs more than every query of the page together; here the URLs
come from one reversed pattern and the date format is read once. Every text is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from html import escape

from django.urls import reverse
from django.utils import dateformat, formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from comuna.dialogue.models import DISPLAY_STATES, Demand

STATE_CSS = {
    "answered": "ok",
    "resolved": "ok",
    "overdue": "warn",
    "very_overdue": "bad",
    "escalated": "warn",
}
_MARK = 987654321


def _url_maker(name: str) -> tuple[str, str]:
    """The reversed URL of `name` split around its argument, to be filled by formatting."""
    sample = reverse(name, args=[_MARK])
    head, _sep, tail = sample.partition(str(_MARK))
    return head, tail


def demand_rows(
    demands: Iterable[Demand], today: date, *, hide_owner: bool = False, hide_body: bool = False
) -> SafeString:
    demand_head, demand_tail = _url_maker("dialogue:demand")
    body_head, body_tail = ("", "")
    if not hide_body:
        sample = reverse("dialogue:body", args=["x-slug-x"])
        body_head, _sep, body_tail = sample.partition("x-slug-x")
    fmt = formats.get_format("SHORT_DATE_FORMAT")
    private = escape(_("private"))
    labels = {key: escape(str(label)) for key, label in DISPLAY_STATES.items()}

    def day(value: date | None) -> str:
        return dateformat.format(value, fmt) if value else "—"

    out: list[str] = []
    for d in demands:
        state = d.state_on(today)
        cells = [
            f'<td><a href="{demand_head}{d.pk}{demand_tail}">{escape(d.title)}</a>'
            + (f' <span class="badge">{private}</span>' if d.visibility != "public" else "")
            + "</td>"
        ]
        if not hide_owner:
            cells.append(f"<td>{escape(d.owner.name)}</td>")
        if not hide_body:
            label = d.body.acronym or d.body.name
            href = f"{body_head}{escape(d.body.slug)}{body_tail}"
            cells.append(f'<td><a href="{href}">{escape(label)}</a></td>')
        cells.append(f"<td>{day(d.filed_on)}</td><td>{day(d.due_on)}</td>")
        cells.append(
            f'<td><span class="badge {STATE_CSS.get(state, "")}">{labels[state]}</span></td>'
        )
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
