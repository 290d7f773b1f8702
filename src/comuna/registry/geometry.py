"""Checking the territories and points of units (shapely; GeoJSON RFC 7946)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.validation import make_valid

from comuna.core.errors import DomainError

# Venezuela's extent with a margin (the islands included).
WEST, SOUTH, EAST, NORTH = -74.0, 0.0, -59.0, 16.0
TOLERANCE = 0.05


@dataclass(frozen=True)
class Territory:
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]
    representative: tuple[float, float]


def check_territory(data: dict[str, Any]) -> Territory:
    """A valid Polygon or MultiPolygon in Venezuela, repaired with make_valid if needed."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry") or {}
    if not isinstance(data, dict) or data.get("type") not in {"Polygon", "MultiPolygon"}:
        raise DomainError(
            _("The territory must be a GeoJSON Polygon or MultiPolygon."),
            fields={"territory": [_("Not a GeoJSON Polygon or MultiPolygon.")]},
        )
    try:
        geom = shape(data)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        raise DomainError(
            _("The territory's coordinates cannot be read."),
            fields={"territory": [_("Malformed coordinates.")]},
        ) from None
    if geom.is_empty:
        raise DomainError(_("The territory is empty."), fields={"territory": [_("No area.")]})
    if not geom.is_valid:
        geom = make_valid(geom)
        if geom.geom_type == "GeometryCollection":
            polys = [g for g in geom.geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
            if not polys:
                raise DomainError(
                    _("The territory has no area."), fields={"territory": [_("No area.")]}
                )
            from shapely.ops import unary_union

            geom = unary_union(polys)
    if geom.area <= 0:
        raise DomainError(_("The territory has no area."), fields={"territory": [_("No area.")]})
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if min_lon < WEST or max_lon > EAST or min_lat < SOUTH or max_lat > NORTH:
        raise DomainError(
            _(
                "The territory lies outside Venezuela: check that coordinates are longitude, "
                "latitude."
            ),
            fields={"territory": [_("Outside Venezuela.")]},
        )
    point = geom.representative_point()
    return Territory(
        geometry=dict(mapping(geom)),
        bbox=(min_lon, min_lat, max_lon, max_lat),
        representative=(round(point.x, 6), round(point.y, 6)),
    )


def check_point(lon: float, lat: float, *, state_code: str | None = None) -> None:
    if not (WEST <= lon <= EAST and SOUTH <= lat <= NORTH):
        raise DomainError(
            _("The point lies outside Venezuela: check that it is longitude, latitude."),
            fields={"lon": [_("Outside Venezuela.")], "lat": [_("Outside Venezuela.")]},
        )
    if state_code is None:
        return
    from comuna.geography.queries import locate_code

    found = locate_code(lon, lat)
    if found is None or found == state_code:
        return
    # The shipped outlines are simplified: near a border, accept a point that lies within
    # TOLERANCE degrees (about 5 km) of the parish's state.
    from shapely.geometry import Point

    from comuna.geography.models import State

    outline = State.objects.filter(code=state_code).values_list("outline", flat=True).first()
    if outline and shape(outline).distance(Point(lon, lat)) <= TOLERANCE:
        return
    raise DomainError(
        _("The point lies in another state (%(found)s), not in the parish's state.")
        % {"found": found},
        fields={"lon": [_("Not in the parish's state.")]},
    )
