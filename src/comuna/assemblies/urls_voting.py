"""Pages of the assemblies module: polls, elections and exports."""

from __future__ import annotations

from django.urls import URLPattern, path

from comuna.assemblies import views_voting as v

urlpatterns: list[URLPattern] = [
    path("<slug:slug>/votaciones/", v.votes, name="votes"),
    path("<slug:slug>/votaciones/nueva/", v.poll_new, name="poll_new"),
    path("<slug:slug>/votaciones/<int:number>/", v.poll, name="poll"),
    path("<slug:slug>/votaciones/<int:number>/abrir/", v.poll_open, name="poll_open"),
    path("<slug:slug>/votaciones/<int:number>/cerrar/", v.poll_close, name="poll_close"),
    path("<slug:slug>/votaciones/<int:number>/anular/", v.poll_cancel, name="poll_cancel"),
    path("<slug:slug>/votaciones/<int:number>/escrutinio/", v.poll_paper, name="poll_paper"),
    path("<slug:slug>/votaciones/<int:number>/votar/", v.poll_cast, name="poll_cast"),
    path("<slug:slug>/votaciones/<int:number>/lista.csv", v.poll_roll_csv, name="poll_roll_csv"),
    path("<slug:slug>/votar/", v.ballot, name="ballot"),
    path("<slug:slug>/votos-rechazados/", v.refusals, name="vote_refusals"),
    path("<slug:slug>/elecciones/nueva/", v.election_new, name="election_new"),
    path("<slug:slug>/elecciones/<int:number>/", v.election, name="election"),
    path("<slug:slug>/elecciones/<int:number>/candidatos/", v.candidate_new, name="candidate_new"),
    path("<slug:slug>/elecciones/<int:number>/abrir/", v.election_open, name="election_open"),
    path("<slug:slug>/elecciones/<int:number>/cerrar/", v.election_close, name="election_close"),
    path("<slug:slug>/elecciones/<int:number>/anular/", v.election_cancel, name="election_cancel"),
    path(
        "<slug:slug>/elecciones/<int:number>/papeleta/",
        v.election_ballot,
        name="election_ballot",
    ),
    path("<slug:slug>/popolo.json", v.popolo, name="popolo"),
    path("<slug:slug>/sesiones.ics", v.sessions_ics, name="sessions_ics"),
    path("<slug:slug>/asistencia.csv", v.attendance_csv, name="attendance_csv"),
    path("<slug:slug>/resultados.csv", v.results_csv, name="results_csv"),
]
