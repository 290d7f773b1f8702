"""Core pages: home, sign-in with lock-out, profile with private data, tokens, audit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comuna.core.models import ApiToken, AuditEvent, Person
from tests.conftest import PASSWORD, Cast

pytestmark = pytest.mark.django_db


def test_home_is_spanish_by_default(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "es"
    assert '<html lang="es">' in response.content.decode()
    assert "Iniciar sesión" in response.content.decode()


def test_home_speaks_english_when_asked(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"
    assert "Sign in" in response.content.decode()


def test_the_language_switch_sets_english(client: Client) -> None:
    response = client.get(reverse("core:language"), {"language": "en", "next": "/red/"})
    assert response.status_code == 302 and response["Location"] == "/red/"
    assert "Sign in" in client.get("/").content.decode()


def test_sign_in_and_out(client: Client, cast: Cast) -> None:
    response = client.post(reverse("core:login"), {"username": "carol", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("core:profile")).status_code == 200
    client.post(reverse("core:logout"))
    assert client.get(reverse("core:profile")).status_code == 302


def test_sign_in_locks_out_after_repeated_failures(client: Client, cast: Cast) -> None:
    for _attempt in range(5):
        response = client.post(reverse("core:login"), {"username": "carol", "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "carol", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert client.get(reverse("core:profile")).status_code == 302


def test_profile_shows_my_private_data_to_me(client: Client, cast: Cast) -> None:
    client.force_login(cast.alice)
    body = client.get(reverse("core:profile")).content.decode()
    assert "V-10000001" in body
    assert "Comuna El Maizal" in body


def test_profile_saves_through_the_action(client: Client, cast: Cast) -> None:
    client.force_login(cast.carol)
    response = client.post(
        reverse("core:profile"),
        {"full_name": "Carolina Prueba", "public_name": "Carola", "gender": "f"},
    )
    assert response.status_code == 302
    assert Person.objects.get(user=cast.carol).public_name == "Carola"
    assert AuditEvent.objects.filter(verb="person.update").exists()


def test_profile_refuses_an_empty_name(client: Client, cast: Cast) -> None:
    client.force_login(cast.carol)
    response = client.post(reverse("core:profile"), {"full_name": "", "gender": "f"})
    assert response.status_code == 200
    assert Person.objects.get(user=cast.carol).full_name == "Carolina Prueba"


def test_a_token_is_shown_once_and_stored_hashed(client: Client, cast: Cast) -> None:
    client.force_login(cast.carol)
    body = client.post(reverse("core:tokens"), {"name": "hoja de cálculo"}).content.decode()
    token = ApiToken.objects.get(user=cast.carol)
    assert token.prefix in body
    assert token.digest not in body
    assert "cmn_" in body


def test_tokens_can_be_revoked_only_by_their_owner(client: Client, cast: Cast) -> None:
    client.force_login(cast.carol)
    client.post(reverse("core:tokens"), {"name": "mío"})
    token = ApiToken.objects.get(user=cast.carol)
    client.force_login(cast.oscar)
    url = reverse("core:token_revoke", args=[token.pk])
    assert client.post(url).status_code == 404
    client.force_login(cast.carol)
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_audit_page_is_for_coordinators_and_oversight(client: Client, cast: Cast) -> None:
    url = reverse("core:audit", args=["el-maizal"])
    client.force_login(cast.bob)
    assert client.get(url).status_code == 200
    client.force_login(cast.dora)
    body = client.get(url).content.decode()
    assert "membership.grant" in body


@pytest.mark.parametrize("who", ["carol", "ernesto", "oscar"])
def test_the_audit_page_is_invisible_to_others(client: Client, cast: Cast, who: str) -> None:
    client.force_login(getattr(cast, who))
    assert client.get(reverse("core:audit", args=["el-maizal"])).status_code == 404


def test_the_audit_page_is_invisible_to_the_public(client: Client, cast: Cast) -> None:
    assert client.get(reverse("core:audit", args=["el-maizal"])).status_code == 404


def test_healthz_checks_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_pages_carry_the_security_headers(client: Client) -> None:
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_password_reset_sends_a_link_that_sets_a_new_password(client: Client, cast: Cast) -> None:
    from django.core import mail

    response = client.post(reverse("core:password_reset"), {"email": "carol@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/cuenta/clave/nueva/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "otra-clave-muy-segura-2026",
            "new_password2": "otra-clave-muy-segura-2026",
        },
    )
    assert response.status_code == 302
    signed_in = client.post(
        reverse("core:login"), {"username": "carol", "password": "otra-clave-muy-segura-2026"}
    )
    assert signed_in.status_code == 302


def test_the_api_documentation_is_served_without_outside_files(client: Client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "swagger" in body.lower()
    assert "cdn." not in body and "unpkg" not in body


def test_the_language_switch_does_not_redirect_elsewhere(client: Client) -> None:
    response = client.get(
        reverse("core:language"), {"language": "en", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    response = client.get(reverse("core:language"), {"language": "xx", "next": "/"})
    assert "django_language" not in response.cookies


def test_public_pages_are_cached_whole_and_stay_fresh(client: Client, cast: Cast) -> None:
    import gzip

    from comuna.core import actions

    first = client.get("/geografia/", HTTP_ACCEPT_ENCODING="gzip")
    second = client.get("/geografia/", HTTP_ACCEPT_ENCODING="gzip")
    assert first.status_code == second.status_code == 200
    assert second["Content-Encoding"] == "gzip"
    assert gzip.decompress(second.content) == gzip.decompress(first.content)
    assert "Accept-Encoding" in second["Vary"]
    # Any write makes the cached copy stale.
    actions.organisation_create(actor=None, kind="movement", name="Movimiento", slug="mov")
    third = client.get("/geografia/")
    assert third.status_code == 200 and "Content-Encoding" not in third
    # Signed-in users are never served from the cache.
    client.force_login(cast.carol)
    assert "Mi perfil" in client.get("/geografia/").content.decode()
