"""In Chromium: a cycle from offers to deliveries. Bob posts El Maizal's offer, Ernesto
Zamora's need, Nora runs the allocation (the page shows its progress), both sides accept,
Nora approves, Bob records the harvest and the delivery, and the map shows the flow."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD
from tests.production.conftest import Farm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/cuenta/entrar/")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url("**/cuenta/")


def sign_out(page: Any) -> None:
    page.locator("header form button[type=submit]").click()


def submit(page: Any) -> None:
    page.locator("main form button[type=submit]").first.click()


def test_a_cycle_from_offers_to_deliveries(page: Any, live_server: Any, farm: Farm) -> None:
    base = live_server.url
    cycle = f"{base}/produccion/ciclos/{farm.cycle.pk}/"
    maize = str(farm.resource("semilla-maiz").pk)

    sign_in(page, base, "bob")
    page.goto(cycle)
    page.locator(f"a[href$='/ciclos/{farm.cycle.pk}/ofertas/nueva/']").click()
    page.locator("#id_owner").select_option(str(farm.planta.pk))
    page.locator("#id_resource").select_option(maize)
    page.locator("#id_quantity").fill("1")
    page.locator("#id_unit").select_option(str(farm.unit("t").pk))
    submit(page)
    page.wait_for_url(cycle)
    sign_out(page)

    sign_in(page, base, "ernesto")
    page.goto(cycle)
    page.locator(f"a[href$='/ciclos/{farm.cycle.pk}/necesidades/nueva/']").click()
    page.locator("#id_owner").select_option(str(farm.ceiba.pk))
    page.locator("#id_resource").select_option(maize)
    page.locator("#id_quantity").fill("10")
    page.locator("#id_unit").select_option(str(farm.unit("saco-40kg").pk))
    page.locator("#id_priority").select_option("9")
    submit(page)
    page.wait_for_url(cycle)
    sign_out(page)

    sign_in(page, base, "nora")
    page.goto(cycle)
    page.locator(f"form[action$='/ciclos/{farm.cycle.pk}/asignar/'] button").click()
    page.wait_for_url(cycle)
    page.wait_for_selector("#propuestas", timeout=30000)
    assert "10 saco 40 kg" in page.content()
    sign_out(page)

    for user in ("bob", "ernesto"):
        sign_in(page, base, user)
        page.goto(cycle)
        page.locator("#propuestas button[value=accepted]").first.click()
        page.wait_for_url("**/ciclos/*/#propuestas")
        sign_out(page)

    sign_in(page, base, "nora")
    page.goto(f"{cycle}aprobar/")
    page.locator("#id_decision").fill("Acta 5 del Consejo de Economía Comunal")
    submit(page)
    page.wait_for_url(cycle)
    sign_out(page)

    sign_in(page, base, "bob")
    page.goto(f"{base}/produccion/unidades/{farm.planta.slug}/eventos/nuevo/")
    page.locator("#id_action").select_option("produce")
    page.locator("#id_resource").select_option(maize)
    page.locator("#id_quantity").fill("1000")
    page.locator("#id_unit").select_option(str(farm.unit("kg").pk))
    submit(page)
    page.wait_for_url(f"**/unidades/{farm.planta.slug}/")
    page.goto(cycle)
    page.locator("#compromisos a[href$='/entregar/'], a[href$='/entregar/']").first.click()
    page.locator("#id_quantity").fill("400")
    page.locator("#id_unit").select_option(str(farm.unit("kg").pk))
    submit(page)
    page.wait_for_url("**/ciclos/*/**")
    assert "Delivered" in page.content() or "Entregado" in page.content()
    page.goto(f"{base}/produccion/mapa/?ciclo={farm.cycle.pk}")
    assert page.locator("svg line.edge").count() == 1
