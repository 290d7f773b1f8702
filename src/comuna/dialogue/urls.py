"""Pages of the dialogue with government, under /dialogo/ (namespace "dialogue")."""

from __future__ import annotations

from django.urls import path

from comuna.dialogue import feeds, views

app_name = "dialogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("atascos/", views.stuck, name="stuck"),
    path("estadisticas.csv", views.stats_csv, name="stats_csv"),
    path("feriados/", views.holidays, name="holidays"),
    # Public bodies
    path("entes/", views.bodies, name="bodies"),
    path("entes/nuevo/", views.body_new, name="body_new"),
    path("entes/importar/", views.bodies_import, name="bodies_import"),
    path("entes/correcciones/", views.corrections, name="corrections"),
    path("correcciones/<int:pk>/", views.correction_decide, name="correction_decide"),
    path("entes/<slug:slug>/", views.body, name="body"),
    path("entes/<slug:slug>/editar/", views.body_edit, name="body_edit"),
    path("entes/<slug:slug>/corregir/", views.body_correct, name="body_correct"),
    path("entes/<slug:slug>/novedades.atom", feeds.BodyFeed(), name="feed_body"),
    path("entes/<slug:slug>/calendario.ics", views.ical_body, name="ical_body"),
    # Demands
    path("planteamientos/", views.demands, name="demands"),
    path("planteamientos.csv", views.demands_csv, name="demands_csv"),
    path("planteamientos/nuevo/", views.demand_new, name="demand_new"),
    path("planteamientos/<int:pk>/", views.demand, name="demand"),
    path("planteamientos/<int:pk>/editar/", views.demand_edit, name="demand_edit"),
    path("planteamientos/<int:pk>/presentar/", views.demand_file, name="demand_file"),
    path("planteamientos/<int:pk>/acuse/", views.demand_acknowledge, name="demand_acknowledge"),
    path("planteamientos/<int:pk>/respuesta/", views.demand_answer, name="demand_answer"),
    path("planteamientos/<int:pk>/resuelto/", views.demand_resolve, name="demand_resolve"),
    path("planteamientos/<int:pk>/escalar/", views.demand_escalate, name="demand_escalate"),
    path("planteamientos/<int:pk>/retirar/", views.demand_withdraw, name="demand_withdraw"),
    path("planteamientos/<int:pk>/firmar/", views.demand_cosign, name="demand_cosign"),
    path("planteamientos/<int:pk>/adjuntar/", views.demand_attach, name="demand_attach"),
    path("adjuntos/<int:pk>/", views.attachment, name="attachment"),
    # Dialogue tables
    path("mesas/", views.tables, name="tables"),
    path("mesas/nueva/", views.table_new, name="table_new"),
    path("mesas/<int:pk>/", views.table, name="table"),
    path("mesas/<int:pk>/acta/", views.table_record, name="table_record"),
    path("mesas/<int:pk>/participantes/", views.participant_new, name="participant_new"),
    path("mesas/<int:pk>/compromisos/nuevo/", views.commitment_new, name="commitment_new"),
    path("compromisos/<int:pk>/", views.commitment_update, name="commitment_update"),
    # Transfers of competences and the services communes run
    path("transferencias/", views.transfers, name="transfers"),
    path("transferencias/nueva/", views.transfer_new, name="transfer_new"),
    path("transferencias/<int:pk>/", views.transfer, name="transfer"),
    path("transferencias/<int:pk>/avanzar/", views.transfer_advance, name="transfer_advance"),
    path("transferencias/<int:pk>/cancelar/", views.transfer_cancel, name="transfer_cancel"),
    path("transferencias/<int:pk>/documento/", views.transfer_document, name="transfer_document"),
    path("documentos/<int:pk>/", views.document, name="document"),
    path("servicios/", views.services, name="services"),
    # Organisations: their page, feed and calendar
    path("organizaciones/<slug:slug>/", views.organisation, name="organisation"),
    path(
        "organizaciones/<slug:slug>/novedades.atom",
        feeds.OrganisationFeed(),
        name="feed_organisation",
    ),
    path(
        "organizaciones/<slug:slug>/calendario.ics",
        views.ical_organisation,
        name="ical_organisation",
    ),
]
