"""iCalendar (RFC 5545) text, in pure Python (no Django): calendars of all-day events (due
dates) and timed events (meetings, sessions, schedules) that phones can subscribe to. Shared by
the modules that publish calendars.

What RFC 5545 asks and this module does:

- lines end with CRLF (§3.1);
- content lines longer than 75 octets are folded: CRLF followed by one space, never inside a
  UTF-8 sequence (§3.1);
- TEXT values escape backslash, semicolon, comma and newlines (§3.3.11);
- DTSTAMP and timed DTSTART/DTEND are UTC ("Z"); all-day events use VALUE=DATE with an
  exclusive DTEND on the next day (§3.6.1);
- every VEVENT has UID and DTSTAMP; the calendar has VERSION and PRODID (§3.6, §3.7).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//Comuna//Comuna//ES"


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma, and newlines as \\n."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold one content line into pieces of at most 75 octets joined by CRLF + space.
    Continuation lines carry the leading space inside their 75 octets."""
    data = line.encode("utf-8")
    if len(data) <= MAX_OCTETS:
        return line
    pieces: list[str] = []
    start = 0
    limit = MAX_OCTETS
    while start < len(data):
        end = min(start + limit, len(data))
        # Step back to the start of a UTF-8 character (never split a multibyte sequence).
        while end < len(data) and (data[end] & 0xC0) == 0x80:
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start = end
        limit = MAX_OCTETS - 1  # the leading space of a continuation line counts
    return (CRLF + " ").join(pieces)


def _utc(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("iCalendar times must be aware datetimes")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Event:
    """One VEVENT: all-day when `day` is given, timed when `start` is."""

    uid: str
    summary: str
    day: date | None = None
    start: datetime | None = None
    end: datetime | None = None
    description: str = ""
    location: str = ""
    url: str = ""
    status: str = ""  # CONFIRMED, CANCELLED or TENTATIVE

    def lines(self, stamp: datetime) -> list[str]:
        if (self.day is None) == (self.start is None):
            raise ValueError("an event needs either a day or a start time")
        out = ["BEGIN:VEVENT", f"UID:{escape_text(self.uid)}", f"DTSTAMP:{_utc(stamp)}"]
        if self.day is not None:
            following = self.day + timedelta(days=1)
            out += [
                f"DTSTART;VALUE=DATE:{self.day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{following:%Y%m%d}",
            ]
        elif self.start is not None:
            end = self.end or self.start + timedelta(hours=2)
            out += [f"DTSTART:{_utc(self.start)}", f"DTEND:{_utc(end)}"]
        out.append(f"SUMMARY:{escape_text(self.summary)}")
        if self.description:
            out.append(f"DESCRIPTION:{escape_text(self.description)}")
        if self.location:
            out.append(f"LOCATION:{escape_text(self.location)}")
        if self.url:
            out.append(f"URL:{self.url}")
        if self.status:
            out.append(f"STATUS:{self.status}")
        out.append("END:VEVENT")
        return out


def calendar(name: str, events: Iterable[Event], stamp: datetime) -> str:
    """The whole VCALENDAR text, CRLF line ends, folded lines."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        "X-WR-TIMEZONE:America/Caracas",
    ]
    for event in events:
        lines += event.lines(stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
