"""`comuna seed-assemblies-demo`: the assemblies' part of the demo (after `comuna seed-demo`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from comuna.assemblies.demo import load


class Command(BaseCommand):
    help = (
        "Load the demo of the assemblies: the First National Assembly of Communes (Sarare, "
        "August 2018) with its delegations, check-in, agenda, working groups, motions, "
        "amendments, votes, minutes, declaration and resolutions. Needs the demo network; "
        "running it again changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        load(self.stdout)
