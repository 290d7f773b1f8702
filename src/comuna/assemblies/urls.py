"""Pages of the assemblies module, under /asambleas/ (namespace "assemblies")."""

from __future__ import annotations

from django.urls import URLPattern, path

from comuna.assemblies import urls_voting, views

app_name = "assemblies"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("nueva/", views.assembly_new, name="assembly_new"),
    path("mociones-recibidas/", views.motions_received, name="received"),
    path("mociones/<int:pk>/", views.motion, name="motion"),
    path("mociones/<int:pk>/estado/", views.motion_transition, name="motion_transition"),
    path("mociones/<int:pk>/apoyar/", views.motion_support, name="motion_support"),
    path("mociones/<int:pk>/enmendar/", views.amendment_new, name="amendment_new"),
    path(
        "mociones/<int:pk>/enmiendas/<int:amendment>/",
        views.amendment_decide,
        name="amendment_decide",
    ),
    path("mociones/<int:pk>/remitir/", views.motion_forward, name="motion_forward"),
    path("<slug:slug>/", views.assembly, name="assembly"),
    path("<slug:slug>/editar/", views.assembly_edit, name="assembly_edit"),
    path("<slug:slug>/estado/", views.assembly_status, name="assembly_status"),
    path("<slug:slug>/convocantes/nuevo/", views.convenor_new, name="convenor_new"),
    path("<slug:slug>/sesiones/nueva/", views.session_new, name="session_new"),
    path("<slug:slug>/delegaciones/", views.delegations, name="delegations"),
    path("<slug:slug>/delegaciones/<int:pk>/", views.delegation, name="delegation"),
    path("<slug:slug>/participantes/", views.participants, name="participants"),
    path("<slug:slug>/participantes/nuevo/", views.participant_new, name="participant_new"),
    path("<slug:slug>/participantes/<int:pk>/", views.participant, name="participant"),
    path(
        "<slug:slug>/participantes/<int:pk>/salida/",
        views.participant_check_out,
        name="check_out",
    ),
    path("<slug:slug>/acreditacion/", views.desk, name="desk"),
    path("<slug:slug>/credenciales/", views.badges, name="badges"),
    path("<slug:slug>/orden-del-dia/", views.agenda, name="agenda"),
    path("<slug:slug>/orden-del-dia/<int:pk>/", views.agenda_item, name="item"),
    path(
        "<slug:slug>/orden-del-dia/<int:pk>/en-curso/",
        views.agenda_current,
        name="agenda_current",
    ),
    path("<slug:slug>/proyector/", views.projector, name="projector"),
    path("<slug:slug>/mesas/", views.working_groups, name="groups"),
    path("<slug:slug>/mesas/<slug:group>/", views.working_group, name="group"),
    path("<slug:slug>/mociones/", views.motions, name="motions"),
    path("<slug:slug>/mociones/nueva/", views.motion_new, name="motion_new"),
    path("<slug:slug>/acta/", views.minutes, name="minutes"),
    path("<slug:slug>/declaracion/", views.declaration, name="declaration"),
    path("<slug:slug>/resoluciones/", views.resolutions, name="resolutions"),
    path("<slug:slug>/resoluciones/<int:pk>/", views.resolution, name="resolution"),
]
urlpatterns += urls_voting.urlpatterns
