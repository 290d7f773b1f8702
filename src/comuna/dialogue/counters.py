"""Keeping the statistics of public bodies: BodyStats, AnswerDays and BodyMonth.

The actions call `filed`, `answered`, `closed` and `resolved` inside their transaction, so
the counters always agree with the demands; `rebuild` computes them again from the demands
with a few grouped SQL queries (after a bulk import, or to check them). Counter updates are
`UPDATE ... SET n = n + 1` statements: two actions counting at the same time cannot lose
an increment.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from comuna.dialogue.models import (
    OPEN_STATUSES,
    AnswerDays,
    BodyMonth,
    BodyStats,
    Demand,
    DemandStatus,
    PublicBody,
)
from comuna.dialogue.stats import median_from_counts


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def _bump_stats(body_id: int, **deltas: int) -> None:
    BodyStats.objects.get_or_create(body_id=body_id)
    BodyStats.objects.filter(body_id=body_id).update(
        updated_at=timezone.now(),
        **{name: F(name) + delta for name, delta in deltas.items() if delta},
    )


def _bump_month(body_id: int, month: date, **deltas: int) -> None:
    BodyMonth.objects.get_or_create(body_id=body_id, month=month)
    BodyMonth.objects.filter(body_id=body_id, month=month).update(
        **{name: F(name) + delta for name, delta in deltas.items() if delta}
    )


def filed(demand: Demand) -> None:
    assert demand.filed_on is not None  # noqa: S101 - the action has just set it
    _bump_stats(demand.body_id, received=1, pending=1)
    _bump_month(demand.body_id, first_of_month(demand.filed_on), received=1)


def answered(demand: Demand) -> None:
    """An open demand was answered (answer_days and the dates are set)."""
    assert demand.filed_on is not None and demand.answer_days is not None  # noqa: S101
    late = int(demand.answered_late)
    _bump_stats(demand.body_id, pending=-1, answered=1, answered_late=late)
    _bump_month(demand.body_id, first_of_month(demand.filed_on), answered=1, answered_late=late)
    row, _created = AnswerDays.objects.get_or_create(
        body_id=demand.body_id, days=demand.answer_days
    )
    AnswerDays.objects.filter(pk=row.pk).update(count=F("count") + 1)
    _store_median(demand.body_id)


def closed(demand: Demand, *, was_open: bool, escalated: bool) -> None:
    """The demand was escalated or withdrawn. An open one leaves the pending count, and
    counts as late when its due date had passed (closed_on after due_on)."""
    late = int(
        was_open
        and demand.closed_on is not None
        and demand.due_on is not None
        and demand.closed_on > demand.due_on
    )
    _bump_stats(
        demand.body_id,
        pending=-1 if was_open else 0,
        closed_late=late,
        escalated=int(escalated),
        withdrawn=int(not escalated),
    )


def resolved(demand: Demand) -> None:
    _bump_stats(demand.body_id, resolved=1)


def _store_median(body_id: int) -> None:
    counts = AnswerDays.objects.filter(body_id=body_id).values_list("days", "count")
    BodyStats.objects.filter(body_id=body_id).update(
        median_days=median_from_counts(counts), updated_at=timezone.now()
    )


def expected() -> dict[int, dict[str, Any]]:
    """The counters of every body computed from the demands (grouped queries)."""
    late_close = Q(
        status__in=[DemandStatus.ESCALATED, DemandStatus.WITHDRAWN],
        answered_on__isnull=True,
        closed_on__gt=F("due_on"),
    )
    rows = (
        Demand.objects.filter(filed_on__isnull=False)
        .order_by()
        .values("body_id")
        .annotate(
            received=Count("pk"),
            pending=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            answered=Count("pk", filter=Q(answered_on__isnull=False)),
            late_answers=Count("pk", filter=Q(answered_on__gt=F("due_on"))),
            closed_late=Count("pk", filter=late_close),
            escalated=Count("pk", filter=Q(status=DemandStatus.ESCALATED)),
            withdrawn=Count("pk", filter=Q(status=DemandStatus.WITHDRAWN)),
            resolved=Count("pk", filter=Q(status=DemandStatus.RESOLVED)),
        )
    )
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        body_id = row.pop("body_id")
        row["answered_late"] = row.pop("late_answers")
        found[body_id] = {**row, "median_days": None}
    days: dict[int, list[tuple[int, int]]] = {}
    for body_id, n_days, n in _answer_days():
        days.setdefault(body_id, []).append((n_days, n))
    for body_id, counts in days.items():
        found[body_id]["median_days"] = median_from_counts(counts)
    return found


def _answer_days() -> Any:
    return (
        Demand.objects.filter(answer_days__isnull=False)
        .order_by()
        .values_list("body_id", "answer_days")
        .annotate(n=Count("pk"))
    )


@transaction.atomic
def rebuild() -> int:
    """Recompute BodyStats, AnswerDays and BodyMonth of every body; returns the bodies."""
    counters = expected()
    BodyStats.objects.all().delete()
    AnswerDays.objects.all().delete()
    BodyMonth.objects.all().delete()
    body_ids = list(PublicBody.objects.values_list("pk", flat=True))
    BodyStats.objects.bulk_create(
        [BodyStats(body_id=pk, **counters.get(pk, {})) for pk in body_ids], batch_size=2000
    )
    AnswerDays.objects.bulk_create(
        [AnswerDays(body_id=b, days=d, count=n) for b, d, n in _answer_days()], batch_size=5000
    )
    months = (
        Demand.objects.filter(filed_on__isnull=False)
        .order_by()
        .annotate(month=TruncMonth("filed_on"))
        .values_list("body_id", "month")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(answered_on__isnull=False)),
            late_answers=Count("pk", filter=Q(answered_on__gt=F("due_on"))),
        )
    )
    BodyMonth.objects.bulk_create(
        [
            BodyMonth(body_id=b, month=m, received=r, answered=a, answered_late=late)
            for b, m, r, a, late in months
        ],
        batch_size=5000,
    )
    return len(body_ids)
