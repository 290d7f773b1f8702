from __future__ import annotations

import math

import numpy as np
import pytest

from comuna.engines.geo import (
    EARTH_RADIUS_KM,
    haversine_km,
    haversine_km_matrix,
    haversine_km_pairs,
)

ONE_DEGREE_KM = EARTH_RADIUS_KM * math.pi / 180  # 111.19492664455873


def test_one_degree_along_a_meridian_or_the_equator_is_r_times_pi_over_180() -> None:
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(ONE_DEGREE_KM, rel=1e-12)
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(ONE_DEGREE_KM, rel=1e-12)
    assert haversine_km(10.0, -66.0, 11.0, -66.0) == pytest.approx(ONE_DEGREE_KM, rel=1e-12)


def test_it_is_zero_for_one_point_and_symmetric() -> None:
    assert haversine_km(10.5, -66.9, 10.5, -66.9) == 0.0
    a = haversine_km(10.49, -66.88, 10.65, -71.64)
    b = haversine_km(10.65, -71.64, 10.49, -66.88)
    assert a == pytest.approx(b, rel=1e-14)


def test_antipodes_are_half_a_great_circle_apart() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)
    assert haversine_km(90.0, 0.0, -90.0, 0.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_caracas_to_maracaibo_is_about_515_km() -> None:
    assert haversine_km(10.4806, -66.9036, 10.6427, -71.6125) == pytest.approx(515.0, abs=10)


def test_matrix_and_pairs_agree_with_the_scalar_formula() -> None:
    rng = np.random.default_rng(7)
    lat1, lon1 = rng.uniform(-80, 80, 40), rng.uniform(-180, 180, 40)
    lat2, lon2 = rng.uniform(-80, 80, 30), rng.uniform(-180, 180, 30)
    matrix = haversine_km_matrix(lat1, lon1, lat2, lon2)
    assert matrix.shape == (40, 30)
    for i in range(40):
        for j in range(30):
            expected = haversine_km(lat1[i], lon1[i], lat2[j], lon2[j])
            assert matrix[i, j] == pytest.approx(expected, abs=1e-9)
    pairs = haversine_km_pairs(lat1[:30], lon1[:30], lat2, lon2)
    for i in range(30):
        assert pairs[i] == pytest.approx(haversine_km(lat1[i], lon1[i], lat2[i], lon2[i]), abs=1e-9)
