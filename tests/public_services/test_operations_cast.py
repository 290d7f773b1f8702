"""The cast of the schedules and routes tests (no tests here: fixtures imported by
test_schedules*.py, test_routes*.py and test_operations*.py).

On top of the registry's network (tests/registry/conftest.py):

- El Maizal gets a second council, El Cedral, with a point; Las Delicias gets a point too;
- vera: spokesperson of El Cedral only (not of the commune);
- "Sector Norte" of El Maizal holds both councils; its water schedule runs on Mondays and
  Thursdays 06:00-12:00 since four weeks ago;
- two tanker-and-truck vehicles and a route plan with five stops around Sarare.
"""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from comuna.core import actions as core_actions
from comuna.core.models import Person, Role
from comuna.public_services import actions_operations as ops
from comuna.public_services.models_operations import (
    CapacityUnit,
    PlanPurpose,
    RoutePlan,
    Schedule,
    Sector,
    ServiceKind,
    Vehicle,
    VehicleKind,
)
from comuna.registry import actions as registry_actions
from comuna.registry.models import CommunalCouncil
from tests.conftest import make_user
from tests.registry.conftest import (  # noqa: F401 - fixtures re-exported to the test modules
    Network,
    _fresh_geography_caches,
    network,
    parish,
)

STOPS = [
    ("Plaza Bolívar de Sarare", 9.781, -69.158, "1.5"),
    ("Mercado comunal", 9.776, -69.165, "2.0"),
    ("Escuela Las Delicias", 9.790, -69.150, "1.0"),
    ("Ambulatorio", 9.772, -69.152, "2.5"),
    ("Cancha El Cedral", 9.785, -69.170, "1.2"),
]


@dataclass
class Ops:
    net: Network
    cedral: CommunalCouncil
    vera: User
    sector: Sector
    water: Schedule
    truck: Vehicle
    small_truck: Vehicle
    plan: RoutePlan

    @property
    def today(self) -> date:
        return timezone.localdate()


def last_weekday(weekday: int, before: date) -> date:
    """The latest day with that weekday strictly before `before`."""
    day = before - timedelta(days=1)
    while day.weekday() != weekday:
        day -= timedelta(days=1)
    return day


@pytest.fixture
def ops_cast(network: Network) -> Ops:
    bob = network.bob
    CommunalCouncil.objects.filter(pk=network.delicias.pk).update(lon=-69.155, lat=9.785)
    cedral = registry_actions.council_register(
        actor=bob,
        name="Consejo Comunal El Cedral",
        slug="el-cedral",
        registry_code="CC-LAR-0002",
        parish=parish("Sarare", "VE-K"),
        scope="rural",
        commune=network.maizal,
        lon=-69.17,
        lat=9.77,
    )
    vera = make_user("vera", "Vera Prueba")
    core_actions.membership_grant(
        actor=None,
        person=Person.objects.get(user=vera),
        organisation=cedral,
        role=Role.SPOKESPERSON,
    )
    delicias = CommunalCouncil.objects.get(pk=network.delicias.pk)
    sector = ops.sector_create(
        actor=bob, owner=network.maizal, name="Sector Norte", councils=[delicias, cedral]
    )
    today = timezone.localdate()
    water = ops.schedule_create(
        actor=bob,
        sector=sector,
        service=ServiceKind.WATER,
        title="Agua por tubería",
        slots=[(0, time(6), time(12)), (3, time(6), time(12))],
        valid_from=today - timedelta(weeks=4),
    )
    truck = ops.vehicle_create(
        actor=bob,
        owner=network.maizal,
        name="Camión 1",
        kind=VehicleKind.RUBBISH_TRUCK,
        capacity=Decimal(6),
        capacity_unit=CapacityUnit.CUBIC_METRE,
        shift_start=time(6),
        shift_end=time(14),
    )
    small = ops.vehicle_create(
        actor=bob,
        owner=network.maizal,
        name="Camión 2",
        kind=VehicleKind.RUBBISH_TRUCK,
        capacity=Decimal(4000),
        capacity_unit=CapacityUnit.LITRE,
        shift_start=time(6),
        shift_end=time(14),
    )
    plan = ops.route_plan_create(
        actor=bob,
        owner=network.maizal,
        name="Recolección del lunes",
        purpose=PlanPurpose.COLLECTION,
        day=today,
        depot_name="Galpón comunal",
        depot_lat=9.78,
        depot_lon=-69.16,
        vehicles=[truck, small],
        time_limit=1,
    )
    ops.route_stops_add(
        actor=bob,
        plan=plan,
        stops=[
            ops.StopInput(name=name, latitude=lat, longitude=lon, quantity=Decimal(q))
            for name, lat, lon, q in STOPS
        ],
    )
    plan.refresh_from_db()
    return Ops(
        net=network,
        cedral=cedral,
        vera=vera,
        sector=sector,
        water=water,
        truck=truck,
        small_truck=small,
        plan=plan,
    )
