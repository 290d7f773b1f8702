"""Settings: malformed values fail at start naming the variable; production refuses unsafe
settings; `check --deploy` is clean in production mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from comuna.envconf import Env, parse_database_url

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "s" * 30 + "-a-long-production-secret-for-tests"


def run_comuna(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COMUNA_", "PYTEST", "DJANGO_ALLOW"))
    }
    clean.update(env)
    clean.setdefault("COMUNA_VAR_DIR", str(ROOT / "var" / "test-settings"))
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "comuna", *args],
        capture_output=True,
        text=True,
        env=clean,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "raw", "reader"),
    [
        ("COMUNA_DEBUG", "perhaps", lambda env: env.flag("COMUNA_DEBUG", False)),
        ("COMUNA_HSTS_SECONDS", "one year", lambda env: env.integer("COMUNA_HSTS_SECONDS", 0)),
        ("COMUNA_ENV", "staging", lambda env: env.choice("COMUNA_ENV", "a", ("a", "b"))),
        ("DATABASE_URL", "mysql://x/y", lambda env: env.database("DATABASE_URL", Path("x"))),
    ],
)
def test_malformed_values_name_the_variable(name: str, raw: str, reader: object) -> None:
    with pytest.raises(ImproperlyConfigured, match=name):
        reader(Env({name: raw}))  # type: ignore[operator]


def test_database_urls_are_parsed() -> None:
    pg = parse_database_url("DATABASE_URL", "postgres://postgres:x%40y@127.0.0.1:5432/comuna")
    assert pg["ENGINE"] == "django.db.backends.postgresql"
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["PORT"]) == (
        "comuna",
        "postgres",
        "x@y",
        "5432",
    )
    lite = parse_database_url("DATABASE_URL", "sqlite:////srv/c.sqlite3")
    assert lite["NAME"] == "/srv/c.sqlite3"
    assert "journal_mode=WAL" in lite["OPTIONS"]["init_command"]


def test_a_malformed_setting_stops_the_start_naming_it() -> None:
    result = run_comuna("check", COMUNA_DEBUG="maybe")
    assert result.returncode != 0
    assert "COMUNA_DEBUG" in result.stderr


def test_production_refuses_debug() -> None:
    result = run_comuna(
        "check", COMUNA_ENV="production", COMUNA_DEBUG="true", COMUNA_SECRET_KEY=GOOD_SECRET
    )
    assert result.returncode != 0
    assert "COMUNA_DEBUG" in result.stderr


def test_production_refuses_the_default_secret() -> None:
    result = run_comuna("check", COMUNA_ENV="production", COMUNA_ALLOWED_HOSTS="comuna.example")
    assert result.returncode != 0
    assert "COMUNA_SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_in_production() -> None:
    result = run_comuna(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        COMUNA_ENV="production",
        COMUNA_SECRET_KEY=GOOD_SECRET,
        COMUNA_ALLOWED_HOSTS="comuna.example",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
