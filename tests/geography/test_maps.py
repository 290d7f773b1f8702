"""The inline SVG map: projection, compact paths, cached state paths."""

from __future__ import annotations

import math
from typing import Any

import pytest
from shapely.geometry import Point, Polygon, shape

from comuna.geography import maps
from comuna.geography.actions import LoadResult
from comuna.geography.models import State, search_key


def test_the_projection_maps_the_frame_onto_the_view_box() -> None:
    assert maps.project(maps.WEST, maps.NORTH) == (0.0, 0.0)
    x, y = maps.project(maps.EAST, maps.SOUTH)
    assert abs(x - maps.WIDTH) <= 0.5
    assert abs(y - maps.HEIGHT) <= 0.5
    assert f"0 0 {maps.WIDTH} {maps.HEIGHT}" == maps.VIEW_BOX


def test_the_projection_scales_longitude_by_the_cosine_of_the_mean_latitude() -> None:
    x1, y1 = maps.project(-70.0, 8.0)
    x2, y2 = maps.project(-69.0, 7.0)
    assert y2 - y1 == pytest.approx(maps.SCALE, abs=0.1)
    mean_lat = (maps.SOUTH + maps.NORTH) / 2
    assert x2 - x1 == pytest.approx(maps.SCALE * math.cos(math.radians(mean_lat)), abs=0.1)


def test_every_place_in_venezuela_falls_inside_the_view_box() -> None:
    for lon, lat in [(-73.37, 0.64), (-59.74, 12.2), (-66.9, 10.5)]:
        x, y = maps.project(lon, lat)
        assert 0 < x < maps.WIDTH
        assert 0 < y < maps.HEIGHT


@pytest.mark.parametrize(
    ("tenths", "text"), [(0, "0"), (5, ".5"), (-5, "-.5"), (10, "1"), (-123, "-12.3"), (40, "4")]
)
def test_numbers_are_written_short(tenths: int, text: str) -> None:
    assert maps._number(tenths) == text


def square(west: float, south: float, side: float) -> list[list[float]]:
    return [
        [west, south],
        [west + side, south],
        [west + side, south + side],
        [west, south + side],
        [west, south],
    ]


def test_a_polygon_becomes_one_relative_path() -> None:
    d = maps.path_d({"type": "Polygon", "coordinates": [square(-70.0, 8.0, 1.0)]})
    x0, y0 = maps.project(-70.0, 8.0)
    dx = round(maps.project(-69.0, 8.0)[0] * 10) - round(x0 * 10)
    assert d.startswith(f"M{maps._number(round(x0 * 10))} {maps._number(round(y0 * 10))}l")
    assert d.endswith("z")
    assert d.count("M") == 1
    # Three relative moves (the closing point is left to "z"): east, north (-y), west.
    assert d.split("l")[1] == f"{maps._number(dx)} 0 0-50-{maps._number(dx)} 0z"


def test_a_multipolygon_has_one_subpath_per_ring_and_tiny_rings_vanish() -> None:
    geometry: dict[str, Any] = {
        "type": "MultiPolygon",
        "coordinates": [
            [square(-70.0, 8.0, 1.0)],
            [square(-65.0, 9.0, 0.5)],
            [square(-64.0, 10.0, 0.0001)],  # smaller than a tenth of a map unit
        ],
    }
    assert maps.path_d(geometry).count("M") == 2
    assert maps.path_d({"type": "Point", "coordinates": [-66.0, 10.0]}) == ""


def test_state_paths_cover_every_state_by_name_and_are_cached(
    geography: LoadResult, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        paths = maps.state_paths()
    assert len(paths) == 25
    assert [p.name for p in paths] == sorted((p.name for p in paths), key=search_key)
    assert all(p.d.startswith("M") and p.d.endswith("z") for p in paths)
    with django_assert_num_queries(0):
        assert maps.state_paths() == paths


def test_all_state_paths_together_stay_small(geography: LoadResult) -> None:
    assert sum(len(p.d) for p in maps.state_paths()) < 40_000


def test_the_map_highlights_the_current_state_and_carries_dots(geography: LoadResult) -> None:
    sarare = maps.dot(-69.16, 9.78, "Sarare", url="/x/")
    state_map = maps.state_map(current="VE-K", dots=[sarare])
    assert [s.code for s in state_map.states if s.current] == ["VE-K"]
    assert state_map.view_box == maps.VIEW_BOX
    assert (sarare.x, sarare.y) == maps.project(-69.16, 9.78)
    assert state_map.dots == [sarare]


def test_a_dot_for_a_place_lands_inside_its_state_path(geography: LoadResult) -> None:
    """Projecting the outline and the point the same way keeps the point inside."""
    lara = shape(State.objects.get(code="VE-K").outline)
    ring = [maps.project(lon, lat) for lon, lat in lara.exterior.coords]
    assert Polygon(ring).contains(Point(*maps.project(-69.16, 9.78)))
