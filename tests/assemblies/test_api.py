"""Assemblies API (event side): reads scoped to the caller, writes with tokens through the
actions, errors in the one shape, idempotent POSTs, no personal data, the outsider refused."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from comuna.assemblies import actions
from comuna.assemblies.models import Assembly, Participant
from comuna.core import actions as core_actions
from tests.assemblies.conftest import Gathering

BASE = "/api/v1/assemblies"


def token_for(user: Any) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, url: str, payload: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json", **extra)


def test_assemblies_are_listed_with_their_quorum(client: Client, gathering: Gathering) -> None:
    listed = client.get(f"{BASE}/").json()
    assert [a["slug"] for a in listed["items"]] == ["asamblea-de-prueba"]
    detail = client.get(f"{BASE}/asamblea-de-prueba").json()
    assert detail["quorum"] == {"members": 3, "present": 2, "needed": 2, "reached": True}
    assert detail["convenors"][0]["organisation"] == "el-maizal"


def test_participants_carry_no_personal_data(client: Client, gathering: Gathering) -> None:
    body = client.get(f"{BASE}/asamblea-de-prueba/participants").json()
    assert body["count"] == 4
    text = json.dumps(body)
    assert "Defender la propuesta" not in text
    assert gathering.alice.badge_code not in text
    assert "V-10000001" not in text


def test_the_coordinator_checks_in_by_number_and_the_quorum_follows(
    client: Client, gathering: Gathering
) -> None:
    auth = token_for(gathering.net.bob)
    answer = post(client, f"{BASE}/asamblea-de-prueba/check-in", {"code": "D002"}, **auth)
    assert answer.status_code == 200 and answer.json()["present"] is True
    assert client.get(f"{BASE}/asamblea-de-prueba/quorum").json()["present"] == 3


def test_a_refused_check_in_has_the_uniform_error_body(
    client: Client, gathering: Gathering
) -> None:
    auth = token_for(gathering.net.bob)
    answer = post(client, f"{BASE}/asamblea-de-prueba/check-in", {"code": "Z9"}, **auth)
    assert answer.status_code == 422
    assert answer.json()["code"] == "not_found" and "code" in answer.json()["fields"]


def test_the_outsider_is_refused(client: Client, gathering: Gathering) -> None:
    auth = token_for(gathering.net.oscar)
    slug = "asamblea-de-prueba"
    for url, payload in [
        (f"{BASE}/{slug}/check-in", {"code": "D002"}),
        (f"{BASE}/{slug}/delegations", {"organisation": "ezequiel-zamora", "quota": 9}),
        (f"{BASE}/{slug}/status", {"status": "closed"}),
        (f"{BASE}/{slug}/participants", {"kind": "guest", "name": "Nadie"}),
    ]:
        assert post(client, url, payload, **auth).status_code == 403, url
    assert (
        post(client, f"{BASE}/{slug}/motions", {"title": "x", "text": "y"}, **auth).status_code
        == 403
    )
    assert post(client, f"{BASE}/{slug}/check-in", {"code": "D002"}).status_code == 401
    Assembly.objects.filter(slug=slug).update(visibility="unit")
    assert client.get(f"{BASE}/{slug}", **auth).status_code == 404
    assert post(client, f"{BASE}/{slug}/check-in", {"code": "D002"}, **auth).status_code == 404


def test_a_delegate_submits_supports_and_amends_a_motion(
    client: Client, gathering: Gathering
) -> None:
    alice = token_for(gathering.net.alice)
    ernesto = token_for(gathering.net.ernesto)
    created = post(
        client,
        f"{BASE}/asamblea-de-prueba/motions",
        {"title": "Semillas", "text": "Uno.\n\nDos."},
        **alice,
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["origin"] == "el-maizal" and created.json()["state"] == "submitted"
    assert post(client, f"{BASE}/motions/{pk}/support", {}, **ernesto).status_code == 201
    amended = post(
        client,
        f"{BASE}/motions/{pk}/amendments",
        {"paragraph": 2, "proposed": "Dos y tres."},
        **ernesto,
    )
    assert amended.status_code == 201
    assert amended.json()["amendments"][0]["original"] == "Dos."
    bad = post(
        client, f"{BASE}/motions/{pk}/amendments", {"paragraph": 7, "proposed": "x"}, **ernesto
    )
    assert bad.status_code == 422 and "paragraph" in bad.json()["fields"]
    bob = token_for(gathering.net.bob)
    decided = post(
        client, f"{BASE}/motions/{pk}/amendments/1/decision", {"status": "accepted"}, **bob
    )
    assert decided.json()["text"] == "Uno.\n\nDos y tres."
    moved = post(client, f"{BASE}/motions/{pk}/transition", {"state": "admitted"}, **bob)
    assert moved.json()["state"] == "admitted"
    refused = post(client, f"{BASE}/motions/{pk}/transition", {"state": "adopted"}, **alice)
    assert refused.status_code == 403


def test_a_motion_is_forwarded_down_to_a_unit(client: Client, gathering: Gathering) -> None:
    motion = actions.motion_create(actor=None, assembly=gathering.assembly, title="A", text="B")
    bob = token_for(gathering.net.bob)
    sent = post(client, f"{BASE}/motions/{motion.pk}/forward", {"to_body": "las-delicias"}, **bob)
    assert sent.status_code == 201
    assert sent.json()["assembly"] is None and sent.json()["body"] == "las-delicias"
    assert sent.json()["origin"] == "el-maizal" and sent.json()["forwarded_from"] == motion.pk


def test_a_retried_check_in_with_the_same_key_answers_the_same(
    client: Client, gathering: Gathering
) -> None:
    auth = token_for(gathering.net.bob)
    url = f"{BASE}/asamblea-de-prueba/participants"
    payload = {"kind": "observer", "name": "Radio Comunitaria"}
    first = post(client, url, payload, HTTP_IDEMPOTENCY_KEY="obs-1", **auth)
    again = post(client, url, payload, HTTP_IDEMPOTENCY_KEY="obs-1", **auth)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Participant.objects.filter(name="Radio Comunitaria").count() == 1


def test_a_delegate_asks_for_the_floor_and_the_projector_shows_her(
    client: Client, gathering: Gathering
) -> None:
    item = actions.agenda_item_add(actor=None, assembly=gathering.assembly, title="Debate")
    actions.agenda_item_set_current(actor=None, assembly=gathering.assembly, item=item)
    alice = token_for(gathering.net.alice)
    listed = post(
        client, f"{BASE}/asamblea-de-prueba/agenda/{item.pk}/speakers", {"stance": "for"}, **alice
    )
    assert listed.status_code == 201 and listed.json()[0]["participant"] == "D001"
    bob = token_for(gathering.net.bob)
    post(client, f"{BASE}/asamblea-de-prueba/agenda/{item.pk}/next-speaker", {}, **bob)
    screen = client.get(f"{BASE}/asamblea-de-prueba/projector").json()
    assert screen["item"] == "Debate" and screen["speaker"] == "Alicia Prueba"
    assert screen["speaker_ends_at"] is not None


def test_lists_answer_in_a_fixed_number_of_queries(
    client: Client, gathering: Gathering, django_assert_max_num_queries: Any
) -> None:
    for index in range(5):
        actions.participant_add(
            actor=None, assembly=gathering.assembly, kind="guest", name=f"Invitado {index}"
        )
        actions.motion_create(actor=None, assembly=gathering.assembly, title=f"M{index}", text="x")
    for url in ("participants", "motions", "delegations", "working-groups", "resolutions"):
        with django_assert_max_num_queries(8):
            assert client.get(f"{BASE}/asamblea-de-prueba/{url}").status_code == 200


def test_the_outsider_is_refused_every_write_endpoint(client: Client, gathering: Gathering) -> None:
    g = gathering
    slug = g.assembly.slug
    item = actions.agenda_item_add(actor=None, assembly=g.assembly, title="Debate")
    motion = actions.motion_create(actor=None, assembly=g.assembly, title="M", text="Uno.")
    actions.amendment_propose(actor=g.net.alice, motion=motion, paragraph=1, proposed="Dos.")
    resolution = actions.resolution_create(
        actor=None, assembly=g.assembly, title="R", responsible=g.net.zamora
    )
    auth = token_for(g.net.oscar)
    for url, payload in [
        (
            f"{BASE}/",
            {
                "owner": "el-maizal",
                "title": "X",
                "scope": "national",
                "starts_on": "2026-01-01",
                "ends_on": "2026-01-02",
            },
        ),
        (f"{BASE}/{slug}/delegations/{g.zamora_delegation.pk}/delegates", {"name": "X"}),
        (f"{BASE}/{slug}/participants/{g.carol.pk}/credential", {"accept": True}),
        (f"{BASE}/{slug}/participants/{g.alice.pk}/check-out", {}),
        (f"{BASE}/{slug}/agenda", {"title": "X"}),
        (f"{BASE}/{slug}/agenda/{item.pk}/current", {}),
        (f"{BASE}/{slug}/agenda/{item.pk}/speakers", {}),
        (f"{BASE}/{slug}/agenda/{item.pk}/next-speaker", {}),
        (f"{BASE}/motions/{motion.pk}/transition", {"state": "admitted"}),
        (f"{BASE}/motions/{motion.pk}/support", {}),
        (f"{BASE}/motions/{motion.pk}/amendments", {"paragraph": 1, "proposed": "X"}),
        (f"{BASE}/motions/{motion.pk}/amendments/1/decision", {"status": "accepted"}),
        (f"{BASE}/motions/{motion.pk}/forward", {"to_body": "ezequiel-zamora"}),
        (f"{BASE}/{slug}/resolutions/{resolution.pk}", {"status": "done"}),
    ]:
        assert post(client, url, payload, **auth).status_code == 403, url
        assert post(client, url, payload).status_code == 401, url


def test_a_participant_joins_a_working_group_and_the_coordinator_adds_one(
    client: Client, gathering: Gathering
) -> None:
    actions.working_group_create(actor=None, assembly=gathering.assembly, topic="Tierra")
    url = f"{BASE}/asamblea-de-prueba/working-groups/tierra/members"
    joined = post(client, url, {}, **token_for(gathering.net.alice))
    assert joined.status_code == 201 and joined.json()["members"] == 1
    added = post(client, url, {"number": "D003"}, **token_for(gathering.net.bob))
    assert added.json()["members"] == 2
    refused = post(client, url, {"number": "D002"}, **token_for(gathering.net.alice))
    assert refused.status_code == 403
    assert post(client, url, {}, **token_for(gathering.net.oscar)).status_code == 403
