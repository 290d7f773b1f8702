"""`comuna load_geography`: load the shipped states, municipalities, parishes and outlines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comuna.core.errors import DomainError
from comuna.geography.actions import geography_load


class Command(BaseCommand):
    help = (
        "Load Venezuela's states, municipalities, parishes and state outlines from the files "
        "Comuna ships (src/comuna/geography/data/). Running it again changes nothing unless "
        "the files changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="A folder with venezuela.json and outlines.geojson in Comuna's format "
            "(default: the shipped files).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = geography_load(data_dir=options["data_dir"])
        except DomainError as err:
            raise CommandError(err.message) from err
        for kind, counts in result.as_dict().items():
            self.stdout.write(
                f"{kind}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
        if result.changed:
            self.stdout.write(self.style.SUCCESS("Geography loaded."))
        else:
            self.stdout.write("Geography already up to date.")
