"""In Chromium, in a phone-sized window (390 x 800): a resident reports a leak by tapping the
map, follows it on the tracking page while the coordinator verifies, assigns, starts and
fixes it, and confirms it is fixed."""

from __future__ import annotations

from typing import Any

import pytest

from comuna.public_services.models import ServiceRequest
from tests.conftest import PASSWORD
from tests.public_services.conftest import Services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_a_leak_and_follow_it_to_closure(
    page: Any, live_server: Any, services: Services
) -> None:
    assert page.viewport_size["width"] <= 400
    base = live_server.url
    # The resident: step 1, what and where (a commune to centre the map, then a tap).
    page.goto(f"{base}/servicios/reportar/")
    page.locator("#id_servicio").select_option("fuga")
    page.locator("#id_comuna").select_option(str(services.net.maizal.pk))
    page.locator("button[name=ver]").click()
    page.wait_for_load_state()
    page.locator("input.tapmap").click(position={"x": 170, "y": 150})
    page.wait_for_load_state()
    assert page.locator("#id_lat").input_value()
    page.locator("#id_direccion").fill("Calle 3, frente a la escuela")
    page.locator("button[name=paso]").click()
    page.wait_for_url("**/reportar/datos/**")
    # Step 2: the details.
    page.locator("#id_description").fill("Tubería rota: el agua corre por la calle.")
    page.locator("#id_attr_tamano").select_option("chorro")
    page.locator("#id_contact_email").fill("vecina@example.org")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/servicios/seguimiento/*/")
    tracking = page.url
    item = ServiceRequest.objects.get()
    assert item.commune_id == services.net.maizal.pk
    assert page.locator("ol.steps li.done").count() == 1

    # The coordinator triages it from the inbox.
    page.goto(f"{base}/cuenta/entrar/?next=/servicios/bandeja/")
    page.locator("#id_username").fill("bob")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/servicios/bandeja/")
    page.locator(f"a[href='/servicios/reportes/{item.pk}/']").first.click()
    page.wait_for_url(f"**/servicios/reportes/{item.pk}/")
    assert "vecina@example.org" in page.content()
    page.locator(f"form[action$='/{item.pk}/verificar/'] button").click()
    page.wait_for_url(f"**/servicios/reportes/{item.pk}/")
    page.locator("details:has(form[action$='/asignar/']) summary").click()
    page.locator("#id_crew").select_option(str(services.crew.pk))
    page.locator(f"form[action$='/{item.pk}/asignar/'] button").click()
    page.wait_for_url(f"**/servicios/reportes/{item.pk}/")
    page.locator(f"form[action$='/{item.pk}/iniciar/'] button").click()
    page.wait_for_url(f"**/servicios/reportes/{item.pk}/")
    page.locator("details:has(form[action$='/resolver/']) summary").click()
    page.locator("#id_note").fill("Se cambió el tramo de tubería.")
    page.locator(f"form[action$='/{item.pk}/resolver/'] button").click()
    page.wait_for_url(f"**/servicios/reportes/{item.pk}/")
    item.refresh_from_db()
    assert item.step == "resolved"
    page.locator("header form button").click()  # sign out
    page.wait_for_load_state()

    # The resident follows it to closure and confirms.
    page.goto(tracking)
    assert page.locator("ol.steps li.done").count() == 5
    assert "Se cambió el tramo de tubería." in page.content()
    page.locator("input[name=fixed][value=si]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(tracking)
    item.refresh_from_db()
    assert item.status == "closed"
    assert item.questionnaires.get().fixed is True
