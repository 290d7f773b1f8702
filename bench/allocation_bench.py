"""Benchmark of the allocation engine on a national supply cycle.

Generates, deterministically, a synthetic national instance: 3,000 communes spread over
Venezuela's bounding box (lon -73.3..-59.8, lat 0.7..12.4; most of them clustered around the
24 state capitals, the rest scattered), 20,000 productive units (the sites: each in a commune,
a few km from its seat), 60 resources of uneven popularity, 25,000 offers and 25,000 needs
(50,000 in total) posted by the units. It solves it exactly with :func:`solve_allocation` with no
distance limit and with a 300 km limit, and compares with the greedy nearest-supplier baseline.

Run from the project root::

    .venv/bin/python bench/allocation_bench.py [--entries 50000] [--out bench/results/allocation.md]

Writes a markdown report (time, peak memory, objectives, proof of optimality, machine info).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from comuna.engines.allocation import (  # noqa: E402
    AllocationProblem,
    AllocationResult,
    Need,
    Offer,
    Site,
    greedy_nearest_supplier,
    solve_allocation,
)

SEED = 20_240_601
LON_RANGE = (-73.3, -59.8)
LAT_RANGE = (0.7, 12.4)
CAPITALS = (
    (10.49, -66.88),  # Caracas
    (10.65, -71.64),  # Maracaibo
    (10.16, -68.00),  # Valencia
    (10.07, -69.32),  # Barquisimeto
    (10.25, -67.60),  # Maracay
    (8.35, -62.65),  # Ciudad Guayana
    (10.13, -64.69),  # Barcelona
    (9.75, -63.18),  # Maturín
    (10.45, -64.17),  # Cumaná
    (8.59, -71.14),  # Mérida
    (7.77, -72.22),  # San Cristóbal
    (8.62, -70.21),  # Barinas
    (8.12, -63.55),  # Ciudad Bolívar
    (11.40, -69.67),  # Coro
    (5.66, -67.58),  # Puerto Ayacucho
    (7.89, -67.47),  # San Fernando de Apure
    (9.04, -69.74),  # Guanare
    (9.66, -68.58),  # San Carlos
    (9.37, -70.43),  # Trujillo
    (9.06, -62.05),  # Tucupita
    (9.91, -67.35),  # San Juan de los Morros
    (11.03, -63.86),  # La Asunción
    (10.34, -68.74),  # San Felipe
    (10.47, -66.62),  # Guarenas-Guatire
)
RESOURCES = (
    "maize seed",
    "black bean seed",
    "rice seed",
    "sorghum seed",
    "cassava cuttings",
    "plantain suckers",
    "potato seed",
    "tomato seedlings",
    "pepper seedlings",
    "onion seed",
    "organic fertiliser",
    "NPK fertiliser",
    "urea",
    "agricultural lime",
    "compost",
    "bio-insecticide",
    "fungicide",
    "drip irrigation kit",
    "PVC pipe",
    "water tank",
    "pump spare parts",
    "tractor spare parts",
    "hand tools",
    "machetes",
    "wheelbarrows",
    "40 kg sacks",
    "egg trays",
    "glass jars",
    "plastic bottles",
    "labels",
    "cocoa beans",
    "coffee beans",
    "sugar cane",
    "panela",
    "corn flour",
    "animal feed",
    "chicks",
    "piglets",
    "veterinary kits",
    "fishing nets",
    "sewing thread",
    "fabric",
    "leather",
    "wood planks",
    "cement",
    "zinc roofing",
    "bricks",
    "paint",
    "solar panels",
    "batteries",
    "diesel",
    "lubricant",
    "tyres",
    "school supplies",
    "medicine kits",
    "cooking gas cylinders",
    "cleaning products",
    "soap",
    "milk",
    "cheese",
)


def build_problem(
    entries: int, max_distance_km: float | None, units: int = 20_000
) -> AllocationProblem:
    """The national instance: deterministic for a given number of entries and units."""
    rng = np.random.default_rng(SEED)
    n_communes = 3_000
    clustered = int(n_communes * 0.7)
    capitals = np.array(CAPITALS)
    centre = capitals[rng.integers(0, len(CAPITALS), clustered)]
    lat = np.concatenate(
        [
            centre[:, 0] + rng.normal(0.0, 0.35, clustered),
            rng.uniform(*LAT_RANGE, n_communes - clustered),
        ]
    )
    lon = np.concatenate(
        [
            centre[:, 1] + rng.normal(0.0, 0.35, clustered),
            rng.uniform(*LON_RANGE, n_communes - clustered),
        ]
    )
    lat = np.clip(lat, *LAT_RANGE)
    lon = np.clip(lon, *LON_RANGE)
    # Productive units: each in a commune, about 3 km (one sigma) from its seat.
    home = rng.integers(0, n_communes, units)
    unit_lat = np.clip(lat[home] + rng.normal(0.0, 0.03, units), *LAT_RANGE)
    unit_lon = np.clip(lon[home] + rng.normal(0.0, 0.03, units), *LON_RANGE)
    sites = tuple(
        Site(f"unit-{i:05d}", float(a), float(b))
        for i, (a, b) in enumerate(zip(unit_lat, unit_lon, strict=True))
    )
    n_sites = units

    n_res = len(RESOURCES)
    popularity = 1.0 / np.arange(1, n_res + 1) ** 0.7
    popularity /= popularity.sum()
    # Supply relative to demand differs per resource: some are scarce, some plentiful.
    abundance = rng.uniform(0.5, 1.6, n_res)

    n_offers = entries // 2
    n_needs = entries - n_offers
    offer_res = rng.choice(n_res, n_offers, p=popularity)
    need_res = rng.choice(n_res, n_needs, p=popularity)
    offer_site = rng.integers(0, n_sites, n_offers)
    need_site = rng.integers(0, n_sites, n_needs)
    offer_qty = np.maximum(
        1, np.rint(rng.lognormal(math.log(50), 1.0, n_offers) * abundance[offer_res])
    )
    need_qty = np.maximum(1, np.rint(rng.lognormal(math.log(50), 1.0, n_needs)))
    weight = rng.integers(1, 11, n_needs)  # priority 1 (nice to have) .. 10 (vital)
    offers = tuple(
        Offer(f"o{i}", sites[offer_site[i]].id, RESOURCES[offer_res[i]], float(offer_qty[i]))
        for i in range(n_offers)
    )
    needs = tuple(
        Need(
            f"n{i}",
            sites[need_site[i]].id,
            RESOURCES[need_res[i]],
            float(need_qty[i]),
            float(weight[i]),
        )
        for i in range(n_needs)
    )
    # 0.005 per unit and km: a vital need (weight 10) may be served from 2,000 km away,
    # a need of weight 1 only from within 200 km.
    return AllocationProblem(sites, offers, needs, 0.005, max_distance_km)


def check_feasible(problem: AllocationProblem, result: AllocationResult) -> float:
    """Largest violation of an offer or need capacity (0 when feasible)."""
    sent: dict[object, float] = {}
    got: dict[object, float] = {}
    for flow in result.flows:
        sent[flow.offer] = sent.get(flow.offer, 0.0) + flow.offer_quantity
        got[flow.need] = got.get(flow.need, 0.0) + flow.quantity
    worst = 0.0
    for offer in problem.offers:
        worst = max(worst, sent.get(offer.id, 0.0) - offer.quantity)
    for need in problem.needs:
        worst = max(worst, got.get(need.id, 0.0) - need.quantity)
    return worst


def measure(
    func: Callable[[AllocationProblem], AllocationResult], problem: AllocationProblem
) -> tuple[AllocationResult, float, float, float]:
    """Run once for time (no tracing), once under tracemalloc for the Python peak (MiB).

    Returns the result, wall-clock seconds, CPU seconds of the process and peak MiB.
    """
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    result = func(problem)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    gc.collect()
    tracemalloc.start()
    func(problem)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, cpu, peak / 2**20


def maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000, help="offers + needs")
    parser.add_argument("--units", type=int, default=20_000, help="productive units (sites)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "allocation.md")
    options = parser.parse_args(argv)

    rows = []
    for max_km in (None, 300.0):
        build_start = time.perf_counter()
        problem = build_problem(options.entries, max_km, options.units)
        build_seconds = time.perf_counter() - build_start
        lp, lp_seconds, lp_cpu, lp_peak = measure(solve_allocation, problem)
        gc.collect()
        start, cpu = time.perf_counter(), time.process_time()
        threaded = solve_allocation(problem, workers=2)
        lp2_seconds, lp2_cpu = time.perf_counter() - start, time.process_time() - cpu
        assert threaded.objective == lp.objective
        greedy, greedy_seconds, _, greedy_peak = measure(greedy_nearest_supplier, problem)
        assert lp.upper_bound is not None
        gap = lp.upper_bound - lp.objective
        demand = sum(n.quantity for n in problem.needs)
        met_lp = demand - sum(u.quantity for u in lp.unmet)
        met_greedy = demand - sum(u.quantity for u in greedy.unmet)
        reasons: dict[str, float] = {}
        for unmet in lp.unmet:
            reasons[unmet.reason] = reasons.get(unmet.reason, 0.0) + unmet.quantity
        row = {
            "limit": "none" if max_km is None else f"{max_km:g} km",
            "build": build_seconds,
            "lp_s": lp_seconds,
            "lp_cpu": lp_cpu,
            "lp2_s": lp2_seconds,
            "lp2_cpu": lp2_cpu,
            "lp_peak": lp_peak,
            "lp_obj": lp.objective,
            "bound": lp.upper_bound,
            "gap": gap,
            "rel_gap": gap / max(1.0, abs(lp.objective)),
            "lp_viol": check_feasible(problem, lp),
            "greedy_s": greedy_seconds,
            "greedy_peak": greedy_peak,
            "greedy_obj": greedy.objective,
            "greedy_viol": check_feasible(problem, greedy),
            "ratio": lp.objective / greedy.objective if greedy.objective else math.inf,
            "met_lp": met_lp / demand,
            "met_greedy": met_greedy / demand,
            "flows": len(lp.flows),
            "candidates": lp.stats.candidate_pairs,
            "columns": lp.stats.columns,
            "rounds": lp.stats.pricing_rounds,
            "reasons": reasons,
            "scarce": [s.resource for s in lp.scarce_resources[:5]],
            "status": lp.status,
        }
        rows.append(row)
        print(
            f"max distance {row['limit']}: LP {lp_seconds:.2f} s, objective {lp.objective:,.1f}"
            f" (bound gap {gap:.2e}), greedy {greedy_seconds:.2f} s,"
            f" objective {greedy.objective:,.1f}, ratio {row['ratio']:.4f}",
            flush=True,
        )

    write_report(options.out, options.entries, rows, options.units)
    print(f"report written to {options.out}")
    return 0


def write_report(
    out: Path, entries: int, rows: list[dict[str, object]], units: int = 20_000
) -> None:
    import highspy  # only for the version line

    def f(value: object, spec: str) -> str:
        return format(value, spec)

    lines = [
        "# Allocation benchmark: national supply cycle",
        "",
        f"Generated by `bench/allocation_bench.py` on {time.strftime('%Y-%m-%d %H:%M %Z')}.",
        "",
        "## Instance",
        "",
        f"Synthetic and deterministic (seed {SEED}): 3,000 communes (70 % clustered around the",
        "24 state capitals, 30 % uniform over lon -73.3..-59.8, lat 0.7..12.4),",
        f"{units:,} productive units as the sites (each in a commune, about 3 km from its",
        "seat; offers and needs are posted by units), 60 resources",
        "with Zipf-like popularity (exponent 0.7; the most popular resource has about",
        f"{int(100 / sum(1 / k**0.7 for k in range(1, 61)))} % of the entries), "
        f"{entries // 2:,} offers and {entries - entries // 2:,} needs",
        "(lognormal quantities, median 50 units; supply scaled per resource by 0.5..1.6),",
        "need weights 1..10, cost 0.005 per unit and km.",
        "",
        "## Results",
        "",
        "| max distance | LP solve, 1 thread: wall (CPU) s | LP solve, 2 threads: wall (CPU) s "
        "| LP peak Python memory (MiB) | LP objective "
        "| dual bound - objective | capacity violation | greedy (s) | greedy objective "
        "| LP / greedy | demand met LP | demand met greedy |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines.extend(
        f"| {r['limit']} | {f(r['lp_s'], '.2f')} ({f(r['lp_cpu'], '.2f')}) "
        f"| {f(r['lp2_s'], '.2f')} ({f(r['lp2_cpu'], '.2f')}) "
        f"| {f(r['lp_peak'], '.0f')} "
        f"| {f(r['lp_obj'], ',.1f')} | {f(r['gap'], '.2e')} | {f(r['lp_viol'], '.1e')} "
        f"| {f(r['greedy_s'], '.2f')} | {f(r['greedy_obj'], ',.1f')} "
        f"| {f(r['ratio'], '.4f')} | {f(r['met_lp'], '.1%')} | {f(r['met_greedy'], '.1%')} |"
        for r in rows
    )
    lines += [
        "",
        "| max distance | status | worthwhile pairs | LP columns generated | pricing rounds "
        "(max per resource) | flows | unmet quantity by reason | top scarce resources |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        reasons = r["reasons"]
        assert isinstance(reasons, dict)
        reason_text = ", ".join(f"{k} {v:,.0f}" for k, v in sorted(reasons.items()))
        scarce = r["scarce"]
        assert isinstance(scarce, list)
        lines.append(
            f"| {r['limit']} | {r['status']} | {f(r['candidates'], ',')} "
            f"| {f(r['columns'], ',')} | {r['rounds']} | {f(r['flows'], ',')} "
            f"| {reason_text} | {', '.join(map(str, scarce))} |"
        )
    lines += [
        "",
        f"Process peak resident memory (ru_maxrss, whole run): {maxrss_mib():.0f} MiB.",
        "",
        "Times are wall-clock for one call of `solve_allocation` (`workers=1`, and `workers=2`:",
        "two resources solved at a time in threads) / `greedy_nearest_supplier`",
        "(validation, grouping, solving and building the result), measured without tracing;",
        "CPU is the process's CPU time over the same call (both threads count): on this shared",
        "machine a wall time far above the CPU time means other work held the cores.",
        "the peak Python memory comes from a second call under `tracemalloc` (numpy buffers",
        "included, HiGHS's native memory not). The dual bound proves optimality: it is an",
        "upper bound on the optimum of the full problem (all pairs), built from the final duals.",
        "",
        "Budget (DESIGN.md): proven optimal in under 30 s on 2 cores.",
        "",
        "## Machine",
        "",
        f"- platform: {platform.platform()}",
        "- load average (1, 5, 15 min) at the end of the run: "
        + (", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a")
        + " (the machine is shared with other work)",
        f"- processor: {platform.processor() or platform.machine()}",
        f"- CPUs visible: {os.cpu_count()}"
        + (f", usable: {len(os.sched_getaffinity(0))}" if hasattr(os, "sched_getaffinity") else ""),
        f"- Python: {platform.python_version()} ({platform.python_implementation()})",
        f"- highspy: {metadata.version('highspy')} (HiGHS {highspy.HIGHS_VERSION_MAJOR}."
        f"{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH})",
        f"- numpy: {np.__version__}",
        "",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
