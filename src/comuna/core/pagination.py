"""Page-number pagination for pages (the API uses ninja's PageNumberPagination)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(
    request: HttpRequest, items: Any, per_page: int | None = None
) -> tuple[Page[Any], str]:
    """The requested page (bad numbers give the first or last page) and the other filters
    as a query string to append to the page links."""
    paginator = Paginator(items, per_page or settings.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def is_htmx(request: HttpRequest) -> bool:
    """True when htmx asked for a fragment (django-htmx sets request.htmx)."""
    return bool(getattr(request, "htmx", False))
