"""Server-rendered SVG (no JavaScript): the monthly trend of reports (opened and closed per
month, side by side) and a small map of points (reports in the inbox, an asset) over the
states' outlines, each point a link."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from comuna.public_services import tapmap

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 360, 160, 30, 24, 10
OPENED, CLOSED = "#b07400", "#1e6b34"


def _nice_top(value: int) -> int:
    scale = 1
    while True:
        for step in (1, 2, 5):
            if step * scale >= value:
                return step * scale
        scale *= 10


def month_bars(months: Sequence[tuple[date, int, int]]) -> SafeString | None:
    """Two bars per month: reports opened and closed. None when there is nothing to show."""
    if not months or not any(opened or closed for _m, opened, closed in months):
        return None
    top = _nice_top(max(max(o, c) for _m, o, c in months))
    plot_w, plot_h = WIDTH - LEFT - 4, HEIGHT - BOTTOM - TOP
    step = plot_w / len(months)
    bar = max(2.0, step * 0.35)
    base = TOP + plot_h
    title = _("Reports opened and closed per month")
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="trend-title"><title id="trend-title">{escape(title)}</title>',
        f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - 4}" y2="{base}" stroke="#999"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="10">{top}</text>',
        f'<text x="{LEFT - 4}" y="{base}" text-anchor="end" font-size="10">0</text>',
    ]
    for i, (month, opened, closed) in enumerate(months):
        x = LEFT + i * step + step * 0.1
        label = month.strftime("%m/%Y")
        for offset, value, fill, name in (
            (0.0, opened, OPENED, pgettext("reports", "opened")),
            (bar, closed, CLOSED, pgettext("reports", "closed")),
        ):
            h = plot_h * value / top
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{fill}"><title>{escape(label)}: {value} {escape(name)}</title></rect>'
            )
        if i % 3 == 0:
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="9">'
                f"{escape(month.strftime('%m/%y'))}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or a number


def points_map(
    points: Sequence[tuple[float, float, str, str, bool]], title: str
) -> SafeString | None:
    """(lon, lat, label, url, highlighted) points on a window that holds them all."""
    if not points:
        return None
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    lon, lat = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    span = max(max(lats) - min(lats), (max(lons) - min(lons)) * 0.99, 0.005) * 1.3
    win = tapmap.window(lon, lat, span)
    svg = tapmap.render(win, None, title)
    marks = []
    for x_lon, y_lat, label, url, hot in points:
        x, y = win.to_pixel(x_lon, y_lat)
        circle = (
            f'<circle cx="{x}" cy="{y}" r="6" fill="{"#c0392b" if hot else "#e67e22"}" '
            f'stroke="#fff" stroke-width="1.5"><title>{escape(label)}</title></circle>'
        )
        marks.append(
            f'<a href="{escape(url)}" aria-label="{escape(label)}">{circle}</a>' if url else circle
        )
    svg = svg.replace("<svg ", '<svg class="pointmap" ', 1).replace(
        "</svg>", "".join(marks) + "</svg>"
    )
    svg = svg.replace('role="img"', 'role="group"', 1)
    return mark_safe(svg)  # noqa: S308 - built from escaped values
