"""The public_services module's part of `comuna seed-demo`: the shared catalogue; a territory
for El Maizal (a circle of about 3 km around its seat, when it has none); crews, assets (16
collection points, tanks, wells, pumps, valves, pipes, transformers) and a year of reports
in El Maizal and Negro Miguel, some open, some in the crews' hands, most closed.

Everything is written through the module's actions (reports are then dated back over the
past year, which only a seed may do). Running it again changes nothing.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from comuna.registry.models import Commune


class Writer(Protocol):
    def write(self, text: str) -> object: ...


SEED = 311
MAIZAL = "el-maizal"
OTHER = "negro-miguel"
TERRITORY_KM = 3.0

#: (commune, username of the coordinator who keeps its services)
KEEPERS = {MAIZAL: "maizal-coordinador"}

COLLECTION_POINTS = (
    "Escuela Bolivariana de Sarare",
    "Plaza Bolívar",
    "Mercado comunal",
    "Ambulatorio",
    "Cancha de Las Delicias",
    "Entrada de Los Cerritos",
    "La Ceiba",
    "Bodega comunal",
    "Casa comunal",
    "Parada de autobuses",
    "Liceo",
    "Sector El Cementerio",
    "Vivero comunal",
    "Galpón de maíz",
    "Calle 5 con avenida Lara",
    "Módulo de Barrio Adentro",
)

LEAK_TEXTS = (
    "Tubería rota frente a la escuela: el agua corre por la calle desde anoche.",
    "Fuga en la llave de paso de la esquina, se pierde mucha agua.",
    "Bote de agua limpia en la avenida, ya se formó un charco grande.",
)
OTHER_TEXTS = {
    "sin-agua": "No llega agua al sector desde hace tres días.",
    "baja-presion": "El agua llega sin fuerza y no sube al tanque.",
    "agua-turbia": "El agua llegó marrón y con olor.",
    "apagon": "Sin luz en toda la calle desde las 6 de la tarde.",
    "transformador": "El transformador de la esquina suena y bota chispas.",
    "alumbrado": "Tres postes de la calle principal están apagados.",
    "basura": "El camión no pasó el martes y la basura se acumula.",
    "bote-ilegal": "Están botando escombros y basura en la quebrada.",
    "contenedor-lleno": "El contenedor del mercado está desbordado.",
}


def _offset(lon: float, lat: float, km_east: float, km_north: float) -> tuple[float, float]:
    dlat = km_north / 111.2
    dlon = km_east / (111.2 * math.cos(math.radians(lat)))
    return round(lon + dlon, 6), round(lat + dlat, 6)


def _circle(lon: float, lat: float, km: float, sides: int = 24) -> dict[str, object]:
    ring = [
        list(
            _offset(
                lon,
                lat,
                km * math.cos(2 * math.pi * i / sides),
                km * math.sin(2 * math.pi * i / sides),
            )
        )
        for i in range(sides)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def load(stdout: Writer) -> None:
    """Load this module's demo data on top of the demo network; running it again changes
    nothing."""
    from comuna.public_services import demo_operations

    _load_reports_side(stdout)
    demo_operations.load(stdout)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _load_reports_side(stdout: Writer) -> None:
    from comuna.public_services import actions
    from comuna.public_services.models import Asset, ServiceType

    coordination = _user("coordinacion")
    maizal = Commune.objects.filter(slug=MAIZAL).first()
    keeper = _user(KEEPERS[MAIZAL])
    if coordination is None or maizal is None or keeper is None or maizal.lon is None:
        stdout.write("public_services: the demo network is not loaded; nothing to add.\n")
        return
    created = actions.catalogue_install(actor=coordination, owner=None)
    if created:
        stdout.write(f"public_services: {len(created)} services in the shared catalogue.\n")
    if Asset.objects.filter(owner=maizal, code="PR-01").exists():
        stdout.write("public_services: the demo assets and reports are already there.\n")
        return
    with transaction.atomic():
        _territory(maizal, coordination)
        other = Commune.objects.filter(slug=OTHER).first()
        crews = _crews(maizal, keeper, other, coordination)
        assets = _assets(maizal, keeper, other, coordination)
        count = _reports(maizal, other, crews, assets, keeper, coordination)
    services = ServiceType.objects.filter(owner__isnull=True).count()
    stdout.write(
        f"public_services: {services} services, {sum(len(c) for c in crews.values())} crews, "
        f"{len(assets)} assets, "
        f"{count} reports.\n"
    )


def _territory(maizal: Commune, actor: User) -> None:
    from comuna.registry import actions as registry_actions

    if maizal.territory:
        return
    if maizal.lon is None or maizal.lat is None:
        return
    registry_actions.commune_update(
        actor=actor,
        commune=maizal,
        territory=_circle(maizal.lon, maizal.lat, TERRITORY_KM),
        lon=maizal.lon,
        lat=maizal.lat,
    )


def _crews(
    maizal: Commune, keeper: User, other: Commune | None, coordination: User
) -> dict[str, list[object]]:
    from comuna.public_services import actions

    crews: dict[str, list[object]] = {}
    for commune, actor, specs in (
        (
            maizal,
            keeper,
            (
                ("Cuadrilla de agua de Sarare", "water", "Ramón, Wilmer, Luisa"),
                ("Cuadrilla eléctrica", "electricity", "Yorman, Carlos"),
                ("Cuadrilla de aseo", "waste", "Mireya, Jesús, Andrea"),
            ),
        ),
        (
            other,
            coordination,
            (("Cuadrilla de agua", "water", "Pedro, Ana"), ("Cuadrilla de aseo", "waste", "José")),
        ),
    ):
        if commune is None:
            continue
        for name, group, members in specs:
            crew = actions.crew_create(
                actor=actor, owner=commune, name=name, group=group, members=members
            )
            crews.setdefault(commune.slug, []).append(crew)
    return crews


def _assets(
    maizal: Commune, keeper: User, other: Commune | None, coordination: User
) -> list[object]:
    from comuna.public_services import actions

    lon, lat = float(maizal.lon or 0), float(maizal.lat or 0)
    made: list[object] = []

    def point(east: float, north: float) -> dict[str, object]:
        return {"type": "Point", "coordinates": list(_offset(lon, lat, east, north))}

    for i, name in enumerate(COLLECTION_POINTS):
        angle = 2 * math.pi * i / len(COLLECTION_POINTS)
        radius = 0.5 + 1.8 * ((i * 7) % 5) / 4
        made.append(
            actions.asset_create(
                actor=keeper,
                owner=maizal,
                kind="collection_point",
                name=f"Punto de recolección {name}",
                code=f"PR-{i + 1:02d}",
                geometry=point(radius * math.cos(angle), radius * math.sin(angle)),
                capacity=2 + (i % 3),
                capacity_unit="m3",
            )
        )
    specs = (
        ("tank", "Tanque Sarare Alto", "TQ-01", (0.9, 1.2), "working", 150000, "litros"),
        ("well", "Pozo 3 de Sarare", "PZ-03", (-1.4, 0.4), "needs_repair", None, ""),
        ("well", "Pozo 5 La Ceiba", "PZ-05", (1.6, -1.1), "working", None, ""),
        ("pump", "Bomba del pozo 3", "BO-03", (-1.38, 0.42), "out_of_service", 15, "kW"),
        ("valve", "Válvula de la avenida Lara", "VA-01", (0.2, 0.1), "working", None, ""),
        ("valve", "Válvula de Los Cerritos", "VA-02", (-0.7, -0.9), "working", None, ""),
        ("transformer", "Transformador de la escuela", "TR-01", (0.3, -0.4), "working", 75, "kVA"),
        ("transformer", "Transformador La Ceiba", "TR-02", (1.1, -1.3), "needs_repair", 50, "kVA"),
    )
    for kind, name, code, (east, north), state, capacity, unit in specs:
        made.append(
            actions.asset_create(
                actor=keeper,
                owner=maizal,
                kind=kind,
                name=name,
                code=code,
                geometry=point(east, north),
                state=state,
                capacity=capacity,
                capacity_unit=unit,
            )
        )
    for code, name, path in (
        ("TB-01", "Aducción del pozo 3 al tanque", [(-1.38, 0.42), (-0.4, 0.9), (0.9, 1.2)]),
        ("TB-02", "Red de la calle principal", [(0.9, 1.2), (0.2, 0.1), (-0.7, -0.9)]),
    ):
        made.append(
            actions.asset_create(
                actor=keeper,
                owner=maizal,
                kind="pipe",
                name=name,
                code=code,
                geometry={
                    "type": "LineString",
                    "coordinates": [list(_offset(lon, lat, e, n)) for e, n in path],
                },
            )
        )
    if other is not None and other.lon is not None and other.lat is not None:
        made.extend(
            actions.asset_create(
                actor=coordination,
                owner=other,
                kind="collection_point",
                name=f"Punto de recolección {i + 1}",
                code=f"NM-PR-{i + 1:02d}",
                geometry={
                    "type": "Point",
                    "coordinates": list(_offset(other.lon, other.lat, 0.4 * i, -0.3 * i)),
                },
            )
            for i in range(3)
        )
    return made


def _reports(
    maizal: Commune,
    other: Commune | None,
    crews: dict[str, list[object]],
    assets: list[object],
    keeper: User,
    coordination: User,
) -> int:
    from comuna.public_services import actions
    from comuna.public_services.models import (
        Crew,
        RequestUpdate,
        ServiceRequest,
        ServiceType,
        WorkOrder,
    )

    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    services = {s.code: s for s in ServiceType.objects.filter(owner__isnull=True)}
    now = timezone.now()
    count = 0
    places = [(maizal, keeper, 1.6)]
    if other is not None and other.lon is not None:
        places.append((other, coordination, 0.8))
    for commune, actor, spread in places:
        if commune.lon is None or commune.lat is None:
            continue
        commune_crews: list[Crew] = [c for c in crews.get(commune.slug, []) if isinstance(c, Crew)]
        total = 46 if commune.slug == MAIZAL else 14
        for n in range(total):
            code = rng.choice([*OTHER_TEXTS, "fuga", "fuga", "fuga"])
            service = services[code]
            east, north = rng.uniform(-spread, spread), rng.uniform(-spread, spread)
            lon, lat = _offset(commune.lon, commune.lat, east, north)
            text = rng.choice(LEAK_TEXTS) if code == "fuga" else OTHER_TEXTS[code]
            answers: dict[str, object] = {}
            if code == "fuga":
                answers = {"tamano": rng.choice(["goteo", "chorro", "inundacion"])}
            elif code == "sin-agua":
                answers = {"desde-cuando": str(rng.randint(1, 6))}
            item = actions.request_submit(
                actor=None,
                service=service,
                lat=lat,
                lon=lon,
                description=f"{text} (#{n + 1})",
                address=rng.choice(
                    ["Calle 3", "Avenida Lara", "Sector La Ceiba", "Calle El Carmen"]
                ),
                attributes=answers,
                contact_name=rng.choice(["María", "José", "Carmen", "Luis", ""]),
                contact_email="" if n % 3 else f"vecino{n}@example.org",
            )
            age_days = rng.uniform(0.2, 360) if n >= 6 else rng.uniform(0.1, 4)
            fitting = [c for c in commune_crews if c.group == service.group] or commune_crews
            crew = fitting[0] if fitting else None
            fate = rng.random() if n >= 6 else 0.0
            if fate > 0.15:
                actions.request_verify(actor=actor, request=item)
            if fate > 0.3 and crew is not None and item.commune_id == commune.pk:
                actions.request_assign(actor=actor, request=item, crew=crew)
            if fate > 0.4 and crew is not None and item.commune_id == commune.pk:
                order = WorkOrder.objects.filter(request=item, status="planned").first()
                if order is not None:
                    actions.work_order_start(actor=actor, order=order)
                    actions.material_record(
                        actor=actor,
                        order=order,
                        material="Tubo PVC 1/2 pulgada",
                        quantity="3",
                        unit="m",
                    )
            if fate > 0.45 and age_days > 3:
                if fate > 0.95:
                    actions.request_reject(
                        actor=actor, request=item, reason="No es un problema del servicio comunal."
                    )
                else:
                    actions.request_resolve(
                        actor=actor, request=item, note="Reparado por la cuadrilla."
                    )
            _backdate(item.pk, now - timedelta(days=age_days), rng, ServiceRequest, RequestUpdate)
            count += 1
    return count


def _backdate(
    pk: int, start: object, rng: random.Random, request_model: Any, update_model: Any
) -> None:
    """Spread a demo report's timeline from `start` (seed only: actions date things now)."""
    from datetime import datetime

    if not isinstance(start, datetime):
        return
    item = request_model.objects.select_related("service").get(pk=pk)
    updates = list(update_model.objects.filter(request_id=pk).order_by("at", "id"))
    moment = start
    for update in updates:
        update_model.objects.filter(pk=update.pk).update(at=moment)
        last = moment
        moment = min(moment + timedelta(hours=rng.uniform(2, 60)), timezone.now())
    changes = {
        "requested_at": start,
        "updated_at": last,
        "expected_at": start + timedelta(hours=item.service.target_hours),
    }
    if item.closed_at is not None:
        changes["closed_at"] = last
    request_model.objects.filter(pk=pk).update(**changes)
