"""`comuna tally --method {plurality,approval,schulze,stv} [--seats N] FILE.blt`: count the
ballots of a BLT file and print one JSON object with `winners` (names in order of election)
and, for Schulze, `ranking` (names, best first). Malformed input exits with 2 and a message
on stderr.

The contract is engines.tally.cli: this command hands it the arguments untouched, before
Django's own argument parser and error handling could print anything else. `--group
NAME=GROUP` and `--minimum GROUP=N` (repeatable) add a group quota, such as a gender quota."""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comuna.engines.tally import METHODS, cli


class Command(BaseCommand):
    help = (
        "Count the ballots of a BLT file by plurality, approval, Schulze or STV (Scottish "
        "rules) and print one JSON object with the winners in order of election and, for "
        "Schulze, the full ranking."
    )
    requires_system_checks: list[str] = []

    def run_from_argv(self, argv: list[str]) -> NoReturn:
        # argv is ["comuna", "tally", ...]; cli prints the JSON or the error.
        sys.exit(cli(argv[2:]))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--method", required=True, choices=METHODS)
        parser.add_argument("--seats", type=int)
        parser.add_argument("--group", action="append", default=[], metavar="NAME=GROUP")
        parser.add_argument("--minimum", action="append", default=[], metavar="GROUP=N")
        parser.add_argument("file", metavar="FILE.blt")

    def handle(self, *args: Any, **options: Any) -> None:
        # Reached through call_command (run_from_argv is the command line's way in).
        argv = ["--method", options["method"]]
        if options.get("seats") is not None:
            argv += ["--seats", str(options["seats"])]
        for value in options.get("group") or []:
            argv += ["--group", value]
        for value in options.get("minimum") or []:
            argv += ["--minimum", value]
        argv.append(options["file"])
        stdout = sys.stdout
        sys.stdout = self.stdout
        try:
            code = cli(argv)
        finally:
            sys.stdout = stdout
        if code:
            raise CommandError("tally: malformed input", returncode=code)
