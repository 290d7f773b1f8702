"""Reads of the geography module. Geography is public reference data: no user scoping.

Lists leave out the state outlines (large JSON); the outlines are read once per process into
the caches below, which `geography_load` clears.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from shapely import STRtree
from shapely.geometry import Point, shape

from comuna.geography.models import Municipality, Parish, State, search_key


class StateCounts(TypedDict):
    municipality_count: int
    parish_count: int


class ParishCount(TypedDict):
    parish_count: int


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    StateWithCounts = WithAnnotations[State, StateCounts]
    MunicipalityWithCount = WithAnnotations[Municipality, ParishCount]

STATE_CODE = re.compile(r"^VE-[A-Z]$", re.IGNORECASE)
# A point outside every (simplified) outline but closer than this to one, in degrees (about
# 5.5 km), is placed in the nearest state: coasts and borders lose detail when simplified.
NEAR_DEGREES = 0.05

_lock = threading.Lock()


@dataclass(frozen=True)
class _OutlineIndex:
    tree: STRtree
    codes: list[str]


_index: _OutlineIndex | None = None
_feature_collection: dict[str, Any] | None = None


def clear_caches() -> None:
    global _index, _feature_collection
    with _lock:
        _index = None
        _feature_collection = None


def states_list() -> QuerySet[StateWithCounts]:
    """Every state with `municipality_count` and `parish_count`, in one query."""
    return (
        State.objects.defer("outline")
        .annotate(
            municipality_count=Count("municipalities", distinct=True),
            parish_count=Count("municipalities__parishes"),
        )
        .order_by("search_name", "name")
    )


def state_choices() -> list[tuple[str, str]]:
    """(slug, name) of every state, by name: the choices of a state filter."""
    return list(State.objects.order_by("search_name", "name").values_list("slug", "name"))


def state_get(key: str) -> StateWithCounts:
    """The state with this ISO code ("VE-K", any case) or slug ("lara"), with its counts,
    or 404."""
    lookup = {"code": key.upper()} if STATE_CODE.match(key) else {"slug": key}
    return get_object_or_404(states_list(), **lookup)


def municipalities_of(*, state: State) -> QuerySet[MunicipalityWithCount]:
    """The municipalities of a state with `parish_count`, in one query."""
    return (
        Municipality.objects.filter(state=state)
        .annotate(parish_count=Count("parishes"))
        .order_by("search_name", "name")
    )


def municipality_get(
    *, code: str | None = None, state: str | None = None, slug: str | None = None
) -> MunicipalityWithCount:
    """A municipality by its code, or by its state's slug or code and its own slug, with its
    state and `parish_count`; or 404."""
    queryset = (
        Municipality.objects.select_related("state")
        .defer("state__outline")
        .annotate(parish_count=Count("parishes"))
    )
    if code is not None:
        return get_object_or_404(queryset, code=code.upper())
    if state is None or slug is None:
        raise ValueError("municipality_get needs a code, or a state and a slug.")
    state_lookup = Q(state__code=state.upper()) if STATE_CODE.match(state) else Q(state__slug=state)
    return get_object_or_404(queryset.filter(state_lookup), slug=slug)


def parishes_of(*, municipality: Municipality) -> QuerySet[Parish]:
    return Parish.objects.filter(municipality=municipality).order_by("search_name", "name")


def parish_get(*, code: str) -> Parish:
    return get_object_or_404(
        Parish.objects.select_related("municipality__state").defer("municipality__state__outline"),
        code=code.upper(),
    )


def parish_search(
    *, q: str = "", state: str | None = None, municipality: str | None = None
) -> QuerySet[Parish]:
    """Parishes whose name contains every word of `q`, ignoring case and accents ("merida"
    finds "Mérida"), optionally within a state (code or slug) or a municipality (code);
    ordered by name, with municipality and state."""
    queryset = Parish.objects.select_related("municipality__state").defer(
        "municipality__state__outline"
    )
    for word in search_key(q).split():
        queryset = queryset.filter(search_name__contains=word)
    if state:
        queryset = queryset.filter(
            Q(municipality__state__code=state.upper())
            if STATE_CODE.match(state)
            else Q(municipality__state__slug=state)
        )
    if municipality:
        queryset = queryset.filter(municipality__code=municipality.upper())
    return queryset.order_by("search_name", "municipality__state__search_name", "code")


def _outline_rows() -> list[tuple[str, str, Any]]:
    rows = State.objects.filter(outline__isnull=False).order_by("code")
    return list(rows.values_list("code", "name", "outline"))


def outlines_feature_collection() -> dict[str, Any]:
    """The state outlines as an RFC 7946 FeatureCollection (properties `code` and `name`),
    sorted by code. Cached; do not modify the result."""
    global _feature_collection
    cached = _feature_collection
    if cached is not None:
        return cached
    features = [
        {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": outline}
        for code, name, outline in _outline_rows()
    ]
    collection = {"type": "FeatureCollection", "features": features}
    if features:
        with _lock:
            _feature_collection = collection
    return collection


def _outline_index() -> _OutlineIndex | None:
    global _index
    cached = _index
    if cached is not None:
        return cached
    rows = _outline_rows()
    if not rows:
        return None
    index = _OutlineIndex(
        tree=STRtree([shape(outline) for _code, _name, outline in rows]),
        codes=[code for code, _name, _outline in rows],
    )
    with _lock:
        _index = index
    return index


def locate_code(lon: float, lat: float) -> str | None:
    """The ISO code of the state containing the point (WGS84), or of the nearest state within
    NEAR_DEGREES; None if there is none (the sea, another country). No query once cached."""
    index = _outline_index()
    if index is None:
        return None
    point = Point(lon, lat)
    hits = sorted(int(i) for i in index.tree.query(point, predicate="intersects"))
    if not hits:
        nearest = index.tree.query_nearest(point, max_distance=NEAR_DEGREES)
        hits = sorted(int(i) for i in nearest)
    return index.codes[hits[0]] if hits else None


def locate(lon: float, lat: float) -> State | None:
    """The state containing the point (see `locate_code`), or None."""
    code = locate_code(lon, lat)
    if code is None:
        return None
    return State.objects.defer("outline").filter(code=code).first()
