"""Pages of the public_services module, under /servicios/ (namespace "public_services")."""

from __future__ import annotations

from django.urls import URLPattern, path

from comuna.public_services import urls_operations, views

app_name = "public_services"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    # Reporting
    path("reportar/", views.report_place, name="report"),
    path("reportar/datos/", views.report_details, name="report_details"),
    path("mapa.svg", views.map_svg, name="map_svg"),
    path("seguimiento/<str:token>/", views.track, name="track"),
    path("fotos/<int:pk>.jpg", views.photo, name="photo"),
    # Reports and triage
    path("reportes/", views.requests_list, name="requests"),
    path("reportes.csv", views.requests_csv, name="requests_csv"),
    path("reportes/<int:pk>/", views.request_detail, name="request"),
    path("reportes/<int:pk>/<slug:what>/", views.request_act, name="request_act"),
    path("bandeja/", views.inbox, name="inbox"),
    path("ordenes/<int:pk>/", views.work_order, name="work_order"),
    path("cuadrillas/", views.crews, name="crews"),
    # Assets
    path("activos/", views.assets, name="assets"),
    path("activos.geojson", views.assets_geojson, name="assets_geojson"),
    path("activos.csv", views.assets_csv, name="assets_csv"),
    path("activos/nuevo/", views.asset_new, name="asset_new"),
    path("activos/importar/", views.assets_import, name="assets_import"),
    path("activos/<int:pk>/", views.asset_detail, name="asset"),
    # Catalogue
    path("catalogo/", views.catalogue, name="catalogue"),
    path("catalogo/instalar/", views.catalogue_install, name="catalogue_install"),
    path("catalogo/<slug:slug>/<slug:code>/", views.service_edit, name="service_edit"),
    # Dashboards
    path("tablero/", views.dashboard, name="dashboard"),
    path("tablero/elegir/", views.dashboard_pick, name="dashboard_pick"),
    path("tablero/<slug:slug>/", views.dashboard, name="dashboard_commune"),
]
urlpatterns += urls_operations.urlpatterns
