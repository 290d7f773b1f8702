"""A registry at national scale, for benchmarks: `comuna seed-national`.

The reference size of DESIGN.md §5 (3,000 communes, 48,000 councils) is written with bulk
inserts, not through the actions: one action per unit would take many minutes. Communes and
councils are multi-table children of core Organisation, which `bulk_create` refuses; so the
parent rows are inserted first, their ids read back by short name, and the child rows (and
bodies, council memberships, links and assessments) written straight into each model's own
table (COPY on PostgreSQL, executemany on SQLite). The denormalised counters of each commune
(council_count, link_count, capacity_level) are computed from the same data, with the rules
the actions use. One audit event records the seed.

Deterministic: random.Random(2018) and fixed dates, so the same arguments on the same
geography give the same rows. It runs once per database: a second run is refused (the rows it
would write are already there) and changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import shapely
from django.db import connections, router, transaction
from django.db.models import DateField, JSONField, Model
from django.utils import timezone
from shapely.geometry import shape

from comuna.core import audit
from comuna.core.models import Organisation, OrganisationKind
from comuna.geography.models import Parish, State
from comuna.registry.capacity import capacity_level
from comuna.registry.demo import SEED, SeedError, indicators_for, network_root_ensure, system_user
from comuna.registry.models import (
    COMMUNE_BODIES,
    COUNCIL_BODIES,
    Body,
    CapacityAssessment,
    CommunalCouncil,
    Commune,
    CommuneStatus,
    CouncilMembership,
    CouncilStatus,
    Link,
    LinkKind,
    Scope,
)

COMMUNE_SLUG = "comuna-nacional-"
COUNCIL_SLUG = "consejo-comunal-nacional-"
COMMUNE_CODE = "NAC-COM-"
COUNCIL_CODE = "NAC-CC-"
ATTACHED_SHARE = 0.75  # councils that belong to a commune; the rest stand alone
MIN_COUNCILS = 3  # each commune gets at least this many, when there are enough councils
MAX_COUNCILS = 40
ASSESSMENT_DATES = (date(2019, 5, 1), date(2021, 5, 1), date(2023, 5, 1), date(2025, 5, 1))
INDIGENOUS_STATES = frozenset({"VE-Z", "VE-C", "VE-V", "VE-F", "VE-Y", "VE-B", "VE-N", "VE-R"})
BATCH = 5000


@dataclass(frozen=True)
class NationalResult:
    states: int
    communes: int
    councils: int
    attached: int
    bodies: int
    links: int
    assessments: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class _Commune:
    index: int
    state_id: int
    state_code: str
    parish_id: int
    lon: float
    lat: float
    status: str
    charter: date | None
    councils: int = 0  # active or due for renewal: what council_count counts
    partners: set[tuple[int, int]] = field(default_factory=set)  # (source, target) indexes
    level: int | None = None


@dataclass
class _Council:
    index: int
    commune: int | None  # index into the communes
    state_id: int
    parish_id: int
    lon: float
    lat: float
    scope: str
    status: str
    households: int
    founded: date


def national_loaded() -> bool:
    return Commune.objects.filter(registry_code__startswith=COMMUNE_CODE).exists()


def national_seed(*, communes: int = 3000, councils: int = 48000) -> NationalResult:
    """Write a national registry of `communes` communes and `councils` councils in bulk.

    Raises SeedError when it has already run on this database or the geography is missing.
    """
    if communes < 1 or councils < 0:
        raise SeedError("Ask for at least one commune and zero or more councils.")
    if national_loaded():
        found = Commune.objects.filter(registry_code__startswith=COMMUNE_CODE).count()
        raise SeedError(
            f"The national seed is already in this database ({found} communes named "
            f"“Comuna Nacional …”): it runs once per database. Use a fresh database."
        )
    with transaction.atomic():
        return _National(communes, councils).run()


class _Places:
    """Parishes and random points of each state that has parishes."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.parishes: dict[int, list[int]] = {}
        for parish_id, state_id in (
            Parish.objects.order_by("code").values_list("id", "municipality__state_id").iterator()
        ):
            self.parishes.setdefault(state_id, []).append(parish_id)
        self.states: list[tuple[int, str]] = []
        self.outlines: dict[int, Any] = {}
        for state_id, code, outline in State.objects.order_by("code").values_list(
            "id", "code", "outline"
        ):
            if state_id not in self.parishes or not outline:
                continue
            geometry = shape(outline)
            shapely.prepare(geometry)
            self.states.append((state_id, code))
            self.outlines[state_id] = geometry
        if not self.states:
            raise SeedError("The geography is not loaded: run `comuna load-geography` first.")

    def inside(self, state_id: int, lon: float, lat: float) -> bool:
        return bool(shapely.contains_xy(self.outlines[state_id], lon, lat))

    def point(self, state_id: int) -> tuple[float, float]:
        west, south, east, north = self.outlines[state_id].bounds
        while True:
            lon = round(self.rng.uniform(west, east), 5)
            lat = round(self.rng.uniform(south, north), 5)
            if self.inside(state_id, lon, lat):
                return lon, lat

    def near(self, state_id: int, lon: float, lat: float, spread: float) -> tuple[float, float]:
        for _attempt in range(5):
            x = round(lon + self.rng.uniform(-spread, spread), 5)
            y = round(lat + self.rng.uniform(-spread, spread), 5)
            if self.inside(state_id, x, y):
                return x, y
        return lon, lat


class _National:
    def __init__(self, communes: int, councils: int) -> None:
        self.n_communes = communes
        self.n_councils = councils
        self.rng = random.Random(SEED)  # noqa: S311 - invented data, not secrets
        self.now = timezone.now()
        self.places = _Places(self.rng)
        self.width = max(4, len(str(communes)))
        self.council_width = max(5, len(str(councils)))

    # Planning (pure Python) -------------------------------------------------------------------

    def _plan_communes(self) -> list[_Commune]:
        states = self.places.states
        weights = [len(self.places.parishes[state_id]) for state_id, _code in states]
        chosen = list(states) if self.n_communes >= len(states) else []
        chosen += self.rng.choices(states, weights=weights, k=self.n_communes - len(chosen))
        plans = []
        for index, (state_id, code) in enumerate(chosen):
            lon, lat = self.places.point(state_id)
            roll = self.rng.random()
            status = (
                CommuneStatus.REGISTERED
                if roll < 0.8
                else CommuneStatus.FORMING
                if roll < 0.95
                else CommuneStatus.INACTIVE
            )
            charter = (
                None
                if status == CommuneStatus.FORMING
                else date(2010, 1, 1) + timedelta(days=self.rng.randint(0, 5000))
            )
            plans.append(
                _Commune(
                    index=index,
                    state_id=state_id,
                    state_code=code,
                    parish_id=self.rng.choice(self.places.parishes[state_id]),
                    lon=lon,
                    lat=lat,
                    status=status,
                    charter=charter,
                )
            )
        return plans

    def _plan_councils(self, communes: list[_Commune]) -> list[_Council]:
        attached = min(int(self.n_councils * ATTACHED_SHARE), len(communes) * MAX_COUNCILS)
        owners: list[int] = []
        if attached >= MIN_COUNCILS * len(communes):
            owners = [c.index for c in communes for _n in range(MIN_COUNCILS)]
        sizes = [self.rng.uniform(0.3, 2.0) for _c in communes]
        owners += self.rng.choices(range(len(communes)), weights=sizes, k=attached - len(owners))
        owners.sort()
        states = self.places.states
        weights = [len(self.places.parishes[state_id]) for state_id, _code in states]
        councils: list[_Council] = []
        for index in range(self.n_councils):
            owner = owners[index] if index < len(owners) else None
            if owner is not None:
                commune = communes[owner]
                state_id, code = commune.state_id, commune.state_code
                parish_id = (
                    commune.parish_id
                    if self.rng.random() < 0.7
                    else self.rng.choice(self.places.parishes[state_id])
                )
                lon, lat = self.places.near(state_id, commune.lon, commune.lat, 0.04)
            else:
                state_id, code = self.rng.choices(states, weights=weights)[0]
                parish_id = self.rng.choice(self.places.parishes[state_id])
                lon, lat = self.places.point(state_id)
            roll = self.rng.random()
            if code in INDIGENOUS_STATES and roll < 0.12:
                scope, households = Scope.INDIGENOUS, self.rng.randint(10, 60)
            elif roll < 0.55:
                scope, households = Scope.RURAL, self.rng.randint(20, 150)
            else:
                scope, households = Scope.URBAN, self.rng.randint(150, 400)
            roll = self.rng.random()
            status = (
                CouncilStatus.ACTIVE
                if roll < 0.85
                else CouncilStatus.RENEWAL_DUE
                if roll < 0.95
                else CouncilStatus.INACTIVE
            )
            if owner is not None and status != CouncilStatus.INACTIVE:
                communes[owner].councils += 1
            councils.append(
                _Council(
                    index=index,
                    commune=owner,
                    state_id=state_id,
                    parish_id=parish_id,
                    lon=lon,
                    lat=lat,
                    scope=scope,
                    status=status,
                    households=households,
                    founded=date(2006, 6, 1) + timedelta(days=self.rng.randint(0, 6000)),
                )
            )
        return councils

    def _plan_links(self, communes: list[_Commune]) -> list[tuple[int, int, str, date]]:
        by_state: dict[int, list[int]] = {}
        for commune in communes:
            by_state.setdefault(commune.state_id, []).append(commune.index)
        kinds = [kind.value for kind in LinkKind]
        seen: set[tuple[int, int, str]] = set()
        links = []
        for commune in communes:
            for _n in range(self.rng.choice([0, 0, 1, 1, 1, 2, 2, 3])):
                same_state = by_state[commune.state_id]
                pool = same_state if self.rng.random() < 0.8 and len(same_state) > 1 else None
                other = self.rng.choice(pool) if pool else self.rng.randrange(len(communes))
                kind = self.rng.choice(kinds)
                if other == commune.index or (commune.index, other, kind) in seen:
                    continue
                seen.add((commune.index, other, kind))
                since = date(2015, 1, 1) + timedelta(days=self.rng.randint(0, 3600))
                links.append((commune.index, other, kind, since))
                # What actions._recount_links counts: distinct (source, target) pairs.
                commune.partners.add((commune.index, other))
                communes[other].partners.add((commune.index, other))
        return links

    def _plan_assessments(self, communes: list[_Commune]) -> list[tuple[int, date, Any]]:
        rows = []
        for commune in communes:
            if self.rng.random() < 0.1:
                continue  # not assessed yet
            forming = commune.status == CommuneStatus.FORMING
            final = 1 if forming else self.rng.choices([1, 2, 3, 4], weights=[15, 35, 35, 15])[0]
            count = self.rng.randint(1, 3)
            levels = [final]
            for _step in range(count - 1):
                levels.append(max(1, levels[-1] - self.rng.choice([0, 1, 1])))
            levels.reverse()
            for day, level in zip(ASSESSMENT_DATES[-count:], levels, strict=True):
                indicators = indicators_for(self.rng, level, forming=forming)
                rows.append((commune.index, day, indicators))
            commune.level = capacity_level(rows[-1][2])
        return rows

    # Writing ------------------------------------------------------------------------------------

    def run(self) -> NationalResult:
        system = system_user()
        root = network_root_ensure(actor=system)
        communes = self._plan_communes()
        councils = self._plan_councils(communes)
        links = self._plan_links(communes)
        assessments = self._plan_assessments(communes)

        _insert(
            Organisation,
            (
                {
                    "kind": OrganisationKind.COMMUNE,
                    "name": f"Comuna Nacional {c.index + 1:0{self.width}d}",
                    "slug": f"{COMMUNE_SLUG}{c.index + 1:0{self.width}d}",
                    "parent_id": root.pk,
                    "description": "",
                }
                for c in communes
            ),
        )
        commune_ids = self._ids(COMMUNE_SLUG, self.width, len(communes))
        _insert(
            Organisation,
            (
                {
                    "kind": OrganisationKind.COUNCIL,
                    "name": f"Consejo Comunal Nacional {c.index + 1:0{self.council_width}d}",
                    "slug": f"{COUNCIL_SLUG}{c.index + 1:0{self.council_width}d}",
                    "parent_id": commune_ids[c.commune] if c.commune is not None else None,
                    "description": "",
                }
                for c in councils
            ),
        )
        council_ids = self._ids(COUNCIL_SLUG, self.council_width, len(councils))

        _insert(
            Commune,
            (
                {
                    "organisation_ptr_id": commune_ids[c.index],
                    "lon": c.lon,
                    "lat": c.lat,
                    "min_lon": c.lon,
                    "min_lat": c.lat,
                    "max_lon": c.lon,
                    "max_lat": c.lat,
                    "registry_code": f"{COMMUNE_CODE}{c.index + 1:0{self.width}d}",
                    "charter_date": c.charter,
                    "parish_id": c.parish_id,
                    "state_id": c.state_id,
                    "status": c.status,
                    "capacity_level": c.level,
                    "council_count": c.councils,
                    "link_count": len(c.partners),
                }
                for c in communes
            ),
        )
        _insert(
            CommunalCouncil,
            (
                {
                    "organisation_ptr_id": council_ids[c.index],
                    "lon": c.lon,
                    "lat": c.lat,
                    "min_lon": c.lon,
                    "min_lat": c.lat,
                    "max_lon": c.lon,
                    "max_lat": c.lat,
                    "registry_code": f"{COUNCIL_CODE}{c.index + 1:0{self.council_width}d}",
                    "parish_id": c.parish_id,
                    "state_id": c.state_id,
                    "scope": c.scope,
                    "households": c.households,
                    "population": round(c.households * (3.4 + (c.index % 13) / 10)),
                    "founded": c.founded,
                    "status": c.status,
                    "commune_id": commune_ids[c.commune] if c.commune is not None else None,
                }
                for c in councils
            ),
        )
        bodies = _insert(
            Body,
            (
                {"organisation_id": org_id, "kind": kind}
                for ids, kinds in ((commune_ids, COMMUNE_BODIES), (council_ids, COUNCIL_BODIES))
                for org_id in ids
                for kind in kinds
            ),
        )
        attached = _insert(
            CouncilMembership,
            (
                {
                    "council_id": council_ids[c.index],
                    "commune_id": commune_ids[c.commune],
                    "joined": max(c.founded, communes[c.commune].charter or c.founded),
                }
                for c in councils
                if c.commune is not None
            ),
        )
        link_count = _insert(
            Link,
            (
                {
                    "source_id": commune_ids[source],
                    "target_id": commune_ids[target],
                    "kind": kind,
                    "description": "Enlace de la red nacional de prueba.",
                    "since": since,
                }
                for source, target, kind, since in links
            ),
        )
        assessment_count = _insert(
            CapacityAssessment,
            (
                {
                    "commune_id": commune_ids[index],
                    "assessed_on": day,
                    "level": capacity_level(indicators),
                    "notes": "",
                    **asdict(indicators),
                }
                for index, day, indicators in assessments
            ),
        )
        result = NationalResult(
            states=len({c.state_id for c in communes}),
            communes=len(communes),
            councils=len(councils),
            attached=attached,
            bodies=bodies,
            links=link_count,
            assessments=assessment_count,
        )
        audit.record(
            actor=system,
            verb="registry.seed_national",
            subject=root,
            organisation=root,
            details=result.as_dict(),
        )
        return result

    def _ids(self, prefix: str, width: int, count: int) -> list[int]:
        """The ids of the organisations just inserted, in the order of their numbers."""
        found = dict(Organisation.objects.filter(slug__startswith=prefix).values_list("slug", "id"))
        try:
            return [found[f"{prefix}{n:0{width}d}"] for n in range(1, count + 1)]
        except KeyError as err:
            raise SeedError(f"An organisation was not written: {err}.") from err


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(model: type[Model], rows: Iterable[dict[str, Any]]) -> int:
    """Write rows into the model's own table (for a child model, not its parents'), in
    batches: COPY on PostgreSQL, executemany elsewhere. Columns a row leaves out get the
    field's default (now, for auto_now fields); the auto-increment key is the database's."""
    using = router.db_for_write(model)
    connection = connections[using]
    fields = [
        f
        for f in model._meta.local_concrete_fields
        if not (f.primary_key and f.get_internal_type() in {"AutoField", "BigAutoField"})
    ]
    now = timezone.now()
    prepare = [isinstance(f, DateField | JSONField) for f in fields]
    defaults: list[Any] = []
    for f, needs_prep in zip(fields, prepare, strict=True):
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        value = now if auto else f.get_default()
        defaults.append(f.get_db_prep_save(value, connection) if needs_prep else value)
    columns = [
        (f.attname, f if needs_prep else None)
        for f, needs_prep in zip(fields, prepare, strict=True)
    ]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)
    # PostgreSQL (psycopg 3) takes the rows fastest through COPY; SQLite runs executemany in C
    # over one prepared statement.
    copy = connection.vendor == "postgresql"
    placeholders = ", ".join(["%s"] * len(fields))
    insert = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608 - model meta
    sql = f"COPY {table} ({names}) FROM STDIN" if copy else insert
    missing = object()
    written = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH):
            params: list[list[Any]] = []
            for row in chunk:
                values = []
                for (attname, preparer), default in zip(columns, defaults, strict=True):
                    value = row.get(attname, missing)
                    if value is missing:
                        value = default
                    elif preparer is not None and value is not None:
                        value = preparer.get_db_prep_save(value, connection)
                    values.append(value)
                params.append(values)
            if copy:
                with cursor.copy(sql) as stream:
                    for values in params:
                        stream.write_row(values)
            else:
                cursor.executemany(sql, params)
            written += len(params)
    return written
