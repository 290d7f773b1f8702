"""Demands at national scale, for benchmarks: `comuna seed-dialogue-national --demands N`.

Writes a national directory of public bodies (ministries and institutes; per state a
governorship, a water utility under Hidroven, an electricity office under Corpoelec and a
regional land office under INTi; a mayor's office per municipality, under its state's
governorship) and N demands from the communes and councils already in the database (run
`comuna seed-national` first), filed over the last ten years, with co-signers and a timeline
event per step. Each body has its own habits (how often it answers, how late), so the
statistics differ from body to body.

Like the registry's national seed it writes in bulk (COPY on PostgreSQL, executemany on
SQLite), not through the actions: a million actions would take hours. The statistics are then
computed with `counters.rebuild`, which checks the same numbers the actions keep. Deterministic
(random.Random(2018), dates counted back from `today`); it runs once per database.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from comuna.core import audit
from comuna.core.models import Organisation, OrganisationKind
from comuna.dialogue import counters
from comuna.dialogue.holidays import holiday_calendar
from comuna.dialogue.models import (
    Demand,
    DemandCosigner,
    DemandEvent,
    DemandStatus,
    EventKind,
    PublicBody,
    Topic,
)
from comuna.engines.deadlines import add_business_days
from comuna.geography.models import Municipality, State

SEED = 2018
SLUG_PREFIX = "ente-nacional-"
TITLE_PREFIX = "Planteamiento nacional"
YEARS = 10
BATCH = 5000

MINISTRIES = (
    ("Ministerio del Poder Popular para las Comunas y los Movimientos Sociales", "MPPCMS"),
    ("Ministerio del Poder Popular de Atención de las Aguas", "MINAGUAS"),
    ("Ministerio del Poder Popular para la Energía Eléctrica", "MPPEE"),
    ("Ministerio del Poder Popular para la Agricultura Productiva y Tierras", "MPPAPT"),
    ("Ministerio del Poder Popular para la Salud", "MPPS"),
    ("Ministerio del Poder Popular para la Educación", "MPPE"),
    ("Ministerio del Poder Popular para Hábitat y Vivienda", "MINHVI"),
    ("Ministerio del Poder Popular para la Alimentación", "MINAL"),
    ("Ministerio del Poder Popular para el Transporte", "MPPT"),
    ("Ministerio del Poder Popular para Ecosocialismo", "MINEC"),
)

TOPICS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "water_utility": (Topic.WATER,),
    "electricity_utility": (Topic.ELECTRICITY,),
    "agrarian_authority": (Topic.LAND,),
    "mayors_office": (Topic.WASTE, Topic.ROADS, Topic.WATER, Topic.HOUSING, Topic.TRANSFER),
    "state_government": (Topic.ROADS, Topic.HEALTH, Topic.EDUCATION, Topic.GAS, Topic.TRANSFER),
    "ministry": (Topic.ECONOMY, Topic.FOOD, Topic.HEALTH, Topic.EDUCATION, Topic.TRANSFER),
    "institute": (Topic.ECONOMY, Topic.OTHER),
}
SUBJECTS: dict[str, str] = {
    Topic.WATER: "Falta de agua en el sector",
    Topic.ELECTRICITY: "Transformador dañado en el sector",
    Topic.LAND: "Regularización de tierras del sector",
    Topic.WASTE: "Basura sin recoger en el sector",
    Topic.ROADS: "Vialidad en mal estado en el sector",
    Topic.HOUSING: "Viviendas afectadas por lluvias en el sector",
    Topic.TRANSFER: "Transferencia del servicio en el sector",
    Topic.HEALTH: "Dotación del ambulatorio del sector",
    Topic.EDUCATION: "Reparación de la escuela del sector",
    Topic.GAS: "Distribución de gas doméstico en el sector",
    Topic.ECONOMY: "Financiamiento de proyecto socioproductivo del sector",
    Topic.FOOD: "Abastecimiento de alimentos en el sector",
    Topic.OTHER: "Planteamiento del sector",
}


class SeedError(Exception):
    """The seed cannot run on this database (the message says why)."""


@dataclass(frozen=True)
class NationalResult:
    bodies: int
    demands: int
    cosignatures: int
    events: int

    def line(self) -> str:
        return (
            f"bodies: {self.bodies}, demands: {self.demands}, co-signatures: "
            f"{self.cosignatures}, events: {self.events}"
        )


@dataclass
class _Body:
    pk: int
    body_type: str
    response_days: int
    weight: float
    answers: float  # share of demands it ever answers
    late: float  # share of its answers that come late


def national_loaded() -> bool:
    return PublicBody.objects.filter(slug__startswith=SLUG_PREFIX).exists()


def national_seed(*, demands: int, today: date | None = None) -> NationalResult:
    if demands < 0:
        raise SeedError("Ask for zero or more demands.")
    if national_loaded():
        raise SeedError(
            "The national directory of bodies is already in this database: the seed runs once "
            "per database. Use a fresh database."
        )
    owners = list(
        Organisation.objects.filter(
            kind__in=[OrganisationKind.COMMUNE, OrganisationKind.COUNCIL]
        ).values_list("pk", flat=True)
    )
    if not owners and demands:
        raise SeedError("No commune or council is registered: run `comuna seed-national` first.")
    with transaction.atomic():
        result = _Seed(today or timezone.localdate(), owners).run(demands)
    _vacuum()
    return result


class _Seed:
    def __init__(self, today: date, owners: list[int]) -> None:
        self.today = today
        self.owners = owners
        self.rng = random.Random(SEED)  # noqa: S311 - invented data, not secrets
        self.now = timezone.now()
        self.serial = 0

    # Bodies -----------------------------------------------------------------------------------

    def _slug(self) -> str:
        self.serial += 1
        return f"{SLUG_PREFIX}{self.serial:04d}"

    def _org_rows(
        self, specs: Sequence[dict[str, Any]], parent_ids: Sequence[int | None]
    ) -> list[int]:
        rows = [
            (OrganisationKind.PUBLIC_BODY, s["name"], s["slug"], parent, "", self.now, self.now)
            for s, parent in zip(specs, parent_ids, strict=True)
        ]
        _insert(
            Organisation,
            ["kind", "name", "slug", "parent_id", "description", "created_at", "updated_at"],
            rows,
        )
        found = dict(
            Organisation.objects.filter(slug__in=[s["slug"] for s in specs]).values_list(
                "slug", "pk"
            )
        )
        ids = [found[s["slug"]] for s in specs]
        _insert(
            PublicBody,
            [
                "organisation_ptr_id",
                "acronym",
                "level",
                "body_type",
                "state_id",
                "response_days",
                "contact_office",
                "contact_email",
                "contact_phone",
                "address",
                "website",
            ],
            [
                (
                    pk,
                    s.get("acronym", ""),
                    s["level"],
                    s["body_type"],
                    s.get("state_id"),
                    s["response_days"],
                    "Oficina de Atención al Ciudadano",
                    "",
                    "",
                    "",
                    "",
                )
                for pk, s in zip(ids, specs, strict=True)
            ],
        )
        return ids

    def _bodies(self) -> list[_Body]:
        national: list[dict[str, Any]] = [
            {"name": name, "acronym": acronym, "level": "national", "body_type": "ministry"}
            for name, acronym in MINISTRIES
        ]
        national += [
            {
                "name": "C.A. Hidrológica de Venezuela",
                "acronym": "Hidroven",
                "level": "national",
                "body_type": "water_utility",
            },
            {
                "name": "Corporación Eléctrica Nacional",
                "acronym": "Corpoelec",
                "level": "national",
                "body_type": "electricity_utility",
            },
            {
                "name": "Instituto Nacional de Tierras",
                "acronym": "INTi",
                "level": "national",
                "body_type": "agrarian_authority",
            },
            {
                "name": "Fondo de Desarrollo Microfinanciero",
                "acronym": "Fondemi",
                "level": "national",
                "body_type": "institute",
            },
        ]
        for spec in national:
            spec["slug"] = self._slug()
            spec["response_days"] = 20
        national_ids = self._org_rows(national, [None] * len(national))
        by_acronym = {s["acronym"]: pk for s, pk in zip(national, national_ids, strict=True)}

        states = list(State.objects.order_by("code").values_list("pk", "name"))
        regional: list[dict[str, Any]] = []
        parents: list[int | None] = []
        for state_id, state_name in states:
            for name, body_type, parent in (
                (f"Gobernación del estado {state_name}", "state_government", None),
                (f"Hidrológica del estado {state_name}", "water_utility", by_acronym["Hidroven"]),
                (f"Corpoelec {state_name}", "electricity_utility", by_acronym["Corpoelec"]),
                (
                    f"Oficina Regional de Tierras {state_name}",
                    "agrarian_authority",
                    by_acronym["INTi"],
                ),
            ):
                regional.append(
                    {
                        "name": name,
                        "slug": self._slug(),
                        "level": "state",
                        "body_type": body_type,
                        "state_id": state_id,
                        "response_days": self.rng.choice((15, 20, 20, 30)),
                    }
                )
                parents.append(parent)
        regional_ids = self._org_rows(regional, parents)
        governorships = {
            s["state_id"]: pk
            for s, pk in zip(regional, regional_ids, strict=True)
            if s["body_type"] == "state_government"
        }
        municipal: list[dict[str, Any]] = []
        municipal_parents: list[int | None] = []
        for state_id, name, state_name in Municipality.objects.order_by("code").values_list(
            "state_id", "name", "state__name"
        ):
            municipal.append(
                {
                    "name": f"Alcaldía del municipio {name} ({state_name})",
                    "slug": self._slug(),
                    "level": "municipal",
                    "body_type": "mayors_office",
                    "state_id": state_id,
                    "response_days": self.rng.choice((10, 15, 20)),
                }
            )
            municipal_parents.append(governorships.get(state_id))
        municipal_ids = self._org_rows(municipal, municipal_parents)

        bodies = []
        for specs, ids, weight in (
            (national, national_ids, 40.0),
            (regional, regional_ids, 12.0),
            (municipal, municipal_ids, 2.0),
        ):
            for spec, pk in zip(specs, ids, strict=True):
                bodies.append(
                    _Body(
                        pk=pk,
                        body_type=spec["body_type"],
                        response_days=spec["response_days"],
                        weight=weight * self.rng.uniform(0.3, 1.7),
                        answers=self.rng.uniform(0.55, 0.97),
                        late=self.rng.betavariate(2, 3),
                    )
                )
        return bodies

    # Demands ----------------------------------------------------------------------------------

    def run(self, n_demands: int) -> NationalResult:
        bodies = self._bodies()
        calendar = holiday_calendar()
        start = self.today - timedelta(days=365 * YEARS)
        due_cache: dict[tuple[date, int], date] = {}

        def due(day: date, days: int) -> date:
            key = (day, days)
            found = due_cache.get(key)
            if found is None:
                found = due_cache[key] = add_business_days(day, days, calendar)
            return found

        weights = [b.weight for b in bodies]
        span = (self.today - start).days
        first_id = (Demand.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        demand_rows: list[tuple[Any, ...]] = []
        cosigner_rows: list[tuple[Any, ...]] = []
        event_rows: list[tuple[Any, ...]] = []
        written = signed = events = 0
        chosen = self.rng.choices(bodies, weights=weights, k=n_demands)
        # Later years hold more demands (the network grows): skew the filing dates.
        for index, body in enumerate(chosen):
            pk = first_id + index
            filed_on = start + timedelta(days=int(span * (self.rng.random() ** 0.6)))
            due_on = due(filed_on, body.response_days)
            topic = self.rng.choice(TOPICS_BY_TYPE[body.body_type])
            owner = self.rng.choice(self.owners)
            public = self.rng.random() < 0.9
            row = self._outcome(body, filed_on, due_on)
            demand_rows.append(
                (
                    pk,
                    owner,
                    "public" if public else "unit",
                    body.pk,
                    topic,
                    f"{SUBJECTS[topic]} {pk % 97 + 1}",
                    f"{TITLE_PREFIX} {pk}: {SUBJECTS[topic].lower()}.",
                    row["status"],
                    row["status"] in (DemandStatus.FILED, DemandStatus.ACKNOWLEDGED),
                    filed_on,
                    body.response_days,
                    due_on,
                    row.get("acknowledged_on"),
                    "",
                    row.get("answered_on"),
                    row.get("answer_text", ""),
                    row.get("answer_days"),
                    row.get("resolved_on"),
                    row.get("closed_on"),
                    "",
                    self.now,
                    self.now,
                )
            )
            event_rows.append(
                (pk, body.pk, public, EventKind.FILED, filed_on, self.now, owner, "", "{}")
            )
            if row.get("answered_on"):
                answered = row["answered_on"]
                event_rows.append(
                    (pk, body.pk, public, EventKind.ANSWERED, answered, self.now, body.pk, "", "{}")
                )
            if row.get("closed_on"):
                kind = (
                    EventKind.WITHDRAWN
                    if row["status"] == DemandStatus.WITHDRAWN
                    else EventKind.ESCALATED
                )
                event_rows.append(
                    (pk, body.pk, public, kind, row["closed_on"], self.now, owner, "", "{}")
                )
            if self.rng.random() < 0.12:
                others = {self.rng.choice(self.owners) for _n in range(self.rng.randint(1, 2))}
                cosigner_rows.extend((pk, o, filed_on, self.now) for o in others if o != owner)
            if len(demand_rows) >= BATCH:
                written += self._flush_demands(demand_rows)
                signed += _insert(
                    DemandCosigner,
                    ["demand_id", "organisation_id", "signed_on", "signed_at"],
                    cosigner_rows,
                )
                events += self._flush_events(event_rows)
                demand_rows, cosigner_rows, event_rows = [], [], []
        written += self._flush_demands(demand_rows)
        signed += _insert(
            DemandCosigner,
            ["demand_id", "organisation_id", "signed_on", "signed_at"],
            cosigner_rows,
        )
        events += self._flush_events(event_rows)
        _reset_sequence(Demand)
        counters.rebuild()
        _analyze()
        result = NationalResult(
            bodies=len(bodies), demands=written, cosignatures=signed, events=events
        )
        first = PublicBody.objects.filter(slug__startswith=SLUG_PREFIX).order_by("slug").first()
        if first is not None:
            audit.record(
                actor=None,
                verb="dialogue.seed_national",
                subject=first,
                details={"bodies": result.bodies, "demands": result.demands},
            )
        return result

    def _outcome(self, body: _Body, filed_on: date, due_on: date) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.02:
            closed = min(self.today, filed_on + timedelta(days=rng.randint(1, 60)))
            return {"status": DemandStatus.WITHDRAWN, "closed_on": closed}
        if roll < 0.05:
            closed = due_on + timedelta(days=rng.randint(5, 60))
            if closed <= self.today:
                return {"status": DemandStatus.ESCALATED, "closed_on": closed}
        acknowledged = filed_on + timedelta(days=rng.randint(1, 10)) if rng.random() < 0.6 else None
        if acknowledged is not None and acknowledged > self.today:
            acknowledged = None
        if rng.random() < body.answers:
            window = (due_on - filed_on).days
            if rng.random() < body.late:
                answered = due_on + timedelta(days=int(rng.expovariate(1 / 25)) + 1)
            else:
                answered = filed_on + timedelta(days=rng.randint(1, max(1, window)))
            if answered <= self.today:
                resolved = (
                    answered + timedelta(days=rng.randint(1, 30)) if rng.random() < 0.35 else None
                )
                if resolved is not None and resolved > self.today:
                    resolved = None
                return {
                    "status": DemandStatus.RESOLVED if resolved else DemandStatus.ANSWERED,
                    "acknowledged_on": acknowledged,
                    "answered_on": answered,
                    "answer_text": "Respuesta del ente registrada por la comuna.",
                    "answer_days": (answered - filed_on).days,
                    "resolved_on": resolved,
                }
        # Communities close most demands that stayed unanswered for a year: withdrawn or
        # taken to a higher body.
        gave_up = due_on + timedelta(days=rng.randint(200, 400))
        if gave_up <= self.today and rng.random() < 0.8:
            status = DemandStatus.ESCALATED if rng.random() < 0.4 else DemandStatus.WITHDRAWN
            return {"status": status, "acknowledged_on": acknowledged, "closed_on": gave_up}
        status = DemandStatus.ACKNOWLEDGED if acknowledged else DemandStatus.FILED
        return {"status": status, "acknowledged_on": acknowledged}

    def _flush_demands(self, rows: list[tuple[Any, ...]]) -> int:
        return _insert(
            Demand,
            [
                "id",
                "owner_id",
                "visibility",
                "body_id",
                "topic",
                "title",
                "text",
                "status",
                "waiting",
                "filed_on",
                "business_days",
                "due_on",
                "acknowledged_on",
                "body_reference",
                "answered_on",
                "answer_text",
                "answer_days",
                "resolved_on",
                "closed_on",
                "close_reason",
                "created_at",
                "updated_at",
            ],
            rows,
        )

    def _flush_events(self, rows: list[tuple[Any, ...]]) -> int:
        return _insert(
            DemandEvent,
            [
                "demand_id",
                "body_id",
                "public",
                "kind",
                "on",
                "at",
                "organisation_id",
                "text",
                "details",
            ],
            rows,
        )


def _chunks(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(model: type[Model], columns: list[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows (values in the order of `columns`, attribute names) into the model's own
    table: COPY on PostgreSQL, executemany elsewhere. Values must be ready for the database
    (dates as dates, JSON as text)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    by_attname = {f.attname: f.column for f in model._meta.local_concrete_fields}
    names = ", ".join(quote(by_attname[c]) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, BATCH):
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as stream:
                    for row in chunk:
                        stream.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({placeholders})",  # noqa: S608 - model meta
                    [list(row) for row in chunk],
                )
            written += len(chunk)
    return written


def _vacuum() -> None:
    """On PostgreSQL, VACUUM the bulk-loaded tables (outside any transaction) so that index-only
    scans work at once, as they would once autovacuum has passed."""
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        return
    with connection.cursor() as cursor:
        for model in (Demand, DemandEvent, DemandCosigner):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load (PostgreSQL's autovacuum would do
    it later; SQLite only when asked)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _reset_sequence(model: type[Model]) -> None:
    """After writing explicit ids, move PostgreSQL's sequence past them."""
    if connection.vendor != "postgresql":
        return
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)
