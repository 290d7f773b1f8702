"""Pages of the public_services module: schedules and route planning."""

from __future__ import annotations

from django.urls import URLPattern, path

from comuna.public_services import views_operations as views

urlpatterns: list[URLPattern] = [
    # Schedules: "when does water come to my sector?"
    path("horarios/", views.schedules_home, name="schedules_home"),
    path("comunas/<slug:slug>/horarios/", views.commune_schedules, name="commune_schedules"),
    path(
        "comunas/<slug:slug>/cumplimiento.csv",
        views.commune_compliance_csv,
        name="commune_compliance_csv",
    ),
    path("comunas/<slug:slug>/avisos.atom", views.AnnouncementsFeed(), name="commune_feed"),
    path("comunas/<slug:slug>/sectores/nuevo/", views.sector_new, name="sector_new"),
    path("sectores/<int:pk>/", views.sector, name="sector"),
    path("sectores/<int:pk>/editar/", views.sector_edit, name="sector_edit"),
    path("sectores/<int:pk>/calendario.ics", views.sector_ical, name="sector_ical"),
    path("sectores/<int:pk>/horarios/nuevo/", views.schedule_new, name="schedule_new"),
    path("sectores/<int:pk>/avisos/nuevo/", views.announcement_new, name="announcement_new"),
    path("horarios/<int:pk>/cambiar/", views.schedule_replace, name="schedule_replace"),
    path("horarios/<int:pk>/excepcion/", views.schedule_exception, name="schedule_exception"),
    path("horarios/<int:pk>/reportar/", views.schedule_report, name="schedule_report"),
    # Route planning
    path("comunas/<slug:slug>/rutas/", views.route_plans, name="route_plans"),
    path("comunas/<slug:slug>/rutas/nueva/", views.route_plan_new, name="route_plan_new"),
    path("comunas/<slug:slug>/vehiculos/nuevo/", views.vehicle_new, name="vehicle_new"),
    path("rutas/<int:pk>/", views.route_plan, name="route_plan"),
    path("rutas/<int:pk>/estado/", views.route_plan_status, name="route_plan_status"),
    path("rutas/<int:pk>/paradas/nueva/", views.route_stop_new, name="route_stop_new"),
    path(
        "rutas/<int:pk>/paradas/<int:stop_pk>/quitar/",
        views.route_stop_remove,
        name="route_stop_remove",
    ),
    path("rutas/<int:pk>/puntos/", views.route_points, name="route_points"),
    path("rutas/<int:pk>/matriz/", views.route_matrix, name="route_matrix"),
    path("rutas/<int:pk>/resolver/", views.route_solve, name="route_solve"),
    path("rutas/<int:pk>/hojas/", views.route_sheets, name="route_sheets"),
    path("rutas/<int:pk>/hojas/<int:number>/", views.route_sheets, name="route_sheet"),
    path("rutas/<int:pk>/rutas.geojson", views.route_geojson, name="route_geojson"),
    path("rutas/<int:pk>/rutas.gpx", views.route_gpx, name="route_gpx"),
    path("rutas/<int:pk>/paradas.csv", views.route_stops_csv, name="route_stops_csv"),
]
