"""`comuna allocate PATH.json`, checked from outside (a subprocess) on hand-checked instances:
its JSON output and its exit codes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from comuna.engines.geo import haversine_km

COMUNA = [sys.executable, "-m", "comuna"]


def run(tmp_path: Path, data: Any, raw: str | None = None) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "problem.json"
    path.write_text(raw if raw is not None else json.dumps(data), encoding="utf-8")
    return subprocess.run(  # noqa: S603 - our own command
        [*COMUNA, "allocate", str(path)], capture_output=True, text=True, timeout=60, check=False
    )


SITES = [
    {"id": "sarare", "lat": 9.78, "lon": -69.16},
    {"id": "barinas", "lat": 8.62, "lon": -70.21},
    {"id": "merida", "lat": 8.59, "lon": -71.14},
]
KM = haversine_km(9.78, -69.16, 8.62, -70.21)


def problem(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sites": SITES,
        "offers": [{"id": "o1", "site": "sarare", "resource": "maiz", "quantity": 100}],
        "needs": [
            {"id": "n1", "site": "barinas", "resource": "maiz", "quantity": 60, "weight": 5},
            {"id": "n2", "site": "sarare", "resource": "maiz", "quantity": 80, "weight": 1},
        ],
        "cost_per_unit_km": 0.01,
        "max_distance_km": None,
    }
    base.update(changes)
    return base


def test_conflicting_priorities_go_to_the_weightiest_need(tmp_path: Path) -> None:
    done = run(tmp_path, problem())
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert list(out) == ["status", "objective", "flows", "unmet"]
    assert out["status"] == "optimal"
    flows = {(f["offer"], f["need"]): f["quantity"] for f in out["flows"]}
    assert flows == {("o1", "n1"): 60, ("o1", "n2"): 40}
    assert out["unmet"] == [{"need": "n2", "quantity": 40, "reason": "supply_exhausted"}]
    assert math.isclose(out["objective"], 5 * 60 + 1 * 40 - 0.01 * 60 * KM, rel_tol=1e-9)


def test_a_need_beyond_the_maximum_distance_stays_unmet_as_too_far(tmp_path: Path) -> None:
    done = run(tmp_path, problem(max_distance_km=100))
    out = json.loads(done.stdout)
    assert [(f["need"], f["quantity"]) for f in out["flows"]] == [("n2", 80)]
    assert {u["need"]: u["reason"] for u in out["unmet"]} == {"n1": "too_far"}
    assert math.isclose(out["objective"], 80.0, rel_tol=1e-12)


def test_zero_supply_leaves_every_need_without_a_supplier(tmp_path: Path) -> None:
    offers = [{"id": "o1", "site": "sarare", "resource": "maiz", "quantity": 0}]
    out = json.loads(run(tmp_path, problem(offers=offers)).stdout)
    assert out["flows"] == [] and out["objective"] == 0
    assert {u["need"]: (u["quantity"], u["reason"]) for u in out["unmet"]} == {
        "n1": (60, "no_supplier"),
        "n2": (80, "no_supplier"),
    }


def test_transport_dearer_than_the_need_is_not_worthwhile(tmp_path: Path) -> None:
    needs = [{"id": "n1", "site": "merida", "resource": "maiz", "quantity": 10, "weight": 1}]
    out = json.loads(run(tmp_path, problem(needs=needs)).stdout)
    assert out["flows"] == []
    assert out["unmet"] == [{"need": "n1", "quantity": 10, "reason": "not_worthwhile"}]


def test_two_suppliers_serve_the_nearest_needs(tmp_path: Path) -> None:
    offers = [
        {"id": "a", "site": "sarare", "resource": "cafe", "quantity": 10},
        {"id": "b", "site": "merida", "resource": "cafe", "quantity": 10},
    ]
    needs = [
        {"id": "x", "site": "sarare", "resource": "cafe", "quantity": 10, "weight": 10},
        {"id": "y", "site": "merida", "resource": "cafe", "quantity": 10, "weight": 10},
    ]
    out = json.loads(run(tmp_path, problem(offers=offers, needs=needs)).stdout)
    assert sorted((f["offer"], f["need"], f["quantity"]) for f in out["flows"]) == [
        ("a", "x", 10),
        ("b", "y", 10),
    ]
    assert out["unmet"] == [] and out["objective"] == 200


@pytest.mark.parametrize(
    "raw",
    [
        "{not json",
        json.dumps({"sites": []}),
        json.dumps(problem(cost_per_unit_km="cheap")),
        json.dumps(
            problem(offers=[{"id": "o1", "site": "sarare", "resource": "maiz", "quantity": -5}])
        ),
        json.dumps(
            problem(offers=[{"id": "o1", "site": "nowhere", "resource": "maiz", "quantity": 5}])
        ),
        json.dumps([1, 2, 3]),
    ],
)
def test_malformed_files_get_a_clear_error_and_exit_code_2(tmp_path: Path, raw: str) -> None:
    done = run(tmp_path, None, raw=raw)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "error" in done.stderr.lower() and "Traceback" not in done.stderr


def test_a_missing_file_exits_with_2(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603
        [*COMUNA, "allocate", str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "cannot read" in done.stderr


def test_details_add_the_scarce_resources_and_the_dual_bound(tmp_path: Path) -> None:
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem()), encoding="utf-8")
    done = subprocess.run(  # noqa: S603
        [*COMUNA, "allocate", "--details", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = json.loads(done.stdout)
    assert out["scarce_resources"][0]["resource"] == "maiz"
    assert out["scarce_resources"][0]["shadow_price_max"] == pytest.approx(1.0)
    assert out["upper_bound"] == pytest.approx(out["objective"], rel=1e-9)
