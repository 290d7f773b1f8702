"""`Idempotency-Key` on every API POST.

Phones on bad links send the same request again. With the header, the first answer is stored;
the same key with the same body gets that stored answer back and nothing is created twice. The
same key with another body is refused with 422. Keys belong to the caller (session user or API
token) and to the path, and are kept for `RETENTION`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from comuna.core.errors import error_body
from comuna.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
RETENTION = timedelta(days=2)
ABANDONED_AFTER = timedelta(minutes=2)
PENDING = 0
API_PREFIXES = ("/api/", "/open311/")


def principal_of(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    auth = request.headers.get("Authorization", "")
    if auth:
        return "auth:" + hashlib.sha256(auth.encode()).hexdigest()[:40]
    api_key = request.GET.get("api_key") or request.POST.get("api_key") or ""
    if api_key:
        return "key:" + hashlib.sha256(api_key.encode()).hexdigest()[:40]
    return "anonymous"


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.path.startswith(API_PREFIXES):
            return self.get_response(request)
        if len(key) > 200:
            return JsonResponse(
                error_body(
                    _("The Idempotency-Key header is too long (200 characters at most)."),
                    "idempotency_key_invalid",
                    {HEADER: [_("At most 200 characters.")]},
                ),
                status=400,
            )
        digest = hashlib.sha256(request.body).hexdigest()
        lookup = {
            "principal": principal_of(request),
            "key": key,
            "method": "POST",
            "path": request.path,
        }
        stored = IdempotencyKey.objects.filter(**lookup).first()
        if stored is not None and expired(stored):
            # Past its retention, or reserved by a request that never finished: forget it.
            # (Only then: a new key costs no write besides its own reservation.)
            stored.delete()
            stored = None
        if stored is not None:
            return self.replay(stored, digest)
        try:
            with transaction.atomic():
                reservation = IdempotencyKey.objects.create(
                    **lookup,
                    body_digest=digest,
                    status=PENDING,
                    content_type="",
                    body=b"",
                )
        except IntegrityError:
            stored = IdempotencyKey.objects.filter(**lookup).first()
            if stored is None:
                return in_progress()
            return self.replay(stored, digest)
        try:
            response = self.get_response(request)
        except BaseException:
            reservation.delete()
            raise
        if response.status_code >= 500 or getattr(response, "streaming", False):
            reservation.delete()
            return response
        reservation.status = response.status_code
        reservation.content_type = response.headers.get("Content-Type", "application/json")
        reservation.body = bytes(response.content)
        reservation.save(update_fields=["status", "content_type", "body"])
        return response

    @staticmethod
    def replay(stored: IdempotencyKey, digest: str) -> HttpResponse:
        if stored.body_digest != digest:
            return reused()
        if stored.status == PENDING:
            return in_progress()
        response = HttpResponse(
            bytes(stored.body), status=stored.status, content_type=stored.content_type
        )
        response.headers["Idempotent-Replayed"] = "true"
        return response


def expired(stored: IdempotencyKey) -> bool:
    age = timezone.now() - stored.created_at
    return age > RETENTION or (stored.status == PENDING and age > ABANDONED_AFTER)


def reused() -> HttpResponse:
    return HttpResponse(
        json.dumps(
            error_body(
                _(
                    "This Idempotency-Key was already used with a different request "
                    "body. Use a new key for a new request."
                ),
                "idempotency_key_reused",
                {HEADER: [_("Already used with another body.")]},
            )
        ),
        status=422,
        content_type="application/json",
    )


def in_progress() -> HttpResponse:
    return HttpResponse(
        json.dumps(
            error_body(
                _("A request with this Idempotency-Key is still being processed. Try again."),
                "idempotency_key_in_progress",
            )
        ),
        status=409,
        content_type="application/json",
    )
