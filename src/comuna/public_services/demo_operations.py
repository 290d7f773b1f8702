"""The schedules and routes part of the public_services demo (called by demo.load).

On top of the demo network, written through the actions, from a fixed random generator:

- El Maizal: its councils grouped from west to east into three sectors, each with a water
  rotation (two mornings a week), a rubbish collection day, and in the eastern sector the
  planned power cuts of a load-shedding plan; four weeks of recorded outcomes (mostly kept,
  some partly, some not); a cancelled day next week with its announcement.
- A second commune (Ataroa, Barquisimeto, or the next commune with councils): two sectors
  with their water rotation and a few outcomes.
- El Maizal's vehicles (two rubbish trucks, two water tankers), its collection points (the
  ones psreq's demo made, completed to fifteen if missing), a rubbish-collection route plan
  for next Monday and a tanker delivery plan with time windows, both solved (5 s each), so
  their maps and route sheets can be printed.

Running it again changes nothing (it stops when El Maizal already has its sectors).
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna.core.models import Organisation
from comuna.public_services import actions_operations as ops
from comuna.public_services.demo import Writer
from comuna.public_services.models_operations import (
    CapacityUnit,
    Outcome,
    PlanPurpose,
    RoutePlan,
    Schedule,
    Sector,
    ServiceKind,
    VehicleKind,
)

if TYPE_CHECKING:
    from comuna.registry.models import CommunalCouncil

SEED = 2026
MAIZAL = "el-maizal"
SECOND_COMMUNES = ("ataroa", "comuna-ataroa")
COORDINATOR = "maizal-coordinador"
SPOKESPERSON = "maizal-vocera"
NETWORK_COORDINATOR = "coordinacion"
WEEKS_OF_HISTORY = 4
COLLECTION_POINTS = 15
#: Seconds the solver gets for each demo plan (16 and 8 stops are solved well within it).
SOLVE_SECONDS = 5
#: Under the tests one second is enough and keeps the suite quick.
TEST_SOLVE_SECONDS = 1


def _solve_seconds() -> int:
    return TEST_SOLVE_SECONDS if settings.TESTING else SOLVE_SECONDS


DELIVERIES = (
    ("Escuela Bolivariana de Sarare", 2500, time(7), time(9), 25),
    ("Ambulatorio Rural Sarare", 2000, time(7), time(10), 20),
    ("Casa de alimentación Las Delicias", 1500, time(8), time(11), 15),
    ("Liceo El Cardonal", 3000, time(9), time(12), 30),
    ("Simoncito La Ceiba", 1000, time(8), time(12), 15),
    ("Tanque comunitario Caño Seco", 3500, time(10), time(14), 30),
    ("Casa comunal Los Naranjos", 1500, time(11), time(14), 15),
    ("Módulo Barrio Adentro Bella Vista", 1000, time(7), time(11), 15),
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _councils(owner: Organisation) -> list[CommunalCouncil]:
    from comuna.registry.models import CommunalCouncil

    return list(
        CommunalCouncil.objects.filter(commune_id=owner.pk, lon__isnull=False).order_by("lon", "pk")
    )


def _groups(councils: list[CommunalCouncil], count: int) -> list[list[CommunalCouncil]]:
    size = max(1, -(-len(councils) // count))
    return [councils[i : i + size] for i in range(0, len(councils), size)][:count]


def _history(
    rng: random.Random, schedule: Schedule, reporter: User, fallback: User, today: date
) -> int:
    """Outcomes for about four in five of the past occurrences of the last weeks."""
    from comuna.public_services import queries_operations as queries

    schedule = Schedule.objects.prefetch_related("slots", "exceptions").get(pk=schedule.pk)
    since = today - timedelta(weeks=WEEKS_OF_HISTORY)
    recorded = 0
    for occurrence in queries.planned_between(schedule, since, today):
        if rng.random() > 0.8:
            continue  # nobody reported this one
        roll = rng.random()
        outcome = (
            Outcome.KEPT if roll < 0.65 else Outcome.PARTIAL if roll < 0.82 else Outcome.NOT_KEPT
        )
        actor = reporter if ops.can_report(reporter, schedule.sector) else fallback
        ops.slot_report(
            actor=actor,
            schedule=schedule,
            day=occurrence.day,
            start=occurrence.start,
            outcome=outcome,
            note="" if outcome == Outcome.KEPT else rng.choice(_NOTES[schedule.service]),
        )
        recorded += 1
    return recorded


_NOTES: dict[str, tuple[str, ...]] = {
    ServiceKind.WATER: (
        "Llegó con poca presión.",
        "Llegó a las 9, tres horas tarde.",
        "No llegó: la bomba del pozo está parada.",
        "Llegó turbia la primera hora.",
    ),
    ServiceKind.WASTE: (
        "El camión pasó a mediodía.",
        "Quedaron bolsas en la esquina de la escuela.",
        "El camión no pasó: sin gasoil.",
    ),
    ServiceKind.ELECTRICITY: (
        "El corte duró dos horas más.",
        "Hubo corte fuera del horario anunciado.",
    ),
}


def _schedules_for_maizal(maizal: Organisation, actor: User, start: date) -> list[Schedule]:
    councils = _councils(maizal)
    if not councils:
        return []
    names = ("Sector Oeste", "Sector Centro", "Sector Este")
    water_days = ((0, 3), (1, 4), (2, 5))
    waste_day = (0, 2, 4)
    made: list[Schedule] = []
    for index, group in enumerate(_groups(councils, 3)):
        sector = ops.sector_create(
            actor=actor,
            owner=maizal,
            name=names[index],
            description="Sector de la rotación de agua y de la recolección de desechos.",
            councils=group,
        )
        made.append(
            ops.schedule_create(
                actor=actor,
                sector=sector,
                service=ServiceKind.WATER,
                title=f"Agua por tubería, {names[index].lower()}",
                slots=[(d, time(6), time(12)) for d in water_days[index]],
                valid_from=start,
                notes="Rotación acordada con Hidrolara y la mesa técnica de agua.",
            )
        )
        made.append(
            ops.schedule_create(
                actor=actor,
                sector=sector,
                service=ServiceKind.WASTE,
                title=f"Recolección de desechos, {names[index].lower()}",
                slots=[(waste_day[index], time(7), time(11))],
                valid_from=start,
                notes="Saque la basura la noche anterior, en bolsas cerradas.",
            )
        )
        if index == 2:
            made.append(
                ops.schedule_create(
                    actor=actor,
                    sector=sector,
                    service=ServiceKind.ELECTRICITY,
                    title="Plan de administración de carga, bloque 3",
                    slots=[(1, time(14), time(17)), (5, time(10), time(13))],
                    valid_from=start,
                    notes="Cortes programados anunciados por Corpoelec.",
                )
            )
    return made


def _second_commune() -> Organisation | None:
    from comuna.registry.models import Commune

    for slug in SECOND_COMMUNES:
        found = Commune.objects.filter(slug=slug).first()
        if found is not None and _councils(found):
            return found
    return (
        Commune.objects.exclude(slug=MAIZAL)
        .filter(councils__lon__isnull=False)
        .order_by("name")
        .first()
    )


def _schedules_for(commune: Organisation, actor: User, start: date) -> list[Schedule]:
    made: list[Schedule] = []
    groups = _groups(_councils(commune), 2)
    for index, group in enumerate(groups):
        name = ("Sector Alto", "Sector Bajo")[index]
        sector = ops.sector_create(actor=actor, owner=commune, name=name, councils=group)
        made.append(
            ops.schedule_create(
                actor=actor,
                sector=sector,
                service=ServiceKind.WATER,
                title=f"Agua por tubería, {name.lower()}",
                slots=[(d, time(5), time(10)) for d in ((0, 2, 4), (1, 3, 5))[index]],
                valid_from=start,
            )
        )
    return made


def _collection_points(rng: random.Random, maizal: Organisation, actor: User) -> list[object]:
    """psreq's collection points of El Maizal, completed to fifteen with asset_create."""
    existing = ops.collection_points_of(maizal)
    missing = COLLECTION_POINTS - len(existing)
    if missing <= 0:
        return existing
    from comuna.public_services import actions as ps_actions

    councils = _councils(maizal) or []
    for n in range(missing):
        council = councils[n % len(councils)] if councils else None
        base_lon = council.lon if council and council.lon is not None else -69.16
        base_lat = council.lat if council and council.lat is not None else 9.78
        lon = round(base_lon + rng.uniform(-0.006, 0.006), 6)
        lat = round(base_lat + rng.uniform(-0.006, 0.006), 6)
        where = council.name.replace("Consejo Comunal ", "") if council else "Sarare"
        ps_actions.asset_create(
            actor=actor,
            owner=maizal,
            kind="collection_point",
            name=f"Contenedor {len(existing) + n + 1}, {where}",
            geometry={"type": "Point", "coordinates": [lon, lat]},
        )
    return ops.collection_points_of(maizal)


def _next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _plans(rng: random.Random, maizal: Organisation, actor: User, today: date) -> list[RoutePlan]:
    from comuna.public_services.queries_operations import commune_place

    seat_lon, seat_lat = commune_place(owner=maizal) or (-69.16, 9.78)
    trucks = [
        ops.vehicle_create(
            actor=actor,
            owner=maizal,
            name=name,
            kind=VehicleKind.RUBBISH_TRUCK,
            plate=plate,
            capacity=capacity,
            capacity_unit=CapacityUnit.CUBIC_METRE,
            shift_start=time(6),
            shift_end=time(14),
        )
        for name, plate, capacity in (
            ("Compactador 1", "A12BC3D", Decimal(12)),
            ("Compactador 2", "A45EF6G", Decimal(8)),
        )
    ]
    tankers = [
        ops.vehicle_create(
            actor=actor,
            owner=maizal,
            name=name,
            kind=VehicleKind.TANKER,
            plate=plate,
            capacity=capacity,
            capacity_unit=CapacityUnit.LITRE,
            shift_start=time(7),
            shift_end=time(15),
        )
        for name, plate, capacity in (
            ("Cisterna 1", "A78HI9J", Decimal(10000)),
            ("Cisterna 2", "A01KL2M", Decimal(8000)),
        )
    ]
    monday = _next_monday(today)
    collection = ops.route_plan_create(
        actor=actor,
        owner=maizal,
        name="Recolección de desechos del lunes",
        purpose=PlanPurpose.COLLECTION,
        day=monday,
        depot_name="Galpón comunal de Sarare",
        depot_lat=seat_lat,
        depot_lon=seat_lon,
        vehicles=trucks,
        unit=CapacityUnit.CUBIC_METRE,
        time_limit=_solve_seconds(),
        seed=1,
        visibility="public",
    )
    points = _collection_points(rng, maizal, actor)
    ops.route_stops_add(
        actor=actor,
        plan=collection,
        stops=[
            ops.StopInput(
                name=str(point.name),  # type: ignore[attr-defined]
                latitude=float(point.latitude),  # type: ignore[attr-defined]
                longitude=float(point.longitude),  # type: ignore[attr-defined]
                quantity=Decimal(rng.choice(("0.6", "0.8", "1.0", "1.1", "1.2"))),
                service_min=rng.choice((4, 5, 6, 8)),
                asset_id=int(point.pk),  # type: ignore[attr-defined]
            )
            for point in points
        ],
    )
    delivery = ops.route_plan_create(
        actor=actor,
        owner=maizal,
        name="Reparto de agua en cisterna",
        purpose=PlanPurpose.DELIVERY,
        day=monday + timedelta(days=1),
        depot_name="Llenadero del pozo 3",
        depot_lat=round(seat_lat + 0.01, 5),
        depot_lon=round(seat_lon - 0.012, 5),
        vehicles=tankers,
        unit=CapacityUnit.LITRE,
        time_limit=_solve_seconds(),
        seed=1,
        visibility="public",
    )
    ops.route_stops_add(
        actor=actor,
        plan=delivery,
        stops=[
            ops.StopInput(
                name=name,
                latitude=round(seat_lat + rng.uniform(-0.03, 0.03), 5),
                longitude=round(seat_lon + rng.uniform(-0.03, 0.03), 5),
                quantity=Decimal(litres),
                service_min=minutes,
                window_start=start,
                window_end=end,
            )
            for name, litres, start, end, minutes in DELIVERIES
        ],
    )
    return [collection, delivery]


def load(stdout: Writer) -> None:
    """Load this part's demo data; running it again changes nothing."""
    maizal = Organisation.objects.filter(slug=MAIZAL).first()
    actor = _user(COORDINATOR)
    network_actor = _user(NETWORK_COORDINATOR) or actor
    if maizal is None or actor is None or network_actor is None:
        stdout.write("schedules and routes: the demo network is not loaded; skipped.\n")
        return
    if Sector.objects.filter(owner=maizal).exists():
        stdout.write("schedules and routes: already loaded.\n")
        return
    rng = random.Random(SEED)  # noqa: S311 - invented data, not secrets
    today = timezone.localdate()
    start = today - timedelta(weeks=6)
    reporter = _user(SPOKESPERSON) or actor
    with transaction.atomic():
        schedules = _schedules_for_maizal(maizal, actor, start)
        second = _second_commune()
        if second is not None:
            schedules += _schedules_for(second, network_actor, start)
        reports = sum(
            _history(rng, s, reporter if s.owner_id == maizal.pk else network_actor, actor, today)
            for s in schedules
        )
        water = next((s for s in schedules if s.service == ServiceKind.WATER), None)
        if water is not None:
            day = today + timedelta(days=7)
            while day.weekday() not in {slot.weekday for slot in water.slots.all()}:
                day += timedelta(days=1)
            ops.schedule_exception_set(
                actor=actor,
                schedule=water,
                day=day,
                cancelled=True,
                reason="Mantenimiento de la bomba del pozo 3: no habrá bombeo ese día.",
            )
            ops.announcement_publish(
                actor=actor,
                sector=water.sector,
                title="Jornada de limpieza de tanques",
                text="El sábado en la mañana, en la casa comunal. Traiga cepillo y cloro.",
            )
        plans = _plans(rng, maizal, actor, today)
    for plan in plans:
        ops.route_plan_solve_request(actor=actor, plan=plan)
        ops.route_plan_solve(plan_id=plan.pk)  # here and now; a queued task then skips it
    solved = RoutePlan.objects.filter(pk__in=[p.pk for p in plans], status="solved").count()
    stdout.write(
        f"schedules: {len(schedules)} in {Sector.objects.count()} sectors, "
        f"{reports} outcomes recorded; route plans: {len(plans)} ({solved} solved)\n"
    )
