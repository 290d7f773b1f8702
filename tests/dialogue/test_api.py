"""Dialogue API: lists scoped to the caller, filing and answering with tokens, errors in
the one shape, idempotent POSTs, and the outsider refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
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


DEMAND_POSTS = [
    ("file", {}),
    ("acknowledge", {}),
    ("answer", {"text": "No"}),
    ("resolve", {}),
    ("escalate", {}),
    ("withdraw", {"reason": "x"}),
    ("cosign", {"organisation": "el-maizal"}),
]


@pytest.mark.parametrize(("name", "payload"), DEMAND_POSTS)
def test_every_demand_write_refuses_the_outsider(
    client: Client, directory: Directory, name: str, payload: dict[str, Any]
) -> None:
    from comuna.core.models import AuditEvent

    public = file_demand(directory)
    private = file_demand(directory, visibility="unit", title="Privado")
    auth = token_for(directory.net.oscar)
    written = AuditEvent.objects.count()
    url = f"{BASE}/demands/{public.pk}/{name}"
    assert post(client, url, payload).status_code == 401
    response = post(client, url, payload, **auth)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = post(client, f"{BASE}/demands/{private.pk}/{name}", payload, **auth)
    assert response.status_code == 404
    assert AuditEvent.objects.count() == written
    assert Demand.objects.get(pk=public.pk).status == DemandStatus.FILED


def test_anonymous_callers_may_not_file(client: Client, directory: Directory) -> None:
    payload = {
        "owner": "el-maizal",
        "body": "hidrolara",
        "topic": "water",
        "title": "T",
        "text": "x",
    }
    assert post(client, f"{BASE}/demands", payload).status_code == 401
    assert not Demand.objects.exists()


def test_private_tables_and_transfers_are_hidden_from_the_outsider(
    client: Client, directory: Directory
) -> None:
    net = directory.net
    table = actions.table_create(
        actor=net.bob,
        owner=net.maizal,
        title="Mesa reservada",
        held_at=datetime(2026, 2, 11, 9, 0, tzinfo=UTC),
        visibility="unit",
    )
    transfer = actions.transfer_create(
        actor=net.bob,
        owner=net.maizal,
        title="Transferencia reservada",
        kind="service",
        service="water",
        from_body=directory.hidrolara,
        started_on=date(2025, 6, 1),
        visibility="unit",
    )
    for auth in ({}, token_for(net.oscar)):
        assert client.get(f"{BASE}/tables/{table.pk}", **auth).status_code == 404
        assert client.get(f"{BASE}/transfers/{transfer.pk}", **auth).status_code == 404
        assert client.get(f"{BASE}/tables", **auth).json()["count"] == 0
        assert client.get(f"{BASE}/transfers", **auth).json()["count"] == 0
    auth = token_for(net.carol)
    assert client.get(f"{BASE}/tables/{table.pk}", **auth).status_code == 200
    assert client.get(f"{BASE}/transfers", **auth).json()["count"] == 1


def test_every_list_and_detail_runs_a_fixed_number_of_queries(
    client: Client, directory: Directory, django_assert_max_num_queries: Any
) -> None:
    net = directory.net
    first = file_demand(directory)
    table = actions.table_create(
        actor=net.bob,
        owner=net.maizal,
        title="Mesa",
        held_at=datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
        bodies=[directory.hidrolara],
    )
    transfer = actions.transfer_create(
        actor=net.bob,
        owner=net.maizal,
        title="Transferencia",
        kind="power",
        from_body=directory.alcaldia,
        started_on=date(2025, 1, 1),
    )

    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            demand = file_demand(directory, title=f"Planteamiento {i}")
            actions.transfer_link_demand(actor=net.bob, transfer=transfer, demand=demand)
            movement = actions.movement_ensure(actor=net.bob, name=f"Movimiento {i}")
            actions.demand_cosign(actor=net.bob, demand=first, organisation=movement)
            for target in (table, None):
                target = target or actions.table_create(
                    actor=net.bob,
                    owner=net.maizal,
                    title=f"Mesa {i}",
                    held_at=datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
                )
                actions.table_participant_add(
                    actor=net.bob, table=target, side="government", name=f"Funcionaria {i}"
                )
                actions.commitment_add(
                    actor=net.bob,
                    table=target,
                    responsible=directory.hidrolara,
                    what=f"Compromiso {i}",
                    due_on=date(2026, 3, 1),
                )
            service = actions.transfer_create(
                actor=net.bob,
                owner=net.maizal if i % 2 else net.delicias,
                title=f"Servicio {i}",
                kind="service",
                service=["water", "electricity", "waste", "gas", "transport"][i // 2 % 5],
                from_body=directory.alcaldia,
                started_on=date(2025, 1, 1),
            )
            for month in range(2, 7):
                actions.transfer_advance(actor=net.bob, transfer=service, on=date(2025, month, 1))

    urls = [
        f"{BASE}/demands",
        f"{BASE}/demands/{first.pk}",
        f"{BASE}/bodies",
        f"{BASE}/bodies/hidrolara",
        f"{BASE}/stats",
        f"{BASE}/tables",
        f"{BASE}/tables/{table.pk}",
        f"{BASE}/transfers",
        f"{BASE}/transfers/{transfer.pk}",
        f"{BASE}/services",
        f"{BASE}/services?organisation=el-maizal",
    ]
    grow(0, 2)
    auth = token_for(net.carol)
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(20, info=url) as small:
            assert client.get(url, **auth).status_code == 200, url
        counts[url] = len(small.captured_queries)
    grow(2, 6)
    for url in urls:
        with django_assert_max_num_queries(counts[url], info=url):
            assert client.get(url, **auth).status_code == 200, url


def test_a_due_date_beyond_the_calendar_is_refused_in_the_caller_s_language(
    client: Client, directory: Directory
) -> None:
    response = client.get(f"{BASE}/due-date", {"start": "9999-12-01", "days": 3650})
    assert response.status_code == 422
    body = response.json()
    assert "start" in body["fields"]
    assert "range" not in body["detail"] and "business days from" not in body["detail"]
