"""A small server-side SVG chart (no JavaScript): demands by month of filing, each bar split
into answered on time, answered late and not answered (yet)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

from comuna.dialogue.queries import MonthRow

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 360, 150, 30, 22, 8
# Colours of the stylesheet's ok / warn / muted, as SVG presentation attributes (the
# Content-Security-Policy forbids inline style attributes, not these).
ON_TIME, LATE, UNANSWERED = "#1e6b34", "#b07400", "#b8b2a7"


@dataclass(frozen=True)
class Segment:
    y: float
    height: float
    fill: str


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    label: str  # month, e.g. 03/2026
    title: str  # e.g. "03/2026: 12 · 7 · 2 · 3"
    segments: list[Segment]
    tick: str  # the month shown under the bar (every third one), or ""


@dataclass(frozen=True)
class MonthChart:
    width: int
    height: int
    bars: list[Bar]
    top_value: int
    gridlines: list[tuple[int, float]]
    baseline: float


def _nice_top(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that is at least `value` (the axis top)."""
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def month_chart(rows: Sequence[MonthRow]) -> MonthChart | None:
    """One stacked bar per month; None when no demand was filed in the period."""
    if not rows or not any(r.received for r in rows):
        return None
    top_value = _nice_top(max(r.received for r in rows))
    plot_w = WIDTH - LEFT - 4
    plot_h = HEIGHT - BOTTOM - TOP
    step = plot_w / len(rows)
    bar_w = max(2.0, step * 0.75)
    baseline = TOP + plot_h
    bars = []
    for i, row in enumerate(rows):
        x = round(LEFT + i * step + (step - bar_w) / 2, 1)
        y: float = baseline
        segments = []
        for value, fill in (
            (row.on_time, ON_TIME),
            (row.answered_late, LATE),
            (row.unanswered, UNANSWERED),
        ):
            if value <= 0:
                continue
            h = plot_h * value / top_value
            y -= h
            segments.append(Segment(y=round(y, 1), height=round(h, 1), fill=fill))
        label = row.month.strftime("%m/%Y")
        bars.append(
            Bar(
                x=x,
                width=round(bar_w, 1),
                label=label,
                title=(
                    f"{label}: {row.received} · {row.on_time} · {row.answered_late} · "
                    f"{row.unanswered}"
                ),
                segments=segments,
                tick=row.month.strftime("%m/%y") if i % 6 == 0 else "",
            )
        )
    grid = [(v, round(baseline - plot_h * v / top_value, 1)) for v in (top_value // 2, top_value)]
    return MonthChart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        top_value=top_value,
        gridlines=grid,
        baseline=baseline,
    )


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def render_svg(chart: MonthChart, *, title: str, description: str, svg_id: str) -> SafeString:
    """The chart as one <svg> string, built in Python (a template loop over 24 stacked bars
    costs more than the rest of the page). Every text is escaped."""
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{svg_id}-title {svg_id}-desc" '
        f'viewBox="0 0 {chart.width} {chart.height}" width="{chart.width}" '
        f'height="{chart.height}"><title id="{svg_id}-title">{escape(title)}</title>'
        f'<desc id="{svg_id}-desc">{escape(description)}</desc>'
    ]
    for value, y in chart.gridlines:
        parts.append(
            f'<line class="axis" x1="28" x2="{chart.width}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke-dasharray="2 3"/><text x="2" y="{_n(y)}" dy="3">{value}</text>'
        )
    parts.append(
        f'<line class="axis" x1="28" x2="{chart.width}" y1="{_n(chart.baseline)}" '
        f'y2="{_n(chart.baseline)}"/>'
    )
    for bar in chart.bars:
        rects = "".join(
            f'<rect x="{_n(bar.x)}" y="{_n(s.y)}" width="{_n(bar.width)}" '
            f'height="{_n(s.height)}" fill="{s.fill}"/>'
            for s in bar.segments
        )
        parts.append(f"<g><title>{escape(bar.title)}</title>{rects}</g>")
        if bar.tick:
            parts.append(
                f'<text x="{_n(bar.x)}" y="{chart.height}" dy="-6">{escape(bar.tick)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or a number
