"""Where a report goes, and the geometry of assets.

The commune for a point (WGS84 longitude, latitude):

1. the commune whose territory holds the point (or whose council's territory holds it);
2. else the nearest commune seat within `SEAT_KM` (5 km);
3. else the parish queue: the parish of the nearest registered commune or council in the
   state that holds the point (network coordinators sort that queue out).

Distances are great-circle (engines.geo.haversine_km); territories are tested with shapely
after a bounding-box filter in the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from shapely.errors import ShapelyError
from shapely.geometry import LineString, Point, shape

from comuna.core.errors import DomainError
from comuna.engines.geo import haversine_km
from comuna.geography.models import Parish
from comuna.geography.queries import locate_code
from comuna.registry.geometry import EAST, NORTH, SOUTH, WEST
from comuna.registry.models import CommunalCouncil, Commune

SEAT_KM = 5.0
PARISH_SEARCH_DEGREES = 0.5


@dataclass(frozen=True)
class Destination:
    commune_id: int | None
    parish_id: int | None
    routing: str  # a Routing value
    distance_km: float | None = None


def check_point(lon: Any, lat: Any, field: str = "location") -> tuple[float, float]:
    """(lon, lat) as floats inside Venezuela, or DomainError naming the field."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        message = _("Give the place as latitude and longitude in decimal degrees.")
        raise DomainError(message, code="bad_location", fields={field: [message]}) from None
    if not (math.isfinite(x) and math.isfinite(y)) or not (
        WEST <= x <= EAST and SOUTH <= y <= NORTH
    ):
        message = _("The place lies outside Venezuela: check the latitude and longitude.")
        raise DomainError(message, code="bad_location", fields={field: [message]})
    return x, y


def _bbox_holds(lon: float, lat: float) -> dict[str, float]:
    return {
        "min_lon__lte": lon,
        "max_lon__gte": lon,
        "min_lat__lte": lat,
        "max_lat__gte": lat,
    }


def _degrees_for_km(km: float, lat: float) -> tuple[float, float]:
    dlat = km / 111.2
    dlon = km / (111.2 * max(math.cos(math.radians(lat)), 0.01))
    return dlon, dlat


def route_point(lon: float, lat: float) -> Destination:
    """Where a report at (lon, lat) goes (see the module docstring). A few small queries."""
    point = Point(lon, lat)
    for pk, territory in (
        Commune.objects.filter(territory__isnull=False, **_bbox_holds(lon, lat))
        .order_by("pk")
        .values_list("pk", "territory")
    ):
        if shape(territory).covers(point):
            return Destination(pk, None, "territory")
    for commune_id, territory in (
        CommunalCouncil.objects.filter(
            territory__isnull=False, commune__isnull=False, **_bbox_holds(lon, lat)
        )
        .order_by("pk")
        .values_list("commune_id", "territory")
    ):
        if shape(territory).covers(point):
            return Destination(commune_id, None, "council")
    dlon, dlat = _degrees_for_km(SEAT_KM, lat)
    best: tuple[float, int] | None = None
    for pk, seat_lon, seat_lat in Commune.objects.filter(
        lon__isnull=False,
        lat__isnull=False,
        lon__range=(lon - dlon, lon + dlon),
        lat__range=(lat - dlat, lat + dlat),
    ).values_list("pk", "lon", "lat"):
        if seat_lon is None or seat_lat is None:
            continue
        km = haversine_km(lat, lon, seat_lat, seat_lon)
        if km <= SEAT_KM and (best is None or (km, pk) < best):
            best = (km, pk)
    if best is not None:
        return Destination(best[1], None, "seat", round(best[0], 3))
    return Destination(None, nearest_parish(lon, lat), "parish")


def nearest_parish(lon: float, lat: float) -> int | None:
    """The parish of the nearest commune or council in the point's state, if any."""
    state = locate_code(lon, lat)
    if state is None:
        return None
    best: tuple[float, int] | None = None
    for degrees in (PARISH_SEARCH_DEGREES, 20.0):
        for model in (Commune, CommunalCouncil):
            rows = model.objects.filter(
                state__code=state,
                lon__isnull=False,
                lat__isnull=False,
                lon__range=(lon - degrees, lon + degrees),
                lat__range=(lat - degrees, lat + degrees),
            ).values_list("parish_id", "lon", "lat")
            for parish_id, other_lon, other_lat in rows:
                if other_lon is None or other_lat is None:
                    continue
                km = haversine_km(lat, lon, other_lat, other_lon)
                if best is None or (km, parish_id) < best:
                    best = (km, parish_id)
        if best is not None:
            return best[1]
    fallback: int | None = (
        Parish.objects.filter(municipality__state__code=state)
        .order_by("code")
        .values_list("pk", flat=True)
        .first()
    )
    return fallback


# Asset geometry -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetGeometry:
    geometry: dict[str, Any]
    longitude: float
    latitude: float
    bbox: tuple[float, float, float, float]


def check_asset_geometry(data: Any, field: str = "geometry") -> AssetGeometry:
    """A GeoJSON Point or LineString (a Feature's geometry is taken) inside Venezuela."""
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in {"Point", "LineString"}:
        message = _("The geometry must be a GeoJSON Point or LineString.")
        raise DomainError(message, code="bad_geometry", fields={field: [message]})
    try:
        geom = shape(data)
        coords = [(float(x), float(y)) for x, y, *_rest in geom.coords]
    except (TypeError, ValueError, AttributeError, IndexError, KeyError, ShapelyError):
        message = _("The geometry's coordinates cannot be read.")
        raise DomainError(message, code="bad_geometry", fields={field: [message]}) from None
    if not coords or (data["type"] == "LineString" and len(coords) < 2):
        message = _("A line needs at least two points.")
        raise DomainError(message, code="bad_geometry", fields={field: [message]})
    for x, y in coords:
        if not (
            math.isfinite(x) and math.isfinite(y) and WEST <= x <= EAST and SOUTH <= y <= NORTH
        ):
            message = _("The geometry lies outside Venezuela: coordinates are longitude, latitude.")
            raise DomainError(message, code="bad_geometry", fields={field: [message]})
    if data["type"] == "Point":
        x, y = coords[0]
        clean: dict[str, Any] = {"type": "Point", "coordinates": [round(x, 7), round(y, 7)]}
        return AssetGeometry(clean, round(x, 7), round(y, 7), (x, y, x, y))
    line = LineString(coords)
    middle = line.interpolate(0.5, normalized=True)
    clean = {"type": "LineString", "coordinates": [[round(x, 7), round(y, 7)] for x, y in coords]}
    return AssetGeometry(clean, round(middle.x, 7), round(middle.y, 7), line.bounds)
