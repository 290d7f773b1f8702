"""In Chromium: a coordinator files a demand to Hidrolara, records the body's answer, and
the body's statistics change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.dialogue.conftest import Directory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def figures(page: Any) -> list[str]:
    cells = page.locator("section[aria-labelledby='figures-heading'] dl.facts dd")
    return [cells.nth(i).inner_text().strip() for i in range(cells.count())]


def test_file_answer_and_see_the_statistics_change(
    page: Any, live_server: Any, directory: Directory
) -> None:
    page.goto(f"{live_server.url}/cuenta/entrar/")
    page.get_by_label("Nombre de usuario").fill("bob")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url("**/cuenta/")

    page.goto(f"{live_server.url}/dialogo/entes/hidrolara/")
    before = figures(page)
    assert before[0] == "0" and before[2] == "0"  # received, answered

    page.locator("a[href*='/dialogo/planteamientos/nuevo/?ente=hidrolara']").click()
    page.wait_for_url("**/planteamientos/nuevo/**")
    assert page.locator("#id_body").input_value() == str(directory.hidrolara.pk)
    page.locator("#id_owner").select_option(str(directory.net.maizal.pk))
    page.locator("#id_topic").select_option("water")
    page.locator("#id_title").fill("Bomba dañada en el pozo 3 de Sarare")
    page.locator("#id_text").fill("El pozo 3 no bombea desde hace dos semanas.")
    filed = timezone.localdate() - timedelta(days=10)
    page.locator("#id_filed_on").fill(filed.isoformat())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dialogo/planteamientos/*/")
    assert page.get_by_role("heading", name="Bomba dañada en el pozo 3 de Sarare").is_visible()

    page.locator("a[href$='/respuesta/']").click()
    page.wait_for_url("**/respuesta/")
    page.locator("#id_text").fill("Hidrolara cambió la bomba del pozo 3.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/dialogo/planteamientos/*/")
    assert "Hidrolara cambió la bomba del pozo 3." in page.content()

    page.locator("main a[href='/dialogo/entes/hidrolara/']").first.click()
    page.wait_for_url("**/dialogo/entes/hidrolara/")
    after = figures(page)
    assert after[0] == "1" and after[2] == "1"  # received, answered
    assert after[3] == "10"  # median days to answer
    assert "Bomba dañada en el pozo 3 de Sarare" in page.content()
