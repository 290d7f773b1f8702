"""Business-day calendars: hand-computed dates against the Venezuelan national holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from comuna.engines.deadlines import (
    DEFAULT_VERY_OVERDUE_AFTER_DAYS,
    VENEZUELA,
    DeadlineError,
    HolidayCalendar,
    add_business_days,
    business_days_between,
    cli,
    due_state,
    easter_sunday,
    is_business_day,
    venezuela_holidays,
)


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2018, date(2018, 4, 1)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
    ],
)
def test_easter_sunday_matches_the_published_dates(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_easter_sunday_refuses_years_outside_the_gregorian_calendar() -> None:
    with pytest.raises(DeadlineError, match="1500"):
        easter_sunday(1500)


def test_carnival_2026_is_on_the_16th_and_17th_of_february() -> None:
    holidays = venezuela_holidays(2026)
    assert holidays[date(2026, 2, 16)] == "Carnival Monday"
    assert holidays[date(2026, 2, 17)] == "Carnival Tuesday"
    assert holidays[date(2026, 4, 2)] == "Holy Thursday"
    assert holidays[date(2026, 4, 3)] == "Good Friday"


def test_the_year_has_ten_fixed_and_four_movable_holidays() -> None:
    holidays = venezuela_holidays(2025)
    assert len(holidays) == 14
    fixed = [
        (1, 1),
        (4, 19),
        (5, 1),
        (6, 24),
        (7, 5),
        (7, 24),
        (10, 12),
        (12, 24),
        (12, 25),
        (12, 31),
    ]
    for month, day in fixed:
        assert date(2025, month, day) in holidays
    assert holidays[date(2025, 3, 3)] == "Carnival Monday"
    assert holidays[date(2025, 4, 17)] == "Holy Thursday"


def test_a_movable_holiday_on_a_fixed_one_keeps_both_names() -> None:
    holidays = venezuela_holidays(2019)
    assert holidays[date(2019, 4, 19)] == "Good Friday / Declaration of Independence"
    assert len(holidays) == 13


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 6, 6), True),  # Friday
        (date(2025, 6, 7), False),  # Saturday
        (date(2025, 6, 8), False),  # Sunday
        (date(2025, 6, 24), False),  # Tuesday, Battle of Carabobo
        (date(2025, 7, 24), False),  # Thursday, Bolívar
        (date(2025, 10, 13), True),  # Monday after 12 October: holidays are not moved
        (date(2026, 2, 17), False),  # Carnival Tuesday
    ],
)
def test_is_business_day(day: date, expected: bool) -> None:
    assert is_business_day(day) is expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2025, 6, 4), 2, date(2025, 6, 6)),  # Wednesday + 2 = Friday
        (date(2025, 6, 6), 1, date(2025, 6, 9)),  # Friday + 1 skips the weekend
        (date(2025, 6, 7), 1, date(2025, 6, 9)),  # from a Saturday: Monday
        (date(2025, 6, 23), 1, date(2025, 6, 25)),  # skips 24 June
        (date(2025, 4, 16), 1, date(2025, 4, 21)),  # skips Holy Thursday, Good Friday
        (date(2026, 2, 13), 1, date(2026, 2, 18)),  # skips Carnival
        (date(2025, 6, 2), 10, date(2025, 6, 16)),  # two plain weeks
    ],
)
def test_add_business_days_skips_weekends_and_holidays(
    start: date, days: int, expected: date
) -> None:
    assert add_business_days(start, days) == expected


def test_adding_days_across_the_new_year_skips_24_25_31_december_and_1_january() -> None:
    start = date(2025, 12, 22)  # Monday
    # 23 Dec (1), 26 Dec (2), 29 Dec (3), 30 Dec (4), 2 Jan (5), 5 Jan (6).
    assert add_business_days(start, 1) == date(2025, 12, 23)
    assert add_business_days(start, 2) == date(2025, 12, 26)
    assert add_business_days(start, 3) == date(2025, 12, 29)
    assert add_business_days(start, 4) == date(2025, 12, 30)
    assert add_business_days(start, 5) == date(2026, 1, 2)
    assert add_business_days(start, 6) == date(2026, 1, 5)


def test_zero_days_returns_the_start_even_on_a_weekend() -> None:
    assert add_business_days(date(2025, 6, 7), 0) == date(2025, 6, 7)


def test_negative_days_count_backwards() -> None:
    assert add_business_days(date(2026, 1, 2), -5) == date(2025, 12, 22)
    assert add_business_days(date(2025, 6, 9), -1) == date(2025, 6, 6)
    assert add_business_days(date(2025, 1, 1), -3) == date(2024, 12, 26)


def test_the_result_is_always_a_business_day() -> None:
    day = date(2024, 1, 1)
    while day < date(2026, 1, 1):
        for n in (1, 2, 7, -1, -4):
            assert is_business_day(add_business_days(day, n))
        day += timedelta(days=1)


def test_business_days_between_counts_the_half_open_interval() -> None:
    assert business_days_between(date(2025, 12, 22), date(2026, 1, 2)) == 5
    assert business_days_between(date(2026, 1, 2), date(2025, 12, 22)) == -5
    assert business_days_between(date(2025, 6, 6), date(2025, 6, 6)) == 0
    assert business_days_between(date(2025, 6, 6), date(2025, 6, 8)) == 0  # the weekend
    assert business_days_between(date(2025, 1, 1), date(2026, 1, 1)) == 261 - 11


def test_business_days_between_inverts_add_business_days() -> None:
    day = date(2024, 11, 1)
    while day < date(2025, 3, 1):
        for n in (0, 1, 3, 10, 45):
            assert business_days_between(day, add_business_days(day, n)) == n
        day += timedelta(days=1)


def test_the_calendar_can_be_edited_per_year() -> None:
    bridge = date(2026, 1, 2)
    calendar = HolidayCalendar.venezuela(extra={bridge: "Bridge day"})
    assert calendar.holidays(2026)[bridge] == "Bridge day"
    assert bridge not in calendar.holidays(2025)
    assert add_business_days(date(2025, 12, 22), 5, calendar) == date(2026, 1, 5)
    assert add_business_days(date(2025, 12, 22), 5) == date(2026, 1, 2)  # default untouched

    worked = calendar.with_changes(removed=[date(2025, 12, 24)])
    assert not worked.is_holiday(date(2025, 12, 24))
    assert worked.is_holiday(date(2026, 12, 24))  # only that year's date is removed
    assert add_business_days(date(2025, 12, 22), 2, worked) == date(2025, 12, 24)

    restored = worked.with_changes(added={date(2025, 12, 24): "Christmas Eve"})
    assert restored.is_holiday(date(2025, 12, 24))
    dropped = calendar.with_changes(removed=[bridge])
    assert not dropped.is_holiday(bridge)
    assert dropped.extra == ()


def test_an_added_holiday_needs_a_name() -> None:
    with pytest.raises(DeadlineError, match="needs a name"):
        VENEZUELA.with_changes(added={date(2026, 1, 2): " "})


def test_datetimes_are_refused() -> None:
    with pytest.raises(TypeError, match="not a datetime"):
        add_business_days(datetime(2025, 6, 6, 12, 0, tzinfo=UTC), 1)
    with pytest.raises(TypeError, match="must be an int"):
        add_business_days(date(2025, 6, 6), 1.5)  # type: ignore[arg-type]


def test_a_result_beyond_the_last_representable_date_is_an_error() -> None:
    with pytest.raises(DeadlineError, match="out of range"):
        add_business_days(date(9999, 12, 1), 100)


def test_an_item_is_overdue_from_the_day_after_its_due_date() -> None:
    due = date(2025, 3, 10)
    assert due_state(due, due, resolved=False) == "on_time"
    assert due_state(due, due - timedelta(days=5), resolved=False) == "on_time"
    assert due_state(due, due + timedelta(days=1), resolved=False) == "overdue"
    assert DEFAULT_VERY_OVERDUE_AFTER_DAYS == 30
    assert due_state(due, due + timedelta(days=30), resolved=False) == "overdue"
    assert due_state(due, due + timedelta(days=31), resolved=False) == "very_overdue"


def test_a_resolved_item_is_never_overdue() -> None:
    due = date(2025, 3, 10)
    assert due_state(due, due + timedelta(days=90), resolved=True) == "on_time"


def test_the_very_overdue_threshold_is_a_parameter() -> None:
    due = date(2025, 3, 10)
    today = due + timedelta(days=8)
    assert due_state(due, today, resolved=False, very_overdue_after_days=7) == "very_overdue"
    assert due_state(due, today, resolved=False, very_overdue_after_days=8) == "overdue"
    with pytest.raises(DeadlineError, match="at least 1"):
        due_state(due, today, resolved=False, very_overdue_after_days=0)


def test_cli_prints_the_due_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["2025-12-22", "5"]) == 0
    assert capsys.readouterr().out == "2026-01-02\n"
    assert cli(["due-date", "2026-01-02", "-5"]) == 0
    assert capsys.readouterr().out == "2025-12-22\n"


def test_cli_help_exits_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--help"]) == 0
    assert "START" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["2025-13-01", "5"], "START must be an ISO date"),
        (["tomorrow", "5"], "START must be an ISO date"),
        (["2025-12-22", "five"], "DAYS must be an integer"),
        (["2025-12-22", "1.5"], "DAYS must be an integer"),
        (["2025-12-22"], "required"),
        (["2025-12-22", "5", "6"], "unrecognized arguments"),
        ([], "required"),
        (["9999-12-30", "10"], "out of range"),
    ],
)
def test_cli_rejects_malformed_input_with_exit_code_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
