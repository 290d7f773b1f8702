"""Exports of an assembly: Popolo JSON (no private data; votes of named polls only), the
iCalendar of its sessions, CSV of attendance and of results, a poll's roll."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, timedelta
from typing import Any

import jsonschema
from django.test import Client
from django.utils import timezone

from comuna.assemblies import actions, actions_voting
from comuna.assemblies.models_voting import Poll
from tests.assemblies.conftest import Gathering

BASE = "/asambleas/asamblea-de-prueba"

# The parts of the Popolo JSON schemas (popoloproject.com/schemas) that this export fills.
POPOLO = {
    "type": "object",
    "required": ["organizations", "persons", "memberships", "motions", "vote_events"],
    "properties": {
        "organizations": {
            "type": "array",
            "items": {"type": "object", "required": ["id", "name"]},
        },
        "persons": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "name"],
                "additionalProperties": False,
                "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
            },
        },
        "memberships": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "person_id", "organization_id", "role"],
            },
        },
        "motions": {
            "type": "array",
            "items": {"type": "object", "required": ["id", "organization_id", "text"]},
        },
        "vote_events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "organization_id", "result", "counts"],
                "properties": {
                    "result": {"enum": ["pass", "fail"]},
                    "counts": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["option", "value"],
                            "properties": {
                                "option": {"enum": ["yes", "no", "abstain"]},
                                "value": {"type": "integer", "minimum": 0},
                            },
                        },
                    },
                    "votes": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["voter_id", "option"],
                            "properties": {"option": {"enum": ["yes", "no", "abstain"]}},
                        },
                    },
                },
            },
        },
    },
}


def closed_poll(g: Gathering, *, secret: bool, votes: dict[str, str]) -> Poll:
    poll = actions_voting.poll_create(
        actor=g.net.bob,
        assembly=g.assembly,
        title="¿Secreta?" if secret else "¿Nominal?",
        decision_type="ordinary",
        secret=secret,
    )
    actions_voting.poll_open(actor=g.net.bob, poll=poll)
    for name, choice in votes.items():
        actions_voting.vote_cast(actor=getattr(g.net, name), poll=poll, choice=choice)
    return actions_voting.poll_close(actor=g.net.bob, poll=poll)


def test_popolo_has_counts_for_all_polls_and_votes_for_named_ones_only(
    client: Client, gathering: Gathering
) -> None:
    named = closed_poll(gathering, secret=False, votes={"alice": "yes", "ernesto": "no"})
    secret = closed_poll(gathering, secret=True, votes={"alice": "no", "ernesto": "no"})
    response = client.get(f"{BASE}/popolo.json")
    assert response.status_code == 200
    data = response.json()
    jsonschema.validate(data, POPOLO)
    events = {e["identifier"]: e for e in data["vote_events"]}
    assert events[str(named.number)]["counts"] == [
        {"option": "yes", "value": 1},
        {"option": "no", "value": 1},
        {"option": "abstain", "value": 0},
    ]
    assert {v["option"] for v in events[str(named.number)]["votes"]} == {"yes", "no"}
    assert "votes" not in events[str(secret.number)]
    assert events[str(secret.number)]["result"] == "fail"
    # Every voter is a person of the document, and a member of the assembly.
    person_ids = {p["id"] for p in data["persons"]}
    assert {v["voter_id"] for v in events[str(named.number)]["votes"]} <= person_ids
    roles = {m["person_id"]: m["role"] for m in data["memberships"]}
    assert set(roles.values()) == {"delegate", "guest"}
    assert any(o["name"] == "Comuna El Maizal" for o in data["organizations"])


def test_popolo_carries_no_private_data(client: Client, gathering: Gathering) -> None:
    closed_poll(gathering, secret=False, votes={"alice": "yes"})
    body = client.get(f"{BASE}/popolo.json").content.decode()
    # alice's national ID and phone (tests/registry/conftest.py), e-mails and instructions.
    for private in ("V-10000001", "0414-1", "@example.org", "Defender la propuesta"):
        assert private not in body
    api = client.get("/api/v1/assemblies/asamblea-de-prueba/popolo").json()
    assert api["persons"] == json.loads(body)["persons"]


def test_the_sessions_calendar_is_icalendar(client: Client, gathering: Gathering) -> None:
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    actions.session_add(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        title="Plenaria de apertura",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )
    response = client.get(f"{BASE}/sesiones.ics")
    assert response["Content-Type"].startswith("text/calendar")
    ics = response.content.decode()
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.count("BEGIN:VEVENT") == 1
    assert "SUMMARY:Asamblea de prueba: Plenaria de apertura" in ics.replace("\r\n ", "")
    assert start.astimezone(UTC).strftime("DTSTART:%Y%m%dT%H%M%SZ") in ics


def rows(response: Any) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def test_attendance_csv_lists_participants_without_private_data(
    client: Client, gathering: Gathering
) -> None:
    table = rows(client.get(f"{BASE}/asistencia.csv"))
    assert len(table) == 1 + 4  # three delegates and the guest
    by_number = {r[0]: r for r in table[1:]}
    assert by_number[gathering.alice.number][1] == gathering.alice.name
    assert "V-10000001" not in str(table)


def test_results_csv_has_a_row_per_poll_and_election(client: Client, gathering: Gathering) -> None:
    closed_poll(gathering, secret=False, votes={"alice": "yes"})
    actions_voting.election_create(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        title="Vocería",
        method="schulze",
        seats=1,
    )
    table = rows(client.get(f"{BASE}/resultados.csv"))
    assert len(table) == 3
    poll_row = table[1]
    assert poll_row[1] == "1" and poll_row[13:16] == ["1", "0", "0"]


def test_a_poll_roll_csv_shows_choices_only_when_named(
    client: Client, gathering: Gathering
) -> None:
    closed_poll(gathering, secret=False, votes={"alice": "yes"})
    closed_poll(gathering, secret=True, votes={"alice": "no"})
    named = rows(client.get(f"{BASE}/votaciones/1/lista.csv"))
    secret = rows(client.get(f"{BASE}/votaciones/2/lista.csv"))
    assert len(named[0]) == 5 and len(secret[0]) == 4
    assert named[1][0] == gathering.alice.number and secret[1][0] == gathering.alice.number
