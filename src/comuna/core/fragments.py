"""Caching of rendered page fragments that are the same for everybody.

Lists and profiles of the registry change rarely and are read often. Their data-heavy parts
(a table, a profile's sections) are cached with `{% cache %}` under a key that includes
`data_version()`: the id of the newest AuditEvent. Every action writes one, so any change
anywhere makes every fragment stale at once — coarse, simple and never out of date. The cache
is per process (LocMemCache by default); a shared cache can be set in CACHES.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import compress_string
from django.utils.translation import get_language

from comuna.core.access import request_store
from comuna.core.models import AuditEvent

ViewFunc = Callable[..., HttpResponse]


def data_version() -> str:
    """Changes whenever anything is written through an action, and every day. Read once
    per request (within a request the cached viewers' block, see core.access)."""
    store = request_store()
    if store is not None and "data_version" in store:
        return str(store["data_version"])
    newest = AuditEvent.objects.aggregate(newest=Max("id"))["newest"] or 0
    version = f"{newest}-{timezone.localdate().isoformat()}"
    if store is not None:
        store["data_version"] = version
    return version


def cached_fragment(key: str, render: Callable[[], str], timeout: int = 600) -> SafeString:
    """The HTML under `key` (which must include data_version()), rendered once."""
    digest = "frag:" + hashlib.sha256(key.encode()).hexdigest()
    html = cache.get(digest)
    if html is None:
        html = str(render())
        cache.set(digest, html, timeout)
    return mark_safe(html)  # noqa: S308 - rendered by our own templates, escaped there


def cache_public_get(timeout: int = 600) -> Callable[[ViewFunc], ViewFunc]:
    """Cache whole answers to anonymous GETs of public data (no session user, no token).

    The key holds the full path, the language, whether htmx asked for a fragment, and the
    data version, so a write anywhere makes it stale. Answers for signed-in callers are never
    cached or served from this cache; pages served this way must not carry a CSRF token
    (the language switch is a GET form for that reason)."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = getattr(request, "user", None)
            if (
                request.method != "GET"
                or (user is not None and user.is_authenticated)
                or "Authorization" in request.headers
            ):
                return view(request, *args, **kwargs)
            key = (
                "get:"
                + hashlib.sha256(
                    f"{request.get_full_path()}|{request.headers.get('HX-Request', '')}|"
                    f"{get_language()}|{data_version()}".encode()
                ).hexdigest()
            )
            stored = cache.get(key)
            if stored is not None:
                status, content_type, body, packed, vary = stored
                if "gzip" in request.headers.get("Accept-Encoding", ""):
                    # Compressed once when cached, not on every answer (GZipMiddleware
                    # leaves an answer that already has a Content-Encoding alone).
                    replay = HttpResponse(packed, status=status, content_type=content_type)
                    replay["Content-Encoding"] = "gzip"
                else:
                    replay = HttpResponse(body, status=status, content_type=content_type)
                replay["Vary"] = ", ".join(v for v in (vary, "Accept-Encoding") if v)
                return replay
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not getattr(response, "streaming", False)
                and not response.cookies
            ):
                cache.set(
                    key,
                    (
                        response.status_code,
                        response["Content-Type"],
                        response.content,
                        compress_string(response.content),
                        response.get("Vary", ""),
                    ),
                    timeout,
                )
            return response

        return wrapped

    return decorator
