"""Exports of the dialogue: CSV of demands and of body statistics, iCalendar of due dates
and dialogue tables. CSV headers are stable machine names; text cells that a spreadsheet
would run as a formula get a leading apostrophe."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from comuna.core import ical
from comuna.dialogue import queries
from comuna.dialogue.models import CommitmentStatus, Demand, DialogueTable, TableStatus

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DEMAND_COLUMNS = [
    "id",
    "title",
    "topic",
    "status",
    "state",
    "owner",
    "owner_name",
    "body",
    "body_name",
    "filed_on",
    "due_on",
    "answered_on",
    "answered_late",
    "url",
]
STATS_COLUMNS = [
    "body",
    "name",
    "acronym",
    "level",
    "received",
    "pending",
    "overdue_now",
    "very_overdue_now",
    "answered",
    "answered_late",
    "closed_late",
    "escalated",
    "withdrawn",
    "resolved",
    "median_days_to_answer",
    "settled",
    "late",
    "late_share",
    "late_share_low95",
    "late_share_high95",
    "ranked",
]


def safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe(v) for v in row])
        if buffer.tell() > 16384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def demands_csv(qs: QuerySet[Demand], today: date, base_url: str) -> Iterator[str]:
    def rows() -> Iterator[list[Any]]:
        for d in qs.iterator(chunk_size=2000):
            yield [
                d.pk,
                d.title,
                d.topic,
                d.status,
                d.state_on(today),
                d.owner.slug,
                d.owner.name,
                d.body.slug,
                d.body.name,
                d.filed_on,
                d.due_on,
                d.answered_on,
                "yes" if d.answered_late else "no",
                base_url + reverse("dialogue:demand", args=[d.pk]),
            ]

    return _lines(DEMAND_COLUMNS, rows())


def stats_csv(today: date) -> Iterator[str]:
    def rows() -> Iterator[list[Any]]:
        for r in queries.body_rows(today):
            f, c = r.figures, r.figures.counters
            low, high = f.interval
            yield [
                r.slug,
                r.name,
                r.acronym,
                r.level,
                c.received,
                c.pending,
                f.overdue,
                f.very_overdue,
                c.answered,
                c.answered_late,
                c.closed_late,
                c.escalated,
                c.withdrawn,
                c.resolved,
                "" if c.median_days is None else f"{c.median_days:g}",
                f.settled,
                f.late,
                "" if f.late_share is None else f"{f.late_share:.4f}",
                f"{low:.4f}",
                f"{high:.4f}",
                "yes" if f.ranked else "no",
            ]

    return _lines(STATS_COLUMNS, rows())


def calendar_text(
    *,
    name: str,
    demands: Iterable[Demand],
    tables: Iterable[DialogueTable],
    base_url: str,
    now: datetime | None = None,
) -> str:
    """Due dates of open public demands (all-day) and dialogue tables with the due dates of
    their open commitments."""
    events: list[ical.Event] = []
    host = base_url.split("://", 1)[-1].rstrip("/") or "comuna"
    for d in demands:
        if d.due_on is None:
            continue
        events.append(
            ical.Event(
                uid=f"demanda-{d.pk}@{host}",
                day=d.due_on,
                summary=_("Due: %(title)s (%(body)s)") % {"title": d.title, "body": d.body.name},
                description=_("Demand of %(owner)s filed on %(day)s.")
                % {
                    "owner": d.owner.name,
                    "day": d.filed_on.strftime("%d/%m/%Y") if d.filed_on else "",
                },
                url=base_url + reverse("dialogue:demand", args=[d.pk]),
            )
        )
    for t in tables:
        url = base_url + reverse("dialogue:table", args=[t.pk])
        events.append(
            ical.Event(
                uid=f"mesa-{t.pk}@{host}",
                start=t.held_at,
                end=t.held_at + timedelta(hours=3),
                summary=_("Dialogue table: %(title)s") % {"title": t.title},
                description=t.agenda,
                location=t.place,
                url=url,
                status="CANCELLED" if t.status == TableStatus.CANCELLED else "CONFIRMED",
            )
        )
        for c in t.commitments.all():
            if c.status != CommitmentStatus.OPEN:
                continue
            events.append(
                ical.Event(
                    uid=f"compromiso-{c.pk}@{host}",
                    day=c.due_on,
                    summary=_("Commitment of %(who)s: %(what)s")
                    % {"who": c.responsible.name, "what": c.what[:120]},
                    description=t.title,
                    url=url,
                )
            )
    return ical.calendar(name, events, now or timezone.now())
