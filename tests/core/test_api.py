"""Core API: authentication, the error body and Idempotency-Key."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from comuna.core import actions
from comuna.core.models import ApiToken
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_me_needs_a_session_or_a_token(client: Client, cast: Cast) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "fields"}
    _token, raw = actions.token_create(actor=cast.alice, name="script")
    response = client.get("/api/v1/me", **bearer(raw))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "alice"
    assert body["memberships"][0]["role"] == "spokesperson"


def test_a_wrong_token_is_refused_not_treated_as_anonymous(client: Client, cast: Cast) -> None:
    response = client.get("/api/v1/geography/states", **bearer("cmn_wrong"))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_revoked_token_is_refused(client: Client, cast: Cast) -> None:
    token, raw = actions.token_create(actor=cast.alice, name="old")
    actions.token_revoke(actor=cast.alice, token=token)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401


def test_validation_errors_have_the_one_error_body(client: Client, cast: Cast) -> None:
    _token, raw = actions.token_create(actor=cast.alice, name="script")
    response = client.post(
        "/api/v1/tokens",
        data=json.dumps({"nombre": "x"}),
        content_type="application/json",
        **bearer(raw),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "name" in body["fields"]


def test_domain_errors_have_the_one_error_body(client: Client, cast: Cast) -> None:
    _token, raw = actions.token_create(actor=cast.alice, name="script")
    response = client.post(
        "/api/v1/tokens",
        data=json.dumps({"name": "   "}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="es",
        **bearer(raw),
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Un token necesita un nombre.",
        "code": "invalid",
        "fields": {"name": ["Este campo es obligatorio."]},
    }


def test_not_found_has_the_one_error_body(client: Client) -> None:
    response = client.get("/api/v1/organisations/nadie/audit")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_audit_api_refuses_the_outsider(client: Client, cast: Cast) -> None:
    client.force_login(cast.oscar)
    assert client.get("/api/v1/organisations/el-maizal/audit").status_code == 404
    client.force_login(cast.dora)
    response = client.get("/api/v1/organisations/el-maizal/audit")
    assert response.status_code == 200
    assert response.json()["count"] >= 4


class TestIdempotency:
    def post(self, client: Client, raw: str, name: str, key: str) -> object:
        return client.post(
            "/api/v1/tokens",
            data=json.dumps({"name": name}),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
            **bearer(raw),
        )

    def test_the_same_key_and_body_gives_the_stored_answer(
        self, client: Client, cast: Cast
    ) -> None:
        _token, raw = actions.token_create(actor=cast.alice, name="script")
        first = self.post(client, raw, "teléfono", "k-1")
        second = self.post(client, raw, "teléfono", "k-1")
        assert first.status_code == second.status_code == 201  # type: ignore[attr-defined]
        assert first.json() == second.json()  # type: ignore[attr-defined]
        assert second["Idempotent-Replayed"] == "true"  # type: ignore[index]
        assert ApiToken.objects.filter(user=cast.alice, name="teléfono").count() == 1

    def test_the_same_key_with_another_body_is_refused(self, client: Client, cast: Cast) -> None:
        _token, raw = actions.token_create(actor=cast.alice, name="script")
        self.post(client, raw, "uno", "k-2")
        response = self.post(client, raw, "dos", "k-2")
        assert response.status_code == 422  # type: ignore[attr-defined]
        assert response.json()["code"] == "idempotency_key_reused"  # type: ignore[attr-defined]
        assert not ApiToken.objects.filter(name="dos").exists()

    def test_keys_belong_to_their_caller(self, client: Client, cast: Cast) -> None:
        _t1, alice_raw = actions.token_create(actor=cast.alice, name="a")
        _t2, bob_raw = actions.token_create(actor=cast.bob, name="b")
        self.post(client, alice_raw, "misma", "k-3")
        response = self.post(client, bob_raw, "misma", "k-3")
        assert response.status_code == 201  # type: ignore[attr-defined]
        assert ApiToken.objects.filter(name="misma").count() == 2

    def test_without_a_key_each_post_creates(self, client: Client, cast: Cast) -> None:
        _token, raw = actions.token_create(actor=cast.alice, name="script")
        for _i in range(2):
            client.post(
                "/api/v1/tokens",
                data=json.dumps({"name": "x"}),
                content_type="application/json",
                **bearer(raw),
            )
        assert ApiToken.objects.filter(name="x").count() == 2

    def test_a_key_past_its_retention_or_abandoned_is_forgotten(
        self, client: Client, cast: Cast
    ) -> None:
        from datetime import timedelta

        from django.utils import timezone

        from comuna.core.idempotency import ABANDONED_AFTER, PENDING, RETENTION
        from comuna.core.models import IdempotencyKey

        _token, raw = actions.token_create(actor=cast.alice, name="script")
        self.post(client, raw, "viejo", "k-4")
        IdempotencyKey.objects.filter(key="k-4").update(
            created_at=timezone.now() - RETENTION - timedelta(minutes=1)
        )
        # Past its retention: the same key runs the request again.
        assert self.post(client, raw, "viejo", "k-4").status_code == 201  # type: ignore[attr-defined]
        assert ApiToken.objects.filter(name="viejo").count() == 2
        # A reservation whose request never finished answers "in progress" for a while...
        IdempotencyKey.objects.filter(key="k-4").update(status=PENDING, created_at=timezone.now())
        response = self.post(client, raw, "viejo", "k-4")
        assert response.status_code == 409  # type: ignore[attr-defined]
        # ...and is forgotten once abandoned.
        IdempotencyKey.objects.filter(key="k-4").update(
            created_at=timezone.now() - ABANDONED_AFTER - timedelta(seconds=1)
        )
        assert self.post(client, raw, "viejo", "k-4").status_code == 201  # type: ignore[attr-defined]
        assert ApiToken.objects.filter(name="viejo").count() == 3
