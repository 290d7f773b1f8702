"""`comuna seed-national`: a registry at national scale, written in bulk (for benchmarks)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comuna.registry.demo import SeedError
from comuna.registry.national import national_seed


class Command(BaseCommand):
    help = (
        "Write a national-scale registry in bulk: communes named “Comuna Nacional 0001”... in "
        "every state, their councils, bodies, council memberships, links and capacity "
        "assessments (deterministic). It runs once per database: a second run is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--communes", type=int, default=3000, help="default 3000")
        parser.add_argument("--councils", type=int, default=48000, help="default 48000")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = national_seed(communes=options["communes"], councils=options["councils"])
        except SeedError as err:
            raise CommandError(str(err)) from err
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"states: {result.states}, communes: {result.communes}, councils: {result.councils} "
            f"({result.attached} in a commune), bodies: {result.bodies}, links: {result.links}, "
            f"assessments: {result.assessments}"
        )
        self.stdout.write(self.style.SUCCESS(f"National registry written in {elapsed:.1f} s."))
