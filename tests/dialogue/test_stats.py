"""The pure statistics: Wilson intervals, medians from counts, the figures of a body."""

from __future__ import annotations

import pytest

from comuna.dialogue.stats import (
    MIN_RANKED,
    Counters,
    Figures,
    median_from_counts,
    percent,
    wilson_interval,
)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Hand-checked against the closed form (z = 1.96).
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (1, 3, 0.0615, 0.7923),
        (81, 263, 0.2553, 0.3662),
    ],
)
def test_wilson_interval_matches_hand_computed_values(
    k: int, n: int, low: float, high: float
) -> None:
    got = wilson_interval(k, n)
    assert got[0] == pytest.approx(low, abs=1e-4)
    assert got[1] == pytest.approx(high, abs=1e-4)


def test_wilson_interval_without_data_says_nothing() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_interval_narrows_with_more_data() -> None:
    small = wilson_interval(3, 6)
    big = wilson_interval(300, 600)
    assert big[1] - big[0] < small[1] - small[0]


def test_wilson_interval_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(5, 4)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(-1, 4)


@pytest.mark.parametrize(
    ("counts", "median"),
    [
        ([], None),
        ([(7, 0)], None),
        ([(5, 1)], 5.0),
        ([(1, 1), (9, 1)], 5.0),
        ([(3, 2), (10, 1)], 3.0),
        ([(10, 1), (2, 1), (4, 1), (8, 1)], 6.0),
        ([(1, 50), (100, 50)], 50.5),
        ([(1, 50), (100, 51)], 100.0),
    ],
)
def test_median_from_counts(counts: list[tuple[int, int]], median: float | None) -> None:
    assert median_from_counts(counts) == median


def test_figures_count_open_overdue_demands_as_late() -> None:
    figures = Figures(
        counters=Counters(received=20, pending=6, answered=12, answered_late=3, closed_late=1),
        overdue=4,
        very_overdue=1,
    )
    assert figures.settled == 12 + 1 + 4
    assert figures.late == 3 + 1 + 4
    assert figures.late_share == pytest.approx(8 / 17)
    assert figures.ranked and figures.on_time_pending == 2


def test_a_body_needs_enough_settled_demands_to_be_ranked() -> None:
    few = Figures(counters=Counters(answered=MIN_RANKED - 1), overdue=0, very_overdue=0)
    assert not few.ranked and few.late_share == 0
    none = Figures(counters=Counters(received=3, pending=3), overdue=0, very_overdue=0)
    assert none.late_share is None and percent(none.late_share) == "—"
    assert percent(0.376) == "38 %"
