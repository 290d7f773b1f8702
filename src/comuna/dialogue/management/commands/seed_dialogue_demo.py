"""`comuna seed-dialogue-demo`: the dialogue's part of the demo (after `comuna seed-demo`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from comuna.dialogue.demo import load


class Command(BaseCommand):
    help = (
        "Load the demo of the dialogue with government: public bodies, demands of the demo "
        "communes with answers and delays, a dialogue table with commitments and transfers of "
        "competences. Needs the demo network; running it again changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        load(self.stdout)
