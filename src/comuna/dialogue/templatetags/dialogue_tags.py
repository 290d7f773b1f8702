"""Template helpers of the dialogue: derived states with their badge, percentages, and
`{% open_commitments organisation %}`, the open commitments with government shown on a
commune's page (registry/commune.html includes it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from comuna.core.models import Organisation
from comuna.dialogue import charts, queries, render, stats
from comuna.dialogue.forms import BodyForm
from comuna.dialogue.models import Commitment, Demand, ReminderKind

register = template.Library()

OUTCOME_CSS = {"kept": "ok", "late": "warn", "broken": "bad", "pending": ""}


@register.filter
def demand_state(demand: Demand, today: date) -> str:
    return demand.state_on(today)


@register.filter
def demand_state_label(demand: Demand, today: date) -> str:
    return demand.state_label(today)


@register.filter
def state_css(state: str) -> str:
    return render.STATE_CSS.get(state, "")


@register.filter
def outcome(commitment: Commitment, today: date) -> str:
    return commitment.outcome_on(today)


@register.filter
def outcome_label(commitment: Commitment, today: date) -> str:
    return commitment.outcome_label(today)


@register.filter
def outcome_css(value: str) -> str:
    return OUTCOME_CSS.get(value, "")


@register.filter
def reminder_label(kind: str) -> str:
    """The name of a kind of reminder ("before", "overdue"...) in the current language."""
    return str(ReminderKind(kind).label) if kind in ReminderKind.values else kind


@register.filter
def body_field_label(name: str) -> str:
    """The label of a field of a body's entry (the keys of a proposed correction)."""
    found = BodyForm.base_fields.get(name)
    return str(found.label) if found is not None and found.label else name


@register.filter
def percent(share: float | None) -> str:
    return stats.percent(share)


@register.filter
def days(value: float | None) -> str:
    """A median number of days: whole, or with one decimal (".5")."""
    if value is None:
        return "—"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


@register.inclusion_tag("dialogue/_commune_commitments.html")
def open_commitments(organisation: Organisation) -> dict[str, Any]:
    """Open commitments of public dialogue tables only: the same for every viewer, so the
    tag may sit inside a fragment cached for everybody (registry/commune.html)."""
    return {
        "organisation": organisation,
        "commitments": queries.open_commitments_for(organisation, None),
        "today": timezone.localdate(),
    }


@register.simple_tag
def month_chart_svg(chart: charts.MonthChart, svg_id: str) -> SafeString:
    return charts.render_svg(
        chart,
        title=_("Demands by month of filing"),
        description=_(
            "Each bar is a month: answered on time (green), answered late (ochre), not "
            "answered (grey)."
        ),
        svg_id=svg_id,
    )


@register.simple_tag
def demand_rows(
    demands: Any, today: date, hide_owner: bool = False, hide_body: bool = False
) -> SafeString:
    return render.demand_rows(demands, today, hide_owner=hide_owner, hide_body=hide_body)
