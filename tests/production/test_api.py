"""Production API: a cycle through tokens (open, join, post, allocate, decide, approve,
deliver), errors in the one shape, idempotent POSTs, and the outsider refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from comuna.core import actions as core_actions
from comuna.production.models import Intent
from tests.production.conftest import Farm

pytestmark = pytest.mark.django_db
BASE = "/api/v1/production"


def token_for(user: Any) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client: Client, url: str, payload: dict[str, Any], **extra: Any) -> Any:
    return client.post(url, json.dumps(payload), content_type="application/json", **extra)


def test_the_catalogue_and_units_are_public(client: Client, farm: Farm) -> None:
    units = {u["code"]: u for u in client.get(f"{BASE}/units").json()}
    assert units["saco-40kg"]["base"] == "kg" and float(units["saco-40kg"]["factor"]) == 40
    slugs = {r["slug"] for r in client.get(f"{BASE}/resources").json()}
    assert {"semilla-maiz", "cafe-verde", "leche", "transporte"} <= slugs
    listed = client.get(f"{BASE}/productive-units", {"commune": "el-maizal"}).json()
    assert [u["slug"] for u in listed["items"]] == [farm.planta.slug]


def test_a_cycle_runs_through_the_api(
    client: Client, farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    bob, ernesto, nora = (token_for(u) for u in (farm.net.bob, farm.net.ernesto, farm.net.nora))
    cycle = f"{BASE}/cycles/{farm.cycle.pk}"
    offer = {
        "kind": "offer",
        "agent": farm.planta.slug,
        "resource": "semilla-maiz",
        "quantity": "2",
        "unit": "t",
    }
    first = post(client, f"{cycle}/intents", offer, HTTP_IDEMPOTENCY_KEY="o-1", **bob)
    assert first.status_code == 201, first.content
    again = post(client, f"{cycle}/intents", offer, HTTP_IDEMPOTENCY_KEY="o-1", **bob)
    assert again.json()["id"] == first.json()["id"] and Intent.objects.count() == 1
    need = {
        "kind": "need",
        "agent": farm.ceiba.slug,
        "resource": "semilla-maiz",
        "quantity": "25",
        "unit": "saco-40kg",
        "priority": 9,
    }
    assert post(client, f"{cycle}/intents", need, **ernesto).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{cycle}/allocate", {}, **nora)
    assert response.status_code == 202
    state = client.get(cycle).json()
    assert state["allocation_state"] == "done" and state["status"] == "allocated"
    proposals = client.get(f"{cycle}/proposals").json()["items"]
    assert [
        (p["quantity"], p["unit"], p["offer_quantity"], p["offer_unit"]) for p in proposals
    ] == [("25.000", "saco-40kg", "1.000", "t")]
    pid = proposals[0]["id"]
    assert (
        post(client, f"{BASE}/proposals/{pid}/decide", {"decision": "accepted"}, **bob).status_code
        == 200
    )
    assert (
        post(
            client, f"{BASE}/proposals/{pid}/decide", {"decision": "accepted"}, **ernesto
        ).status_code
        == 200
    )
    approved = post(client, f"{cycle}/approve", {"decision": "Acta 4"}, **nora).json()
    assert approved["status"] == "delivering"
    commitment = client.get(f"{cycle}/commitments").json()["items"][0]
    produce = {
        "action": "produce",
        "resource": "semilla-maiz",
        "quantity": "1",
        "unit": "t",
        "receiver": farm.planta.slug,
    }
    assert post(client, f"{BASE}/events", produce, **bob).status_code == 201
    over = post(
        client,
        f"{BASE}/commitments/{commitment['id']}/deliveries",
        {"quantity": "26", "unit": "saco-40kg"},
        **bob,
    )
    assert over.status_code == 422 and over.json()["code"] == "over_delivery"
    assert set(over.json()) == {"detail", "code", "fields"}
    done = post(
        client,
        f"{BASE}/commitments/{commitment['id']}/deliveries",
        {"quantity": "1000", "unit": "kg"},
        **bob,
    )
    assert done.status_code == 201
    inventory = client.get(f"{BASE}/agents/{farm.ceiba.slug}/inventory", **ernesto).json()
    assert inventory == [{"resource": "semilla-maiz", "on_hand": "1000.000", "unit": "kg"}]
    assert client.get(f"{BASE}/agents/{farm.ceiba.slug}/inventory").status_code == 404


def test_bad_input_gets_the_one_error_shape(client: Client, farm: Farm) -> None:
    bob = token_for(farm.net.bob)
    cycle = f"{BASE}/cycles/{farm.cycle.pk}/intents"
    base = {"kind": "offer", "agent": farm.planta.slug, "resource": "semilla-maiz", "unit": "kg"}
    negative = post(client, cycle, {**base, "quantity": "-4"}, **bob)
    assert negative.status_code == 422 and "quantity" in negative.json()["fields"]
    unknown = post(client, cycle, {**base, "quantity": "4", "unit": "arroba"}, **bob)
    assert unknown.status_code == 422 and "unit" in unknown.json()["fields"]
    mismatch = post(client, cycle, {**base, "quantity": "4", "unit": "l"}, **bob)
    assert mismatch.json()["code"] == "unit_mismatch"
    shape = post(client, cycle, {**base, "quantity": "muchos"}, **bob)
    assert shape.status_code in (400, 422) and set(shape.json()) >= {"detail", "code"}


def test_the_outsider_is_refused(client: Client, farm: Farm) -> None:
    oscar = token_for(farm.net.oscar)
    cycle = f"{BASE}/cycles/{farm.cycle.pk}"
    offer = {
        "kind": "offer",
        "agent": farm.planta.slug,
        "resource": "semilla-maiz",
        "quantity": "2",
        "unit": "kg",
    }
    assert post(client, f"{cycle}/intents", offer, **oscar).status_code == 403
    assert post(client, f"{cycle}/allocate", {}, **oscar).status_code == 403
    assert post(client, f"{cycle}/close", {}, **oscar).status_code == 403
    assert post(client, f"{cycle}/join", {"unit": farm.planta.slug}, **oscar).status_code == 403
    unit = {"parent": "el-maizal", "name": "X", "form": "upf"}
    assert post(client, f"{BASE}/productive-units", unit, **oscar).status_code == 403
    assert post(client, f"{cycle}/intents", offer).status_code == 401
