"""The registry's cast: the same people as tests/conftest.py, in real registry communes.

- nora: coordinator of the network (red-nacional), may register communes
- El Maizal (Simón Planas, Lara) with the council Las Delicias; Ezequiel Zamora (Barinas)
- alice: spokesperson of El Maizal (through a mandate in its parliament)
- bob: coordinator, carol: member, dora: oversight of El Maizal
- ernesto: coordinator of Ezequiel Zamora
- oscar: signed in, member of nothing
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import User

from comuna.core import actions as core_actions
from comuna.core.models import Organisation, OrganisationKind, Person, Role
from comuna.geography import maps
from comuna.geography import queries as geo_queries
from comuna.geography.actions import geography_load
from comuna.geography.models import Parish
from comuna.registry import actions
from comuna.registry.models import Body, BodyKind, CommunalCouncil, Commune
from tests.conftest import make_user


@dataclass
class Network:
    root: Organisation
    maizal: Commune
    delicias: CommunalCouncil
    zamora: Commune
    nora: User
    alice: User
    bob: User
    carol: User
    dora: User
    ernesto: User
    oscar: User


def parish(name: str, state: str) -> Parish:
    return Parish.objects.get(name=name, municipality__state__code=state)


@pytest.fixture(autouse=True)
def _fresh_geography_caches() -> Iterator[None]:
    geo_queries.clear_caches()
    maps.clear_caches()
    yield
    geo_queries.clear_caches()
    maps.clear_caches()


@pytest.fixture
def network(db: None) -> Network:
    geography_load()
    root = core_actions.organisation_create(
        actor=None, kind=OrganisationKind.NETWORK, name="Red Nacional", slug="red-nacional"
    )
    users = {
        "nora": make_user("nora", "Nora Prueba"),
        "alice": make_user("alice", "Alicia Prueba", national_id="V-10000001", phone="0414-1"),
        "bob": make_user("bob", "Roberto Prueba"),
        "carol": make_user("carol", "Carolina Prueba"),
        "dora": make_user("dora", "Dora Prueba"),
        "ernesto": make_user("ernesto", "Ernesto Prueba"),
        "oscar": make_user("oscar", "Óscar Prueba"),
    }

    def person(name: str) -> Person:
        return Person.objects.get(user=users[name])

    core_actions.membership_grant(
        actor=None, person=person("nora"), organisation=root, role=Role.COORDINATOR
    )
    nora = users["nora"]
    maizal = actions.commune_register(
        actor=nora,
        name="Comuna El Maizal",
        slug="el-maizal",
        registry_code="COM-LAR-001",
        parish=parish("Sarare", "VE-K"),
        status="registered",
        charter_date=date(2013, 3, 11),
        lon=-69.16,
        lat=9.78,
    )
    zamora = actions.commune_register(
        actor=nora,
        name="Comuna Ezequiel Zamora",
        slug="ezequiel-zamora",
        registry_code="COM-BAR-001",
        parish=Parish.objects.filter(municipality__state__code="VE-E").order_by("code").first(),  # type: ignore[arg-type]
        status="registered",
        lon=-70.21,
        lat=8.62,
    )
    for name, org, role in [
        ("bob", maizal, Role.COORDINATOR),
        ("carol", maizal, Role.MEMBER),
        ("dora", maizal, Role.OVERSIGHT),
        ("ernesto", zamora, Role.COORDINATOR),
    ]:
        core_actions.membership_grant(actor=None, person=person(name), organisation=org, role=role)
    delicias = actions.council_register(
        actor=users["bob"],
        name="Consejo Comunal Las Delicias",
        slug="las-delicias",
        registry_code="CC-LAR-0001",
        parish=parish("Sarare", "VE-K"),
        scope="rural",
        commune=maizal,
        households=180,
        population=700,
        founded=date(2010, 5, 1),
    )
    actions.mandate_grant(
        actor=users["bob"],
        person=person("alice"),
        organisation=maizal,
        body=Body.objects.get(organisation=maizal, kind=BodyKind.PARLIAMENT),
        decision="Asamblea de ciudadanos del 2024-01-20",
        start=date(2024, 1, 20),
    )
    maizal.refresh_from_db()
    return Network(root=root, maizal=maizal, delicias=delicias, zamora=zamora, **users)
