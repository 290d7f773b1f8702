"""Imports and exports of the registry, included by registry/urls.py (namespace "registry")."""

from __future__ import annotations

from django.urls import path

from comuna.registry import views_io

urlpatterns = [
    path("importar/", views_io.import_registry, name="import"),
    path("exportar/comunas.csv", views_io.export_communes_csv, name="export_communes_csv"),
    path("exportar/consejos.csv", views_io.export_councils_csv, name="export_councils_csv"),
    path(
        "exportar/comunas.geojson",
        views_io.export_communes_geojson,
        name="export_communes_geojson",
    ),
    path(
        "exportar/consejos.geojson",
        views_io.export_councils_geojson,
        name="export_councils_geojson",
    ),
    path("exportar/popolo.json", views_io.export_popolo, name="export_popolo"),
]
