"""The JSON API under /api/v1/public-services/: the catalogue, reports, triage, work orders,
crews, assets and dashboards; errors in the uniform body; the outsider is refused."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from comuna.core import actions as core_actions
from comuna.public_services import actions
from comuna.public_services.models import ServiceRequest
from tests.public_services.conftest import NEAR_MAIZAL, Services

API = "/api/v1/public-services"


def bearer(user: User) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="prueba")
    return {"Authorization": f"Bearer {raw}"}


def test_the_catalogue_and_public_reports_are_open(client: Client, services: Services) -> None:
    codes = {s["code"] for s in client.get(f"{API}/services", {"commune": "el-maizal"}).json()}
    assert "fuga" in codes
    assert client.get(f"{API}/services", {"commune": "no-existe"}).json()["code"] == "not_found"
    item = services.report()
    listed = client.get(f"{API}/requests").json()
    assert listed["count"] == 1 and listed["items"][0]["service"] == "fuga"
    detail = client.get(f"{API}/requests/{item.pk}").json()
    assert detail["contact"] is None and detail["timeline"][0]["kind"] == "received"
    assert client.get(f"{API}/requests/99999").status_code == 404


def test_the_coordinator_sees_the_contact_and_triages(client: Client, services: Services) -> None:
    item = services.report()
    bob = bearer(services.net.bob)
    detail = client.get(f"{API}/requests/{item.pk}", headers=bob).json()
    assert detail["contact"]["email"] == "vecina@example.org"
    assert client.post(f"{API}/requests/{item.pk}/verify", headers=bob).status_code == 200
    order = client.post(
        f"{API}/requests/{item.pk}/assign",
        {"crew": services.crew.pk},
        content_type="application/json",
        headers=bob,
    )
    assert order.status_code == 201
    order_id = order.json()["id"]
    assert (
        client.post(
            f"{API}/requests/{item.pk}/start", {}, content_type="application/json", headers=bob
        ).status_code
        == 200
    )
    material = client.post(
        f"{API}/work-orders/{order_id}/materials",
        {"material": "Tubo", "quantity": "2.5", "unit": "m"},
        content_type="application/json",
        headers=bob,
    )
    assert material.status_code == 201 and material.json()["materials"][0]["unit"] == "m"
    done = client.post(
        f"{API}/requests/{item.pk}/resolve",
        {"note": "Listo"},
        content_type="application/json",
        headers=bob,
    )
    assert done.json()["status"] == "closed"
    again = client.post(
        f"{API}/requests/{item.pk}/resolve",
        {"note": ""},
        content_type="application/json",
        headers=bob,
    )
    assert again.status_code == 422 and set(again.json()) == {"detail", "code", "fields"}
    inbox = client.get(f"{API}/inbox", {"status": "closed"}, headers=bob).json()
    assert [r["id"] for r in inbox["items"]] == [item.pk]


def test_the_outsider_is_refused(client: Client, services: Services) -> None:
    item = services.report()
    oscar = bearer(services.net.oscar)
    assert client.post(f"{API}/requests/{item.pk}/verify", headers=oscar).status_code == 403
    assert client.get(f"{API}/inbox", headers=oscar).status_code == 403
    assert client.post(f"{API}/requests/{item.pk}/verify").status_code == 401
    order = actions.request_assign(actor=services.net.bob, request=item, crew=services.crew)
    assert client.get(f"{API}/work-orders/{order.pk}", headers=oscar).status_code == 404
    asset = {
        "owner": "el-maizal",
        "kind": "tank",
        "name": "T",
        "geometry": {"type": "Point", "coordinates": [-69.15, 9.78]},
    }
    assert (
        client.post(
            f"{API}/assets", asset, content_type="application/json", headers=oscar
        ).status_code
        == 403
    )


def test_filing_a_report_through_the_api(client: Client, services: Services) -> None:
    carol = bearer(services.net.carol)
    body: dict[str, Any] = {
        "service": "fuga",
        "lat": NEAR_MAIZAL["lat"],
        "lon": NEAR_MAIZAL["lon"],
        "description": "Fuga en la calle 3",
        "attributes": {"tamano": "goteo"},
    }
    response = client.post(
        f"{API}/requests",
        body,
        content_type="application/json",
        headers={**carol, "Idempotency-Key": "k1"},
    )
    assert response.status_code == 201
    assert response.json()["token"] and response.json()["commune"] == "el-maizal"
    repeat = client.post(
        f"{API}/requests",
        body,
        content_type="application/json",
        headers={**carol, "Idempotency-Key": "k1"},
    )
    assert repeat.json()["id"] == response.json()["id"]
    assert ServiceRequest.objects.count() == 1
    bad = client.post(
        f"{API}/requests",
        {**body, "attributes": {}},
        content_type="application/json",
        headers=carol,
    )
    assert bad.status_code == 422 and "attribute[tamano]" in bad.json()["fields"]
    far = client.post(
        f"{API}/requests",
        {**body, "lat": 40.0, "lon": -3.0},
        content_type="application/json",
        headers=carol,
    )
    assert far.status_code == 422 and far.json()["code"] == "bad_location"
    assert client.post(f"{API}/requests", body, content_type="application/json").status_code == 401


def test_assets_through_the_api(client: Client, services: Services) -> None:
    bob = bearer(services.net.bob)
    body = {
        "owner": "el-maizal",
        "kind": "tank",
        "name": "Tanque alto",
        "geometry": {"type": "Point", "coordinates": [-69.15, 9.78]},
        "capacity": "5000",
        "capacity_unit": "litros",
    }
    created = client.post(f"{API}/assets", body, content_type="application/json", headers=bob)
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (
        client.post(
            f"{API}/assets/{pk}/state",
            {"state": "needs_repair"},
            content_type="application/json",
            headers=bob,
        ).json()["state"]
        == "needs_repair"
    )
    listed = client.get(f"{API}/assets", {"kind": "tank"}).json()
    assert listed["items"][0]["owner"] == "el-maizal"
    bad = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": None, "properties": {"kind": "tank", "name": "x"}}
        ],
    }
    report = client.post(
        f"{API}/organisations/el-maizal/assets/import",
        bad,
        content_type="application/json",
        headers=bob,
    )
    assert report.status_code == 422, report.json()
    assert "1" in report.json()["errors"]


def test_crews_and_the_dashboard_through_the_api(client: Client, services: Services) -> None:
    bob = bearer(services.net.bob)
    made = client.post(
        f"{API}/crews",
        {"commune": "el-maizal", "name": "Aseo", "group": "waste"},
        content_type="application/json",
        headers=bob,
    )
    assert made.status_code == 201
    assert {c["name"] for c in client.get(f"{API}/crews", {"commune": "el-maizal"}).json()} == {
        "Cuadrilla de agua",
        "Aseo",
    }
    services.report()
    board = client.get(f"{API}/dashboard", {"commune": "el-maizal"}).json()
    assert board["open"] == 1 and len(board["months"]) == 12
