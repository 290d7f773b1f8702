"""Small server-side SVG charts (no JavaScript): the capacity history of a commune."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from comuna.registry.models import CapacityAssessment

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 320, 140, 28, 22, 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    level: int
    label: str


@dataclass(frozen=True)
class CapacityChart:
    width: int
    height: int
    bars: list[Bar]
    gridlines: list[tuple[int, float]]  # level, y
    baseline: float


def capacity_chart(assessments: Sequence[CapacityAssessment]) -> CapacityChart | None:
    """One bar per assessment (oldest first, at most the last 12), height = level 1-4."""
    items = list(assessments)[-12:]
    if not items:
        return None
    plot_w = WIDTH - LEFT - 6
    plot_h = HEIGHT - BOTTOM - TOP
    step = plot_w / len(items)
    bar_w = min(36.0, step * 0.7)
    baseline = TOP + plot_h
    bars = []
    for i, a in enumerate(items):
        h = plot_h * a.level / 4
        bars.append(
            Bar(
                x=round(LEFT + i * step + (step - bar_w) / 2, 1),
                y=round(baseline - h, 1),
                width=round(bar_w, 1),
                height=round(h, 1),
                level=a.level,
                label=a.assessed_on.strftime("%m/%Y"),
            )
        )
    grid = [(lvl, round(baseline - plot_h * lvl / 4, 1)) for lvl in range(1, 5)]
    return CapacityChart(width=WIDTH, height=HEIGHT, bars=bars, gridlines=grid, baseline=baseline)
