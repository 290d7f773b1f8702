"""`comuna plan-routes PATH [--time-limit SECONDS] [--seed N]`, checked from outside: the
command runs in its own process and its JSON is scored with an independent reading of the
instance (../shared/data/routing/; skipped with a message when the data is absent)."""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("COMUNA_SHARED_DATA", ROOT.parent / "shared" / "data")) / "routing"
CVRP = DATA / "cvrp" / "X-n101-k25.vrp"
VRPTW = DATA / "vrptw" / "RC208.vrp"
COMUNA = Path(sys.executable).parent / "comuna"

needs_data = pytest.mark.skipif(
    not (CVRP.is_file() and VRPTW.is_file()),
    reason=f"the shared routing instances are not in {DATA}",
)


def read_vrp(path: Path) -> dict[str, object]:
    """Coordinates, demands, capacity (and windows, service) of a VRPLIB file, read by hand."""
    section = ""
    coords: dict[int, tuple[float, float]] = {}
    demand: dict[int, int] = {}
    windows: dict[int, tuple[float, float]] = {}
    service: dict[int, float] = {}
    capacity = 0
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if ":" in line and not line[0].isdigit():
            key, _sep, value = line.partition(":")
            key = key.strip().upper()
            if key == "CAPACITY":
                capacity = int(value)
            if key == "SERVICE_TIME":
                service = {-1: float(value)}
            section = ""
            continue
        if line.endswith("SECTION"):
            section = line
            continue
        parts = line.split()
        if section == "NODE_COORD_SECTION":
            coords[int(parts[0])] = (float(parts[1]), float(parts[2]))
        elif section == "DEMAND_SECTION":
            demand[int(parts[0])] = int(parts[1])
        elif section == "TIME_WINDOW_SECTION":
            windows[int(parts[0])] = (float(parts[1]), float(parts[2]))
    return {
        "coords": coords,
        "demand": demand,
        "capacity": capacity,
        "windows": windows,
        "service": service.get(-1, 0.0),
    }


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(COMUNA), "plan-routes", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_data
def test_plan_routes_solves_a_cvrp_instance_and_prints_its_rounded_cost() -> None:
    result = run(str(CVRP), "--time-limit", "2", "--seed", "1")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    vrp = read_vrp(CVRP)
    coords: dict[int, tuple[float, float]] = vrp["coords"]  # type: ignore[assignment]
    demand: dict[int, int] = vrp["demand"]  # type: ignore[assignment]
    nodes = sorted(coords)  # node 1 is the depot; customer j is node j + 1
    depot = nodes[0]
    visited = sorted(c for route in answer["routes"] for c in route)
    assert visited == list(range(1, len(nodes)))
    total = 0
    for route in answer["routes"]:
        assert sum(demand[c + 1] for c in route) <= vrp["capacity"]
        path = [depot, *(c + 1 for c in route), depot]
        total += sum(round(math.dist(coords[a], coords[b])) for a, b in itertools.pairwise(path))
    assert isinstance(answer["cost"], int)
    assert answer["cost"] == total
    assert answer["cost"] <= 27591 * 1.05  # within 5 % of the best known after 2 s


@needs_data
def test_plan_routes_solves_rc208_in_the_dimacs_convention() -> None:
    result = run(str(VRPTW), "--time-limit", "2", "--seed", "1")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    vrp = read_vrp(VRPTW)
    coords: dict[int, tuple[float, float]] = vrp["coords"]  # type: ignore[assignment]
    windows: dict[int, tuple[float, float]] = vrp["windows"]  # type: ignore[assignment]
    nodes = sorted(coords)
    depot = nodes[0]

    def dimacs(a: int, b: int) -> float:
        return math.floor(math.dist(coords[a], coords[b]) * 10) / 10

    total = 0.0
    for route in answer["routes"]:
        now = windows[depot][0]
        previous = depot
        for customer in route:
            node = customer + 1
            now = max(now + dimacs(previous, node), windows[node][0])
            assert now <= windows[node][1] + 1e-9
            now += float(vrp["service"])  # type: ignore[arg-type]
            previous = node
        path = [depot, *(c + 1 for c in route), depot]
        total += sum(dimacs(a, b) for a, b in itertools.pairwise(path))
    assert sorted(c for r in answer["routes"] for c in r) == list(range(1, len(nodes)))
    assert answer["cost"] == pytest.approx(round(total, 1), abs=1e-6)
    assert answer["cost"] <= 776.1 * 1.05


def test_plan_routes_refuses_a_missing_file_with_status_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nothing.vrp"), "--time-limit", "1")
    assert result.returncode == 2
    assert "error" in result.stderr
    assert result.stdout == ""


def test_plan_routes_refuses_a_bad_time_limit_with_status_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "x.vrp"), "--time-limit", "-3")
    assert result.returncode == 2
    assert "--time-limit" in result.stderr


def test_plan_routes_refuses_a_malformed_instance(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vrp"
    bad.write_text("NAME : bad\nTYPE : CVRP\nDIMENSION : 3\nNODE_COORD_SECTION\n1 0 x\nEOF\n")
    result = run(str(bad), "--time-limit", "1")
    assert result.returncode == 2
    assert "plan-routes: error" in result.stderr


@needs_data
def test_call_command_prints_the_same_json_shape() -> None:
    out = StringIO()
    call_command("plan_routes", str(VRPTW), time_limit=1.0, seed=2, stdout=out)
    answer = json.loads(out.getvalue())
    assert {"cost", "routes", "vehicles", "feasible"} <= set(answer)


def test_call_command_raises_on_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("plan_routes", str(tmp_path / "none.vrp"), time_limit=1.0, stdout=StringIO())
