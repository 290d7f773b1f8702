from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pytest

import comuna
from comuna.engines import allocation
from comuna.engines.allocation import (
    AllocationInputError,
    AllocationProblem,
    AllocationResult,
    Need,
    Offer,
    Site,
    cli,
    greedy_nearest_supplier,
    solve_allocation,
)
from comuna.engines.geo import EARTH_RADIUS_KM, haversine_km

# One degree of latitude on the 6371 km sphere: 111.19492664455873 km.
D = EARTH_RADIUS_KM * math.pi / 180

# Sites on the Greenwich meridian, one degree apart, so distances are multiples of D.
NORTH = Site("north", 1.0, 0.0)
ORIGIN = Site("origin", 0.0, 0.0)
SOUTH = Site("south", -1.0, 0.0)


def _by_pair(result: AllocationResult) -> dict[tuple[object, object], float]:
    return {(f.offer, f.need): f.quantity for f in result.flows}


def _reasons(result: AllocationResult) -> dict[object, tuple[float, str]]:
    return {u.need: (u.quantity, u.reason) for u in result.unmet}


# --------------------------------------------------------------------------------------------
# Hand-checked instances
# --------------------------------------------------------------------------------------------


def test_one_offer_serves_the_heavier_need_first() -> None:
    # 10 units at the origin; n1 (6 units, weight 5) one degree north, n2 (8 units, weight 2)
    # one degree south; cost 0.01 per unit-km, so each unit moved costs 0.01 * D = 1.1119.
    # Margins: n1 5 - 1.1119 = 3.888, n2 2 - 1.1119 = 0.888 -> n1 gets 6, n2 the other 4.
    # Objective = 6*5 + 4*2 - 0.01 * D * 10 = 38 - 11.119492664455873 = 26.880507335544127.
    problem = AllocationProblem(
        sites=(ORIGIN, NORTH, SOUTH),
        offers=(Offer("o", "origin", "maize seed", 10),),
        needs=(
            Need("n1", "north", "maize seed", 6, weight=5),
            Need("n2", "south", "maize seed", 8, weight=2),
        ),
        cost_per_unit_km=0.01,
    )
    result = solve_allocation(problem)
    assert result.status == "optimal"
    assert _by_pair(result) == {("o", "n1"): 6.0, ("o", "n2"): 4.0}
    assert result.objective == pytest.approx(26.880507335544127, rel=1e-12)
    assert _reasons(result) == {"n2": (4.0, "supply_exhausted")}
    assert result.upper_bound == pytest.approx(result.objective, rel=1e-9)
    # One more unit at the offer would go to n2: worth its margin 2 - 0.01 * D.
    (scarce,) = result.scarce_resources
    assert scarce.resource == "maize seed"
    assert scarce.shadow_price_max == pytest.approx(2 - 0.01 * D, rel=1e-9)
    assert scarce.unmet_quantity == 4.0


def test_needs_beyond_the_maximum_distance_are_too_far() -> None:
    # The only offer is D = 111.19 km away and the limit is 100 km: nothing moves.
    problem = AllocationProblem(
        sites=(ORIGIN, NORTH),
        offers=(Offer("o", "origin", "cement", 50),),
        needs=(Need("n", "north", "cement", 20, weight=9),),
        cost_per_unit_km=0.001,
        max_distance_km=100.0,
    )
    result = solve_allocation(problem)
    assert result.status == "optimal"
    assert result.flows == ()
    assert result.objective == 0.0
    assert _reasons(result) == {"n": (20.0, "too_far")}
    # With a 112 km limit the same need is served.
    wider = solve_allocation(
        AllocationProblem(problem.sites, problem.offers, problem.needs, 0.001, 112.0)
    )
    assert _by_pair(wider) == {("o", "n"): 20.0}


def test_a_need_whose_weight_does_not_cover_transport_is_not_worthwhile() -> None:
    # Moving a unit one degree costs 0.01 * D = 1.1119 > weight 1: shipping loses value.
    problem = AllocationProblem(
        sites=(ORIGIN, NORTH),
        offers=(Offer("o", "origin", "urea", 50),),
        needs=(Need("n", "north", "urea", 20, weight=1),),
        cost_per_unit_km=0.01,
    )
    result = solve_allocation(problem)
    assert result.flows == ()
    assert _reasons(result) == {"n": (20.0, "not_worthwhile")}
    assert greedy_nearest_supplier(problem).unmet == result.unmet


def test_no_supply_of_a_resource_means_no_supplier() -> None:
    problem = AllocationProblem(
        sites=(ORIGIN, NORTH),
        offers=(
            Offer("empty", "origin", "seed", 0),
            Offer("pipes", "origin", "pipe", 30),
        ),
        needs=(
            Need("wants-seed", "north", "seed", 5, weight=3),
            Need("wants-tools", "north", "hand tools", 2, weight=3),
            Need("wants-pipe", "north", "pipe", 10, weight=3),
            Need("wants-nothing", "north", "pipe", 0, weight=3),
        ),
        cost_per_unit_km=0.001,
    )
    result = solve_allocation(problem)
    assert result.status == "optimal"
    assert _reasons(result) == {
        "wants-seed": (5.0, "no_supplier"),
        "wants-tools": (2.0, "no_supplier"),
    }
    assert _by_pair(result) == {("pipes", "wants-pipe"): 10.0}
    # objective = 10 * 3 - 0.001 * 10 * D
    assert result.objective == pytest.approx(30 - 0.01 * D, rel=1e-12)


def test_supply_used_up_by_others_is_supply_exhausted() -> None:
    # Two equal needs share 6 units; whatever split, 4 units stay unmet and no offer is left.
    problem = AllocationProblem(
        sites=(ORIGIN, NORTH),
        offers=(Offer("o", "origin", "chicks", 6),),
        needs=(
            Need("a", "origin", "chicks", 5, weight=2),
            Need("b", "north", "chicks", 5, weight=2),
        ),
        cost_per_unit_km=0.001,
    )
    result = solve_allocation(problem)
    # The local need a is served first (margin 2 vs 2 - 0.001 * D); b gets the last unit.
    assert _by_pair(result) == {("o", "a"): 5.0, ("o", "b"): 1.0}
    assert _reasons(result) == {"b": (4.0, "supply_exhausted")}


def test_nothing_to_allocate_is_empty() -> None:
    no_offers = AllocationProblem(
        sites=(ORIGIN,), offers=(), needs=(Need("n", "origin", "milk", 3, 1),), cost_per_unit_km=0
    )
    result = solve_allocation(no_offers)
    assert result.status == "empty"
    assert _reasons(result) == {"n": (3.0, "no_supplier")}
    no_needs = AllocationProblem(
        sites=(ORIGIN,), offers=(Offer("o", "origin", "milk", 3),), needs=(), cost_per_unit_km=0
    )
    result = solve_allocation(no_needs)
    assert (result.status, result.objective, result.flows, result.unmet) == ("empty", 0.0, (), ())


def test_conflicting_priorities_are_resolved_globally_where_greedy_fails() -> None:
    # Offer X (10) at lat 0, offer Y (10) at lat 2. Need H (10 units, weight 10) at lat 0.5,
    # need L (10 units, weight 3) at lat -0.5. Limit 200 km: L reaches X (0.5 D = 55.6 km)
    # but not Y (2.5 D = 278 km); H reaches both (0.5 D and 1.5 D).
    # Greedy: H takes its nearest offer X, L finds X used up: 100 - 0.01*10*0.5*D = 94.4403.
    # Optimum: H <- Y and L <- X: 10*10 + 10*3 - 0.01*10*(1.5 D + 0.5 D) = 130 - 0.2 D
    #        = 130 - 22.238985328911746 = 107.76101467108825.
    sites = (
        Site("x", 0.0, 0.0),
        Site("y", 2.0, 0.0),
        Site("h", 0.5, 0.0),
        Site("l", -0.5, 0.0),
    )
    problem = AllocationProblem(
        sites=sites,
        offers=(Offer("X", "x", "seed", 10), Offer("Y", "y", "seed", 10)),
        needs=(Need("H", "h", "seed", 10, weight=10), Need("L", "l", "seed", 10, weight=3)),
        cost_per_unit_km=0.01,
        max_distance_km=200.0,
    )
    result = solve_allocation(problem)
    assert _by_pair(result) == {("X", "L"): 10.0, ("Y", "H"): 10.0}
    assert result.objective == pytest.approx(107.76101467108825, rel=1e-12)
    assert result.unmet == ()
    greedy = greedy_nearest_supplier(problem)
    assert greedy.status == "heuristic"
    assert _by_pair(greedy) == {("X", "H"): 10.0}
    assert greedy.objective == pytest.approx(100 - 0.05 * D, rel=1e-12)
    assert _reasons(greedy) == {"L": (10.0, "supply_exhausted")}


def test_units_convert_through_the_table_and_sacks_can_be_split() -> None:
    # 3 sacks of 40 kg = 120 kg at the origin. Need m: 1 sack, weight 30 per sack
    # (0.75 per kg); need n: 100 kg, weight 0.5 per kg. Same site, so no transport cost.
    # m is worth more per kg: it gets its 40 kg; n gets the other 80 kg (2 sacks).
    # Objective = 30 * 1 + 0.5 * 80 = 70; n misses 20 kg.
    problem = AllocationProblem(
        sites=(ORIGIN,),
        offers=(Offer("o", "origin", "maize seed", 3, unit="sack"),),
        needs=(
            Need("m", "origin", "maize seed", 1, weight=30, unit="sack"),
            Need("n", "origin", "maize seed", 100, weight=0.5, unit="kg"),
        ),
        cost_per_unit_km=0.01,
        unit_conversions={"sack": ("kg", 40.0)},
    )
    result = solve_allocation(problem)
    flows = {(f.offer, f.need): (f.quantity, f.offer_quantity) for f in result.flows}
    assert flows == {("o", "m"): (1.0, 1.0), ("o", "n"): (80.0, 2.0)}
    assert result.objective == pytest.approx(70.0)
    assert _reasons(result) == {"n": (20.0, "supply_exhausted")}
    (scarce,) = result.scarce_resources
    assert scarce.unit == "kg"
    assert scarce.shadow_price_max == pytest.approx(0.5)  # one more kg would go to n


def test_a_need_in_kg_can_take_part_of_a_sack() -> None:
    # 100 kg from sacks of 40 kg: 2.5 sacks leave the offer.
    problem = AllocationProblem(
        sites=(ORIGIN,),
        offers=(Offer("o", "origin", "seed", 3, unit="sack"),),
        needs=(Need("n", "origin", "seed", 100, weight=1, unit="kg"),),
        cost_per_unit_km=0.0,
        unit_conversions={"sack": ("kg", 40.0)},
    )
    (flow,) = solve_allocation(problem).flows
    assert (flow.quantity, flow.offer_quantity) == (100.0, 2.5)


@pytest.mark.parametrize(
    ("offer_unit", "need_unit"),
    [("kg", "l"), ("sack", None), (None, "kg")],
)
def test_units_that_cannot_be_converted_are_rejected(
    offer_unit: str | None, need_unit: str | None
) -> None:
    problem = AllocationProblem(
        sites=(ORIGIN,),
        offers=(Offer("o", "origin", "diesel", 3, unit=offer_unit),),
        needs=(Need("n", "origin", "diesel", 1, weight=1, unit=need_unit),),
        cost_per_unit_km=0.0,
        unit_conversions={"sack": ("kg", 40.0)},
    )
    with pytest.raises(AllocationInputError, match=r"Resource 'diesel'.*cannot be converted"):
        solve_allocation(problem)


def test_a_cycle_in_the_unit_table_is_rejected() -> None:
    problem = AllocationProblem(
        sites=(ORIGIN,),
        offers=(Offer("o", "origin", "x", 3, unit="a"),),
        needs=(Need("n", "origin", "x", 1, weight=1, unit="a"),),
        cost_per_unit_km=0.0,
        unit_conversions={"a": ("b", 2.0), "b": ("a", 0.5)},
    )
    with pytest.raises(AllocationInputError, match="cycle"):
        solve_allocation(problem)


def test_the_dual_prices_point_at_the_scarce_resource() -> None:
    # Seed: 5 units offered, 20 needed -> the offer binds, price = 4 - 0.01 * D = 2.888.
    # Pipe: 50 offered, 10 needed -> the offer has slack, price 0, not listed.
    problem = AllocationProblem(
        sites=(ORIGIN, NORTH),
        offers=(Offer("seed-o", "origin", "seed", 5), Offer("pipe-o", "origin", "pipe", 50)),
        needs=(
            Need("seed-n", "north", "seed", 20, weight=4),
            Need("pipe-n", "north", "pipe", 10, weight=4),
        ),
        cost_per_unit_km=0.01,
    )
    result = solve_allocation(problem)
    assert [s.resource for s in result.scarce_resources] == ["seed"]
    (seed,) = result.scarce_resources
    assert seed.shadow_price_max == pytest.approx(4 - 0.01 * D, rel=1e-9)
    assert seed.binding_offers == 1
    assert seed.unmet_quantity == 15.0


def test_the_objective_is_weight_times_delivered_minus_cost_times_quantity_times_km() -> None:
    problem = _random_problem(np.random.default_rng(3), entries=120, resources=3, max_km=None)
    result = solve_allocation(problem)
    sites = {s.id: s for s in problem.sites}
    offers = {o.id: o for o in problem.offers}
    needs = {n.id: n for n in problem.needs}
    total = 0.0
    for flow in result.flows:
        a, b = sites[offers[flow.offer].site], sites[needs[flow.need].site]
        km = haversine_km(a.lat, a.lon, b.lat, b.lon)
        assert flow.distance_km == pytest.approx(km, abs=1e-9)
        total += needs[flow.need].weight * flow.quantity
        total -= problem.cost_per_unit_km * flow.quantity * km
    assert result.objective == pytest.approx(total, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"offers": (Offer("o", "origin", "x", -1),)}, "must not be negative"),
        ({"offers": (Offer("o", "nowhere", "x", 1),)}, "unknown site 'nowhere'"),
        ({"offers": (Offer("o", "origin", "x", 1), Offer("o", "origin", "y", 1))}, "used twice"),
        ({"sites": (ORIGIN, ORIGIN)}, "Site id 'origin' is used twice"),
        ({"sites": (Site("origin", 91.0, 0.0),)}, "lat 91.0 is outside"),
        ({"needs": (Need("n", "origin", "x", 1, weight=-2),)}, "weight must not be negative"),
        ({"needs": (Need("n", "origin", "x", math.nan, weight=1),)}, "must be finite"),
        ({"cost_per_unit_km": -0.5}, "cost_per_unit_km must not be negative"),
        ({"max_distance_km": -1.0}, "max_distance_km must not be negative"),
    ],
)
def test_malformed_problems_are_rejected_with_a_message(
    change: dict[str, object], message: str
) -> None:
    fields: dict[str, object] = {
        "sites": (ORIGIN,),
        "offers": (Offer("o", "origin", "x", 1),),
        "needs": (Need("n", "origin", "x", 1, weight=1),),
        "cost_per_unit_km": 0.1,
        "max_distance_km": None,
    }
    fields.update(change)
    problem = AllocationProblem(**fields)  # type: ignore[arg-type]
    with pytest.raises(AllocationInputError, match=message):
        solve_allocation(problem)


# --------------------------------------------------------------------------------------------
# Randomised: exactness against the full LP, capacities, the greedy baseline
# --------------------------------------------------------------------------------------------


def _random_problem(
    rng: np.random.Generator, entries: int, resources: int, max_km: float | None
) -> AllocationProblem:
    n_sites = max(5, entries // 6)
    sites = tuple(
        Site(f"s{i}", float(rng.uniform(0.7, 12.4)), float(rng.uniform(-73.3, -59.8)))
        for i in range(n_sites)
    )
    offers = []
    needs = []
    for i in range(entries):
        site = sites[int(rng.integers(n_sites))].id
        resource = f"r{int(rng.integers(resources))}"
        quantity = float(rng.integers(0, 40))
        if i % 2:
            offers.append(Offer(f"o{i}", site, resource, quantity))
        else:
            needs.append(Need(f"n{i}", site, resource, quantity, float(rng.integers(1, 11))))
    return AllocationProblem(sites, tuple(offers), tuple(needs), 0.01, max_km)


def _full_lp_optimum(problem: AllocationProblem) -> float:
    """Reference: one LP with every same-resource pair within reach, whatever its margin."""
    sites = {s.id: s for s in problem.sites}
    offers, needs = problem.offers, problem.needs
    cols_o, cols_n, profit = [], [], []
    for i, offer in enumerate(offers):
        for j, need in enumerate(needs):
            if offer.resource != need.resource:
                continue
            a, b = sites[offer.site], sites[need.site]
            km = haversine_km(a.lat, a.lon, b.lat, b.lon)
            if problem.max_distance_km is not None and km > problem.max_distance_km:
                continue
            cols_o.append(i)
            cols_n.append(len(offers) + j)
            profit.append(need.weight - problem.cost_per_unit_km * km)
    h = highspy.Highs()  # type: ignore[no-untyped-call,unused-ignore]
    h.setOptionValue("output_flag", False)
    rows = len(offers) + len(needs)
    upper = np.array([o.quantity for o in offers] + [n.quantity for n in needs], dtype=np.float64)
    h.addRows(
        rows,
        np.full(rows, -highspy.kHighsInf),
        upper,
        0,
        np.zeros(rows, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.float64),
    )
    count = len(profit)
    index = np.empty(2 * count, dtype=np.int32)
    index[0::2] = cols_o
    index[1::2] = cols_n
    h.addCols(
        count,
        -np.array(profit),
        np.zeros(count),
        np.full(count, highspy.kHighsInf),
        2 * count,
        np.arange(0, 2 * count, 2, dtype=np.int32),
        index,
        np.ones(2 * count),
    )
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return -float(h.getInfo().objective_function_value)


def _assert_capacities_hold(problem: AllocationProblem, result: AllocationResult) -> None:
    sent: dict[object, float] = {}
    got: dict[object, float] = {}
    for flow in result.flows:
        assert flow.quantity > 0
        sent[flow.offer] = sent.get(flow.offer, 0.0) + flow.offer_quantity
        got[flow.need] = got.get(flow.need, 0.0) + flow.quantity
        if problem.max_distance_km is not None:
            assert flow.distance_km <= problem.max_distance_km
    for offer in problem.offers:
        assert sent.get(offer.id, 0.0) <= offer.quantity + 1e-9
    unmet = {u.need: u.quantity for u in result.unmet}
    for need in problem.needs:
        assert got.get(need.id, 0.0) <= need.quantity + 1e-9
        assert got.get(need.id, 0.0) + unmet.get(need.id, 0.0) == pytest.approx(need.quantity)


@pytest.mark.parametrize("max_km", [None, 350.0])
def test_random_instances_are_solved_exactly_and_beat_greedy(max_km: float | None) -> None:
    problem = _random_problem(np.random.default_rng(20240601), 600, 5, max_km)
    result = solve_allocation(problem)
    greedy = greedy_nearest_supplier(problem)
    assert result.status == "optimal"
    _assert_capacities_hold(problem, result)
    _assert_capacities_hold(problem, greedy)
    assert result.objective >= greedy.objective - 1e-9
    assert result.objective == pytest.approx(_full_lp_optimum(problem), rel=1e-9)
    assert result.upper_bound is not None
    assert result.upper_bound - result.objective <= 1e-6 * max(1.0, result.objective)
    # Integral data gives integral flows (total unimodularity).
    assert all(f.quantity == round(f.quantity) for f in result.flows)


def test_supply_exhausted_means_every_worthwhile_offer_in_reach_is_used_up() -> None:
    problem = _random_problem(np.random.default_rng(99), 400, 4, 400.0)
    result = solve_allocation(problem)
    sites = {s.id: s for s in problem.sites}
    sent: dict[object, float] = {}
    for flow in result.flows:
        sent[flow.offer] = sent.get(flow.offer, 0.0) + flow.offer_quantity
    needs = {n.id: n for n in problem.needs}
    exhausted = [u for u in result.unmet if u.reason == "supply_exhausted"]
    assert exhausted
    for unmet in exhausted:
        need = needs[unmet.need]
        b = sites[need.site]
        for offer in problem.offers:
            a = sites[offer.site]
            km = haversine_km(a.lat, a.lon, b.lat, b.lon)
            worthwhile = need.weight - problem.cost_per_unit_km * km > 0 and km <= 400.0
            if offer.resource == need.resource and offer.quantity > 0 and worthwhile:
                assert sent.get(offer.id, 0.0) == pytest.approx(offer.quantity)


def test_solving_resources_in_threads_gives_the_same_plan() -> None:
    problem = _random_problem(np.random.default_rng(11), 500, 6, None)
    serial = solve_allocation(problem)
    threaded = solve_allocation(problem, workers=2)
    assert threaded.flows == serial.flows
    assert threaded.unmet == serial.unmet
    assert threaded.objective == serial.objective
    with pytest.raises(AllocationInputError, match="workers"):
        solve_allocation(problem, workers=0)


def test_column_generation_reaches_the_optimum_from_a_tiny_start_in_small_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One starting column per need, none per offer, one column added per need and round,
    # no cached matrix and blocks of 50 entries: many pricing rounds, same optimum.
    monkeypatch.setattr(allocation, "_INITIAL_PER_NEED", 1)
    monkeypatch.setattr(allocation, "_INITIAL_PER_OFFER", 0)
    monkeypatch.setattr(allocation, "_ADD_PER_NEED", 1)
    monkeypatch.setattr(allocation, "_CACHE_ENTRIES", 0)
    monkeypatch.setattr(allocation, "_BLOCK_ENTRIES", 50)
    problem = _random_problem(np.random.default_rng(5), 300, 2, None)
    result = solve_allocation(problem)
    assert result.stats.pricing_rounds > 2
    assert result.objective == pytest.approx(_full_lp_optimum(problem), rel=1e-9)
    _assert_capacities_hold(problem, result)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------

CLI_INPUT: dict[str, object] = {
    "sites": [
        {"id": "origin", "lat": 0, "lon": 0},
        {"id": 2, "lat": 1, "lon": 0},
        {"id": 3, "lat": -1.0, "lon": 0},
    ],
    "offers": [{"id": 1, "site": "origin", "resource": "maize seed", "quantity": 10}],
    "needs": [
        {"id": "n1", "site": 2, "resource": "maize seed", "quantity": 6, "weight": 5},
        {"id": 7, "site": 3, "resource": "maize seed", "quantity": 8, "weight": 2},
    ],
    "cost_per_unit_km": 0.01,
    "max_distance_km": None,
}


def _write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "cycle.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_the_cli_prints_the_plan_as_json_and_echoes_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli([str(_write(tmp_path, CLI_INPUT))]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "optimal"
    # Same instance as the first test: 38 - 0.01 * D * 10.
    assert out["objective"] == pytest.approx(26.880507335544127, rel=1e-12)
    assert out["flows"] == [
        {"offer": 1, "need": "n1", "quantity": 6},
        {"offer": 1, "need": 7, "quantity": 4},
    ]
    assert out["unmet"] == [{"need": 7, "quantity": 4, "reason": "supply_exhausted"}]
    assert out["scarce_resources"][0]["resource"] == "maize seed"


def test_the_cli_accepts_its_command_name_and_a_missing_distance_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = {k: v for k, v in CLI_INPUT.items() if k != "max_distance_km"}
    assert cli(["allocate", str(_write(tmp_path, data))]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "optimal"


_DELETE = object()


def _broken(path: str, value: object) -> dict[str, Any]:
    """CLI_INPUT with the value at a dotted path replaced (or deleted with _DELETE)."""
    data: dict[str, Any] = json.loads(json.dumps(CLI_INPUT))
    target: Any = data
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ([1, 2], "must be a JSON object"),
        (_broken("needs", _DELETE), "missing the key 'needs'"),
        (_broken("offers.0.quantity", _DELETE), "offers[0] is missing the key 'quantity'"),
        (_broken("offers.0.quantity", -3), "must not be negative"),
        (_broken("needs.0.site", "atlantis"), "unknown site 'atlantis'"),
        (_broken("needs.1.id", "n1"), "Need id 'n1' is used twice"),
        (_broken("needs.0.weight", "high"), "weight must be a number"),
        (_broken("sites.1.lat", "north"), "lat must be a number"),
        (_broken("offers.0.quantity", True), "quantity must be a number"),
        (_broken("cost_per_unit_km", None), "cost_per_unit_km must be a number"),
        (_broken("max_distance_km", "far"), "max_distance_km must be a number"),
        (_broken("sites", {"id": 1}), "'sites' must be a list"),
    ],
)
def test_the_cli_rejects_malformed_files_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: object, message: str
) -> None:
    assert cli([str(_write(tmp_path, content))]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_the_cli_rejects_a_missing_file_and_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli([str(tmp_path / "absent.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert cli([]) == 2
    assert "usage" in capsys.readouterr().err


def test_the_cli_output_is_pure_json_in_a_fresh_process(tmp_path: Path) -> None:
    # HiGHS prints a banner on stdout when its first solver object is created; it must not
    # reach the command's output.
    src = str(Path(comuna.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(  # noqa: S603 - runs this interpreter on a test file
        [
            sys.executable,
            "-m",
            "comuna.engines.allocation",
            "allocate",
            str(_write(tmp_path, CLI_INPUT)),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "optimal"
