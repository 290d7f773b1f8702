"""The assemblies' cast: the registry's network (tests/registry/conftest.py) and one national
assembly built with the module's own actions.

- "Asamblea de prueba" (slug `asamblea-de-prueba`), national, convened by El Maizal, in
  session today and tomorrow, quorum one half; bob (coordinator of El Maizal) runs it.
- Delegations: El Maizal (quota 3), Ezequiel Zamora (quota 2).
- Delegates with accepted credentials: alice (El Maizal, D001, checked in), carol (El Maizal,
  D002, not checked in), ernesto (Ezequiel Zamora, D003, checked in).
- A guest from abroad without an account: João (I001, checked in, no vote).
- dora (oversight of El Maizal) and oscar (the outsider) are not participants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from comuna.assemblies import actions
from comuna.assemblies.models import Assembly, Delegation, Participant
from comuna.core.models import Person
from tests.registry.conftest import (  # noqa: F401 - fixtures used by this package's tests
    Network,
    _fresh_geography_caches,
    network,
)


@dataclass
class Gathering:
    net: Network
    assembly: Assembly
    maizal_delegation: Delegation
    zamora_delegation: Delegation
    alice: Participant
    carol: Participant
    ernesto: Participant
    guest: Participant


def person_of(user: object) -> Person:
    return Person.objects.get(user=user)


@pytest.fixture
def gathering(network: Network) -> Gathering:  # noqa: F811 - the imported fixture
    bob = network.bob
    today = timezone.localdate()
    assembly = actions.assembly_create(
        actor=bob,
        owner=network.maizal,
        title="Asamblea de prueba",
        slug="asamblea-de-prueba",
        scope="national",
        starts_on=today,
        ends_on=today + timedelta(days=1),
        venue="Sarare, Lara",
    )
    actions.assembly_set_status(actor=bob, assembly=assembly, status="convened")
    actions.assembly_set_status(actor=bob, assembly=assembly, status="in_session")
    maizal_delegation = actions.delegation_invite(
        actor=bob, assembly=assembly, organisation=network.maizal, quota=3
    )
    zamora_delegation = actions.delegation_invite(
        actor=bob, assembly=assembly, organisation=network.zamora, quota=2
    )
    delegates = {}
    for name, delegation in [
        ("alice", maizal_delegation),
        ("carol", maizal_delegation),
        ("ernesto", zamora_delegation),
    ]:
        user = getattr(network, name)
        participant = actions.delegate_register(
            actor=bob,
            delegation=delegation,
            person=person_of(user),
            gender="female" if name != "ernesto" else "male",
            mandate_valid_until=today + timedelta(days=30),
            mandate_instructions="Defender la propuesta de la asamblea de ciudadanos.",
        )
        actions.credential_decide(actor=bob, participant=participant, accept=True)
        delegates[name] = participant
    guest = actions.participant_add(
        actor=bob,
        assembly=assembly,
        kind="guest",
        name="João da Silva",
        affiliation="Movimento dos Trabalhadores Rurais Sem Terra (Brasil)",
        gender="male",
    )
    for code in (delegates["alice"].number, delegates["ernesto"].number, guest.number):
        actions.participant_check_in(actor=bob, assembly=assembly, code=code)
    for participant in (*delegates.values(), guest):
        participant.refresh_from_db()
    assembly.refresh_from_db()
    return Gathering(
        net=network,
        assembly=assembly,
        maizal_delegation=maizal_delegation,
        zamora_delegation=zamora_delegation,
        guest=guest,
        **delegates,
    )
