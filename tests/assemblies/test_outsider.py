"""The outsider (oscar: signed in, member of nothing) is refused every page and endpoint the
other tests leave out: 404 for what he may not see, 403 for what he sees but may not change;
an anonymous visitor is sent to sign in (pages) or gets 401 (API) for every write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from comuna.assemblies import actions, actions_voting
from comuna.assemblies.models import Assembly
from comuna.assemblies.models_voting import Ballot, Poll, RollEntry
from comuna.core import actions as core_actions
from comuna.core.models import Visibility
from tests.assemblies.conftest import Gathering

PAGES = "/asambleas/asamblea-de-prueba"
API = "/api/v1/assemblies"
SLUG_API = f"{API}/asamblea-de-prueba"


def token_for(user: Any) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, url: str, payload: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json", **extra)


def open_poll_and_election(g: Gathering) -> tuple[Poll, Any]:
    poll = actions_voting.poll_create(
        actor=g.net.bob, assembly=g.assembly, title="¿Sí?", decision_type="ordinary"
    )
    actions_voting.poll_open(actor=g.net.bob, poll=poll)
    election = actions_voting.election_create(
        actor=g.net.bob, assembly=g.assembly, title="Vocería", method="approval", seats=1
    )
    actions_voting.candidate_add(actor=g.net.bob, election=election, participant=g.alice)
    actions_voting.election_open(actor=g.net.bob, election=election)
    return poll, election


def restrict(g: Gathering) -> None:
    Assembly.objects.filter(pk=g.assembly.pk).update(visibility=Visibility.RESTRICTED)


# Pages ----------------------------------------------------------------------------------------

VOTING_WRITE_PAGES = [
    ("votaciones/nueva/", {"title": "x", "decision_type": "ordinary"}),
    ("votaciones/1/abrir/", {}),
    ("votaciones/1/cerrar/", {}),
    ("votaciones/1/anular/", {"reason": "x"}),
    ("votaciones/1/escrutinio/", {"yes": "1", "no": "0", "abstain": "0"}),
    ("elecciones/nueva/", {"title": "x", "method": "stv", "seats": "1"}),
    ("elecciones/1/candidatos/", {"name": "X"}),
    ("elecciones/1/abrir/", {}),
    ("elecciones/1/cerrar/", {}),
    ("elecciones/1/anular/", {"reason": "x"}),
]


@pytest.mark.parametrize(("path", "data"), VOTING_WRITE_PAGES)
def test_the_outsider_is_refused_every_voting_write_page(
    gathering: Gathering, path: str, data: dict[str, str]
) -> None:
    poll, election = open_poll_and_election(gathering)
    outsider = Client()
    outsider.force_login(gathering.net.oscar)
    assert outsider.post(f"{PAGES}/{path}", data).status_code == 403
    answer = Client().post(f"{PAGES}/{path}", data)
    assert answer.status_code == 302 and "/entrar/" in answer["Location"]
    poll.refresh_from_db()
    election.refresh_from_db()
    assert (poll.status, election.status) == ("open", "open")
    assert Poll.objects.count() == 1


def test_the_outsider_casts_no_ballot_and_anonymous_visitors_sign_in_first(
    gathering: Gathering,
) -> None:
    _poll, election = open_poll_and_election(gathering)
    url = f"{PAGES}/elecciones/{election.number}/papeleta/"
    outsider = Client()
    outsider.force_login(gathering.net.oscar)
    candidate = election.candidates.get()
    refused = outsider.post(url, {f"c{candidate.pk}": "on"})
    assert refused.status_code in (302, 400)
    assert not Ballot.objects.exists()
    for path in (url, f"{PAGES}/votaciones/1/votar/"):
        answer = Client().post(path, {"choice": "yes"})
        assert answer.status_code == 302 and "/entrar/" in answer["Location"], path
    assert not RollEntry.objects.exists()


def test_a_restricted_assembly_hides_its_voting_pages_from_the_outsider(
    gathering: Gathering,
) -> None:
    _poll, election = open_poll_and_election(gathering)
    restrict(gathering)
    outsider = Client()
    outsider.force_login(gathering.net.oscar)
    for path in (
        "votaciones/1/lista.csv",
        f"elecciones/{election.number}/papeleta/",
    ):
        assert outsider.get(f"{PAGES}/{path}").status_code == 404, path
    for path, data in VOTING_WRITE_PAGES:
        assert outsider.post(f"{PAGES}/{path}", data).status_code == 404, path


def test_motions_received_are_only_those_sent_to_the_users_organisations(
    gathering: Gathering,
) -> None:
    motion = actions.motion_create(
        actor=None, assembly=gathering.assembly, title="Bajar a los consejos", text="Uno."
    )
    for code in ("admitted", "adopted"):
        actions.motion_transition(actor=gathering.net.bob, motion=motion, state_code=code)
    actions.motion_forward(actor=gathering.net.bob, motion=motion, to_body=gathering.net.delicias)
    url = "/asambleas/mociones-recibidas/"
    member = Client()
    member.force_login(gathering.net.carol)
    assert "Bajar a los consejos" in member.get(url).content.decode()
    outsider = Client()
    outsider.force_login(gathering.net.oscar)
    answer = outsider.get(url)
    assert answer.status_code == 200 and "Bajar a los consejos" not in answer.content.decode()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/entrar/" in anonymous["Location"]


# API ------------------------------------------------------------------------------------------

VOTING_WRITE_ENDPOINTS = [
    ("polls", {"title": "x", "decision_type": "ordinary"}),
    ("polls/1/open", {}),
    ("polls/1/close", {}),
    ("polls/1/cancel", {"reason": "x"}),
    ("polls/1/paper-results", {"yes": 1, "no": 0, "abstain": 0, "tellers": "x"}),
    ("elections", {"title": "x", "method": "stv"}),
    ("elections/1/candidates", {"name": "X"}),
    ("elections/1/open", {}),
    ("elections/1/close", {}),
    ("elections/1/cancel", {"reason": "x"}),
    ("elections/1/paper-ballots", {"ranking": [1]}),
]


@pytest.mark.parametrize(("path", "payload"), VOTING_WRITE_ENDPOINTS)
def test_the_outsider_is_refused_every_voting_write_endpoint(
    client: Client, gathering: Gathering, path: str, payload: dict[str, Any]
) -> None:
    poll, election = open_poll_and_election(gathering)
    oscar = token_for(gathering.net.oscar)
    assert post(client, f"{SLUG_API}/{path}", payload, **oscar).status_code == 403
    assert post(client, f"{SLUG_API}/{path}", payload).status_code == 401
    restrict(gathering)
    assert post(client, f"{SLUG_API}/{path}", payload, **oscar).status_code == 404
    poll.refresh_from_db()
    election.refresh_from_db()
    assert (poll.status, election.status) == ("open", "open")


def test_the_outsider_has_no_vote_through_the_api(client: Client, gathering: Gathering) -> None:
    _poll, election = open_poll_and_election(gathering)
    oscar = token_for(gathering.net.oscar)
    candidate = election.candidates.get()
    cast = post(client, f"{SLUG_API}/polls/1/cast", {"choice": "yes"}, **oscar)
    ballot = post(client, f"{SLUG_API}/elections/1/ballot", {"ranking": [candidate.pk]}, **oscar)
    # A vote refused is answered 409 with its reason, and kept for who runs the assembly.
    assert (cast.status_code, cast.json()["code"]) == (409, "not_participant")
    assert (ballot.status_code, ballot.json()["code"]) == (409, "not_participant")
    assert (
        post(client, f"{SLUG_API}/elections/1/ballot", {"ranking": [candidate.pk]}).status_code
        == 401
    )
    assert not RollEntry.objects.exists() and not Ballot.objects.exists()
    mine = client.get(f"{SLUG_API}/my-votes", **oscar).json()
    assert mine["participant"] is None and mine["may_vote"] is False


def test_a_restricted_assembly_is_not_found_at_any_read_endpoint(
    client: Client, gathering: Gathering
) -> None:
    g = gathering
    item = actions.agenda_item_add(actor=None, assembly=g.assembly, title="Debate")
    motion = actions.motion_create(actor=None, assembly=g.assembly, title="M", text="Uno.")
    open_poll_and_election(g)
    restrict(g)
    oscar = token_for(g.net.oscar)
    for path in (
        "",
        "/quorum",
        "/delegations",
        "/participants",
        "/agenda",
        f"/agenda/{item.pk}/speakers",
        "/projector",
        "/working-groups",
        "/motions",
        "/declaration",
        "/resolutions",
        "/polls",
        "/polls/1",
        "/polls/1/roll",
        "/my-votes",
        "/elections",
        "/elections/1",
        "/popolo",
    ):
        assert client.get(f"{SLUG_API}{path}", **oscar).status_code == 404, path
    assert client.get(f"{API}/motions/{motion.pk}", **oscar).status_code == 404
    assert client.get(f"{API}/", **oscar).json()["count"] == 0
    assert client.get(f"{SLUG_API}/refusals", **token_for(g.net.bob)).status_code == 200
