"""Exact allocation of offers to needs (a weighted transportation problem solved with HiGHS).

Model
-----
Sites have a latitude and longitude. Every offer (supply) and need (demand) sits at a site and
names a resource, a quantity and, optionally, a unit. A need also has a *weight*: how much one
unit delivered to it is worth (its priority). Moving one unit over one km costs
``cost_per_unit_km``; pairs farther apart than ``max_distance_km`` (when given) cannot trade.
Distances are great-circle distances on a sphere of radius 6371.0 km (:mod:`.geo`).

With ``x[o, n] >= 0`` the quantity sent from offer ``o`` to need ``n`` (in the resource's base
unit), the engine solves::

    maximise   sum_(o,n)  (w_n - c * km(o, n)) * x[o, n]
    subject to sum_n x[o, n] <= supply_o        (one row per offer)
               sum_o x[o, n] <= demand_n        (one row per need)

where ``w_n`` is the need's weight per base unit and ``c`` is ``cost_per_unit_km``. The reported
objective is therefore ``sum(weight x delivered) - cost_per_unit_km x quantity x km``.

Units. Offers and needs may carry a unit. A conversion table ``{unit: (base_unit, factor)}``
(for example ``{"sack": ("kg", 40.0)}``) turns every quantity into the base unit of its resource;
a unit absent from the table is its own base unit. All entries of one resource must end up in
the same base unit (or all have no unit), otherwise :class:`AllocationInputError` names the
clashing entries. ``cost_per_unit_km`` is per base unit and km; a need's weight is per unit of
the need's own unit (so a weight of 2 on a need in sacks of 40 kg is worth 0.05 per kg). Flows
are continuous in the base unit: a sack may be split.

Method and proof of optimality
------------------------------
1. Only pairs of the same resource (after unit conversion) can trade, so the problem splits
   into one independent transportation problem per resource; each is solved on its own.
2. A pair whose margin ``w_n - c * km`` is not positive, or that lies beyond the maximum
   distance, is left out. Leaving out non-positive margins is exact: for any dual prices
   ``u_o, v_n >= 0`` such a column has reduced profit ``margin - u_o - v_n <= 0``, so some
   optimal solution never uses it (shipping it would add nothing or lose value). Needs that
   are only reachable through such pairs are reported as ``not_worthwhile``.
3. Even so, one resource can have millions of worthwhile pairs (the national benchmark has
   17 million in all), so each resource is solved by *column generation*: the restricted LP
   starts with, for every need, its 4 best offers and, for every offer, its 2 best needs (by
   margin), built in bulk (``addRows``/``addCols`` with numpy arrays). HiGHS solves it with
   the simplex method; the row duals give prices ``u_o`` (offers) and ``v_n`` (needs). The
   reduced profit ``margin - u_o - v_n`` of **every** worthwhile pair of the resource is then
   computed with numpy: from a cached needs x offers margin matrix when it has at most 12
   million entries (96 MB), otherwise recomputed in blocks so memory stays bounded. For each
   need, up to 4 pairs with a positive reduced profit are added and the LP is re-solved from
   the previous basis (primal simplex: the basis stays primal feasible). When no pair prices
   out, the duals are feasible for the *full* problem, so by LP duality the restricted optimum
   is optimal for the full problem: no pair was silently dropped. The starting sizes only
   change the speed, never the result.
4. The proof is also reported as a number: with ``delta`` the largest reduced profit left
   (at most the pricing tolerance), raising every ``v_n`` (or every ``u_o``) by ``delta``
   gives a feasible dual solution, hence the upper bound
   ``sum u_o s_o + sum v_n d_n + delta * min(sum d_n, sum s_o)``. The result carries this
   bound (``upper_bound``); the gap to the objective is at the level of floating-point noise.
5. The constraint matrix of a transportation problem is totally unimodular, so with integral
   quantities the simplex basic solution is integral; flows within 1e-9 (relative) of an
   integer are snapped to it and flows below 1e-9 are dropped.

Unmet needs
-----------
Whatever part of a need is not delivered is reported with the first reason that applies:

``no_supplier``
    no offer of that resource with a positive quantity exists anywhere;
``too_far``
    such offers exist, but all are beyond ``max_distance_km``;
``not_worthwhile``
    offers are within reach, but for each of them the transport cost per unit is at least
    the need's weight, so shipping would never add value;
``supply_exhausted``
    there were reachable, worthwhile offers, but they were used up (by this need or by needs
    that weigh more or are closer). In an optimal solution such offers are always exhausted,
    otherwise sending one more unit would raise the objective.

Scarce resources
----------------
The dual price ``u_o`` of an offer's capacity row is what one more unit at that offer would add
to the objective. Per resource the engine reports the largest and the supply-weighted mean of
these prices, the number of offers whose capacity binds (price > 0) and the unmet quantity,
sorted so that the resources that limit the network most come first. Transportation problems
are degenerate, so duals are not unique: the prices are one valid set, not the only one.

The module also offers :func:`greedy_nearest_supplier`, a simple baseline used by the benchmark,
and :func:`cli`, the ``allocate PATH.json`` command.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Literal, TypeAlias

import highspy
import numpy as np
import numpy.typing as npt

from comuna.engines.geo import haversine_km_matrix, haversine_km_pairs

Id: TypeAlias = str | int | float
"""An identifier as given by the caller (echoed back unchanged)."""

UnmetReason: TypeAlias = Literal["no_supplier", "too_far", "not_worthwhile", "supply_exhausted"]
Status: TypeAlias = Literal["optimal", "feasible", "empty", "heuristic"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.int64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

__all__ = [
    "AllocationError",
    "AllocationInputError",
    "AllocationProblem",
    "AllocationResult",
    "AllocationSolverError",
    "Flow",
    "Need",
    "Offer",
    "ScarceResource",
    "Site",
    "SolveStats",
    "UnmetNeed",
    "cli",
    "greedy_nearest_supplier",
    "solve_allocation",
]

# Column generation parameters. They change the speed, never the optimum.
_INITIAL_PER_NEED = 4
_INITIAL_PER_OFFER = 2
_ADD_PER_NEED = 4
_CACHE_ENTRIES = 12_000_000  # keep a resource's whole margin matrix up to this (96 MB)
_BLOCK_ENTRIES = 2_000_000  # otherwise scan it in blocks of this many entries
_MAX_ROUNDS = 500
_SNAP = 1e-9
_PROOF_GAP = 1e-6  # relative gap between the dual bound and the objective that proves optimality
_LARGEST = 1e15  # HiGHS treats bounds from 1e20 on as infinite; stay well below


class AllocationError(Exception):
    """Base class of the errors raised by the allocation engine."""


class AllocationInputError(AllocationError):
    """The problem description is malformed; the message names the faulty entry."""


class AllocationSolverError(AllocationError):
    """HiGHS did not return an optimal solution (this should not happen for valid input)."""


# --------------------------------------------------------------------------------------------
# Problem and result types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Site:
    """A place with a latitude and longitude in decimal degrees."""

    id: Id
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Offer:
    """Supply of ``quantity`` of ``resource`` (in ``unit``, if given) at ``site``."""

    id: Id
    site: Id
    resource: Id
    quantity: float
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Need:
    """Demand of ``quantity`` of ``resource`` at ``site``; one unit delivered is worth ``weight``.

    ``weight`` is per unit of the need's own ``unit``.
    """

    id: Id
    site: Id
    resource: Id
    quantity: float
    weight: float
    unit: str | None = None


@dataclass(frozen=True)
class AllocationProblem:
    """Everything the allocation needs.

    ``unit_conversions`` maps a unit to ``(base_unit, factor)``: one ``unit`` is ``factor``
    ``base_unit`` (``{"sack": ("kg", 40.0)}``). Sequences are stored as tuples.
    """

    sites: tuple[Site, ...]
    offers: tuple[Offer, ...]
    needs: tuple[Need, ...]
    cost_per_unit_km: float
    max_distance_km: float | None = None
    unit_conversions: Mapping[str, tuple[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sites", tuple(self.sites))
        object.__setattr__(self, "offers", tuple(self.offers))
        object.__setattr__(self, "needs", tuple(self.needs))


@dataclass(frozen=True, slots=True)
class Flow:
    """``quantity`` (in the need's unit) sent from an offer to a need.

    ``offer_quantity`` is the same amount in the offer's unit.
    """

    offer: Id
    need: Id
    quantity: float
    offer_quantity: float
    distance_km: float


@dataclass(frozen=True, slots=True)
class UnmetNeed:
    """The part of a need (in the need's unit) that is not delivered, and why."""

    need: Id
    quantity: float
    reason: UnmetReason


@dataclass(frozen=True, slots=True)
class ScarceResource:
    """How much one more unit of a resource would add to the objective (LP dual prices).

    Prices are per base unit (``unit``; ``None`` when the resource has no unit).
    """

    resource: Id
    unit: str | None
    shadow_price_max: float
    shadow_price_mean: float
    binding_offers: int
    unmet_quantity: float


@dataclass(frozen=True, slots=True)
class SolveStats:
    """Size and effort figures of a solve (for benchmarks and logs)."""

    resources: int
    candidate_pairs: int
    columns: int
    pricing_rounds: int
    seconds: float


@dataclass(frozen=True)
class AllocationResult:
    """Outcome of an allocation.

    ``status`` is ``"optimal"`` (proven: the dual bound is within 1e-6, relative, of the
    objective), ``"empty"`` (no offer or no need with a positive quantity: nothing to
    allocate), ``"heuristic"`` (from :func:`greedy_nearest_supplier`) or ``"feasible"`` (a
    valid plan whose optimality could not be proven within the round limit of the pricing
    loop; not expected in practice). ``upper_bound`` is the LP dual bound (``None`` for
    heuristics): no plan can have an objective above it.
    """

    status: Status
    objective: float
    flows: tuple[Flow, ...]
    unmet: tuple[UnmetNeed, ...]
    scarce_resources: tuple[ScarceResource, ...]
    upper_bound: float | None
    stats: SolveStats


# --------------------------------------------------------------------------------------------
# Validation and grouping by resource
# --------------------------------------------------------------------------------------------


def _check_id(kind: str, value: object) -> None:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise AllocationInputError(f"{kind} id {value!r} must be a string or a number.")
    if isinstance(value, float) and not math.isfinite(value):
        raise AllocationInputError(f"{kind} id {value!r} must be finite.")


def _finite(what: str, value: object) -> float:
    """``value`` as a finite float, or a clear error (bools, strings, NaN and huge ints fail)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise AllocationInputError(f"{what} must be a number, not {value!r}.")
    try:
        number = float(value)
    except OverflowError:
        raise AllocationInputError(f"{what} is too large: {value!r}.") from None
    if not math.isfinite(number):
        raise AllocationInputError(f"{what} must be finite, not {value!r}.")
    return number


def _check_quantity(what: str, value: object) -> float:
    number = _finite(what, value)
    if number < 0:
        raise AllocationInputError(f"{what} must not be negative, got {value!r}.")
    if number > _LARGEST:
        raise AllocationInputError(f"{what} is too large ({value!r} > {_LARGEST:g}).")
    return number


def _resolve_unit(unit: str, table: Mapping[str, tuple[str, float]]) -> tuple[str, float]:
    """Follow the conversion table from ``unit`` to its base unit; return (base, factor)."""
    factor = 1.0
    seen = [unit]
    current = unit
    while current in table:
        base, step = table[current]
        if base == current:
            break
        if base in seen:
            chain = " -> ".join([*seen, base])
            raise AllocationInputError(f"Unit conversions form a cycle: {chain}.")
        factor *= step
        seen.append(base)
        current = base
    return current, factor


@dataclass(frozen=True, slots=True)
class _Group:
    """One independent transportation problem: all offers and needs of one resource."""

    resource: Id
    unit: str | None
    offer_index: IntArray  # positions in problem.offers
    offer_factor: FloatArray  # base units per offer unit
    supply: FloatArray  # base units
    offer_lat: FloatArray
    offer_lon: FloatArray
    need_index: IntArray
    need_factor: FloatArray
    demand: FloatArray  # base units
    weight: FloatArray  # weight per unit of the need's own unit
    value: FloatArray  # weight per base unit
    need_lat: FloatArray
    need_lon: FloatArray


def _validate(problem: AllocationProblem) -> dict[Id, int]:
    """Check the problem and return the position of every site id."""
    _check_quantity("cost_per_unit_km", problem.cost_per_unit_km)
    if problem.max_distance_km is not None:
        _check_quantity("max_distance_km", problem.max_distance_km)
    for unit, conversion in problem.unit_conversions.items():
        if not isinstance(unit, str) or not unit:
            raise AllocationInputError(f"Unit {unit!r} in the conversion table must be a name.")
        if (
            not isinstance(conversion, tuple | list)
            or len(conversion) != 2
            or not isinstance(conversion[0], str)
            or not conversion[0]
        ):
            raise AllocationInputError(
                f"Conversion of unit {unit!r} must be a pair (base unit, factor), "
                f"not {conversion!r}."
            )
        factor = _check_quantity(f"Conversion factor of unit {unit!r}", conversion[1])
        if factor == 0:
            raise AllocationInputError(f"Conversion factor of unit {unit!r} must be positive.")

    site_pos: dict[Id, int] = {}
    for pos, site in enumerate(problem.sites):
        _check_id("Site", site.id)
        if site.id in site_pos:
            raise AllocationInputError(f"Site id {site.id!r} is used twice.")
        site_pos[site.id] = pos
        for name, value, limit in (("lat", site.lat, 90.0), ("lon", site.lon, 180.0)):
            if abs(_finite(f"Site {site.id!r}: {name}", value)) > limit:
                raise AllocationInputError(
                    f"Site {site.id!r}: {name} {value!r} is outside [-{limit:g}, {limit:g}]."
                )

    for kind, entries in (("Offer", problem.offers), ("Need", problem.needs)):
        seen: set[Id] = set()
        for entry in entries:
            _check_id(kind, entry.id)
            if entry.id in seen:
                raise AllocationInputError(f"{kind} id {entry.id!r} is used twice.")
            seen.add(entry.id)
            if entry.site not in site_pos or isinstance(entry.site, bool):
                raise AllocationInputError(
                    f"{kind} {entry.id!r} refers to unknown site {entry.site!r}."
                )
            _check_id(f"{kind} {entry.id!r}: resource", entry.resource)
            _check_quantity(f"{kind} {entry.id!r}: quantity", entry.quantity)
            if entry.unit is not None and (not isinstance(entry.unit, str) or not entry.unit):
                raise AllocationInputError(
                    f"{kind} {entry.id!r}: unit must be a non-empty string or absent."
                )
            if isinstance(entry, Need):
                _check_quantity(f"Need {entry.id!r}: weight", entry.weight)
    return site_pos


def _groups(problem: AllocationProblem, site_pos: Mapping[Id, int]) -> list[_Group]:
    lat = np.array([s.lat for s in problem.sites], dtype=np.float64)
    lon = np.array([s.lon for s in problem.sites], dtype=np.float64)
    table = problem.unit_conversions

    # resource -> base unit -> first entry using it (for the error message)
    units_seen: dict[Id, dict[str | None, str]] = {}
    offers_by: dict[Id, list[tuple[int, float]]] = {}
    needs_by: dict[Id, list[tuple[int, float]]] = {}
    order: list[Id] = []

    def register(kind: str, entry: Offer | Need) -> float:
        base, factor = (None, 1.0) if entry.unit is None else _resolve_unit(entry.unit, table)
        seen = units_seen.setdefault(entry.resource, {})
        if base not in seen:
            seen[base] = f"{kind.lower()} {entry.id!r} in {entry.unit!r}"
        if len(seen) > 1:
            described = ", ".join(seen.values())
            raise AllocationInputError(
                f"Resource {entry.resource!r} is given in units that cannot be converted into "
                f"each other ({described}); add a conversion to the unit table or use one unit."
            )
        return factor

    for pos, offer in enumerate(problem.offers):
        factor = register("Offer", offer)
        if offer.resource not in offers_by and offer.resource not in needs_by:
            order.append(offer.resource)
        offers_by.setdefault(offer.resource, []).append((pos, factor))
    for pos, need in enumerate(problem.needs):
        factor = register("Need", need)
        if need.resource not in offers_by and need.resource not in needs_by:
            order.append(need.resource)
        needs_by.setdefault(need.resource, []).append((pos, factor))

    groups: list[_Group] = []
    for resource in order:
        offer_rows = offers_by.get(resource, [])
        need_rows = needs_by.get(resource, [])
        offer_index = np.array([p for p, _ in offer_rows], dtype=np.int64)
        offer_factor = np.array([f for _, f in offer_rows], dtype=np.float64)
        need_index = np.array([p for p, _ in need_rows], dtype=np.int64)
        need_factor = np.array([f for _, f in need_rows], dtype=np.float64)
        offer_site = np.array(
            [site_pos[problem.offers[p].site] for p, _ in offer_rows], dtype=np.int64
        )
        need_site = np.array(
            [site_pos[problem.needs[p].site] for p, _ in need_rows], dtype=np.int64
        )
        supply = (
            np.array([problem.offers[p].quantity for p, _ in offer_rows], dtype=np.float64)
            * offer_factor
        )
        demand = (
            np.array([problem.needs[p].quantity for p, _ in need_rows], dtype=np.float64)
            * need_factor
        )
        weight = np.array([problem.needs[p].weight for p, _ in need_rows], dtype=np.float64)
        unit = next(iter(units_seen[resource]))
        groups.append(
            _Group(
                resource=resource,
                unit=unit,
                offer_index=offer_index,
                offer_factor=offer_factor,
                supply=supply,
                offer_lat=lat[offer_site],
                offer_lon=lon[offer_site],
                need_index=need_index,
                need_factor=need_factor,
                demand=demand,
                weight=weight,
                value=weight / need_factor,
                need_lat=lat[need_site],
                need_lon=lon[need_site],
            )
        )
    return groups


# --------------------------------------------------------------------------------------------
# Distances and margins of one resource, block by block
# --------------------------------------------------------------------------------------------


class _Pairs:
    """Distances and margins between the active needs and offers of one resource.

    Matrices are laid out needs x offers: rows are the needs with a positive demand, columns
    the offers with a positive supply. ``scores`` are the margins of eligible pairs and
    ``-inf`` elsewhere. When the whole matrix is small enough it is computed once and kept;
    otherwise it is recomputed block by block (of needs) whenever it is scanned, from a
    matrix of distances between the distinct sites when that one is small enough, so memory
    stays bounded. Scans always go block by block, to bound the temporaries too.
    """

    def __init__(self, group: _Group, cost: float, max_km: float | None) -> None:
        self.offers = np.flatnonzero(group.supply > 0)
        self.needs = np.flatnonzero(group.demand > 0)
        self.supply = group.supply[self.offers]
        self.demand = group.demand[self.needs]
        self.value = group.value[self.needs]
        self.cost = cost
        self.max_km = max_km
        self.m = int(self.offers.size)
        self.p = int(self.needs.size)
        self._o_lat = group.offer_lat[self.offers]
        self._o_lon = group.offer_lon[self.offers]
        self._n_lat = group.need_lat[self.needs]
        self._n_lon = group.need_lon[self.needs]
        self._cache: FloatArray | None = None
        self._site_km: FloatArray | None = None
        if 0 < self.m * self.p <= _CACHE_ENTRIES:
            self._cache = np.empty((self.p, self.m), dtype=np.float64)
        elif self.m and self.p:
            # Too many pairs to keep, but entries share sites: keep the distances between
            # the distinct sites instead and gather blocks from them.
            n_sites, self._n_inv = np.unique(
                np.stack([self._n_lat, self._n_lon], axis=1), axis=0, return_inverse=True
            )
            o_sites, self._o_inv = np.unique(
                np.stack([self._o_lat, self._o_lon], axis=1), axis=0, return_inverse=True
            )
            if len(n_sites) * len(o_sites) <= _CACHE_ENTRIES:
                self._site_km = haversine_km_matrix(
                    n_sites[:, 0], n_sites[:, 1], o_sites[:, 0], o_sites[:, 1]
                )
        self.block = max(1, min(self.p, _BLOCK_ENTRIES // max(1, self.m)))

    def blocks(self) -> Iterator[tuple[int, int]]:
        for start in range(0, self.p, self.block):
            yield start, min(self.p, start + self.block)

    def _compute(self, start: int, stop: int) -> tuple[FloatArray, BoolArray]:
        if self._site_km is not None:
            rows = self._site_km[self._n_inv[start:stop]]
            km: FloatArray = np.take(rows, self._o_inv, axis=1)
        else:
            km = haversine_km_matrix(
                self._n_lat[start:stop], self._n_lon[start:stop], self._o_lat, self._o_lon
            )
        scores = self.value[start:stop, None] - self.cost * km
        eligible = scores > 0
        if self.max_km is not None:
            reach = km <= self.max_km
            eligible &= reach
            reach_any: BoolArray = np.asarray(reach.any(axis=1), dtype=np.bool_)
        else:
            reach_any = np.ones(stop - start, dtype=np.bool_)
        scores[~eligible] = -np.inf
        return scores, reach_any

    def first_scan(self, start: int, stop: int) -> tuple[FloatArray, BoolArray]:
        """Scores of needs ``start:stop`` and, per need, whether any offer is within reach."""
        scores, reach_any = self._compute(start, stop)
        if self._cache is not None:
            self._cache[start:stop] = scores
        return scores, reach_any

    def scores(self, start: int, stop: int) -> FloatArray:
        if self._cache is not None:
            return self._cache[start:stop]
        return self._compute(start, stop)[0]

    def column_margins(self, col_o: IntArray, col_n: IntArray) -> FloatArray:
        if self._cache is not None:
            cached: FloatArray = self._cache[col_n, col_o]
            return cached
        km = haversine_km_pairs(
            self._n_lat[col_n], self._n_lon[col_n], self._o_lat[col_o], self._o_lon[col_o]
        )
        margin: FloatArray = self.value[col_n] - self.cost * km
        return margin


def _top_k(scores: FloatArray, k: int, axis: int) -> IntArray:
    """Indices of the ``k`` largest scores along ``axis`` (all of them if there are fewer)."""
    n = scores.shape[axis]
    if n <= k:
        shape = (n, 1) if axis == 0 else (1, n)
        every = np.arange(n, dtype=np.int64).reshape(shape)
        return np.broadcast_to(every, scores.shape).copy()
    part = np.argpartition(scores, n - k, axis=axis)
    top: IntArray = (part[n - k :] if axis == 0 else part[:, n - k :]).astype(np.int64)
    return top


# --------------------------------------------------------------------------------------------
# HiGHS
# --------------------------------------------------------------------------------------------

_BANNER_SHOWN = False


@contextlib.contextmanager
def _quiet_stdout_once() -> Iterator[None]:
    """Hide the banner HiGHS prints on stdout when the first ``Highs`` object is created.

    The banner is written by native code, so file descriptor 1 is redirected for the few
    microseconds that the constructor runs. This happens at most once per process.
    """
    global _BANNER_SHOWN  # a process-wide fact: the banner is printed once
    if _BANNER_SHOWN:
        yield
        return
    _BANNER_SHOWN = True
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            try:
                yield
            finally:
                os.dup2(saved, 1)
    finally:
        os.close(saved)


def _new_highs() -> highspy.Highs:
    with _quiet_stdout_once():
        highs = highspy.Highs()  # type: ignore[no-untyped-call,unused-ignore]  # untyped __init__
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("log_to_console", False)
    highs.setOptionValue("threads", 1)
    return highs


def _add_columns(
    highs: highspy.Highs, m: int, rows_o: IntArray, cols_n: IntArray, margin: FloatArray
) -> None:
    count = int(rows_o.size)
    if count == 0:
        return
    index = np.empty(2 * count, dtype=np.int32)
    index[0::2] = rows_o
    index[1::2] = m + cols_n
    starts = np.arange(0, 2 * count, 2, dtype=np.int32)
    values = np.ones(2 * count, dtype=np.float64)
    status = highs.addCols(
        count,
        -margin.astype(np.float64),  # HiGHS minimises: cost = -margin
        np.zeros(count, dtype=np.float64),
        np.full(count, highspy.kHighsInf, dtype=np.float64),
        2 * count,
        starts,
        index,
        values,
    )
    if status == highspy.HighsStatus.kError:
        raise AllocationSolverError("HiGHS refused to add columns to the allocation model.")


# --------------------------------------------------------------------------------------------
# Solving one resource
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _GroupOutcome:
    """Solution of one resource, indexed by the group's own offer and need positions."""

    flow_offer: IntArray
    flow_need: IntArray
    flow_base: FloatArray  # base units
    reach_any: BoolArray  # per need: some offer with supply within the maximum distance
    worth_any: BoolArray  # per need: some reachable offer with a positive margin
    offer_price: FloatArray  # dual price per offer (0 for offers without supply)
    bound: float
    candidate_pairs: int
    columns: int
    rounds: int


def _empty_outcome(group: _Group) -> _GroupOutcome:
    """Nothing shipped; the fields are replaced as the group is solved."""
    return _GroupOutcome(
        flow_offer=np.zeros(0, dtype=np.int64),
        flow_need=np.zeros(0, dtype=np.int64),
        flow_base=np.zeros(0, dtype=np.float64),
        reach_any=np.zeros(group.demand.size, dtype=np.bool_),
        worth_any=np.zeros(group.demand.size, dtype=np.bool_),
        offer_price=np.zeros(group.supply.size, dtype=np.float64),
        bound=0.0,
        candidate_pairs=0,
        columns=0,
        rounds=0,
    )


def _initial_columns(
    pairs: _Pairs,
) -> tuple[IntArray, BoolArray, BoolArray, int]:
    """Scan all pairs once: reachability per need and the starting columns (as keys).

    Starting columns: for every need its best ``_INITIAL_PER_NEED`` offers and for every
    offer its best ``_INITIAL_PER_OFFER`` needs, by margin, among eligible pairs. A column
    is encoded as ``offer * p + need``.
    """
    m, p = pairs.m, pairs.p
    reach = np.zeros(p, dtype=np.bool_)
    worth = np.zeros(p, dtype=np.bool_)
    k_off = min(_INITIAL_PER_OFFER, p)
    best_val = np.full((0, m), -np.inf)
    best_idx = np.zeros((0, m), dtype=np.int64)
    keys: list[IntArray] = []
    candidates = 0
    for start, stop in pairs.blocks():
        scores, reach_block = pairs.first_scan(start, stop)
        reach[start:stop] = reach_block
        eligible = np.isfinite(scores)
        worth[start:stop] = eligible.any(axis=1)
        candidates += int(np.count_nonzero(eligible))
        top_offers = _top_k(scores, _INITIAL_PER_NEED, axis=1)
        need_ids = np.arange(start, stop, dtype=np.int64)[:, None]
        keep = np.isfinite(np.take_along_axis(scores, top_offers, axis=1))
        keys.append((top_offers * p + need_ids)[keep])
        if k_off:
            top_needs = _top_k(scores, k_off, axis=0)  # per offer, its best needs here
            merged_val = np.concatenate(
                [best_val, np.take_along_axis(scores, top_needs, axis=0)], axis=0
            )
            merged_idx = np.concatenate([best_idx, top_needs + start], axis=0)
            top = _top_k(merged_val, k_off, axis=0)
            best_val = np.take_along_axis(merged_val, top, axis=0)
            best_idx = np.take_along_axis(merged_idx, top, axis=0)
    keep_off = np.isfinite(best_val)
    keys.append((np.arange(m, dtype=np.int64)[None, :] * p + best_idx)[keep_off])
    return np.unique(np.concatenate(keys)), reach, worth, candidates


def _solve_group(group: _Group, cost: float, max_km: float | None) -> _GroupOutcome:
    pairs = _Pairs(group, cost, max_km)
    m, p = pairs.m, pairs.p
    if m == 0 or p == 0:
        return _empty_outcome(group)

    keys, reach, worth, candidates = _initial_columns(pairs)
    reach_all = np.zeros(group.demand.size, dtype=np.bool_)
    worth_all = np.zeros(group.demand.size, dtype=np.bool_)
    reach_all[pairs.needs] = reach
    worth_all[pairs.needs] = worth
    if candidates == 0:
        return replace(_empty_outcome(group), reach_any=reach_all, worth_any=worth_all)

    col_o = keys // p
    col_n = keys % p
    col_margin = pairs.column_margins(col_o, col_n)

    highs = _new_highs()
    inf = highspy.kHighsInf
    status = highs.addRows(
        m + p,
        np.full(m + p, -inf, dtype=np.float64),
        np.concatenate([pairs.supply, pairs.demand]).astype(np.float64),
        0,
        np.zeros(m + p, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0, dtype=np.float64),
    )
    if status == highspy.HighsStatus.kError:
        raise AllocationSolverError("HiGHS refused the rows of the allocation model.")
    _add_columns(highs, m, col_o, col_n, col_margin)

    # Pricing tolerance, relative to the largest value per unit; well above HiGHS's own
    # dual feasibility tolerance (1e-7 absolute), so a column it considers optimal is never
    # priced in again. The bound below accounts for whatever is left under it.
    tol = 1e-7 * max(1.0, float(np.max(pairs.value)))
    rounds = 0
    while True:
        rounds += 1
        highs.run()
        model_status = highs.getModelStatus()
        if model_status != highspy.HighsModelStatus.kOptimal:
            raise AllocationSolverError(
                f"HiGHS stopped with status {highs.modelStatusToString(model_status)!r} "
                f"on resource {group.resource!r}."
            )
        if rounds == 1:
            # Added columns keep the basis primal feasible: the primal simplex restarts
            # from it in a few iterations, where the dual simplex would start over.
            highs.setOptionValue("simplex_strategy", 4)
        duals = np.asarray(highs.getSolution().row_dual, dtype=np.float64)
        u = np.maximum(0.0, -duals[:m])
        v = np.maximum(0.0, -duals[m:])
        new_keys: list[IntArray] = []
        delta = 0.0
        for start, stop in pairs.blocks():
            reduced = pairs.scores(start, stop) - u[None, :]
            reduced -= v[start:stop, None]
            delta = max(delta, float(reduced.max()))
            violating = np.flatnonzero((reduced > tol).any(axis=1))
            if violating.size == 0:
                continue
            sub = reduced[violating]
            top_offers = _top_k(sub, _ADD_PER_NEED, axis=1)
            good = np.take_along_axis(sub, top_offers, axis=1) > tol
            new_keys.append((top_offers * p + (violating + start)[:, None])[good])
        if not new_keys or rounds >= _MAX_ROUNDS:
            break
        add_keys = np.unique(np.concatenate(new_keys))
        add_keys = add_keys[~np.isin(add_keys, keys)]
        if add_keys.size == 0:
            break
        keys = np.concatenate([keys, add_keys])
        add_o = add_keys // p
        add_n = add_keys % p
        add_margin = pairs.column_margins(add_o, add_n)
        col_o = np.concatenate([col_o, add_o])
        col_n = np.concatenate([col_n, add_n])
        col_margin = np.concatenate([col_margin, add_margin])
        _add_columns(highs, m, add_o, add_n, add_margin)

    x = _snap(np.asarray(highs.getSolution().col_value, dtype=np.float64))
    # Raising every need price (or every offer price) by delta makes the duals feasible for
    # all pairs, so this is an upper bound on the optimum of the full problem.
    bound = float(np.dot(u, pairs.supply) + np.dot(v, pairs.demand)) + max(0.0, delta) * float(
        min(pairs.supply.sum(), pairs.demand.sum())
    )
    used = x > 0
    price_all = np.zeros(group.supply.size, dtype=np.float64)
    price_all[pairs.offers] = u
    return replace(
        _empty_outcome(group),
        flow_offer=pairs.offers[col_o[used]].astype(np.int64),
        flow_need=pairs.needs[col_n[used]].astype(np.int64),
        flow_base=x[used],
        reach_any=reach_all,
        worth_any=worth_all,
        offer_price=price_all,
        bound=bound,
        candidate_pairs=candidates,
        columns=int(keys.size),
        rounds=rounds,
    )


def _greedy_group(group: _Group, cost: float, max_km: float | None) -> _GroupOutcome:
    """Needs by decreasing weight per base unit take from their nearest worthwhile offers."""
    pairs = _Pairs(group, cost, max_km)
    m, p = pairs.m, pairs.p
    if m == 0 or p == 0:
        return _empty_outcome(group)
    reach_all = np.zeros(group.demand.size, dtype=np.bool_)
    worth_all = np.zeros(group.demand.size, dtype=np.bool_)
    left = pairs.supply.copy()
    flow_o: list[int] = []
    flow_n: list[int] = []
    flow_q: list[float] = []
    o_lat, o_lon = group.offer_lat[pairs.offers], group.offer_lon[pairs.offers]
    for j in np.argsort(-pairs.value, kind="stable").tolist():
        n = int(pairs.needs[j])
        km = haversine_km_matrix(o_lat, o_lon, group.need_lat[n : n + 1], group.need_lon[n : n + 1])
        km = km[:, 0]
        eligible = pairs.value[j] - cost * km > 0
        if max_km is not None:
            reach = km <= max_km
            reach_all[n] = bool(reach.any())
            eligible &= reach
        else:
            reach_all[n] = True
        worth_all[n] = bool(eligible.any())
        candidates = np.flatnonzero(eligible & (left > 0))
        want = float(pairs.demand[j])
        for i in candidates[np.argsort(km[candidates], kind="stable")].tolist():
            take = min(want, float(left[i]))
            left[i] -= take
            want -= take
            flow_o.append(int(pairs.offers[i]))
            flow_n.append(n)
            flow_q.append(take)
            if want <= 0:
                break
    return replace(
        _empty_outcome(group),
        flow_offer=np.array(flow_o, dtype=np.int64),
        flow_need=np.array(flow_n, dtype=np.int64),
        flow_base=np.array(flow_q, dtype=np.float64),
        reach_any=reach_all,
        worth_any=worth_all,
    )


def _snap(x: FloatArray) -> FloatArray:
    """Drop values below 1e-9 and snap those within 1e-9 (relative) of an integer."""
    x = np.where(x > _SNAP, x, 0.0)
    nearest = np.rint(x)
    close = np.abs(x - nearest) <= _SNAP * np.maximum(1.0, np.abs(x))
    snapped: FloatArray = np.where(close, nearest, x)
    return snapped


# --------------------------------------------------------------------------------------------
# Assembling results (shared by the LP and the greedy baseline)
# --------------------------------------------------------------------------------------------


def _assemble(
    problem: AllocationProblem,
    groups: Sequence[_Group],
    outcomes: Sequence[_GroupOutcome],
    status: Status,
    upper_bound: float | None,
    started: float,
) -> AllocationResult:
    cost = float(problem.cost_per_unit_km)
    f_offer: list[IntArray] = []
    f_need: list[IntArray] = []
    f_qty: list[FloatArray] = []
    f_oqty: list[FloatArray] = []
    f_km: list[FloatArray] = []
    gains: list[float] = []
    unmet_pos: list[IntArray] = []
    unmet_qty: list[FloatArray] = []
    unmet_why: list[npt.NDArray[np.int8]] = []
    scarce: list[ScarceResource] = []
    for group, outcome in zip(groups, outcomes, strict=True):
        o, n, base = outcome.flow_offer, outcome.flow_need, outcome.flow_base
        km = haversine_km_pairs(
            group.offer_lat[o], group.offer_lon[o], group.need_lat[n], group.need_lon[n]
        )
        quantity = _snap(base / group.need_factor[n])
        gains.extend((group.weight[n] * quantity - cost * base * km).tolist())
        f_offer.append(group.offer_index[o])
        f_need.append(group.need_index[n])
        f_qty.append(quantity)
        f_oqty.append(_snap(base / group.offer_factor[o]))
        f_km.append(km)

        delivered = np.zeros(group.demand.size, dtype=np.float64)
        np.add.at(delivered, n, base)
        left_base = np.maximum(0.0, group.demand - delivered)
        left = _snap(left_base / group.need_factor)
        short = left > _SNAP * np.maximum(1.0, group.demand / group.need_factor)
        if not (group.supply > 0).any():
            why = np.zeros(group.demand.size, dtype=np.int8)
        else:
            why = np.where(~outcome.reach_any, 1, np.where(~outcome.worth_any, 2, 3)).astype(
                np.int8
            )
        unmet_pos.append(group.need_index[short])
        unmet_qty.append(left[short])
        unmet_why.append(why[short])

        prices = outcome.offer_price
        if prices.size and float(prices.max()) > 0:
            total = float(group.supply.sum())
            scarce.append(
                ScarceResource(
                    resource=group.resource,
                    unit=group.unit,
                    shadow_price_max=float(prices.max()),
                    shadow_price_mean=float(np.dot(prices, group.supply) / total),
                    binding_offers=int(np.count_nonzero(prices > 0)),
                    unmet_quantity=float(_snap(left_base[short]).sum()),
                )
            )

    offers, needs = problem.offers, problem.needs
    flows: tuple[Flow, ...] = ()
    if f_offer:
        all_o = np.concatenate(f_offer)
        all_n = np.concatenate(f_need)
        qty, oqty, kms = np.concatenate(f_qty), np.concatenate(f_oqty), np.concatenate(f_km)
        order = np.lexsort((all_n, all_o))
        flows = tuple(
            Flow(offers[i].id, needs[j].id, q, oq, d)
            for i, j, q, oq, d in zip(
                all_o[order].tolist(),
                all_n[order].tolist(),
                qty[order].tolist(),
                oqty[order].tolist(),
                kms[order].tolist(),
                strict=True,
            )
        )
    unmet: tuple[UnmetNeed, ...] = ()
    if unmet_pos:
        pos = np.concatenate(unmet_pos)
        qty = np.concatenate(unmet_qty)
        why = np.concatenate(unmet_why)
        order = np.argsort(pos, kind="stable")
        unmet = tuple(
            UnmetNeed(needs[j].id, q, _REASONS[r])
            for j, q, r in zip(
                pos[order].tolist(), qty[order].tolist(), why[order].tolist(), strict=True
            )
        )
    scarce.sort(key=lambda s: (-s.shadow_price_max, -s.shadow_price_mean))
    return AllocationResult(
        status=status,
        objective=math.fsum(gains),
        flows=flows,
        unmet=unmet,
        scarce_resources=tuple(scarce),
        upper_bound=upper_bound,
        stats=SolveStats(
            resources=len(groups),
            candidate_pairs=sum(o.candidate_pairs for o in outcomes),
            columns=sum(o.columns for o in outcomes),
            pricing_rounds=max((o.rounds for o in outcomes), default=0),
            seconds=time.perf_counter() - started,
        ),
    )


_REASONS: tuple[UnmetReason, ...] = ("no_supplier", "too_far", "not_worthwhile", "supply_exhausted")


def _is_empty(problem: AllocationProblem) -> bool:
    return not any(o.quantity > 0 for o in problem.offers) or not any(
        n.quantity > 0 for n in problem.needs
    )


# --------------------------------------------------------------------------------------------
# Public solvers
# --------------------------------------------------------------------------------------------


def _prepare(problem: AllocationProblem) -> tuple[list[_Group], float, float | None]:
    site_pos = _validate(problem)
    groups = _groups(problem, site_pos)
    cost = float(problem.cost_per_unit_km)
    max_km = None if problem.max_distance_km is None else float(problem.max_distance_km)
    return groups, cost, max_km


def _pair_count(group: _Group) -> int:
    return int(group.supply.size) * int(group.demand.size)


def solve_allocation(problem: AllocationProblem, *, workers: int = 1) -> AllocationResult:
    """Solve the allocation to proven optimality (see the module docstring for the method).

    ``workers`` > 1 solves that many resources at a time in threads (HiGHS and numpy release
    the GIL); the result is the same, only faster on several cores.
    Raises :class:`AllocationInputError` for malformed input and
    :class:`AllocationSolverError` if HiGHS fails.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise AllocationInputError(f"workers must be a whole number >= 1, not {workers!r}.")
    started = time.perf_counter()
    groups, cost, max_km = _prepare(problem)
    if workers == 1 or len(groups) < 2:
        outcomes = [_solve_group(group, cost, max_km) for group in groups]
    else:
        _new_highs()  # the first solver object prints HiGHS's banner: hide it before threads
        # Largest resources first, so that no thread is left with a big one at the end.
        order = sorted(range(len(groups)), key=lambda i: -_pair_count(groups[i]))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            solved = pool.map(lambda i: _solve_group(groups[i], cost, max_km), order)
            by_index = dict(zip(order, solved, strict=True))
        outcomes = [by_index[i] for i in range(len(groups))]
    bound = math.fsum(o.bound for o in outcomes)
    status: Status = "empty" if _is_empty(problem) else "optimal"
    result = _assemble(problem, groups, outcomes, status, bound, started)
    if status == "optimal" and bound - result.objective > _PROOF_GAP * max(1.0, result.objective):
        # Only if the pricing loop stopped early (round limit): the plan is feasible and the
        # bound is still valid, but optimality is not proven.
        result = replace(result, status="feasible")
    return result


def greedy_nearest_supplier(problem: AllocationProblem) -> AllocationResult:
    """A simple baseline: needs in decreasing weight order take from their nearest offers.

    Each need (highest weight per base unit first, ties in input order) draws from the offers
    of its resource with supply left, nearest first, as long as the offer is within the
    maximum distance and shipping is worthwhile (weight above transport cost). It is fast and
    feasible, but not optimal; the benchmark compares it with :func:`solve_allocation`.
    """
    started = time.perf_counter()
    groups, cost, max_km = _prepare(problem)
    outcomes = [_greedy_group(group, cost, max_km) for group in groups]
    status: Status = "empty" if _is_empty(problem) else "heuristic"
    return _assemble(problem, groups, outcomes, status, None, started)


# --------------------------------------------------------------------------------------------
# JSON and command line
# --------------------------------------------------------------------------------------------


def _require(obj: Mapping[str, object], key: str, where: str) -> object:
    if key not in obj:
        raise AllocationInputError(f"{where} is missing the key {key!r}.")
    return obj[key]


def _number(value: object, what: str) -> float:
    return _finite(what, value)


def _json_id(value: object, what: str) -> Id:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise AllocationInputError(f"{what} must be a string or a number, not {value!r}.")
    return value


def _json_list(data: Mapping[str, object], key: str) -> list[Mapping[str, object]]:
    items = _require(data, key, "The input")
    if not isinstance(items, list):
        raise AllocationInputError(f"{key!r} must be a list.")
    for pos, item in enumerate(items):
        if not isinstance(item, dict):
            raise AllocationInputError(f"{key}[{pos}] must be an object.")
    return items


def _optional_unit(item: Mapping[str, object], where: str) -> str | None:
    unit = item.get("unit")
    if unit is None:
        return None
    if not isinstance(unit, str) or not unit:
        raise AllocationInputError(f"{where}: unit must be a non-empty string or null.")
    return unit


def problem_from_json(data: object) -> AllocationProblem:
    """Build a problem from the JSON document of the ``allocate`` command (already parsed).

    Required keys: ``sites``, ``offers``, ``needs``, ``cost_per_unit_km``; ``max_distance_km``
    is a number or null (absent means null). Optional extensions: ``unit`` on offers and
    needs, and ``units`` mapping a unit to ``[base_unit, factor]``.
    """
    if not isinstance(data, dict):
        raise AllocationInputError("The input must be a JSON object.")
    sites = []
    for pos, item in enumerate(_json_list(data, "sites")):
        where = f"sites[{pos}]"
        sites.append(
            Site(
                id=_json_id(_require(item, "id", where), f"{where}.id"),
                lat=_number(_require(item, "lat", where), f"{where}.lat"),
                lon=_number(_require(item, "lon", where), f"{where}.lon"),
            )
        )
    offers = []
    for pos, item in enumerate(_json_list(data, "offers")):
        where = f"offers[{pos}]"
        offers.append(
            Offer(
                id=_json_id(_require(item, "id", where), f"{where}.id"),
                site=_json_id(_require(item, "site", where), f"{where}.site"),
                resource=_json_id(_require(item, "resource", where), f"{where}.resource"),
                quantity=_number(_require(item, "quantity", where), f"{where}.quantity"),
                unit=_optional_unit(item, where),
            )
        )
    needs = []
    for pos, item in enumerate(_json_list(data, "needs")):
        where = f"needs[{pos}]"
        needs.append(
            Need(
                id=_json_id(_require(item, "id", where), f"{where}.id"),
                site=_json_id(_require(item, "site", where), f"{where}.site"),
                resource=_json_id(_require(item, "resource", where), f"{where}.resource"),
                quantity=_number(_require(item, "quantity", where), f"{where}.quantity"),
                weight=_number(_require(item, "weight", where), f"{where}.weight"),
                unit=_optional_unit(item, where),
            )
        )
    cost = _number(_require(data, "cost_per_unit_km", "The input"), "cost_per_unit_km")
    raw_max = data.get("max_distance_km")
    max_km = None if raw_max is None else _number(raw_max, "max_distance_km")
    raw_units = data.get("units", {})
    if not isinstance(raw_units, dict):
        raise AllocationInputError("'units' must be an object mapping a unit to [base, factor].")
    units: dict[str, tuple[str, float]] = {}
    for unit, conversion in raw_units.items():
        if not isinstance(conversion, list) or len(conversion) != 2:
            raise AllocationInputError(f"units[{unit!r}] must be a pair [base_unit, factor].")
        base, factor = conversion
        if not isinstance(base, str):
            raise AllocationInputError(f"units[{unit!r}]: the base unit must be a string.")
        units[unit] = (base, _number(factor, f"units[{unit!r}] factor"))
    problem = AllocationProblem(
        sites=tuple(sites),
        offers=tuple(offers),
        needs=tuple(needs),
        cost_per_unit_km=cost,
        max_distance_km=max_km,
        unit_conversions=units,
    )
    _validate(problem)
    return problem


def _json_number(value: float) -> float | int:
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def result_to_json(result: AllocationResult) -> dict[str, object]:
    """The JSON object printed by the ``allocate`` command."""
    return {
        "status": result.status,
        "objective": result.objective,
        "flows": [
            {"offer": f.offer, "need": f.need, "quantity": _json_number(f.quantity)}
            for f in result.flows
        ],
        "unmet": [
            {"need": u.need, "quantity": _json_number(u.quantity), "reason": u.reason}
            for u in result.unmet
        ],
        "scarce_resources": [
            {
                "resource": s.resource,
                "unit": s.unit,
                "shadow_price_max": s.shadow_price_max,
                "shadow_price_mean": s.shadow_price_mean,
                "binding_offers": s.binding_offers,
                "unmet_quantity": _json_number(s.unmet_quantity),
            }
            for s in result.scarce_resources
        ],
        "upper_bound": result.upper_bound,
    }


def cli(argv: list[str] | None = None) -> int:
    """``allocate PATH.json``: solve the allocation in a JSON file and print the result as JSON.

    ``argv`` is the list of arguments after the program name; a leading ``allocate`` (the
    sub-command name) is accepted and ignored. Returns 0 on success and 2 when the file cannot
    be read or is malformed (the reason goes to stderr).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "allocate":
        args = args[1:]
    parser = argparse.ArgumentParser(
        prog="allocate",
        description="Allocate offers to needs (exact, HiGHS) and print the plan as JSON.",
    )
    parser.add_argument("path", help="JSON file with sites, offers, needs and costs")
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:  # argparse has printed the usage error (code 2) or --help (0)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        with open(options.path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        print(f"allocate: error: cannot read {options.path}: {exc.strerror}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        print(f"allocate: error: {options.path} is not valid JSON: {exc}", file=sys.stderr)
        return 2
    try:
        problem = problem_from_json(data)
        result = solve_allocation(problem)
    except AllocationInputError as exc:
        print(f"allocate: error: {options.path}: {exc}", file=sys.stderr)
        return 2
    except AllocationSolverError as exc:
        print(f"allocate: solver error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result_to_json(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
