"""Dialogue API: lists scoped to the caller, filing and answering with tokens, errors in
the one shape, idempotent POSTs, and the outsider refused."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from comuna.core import actions as core_actions
from comuna.dialogue import actions
from comuna.dialogue.models import Demand, DemandStatus
from tests.dialogue.conftest import Directory, file_demand

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dialogue"


def token_for(user: Any) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, url: str, payload: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json", **extra)


def test_bodies_are_listed_and_filtered(client: Client, directory: Directory) -> None:
    body = client.get(f"{BASE}/bodies", {"level": "national"}).json()
    assert {b["slug"] for b in body["items"]} == {"hidroven", "corpoelec"}
    detail = client.get(f"{BASE}/bodies/hidrolara").json()
    assert detail["parent"] == "hidroven" and detail["stats"]["received"] == 0
    assert client.get(f"{BASE}/bodies/nadie").json()["code"] == "not_found"


def test_a_spokesperson_files_and_records_the_answer(client: Client, directory: Directory) -> None:
    auth = token_for(directory.net.alice)
    payload = {
        "owner": "el-maizal",
        "body": "hidrolara",
        "topic": "water",
        "title": "Bomba del pozo 3",
        "text": "La bomba está dañada desde enero.",
        "filed_on": "2026-03-02",
    }
    response = post(client, f"{BASE}/demands", payload, HTTP_IDEMPOTENCY_KEY="d-1", **auth)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["due_on"] == "2026-03-23" and created["state"] in {
        "filed",
        "overdue",
        "very_overdue",
    }
    again = post(client, f"{BASE}/demands", payload, HTTP_IDEMPOTENCY_KEY="d-1", **auth)
    assert again.json()["id"] == created["id"] and Demand.objects.count() == 1
    url = f"{BASE}/demands/{created['id']}/answer"
    response = post(client, url, {"text": "Se cambió la bomba.", "on": "2026-03-30"}, **auth)
    assert response.status_code == 200
    assert response.json()["answered_late"] is True
    stats = client.get(f"{BASE}/bodies/hidrolara/stats").json()
    assert stats["answered"] == 1 and stats["answered_late"] == 1 and stats["late"] == 1


def test_filing_to_an_unknown_body_is_refused_with_the_field(
    client: Client, directory: Directory
) -> None:
    response = post(
        client,
        f"{BASE}/demands",
        {"owner": "el-maizal", "body": "no-existe", "topic": "water", "title": "T", "text": "x"},
        **token_for(directory.net.bob),
    )
    assert response.status_code == 422
    assert set(response.json()) == {"detail", "code", "fields"}
    assert "body" in response.json()["fields"]


def test_an_answer_before_filing_is_refused(client: Client, directory: Directory) -> None:
    auth = token_for(directory.net.bob)
    draft = post(
        client,
        f"{BASE}/demands",
        {
            "owner": "el-maizal",
            "body": "hidrolara",
            "topic": "water",
            "title": "Borrador",
            "text": "x",
            "draft": True,
        },
        **auth,
    ).json()
    assert draft["status"] == "draft"
    response = post(client, f"{BASE}/demands/{draft['id']}/answer", {"text": "Respuesta"}, **auth)
    assert response.status_code == 422 and response.json()["code"] == "not_filed"


def test_the_outsider_is_refused(client: Client, directory: Directory) -> None:
    public = file_demand(directory)
    private = file_demand(directory, visibility="unit", title="Privado")
    auth = token_for(directory.net.oscar)
    assert client.get(f"{BASE}/demands/{private.pk}", **auth).status_code == 404
    listed = client.get(f"{BASE}/demands", **auth).json()
    assert [d["id"] for d in listed["items"]] == [public.pk]
    response = post(client, f"{BASE}/demands/{public.pk}/answer", {"text": "No"}, **auth)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = post(
        client,
        f"{BASE}/demands",
        {"owner": "el-maizal", "body": "hidrolara", "topic": "water", "title": "T", "text": "x"},
        **auth,
    )
    assert response.status_code == 403
    assert post(client, f"{BASE}/demands/{public.pk}/withdraw", {"reason": "x"}).status_code == 401
    for name in ("acknowledge", "resolve", "escalate", "file"):
        assert post(client, f"{BASE}/demands/{public.pk}/{name}", {}, **auth).status_code in {
            403,
            422,
        }
    response = post(
        client, f"{BASE}/demands/{public.pk}/cosign", {"organisation": "el-maizal"}, **auth
    )
    assert response.status_code in {403, 422}
    assert Demand.objects.get(pk=public.pk).status == DemandStatus.FILED


def test_oversight_reads_private_demands(client: Client, directory: Directory) -> None:
    private = file_demand(directory, visibility="unit", title="Privado")
    auth = token_for(directory.net.dora)
    assert client.get(f"{BASE}/demands/{private.pk}", **auth).json()["visibility"] == "private"


def test_escalate_and_cosign(client: Client, directory: Directory) -> None:
    demand = file_demand(directory, on=date(2026, 1, 5))
    response = post(
        client,
        f"{BASE}/demands/{demand.pk}/cosign",
        {"organisation": "ezequiel-zamora"},
        **token_for(directory.net.ernesto),
    )
    assert response.json()["cosigners"] == ["ezequiel-zamora"]
    response = post(
        client,
        f"{BASE}/demands/{demand.pk}/escalate",
        {"reason": "Sin respuesta", "on": "2026-03-02"},
        **token_for(directory.net.bob),
    )
    assert response.status_code == 201
    assert response.json()["body"] == "hidroven" and response.json()["escalated_from"] == demand.pk


def test_the_state_filter_and_network_stats(client: Client, directory: Directory) -> None:
    file_demand(directory, on=date(2026, 1, 5))
    body = client.get(f"{BASE}/demands", {"state": "very_overdue"}).json()
    assert body["count"] == 1
    stats = client.get(f"{BASE}/stats").json()
    assert stats["totals"]["overdue_now"] == 1 and stats["never_acknowledged_overdue"] == 1


def test_the_due_date_endpoint_uses_the_calendar(client: Client, directory: Directory) -> None:
    body = client.get(f"{BASE}/due-date", {"start": "2025-12-22", "days": 15}).json()
    assert body["due"] == "2026-01-16"
    assert client.get(f"{BASE}/due-date", {"start": "2025-12-22", "days": 10**6}).status_code == 422
    assert client.get(f"{BASE}/due-date", {"start": "ayer", "days": 1}).status_code == 422


def test_tables_transfers_and_services(client: Client, directory: Directory) -> None:
    transfer = actions.transfer_create(
        actor=directory.net.bob,
        owner=directory.net.maizal,
        title="Recolección de desechos",
        kind="service",
        service="waste",
        from_body=directory.alcaldia,
        started_on=date(2025, 1, 10),
    )
    for day in (
        date(2025, 3, 1),
        date(2025, 5, 1),
        date(2025, 7, 1),
        date(2025, 9, 1),
        date(2026, 1, 8),
    ):
        actions.transfer_advance(actor=directory.net.bob, transfer=transfer, on=day)
    detail = client.get(f"{BASE}/transfers/{transfer.pk}").json()
    assert [s["phase"] for s in detail["steps"]][-1] == "completed"
    services = client.get(f"{BASE}/services").json()
    assert services == [
        {
            "organisation": "el-maizal",
            "organisation_name": "Comuna El Maizal",
            "service": "waste",
            "since": "2026-01-08",
            "transfer": transfer.pk,
        }
    ]
    assert client.get(f"{BASE}/tables").json()["count"] == 0


def test_lists_run_a_fixed_number_of_queries(
    client: Client, directory: Directory, django_assert_max_num_queries: Any
) -> None:
    for _n in range(2):
        file_demand(directory)
    with django_assert_max_num_queries(12) as small:
        client.get(f"{BASE}/demands")
        client.get(f"{BASE}/bodies")
    for _n in range(8):
        file_demand(directory)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(f"{BASE}/demands")
        client.get(f"{BASE}/bodies")
