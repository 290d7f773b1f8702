"""A map that can be tapped without JavaScript.

The report form shows the map as `<input type="image">`: a tap submits the form with the
tap's x and y in the image's pixels. The image is an SVG drawn here for a square window
around a centre (`span` degrees of latitude high; longitude scaled by the cosine of the
latitude so that shapes look right), at a fixed size of SIZE x SIZE pixels (the page does
not scale it, so the pixels of the tap are the pixels of the drawing). On it: the outlines
of the states, communes and councils (dots, named when the window is small), assets
(squares) and the chosen point.

Each tap zooms in around the tapped place (ZOOM times) until the window is about a
kilometre wide; the tapped place is the report's point at every step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from shapely.geometry import box, shape

from comuna.geography.models import State
from comuna.public_services.models import Asset
from comuna.registry.models import CommunalCouncil, Commune

SIZE = 320
ZOOM = 6.0
MIN_SPAN = 0.01
MAX_SPAN = 12.0
COUNTRY = (-66.3, 7.0, 12.0)  # centre lon, lat and span of the whole country
LABEL_SPAN = 0.3
COUNCIL_SPAN = 1.5
MAX_DOTS = 400


@dataclass(frozen=True)
class Window:
    lon: float
    lat: float
    span: float

    @property
    def lon_span(self) -> float:
        return self.span / max(math.cos(math.radians(self.lat)), 0.2)

    @property
    def west(self) -> float:
        return self.lon - self.lon_span / 2

    @property
    def north(self) -> float:
        return self.lat + self.span / 2

    def to_pixel(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.west) / self.lon_span * SIZE
        y = (self.north - lat) / self.span * SIZE
        return round(x, 1), round(y, 1)

    def to_point(self, x: float, y: float) -> tuple[float, float]:
        """(lon, lat) of a tap at pixel (x, y)."""
        x = min(max(x, 0.0), SIZE)
        y = min(max(y, 0.0), SIZE)
        lon = self.west + x / SIZE * self.lon_span
        lat = self.north - y / SIZE * self.span
        return round(lon, 6), round(lat, 6)

    def zoomed(self, lon: float, lat: float) -> Window:
        return Window(lon, lat, max(MIN_SPAN, self.span / ZOOM))


def window(lon: float | None, lat: float | None, span: float | None) -> Window:
    """A sane window from request values (the whole country when they are missing)."""
    if lon is None or lat is None or not (math.isfinite(lon) and math.isfinite(lat)):
        return Window(*COUNTRY)
    s = span if span is not None and math.isfinite(span) else MAX_SPAN
    return Window(
        min(max(lon, -74.0), -59.0), min(max(lat, 0.0), 16.0), min(max(s, MIN_SPAN), MAX_SPAN)
    )


def _ring(win: Window, coords: list[list[float]]) -> str:
    points = [win.to_pixel(x, y) for x, y, *_rest in coords]
    if len(points) < 3:
        return ""
    head, *rest = points
    return f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in rest) + "Z"


def _state_paths(win: Window) -> list[str]:
    frame = box(win.west, win.north - win.span, win.west + win.lon_span, win.north)
    paths: list[str] = []
    for outline in State.objects.filter(
        outline__isnull=False,
        min_lon__lte=frame.bounds[2],
        max_lon__gte=frame.bounds[0],
        min_lat__lte=frame.bounds[3],
        max_lat__gte=frame.bounds[1],
    ).values_list("outline", flat=True):
        geom = shape(outline).intersection(frame.buffer(win.span * 0.05))
        polygons = getattr(geom, "geoms", [geom])
        for polygon in polygons:
            if polygon.geom_type != "Polygon" or polygon.is_empty:
                continue
            paths.append(_ring(win, [list(c) for c in polygon.exterior.coords]))
    return paths


def _in_window(win: Window) -> dict[str, tuple[float, float]]:
    return {
        "lon__range": (win.west, win.west + win.lon_span),
        "lat__range": (win.north - win.span, win.north),
    }


def render(win: Window, marker: tuple[float, float] | None = None, title: str = "") -> str:
    """The SVG document of the window."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img"><title>{escape(title)}</title>'
        f'<rect width="{SIZE}" height="{SIZE}" fill="#e8f1f8"/>'
    ]
    parts.extend(
        f'<path d="{d}" fill="#f6f3e8" stroke="#9a9178" stroke-width="1"/>'
        for d in _state_paths(win)
        if d
    )
    step = SIZE / 8
    parts.extend(
        f'<path d="M{i * step:.0f} 0V{SIZE}M0 {i * step:.0f}H{SIZE}" stroke="#c9d6df" '
        'stroke-width="0.5"/>'
        for i in range(1, 8)
    )
    labels = win.span <= LABEL_SPAN
    # Councils only once the window is a region (the country would be a cloud of dots).
    rows = (
        list(
            CommunalCouncil.objects.filter(lon__isnull=False, lat__isnull=False, **_in_window(win))
            .order_by("pk")
            .values_list("lon", "lat", "name")[:MAX_DOTS]
        )
        if win.span <= COUNCIL_SPAN
        else []
    )
    for lon, lat, name in rows:
        if lon is None or lat is None:
            continue
        x, y = win.to_pixel(lon, lat)
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="2.5" fill="#6b7f8c">'
            f"<title>{escape(name)}</title></circle>"
        )
    for lon, lat, name in (
        Commune.objects.filter(lon__isnull=False, lat__isnull=False, **_in_window(win))
        .order_by("pk")
        .values_list("lon", "lat", "name")[:MAX_DOTS]
    ):
        if lon is None or lat is None:
            continue
        x, y = win.to_pixel(lon, lat)
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="4" fill="#1d5b79"><title>{escape(name)}</title></circle>'
        )
        if labels:
            parts.append(
                f'<text x="{x + 6}" y="{y + 4}" font-size="11" fill="#123">{escape(name)}</text>'
            )
    if win.span <= 0.2:
        for lon, lat, name in (
            Asset.objects.filter(
                archived_at__isnull=True,
                longitude__range=(win.west, win.west + win.lon_span),
                latitude__range=(win.north - win.span, win.north),
            )
            .order_by("pk")
            .values_list("longitude", "latitude", "name")[:MAX_DOTS]
        ):
            x, y = win.to_pixel(lon, lat)
            parts.append(
                f'<rect x="{x - 2.5}" y="{y - 2.5}" width="5" height="5" fill="#2a7a3b">'
                f"<title>{escape(name)}</title></rect>"
            )
    if marker is not None:
        x, y = win.to_pixel(*marker)
        parts.append(
            f'<path d="M{x} {y}l-7 -16a8 8 0 1 1 14 0z" fill="#c0392b" stroke="#fff" '
            'stroke-width="1.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)
