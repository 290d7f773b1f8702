"""Business-day calendars and due dates (Venezuelan national holidays by default).

A *business day* is a Monday to Friday that is not a holiday of the calendar. The default
calendar holds the national holidays of Venezuela:

=========================  ===============================================
date                       name
=========================  ===============================================
1 January                  New Year's Day
Easter Sunday - 48 days    Carnival Monday
Easter Sunday - 47 days    Carnival Tuesday
Easter Sunday - 3 days     Holy Thursday
Easter Sunday - 2 days     Good Friday
19 April                   Declaration of Independence
1 May                      Labour Day
24 June                    Battle of Carabobo
5 July                     Independence Day
24 July                    Birth of Simón Bolívar
12 October                 Day of Indigenous Resistance
24 December                Christmas Eve
25 December                Christmas Day
31 December                New Year's Eve
=========================  ===============================================

Holidays that fall on a weekend are not moved to another day. When a movable and a fixed
holiday fall on the same date (Good Friday was 19 April in 2019) the names are joined with
" / ".

The calendar is *editable per year*: decrees add bridge days or move a holiday in a given year,
so :class:`HolidayCalendar` carries dates added and removed on top of the yearly rule, e.g.
``HolidayCalendar.venezuela(extra={date(2026, 1, 2): "Bridge day"})`` or
``calendar.with_changes(removed=[date(2026, 7, 24)])``.

All functions work with calendar dates (``datetime.date``), never with datetimes: deadlines are
counted by date in America/Caracas, so callers convert an aware datetime to the local date
first. Passing a ``datetime`` raises ``TypeError`` rather than silently counting in UTC.

The module also provides the command-line contract ``due-date START DAYS`` (see :func:`cli`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal, NoReturn

__all__ = [
    "DEFAULT_VERY_OVERDUE_AFTER_DAYS",
    "VENEZUELA",
    "DeadlineError",
    "DueState",
    "HolidayCalendar",
    "add_business_days",
    "business_days_between",
    "cli",
    "due_state",
    "easter_sunday",
    "is_business_day",
    "venezuela_holidays",
]

DueState = Literal["on_time", "overdue", "very_overdue"]

#: An open item is *very overdue* when more than this many calendar days have passed since
#: its due date (so on day 31 after the due date with the default).
DEFAULT_VERY_OVERDUE_AFTER_DAYS = 30

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5  # date.weekday(): Monday is 0, Saturday 5, Sunday 6


class DeadlineError(ValueError):
    """Raised for input the deadline engine cannot work with (the message says what)."""


def _require_date(value: object, name: str) -> date:
    """Return ``value`` if it is a plain date; reject datetimes and anything else."""
    if isinstance(value, datetime):
        raise TypeError(
            f"{name} must be a date, not a datetime; convert it to the local date "
            "(America/Caracas) first"
        )
    if not isinstance(value, date):
        raise TypeError(f"{name} must be a date, got {type(value).__name__}")
    return value


def easter_sunday(year: int) -> date:
    """Return the date of Easter Sunday in the Gregorian calendar.

    Uses the anonymous Gregorian algorithm (Meeus/Jones/Butcher), valid for every year of the
    Gregorian calendar that ``datetime.date`` can represent.
    """
    if not 1583 <= year <= 9999:
        raise DeadlineError(f"year {year} is outside the Gregorian range 1583-9999")
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


_FIXED_HOLIDAYS: tuple[tuple[int, int, str], ...] = (
    (1, 1, "New Year's Day"),
    (4, 19, "Declaration of Independence"),
    (5, 1, "Labour Day"),
    (6, 24, "Battle of Carabobo"),
    (7, 5, "Independence Day"),
    (7, 24, "Birth of Simón Bolívar"),
    (10, 12, "Day of Indigenous Resistance"),
    (12, 24, "Christmas Eve"),
    (12, 25, "Christmas Day"),
    (12, 31, "New Year's Eve"),
)

# Offsets in days from Easter Sunday.
_EASTER_HOLIDAYS: tuple[tuple[int, str], ...] = (
    (-48, "Carnival Monday"),
    (-47, "Carnival Tuesday"),
    (-3, "Holy Thursday"),
    (-2, "Good Friday"),
)


@lru_cache(maxsize=256)
def _venezuela_holidays_cached(year: int) -> tuple[tuple[date, str], ...]:
    names: dict[date, str] = {}
    easter = easter_sunday(year)
    for offset, name in _EASTER_HOLIDAYS:
        names[easter + timedelta(days=offset)] = name
    for month, day, name in _FIXED_HOLIDAYS:
        d = date(year, month, day)
        names[d] = f"{names[d]} / {name}" if d in names else name
    return tuple(sorted(names.items()))


def venezuela_holidays(year: int) -> dict[date, str]:
    """Return the national holidays of Venezuela in ``year``, mapped to their English names."""
    return dict(_venezuela_holidays_cached(year))


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Holidays computed per year by a rule, plus dates added and removed by hand.

    ``rule`` gives the regular holidays of a year; ``extra`` adds dates (with a name) and
    ``removed`` takes dates out, each change belonging to the year of its date. A date both
    in ``extra`` and in ``removed`` is not a holiday (removal wins). Instances are immutable;
    :meth:`with_changes` returns an edited copy.
    """

    name: str
    rule: Callable[[int], Mapping[date, str]]
    extra: tuple[tuple[date, str], ...] = ()
    removed: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def venezuela(
        cls,
        *,
        extra: Mapping[date, str] | None = None,
        removed: Iterable[date] = (),
    ) -> HolidayCalendar:
        """Return the Venezuelan national calendar with optional added and removed dates."""
        return cls(name="venezuela", rule=venezuela_holidays).with_changes(
            added=extra or {}, removed=removed
        )

    def with_changes(
        self,
        *,
        added: Mapping[date, str] | None = None,
        removed: Iterable[date] = (),
    ) -> HolidayCalendar:
        """Return a copy with ``added`` dates made holidays and ``removed`` dates made workdays.

        Adding a date that was previously removed restores it; removing a date that was
        previously added drops the addition.
        """
        added = added or {}
        removed_now = frozenset(_require_date(d, "removed date") for d in removed)
        for d, label in added.items():
            _require_date(d, "added date")
            if not label.strip():
                raise DeadlineError(f"the holiday added on {d.isoformat()} needs a name")
        extras = {d: label for d, label in self.extra if d not in removed_now}
        extras.update(added)
        return HolidayCalendar(
            name=self.name,
            rule=self.rule,
            extra=tuple(sorted(extras.items())),
            removed=(self.removed - frozenset(added)) | removed_now,
        )

    def holidays(self, year: int) -> dict[date, str]:
        """Return the holidays of ``year`` (rule, plus additions, minus removals) by date."""
        result = {d: label for d, label in self.rule(year).items() if d not in self.removed}
        result.update(
            {d: label for d, label in self.extra if d.year == year and d not in self.removed}
        )
        return dict(sorted(result.items()))

    def is_holiday(self, d: date) -> bool:
        """Return whether ``d`` is a holiday of this calendar (weekends aside)."""
        return _require_date(d, "d") in self.holidays(d.year)


#: The default calendar: Venezuelan national holidays, without edits.
VENEZUELA = HolidayCalendar.venezuela()


class _HolidayLookup:
    """Memoises a calendar's holiday sets per year during one computation."""

    __slots__ = ("_by_year", "_calendar")

    def __init__(self, calendar: HolidayCalendar) -> None:
        self._calendar = calendar
        self._by_year: dict[int, frozenset[date]] = {}

    def is_business_day(self, d: date) -> bool:
        if d.weekday() >= _SATURDAY:
            return False
        days = self._by_year.get(d.year)
        if days is None:
            days = frozenset(self._calendar.holidays(d.year))
            self._by_year[d.year] = days
        return d not in days


def is_business_day(d: date, calendar: HolidayCalendar = VENEZUELA) -> bool:
    """Return whether ``d`` is a Monday to Friday that is not a holiday of ``calendar``."""
    return _HolidayLookup(calendar).is_business_day(_require_date(d, "d"))


def add_business_days(start: date, days: int, calendar: HolidayCalendar = VENEZUELA) -> date:
    """Return the date that falls ``days`` business days after ``start``.

    The start day itself is never counted: with ``days >= 1`` the result is the ``days``-th
    business day strictly after ``start`` (so it is always a business day, even when ``start``
    is a Saturday or a holiday). ``days == 0`` returns ``start`` unchanged. A negative ``days``
    counts backwards: the result is the ``abs(days)``-th business day strictly before
    ``start``.
    """
    _require_date(start, "start")
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, got {type(days).__name__}")
    if days == 0:
        return start
    step = _ONE_DAY if days > 0 else -_ONE_DAY
    room = (date.max - start).days if days > 0 else (start - date.min).days
    if abs(days) > room:
        raise DeadlineError(f"{days} business days from {start.isoformat()} is out of range")
    lookup = _HolidayLookup(calendar)
    remaining = abs(days)
    current = start
    try:
        while remaining:
            current += step
            if lookup.is_business_day(current):
                remaining -= 1
    except OverflowError as exc:
        raise DeadlineError(
            f"{days} business days from {start.isoformat()} is out of range"
        ) from exc
    return current


def business_days_between(a: date, b: date, calendar: HolidayCalendar = VENEZUELA) -> int:
    """Return the number of business days ``d`` with ``a < d <= b``.

    If ``b`` is before ``a`` the result is the negated count for ``b < d <= a``. The count is
    the inverse of :func:`add_business_days` going forwards:
    ``business_days_between(a, add_business_days(a, n)) == n`` for every ``n >= 0``.
    """
    _require_date(a, "a")
    _require_date(b, "b")
    if b < a:
        return -business_days_between(b, a, calendar)
    # Weekdays in (a, b] by arithmetic, then take out the holidays that fall on weekdays.
    total_days = (b - a).days
    full_weeks, rest = divmod(total_days, 7)
    count = full_weeks * 5
    weekday = a.weekday()
    for _ in range(rest):
        weekday = (weekday + 1) % 7
        if weekday < _SATURDAY:
            count += 1
    for year in range(a.year, b.year + 1):
        for d in calendar.holidays(year):
            if a < d <= b and d.weekday() < _SATURDAY:
                count -= 1
    return count


def due_state(
    due: date,
    today: date,
    resolved: bool,
    very_overdue_after_days: int = DEFAULT_VERY_OVERDUE_AFTER_DAYS,
) -> DueState:
    """Classify an item with a due date as ``on_time``, ``overdue`` or ``very_overdue``.

    Dates, not instants, are compared: an open item is ``on_time`` up to and including its due
    date, ``overdue`` from the day after, and ``very_overdue`` when more than
    ``very_overdue_after_days`` calendar days have passed since the due date (default 30: the
    31st day after the due date). A resolved item (answered, resolved or withdrawn) is never
    overdue and always gives ``on_time``; to learn whether an item was answered late, call this
    with ``today`` set to the answer date and ``resolved=False``.
    """
    _require_date(due, "due")
    _require_date(today, "today")
    if very_overdue_after_days < 1:
        raise DeadlineError(
            f"very_overdue_after_days must be at least 1, got {very_overdue_after_days}"
        )
    if resolved:
        return "on_time"
    late_by = (today - due).days
    if late_by <= 0:
        return "on_time"
    if late_by > very_overdue_after_days:
        return "very_overdue"
    return "overdue"


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(message)


def cli(argv: list[str] | None = None) -> int:
    """Run ``due-date START DAYS``: print the ISO date DAYS business days after START.

    START is an ISO date (``YYYY-MM-DD``) and DAYS an integer (negative counts backwards); the
    default Venezuelan calendar is used. A leading ``due-date`` word in ``argv`` is accepted
    and ignored. Malformed input prints a message on stderr and returns 2.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["due-date"]:
        args = args[1:]
    parser = _Parser(
        prog="due-date",
        description="Print the date that falls DAYS business days after START "
        "(Venezuelan national holidays).",
    )
    parser.add_argument("start", metavar="START", help="ISO date, e.g. 2025-12-22")
    parser.add_argument("days", metavar="DAYS", help="number of business days (may be < 0)")
    try:
        ns = parser.parse_args(args)
    except _ArgumentError as exc:
        print(f"due-date: error: {exc}", file=sys.stderr)
        parser.print_usage(sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    start_text: str = ns.start
    days_text: str = ns.days
    try:
        start = date.fromisoformat(start_text)
    except ValueError:
        print(
            f"due-date: error: START must be an ISO date like 2025-12-22, got {start_text!r}",
            file=sys.stderr,
        )
        return 2
    try:
        days = int(days_text)
    except ValueError:
        print(f"due-date: error: DAYS must be an integer, got {days_text!r}", file=sys.stderr)
        return 2
    try:
        result = add_business_days(start, days)
    except DeadlineError as exc:
        print(f"due-date: error: {exc}", file=sys.stderr)
        return 2
    print(result.isoformat())
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
