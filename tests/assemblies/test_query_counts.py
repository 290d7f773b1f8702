"""List pages and API lists that the other tests leave out run a fixed number of queries:
the same bound with a handful of rows and with many more."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comuna.assemblies import actions, actions_voting
from comuna.assemblies.models import AgendaItem
from comuna.core import actions as core_actions
from comuna.core.errors import DomainError
from comuna.core.models import OrganisationKind
from tests.assemblies.conftest import Gathering

PAGES = "/asambleas"
API = "/api/v1/assemblies"
SLUG = "asamblea-de-prueba"


def token_for(user: Any) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def grow(g: Gathering, n: int, start: int = 0) -> None:
    """Add `n` of everything the lists show."""
    bob = g.net.bob
    item = AgendaItem.objects.filter(assembly=g.assembly).order_by("id").first()
    for index in range(start, start + n):
        guest = actions.participant_add(
            actor=None, assembly=g.assembly, kind="guest", name=f"Invitada {index}"
        )
        guest = actions.participant_check_in(actor=None, assembly=g.assembly, code=guest.number)
        parent = actions.agenda_item_add(actor=None, assembly=g.assembly, title=f"Punto {index}")
        actions.agenda_item_add(
            actor=None, assembly=g.assembly, title=f"Subpunto {index}", parent=parent
        )
        if item is not None:
            actions.speaker_add(actor=None, item=item, participant=guest)
        motion = actions.motion_create(
            actor=None, assembly=g.assembly, title=f"Moción {index}", text="Uno."
        )
        actions.motion_transition(actor=bob, motion=motion, state_code="admitted")
        actions.motion_transition(actor=bob, motion=motion, state_code="adopted")
        actions.motion_forward(actor=bob, motion=motion, to_body=g.net.delicias)
        unit = core_actions.organisation_create(
            actor=None,
            kind=OrganisationKind.COMMUNE,
            name=f"Comuna {index}",
            slug=f"comuna-{index}",
        )
        actions.delegation_invite(actor=None, assembly=g.assembly, organisation=unit, quota=2)
        actions.resolution_create(
            actor=None, assembly=g.assembly, title=f"Resolución {index}", responsible=g.net.zamora
        )
        actions.resolution_create(
            actor=None,
            assembly=g.assembly,
            title=f"Otra resolución {index}",
            responsible=g.net.maizal,
            motion=motion,
        )
        group = actions.working_group_create(actor=None, assembly=g.assembly, topic=f"Mesa {index}")
        actions.working_group_join(actor=None, group=group, participant=guest)
        actions.assembly_create(
            actor=bob,
            owner=g.net.maizal,
            title=f"Otra asamblea {index}",
            slug=f"otra-asamblea-{index}",
            scope="regional",
            starts_on=g.assembly.starts_on,
            ends_on=g.assembly.ends_on,
        )
        poll = actions_voting.poll_create(
            actor=bob, assembly=g.assembly, title=f"¿Sí {index}?", decision_type="ordinary"
        )
        actions_voting.poll_open(actor=bob, poll=poll)
        election = actions_voting.election_create(
            actor=bob, assembly=g.assembly, title=f"Vocería {index}", method="approval", seats=1
        )
        actions_voting.candidate_add(actor=bob, election=election, name=f"Candidata {index}")
        actions_voting.candidate_add(actor=bob, election=election, participant=g.alice)
        actions_voting.election_open(actor=bob, election=election)
        actions_voting.vote_cast(actor=g.net.alice, poll=poll, choice="yes")
        with pytest.raises(DomainError):  # the outsider's try is refused, and kept
            actions_voting.vote_cast(actor=g.net.oscar, poll=poll, choice="yes")


@pytest.fixture
def first_item(gathering: Gathering) -> AgendaItem:
    return actions.agenda_item_add(actor=None, assembly=gathering.assembly, title="Apertura")


PAGE_BOUNDS = [
    ("/", 8),
    ("/mociones-recibidas/", 6),
    (f"/{SLUG}/orden-del-dia/", 9),
    (f"/{SLUG}/orden-del-dia/{{item}}/", 10),
    (f"/{SLUG}/resoluciones/", 10),
    (f"/{SLUG}/votos-rechazados/", 8),
    (f"/{SLUG}/votar/", 8),
    (f"/{SLUG}/elecciones/1/", 12),
    (f"/{SLUG}/votaciones/1/lista.csv", 7),
]


@pytest.mark.parametrize(("path", "bound"), PAGE_BOUNDS)
def test_list_pages_run_a_fixed_number_of_queries(
    gathering: Gathering,
    first_item: AgendaItem,
    django_assert_max_num_queries: Any,
    path: str,
    bound: int,
) -> None:
    url = PAGES + path.format(item=first_item.pk)
    client = Client()
    client.force_login(gathering.net.bob)
    grow(gathering, 2)
    with django_assert_max_num_queries(bound):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.getvalue()
    grow(gathering, 12, start=2)
    with django_assert_max_num_queries(bound):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.getvalue()


API_BOUNDS = [
    ("/", 6),
    (f"/{SLUG}/delegations", 7),
    (f"/{SLUG}/working-groups", 7),
    (f"/{SLUG}/resolutions", 7),
    (f"/{SLUG}/agenda", 6),
    (f"/{SLUG}/agenda/{{item}}/speakers", 7),
    (f"/{SLUG}/refusals", 8),
    (f"/{SLUG}/polls/1/roll", 8),
    (f"/{SLUG}/my-votes", 8),
]


@pytest.mark.parametrize(("path", "bound"), API_BOUNDS)
def test_api_lists_run_a_fixed_number_of_queries(
    client: Client,
    gathering: Gathering,
    first_item: AgendaItem,
    django_assert_max_num_queries: Any,
    path: str,
    bound: int,
) -> None:
    url = API + path.format(item=first_item.pk)
    auth = token_for(gathering.net.bob if "refusals" in path else gathering.net.alice)
    grow(gathering, 2)
    with django_assert_max_num_queries(bound):
        assert client.get(url, **auth).status_code == 200
    grow(gathering, 12, start=2)
    with django_assert_max_num_queries(bound):
        assert client.get(url, **auth).status_code == 200
