"""The named cast (CONVENTIONS §8): two communes' worth of people and an outsider.

El Maizal (a commune) with its council Las Delicias; Comuna Ezequiel Zamora (another commune).

- alice: spokesperson of El Maizal
- bob: coordinator of El Maizal
- carol: member of El Maizal
- dora: social oversight of El Maizal
- ernesto: coordinator of Ezequiel Zamora
- oscar: signed in, member of nothing (the outsider)

Everything is built with the project's own actions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from comuna.core import actions
from comuna.core.models import Organisation, OrganisationKind, Person, Role

pytest_plugins = ["tests.browser_fixtures"]

PASSWORD = "una-clave-de-prueba-larga"


@dataclass
class Cast:
    maizal: Organisation
    delicias: Organisation
    zamora: Organisation
    alice: User
    bob: User
    carol: User
    dora: User
    ernesto: User
    oscar: User

    def person(self, user: User) -> Person:
        return Person.objects.get(user=user)


def make_user(username: str, full_name: str, **private: str) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    actions.person_create(actor=None, user=user, full_name=full_name, **private)
    return user


@pytest.fixture
def cast(db: None) -> Cast:
    maizal = actions.organisation_create(
        actor=None, kind=OrganisationKind.COMMUNE, name="Comuna El Maizal", slug="el-maizal"
    )
    delicias = actions.organisation_create(
        actor=None,
        kind=OrganisationKind.COUNCIL,
        name="Consejo Comunal Las Delicias",
        slug="las-delicias",
        parent=maizal,
    )
    zamora = actions.organisation_create(
        actor=None,
        kind=OrganisationKind.COMMUNE,
        name="Comuna Ezequiel Zamora",
        slug="ezequiel-zamora",
    )
    people = {
        "alice": make_user(
            "alice", "Alicia Prueba", national_id="V-10000001", phone="0414-0000001"
        ),
        "bob": make_user("bob", "Roberto Prueba", national_id="V-10000002"),
        "carol": make_user("carol", "Carolina Prueba", national_id="V-10000003"),
        "dora": make_user("dora", "Dora Prueba"),
        "ernesto": make_user("ernesto", "Ernesto Prueba"),
        "oscar": make_user("oscar", "Óscar Prueba", national_id="V-10000009"),
    }
    roles = [
        ("alice", maizal, Role.SPOKESPERSON),
        ("bob", maizal, Role.COORDINATOR),
        ("carol", maizal, Role.MEMBER),
        ("dora", maizal, Role.OVERSIGHT),
        ("ernesto", zamora, Role.COORDINATOR),
    ]
    for name, organisation, role in roles:
        actions.membership_grant(
            actor=None,
            person=Person.objects.get(user=people[name]),
            organisation=organisation,
            role=role,
        )
    return Cast(maizal=maizal, delicias=delicias, zamora=zamora, **people)


@pytest.fixture
def geography(db: None) -> object:
    """States, municipalities and parishes loaded from the shipped files."""
    from comuna.geography import maps, queries
    from comuna.geography.actions import geography_load

    queries.clear_caches()
    maps.clear_caches()
    return geography_load()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Cached fragments are keyed by the newest audit event id, which a rolled-back test
    database hands out again: start every test with an empty cache."""
    from django.core.cache import cache

    cache.clear()
