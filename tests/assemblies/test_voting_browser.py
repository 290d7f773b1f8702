"""In Chromium: the credentials desk checks a delegate in, the coordinator opens a poll, the
delegate votes from her phone with one tap, and the projector on the big screen shows the
result once the poll closes (htmx refreshes it; nobody reloads the page)."""

from __future__ import annotations

from typing import Any

import pytest

from comuna.assemblies.models_voting import Poll, RollEntry
from tests.assemblies.conftest import Gathering
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASE = "/asambleas/asamblea-de-prueba"


def sign_in(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/cuenta/entrar/")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url("**/cuenta/")


def test_a_delegate_checks_in_votes_and_the_projector_shows_the_result(
    page: Any, browser: Any, live_server: Any, gathering: Gathering
) -> None:
    url = live_server.url
    carol = gathering.carol

    # The big screen: the projector, left open for the whole session.
    screen_context = browser.new_context(locale="es-VE", viewport={"width": 1280, "height": 800})
    screen = screen_context.new_page()
    screen.goto(f"{url}{BASE}/proyector/")

    # The credentials desk checks carol in by her number.
    sign_in(page, url, "bob")
    page.goto(f"{url}{BASE}/acreditacion/")
    page.locator("main form input[name=codigo]").fill(carol.number)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**{BASE}/acreditacion/")
    carol.refresh_from_db()
    assert carol.present

    # The coordinator creates and opens a poll.
    page.goto(f"{url}{BASE}/votaciones/nueva/")
    page.locator("#id_title").fill("¿Aprobamos el plan de siembra?")
    page.locator("#id_decision_type").select_option("ordinary")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{BASE}/votaciones/1/")
    page.locator(f"form[action='{BASE}/votaciones/1/abrir/'] button").click()
    page.wait_for_url(f"**{BASE}/votaciones/1/")
    assert Poll.objects.get().status == "open"

    # carol, on her phone (a separate browser: her own session), votes with one tap.
    phone_context = browser.new_context(locale="es-VE", viewport={"width": 360, "height": 740})
    phone = phone_context.new_page()
    phone.set_default_timeout(15000)
    sign_in(phone, url, "carol")
    phone.goto(f"{url}{BASE}/votar/")
    phone.locator(f"form[action='{BASE}/votaciones/1/votar/'] button[value=yes]").click()
    phone.wait_for_url(f"**{BASE}/votar/")
    assert phone.locator(".messages").is_visible()
    assert phone.locator(f"form[action='{BASE}/votaciones/1/votar/']").count() == 0
    assert RollEntry.objects.get().participant_id == carol.pk

    # The coordinator closes the poll; the projector shows the verdict without a reload.
    page.locator(f"form[action='{BASE}/votaciones/1/cerrar/'] button").click()
    page.wait_for_url(f"**{BASE}/votaciones/1/")
    poll = Poll.objects.get()
    assert (poll.yes, poll.verdict) == (1, "adopted")
    result = screen.locator(".projector-results .verdict")
    result.wait_for(timeout=15000)
    assert poll.get_verdict_display() in result.inner_text()
    assert screen.locator(".projector-results td.bar svg").count() == 3
    phone_context.close()
    screen_context.close()
