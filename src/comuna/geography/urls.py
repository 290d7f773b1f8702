from __future__ import annotations

from django.urls import path

from comuna.geography import views

app_name = "geography"

urlpatterns = [
    path("", views.index, name="index"),
    path("buscar/", views.search, name="search"),
    path("contornos.geojson", views.outlines_geojson, name="outlines"),
    path("<slug:state>/", views.state_detail, name="state"),
    path("<slug:state>/<slug:municipality>/", views.municipality_detail, name="municipality"),
]
