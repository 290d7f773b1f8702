"""Open311 GeoReport v2 under /open311/v2/ (namespace "open311"); see open311.py."""

from __future__ import annotations

from django.urls import URLPattern, re_path

from comuna.public_services import open311

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns: list[URLPattern] = [
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.services, name="services"),
    re_path(r"^services/(?P<code>[-\w]+)" + FMT, open311.service_definition, name="service"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<pk>[^/.]+)" + FMT, open311.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[-\w]+)" + FMT, open311.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, open311.request_updates, name="updates"),
]
