"""Pages of the assemblies module, under /asambleas/ (namespace "assemblies")."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

from comuna.assemblies import urls_voting

app_name = "assemblies"

urlpatterns: list[URLPattern] = []
urlpatterns += urls_voting.urlpatterns
