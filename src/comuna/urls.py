"""Comuna's URLs: each module's pages, the API, the language switch and the health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from comuna.api import api
from comuna.core import views as core_views

handler403 = "comuna.core.views.forbidden"
handler404 = "comuna.core.views.not_found"

urlpatterns = [
    path("", include("comuna.core.urls")),
    path("geografia/", include("comuna.geography.urls")),
    path("red/", include("comuna.registry.urls")),
    path("dialogo/", include("comuna.dialogue.urls")),
    path("produccion/", include("comuna.production.urls")),
    path("servicios/", include("comuna.public_services.urls")),
    path("open311/v2/", include("comuna.public_services.open311_urls")),
    path("asambleas/", include("comuna.assemblies.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]

if settings.BENCH:
    urlpatterns.append(path("_bench/bare", core_views.bare, name="bench_bare"))
