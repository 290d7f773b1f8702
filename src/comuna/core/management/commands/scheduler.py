"""`comuna scheduler [--once]`: enqueue periodic tasks when due (every minute)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comuna.core.scheduler import PERIODIC, enqueue_due


class Command(BaseCommand):
    help = "Put periodic tasks (such as the daily expiry of mandates) on the task queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="check once and exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between checks")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Periodic tasks: {', '.join(sorted(PERIODIC)) or 'none'}")
        while True:
            for name in enqueue_due():
                self.stdout.write(f"enqueued {name}")
            if options["once"]:
                return
            time.sleep(options["interval"])
