"""Pages of the production module, under /produccion/ (namespace "production")."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "production"

urlpatterns: list[URLPattern] = []
