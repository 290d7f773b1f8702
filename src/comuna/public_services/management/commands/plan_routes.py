"""`comuna plan-routes PATH [--time-limit SECONDS] [--seed N] [--progress]`.

Solves a VRPLIB / CVRPLIB instance (CVRP or VRPTW) with the routing engine on one core and
prints one JSON object on stdout: at least `cost` (in the instance's own rounding
convention: CVRP edges rounded to integers, Solomon VRPTW truncated to one decimal) and
`routes` (lists of customer numbers, 1-based as in the .sol files), plus the number of
vehicles, feasibility, the best-known cost and gap when a .sol sits beside the instance.
Exit status 2 with a message on stderr when the arguments or the file are malformed.
This is the same code path as `python -m comuna.engines.routing` and bench/routing_bench.py.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comuna.engines import routing


class Command(BaseCommand):
    help = "Solve a CVRP/VRPTW instance (VRPLIB format) and print the routes as one JSON object."

    # The engine parses its own arguments: the exact contract of `plan-routes`.
    def run_from_argv(self, argv: list[str]) -> None:
        code = routing.cli(argv[2:])
        if code:
            raise SystemExit(code)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--time-limit", type=float, default=10.0)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        """Called through call_command (tests): the same engine call, output to stdout."""
        argv = [str(options["path"]), "--time-limit", str(options["time_limit"])]
        argv += ["--seed", str(options["seed"])]
        if options.get("progress"):
            argv.append("--progress")
        stdout, sys.stdout = sys.stdout, self.stdout
        try:
            code = routing.cli(argv)
        finally:
            sys.stdout = stdout
        if code:
            raise CommandError("plan-routes failed: see the message above.", returncode=code)
