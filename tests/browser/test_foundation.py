"""Sign-in, the language switch and browsing the geography in Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD, Cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_signs_in_and_sees_their_roles(page: Any, live_server: Any, cast: Cast) -> None:
    page.goto(f"{live_server.url}/cuenta/entrar/")
    page.get_by_label("Nombre de usuario").fill("alice")
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url("**/cuenta/")
    assert "Comuna El Maizal" in page.content()
    assert page.get_by_role("heading", name="Mi perfil").is_visible()


def test_the_language_switch_turns_the_page_english(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Sign in").is_visible()


def test_browsing_state_municipality_parish(page: Any, live_server: Any, geography: None) -> None:
    page.goto(f"{live_server.url}/geografia/")
    page.get_by_role("link", name="Lara", exact=True).first.click()
    page.wait_for_url("**/geografia/lara/")
    page.get_by_role("link", name="Simón Planas").first.click()
    page.wait_for_url("**/geografia/lara/simon-planas/")
    assert "Sarare" in page.content()
