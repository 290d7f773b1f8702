"""iCalendar text (RFC 5545): line ends, folding at 75 octets, escaping, dates and times."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from comuna.core.ical import CRLF, Event, calendar, escape_text, fold

STAMP = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_text_values_are_escaped() -> None:
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert escape_text("x\r\ny") == "x\\ny"


def test_short_lines_are_not_folded() -> None:
    assert fold("SUMMARY:corto") == "SUMMARY:corto"
    line = "X" * 75
    assert fold(line) == line


def test_long_lines_fold_at_75_octets_with_a_leading_space() -> None:
    line = "DESCRIPTION:" + "a" * 200
    folded = fold(line)
    pieces = folded.split(CRLF)
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == line


def test_folding_never_splits_a_multibyte_character() -> None:
    line = "SUMMARY:" + "ñá€" * 40
    pieces = fold(line).split(CRLF)
    assert all(len(p.encode("utf-8")) <= 75 for p in pieces)
    rebuilt = "".join(p[1:] if i else p for i, p in enumerate(pieces))
    assert rebuilt == line  # every piece decoded cleanly


def test_a_calendar_with_an_all_day_and_a_timed_event() -> None:
    caracas = ZoneInfo("America/Caracas")
    text = calendar(
        "Comuna El Maizal",
        [
            Event(uid="demanda-1@x", day=date(2026, 3, 23), summary="Vence: agua, Sarare"),
            Event(
                uid="mesa-2@x",
                start=datetime(2026, 3, 10, 9, 0, tzinfo=caracas),
                summary="Mesa de diálogo",
                location="Sarare; Lara",
                status="CONFIRMED",
            ),
        ],
        STAMP,
    )
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert "DTSTART;VALUE=DATE:20260323" in lines and "DTEND;VALUE=DATE:20260324" in lines
    assert "DTSTART:20260310T130000Z" in lines  # 09:00 in Caracas is 13:00 UTC
    assert "SUMMARY:Vence: agua\\, Sarare" in lines
    assert "LOCATION:Sarare\\; Lara" in lines
    assert lines.count("BEGIN:VEVENT") == 2 and "DTSTAMP:20260301T120000Z" in lines


def test_an_event_needs_a_day_or_a_time() -> None:
    with pytest.raises(ValueError, match="either"):
        Event(uid="x", summary="s").lines(STAMP)
    with pytest.raises(ValueError, match="aware"):
        Event(uid="x", summary="s", start=datetime(2026, 1, 1, 9, 0)).lines(STAMP)
