"""The JSON API: one NinjaAPI at /api/v1/, one Router per module."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from comuna.assemblies.api import router as assemblies_router
from comuna.core.api import router as core_router
from comuna.core.auth import SessionOrToken
from comuna.core.errors import DomainError, PermissionDeniedError, error_body
from comuna.dialogue.api import router as dialogue_router
from comuna.geography.api import router as geography_router
from comuna.production.api import router as production_router
from comuna.public_services.api import router as public_services_router
from comuna.registry.api import router as registry_router

api = NinjaAPI(
    title="Comuna API",
    version="1",
    description=(
        "The API of Comuna, the platform of a network of communes. Sign in with a session or "
        "send a personal token as `Authorization: Bearer <token>`. Every POST accepts an "
        "`Idempotency-Key` header. Errors have one shape: `{detail, code, fields}`."
    ),
    auth=SessionOrToken(required=False),
    urls_namespace="api",
)
api.add_router("/", core_router)
api.add_router("/geography/", geography_router)
api.add_router("/", registry_router)
api.add_router("/dialogue/", dialogue_router)
api.add_router("/production/", production_router)
api.add_router("/public-services/", public_services_router)
api.add_router("/assemblies/", assemblies_router)


def _fields_from_validation(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(part) for part in err.get("loc", []) if part not in ("body", "query", "path")]
        name = ".".join(loc[1:] if loc and loc[0] in ("payload", "data", "filters") else loc)
        fields.setdefault(name or "__all__", []).append(str(err.get("msg", _("Invalid value."))))
    return fields


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    body = error_body(
        _("The request has invalid fields."),
        "validation_error",
        _fields_from_validation(exc.errors),
    )
    return api.create_response(request, body, status=422)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(_("Not found."), "not_found"), status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = exc.message if isinstance(exc, PermissionDeniedError) else _("Not allowed.")
    return api.create_response(request, error_body(message, "forbidden"), status=403)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, error_body(_("Sign in or send a valid API token."), "unauthenticated"), status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(
        request, error_body(str(exc.message), "http_error"), status=exc.status_code
    )
