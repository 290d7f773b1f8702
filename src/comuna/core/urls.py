from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from comuna.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("idioma/", views.language, name="language"),
    path(
        "cuenta/entrar/",
        auth_views.LoginView.as_view(
            template_name="core/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("cuenta/salir/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "cuenta/clave/olvido/",
        auth_views.PasswordResetView.as_view(
            template_name="core/password_reset.html",
            email_template_name="core/password_reset_email.txt",
            subject_template_name="core/password_reset_subject.txt",
            success_url=reverse_lazy("core:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "cuenta/clave/enviada/",
        auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "cuenta/clave/nueva/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="core/password_reset_confirm.html",
            success_url=reverse_lazy("core:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "cuenta/clave/lista/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="core/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("cuenta/", views.profile, name="profile"),
    path("cuenta/tokens/", views.tokens, name="tokens"),
    path("cuenta/tokens/<int:token_id>/revocar/", views.token_revoke, name="token_revoke"),
    path("organizaciones/<slug:slug>/auditoria/", views.audit, name="audit"),
]
