"""Vehicle routing (capacities, time windows, shifts) with PyVRP.

Two entry points share one solver loop:

* :func:`solve_routes` plans the platform's routes (rubbish collection, water tankers):
  a depot, vehicles with a capacity and a shift, stops with a demand, an optional time window
  and a service time. Road distances are great-circle distances times a road factor, unless
  an explicit distance matrix is given; durations follow from a constant speed.
* :func:`solve_instance` solves a VRPLIB / CVRPLIB benchmark file (CVRP or VRPTW) and reports
  its cost in the instance's own convention, so it can be compared with best-known solutions.

Both run PyVRP's iterated local search on one core for a fixed time limit and seed; the same
seed and time give the same search, but how far it gets depends on the machine's speed.

Progress: PyVRP 0.14 calls back after every iteration (``IteratedLocalSearchCallbacks``); the
engine forwards this, at most once per ``progress_interval`` seconds (and once at the end), to
an optional ``progress`` callable with the elapsed time, the best cost so far (``None`` while
no feasible solution is known) and the number of iterations. Iterations take milliseconds, so
the callable is called about once a second.

Integer data. PyVRP works with integers. In :func:`solve_routes` distances are metres and
times are seconds; costs are counted in units such that the cheapest vehicle pays 10 per
metre (other vehicles' km costs keep their ratio to within 5 %, fixed costs are scaled alike).
Reported figures are converted back to km, minutes and money from the unrounded distances. For
benchmark instances, see :func:`solve_instance` for the two rounding conventions.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pyvrp
import vrplib  # type: ignore[import-untyped,unused-ignore]  # no type information
from pyvrp.stop import MaxRuntime

from comuna.engines.geo import haversine_km_matrix

Id: TypeAlias = str | int
Convention: TypeAlias = Literal["round", "dimacs"]
FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]

__all__ = [
    "BestKnown",
    "Depot",
    "InstanceSolution",
    "PlannedRoute",
    "PlannedStop",
    "Progress",
    "RoutingError",
    "RoutingInputError",
    "RoutingProblem",
    "RoutingSolution",
    "Stop",
    "Vehicle",
    "VrpInstance",
    "check_routes",
    "cli",
    "gap_percent",
    "instance_cost",
    "load_instance",
    "read_best_known",
    "savings_routes",
    "solve_instance",
    "solve_routes",
]


class RoutingError(Exception):
    """Base class of the errors raised by the routing engine."""


class RoutingInputError(RoutingError):
    """The routing problem or instance file is malformed; the message says what is wrong."""


# --------------------------------------------------------------------------------------------
# Progress reporting, shared by both entry points
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of the search: elapsed seconds, best feasible cost (or None), iterations."""

    elapsed_s: float
    best_cost: float | None
    iterations: int


ProgressCallback: TypeAlias = Callable[[Progress], None]


class _Reporter(pyvrp.IteratedLocalSearchCallbacks):
    """Forwards PyVRP's per-iteration callback to ``progress``, throttled in time."""

    def __init__(
        self,
        progress: ProgressCallback | None,
        interval: float,
        to_cost: Callable[[pyvrp.Solution], float],
    ) -> None:
        self._progress = progress
        self._interval = interval
        self._to_cost = to_cost
        self._start = time.perf_counter()
        self._last = -math.inf
        self._iterations = 0
        self._best: pyvrp.Solution | None = None

    def _emit(self) -> None:
        if self._progress is None:
            return
        best = self._best
        cost = self._to_cost(best) if best is not None and best.is_feasible() else None
        self._progress(Progress(time.perf_counter() - self._start, cost, self._iterations))

    def on_start(self, ils: pyvrp.IteratedLocalSearch) -> None:
        self._start = time.perf_counter()
        self._best = ils.initial_solution

    def on_iteration(
        self,
        current: pyvrp.Solution,
        candidate: pyvrp.Solution,
        best: pyvrp.Solution,
        cost_evaluator: pyvrp.CostEvaluator,
    ) -> None:
        self._iterations += 1
        self._best = best
        now = time.perf_counter()
        if now - self._last >= self._interval:
            self._last = now
            self._emit()

    def on_end(self, result: pyvrp.Result) -> None:
        self._best = result.best
        self._emit()


def _run(
    data: pyvrp.ProblemData,
    time_limit: float,
    seed: int,
    progress: ProgressCallback | None,
    progress_interval: float,
    to_cost: Callable[[pyvrp.Solution], float],
) -> pyvrp.Result:
    if not math.isfinite(time_limit) or time_limit <= 0:
        raise RoutingInputError(
            f"The time limit must be a positive number of seconds, not {time_limit!r}."
        )
    reporter = _Reporter(progress, progress_interval, to_cost)
    params = pyvrp.SolveParams(ils=pyvrp.IteratedLocalSearchParams(callbacks=reporter))
    return pyvrp.solve(
        data,
        stop=MaxRuntime(time_limit),
        seed=seed,
        collect_stats=False,
        display=False,
        params=params,
    )


# --------------------------------------------------------------------------------------------
# Platform problems: depot, vehicles, stops on the map
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Depot:
    """Where every vehicle starts and ends (decimal degrees)."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One vehicle. Times are minutes from the start of the planning day.

    The vehicle may leave the depot at ``shift_start_min`` at the earliest and must be back
    by ``shift_end_min``. A route costs ``fixed_cost`` plus ``cost_per_km`` per km.
    """

    id: Id
    capacity: int
    shift_start_min: float = 0.0
    shift_end_min: float = 24 * 60.0
    cost_per_km: float = 1.0
    fixed_cost: float = 0.0


@dataclass(frozen=True, slots=True)
class Stop:
    """A place to serve: ``demand`` units picked up or delivered, ``service_min`` on site.

    ``window`` (minutes from the start of the day) bounds when service may start; arriving
    early means waiting.
    """

    id: Id
    lat: float
    lon: float
    demand: int = 0
    service_min: float = 0.0
    window: tuple[float, float] | None = None


@dataclass(frozen=True)
class RoutingProblem:
    """A route plan to compute.

    Distances are great-circle km times ``road_factor``, unless ``distance_km`` is given: a
    square matrix of road km over ``[depot, *stops]`` (row = from, column = to), used as is.
    Travel times are distance / ``speed_kmh``.
    """

    depot: Depot
    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    speed_kmh: float = 30.0
    road_factor: float = 1.3
    distance_km: tuple[tuple[float, ...], ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "vehicles", tuple(self.vehicles))
        object.__setattr__(self, "stops", tuple(self.stops))
        if self.distance_km is not None:
            object.__setattr__(self, "distance_km", tuple(tuple(row) for row in self.distance_km))


@dataclass(frozen=True, slots=True)
class PlannedStop:
    """A visit: arrival, start of service (after any wait) and departure, in minutes."""

    stop: Id
    arrival_min: float
    service_start_min: float
    departure_min: float
    load_after: int


@dataclass(frozen=True, slots=True)
class PlannedRoute:
    """One vehicle's route: ordered visits, load carried, km, times (minutes) and cost.

    ``time_warp_min`` and ``excess_load`` are zero in a feasible plan; otherwise they say by
    how much a time window or shift is missed, or the capacity exceeded.
    """

    vehicle: Id
    visits: tuple[PlannedStop, ...]
    load: int
    distance_km: float
    start_min: float
    end_min: float
    cost: float
    time_warp_min: float
    excess_load: int

    @property
    def stop_ids(self) -> tuple[Id, ...]:
        return tuple(visit.stop for visit in self.visits)


@dataclass(frozen=True, slots=True)
class RoutingSolution:
    """The best plan found. ``feasible`` is False when no plan met every constraint."""

    feasible: bool
    cost: float
    distance_km: float
    routes: tuple[PlannedRoute, ...]
    iterations: int
    runtime_s: float


_METRE = 1000.0  # metres per km
_COST_STEPS = 10  # internal cost units per metre for the cheapest vehicle
_LARGEST = 1e9  # bound on every number of a platform problem, so PyVRP's int64 cannot overflow


def _check_finite(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RoutingInputError(f"{what} must be a finite number, not {value!r}.")
    try:
        number = float(value)
    except OverflowError:
        raise RoutingInputError(f"{what} is too large: {value!r}.") from None
    if not math.isfinite(number):
        raise RoutingInputError(f"{what} must be a finite number, not {value!r}.")
    if abs(number) > _LARGEST:
        raise RoutingInputError(f"{what} is too large: {value!r} (at most {_LARGEST:g}).")
    return number


def _validate_problem(problem: RoutingProblem) -> None:
    def check_place(what: str, lat: object, lon: object) -> None:
        if abs(_check_finite(lat, f"{what}: lat")) > 90:
            raise RoutingInputError(f"{what}: lat {lat!r} is outside [-90, 90].")
        if abs(_check_finite(lon, f"{what}: lon")) > 180:
            raise RoutingInputError(f"{what}: lon {lon!r} is outside [-180, 180].")

    check_place("Depot", problem.depot.lat, problem.depot.lon)
    if _check_finite(problem.speed_kmh, "speed_kmh") <= 0:
        raise RoutingInputError(f"speed_kmh must be positive, not {problem.speed_kmh!r}.")
    if _check_finite(problem.road_factor, "road_factor") <= 0:
        raise RoutingInputError(f"road_factor must be positive, not {problem.road_factor!r}.")
    if problem.stops and not problem.vehicles:
        raise RoutingInputError("There are stops to serve but no vehicles.")
    seen: set[Id] = set()
    for vehicle in problem.vehicles:
        what = f"Vehicle {vehicle.id!r}"
        if vehicle.id in seen:
            raise RoutingInputError(f"{what} is listed twice.")
        seen.add(vehicle.id)
        if isinstance(vehicle.capacity, bool) or not isinstance(vehicle.capacity, int):
            raise RoutingInputError(f"{what}: capacity must be a whole number.")
        if not 0 <= vehicle.capacity <= _LARGEST:
            raise RoutingInputError(f"{what}: capacity must be between 0 and {_LARGEST:g}.")
        start = _check_finite(vehicle.shift_start_min, f"{what}: shift_start_min")
        end = _check_finite(vehicle.shift_end_min, f"{what}: shift_end_min")
        if end < start:
            raise RoutingInputError(
                f"{what}: the shift ends ({end:g}) before it starts ({start:g})."
            )
        if start < 0:
            raise RoutingInputError(f"{what}: shift_start_min must not be negative.")
        if _check_finite(vehicle.cost_per_km, f"{what}: cost_per_km") < 0:
            raise RoutingInputError(f"{what}: cost_per_km must not be negative.")
        if _check_finite(vehicle.fixed_cost, f"{what}: fixed_cost") < 0:
            raise RoutingInputError(f"{what}: fixed_cost must not be negative.")
    largest = max((v.capacity for v in problem.vehicles), default=0)
    seen = set()
    for stop in problem.stops:
        what = f"Stop {stop.id!r}"
        if stop.id in seen:
            raise RoutingInputError(f"{what} is listed twice.")
        seen.add(stop.id)
        check_place(what, stop.lat, stop.lon)
        if isinstance(stop.demand, bool) or not isinstance(stop.demand, int) or stop.demand < 0:
            raise RoutingInputError(f"{what}: demand must be a whole number >= 0.")
        if stop.demand > largest:
            raise RoutingInputError(
                f"{what}: demand {stop.demand} exceeds the largest vehicle capacity {largest}."
            )
        if _check_finite(stop.service_min, f"{what}: service_min") < 0:
            raise RoutingInputError(f"{what}: service_min must not be negative.")
        if stop.window is not None:
            if len(stop.window) != 2:
                raise RoutingInputError(f"{what}: window must be a pair (earliest, latest).")
            early = _check_finite(stop.window[0], f"{what}: window start")
            late = _check_finite(stop.window[1], f"{what}: window end")
            if late < early or early < 0:
                raise RoutingInputError(
                    f"{what}: window ({early:g}, {late:g}) must satisfy 0 <= start <= end."
                )
    if problem.distance_km is not None:
        size = len(problem.stops) + 1
        if len(problem.distance_km) != size or any(len(r) != size for r in problem.distance_km):
            raise RoutingInputError(
                f"distance_km must be a {size} x {size} matrix over the depot and the stops."
            )
        for i, row in enumerate(problem.distance_km):
            for j, value in enumerate(row):
                if _check_finite(value, f"distance_km[{i}][{j}]") < 0:
                    raise RoutingInputError(f"distance_km[{i}][{j}] must not be negative.")


def _road_km(problem: RoutingProblem) -> FloatArray:
    if problem.distance_km is not None:
        km = np.array(problem.distance_km, dtype=np.float64)
        np.fill_diagonal(km, 0.0)
        return km
    lat = np.array([problem.depot.lat, *(s.lat for s in problem.stops)], dtype=np.float64)
    lon = np.array([problem.depot.lon, *(s.lon for s in problem.stops)], dtype=np.float64)
    km = haversine_km_matrix(lat, lon, lat, lon) * float(problem.road_factor)
    np.fill_diagonal(km, 0.0)
    return km


def _seconds(minutes: float) -> int:
    return round(minutes * 60.0)


def solve_routes(
    problem: RoutingProblem,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    progress_interval: float = 1.0,
) -> RoutingSolution:
    """Plan routes that serve every stop at least cost (vehicle fixed costs plus km costs).

    Runs PyVRP for ``time_limit`` seconds with ``seed``. Raises :class:`RoutingInputError`
    when the problem is malformed. If no feasible plan is found (too few vehicles, windows
    that cannot be met), the best plan is returned with ``feasible=False`` and its routes
    show the time warp and excess load.
    """
    _validate_problem(problem)
    started = time.perf_counter()
    if not problem.stops:
        return RoutingSolution(True, 0.0, 0.0, (), 0, 0.0)
    km = _road_km(problem)
    metres = np.rint(km * _METRE).astype(np.int64)
    seconds = np.rint(km / float(problem.speed_kmh) * 3600.0).astype(np.int64)

    # Integer costs: the cheapest vehicle pays _COST_STEPS units per metre. Keeping costs
    # near the scale of metres and seconds lets PyVRP's penalties for excess load and time
    # warp (per unit and second, capped at 1e5) outweigh any saving in distance.
    cheapest = min((v.cost_per_km for v in problem.vehicles if v.cost_per_km > 0), default=1.0)
    money_per_unit = cheapest / _METRE / _COST_STEPS
    model_vehicles: dict[tuple[int, int, int, int, int], list[Vehicle]] = {}
    for vehicle in problem.vehicles:
        key = (
            vehicle.capacity,
            _seconds(vehicle.shift_start_min),
            _seconds(vehicle.shift_end_min),
            round(vehicle.cost_per_km / _METRE / money_per_unit),
            round(vehicle.fixed_cost / money_per_unit),
        )
        model_vehicles.setdefault(key, []).append(vehicle)
        if key[3] > 10**6 * _COST_STEPS or key[4] > 10**6 * _COST_STEPS * _METRE:
            raise RoutingInputError(
                f"Vehicle {vehicle.id!r}: its cost per km (or fixed cost) is out of scale with "
                "the cheapest vehicle's cost per km (a factor above a million); use comparable "
                "costs."
            )

    depot = pyvrp.Depot(location=0)
    clients = []
    for pos, stop in enumerate(problem.stops, start=1):
        early, late = (0, np.iinfo(np.int64).max)
        if stop.window is not None:
            early, late = _seconds(stop.window[0]), _seconds(stop.window[1])
        clients.append(
            pyvrp.Client(
                location=pos,
                delivery=[stop.demand],
                service_duration=_seconds(stop.service_min),
                tw_early=early,
                tw_late=late,
                name=str(stop.id),
            )
        )
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=len(group),
            capacity=[capacity],
            tw_early=start,
            tw_late=end,
            unit_distance_cost=unit_cost,
            fixed_cost=fixed,
        )
        for (capacity, start, end, unit_cost, fixed), group in model_vehicles.items()
    ]
    locations = [pyvrp.Location(x=0.0, y=0.0) for _ in range(len(problem.stops) + 1)]
    matrices: list[Any] = [metres, seconds]  # PyVRP's stub types them as ndarray[int]
    data = pyvrp.ProblemData(
        locations, clients, [depot], vehicle_types, matrices[:1], matrices[1:], [], []
    )

    def to_cost(solution: pyvrp.Solution) -> float:
        return (solution.distance_cost() + solution.fixed_vehicle_cost()) * money_per_unit

    result = _run(data, time_limit, seed, progress, progress_interval, to_cost)
    groups = list(model_vehicles.values())
    used = [0] * len(groups)
    routes: list[PlannedRoute] = []
    for route in result.best.routes():
        type_idx = route.vehicle_type()
        vehicle = groups[type_idx][used[type_idx]]
        used[type_idx] += 1
        routes.append(_planned_route(problem, vehicle, route, km))
    return RoutingSolution(
        feasible=result.best.is_feasible(),
        cost=math.fsum(r.cost for r in routes),
        distance_km=math.fsum(r.distance_km for r in routes),
        routes=tuple(routes),
        iterations=result.num_iterations,
        runtime_s=time.perf_counter() - started,
    )


def _planned_route(
    problem: RoutingProblem, vehicle: Vehicle, route: pyvrp.Route, km: FloatArray
) -> PlannedRoute:
    visits: list[PlannedStop] = []
    load = 0
    previous = 0
    distance = 0.0
    for activity in route.schedule():
        if not activity.is_client():
            continue
        stop = problem.stops[activity.idx]
        load += stop.demand
        distance += float(km[previous, activity.idx + 1])
        previous = activity.idx + 1
        visits.append(
            PlannedStop(
                stop=stop.id,
                arrival_min=(activity.start_time - activity.wait_duration) / 60.0,
                service_start_min=activity.start_time / 60.0,
                departure_min=activity.end_time / 60.0,
                load_after=load,
            )
        )
    distance += float(km[previous, 0])
    return PlannedRoute(
        vehicle=vehicle.id,
        visits=tuple(visits),
        load=load,
        distance_km=distance,
        start_min=route.start_time() / 60.0,
        end_min=route.end_time() / 60.0,
        cost=vehicle.fixed_cost + vehicle.cost_per_km * distance,
        time_warp_min=route.time_warp() / 60.0,
        excess_load=sum(route.excess_load()),
    )


# --------------------------------------------------------------------------------------------
# Benchmark instances (VRPLIB / CVRPLIB)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class VrpInstance:
    """A single-depot VRPLIB instance. Node 0 is the depot; customer ``j`` is node ``j``.

    ``weights`` are the edge weights in integer units of the convention: for ``"round"``
    (CVRPLIB X instances) each Euclidean distance rounded to the nearest integer; for
    ``"dimacs"`` (Solomon VRPTW instances) each distance truncated to one decimal and
    multiplied by 10 (so 77.58... becomes 775). ``scale`` is 1 or 10 accordingly, and
    service times and time windows are in the same scaled units (durations equal distances).
    """

    name: str
    path: Path
    convention: Convention
    scale: int
    capacity: int
    demands: IntArray
    weights: IntArray
    service: IntArray
    windows: IntArray | None
    vehicles: int | None

    @property
    def customers(self) -> int:
        return int(self.demands.size) - 1


# What vrplib and PyVRP raise on malformed files (vrplib signals a bad layout with RuntimeError).
_PARSE_ERRORS = (
    OSError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    RuntimeError,
    UnicodeDecodeError,
)


def _convert(values: npt.ArrayLike, convention: Convention) -> IntArray:
    array = np.asarray(values, dtype=np.float64)
    if convention == "round":
        rounded: IntArray = np.round(array).astype(np.int64)
        return rounded
    truncated: IntArray = (10.0 * array).astype(np.int64)
    return truncated


def load_instance(path: str | Path, convention: Convention | None = None) -> VrpInstance:
    """Read a single-depot CVRP or VRPTW instance in VRPLIB format.

    The convention defaults to ``"dimacs"`` when the instance has time windows (Solomon
    instances are scored with distances truncated to one decimal) and ``"round"`` otherwise
    (CVRPLIB scores X instances with distances rounded to the nearest integer).
    Raises :class:`RoutingInputError` when the file is missing or malformed.
    """
    file = Path(path)
    if not file.is_file():
        raise RoutingInputError(f"{file}: no such instance file.")
    try:
        raw = vrplib.read_instance(str(file))
        if not isinstance(raw, dict):
            raise RoutingInputError(f"{file}: not a readable VRPLIB instance.")
        return _instance_from(raw, file, convention)
    except _PARSE_ERRORS as exc:
        raise RoutingInputError(f"{file}: not a readable VRPLIB instance ({exc}).") from exc


def _instance_from(raw: dict[str, Any], file: Path, convention: Convention | None) -> VrpInstance:
    for key in ("dimension", "capacity", "demand", "edge_weight"):
        if key not in raw:
            raise RoutingInputError(f"{file}: the instance has no {key.upper()} information.")
    depot = np.atleast_1d(np.asarray(raw.get("depot", [0])))
    if depot.size != 1 or int(depot[0]) != 0:
        raise RoutingInputError(f"{file}: only single-depot instances with the depot as node 1.")
    dimension = int(raw["dimension"])
    if dimension < 2:
        raise RoutingInputError(f"{file}: the instance has no customers.")
    windows_raw = raw.get("time_window")
    if convention is None:
        convention = "dimacs" if windows_raw is not None else "round"
    demands = np.asarray(raw["demand"], dtype=np.int64).reshape(-1)
    weights_raw = np.asarray(raw["edge_weight"], dtype=np.float64)
    if demands.size != dimension or weights_raw.shape != (dimension, dimension):
        raise RoutingInputError(f"{file}: DIMENSION does not match the data sections.")
    if not np.isfinite(weights_raw).all() or (weights_raw < 0).any():
        raise RoutingInputError(f"{file}: coordinates or edge weights are not finite numbers.")
    if (demands < 0).any():
        raise RoutingInputError(f"{file}: demands must not be negative.")
    capacity = int(np.asarray(raw["capacity"]).reshape(-1)[0])
    if capacity <= 0:
        raise RoutingInputError(f"{file}: CAPACITY must be positive.")
    service_raw = raw.get("service_time", 0)
    if np.ndim(service_raw) == 0:
        service_full = np.full(dimension, float(service_raw))
        service_full[0] = 0.0
    else:
        service_full = np.asarray(service_raw, dtype=np.float64).reshape(-1)
    if service_full.size != dimension or (service_full < 0).any():
        raise RoutingInputError(f"{file}: service times must be {dimension} numbers >= 0.")
    windows = None
    if windows_raw is not None:
        windows = _convert(windows_raw, convention).reshape(dimension, 2)
        if (windows[:, 0] > windows[:, 1]).any():
            raise RoutingInputError(f"{file}: a time window ends before it starts.")
    vehicles = raw.get("vehicles")
    if vehicles is not None and int(vehicles) < 1:
        raise RoutingInputError(f"{file}: VEHICLES must be at least 1.")
    return VrpInstance(
        name=str(raw.get("name", file.stem)).strip(),
        path=file,
        convention=convention,
        scale=1 if convention == "round" else 10,
        capacity=capacity,
        demands=demands,
        weights=_convert(weights_raw, convention),
        service=_convert(service_full, convention),
        windows=windows,
        vehicles=None if vehicles is None else int(vehicles),
    )


@dataclass(frozen=True, slots=True)
class BestKnown:
    """A reference solution from a ``.sol`` file: routes of customer numbers and its cost."""

    routes: tuple[tuple[int, ...], ...]
    cost: float


_ROUTE_LINE = re.compile(r"^\s*Route\s*#\s*\d+\s*:(.*)$", re.IGNORECASE)
_COST_LINE = re.compile(r"^\s*Cost\s+([-+0-9.eE]+)\s*$", re.IGNORECASE)


def read_best_known(path: str | Path) -> BestKnown:
    """Read a VRPLIB ``.sol`` file (``Route #i: c1 c2 ...`` lines and a ``Cost`` line)."""
    file = Path(path)
    routes: list[tuple[int, ...]] = []
    cost: float | None = None
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RoutingInputError(f"{file}: cannot read the solution file ({exc}).") from exc
    for line in text.splitlines():
        if match := _ROUTE_LINE.match(line):
            try:
                routes.append(tuple(int(token) for token in match.group(1).split()))
            except ValueError as exc:
                raise RoutingInputError(f"{file}: bad route line {line.strip()!r}.") from exc
        elif match := _COST_LINE.match(line):
            cost = float(match.group(1))
    if cost is None or not routes:
        raise RoutingInputError(f"{file}: no routes or no Cost line.")
    return BestKnown(tuple(routes), cost)


def _to_convention(instance: VrpInstance, scaled: int) -> float:
    return scaled / instance.scale if instance.scale != 1 else float(scaled)


def instance_cost(instance: VrpInstance, routes: Sequence[Sequence[int]]) -> float:
    """Total distance of ``routes`` (customer numbers) in the instance's own convention."""
    total = 0
    for route in routes:
        nodes = [0, *route, 0]
        total += int(instance.weights[nodes[:-1], nodes[1:]].sum())
    return _to_convention(instance, total)


def check_routes(instance: VrpInstance, routes: Sequence[Sequence[int]]) -> list[str]:
    """Describe every violated constraint (coverage, capacity, time windows); empty if none."""
    problems: list[str] = []
    n = instance.customers
    visits = [c for route in routes for c in route]
    if any(c < 1 or c > n for c in visits):
        problems.append(f"customer numbers must be between 1 and {n}")
    else:
        counts = np.bincount(np.asarray(visits, dtype=np.int64), minlength=n + 1)[1:]
        if (counts != 1).any():
            missing = (np.flatnonzero(counts == 0) + 1).tolist()
            twice = (np.flatnonzero(counts > 1) + 1).tolist()
            problems.append(
                f"every customer must be visited exactly once: missing {missing[:10]}, "
                f"repeated {twice[:10]}"
            )
    if instance.vehicles is not None and len(routes) > instance.vehicles:
        problems.append(f"{len(routes)} routes but only {instance.vehicles} vehicles")
    for number, route in enumerate(routes, start=1):
        load = int(sum(int(instance.demands[c]) for c in route if 1 <= c <= n))
        if load > instance.capacity:
            problems.append(f"route {number} carries {load} > capacity {instance.capacity}")
        if instance.windows is None or any(c < 1 or c > n for c in route):
            continue
        now = int(instance.windows[0, 0])
        previous = 0
        for customer in route:
            now += int(instance.weights[previous, customer])
            now = max(now, int(instance.windows[customer, 0]))
            if now > instance.windows[customer, 1]:
                problems.append(f"route {number} reaches customer {customer} after its window")
                break
            now += int(instance.service[customer])
            previous = customer
        else:
            now += int(instance.weights[previous, 0])
            if now > instance.windows[0, 1]:
                problems.append(f"route {number} returns to the depot after it closes")
    return problems


@dataclass(frozen=True, slots=True)
class InstanceSolution:
    """The result of :func:`solve_instance`; ``cost`` is in the instance's convention."""

    instance: str
    convention: Convention
    cost: float
    routes: tuple[tuple[int, ...], ...]
    feasible: bool
    time_limit: float
    seed: int
    iterations: int
    runtime_s: float
    bks: float | None = None
    gap_percent: float | None = None
    violations: tuple[str, ...] = field(default=())

    @property
    def vehicles(self) -> int:
        return len(self.routes)


def gap_percent(cost: float, bks: float) -> float:
    """``100 * (cost - bks) / bks``."""
    return 100.0 * (cost - bks) / bks


def solve_instance(
    path: str | Path,
    *,
    time_limit: float = 10.0,
    seed: int = 0,
    convention: Convention | None = None,
    progress: ProgressCallback | None = None,
    progress_interval: float = 1.0,
) -> InstanceSolution:
    """Solve a VRPLIB CVRP/VRPTW instance with PyVRP and score it in its own convention.

    The fleet is unlimited for CVRP (one vehicle per customer is available) and as stated by
    ``VEHICLES`` otherwise. Routes are lists of customer numbers (1-based, depot omitted) as in
    ``.sol`` files, and ``cost`` is recomputed from them with the instance's convention rather
    than taken from PyVRP. When a ``.sol`` file with the same name sits beside the instance,
    its cost is reported as ``bks`` together with the gap.
    """
    instance = load_instance(path, convention)
    try:
        data = pyvrp.read(str(instance.path), round_func=instance.convention)
    except _PARSE_ERRORS as exc:
        raise RoutingInputError(f"{instance.path}: PyVRP cannot read it ({exc}).") from exc
    if data.num_depots != 1 or any(
        client.location != pos for pos, client in enumerate(data.clients(), start=1)
    ):
        raise RoutingInputError(f"{instance.path}: unexpected node layout for a single depot.")

    def to_cost(solution: pyvrp.Solution) -> float:
        return _to_convention(instance, solution.distance())

    result = _run(data, time_limit, seed, progress, progress_interval, to_cost)
    routes = tuple(
        tuple(data.client(activity.idx).location for activity in route if activity.is_client())
        for route in result.best.routes()
    )
    cost = instance_cost(instance, routes)
    violations = tuple(check_routes(instance, routes))
    bks: float | None = None
    gap: float | None = None
    sol = instance.path.with_suffix(".sol")
    if sol.is_file():
        try:
            bks = read_best_known(sol).cost
            gap = gap_percent(cost, bks) if bks else None
        except RoutingInputError:
            bks = None
    return InstanceSolution(
        instance=instance.name,
        convention=instance.convention,
        cost=cost,
        routes=routes,
        feasible=result.best.is_feasible() and not violations,
        time_limit=time_limit,
        seed=seed,
        iterations=result.num_iterations,
        runtime_s=result.runtime,
        bks=bks,
        gap_percent=gap,
        violations=violations,
    )


# --------------------------------------------------------------------------------------------
# Baseline: Clarke and Wright savings
# --------------------------------------------------------------------------------------------


def _route_fits(instance: VrpInstance, route: Sequence[int]) -> bool:
    if instance.windows is None:
        return True
    now = int(instance.windows[0, 0])
    previous = 0
    for customer in route:
        now = max(
            now + int(instance.weights[previous, customer]), int(instance.windows[customer, 0])
        )
        if now > instance.windows[customer, 1]:
            return False
        now += int(instance.service[customer])
        previous = customer
    return bool(now + int(instance.weights[previous, 0]) <= instance.windows[0, 1])


def savings_routes(instance: VrpInstance) -> tuple[tuple[int, ...], ...]:
    """Clarke and Wright's parallel savings construction (1964), the benchmark's baseline.

    Starts from one route per customer and merges routes end to start in decreasing order of
    the saving ``d(0,i) + d(0,j) - d(i,j)``, as long as capacity (and, with time windows,
    every window and the depot's closing time) still holds. Without time windows routes may
    also be reversed to join. Deterministic; no improvement phase.
    """
    n = instance.customers
    w = instance.weights
    route_of = list(range(n + 1))
    routes: dict[int, list[int]] = {c: [c] for c in range(1, n + 1)}
    loads = {c: int(instance.demands[c]) for c in range(1, n + 1)}
    customers = np.arange(1, n + 1)
    i_idx, j_idx = np.meshgrid(customers, customers, indexing="ij")
    mask = i_idx != j_idx if instance.windows is not None else i_idx < j_idx
    i_all, j_all = i_idx[mask], j_idx[mask]
    savings = w[0, i_all] + w[j_all, 0] - w[i_all, j_all]
    order = np.lexsort((j_all, i_all, -savings))
    symmetric = instance.windows is None
    for k in order.tolist():
        if savings[k] <= 0:
            break
        i, j = int(i_all[k]), int(j_all[k])
        ri, rj = route_of[i], route_of[j]
        if ri == rj or loads[ri] + loads[rj] > instance.capacity:
            continue
        a, b = routes[ri], routes[rj]
        if a[-1] == i and b[0] == j:
            merged = a + b
        elif symmetric and a[0] == i and b[-1] == j:
            merged = b + a
        elif symmetric and a[-1] == i and b[-1] == j:
            merged = a + b[::-1]
        elif symmetric and a[0] == i and b[0] == j:
            merged = a[::-1] + b
        else:
            continue
        if not _route_fits(instance, merged):
            continue
        routes[ri] = merged
        loads[ri] += loads.pop(rj)
        del routes[rj]
        for customer in b:
            route_of[customer] = ri
    return tuple(tuple(route) for route in routes.values())


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def solution_to_json(solution: InstanceSolution) -> dict[str, object]:
    """The JSON object printed by ``plan-routes``."""

    def number(value: float) -> float | int:
        if solution.convention == "round" and float(value).is_integer():
            return int(value)
        return round(value, 6)

    payload: dict[str, object] = {
        "instance": solution.instance,
        "cost": number(solution.cost),
        "routes": [list(route) for route in solution.routes],
        "vehicles": solution.vehicles,
        "feasible": solution.feasible,
        "time_limit": solution.time_limit,
        "seed": solution.seed,
        "convention": solution.convention,
        "iterations": solution.iterations,
    }
    if solution.bks is not None:
        payload["bks"] = number(solution.bks)
        payload["gap_percent"] = (
            None if solution.gap_percent is None else round(solution.gap_percent, 4)
        )
    if solution.violations:
        payload["violations"] = list(solution.violations)
    return payload


def cli(argv: list[str] | None = None) -> int:
    """``plan-routes PATH [--time-limit SECONDS] [--seed N]``: solve a VRPLIB instance.

    ``argv`` is the list of arguments after the program name; a leading ``plan-routes`` (the
    sub-command name) is accepted and ignored. Prints one JSON object on stdout; returns 0, or
    2 with a message on stderr when the arguments, path or file are malformed.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "plan-routes":
        args = args[1:]
    parser = argparse.ArgumentParser(
        prog="plan-routes",
        description="Solve a CVRP/VRPTW instance (VRPLIB format) with PyVRP on one core.",
    )
    parser.add_argument("path", help="instance file (.vrp); a .sol beside it gives the BKS")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--progress", action="store_true", help="print the best cost every second on stderr"
    )
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:  # argparse has printed the usage error (code 2) or --help (0)
        return exc.code if isinstance(exc.code, int) else 2
    if not math.isfinite(options.time_limit) or options.time_limit <= 0:
        parser.print_usage(sys.stderr)
        print("plan-routes: error: --time-limit must be a positive number", file=sys.stderr)
        return 2

    def show(progress: Progress) -> None:
        best = "none" if progress.best_cost is None else f"{progress.best_cost:g}"
        print(
            f"{progress.elapsed_s:7.1f} s  best {best}  iterations {progress.iterations}",
            file=sys.stderr,
        )

    try:
        solution = solve_instance(
            options.path,
            time_limit=options.time_limit,
            seed=options.seed,
            progress=show if options.progress else None,
        )
    except RoutingInputError as exc:
        print(f"plan-routes: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(solution_to_json(solution)))
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
