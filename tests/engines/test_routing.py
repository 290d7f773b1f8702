from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pyvrp

import comuna
from comuna.engines.routing import (
    Depot,
    Progress,
    RoutingInputError,
    RoutingProblem,
    Stop,
    Vehicle,
    check_routes,
    cli,
    instance_cost,
    load_instance,
    read_best_known,
    savings_routes,
    solve_instance,
    solve_routes,
)


def _shared_data() -> Path:
    configured = os.environ.get("COMUNA_SHARED_DATA")
    if configured:
        return Path(configured)
    return (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


ROUTING = _shared_data() / "routing"
INSTANCES = sorted(ROUTING.glob("*/*.vrp")) if ROUTING.is_dir() else []
needs_data = pytest.mark.skipif(
    not INSTANCES,
    reason=f"benchmark instances not found in {ROUTING} (set COMUNA_SHARED_DATA)",
)

# A tiny CVRP: depot at (0, 0); customers 1 and 2 on the y axis at 10 and 20, customers 3 and
# 4 on the x axis at 10 and 20; demand 1 each, capacity 2, so at least two routes.
# A route serving a customer at distance 20 costs at least 40; two such routes cost 80, and
# one route serving both far customers costs 20 + 28 + 20 = 68 plus 10 + 14 + 10 = 34 for
# the near ones (102). The optimum is 80: routes (1, 2) and (3, 4).
TINY_VRP = """NAME : tiny
TYPE : CVRP
DIMENSION : 5
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 2
NODE_COORD_SECTION
1 0 0
2 0 10
3 0 20
4 10 0
5 20 0
DEMAND_SECTION
1 0
2 1
3 1
4 1
5 1
DEPOT_SECTION
1
-1
EOF
"""
TINY_SOL = "Route #1: 1 2\nRoute #2: 3 4\nCost 80\n"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.vrp"
    path.write_text(TINY_VRP)
    (tmp_path / "tiny.sol").write_text(TINY_SOL)
    return path


def _normalised(routes: tuple[tuple[int, ...], ...]) -> set[frozenset[int]]:
    return {frozenset(route) for route in routes}


# --------------------------------------------------------------------------------------------
# Benchmark instances
# --------------------------------------------------------------------------------------------


def test_a_tiny_cvrp_is_solved_to_its_known_optimum(tiny: Path) -> None:
    solution = solve_instance(tiny, time_limit=0.5, seed=1)
    assert solution.feasible
    assert solution.cost == 80
    assert _normalised(solution.routes) == {frozenset({1, 2}), frozenset({3, 4})}
    assert (solution.bks, solution.gap_percent) == (80, 0.0)
    assert solution.convention == "round"


@needs_data
@pytest.mark.parametrize("vrp", INSTANCES, ids=lambda p: p.stem)
def test_recomputing_each_best_known_solution_gives_its_stated_cost(vrp: Path) -> None:
    instance = load_instance(vrp)
    best = read_best_known(vrp.with_suffix(".sol"))
    assert instance_cost(instance, best.routes) == best.cost
    assert check_routes(instance, best.routes) == []


@needs_data
def test_the_conventions_follow_the_readmes() -> None:
    # CVRP X instances: rounded Euclidean distances; Solomon RC208: truncated to one decimal.
    assert load_instance(ROUTING / "cvrp" / "X-n101-k25.vrp").convention == "round"
    rc208 = load_instance(ROUTING / "vrptw" / "RC208.vrp")
    assert (rc208.convention, rc208.scale, rc208.vehicles) == ("dimacs", 10, 25)
    assert instance_cost(rc208, read_best_known(ROUTING / "vrptw" / "RC208.sol").routes) == 776.1


@needs_data
def test_a_short_solve_of_x_n101_k25_is_feasible_and_close_to_the_best_known() -> None:
    path = ROUTING / "cvrp" / "X-n101-k25.vrp"
    solution = solve_instance(path, time_limit=2.5, seed=1)
    assert solution.feasible
    assert solution.violations == ()
    assert sorted(c for route in solution.routes for c in route) == list(range(1, 101))
    assert solution.bks == 27591
    assert solution.gap_percent is not None
    assert 0 <= solution.gap_percent <= 5.0
    # The cost is recomputed from the routes in the instance's convention and agrees with
    # PyVRP's own objective on the rounded data.
    data = pyvrp.read(str(path), round_func="round")
    assert solution.cost == instance_cost(load_instance(path), solution.routes)
    clients = [[c - 1 for c in route] for route in solution.routes]  # PyVRP counts from 0
    assert solution.cost == pyvrp.Solution(data, clients).distance()


@needs_data
def test_a_short_solve_of_rc208_respects_the_time_windows() -> None:
    solution = solve_instance(ROUTING / "vrptw" / "RC208.vrp", time_limit=2.0, seed=1)
    assert solution.feasible
    assert check_routes(load_instance(ROUTING / "vrptw" / "RC208.vrp"), solution.routes) == []
    assert solution.cost == round(solution.cost, 1)
    assert solution.gap_percent is not None
    assert solution.gap_percent <= 5.0


@needs_data
@pytest.mark.parametrize("vrp", INSTANCES, ids=lambda p: p.stem)
def test_the_savings_baseline_builds_feasible_routes(vrp: Path) -> None:
    instance = load_instance(vrp)
    routes = savings_routes(instance)
    assert check_routes(instance, routes) == []
    assert instance_cost(instance, routes) >= read_best_known(vrp.with_suffix(".sol")).cost


def test_the_savings_baseline_finds_the_tiny_optimum(tiny: Path) -> None:
    routes = savings_routes(load_instance(tiny))
    assert _normalised(routes) == {frozenset({1, 2}), frozenset({3, 4})}


def test_check_routes_reports_capacity_and_coverage_problems(tiny: Path) -> None:
    instance = load_instance(tiny)
    assert check_routes(instance, [(1, 2, 3), (4,)]) == ["route 1 carries 3 > capacity 2"]
    problems = check_routes(instance, [(1, 2), (3, 3)])
    assert problems == ["every customer must be visited exactly once: missing [4], repeated [3]"]
    assert check_routes(instance, [(1, 2), (3, 9)]) == ["customer numbers must be between 1 and 4"]


# --------------------------------------------------------------------------------------------
# Platform problems
# --------------------------------------------------------------------------------------------


def _line_problem(**changes: object) -> RoutingProblem:
    # Depot and stops on a line, with explicit road distances: A at 1 km, B at 2 km, C at 3 km.
    # At 60 km/h one km takes one minute.
    positions = [0.0, 1.0, 2.0, 3.0]
    matrix = tuple(tuple(abs(a - b) for b in positions) for a in positions)
    fields: dict[str, object] = {
        "depot": Depot(10.0, -66.0),
        "vehicles": (Vehicle("truck", capacity=10, shift_start_min=0, shift_end_min=600),),
        "stops": (
            Stop("A", 10.0, -66.0, demand=2, service_min=5),
            Stop("B", 10.0, -66.0, demand=3, service_min=5),
            Stop("C", 10.0, -66.0, demand=1, service_min=5),
        ),
        "speed_kmh": 60.0,
        "distance_km": matrix,
    }
    fields.update(changes)
    return RoutingProblem(**fields)  # type: ignore[arg-type]


def test_a_line_of_stops_is_served_in_one_trip_out_and_back() -> None:
    solution = solve_routes(_line_problem(), time_limit=0.3, seed=1)
    assert solution.feasible
    (route,) = solution.routes
    assert route.vehicle == "truck"
    assert route.stop_ids in {("A", "B", "C"), ("C", "B", "A")}
    assert route.load == 6
    assert route.distance_km == pytest.approx(6.0)
    assert route.cost == pytest.approx(6.0)
    assert solution.cost == pytest.approx(6.0)


def test_time_windows_set_the_order_and_arrival_times() -> None:
    # C must start service by minute 4 and A not before minute 30: C, B, A (or C, A, B)
    # is forced although A is nearest. C is reached at minute 3.
    stops = (
        Stop("A", 10.0, -66.0, demand=1, service_min=5, window=(30.0, 40.0)),
        Stop("B", 10.0, -66.0, demand=1, service_min=5),
        Stop("C", 10.0, -66.0, demand=1, service_min=5, window=(0.0, 4.0)),
    )
    solution = solve_routes(_line_problem(stops=stops), time_limit=0.3, seed=1)
    assert solution.feasible
    (route,) = solution.routes
    assert route.stop_ids[0] == "C"
    visits = {visit.stop: visit for visit in route.visits}
    assert visits["C"].service_start_min <= 4.0
    assert 30.0 <= visits["A"].service_start_min <= 40.0
    assert visits["A"].arrival_min <= visits["A"].service_start_min
    assert visits["C"].departure_min == pytest.approx(visits["C"].service_start_min + 5)
    assert route.time_warp_min == 0
    assert [v.load_after for v in route.visits] == [1, 2, 3]


def test_capacity_splits_the_stops_between_vehicles() -> None:
    vehicles = (
        Vehicle("small-1", capacity=3, cost_per_km=1.0),
        Vehicle("small-2", capacity=3, cost_per_km=1.0),
    )
    solution = solve_routes(_line_problem(vehicles=vehicles), time_limit=0.3, seed=1)
    assert solution.feasible
    assert {route.vehicle for route in solution.routes} == {"small-1", "small-2"}
    assert all(route.load <= 3 for route in solution.routes)
    assert sorted(s for route in solution.routes for s in route.stop_ids) == ["A", "B", "C"]


@pytest.mark.filterwarnings("ignore::pyvrp.exceptions.PenaltyBoundWarning")
def test_an_impossible_window_is_reported_as_infeasible() -> None:
    stops = (Stop("far", 10.0, -66.0, demand=1, window=(0.0, 1.0)),)
    matrix = ((0.0, 30.0), (30.0, 0.0))  # 30 minutes away, window closes at minute 1
    problem = _line_problem(stops=stops, distance_km=matrix)
    solution = solve_routes(problem, time_limit=0.2, seed=1)
    assert not solution.feasible
    assert solution.routes[0].time_warp_min > 0


def test_haversine_distances_are_scaled_by_the_road_factor() -> None:
    # One stop 0.1 degree north of the depot: 11.119 km as the crow flies, 14.455 by road
    # (factor 1.3); out and back at 40 km/h.
    problem = RoutingProblem(
        depot=Depot(10.0, -66.0),
        vehicles=(Vehicle("van", capacity=5, cost_per_km=2.0, fixed_cost=10.0),),
        stops=(Stop("s", 10.1, -66.0, demand=1),),
        speed_kmh=40.0,
        road_factor=1.3,
    )
    solution = solve_routes(problem, time_limit=0.2, seed=1)
    (route,) = solution.routes
    km = 2 * 1.3 * 11.119492664455873
    assert route.distance_km == pytest.approx(km, rel=1e-9)
    assert route.cost == pytest.approx(10.0 + 2.0 * km, rel=1e-9)
    assert route.end_min - route.start_min == pytest.approx(km / 40 * 60, abs=0.05)


def test_progress_is_reported_while_solving() -> None:
    seen: list[Progress] = []
    solve_routes(_line_problem(), time_limit=1.2, seed=1, progress=seen.append)
    assert len(seen) >= 2
    assert seen[-1].best_cost == pytest.approx(6.0)
    assert seen[-1].elapsed_s >= seen[0].elapsed_s
    assert seen[-1].iterations > 0


def test_no_stops_gives_an_empty_plan() -> None:
    solution = solve_routes(_line_problem(stops=(), distance_km=None), time_limit=1)
    assert (solution.feasible, solution.cost, solution.routes) == (True, 0.0, ())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stops": (Stop("A", 10.0, -66.0, demand=11),)}, "exceeds the largest vehicle capacity"),
        (
            {"stops": (Stop("A", 10.0, -66.0, window=(50.0, 10.0)),)},
            "must satisfy 0 <= start <= end",
        ),
        ({"stops": (Stop("A", 10.0, -66.0), Stop("A", 10.0, -66.0))}, "listed twice"),
        ({"vehicles": ()}, "no vehicles"),
        ({"speed_kmh": 0.0}, "speed_kmh must be positive"),
        ({"distance_km": ((0.0, 1.0), (1.0, 0.0))}, "must be a 4 x 4 matrix"),
        ({"depot": Depot(95.0, 0.0)}, "outside [-90, 90]"),
    ],
)
def test_malformed_route_problems_are_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(RoutingInputError) as caught:
        solve_routes(_line_problem(**changes), time_limit=0.1)
    assert message in str(caught.value)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def test_the_cli_prints_cost_routes_and_gap(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["plan-routes", str(tiny), "--time-limit", "0.5", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["cost"] == 80
    assert _normalised(tuple(tuple(r) for r in out["routes"])) == {
        frozenset({1, 2}),
        frozenset({3, 4}),
    }
    assert (out["vehicles"], out["feasible"], out["seed"]) == (2, True, 3)
    assert out["time_limit"] == 0.5
    assert (out["bks"], out["gap_percent"]) == (80, 0.0)


def test_the_cli_omits_the_bks_without_a_solution_file(
    tiny: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tiny.with_suffix(".sol").unlink()
    assert cli([str(tiny), "--time-limit", "0.3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "bks" not in out
    assert "gap_percent" not in out


@pytest.mark.parametrize(
    "args",
    [
        ["/nonexistent/instance.vrp"],
        ["--time-limit", "0", "TINY"],
        ["--time-limit", "soon", "TINY"],
        ["--seed", "x", "TINY"],
        [],
    ],
)
def test_the_cli_exits_with_2_on_bad_arguments(
    tiny: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    args = [str(tiny) if a == "TINY" else a for a in args]
    assert cli(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err


@pytest.mark.parametrize(
    "content",
    [
        "this is not an instance\n",
        "NAME : broken\nTYPE : CVRP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\n",
        TINY_VRP.replace("5 20 0", "5 twenty 0"),
        "",
    ],
)
def test_the_cli_exits_with_2_on_malformed_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    path = tmp_path / "bad.vrp"
    path.write_text(content)
    assert cli([str(path), "--time-limit", "0.2"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "plan-routes: error:" in captured.err


def test_the_cli_output_is_pure_json_in_a_fresh_process(tiny: Path) -> None:
    src = str(Path(comuna.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(  # noqa: S603 - runs this interpreter on a test file
        [
            sys.executable,
            "-m",
            "comuna.engines.routing",
            "plan-routes",
            str(tiny),
            "--time-limit",
            "0.3",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["cost"] == 80
