"""In Chromium: search the directory, open a commune's profile, see it on the map."""

from __future__ import annotations

from typing import Any

import pytest

from tests.registry.conftest import Network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_then_profile_then_map(page: Any, live_server: Any, network: Network) -> None:
    page.goto(f"{live_server.url}/red/directorio/")
    page.get_by_label("Buscar").fill("maizal")
    page.get_by_role("button", name="Filtrar").click()
    page.get_by_role("link", name="Comuna El Maizal").first.click()
    page.wait_for_url("**/red/comunas/el-maizal/")
    assert page.get_by_role("heading", name="Comuna El Maizal", level=1).is_visible()
    assert "Las Delicias" in page.content()
    # The commune's own map marks it; the state on that map leads to the network map.
    assert page.locator("svg.map circle.dot").count() == 1
    page.locator("svg.map a[aria-label='Lara']").click()
    page.wait_for_url("**/red/?estado=VE-K")
    assert page.locator("svg.map a[aria-label='Comuna El Maizal']").count() == 1
