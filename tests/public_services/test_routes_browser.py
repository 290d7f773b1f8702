"""In Chromium, on a phone-sized window: a resident taps their council on the commune's map
and sees when water comes; a coordinator computes the routes of a plan and opens a sheet."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.public_services.test_operations_cast import (  # noqa: F401 - fixtures
    Ops,
    _fresh_geography_caches,
    network,
    ops_cast,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_taps_their_council_and_sees_when_water_comes(
    page: Any, live_server: Any, ops_cast: Ops
) -> None:
    page.goto(f"{live_server.url}/servicios/comunas/el-maizal/horarios/")
    page.locator("svg.psmap a.council[aria-label='Consejo Comunal El Cedral']").click()
    page.wait_for_url("**consejo=el-cedral**")
    result = page.locator("#resultado")
    assert "06:00" in result.inner_text()
    result.locator("a").first.click()
    page.wait_for_url("**/servicios/sectores/*/")
    assert "Sector Norte" in page.locator("h1").inner_text()


def test_a_coordinator_computes_the_routes_and_opens_a_sheet(
    page: Any, live_server: Any, ops_cast: Ops
) -> None:
    page.goto(f"{live_server.url}/cuenta/entrar/")
    page.locator("#id_username").fill("bob")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/cuenta/")
    page.goto(f"{live_server.url}/servicios/rutas/{ops_cast.plan.pk}/")
    page.locator(f"form[action$='/rutas/{ops_cast.plan.pk}/resolver/'] button").click()
    page.wait_for_url(f"**/servicios/rutas/{ops_cast.plan.pk}/")
    page.wait_for_selector("svg.psroutes polyline")
    page.locator("a[href$='/hojas/1/']").click()
    page.wait_for_url("**/hojas/1/")
    assert page.locator("article.sheet tbody tr").count() >= 1
