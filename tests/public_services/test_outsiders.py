"""The outsider is refused, on every page and endpoint that writes (and on what he may not
see): oscar, signed in but a member of nothing, gets 403 for what he may see but not change
and 404 for what he may not see; an anonymous visitor is sent to sign in (pages) or gets 401
(API). Nothing is written. The cases the other test files already cover are not repeated."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from comuna.core import actions as core_actions
from comuna.core.models import AuditEvent
from comuna.public_services import actions
from comuna.public_services.models import Asset
from tests.public_services.conftest import Services
from tests.public_services.test_operations_cast import (  # noqa: F401 - fixtures
    Ops,
    _fresh_geography_caches,
    last_weekday,
    network,
    ops_cast,
)

API = "/api/v1/public-services"
POINT = {"type": "Point", "coordinates": [-69.155, 9.785]}


def as_oscar(net: Any) -> Client:
    client = Client()
    client.force_login(net.oscar)
    return client


def bearer(user: User) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="fuera")
    return {"Authorization": f"Bearer {raw}"}


def reports_side(services: Services) -> dict[str, Any]:
    """A report with a planned work order, and an asset, of El Maizal."""
    item = services.report()
    order = actions.request_assign(actor=services.net.bob, request=item, crew=services.crew)
    asset = actions.asset_create(
        actor=services.net.bob, owner=services.net.maizal, kind="tank", name="T", geometry=POINT
    )
    return {"item": item.pk, "order": order.pk, "asset": asset.pk}


# Pages of reports, work orders, crews, assets and the catalogue -------------------------------

PAGES: list[tuple[str, str, int]] = [
    # (method, url, what oscar gets)
    *[
        ("post", f"/servicios/reportes/{{item}}/{what}/", 403)
        for what in (
            "verificar",
            "rechazar",
            "reabrir",
            "resolver",
            "duplicado",
            "asignar",
            "iniciar",
            "nota",
            "enviar",
        )
    ],
    ("get", "/servicios/ordenes/{order}/", 404),
    ("post", "/servicios/ordenes/{order}/", 404),
    ("post", "/servicios/cuadrillas/", 403),
    ("post", "/servicios/activos/nuevo/", 403),
    ("post", "/servicios/activos/importar/", 403),
    ("post", "/servicios/activos/{asset}/", 403),
    ("post", "/servicios/catalogo/instalar/", 403),
    ("post", "/servicios/catalogo/el-maizal/fuga/", 403),
    ("get", "/servicios/bandeja/", 403),
]


@pytest.mark.parametrize(("method", "url", "oscar_gets"), PAGES)
def test_the_pages_refuse_the_outsider_and_send_visitors_to_sign_in(
    services: Services, method: str, url: str, oscar_gets: int
) -> None:
    url = url.format(**reports_side(services))
    before = AuditEvent.objects.count()
    visitor = getattr(Client(), method)(url)
    assert visitor.status_code == 302
    assert visitor["Location"].startswith(reverse("core:login") + "?next=")
    assert getattr(as_oscar(services.net), method)(url).status_code == oscar_gets
    assert AuditEvent.objects.count() == before


# API of reports, work orders, crews and assets -------------------------------------------------

ENDPOINTS: list[tuple[str, str, dict[str, Any], int]] = [
    # (method, path, body, what oscar gets)
    ("post", "/requests/{item}/reject", {"reason": "No"}, 403),
    ("post", "/requests/{item}/duplicate", {"original": 1}, 403),
    ("post", "/requests/{item}/assign", {"crew": 1}, 403),
    ("post", "/requests/{item}/start", {}, 403),
    ("post", "/requests/{item}/resolve", {"note": "Listo"}, 403),
    ("post", "/requests/{item}/reopen", {"reason": "Sigue"}, 403),
    ("post", "/requests/{item}/notes", {"text": "Nota"}, 403),
    ("post", "/requests/{item}/move", {"commune": "el-maizal"}, 403),
    ("get", "/work-orders/{order}", {}, 404),
    (
        "post",
        "/work-orders/{order}/materials",
        {"material": "Tubo", "quantity": 1, "unit": "m"},
        404,
    ),
    ("post", "/work-orders/{order}/notes", {"text": "Nota"}, 404),
    ("post", "/crews", {"commune": "el-maizal", "name": "Otra", "group": "water"}, 403),
    ("post", "/assets/{asset}/state", {"state": "needs_repair"}, 403),
    (
        "post",
        "/organisations/el-maizal/assets/import",
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": POINT, "properties": {"kind": "tank", "name": "X"}}
            ],
        },
        403,
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "oscar_gets"), ENDPOINTS)
def test_the_api_refuses_the_outsider_and_asks_visitors_for_a_token(
    services: Services, method: str, path: str, body: dict[str, Any], oscar_gets: int
) -> None:
    url = API + path.format(**reports_side(services))
    token = bearer(services.net.oscar)
    before = (AuditEvent.objects.count(), Asset.objects.count())
    kwargs: dict[str, Any] = (
        {"data": json.dumps(body), "content_type": "application/json"} if method == "post" else {}
    )
    assert getattr(Client(), method)(url, **kwargs).status_code == 401
    oscar = getattr(Client(), method)(url, headers=token, **kwargs)
    assert oscar.status_code == oscar_gets, oscar.content
    assert set(oscar.json()) == {"detail", "code", "fields"}
    assert (AuditEvent.objects.count(), Asset.objects.count()) == before


def test_filing_a_report_through_the_api_needs_a_token(services: Services) -> None:
    body = {"service": "fuga", "lat": 9.787, "lon": -69.154, "description": "Fuga"}
    response = Client().post(f"{API}/requests", json.dumps(body), content_type="application/json")
    assert response.status_code == 401


# Schedules and route plans: what the other files leave out ------------------------------------

OPERATION_PAGES: list[tuple[str, str, int]] = [
    # (method, url, what oscar gets); the route plan is private to the commune's members
    ("post", "/servicios/horarios/{water}/reportar/", 403),
    ("get", "/servicios/comunas/el-maizal/rutas/nueva/", 403),
    ("get", "/servicios/comunas/el-maizal/vehiculos/nuevo/", 403),
    ("get", "/servicios/rutas/{plan}/paradas/nueva/", 404),
    ("post", "/servicios/rutas/{plan}/paradas/{stop}/quitar/", 404),
    ("get", "/servicios/rutas/{plan}/puntos/", 404),
    ("get", "/servicios/rutas/{plan}/matriz/", 404),
    ("post", "/servicios/rutas/{plan}/resolver/", 404),
]


@pytest.mark.parametrize(("method", "url", "oscar_gets"), OPERATION_PAGES)
def test_the_operations_forms_send_visitors_to_sign_in_and_refuse_the_outsider(
    ops_cast: Ops, method: str, url: str, oscar_gets: int
) -> None:
    monday = last_weekday(0, ops_cast.today).isoformat()
    url = url.format(
        water=ops_cast.water.pk,
        plan=ops_cast.plan.pk,
        stop=ops_cast.plan.stops.get(position=1).pk,
    )
    before = AuditEvent.objects.count()
    body = {"day": monday, "start": "06:00", "outcome": "kept"}  # read by the report form only
    visitor = getattr(Client(), method)(url, body if method == "post" else {})
    assert visitor.status_code == 302
    assert visitor["Location"].startswith(reverse("core:login") + "?next=")
    oscar = getattr(as_oscar(ops_cast.net), method)(url, body if method == "post" else {})
    assert oscar.status_code == oscar_gets
    assert AuditEvent.objects.count() == before
    assert ops_cast.plan.stops.count() == 5


OPERATION_ENDPOINTS: list[tuple[str, dict[str, Any], int]] = [
    ("/sectors", {"commune": "el-maizal", "name": "Y", "councils": ["el-cedral"]}, 403),
    (
        "/sectors/{sector}/schedules",
        {
            "service": "waste",
            "title": "Camión",
            "slots": [{"weekday": 2, "start": "07:00", "end": "09:00"}],
        },
        403,
    ),
    ("/route-plans/{plan}/solve", {}, 404),
]


@pytest.mark.parametrize(("path", "body", "oscar_gets"), OPERATION_ENDPOINTS)
def test_the_operations_api_refuses_the_outsider_and_asks_visitors_for_a_token(
    ops_cast: Ops, path: str, body: dict[str, Any], oscar_gets: int
) -> None:
    url = API + path.format(sector=ops_cast.sector.pk, plan=ops_cast.plan.pk)
    token = bearer(ops_cast.net.oscar)
    before = AuditEvent.objects.count()
    data = json.dumps(body)
    assert Client().post(url, data, content_type="application/json").status_code == 401
    oscar = Client().post(url, data, content_type="application/json", headers=token)
    assert oscar.status_code == oscar_gets, oscar.content
    assert AuditEvent.objects.count() == before
