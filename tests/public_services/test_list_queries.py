"""Every list of the reports side (API, Open311 and the pages not covered elsewhere) reads a
fixed number of queries, however many rows it shows: each test measures with a few rows, adds
more, and keeps the bound."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from comuna.core import actions as core_actions
from comuna.public_services import actions
from tests.public_services.conftest import Services

API = "/api/v1/public-services"
POINT = {"type": "Point", "coordinates": [-69.155, 9.785]}


def bearer(user: User) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="consultas")
    return {"Authorization": f"Bearer {raw}"}


def grow(services: Services, start: int, n: int) -> None:
    """`n` more reports (each assigned, with a note and a material), crews, assets and
    questions of a shared service, so that every list has more rows."""
    net = services.net
    for i in range(start, start + n):
        actions.attribute_add(
            actor=net.nora, service=services.no_water, code=f"q{i}", description=f"Pregunta {i}"
        )
        item = services.report(description=f"Fuga número {i}")
        order = actions.request_assign(actor=net.bob, request=item, crew=services.crew)
        actions.work_order_note(actor=net.bob, order=order, text=f"Nota {i}")
        actions.material_record(actor=net.bob, order=order, material="Tubo", quantity=1, unit="m")
        actions.request_note(actor=net.bob, request=item, text=f"Seguimiento {i}")
        actions.crew_create(actor=net.bob, owner=net.maizal, name=f"Cuadrilla {i}", group="waste")
        actions.asset_create(
            actor=net.bob, owner=net.maizal, kind="tank", name=f"Tanque {i}", geometry=POINT
        )


LISTS: list[tuple[str, str, dict[str, str], str, int]] = [
    # (what, url, query, who signs in ("" for nobody), bound); the figures of the dashboard
    # and the Open311 service list (without the questions) do not grow with the data
    ("api services", f"{API}/services", {"commune": "el-maizal"}, "", 4),
    ("api requests", f"{API}/requests", {}, "", 2),
    ("api inbox", f"{API}/inbox", {}, "bob", 8),
    ("api crews", f"{API}/crews", {"commune": "el-maizal"}, "", 2),
    ("api assets", f"{API}/assets", {}, "", 2),
    ("api dashboard", f"{API}/dashboard", {"commune": "el-maizal"}, "", 5),
    ("open311 services", "/open311/v2/services.json", {"jurisdiction_id": "el-maizal"}, "", 4),
    ("open311 requests", "/open311/v2/requests.json", {"jurisdiction_id": "el-maizal"}, "", 3),
    (
        "open311 updates",
        "/open311/v2/servicerequestupdates.json",
        {"jurisdiction_id": "el-maizal"},
        "",
        2,
    ),
    ("open311 requests xml", "/open311/v2/requests.xml", {"jurisdiction_id": "el-maizal"}, "", 3),
    ("page crews", "/servicios/cuadrillas/", {}, "bob", 6),
    ("page catalogue", "/servicios/catalogo/", {"comuna": "el-maizal"}, "", 5),
    ("page assets geojson", "/servicios/activos.geojson", {}, "", 1),
    ("page inbox", "/servicios/bandeja/", {}, "bob", 13),
]


@pytest.mark.parametrize(("what", "url", "query", "who", "bound"), LISTS, ids=[x[0] for x in LISTS])
def test_a_list_reads_a_fixed_number_of_queries(
    services: Services,
    django_assert_max_num_queries: Callable[[int], Any],
    what: str,
    url: str,
    query: dict[str, str],
    who: str,
    bound: int,
) -> None:
    client = Client()
    headers: dict[str, str] = {}
    if who:
        user = getattr(services.net, who)
        client.force_login(user)
        headers = bearer(user)

    def read() -> Any:
        response = client.get(url, query, headers=headers)
        assert response.status_code == 200, (what, response.content[:300])
        return response

    grow(services, 0, 2)
    read()  # warm the per-process caches (the network root, the catalogue)
    with django_assert_max_num_queries(bound):
        small = read()
    grow(services, 2, 4)
    with django_assert_max_num_queries(bound):
        large = read()
    if what not in {"api dashboard", "open311 services"}:
        assert len(large.content) > len(small.content)  # the rows are there, and more of them
