"""`comuna seed-dialogue-national --demands N`: public bodies and demands at national scale."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comuna.dialogue.national import SeedError, national_seed


class Command(BaseCommand):
    help = (
        "Write a national directory of public bodies and N demands from the communes and "
        "councils in the database (run `comuna seed-national` first), in bulk, with their "
        "statistics. Deterministic; it runs once per database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--demands", type=int, default=1_000_000, help="default 1000000")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = national_seed(demands=options["demands"])
        except SeedError as err:
            raise CommandError(str(err)) from err
        self.stdout.write(result.line())
        self.stdout.write(
            self.style.SUCCESS(
                f"National demands written in {time.perf_counter() - started:.1f} s."
            )
        )
