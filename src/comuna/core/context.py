"""The navigation: each module adds its entry to NAVIGATION in its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    order: int = 50


NAVIGATION: list[NavItem] = []


def register_nav(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in NAVIGATION):
        NAVIGATION.append(item)
        NAVIGATION.sort(key=lambda nav: nav.order)


_urls: dict[str, str] = {}


def navigation(request: HttpRequest) -> dict[str, Any]:
    items = []
    for item in NAVIGATION:
        url = _urls.get(item.url_name)
        if url is None:
            url = _urls[item.url_name] = reverse(item.url_name)
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": item.label, "url": url, "current": current})
    return {"nav_items": items}
