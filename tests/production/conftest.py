"""The productive network's cast: the registry's network (tests/registry/conftest.py), the
shipped catalogue, and two productive units built with the module's own actions.

- "Planta Maizal" (EPSDC of El Maizal, Lara): makes cornflour; bob coordinates El Maizal.
- "UPF La Ceiba" (family unit of Ezequiel Zamora, Barinas): ernesto coordinates Zamora.
- A network cycle "Ciclo de siembra" coordinated by nora (network coordinator).
- oscar is signed in and member of nothing (the outsider).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from comuna.production import actions
from comuna.production.models import (
    Intent,
    ProductiveUnit,
    ResourceSpecification,
    SupplyCycle,
    Unit,
)
from tests.registry.conftest import (  # noqa: F401 - fixtures used by this package's tests
    Network,
    _fresh_geography_caches,
    network,
)


@dataclass
class Farm:
    net: Network
    planta: ProductiveUnit
    ceiba: ProductiveUnit
    cycle: SupplyCycle

    def resource(self, slug: str) -> ResourceSpecification:
        return ResourceSpecification.objects.get(slug=slug)

    def unit(self, code: str) -> Unit:
        return Unit.objects.get(code=code)

    def post(
        self,
        actor: Any,
        kind: str,
        owner: Any,
        resource: str,
        quantity: Decimal | str | int,
        unit: str = "kg",
        **extra: Any,
    ) -> Intent:
        return actions.intent_post(
            actor=actor,
            kind=kind,
            owner=owner,
            resource=self.resource(resource),
            quantity=quantity,
            unit=self.unit(unit),
            cycle=extra.pop("cycle", self.cycle),
            **extra,
        )


@pytest.fixture
def farm(network: Network) -> Farm:  # noqa: F811 - the imported fixture
    actions.catalogue_seed(actor=None)
    planta = actions.productive_unit_register(
        actor=network.bob,
        parent=network.maizal,
        name="Planta Maizal",
        form="epsdc",
        sector="Agroindustria",
        makes=[ResourceSpecification.objects.get(slug="harina-maiz")],
    )
    ceiba = actions.productive_unit_register(
        actor=network.ernesto,
        parent=network.zamora,
        name="UPF La Ceiba",
        form="upf",
        sector="Agricultura",
    )
    today = timezone.localdate()
    cycle = actions.cycle_open(
        actor=network.nora,
        owner=network.root,
        name="Ciclo de siembra",
        collect_until=today + timedelta(days=10),
        deliver_by=today + timedelta(days=30),
    )
    actions.cycle_join(actor=network.bob, cycle=cycle, unit=planta)
    actions.cycle_join(actor=network.ernesto, cycle=cycle, unit=ceiba)
    return Farm(net=network, planta=planta, ceiba=ceiba, cycle=cycle)
