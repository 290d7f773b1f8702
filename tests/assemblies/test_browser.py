"""In Chromium: the credentials desk checks a delegate in by number and by the QR link of her
badge, the presence panel and the projector follow (the projector by htmx polling)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from comuna.assemblies import actions
from tests.assemblies.conftest import Gathering
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/cuenta/entrar/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/cuenta/")


def test_check_in_by_number_and_by_badge_and_the_projector_follows(
    page: Any, live_server: Any, gathering: Gathering
) -> None:
    base = live_server.url
    slug = gathering.assembly.slug
    sign_in(page, base, "bob")

    page.goto(f"{base}/asambleas/{slug}/acreditacion/")
    assert re.search(r"\b2 \w+ 3\b", page.locator("#presence").inner_text())
    page.locator("#id_codigo").fill(gathering.carol.number)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(f"**/asambleas/{slug}/acreditacion/")
    assert "Carolina Prueba" in page.locator(".messages").inner_text()
    assert re.search(r"\b3 \w+ 3\b", page.locator("#presence").inner_text())

    # The QR code on a badge opens the desk with the code filled in.
    newcomer = actions.participant_add(
        actor=None, assembly=gathering.assembly, kind="observer", name="Radio Maizal"
    )
    page.goto(f"{base}/asambleas/{slug}/acreditacion/?codigo={newcomer.badge_code}")
    card = page.locator("#found")
    assert "Radio Maizal" in card.inner_text()
    card.locator("button[type=submit]").click()
    page.wait_for_url(f"**/asambleas/{slug}/acreditacion/")
    assert "Radio Maizal" in page.locator(".messages").inner_text()

    # The projector polls; a delegate leaving shows there without a reload ("2 de 3" in Spanish).
    page.goto(f"{base}/asambleas/{slug}/proyector/")
    assert re.search(r"\b3 \w+ 3\b", page.locator("#panel").inner_text())
    actions.participant_check_out(actor=None, participant=gathering.alice)
    page.locator("#panel", has_text=re.compile(r"\b2 \w+ 3\b")).wait_for(timeout=10000)
