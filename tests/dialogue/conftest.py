"""The dialogue's cast: the registry's network (tests/registry/conftest.py) and a small
directory of public bodies, built with the module's own actions.

- Hidroven (national water utility) above Hidrolara (Lara); Corpoelec (national);
  Alcaldía del municipio Simón Planas (municipal), under the Gobernación del estado Lara.
- nora, coordinator of the network, keeps the directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from comuna.core.models import Organisation
from comuna.dialogue import actions
from comuna.dialogue.models import Demand, PublicBody
from comuna.geography.models import State
from tests.registry.conftest import (  # noqa: F401 - fixtures used by this package's tests
    Network,
    _fresh_geography_caches,
    network,
)


@dataclass
class Directory:
    net: Network
    hidroven: PublicBody
    hidrolara: PublicBody
    corpoelec: PublicBody
    gobernacion: PublicBody
    alcaldia: PublicBody


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture
def directory(network: Network) -> Directory:  # noqa: F811 - the imported fixture
    nora = network.nora
    lara = State.objects.get(code="VE-K")
    hidroven = actions.body_create(
        actor=nora,
        name="C.A. Hidrológica de Venezuela",
        acronym="Hidroven",
        slug="hidroven",
        level="national",
        body_type="water_utility",
        response_days=20,
    )
    hidrolara = actions.body_create(
        actor=nora,
        name="C.A. Hidrológica del Centro Occidente",
        acronym="Hidrolara",
        slug="hidrolara",
        level="state",
        body_type="water_utility",
        parent=hidroven,
        state=lara,
        response_days=15,
        contact_office="Oficina de Atención al Ciudadano",
        contact_email="atencion@hidrolara.example",
    )
    corpoelec = actions.body_create(
        actor=nora,
        name="Corporación Eléctrica Nacional",
        acronym="Corpoelec",
        slug="corpoelec",
        level="national",
        body_type="electricity_utility",
    )
    gobernacion = actions.body_create(
        actor=nora,
        name="Gobernación del estado Lara",
        slug="gobernacion-lara",
        level="state",
        body_type="state_government",
        state=lara,
    )
    alcaldia = actions.body_create(
        actor=nora,
        name="Alcaldía del municipio Simón Planas",
        slug="alcaldia-simon-planas",
        level="municipal",
        body_type="mayors_office",
        parent=gobernacion,
        state=lara,
        response_days=10,
    )
    return Directory(network, hidroven, hidrolara, corpoelec, gobernacion, alcaldia)


def file_demand(
    d: Directory,
    *,
    body: PublicBody | None = None,
    owner: Organisation | None = None,
    actor: Any = None,
    visibility: str = "public",
    on: date | None = None,
    title: str = "Reparación del acueducto de Sarare",
    topic: str = "water",
) -> Demand:
    return actions.demand_create(
        actor=actor or d.net.bob,
        owner=owner or d.net.maizal,
        body=body or d.hidrolara,
        topic=topic,
        title=title,
        text="El sector La Ceiba lleva tres semanas sin agua.",
        visibility=visibility,
        filed_on=on,
    )
