"""Statistics of public bodies, in pure Python (no Django): Wilson intervals, medians from
counts, and the figures shown for a body.

How late a body is
    A demand is *settled* for this purpose when the body has answered it, or when its due
    date has passed without an answer (it is still open and overdue, or it was escalated or
    withdrawn after its due date). It is *late* when it was answered after its due date or
    is settled without an answer. The late share is late / settled, with a 95 % Wilson score
    interval. Demands still within their time, and those withdrawn or escalated before their
    due date, say nothing yet about the body and are left out.

Ranking
    A body is ranked only when at least MIN_RANKED demands are settled, and bodies are ranked
    by the *lower* bound of the interval: a body with two late answers out of two is not put
    above one with 300 out of 400, because two demands prove little.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

#: z for a two-sided 95 % interval.
Z95 = 1.959963984540054
#: Settled demands a body needs before it is ranked.
MIN_RANKED = 10


def wilson_interval(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion `successes / total` (both bounds in 0..1).

    With `total == 0` nothing is known and the interval is (0, 1).
    """
    if total < 0 or successes < 0 or successes > total:
        raise ValueError(f"need 0 <= successes <= total, got {successes} of {total}")
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    z2 = z * z
    denominator = 1 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def median_from_counts(counts: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many) pairs, in any order; None if empty.
    With an even total the median is the mean of the two middle values."""
    items = sorted((value, n) for value, n in counts if n > 0)
    total = sum(n for _value, n in items)
    if total == 0:
        return None
    return (_value_at(items, (total - 1) // 2) + _value_at(items, total // 2)) / 2


def _value_at(items: list[tuple[int, int]], rank: int) -> int:
    """The value at 0-based `rank` of the sorted (value, count) pairs."""
    seen = 0
    for value, n in items:
        seen += n
        if rank < seen:
            return value
    raise IndexError(rank)


@dataclass(frozen=True)
class Counters:
    """What is counted for a body (kept incrementally; see models.BodyStats)."""

    received: int = 0
    pending: int = 0
    answered: int = 0
    answered_late: int = 0
    closed_late: int = 0
    escalated: int = 0
    withdrawn: int = 0
    resolved: int = 0
    median_days: float | None = None


@dataclass(frozen=True)
class Figures:
    """A body's figures on one day: the counters plus what depends on the day."""

    counters: Counters
    overdue: int  # open and past the due date now (very overdue included)
    very_overdue: int

    @property
    def settled(self) -> int:
        c = self.counters
        return c.answered + c.closed_late + self.overdue

    @property
    def late(self) -> int:
        c = self.counters
        return c.answered_late + c.closed_late + self.overdue

    @property
    def late_share(self) -> float | None:
        return self.late / self.settled if self.settled else None

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.late, self.settled)

    @property
    def ranked(self) -> bool:
        return self.settled >= MIN_RANKED

    @property
    def on_time_pending(self) -> int:
        return self.counters.pending - self.overdue


def percent(share: float | None) -> str:
    """A share as a whole percentage ("37 %"), or an em dash when there is none."""
    return "—" if share is None else f"{round(share * 100)} %"
