"""Pages of the assemblies module: polls, elections and exports."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
