from __future__ import annotations

from django.urls import include, path

from comuna.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.home, name="home"),
    path("directorio/", views.directory, name="directory"),
    path("grafo/", views.graph, name="graph"),
    path("comunas/nueva/", views.commune_new, name="commune_new"),
    path("comunas/<slug:slug>/", views.commune, name="commune"),
    path("comunas/<slug:slug>/editar/", views.commune_edit, name="commune_edit"),
    path("comunas/<slug:slug>/consejos/nuevo/", views.council_new, name="council_new"),
    path("comunas/<slug:slug>/consejos/unir/", views.council_join, name="council_join"),
    path("comunas/<slug:slug>/evaluacion/", views.assessment_new, name="assessment_new"),
    path("consejos/<slug:slug>/", views.council, name="council"),
    path("consejos/<slug:slug>/editar/", views.council_edit, name="council_edit"),
    path("consejos/<slug:slug>/salir/", views.council_leave, name="council_leave"),
    path("agregaciones/nueva/", views.aggregation_new, name="aggregation_new"),
    path("agregaciones/<slug:slug>/", views.aggregation, name="aggregation"),
    path("organizaciones/<slug:slug>/vocerias/", views.mandates, name="mandates"),
    path("organizaciones/<slug:slug>/vocerias/nueva/", views.mandate_new, name="mandate_new"),
    path("vocerias/<int:pk>/revocar/", views.mandate_revoke, name="mandate_revoke"),
    path("organizaciones/<slug:slug>/enlaces/nuevo/", views.link_new, name="link_new"),
    path("", include("comuna.registry.urls_io")),
]
