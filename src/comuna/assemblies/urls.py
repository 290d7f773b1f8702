"""Pages of the assemblies module, under /asambleas/ (namespace "assemblies")."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

app_name = "assemblies"

urlpatterns: list[URLPattern] = []
