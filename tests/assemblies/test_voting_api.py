"""Polls and elections through the API: who may run them, the delegate's idempotent vote,
refusals in the one error shape, secret rolls without choices, lists with a fixed number of
queries, and the outsider refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from comuna.assemblies import actions_voting
from comuna.assemblies.models_voting import Ballot, RollEntry, VoteRefusal
from comuna.core import actions as core_actions
from comuna.core.models import IdempotencyKey, Visibility
from tests.assemblies.conftest import Gathering

BASE = "/api/v1/assemblies/asamblea-de-prueba"


def token_for(user: Any) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, url: str, payload: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json", **extra)


def test_a_coordinator_runs_a_poll_and_a_delegate_votes(
    client: Client, gathering: Gathering
) -> None:
    bob = token_for(gathering.net.bob)
    created = post(
        client, f"{BASE}/polls", {"title": "¿Aprobamos?", "decision_type": "ordinary"}, **bob
    )
    assert created.status_code == 201, created.content
    assert created.json()["rule"] == "simple" and created.json()["status"] == "draft"
    opened = post(client, f"{BASE}/polls/1/open", {}, **bob)
    assert opened.json()["quorum_at_open"] == {"members": 3, "present": 2, "needed": 2}
    alice = token_for(gathering.net.alice)
    cast = post(
        client, f"{BASE}/polls/1/cast", {"choice": "yes"}, HTTP_IDEMPOTENCY_KEY="v1", **alice
    )
    assert cast.status_code == 201, cast.content
    assert cast.json() == {"poll": 1, "voted": True, "secret": False, "weight": 1}
    # A phone retrying with the same key gets the same answer; nothing is written twice.
    again = post(
        client, f"{BASE}/polls/1/cast", {"choice": "yes"}, HTTP_IDEMPOTENCY_KEY="v1", **alice
    )
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert RollEntry.objects.count() == 1 and Ballot.objects.count() == 1
    live = client.get(f"{BASE}/polls/1").json()
    assert live["counts"] == {"yes": 1, "no": 0, "abstain": 0, "voters": 1}
    closed = post(client, f"{BASE}/polls/1/close", {}, **bob).json()
    assert closed["verdict"] == "adopted" and closed["verdict_rule"] == "simple"
    assert closed["legal_basis"]
    roll = client.get(f"{BASE}/polls/1/roll").json()["items"]
    assert roll == [
        {
            "number": gathering.alice.number,
            "name": gathering.alice.name,
            "organisation": "el-maizal",
            "weight": 1,
            "choice": "yes",
        }
    ]


def test_a_second_vote_without_a_key_is_refused_in_the_one_error_shape(
    client: Client, gathering: Gathering
) -> None:
    poll = actions_voting.poll_create(
        actor=gathering.net.bob, assembly=gathering.assembly, title="¿Sí?", decision_type="ordinary"
    )
    actions_voting.poll_open(actor=gathering.net.bob, poll=poll)
    alice = token_for(gathering.net.alice)
    assert post(client, f"{BASE}/polls/1/cast", {"choice": "no"}, **alice).status_code == 201
    second = post(client, f"{BASE}/polls/1/cast", {"choice": "yes"}, **alice)
    assert second.status_code == 409
    body = second.json()
    assert body["code"] == "already_voted" and body["fields"] == {"choice": [body["detail"]]}
    bad = post(client, f"{BASE}/polls/1/cast", {"choice": "quizás"}, **alice)
    assert bad.status_code == 422 and "choice" in bad.json()["fields"]
    assert VoteRefusal.objects.filter(reason="already_voted").count() == 1


def test_a_secret_roll_has_no_choices_and_its_stored_answers_go_at_the_close(
    client: Client, gathering: Gathering
) -> None:
    poll = actions_voting.poll_create(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        title="¿Secreta?",
        decision_type="ordinary",
        secret=True,
    )
    actions_voting.poll_open(actor=gathering.net.bob, poll=poll)
    alice = token_for(gathering.net.alice)
    post(client, f"{BASE}/polls/1/cast", {"choice": "no"}, HTTP_IDEMPOTENCY_KEY="s1", **alice)
    assert IdempotencyKey.objects.filter(path__endswith="/polls/1/cast").count() == 1
    assert client.get(f"{BASE}/polls/1").json()["counts"] is None  # no live counts
    assert client.get(f"{BASE}/polls/1/roll").json()["items"][0]["choice"] is None
    post(client, f"{BASE}/polls/1/close", {}, **token_for(gathering.net.bob))
    assert IdempotencyKey.objects.filter(path__endswith="/polls/1/cast").count() == 0


def test_a_delegate_may_not_open_a_poll(client: Client, gathering: Gathering) -> None:
    actions_voting.poll_create(
        actor=gathering.net.bob, assembly=gathering.assembly, title="¿Sí?", decision_type="ordinary"
    )
    response = post(client, f"{BASE}/polls/1/open", {}, **token_for(gathering.net.alice))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_without_quorum_opening_is_refused_with_409(client: Client, gathering: Gathering) -> None:
    from comuna.assemblies import actions

    actions.participant_check_out(actor=gathering.net.bob, participant=gathering.ernesto)
    bob = token_for(gathering.net.bob)
    post(client, f"{BASE}/polls", {"title": "¿Sí?", "decision_type": "ordinary"}, **bob)
    response = post(client, f"{BASE}/polls/1/open", {}, **bob)
    assert response.status_code == 409 and response.json()["code"] == "no_quorum"


def test_bad_input_gets_field_errors(client: Client, gathering: Gathering) -> None:
    bob = token_for(gathering.net.bob)
    response = post(client, f"{BASE}/polls", {"title": "", "decision_type": "magic"}, **bob)
    assert response.status_code == 422
    assert {"title", "decision_type"} <= set(response.json()["fields"])
    unknown = post(
        client,
        f"{BASE}/polls",
        {"title": "x", "decision_type": "ordinary", "motion": "M-99"},
        **bob,
    )
    assert unknown.status_code == 422 and "motion" in unknown.json()["fields"]
    assert client.get(f"{BASE}/polls/99").status_code == 404


def test_an_stv_election_is_counted_with_its_rounds(client: Client, gathering: Gathering) -> None:
    bob = token_for(gathering.net.bob)
    created = post(
        client,
        f"{BASE}/elections",
        {"title": "Comisión de seguimiento", "method": "stv", "seats": 1},
        **bob,
    )
    assert created.status_code == 201, created.content
    ids = []
    for name in ("Ana", "Beto", "Carla"):
        added = post(client, f"{BASE}/elections/1/candidates", {"name": name}, **bob)
        assert added.status_code == 201, added.content
        ids.append(added.json()["id"])
    assert post(client, f"{BASE}/elections/1/open", {}, **bob).status_code == 200
    alice, ernesto = token_for(gathering.net.alice), token_for(gathering.net.ernesto)
    r = post(client, f"{BASE}/elections/1/ballot", {"ranking": [ids[1], ids[0]]}, **alice)
    assert r.status_code == 201, r.content
    r = post(client, f"{BASE}/elections/1/ballot", {"ranking": [ids[1]]}, **ernesto)
    assert r.status_code == 201, r.content
    twice = post(client, f"{BASE}/elections/1/ballot", {"ranking": [ids[0]]}, **ernesto)
    assert twice.status_code == 409
    tie = post(client, f"{BASE}/elections/1/ballot", {"ranking": [[ids[0], ids[1]]]}, **bob)
    assert tie.status_code == 409  # bob is not a participant: refused before the ballot
    closed = post(client, f"{BASE}/elections/1/close", {}, **bob).json()
    assert closed["winners"] == ["Beto"]
    assert closed["rounds"][0]["kind"] == "first_preferences"
    assert closed["quota"] == 2
    assert "Scottish" in closed["legal_basis"] or "escoc" in closed["legal_basis"]


def test_the_outsider_is_refused_everywhere(client: Client, gathering: Gathering) -> None:
    actions_voting.poll_create(
        actor=gathering.net.bob, assembly=gathering.assembly, title="¿Sí?", decision_type="ordinary"
    )
    oscar = token_for(gathering.net.oscar)
    assert (
        post(
            client, f"{BASE}/polls", {"title": "x", "decision_type": "ordinary"}, **oscar
        ).status_code
        == 403
    )
    assert post(client, f"{BASE}/polls/1/open", {}, **oscar).status_code == 403
    assert (
        post(client, f"{BASE}/elections", {"title": "x", "method": "stv"}, **oscar).status_code
        == 403
    )
    assert client.get(f"{BASE}/refusals", **oscar).status_code == 403
    # Anonymous callers cannot vote at all.
    assert post(client, f"{BASE}/polls/1/cast", {"choice": "yes"}).status_code == 401
    # A restricted assembly is not even confirmed to exist.
    gathering.assembly.visibility = Visibility.RESTRICTED
    gathering.assembly.save(update_fields=["visibility"])
    assert client.get(f"{BASE}/polls", **oscar).status_code == 404
    assert client.get(f"{BASE}/popolo", **oscar).status_code == 404


def test_my_votes_lists_the_open_polls_and_whether_i_voted(
    client: Client, gathering: Gathering
) -> None:
    poll = actions_voting.poll_create(
        actor=gathering.net.bob, assembly=gathering.assembly, title="¿Sí?", decision_type="ordinary"
    )
    actions_voting.poll_open(actor=gathering.net.bob, poll=poll)
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    mine = client.get(f"{BASE}/my-votes", **token_for(gathering.net.alice)).json()
    assert mine["participant"] == gathering.alice.number and mine["may_vote"] is True
    assert mine["polls"] == [{"number": 1, "title": "¿Sí?", "secret": False, "voted": True}]


@pytest.mark.parametrize("path", ["polls", "elections"])
def test_lists_run_a_fixed_number_of_queries(
    client: Client, gathering: Gathering, django_assert_max_num_queries: Any, path: str
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            actions_voting.poll_create(
                actor=gathering.net.bob,
                assembly=gathering.assembly,
                title="¿Sí?",
                decision_type="ordinary",
            )
            actions_voting.election_create(
                actor=gathering.net.bob,
                assembly=gathering.assembly,
                title="Comisión",
                method="approval",
                seats=1,
            )

    add(2)
    with django_assert_max_num_queries(10) as small:
        assert client.get(f"{BASE}/{path}").status_code == 200
    add(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(f"{BASE}/{path}").json()["items"]) == 10
