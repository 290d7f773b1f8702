"""Pages of the core module: home, sign-in, profile, tokens, audit, health."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from comuna.core import access, actions, queries
from comuna.core.errors import DomainError
from comuna.core.forms import ProfileForm, TokenCreateForm
from comuna.core.pagination import paginate


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    person = queries.person_for_user(user=request.user)
    form = ProfileForm(instance=person) if person else None
    if request.method == "POST" and person is not None:
        form = ProfileForm(request.POST, instance=person)
        if form.is_valid():
            try:
                actions.person_update(actor=request.user, person=person, **form.cleaned_data)
            except DomainError as err:
                form.add_error(None, err.message)
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("core:profile")
    return render(
        request,
        "core/profile.html",
        {
            "person": person,
            "form": form,
            "memberships": queries.memberships_of(person=person) if person else [],
        },
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = actions.token_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except DomainError as err:
            form.add_error("name", err.message)
        else:
            form = TokenCreateForm()
    return render(
        request,
        "core/tokens.html",
        {"form": form, "tokens": queries.tokens_of(user=request.user), "new_token": new_token},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = queries.token_of(user=request.user, token_id=token_id)
    actions.token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("core:tokens")


def audit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, events = queries.audit_for_organisation(user=request.user, slug=slug)
    page, query = paginate(request, events, per_page=50)
    return render(
        request, "core/audit.html", {"organisation": organisation, "page": page, "query": query}
    )


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure makes us unhealthy
        return JsonResponse(
            {"status": "error", "database": str(exc.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": connection.vendor})


def language(request: HttpRequest) -> HttpResponse:
    """Switch the language (a cookie) and go back. A GET form, so that pages carry no CSRF
    token for visitors and can be cached whole; choosing a language changes nothing else."""
    code = request.GET.get("language", "")
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    if code in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    return response


def bare(request: HttpRequest) -> HttpResponse:
    """The benchmarks' baseline: the cheapest Django view (only served with COMUNA_BENCH)."""
    return HttpResponse(b"ok", content_type="text/plain")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = getattr(exception, "message", "") or _("You may not do this.")
    return render(request, "core/403.html", {"message": message}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


__all__ = ["access"]
