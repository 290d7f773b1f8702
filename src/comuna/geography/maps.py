"""An inline SVG map of Venezuela's states, small enough for slow phones.

The projection is equirectangular, scaled by the cosine of Venezuela's mean latitude so that
shapes look right, into a fixed viewBox: other modules call `project(lon, lat)` to put their
own marks (communes, services) on the same map, and `state_map(...)` to get what the
template `geography/_map.html` draws.

Path strings are compact: one absolute move per ring, then relative moves with 1 decimal in
map units (a map unit is 1/50 of a degree, about 2.2 km; a tenth is about 220 m, finer than
the outlines' own simplification), no repeated command letters, no closing point.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from comuna.geography.models import State

# The frame of the map, in degrees, with a margin around the outlines
# (which span lon -73.37 .. -59.74, lat 0.64 .. 12.2).
WEST, EAST, SOUTH, NORTH = -73.6, -59.5, 0.4, 12.5
SCALE = 50.0  # map units per degree of latitude
X_FACTOR = math.cos(math.radians((SOUTH + NORTH) / 2))
WIDTH = round((EAST - WEST) * X_FACTOR * SCALE)
HEIGHT = round((NORTH - SOUTH) * SCALE)
VIEW_BOX = f"0 0 {WIDTH} {HEIGHT}"
TENTHS = 10  # path coordinates are kept in tenths of a map unit


@dataclass(frozen=True)
class StatePath:
    code: str
    name: str
    slug: str
    d: str


@dataclass(frozen=True)
class MapState:
    code: str
    name: str
    slug: str
    d: str
    current: bool


@dataclass(frozen=True)
class Dot:
    """A mark on the map: `x`, `y` in map units (from `project`), a label for its <title>,
    an optional link and the CSS classes ("dot", "dot lonely")."""

    x: float
    y: float
    label: str
    url: str = ""
    css: str = "dot"
    radius: float = 3.0


@dataclass(frozen=True)
class StateMap:
    view_box: str
    width: int
    height: int
    states: list[MapState]
    dots: list[Dot] = field(default_factory=list)


_lock = threading.Lock()
_paths: list[StatePath] | None = None


def clear_caches() -> None:
    global _paths
    with _lock:
        _paths = None


def project(lon: float, lat: float) -> tuple[float, float]:
    """Map units (x to the east, y to the south) of a WGS84 point, rounded to 1 decimal."""
    x = (lon - WEST) * X_FACTOR * SCALE
    y = (NORTH - lat) * SCALE
    return (round(x, 1), round(y, 1))


def dot(
    lon: float, lat: float, label: str, *, url: str = "", css: str = "dot", radius: float = 3.0
) -> Dot:
    x, y = project(lon, lat)
    return Dot(x=x, y=y, label=label, url=url, css=css, radius=radius)


def _number(tenths: int) -> str:
    whole, tenth = divmod(abs(tenths), TENTHS)
    sign = "-" if tenths < 0 else ""
    if tenth == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{tenth}"


def _join(numbers: Iterable[str]) -> str:
    out: list[str] = []
    for number in numbers:
        if out and not number.startswith("-"):
            out.append(" ")
        out.append(number)
    return "".join(out)


def _ring(coordinates: Sequence[Sequence[float]]) -> str:
    points: list[tuple[int, int]] = []
    for lon, lat, *_rest in coordinates:
        x, y = project(lon, lat)
        point = (round(x * TENTHS), round(y * TENTHS))
        if not points or point != points[-1]:
            points.append(point)
    if len(points) > 1 and points[-1] == points[0]:
        points.pop()
    if len(points) < 3:
        return ""
    (x0, y0), rest = points[0], points[1:]
    deltas: list[str] = []
    previous = points[0]
    for point in rest:
        deltas += [_number(point[0] - previous[0]), _number(point[1] - previous[1])]
        previous = point
    return f"M{_join([_number(x0), _number(y0)])}l{_join(deltas)}z"


def path_d(geometry: dict[str, Any] | None) -> str:
    """The SVG path data of a GeoJSON Polygon or MultiPolygon (anything else gives "")."""
    if not isinstance(geometry, dict):
        return ""
    if geometry.get("type") == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return ""
    return "".join(_ring(ring) for polygon in polygons for ring in polygon)


def state_paths() -> list[StatePath]:
    """(code, name, slug, d) of every state with an outline, by name. One query, then
    cached in the process until the geography is loaded again."""
    global _paths
    cached = _paths
    if cached is not None:
        return cached
    rows = State.objects.filter(outline__isnull=False).order_by("search_name", "code")
    paths = [
        StatePath(code=code, name=name, slug=slug, d=path_d(outline))
        for code, name, slug, outline in rows.values_list("code", "name", "slug", "outline")
    ]
    if paths:
        with _lock:
            _paths = paths
    return paths


def state_map(*, current: str | None = None, dots: Sequence[Dot] = ()) -> StateMap:
    """What `geography/_map.html` draws: every state (the one with code `current`
    highlighted) and the given dots."""
    return StateMap(
        view_box=VIEW_BOX,
        width=WIDTH,
        height=HEIGHT,
        states=[
            MapState(code=p.code, name=p.name, slug=p.slug, d=p.d, current=p.code == current)
            for p in state_paths()
        ],
        dots=list(dots),
    )


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def render_svg(
    state_map: StateMap,
    *,
    title: str,
    state_href: Callable[[MapState], str],
    edges: Sequence[tuple[float, float, float, float]] = (),
    svg_id: str = "map",
) -> SafeString:
    """The whole <svg> as one string, built in Python: a map with hundreds of marks renders in
    a fraction of a millisecond, where a template loop takes tens. Every text is escaped."""
    parts = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="{state_map.view_box}" '
        f'width="{state_map.width}" height="{state_map.height}" role="group" '
        f'aria-labelledby="{svg_id}-title"><title id="{svg_id}-title">{escape(title)}</title>'
    ]
    for s in state_map.states:
        name = escape(s.name)
        current = ' aria-current="page"' if s.current else ""
        css = "state current" if s.current else "state"
        parts.append(
            f'<a href="{escape(state_href(s))}" aria-label="{name}"{current}>'
            f'<path class="{css}" d="{s.d}"><title>{name}</title></path></a>'
        )
    parts.extend(
        f'<line class="edge" x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}"/>'
        for x1, y1, x2, y2 in edges
    )
    for d in state_map.dots:
        label = escape(d.label)
        circle = (
            f'<circle class="{escape(d.css)}" cx="{_fmt(d.x)}" cy="{_fmt(d.y)}" '
            f'r="{_fmt(d.radius)}"><title>{label}</title></circle>'
        )
        if d.url:
            circle = f'<a href="{escape(d.url)}" aria-label="{label}">{circle}</a>'
        parts.append(circle)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
