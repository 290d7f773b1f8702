"""Pages of the production module, under /produccion/ (namespace "production")."""

from __future__ import annotations

from django.urls import path

from comuna.production import views

app_name = "production"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalogo/", views.catalogue, name="catalogue"),
    path("catalogo/nuevo/", views.resource_new, name="resource_new"),
    path("unidades/", views.units, name="units"),
    path("unidades/nueva/", views.unit_new, name="unit_new"),
    path("unidades/<slug:slug>/", views.unit, name="unit"),
    path("unidades/<slug:slug>/editar/", views.unit_edit, name="unit_edit"),
    path("unidades/<slug:slug>/miembros/nuevo/", views.member_new, name="member_new"),
    path("unidades/<slug:slug>/proyectos/nuevo/", views.project_new, name="project_new"),
    path("unidades/<slug:slug>/eventos/nuevo/", views.event_new, name="event_new"),
    path("proyectos/<int:pk>/flujos/nuevo/", views.flow_new, name="flow_new"),
    path("proyectos/<int:pk>/estado/", views.project_status, name="project_status"),
    path("eventos/<int:pk>/corregir/", views.event_correct, name="event_correct"),
    path("ciclos/", views.cycles, name="cycles"),
    path("ciclos/nuevo/", views.cycle_new, name="cycle_new"),
    path("ciclos/<int:pk>/", views.cycle, name="cycle"),
    path("ciclos/<int:pk>/unirse/", views.cycle_join, name="cycle_join"),
    path("ciclos/<int:pk>/ofertas/nueva/", views.intent_new, {"kind": "offer"}, name="offer_new"),
    path("ciclos/<int:pk>/necesidades/nueva/", views.intent_new, {"kind": "need"}, name="need_new"),
    path("ciclos/<int:pk>/importar/", views.cycle_import, name="cycle_import"),
    path("ciclos/<int:pk>/ofertas-y-necesidades.csv", views.cycle_intents_csv, name="intents_csv"),
    path("ciclos/<int:pk>/propuestas.csv", views.cycle_proposals_csv, name="proposals_csv"),
    path("ciclos/<int:pk>/asignar/", views.cycle_allocate, name="cycle_allocate"),
    path("ciclos/<int:pk>/aprobar/", views.cycle_approve, name="cycle_approve"),
    path("ciclos/<int:pk>/cerrar/", views.cycle_close, name="cycle_close"),
    path("ciclos/<int:pk>/faltantes/", views.cycle_unmet, name="cycle_unmet"),
    path("intenciones/<int:pk>/retirar/", views.intent_withdraw, name="intent_withdraw"),
    path("propuestas/<int:pk>/responder/", views.proposal_decide, name="proposal_decide"),
    path("compromisos/<int:pk>/entregar/", views.commitment_deliver, name="commitment_deliver"),
    path("mapa/", views.supply_map, name="map"),
    path("valueflows.jsonld", views.valueflows_network, name="valueflows"),
    path(
        "comunas/<slug:slug>/valueflows.jsonld", views.valueflows_commune, name="valueflows_commune"
    ),
]
