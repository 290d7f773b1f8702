"""Small typed readers for environment variables.

Each one fails at start with `ImproperlyConfigured` naming the variable when its value is
malformed, so a typo in a deployment is found before the first request, not during one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Env:
    """A view on an environment mapping (os.environ by default; tests pass their own)."""

    values: Mapping[str, str]

    def text(self, name: str, default: str) -> str:
        return self.values.get(name, default)

    def flag(self, name: str, default: bool) -> bool:
        raw = self.values.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in TRUE:
            return True
        if value in FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0), not {raw!r}.")

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        raw = self.values.get(name)
        if raw is None:
            return default
        try:
            value = int(raw.strip())
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
        if minimum is not None and value < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
        return value

    def items(self, name: str, default: list[str]) -> list[str]:
        raw = self.values.get(name)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.values.get(name, default).strip().lower()
        if value not in choices:
            allowed = ", ".join(choices)
            raise ImproperlyConfigured(f"{name} must be one of {allowed}, not {value!r}.")
        return value

    def database(self, name: str, default_sqlite: Path) -> dict[str, Any]:
        raw = self.values.get(name, "").strip()
        if not raw:
            return sqlite_database(default_sqlite)
        return parse_database_url(name, raw)


def sqlite_database(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # Keep each thread's connection: opening one and running the PRAGMAs on every
        # request costs more than most pages.
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            # WAL lets readers go on while one writer writes; IMMEDIATE avoids "database is
            # locked" errors when two transactions upgrade from read to write at once.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
            ),
        },
    }


def parse_database_url(name: str, raw: str) -> dict[str, Any]:
    """Turn `postgres://user:pass@host:port/db?opt=v` or `sqlite:///path` into DATABASES."""
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} is not a valid database URL.") from None
    scheme = parts.scheme
    if scheme == "sqlite":
        # sqlite:///var/db.sqlite3 is relative, sqlite:////srv/db.sqlite3 absolute.
        path = unquote(parts.path)[1:]
        if not path:
            raise ImproperlyConfigured(f"{name} names no SQLite file (sqlite:///path/to/db).")
        return sqlite_database(Path(path))
    if scheme in {"postgres", "postgresql", "pgsql"}:
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            raise ImproperlyConfigured(f"{name} names no database (postgres://host/name).")
        options = dict(parse_qsl(parts.query))
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"{name} must start with postgres:// or sqlite://, not {scheme or 'nothing'}://."
    )


ENV = Env(os.environ)
