"""Pages of the public_services module, under /servicios/ (namespace "public_services")."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

from comuna.public_services import urls_operations

app_name = "public_services"

urlpatterns: list[URLPattern] = []
urlpatterns += urls_operations.urlpatterns
