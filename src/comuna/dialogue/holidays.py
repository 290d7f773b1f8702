"""The holiday calendar in force: Venezuela's national holidays (engines.deadlines) with the
changes recorded per year in HolidayChange (decreed bridge days added, holidays worked)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from comuna.dialogue.models import HolidayChange, HolidayChangeKind
from comuna.engines.deadlines import HolidayCalendar, add_business_days


def holiday_calendar() -> HolidayCalendar:
    """The calendar with every recorded change (one small query)."""
    extra: dict[date, str] = {}
    removed: list[date] = []
    for day, change, name in HolidayChange.objects.values_list("day", "change", "name"):
        if change == HolidayChangeKind.ADDED:
            extra[day] = name
        else:
            removed.append(day)
    return HolidayCalendar.venezuela(extra=extra, removed=removed)


def changes_of(year: int) -> list[HolidayChange]:
    """The changes recorded for `year`, by date."""
    return list(HolidayChange.objects.filter(day__year=year).order_by("day"))


def due_date(start: date, business_days: int, calendar: HolidayCalendar | None = None) -> date:
    """The date `business_days` business days after `start` under the calendar in force."""
    return add_business_days(start, business_days, calendar or holiday_calendar())


#: The engine's English names of the national holidays, for translation.
HOLIDAY_NAMES = {
    "New Year's Day": _("New Year's Day"),
    "Carnival Monday": _("Carnival Monday"),
    "Carnival Tuesday": _("Carnival Tuesday"),
    "Holy Thursday": _("Holy Thursday"),
    "Good Friday": _("Good Friday"),
    "Declaration of Independence": _("Declaration of Independence"),
    "Labour Day": _("Labour Day"),
    "Battle of Carabobo": _("Battle of Carabobo"),
    "Independence Day": _("Independence Day"),
    "Birth of Simón Bolívar": _("Birth of Simón Bolívar"),
    "Day of Indigenous Resistance": _("Day of Indigenous Resistance"),
    "Christmas Eve": _("Christmas Eve"),
    "Christmas Day": _("Christmas Day"),
    "New Year's Eve": _("New Year's Eve"),
}


def holiday_label(name: str) -> str:
    """The name of a holiday in the current language (names recorded by hand stay as
    written; two holidays on one date are joined with " / ")."""
    return " / ".join(str(HOLIDAY_NAMES.get(part, part)) for part in name.split(" / "))


def holidays_of(year: int) -> list[tuple[date, str]]:
    """The holidays of `year` under the calendar in force, with their names translated."""
    return [(day, holiday_label(name)) for day, name in holiday_calendar().holidays(year).items()]
