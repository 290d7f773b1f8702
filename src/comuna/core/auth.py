"""API authentication: the browser session or a personal token (`Authorization: Bearer`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import django_auth
from ninja.security.http import HttpBearer

from comuna.core.models import ApiToken, hash_token


class SessionOrToken(HttpBearer):
    """Lets everyone through to the view; sets request.user from a session or a token.

    With `required=True` a request without a valid session or token gets 401. A token that
    is present but wrong always gets 401, so a client never silently acts as anonymous.
    """

    def __init__(self, *, required: bool = True) -> None:
        super().__init__()
        self.required = required

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header:
            return super().__call__(request)
        if request.user.is_authenticated:
            # Unsafe methods with a session still need the CSRF token.
            return django_auth(request)
        return None if self.required else True

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


token_required = SessionOrToken(required=True)
