"""`comuna seed-catalogue`: load the shipped units and resources that are missing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from comuna.production.actions import catalogue_seed


class Command(BaseCommand):
    help = "Load the shipped catalogue of units and resources (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = catalogue_seed(actor=None)
        self.stdout.write(f"catalogue: {added} added")
