"""`comuna export-openapi [--check]`: write docs/openapi.json, or fail if it has drifted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

SCHEMA_PATH = settings.PROJECT_DIR / "docs" / "openapi.json"


def current_schema() -> str:
    from comuna.api import api

    with translation.override("en"):
        schema = api.get_openapi_schema(path_prefix="/api/v1")
    return (
        json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
        + "\n"
    )


class Command(BaseCommand):
    help = "Export the OpenAPI schema of /api/v1/ to docs/openapi.json (or --check it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if the file differs")
        parser.add_argument("--output", type=Path, default=SCHEMA_PATH)

    def handle(self, *args: Any, **options: Any) -> None:
        text = current_schema()
        path: Path = options["output"]
        if options["check"]:
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != text:
                raise CommandError(
                    f"{path} is out of date: run `comuna export-openapi` and commit the change."
                )
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
