"""Comuna's one settings module.

Every value that differs between machines comes from an environment variable read through the
typed helpers in `comuna.envconf`; a malformed value stops the start naming the variable.

COMUNA_ENV selects the mode:
- `development` (default): DEBUG on unless COMUNA_DEBUG=false, SQLite under var/.
- `production`: refuses to start with DEBUG on or without its own COMUNA_SECRET_KEY; secure
  cookies, HSTS and the rest, so that `comuna check --deploy` reports nothing.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from comuna.envconf import ENV

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(ENV.text("COMUNA_VAR_DIR", str(PROJECT_DIR / "var")))

# pytest (>= 8.2) sets PYTEST_VERSION while it runs: the suite gets immediate tasks, plain
# static storage and fast password hashing.
TESTING = ENV.flag("COMUNA_TESTING", "PYTEST_VERSION" in os.environ)
MODE = ENV.choice("COMUNA_ENV", "development", ("development", "production"))
PRODUCTION = MODE == "production"

DEFAULT_SECRET_KEY = "comuna-development-key-not-for-production"  # noqa: S105
SECRET_KEY = ENV.text("COMUNA_SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = ENV.flag("COMUNA_DEBUG", not PRODUCTION and not TESTING)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("COMUNA_DEBUG must be off when COMUNA_ENV=production.")
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "COMUNA_SECRET_KEY must be set to a secret of at least 50 characters "
            "when COMUNA_ENV=production."
        )

ALLOWED_HOSTS = ENV.items(
    "COMUNA_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = ENV.items("COMUNA_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = ENV.text("COMUNA_SITE_URL", "http://127.0.0.1:8000")
# Benchmarks serve a bare Django view beside the real pages as their baseline.
BENCH = ENV.flag("COMUNA_BENCH", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ninja",
    "comuna.core",
    "comuna.geography",
    "comuna.registry",
    "comuna.dialogue",
    "comuna.production",
    "comuna.public_services",
    "comuna.assemblies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "comuna.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "comuna.core.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "comuna.core.access.ViewerCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "comuna.core.idempotency.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "comuna.urls"
WSGI_APPLICATION = "comuna.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "comuna.core.context.navigation",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": ENV.database("DATABASE_URL", VAR_DIR / "comuna.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite creates many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:profile"
LOGOUT_REDIRECT_URL = "core:home"

# Sign-in throttling (django-axes): lock a username after repeated failures.
AXES_FAILURE_LIMIT = ENV.integer("COMUNA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=ENV.integer("COMUNA_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
# A username is locked after repeated failures (against guessing one account's password), and
# so is an address+browser pair (against trying many accounts). Not the address alone: many
# phones share one address behind their carrier's NAT.
AXES_LOCKOUT_PARAMETERS: list[str | list[str]] = ["username", ["ip_address", "user_agent"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLED = ENV.flag("COMUNA_LOGIN_THROTTLE", True)

LANGUAGE_CODE = "es"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGES = [("es", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale", BASE_DIR / "locale"]
TIME_ZONE = "America/Caracas"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

EMAIL_BACKEND = ENV.text("COMUNA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = ENV.text("COMUNA_FROM_EMAIL", "comuna@localhost")

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 200
PAGE_SIZE = 25

# Security headers. The Content-Security-Policy is set by core.middleware: no inline
# scripts, everything from this origin.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
if PRODUCTION:
    SECURE_SSL_REDIRECT = ENV.flag("COMUNA_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = ENV.integer("COMUNA_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOG_LEVEL = ENV.choice(
    "COMUNA_LOG_LEVEL", "warning" if TESTING else "info", ("debug", "info", "warning", "error")
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "comuna.core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "comuna": {"handlers": ["console"], "level": str(LOG_LEVEL).upper(), "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
