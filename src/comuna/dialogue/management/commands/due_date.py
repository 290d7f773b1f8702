"""`comuna due-date START DAYS`: the ISO date DAYS business days after START (an ISO date),
under the default calendar of Venezuelan national holidays. Malformed input exits with 2.

The contract is engines.deadlines.cli: this command hands it the arguments untouched, before
Django's own argument parser and error handling could print anything else."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comuna.engines.deadlines import cli


class Command(BaseCommand):
    help = (
        "Print the ISO date that falls DAYS business days after START (an ISO date) under "
        "the default calendar of Venezuelan national holidays."
    )
    requires_system_checks: list[str] = []

    def run_from_argv(self, argv: list[str]) -> NoReturn:
        # argv is ["comuna", "due_date", START, DAYS]; cli prints the date or the error.
        sys.exit(cli(argv[2:]))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", metavar="START")
        parser.add_argument("days", metavar="DAYS")

    def handle(self, *args: Any, **options: Any) -> None:
        code = cli([options["start"], options["days"]])
        if code:
            raise CommandError("due-date: malformed input", returncode=code)
