"""Server-rendered SVG for schedules and routes (no JavaScript, no tiles).

- `commune_map`: a commune's councils as tappable cells (the Voronoi cells of their points,
  clipped around them), each a link to "what is planned for this council", and the drawn
  areas of sectors as outlined links to the sector. Works without JavaScript: a tap is a link.
- `route_map`: a plan's depot, stops and routes, one colour per route.
- `compliance_chart`: planned occurrences per week, split into kept, partly kept, not kept
  and not reported.

A local equirectangular projection (x scaled by the cosine of the latitude) fits the
features into a fixed width. Every text is escaped; colours are presentation attributes
(the Content-Security-Policy forbids style attributes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from shapely import voronoi_polygons
from shapely.geometry import MultiPoint, Point, box, shape
from shapely.geometry.base import BaseGeometry

WIDTH = 320
PALETTE = (
    "#1f6fb2",
    "#c0392b",
    "#1e6b34",
    "#8e44ad",
    "#b07400",
    "#16808a",
    "#7f5a2a",
    "#d35400",
)
CELL_FILLS = ("#e6efe6", "#e9e4f2", "#f4ead9", "#e3eef5", "#f2e3e3", "#eef2dc")


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class Frame:
    west: float
    south: float
    east: float
    north: float
    width: int
    height: int
    kx: float
    ky: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.west) * self.kx, (self.north - lat) * self.ky)


def frame_of(points: Sequence[tuple[float, float]], *, margin: float = 0.1) -> Frame:
    """A frame around (lon, lat) points with a margin (share of the extent, at least about
    500 m), WIDTH wide, as tall as the shape needs."""
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    pad_x = max((east - west) * margin, 0.005)
    pad_y = max((north - south) * margin, 0.005)
    west, east, south, north = west - pad_x, east + pad_x, south - pad_y, north + pad_y
    cos = math.cos(math.radians((south + north) / 2))
    span_x = (east - west) * cos
    span_y = north - south
    scale = WIDTH / span_x
    height = max(120, min(480, round(span_y * scale)))
    return Frame(west, south, east, north, WIDTH, height, scale * cos, height / span_y)


def _ring_d(frame: Frame, coords: Sequence[Sequence[float]]) -> str:
    pts = [frame.xy(c[0], c[1]) for c in coords]
    if len(pts) < 3:
        return ""
    return "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in pts) + "Z"


def geometry_d(frame: Frame, geometry: BaseGeometry | dict[str, Any]) -> str:
    geom = shape(geometry) if isinstance(geometry, dict) else geometry
    polys = list(getattr(geom, "geoms", [geom]))
    parts: list[str] = []
    for poly in polys:
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        parts.append(_ring_d(frame, list(poly.exterior.coords)))
        parts.extend(_ring_d(frame, list(ring.coords)) for ring in poly.interiors)
    return "".join(parts)


@dataclass(frozen=True)
class CouncilMark:
    pk: int
    name: str
    lon: float
    lat: float
    url: str
    current: bool = False


@dataclass(frozen=True)
class AreaMark:
    name: str
    area: dict[str, Any]
    url: str


def short_name(name: str) -> str:
    """ "Consejo Comunal Las Delicias" -> "Las Delicias"."""
    for prefix in ("Consejo Comunal ", "Consejo comunal ", "CC "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def council_cells(marks: Sequence[CouncilMark], bounds: BaseGeometry) -> dict[int, BaseGeometry]:
    """Each council's cell: the part of `bounds` nearer to it than to any other council."""
    if not marks:
        return {}
    if len(marks) == 1:
        return {marks[0].pk: bounds}
    points = MultiPoint([(m.lon, m.lat) for m in marks])
    cells = voronoi_polygons(points, extend_to=bounds)
    out: dict[int, BaseGeometry] = {}
    for cell in getattr(cells, "geoms", []):
        for mark in marks:
            if mark.pk not in out and cell.covers(Point(mark.lon, mark.lat)):
                out[mark.pk] = cell.intersection(bounds)
                break
    return out


def commune_map(
    *,
    title: str,
    councils: Sequence[CouncilMark],
    areas: Sequence[AreaMark] = (),
    seat: tuple[float, float] | None = None,
) -> SafeString | None:
    """The tappable map of a commune's councils and sectors' areas; None with nothing to draw."""
    places = [(m.lon, m.lat) for m in councils]
    for area in areas:
        minx, miny, maxx, maxy = shape(area.area).bounds
        places += [(minx, miny), (maxx, maxy)]
    if seat is not None and not places:
        places.append(seat)
    if not places:
        return None
    frame = frame_of(places, margin=0.15)
    bounds = box(frame.west, frame.south, frame.east, frame.north)
    cells = council_cells(councils, bounds)
    parts = [
        f'<svg class="map psmap" xmlns="http://www.w3.org/2000/svg" role="group" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}" aria-labelledby="psmap-title">'
        f'<title id="psmap-title">{escape(title)}</title>'
        f'<rect x="0" y="0" width="{frame.width}" height="{frame.height}" fill="#f7f5f0"/>'
    ]
    for index, mark in enumerate(councils):
        cell = cells.get(mark.pk)
        if cell is None or cell.is_empty:
            continue
        name = escape(mark.name)
        fill = "#ffe08a" if mark.current else CELL_FILLS[index % len(CELL_FILLS)]
        current = ' aria-current="true"' if mark.current else ""
        parts.append(
            f'<a href="{escape(mark.url)}" aria-label="{name}"{current}>'
            f'<path d="{geometry_d(frame, cell)}" fill="{fill}" stroke="#8a8272" '
            f'stroke-width="0.8"><title>{name}</title></path></a>'
        )
    for area in areas:
        name = escape(area.name)
        parts.append(
            f'<a href="{escape(area.url)}" aria-label="{name}">'
            f'<path d="{geometry_d(frame, area.area)}" fill="#1f6fb2" fill-opacity="0.12" '
            f'stroke="#1f6fb2" stroke-width="2"><title>{name}</title></path></a>'
        )
    for mark in councils:
        x, y = frame.xy(mark.lon, mark.lat)
        name = escape(mark.name)
        short = escape(short_name(mark.name))
        anchor = "end" if x > frame.width * 0.7 else "start"
        dx = -5 if anchor == "end" else 5
        parts.append(
            f'<a class="council" href="{escape(mark.url)}" aria-label="{name}">'
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="#5a5347"><title>{name}</title>'
            f'</circle><text x="{_n(x + dx)}" y="{_n(y + 3)}" text-anchor="{anchor}" '
            f'font-size="8">{short}</text></a>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True)
class RouteLine:
    number: int
    label: str
    points: list[tuple[float, float]]  # (lon, lat), depot to depot


@dataclass(frozen=True)
class StopMark:
    number: int
    name: str
    lon: float
    lat: float
    route: int | None  # the route number that serves it


def route_colour(number: int) -> str:
    return PALETTE[(number - 1) % len(PALETTE)]


def route_map(
    *,
    title: str,
    depot: tuple[float, float],
    depot_name: str,
    stops: Sequence[StopMark],
    routes: Sequence[RouteLine],
) -> SafeString:
    """The routes of a plan: a square for the depot, numbered dots for the stops, a coloured
    line per route (unsolved plans show the stops only)."""
    frame = frame_of([depot, *((s.lon, s.lat) for s in stops)])
    parts = [
        f'<svg class="map psroutes" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}" aria-labelledby="psroutes-title">'
        f'<title id="psroutes-title">{escape(title)}</title>'
        f'<rect x="0" y="0" width="{frame.width}" height="{frame.height}" fill="#f7f5f0"/>'
    ]
    for route in routes:
        pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in (frame.xy(*p) for p in route.points))
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{route_colour(route.number)}" '
            f'stroke-width="2" stroke-linejoin="round"><title>{escape(route.label)}</title>'
            "</polyline>"
        )
    for stop in stops:
        x, y = frame.xy(stop.lon, stop.lat)
        colour = route_colour(stop.route) if stop.route else "#5a5347"
        parts.append(
            f"<g><title>{stop.number}. {escape(stop.name)}</title>"
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="5" fill="#fff" stroke="{colour}" '
            f'stroke-width="2"/><text x="{_n(x)}" y="{_n(y + 3)}" text-anchor="middle" '
            f'font-size="7">{stop.number}</text></g>'
        )
    x, y = frame.xy(*depot)
    parts.append(
        f'<rect x="{_n(x - 5)}" y="{_n(y - 5)}" width="10" height="10" fill="#222">'
        f"<title>{escape(depot_name)}</title></rect></svg>"
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


KEPT, PARTIAL, NOT_KEPT, UNREPORTED = "#1e6b34", "#b07400", "#b03a2e", "#b8b2a7"


def compliance_chart(
    weeks: Sequence[Any], *, title: str, description: str, svg_id: str
) -> SafeString | None:
    """One stacked bar per week: kept, partly kept, not kept, not reported (of the planned).
    `weeks` are queries_operations.WeekCompliance; None when nothing was planned."""
    if not weeks or not any(w.planned for w in weeks):
        return None
    width, height, left, bottom, top = 320, 120, 24, 18, 6
    highest = max(max(w.planned, w.kept + w.partial + w.not_kept) for w in weeks)
    plot_w, plot_h = width - left - 4, height - bottom - top
    step = plot_w / len(weeks)
    bar_w = max(4.0, step * 0.7)
    base = top + plot_h
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{svg_id}-t {svg_id}-d" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f'<title id="{svg_id}-t">{escape(title)}</title><desc id="{svg_id}-d">'
        f"{escape(description)}</desc>"
        f'<line class="axis" x1="{left - 2}" x2="{width}" y1="{base}" y2="{base}"/>'
        f'<text x="2" y="{top + 6}">{highest}</text>'
    ]
    for i, week in enumerate(weeks):
        x = left + i * step + (step - bar_w) / 2
        y = float(base)
        unreported = max(0, week.planned - week.kept - week.partial - week.not_kept)
        rects = []
        for value, fill in (
            (week.kept, KEPT),
            (week.partial, PARTIAL),
            (week.not_kept, NOT_KEPT),
            (unreported, UNREPORTED),
        ):
            if value <= 0:
                continue
            h = plot_h * value / highest
            y -= h
            rects.append(
                f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(h)}" '
                f'fill="{fill}"/>'
            )
        label = week.week.strftime("%d/%m")
        parts.append(
            f"<g><title>{escape(label)}: {week.planned} · {week.kept} · {week.partial} · "
            f"{week.not_kept}</title>{''.join(rects)}</g>"
        )
        if i % 2 == 0:
            parts.append(f'<text x="{_n(x)}" y="{height - 4}">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
