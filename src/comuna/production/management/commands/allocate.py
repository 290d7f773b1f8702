"""`comuna allocate PATH.json`: solve an allocation problem given as JSON, print the plan.

Input: ``{"sites": [{"id", "lat", "lon"}], "offers": [{"id", "site", "resource",
"quantity"}], "needs": [{"id", "site", "resource", "quantity", "weight"}],
"cost_per_unit_km": number, "max_distance_km": number or null}``. Output: one JSON object
with exactly ``status``, ``objective``, ``flows`` (``offer``, ``need``, ``quantity``) and
``unmet`` (``need``, ``quantity``, ``reason``); ``--details`` adds the scarce resources (dual
prices) and the dual bound. A file that cannot be read or is malformed gets a clear error on
stderr and exit code 2.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from comuna.engines.allocation import (
    AllocationInputError,
    AllocationSolverError,
    problem_from_json,
    result_to_json,
    solve_allocation,
)

CONTRACT_KEYS = ("status", "objective", "flows", "unmet")


class Command(BaseCommand):
    help = "Allocate offers to needs exactly (HiGHS) from a JSON file and print the plan as JSON."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="JSON file with sites, offers, needs and costs")
        parser.add_argument(
            "--details",
            action="store_true",
            help="also print scarce_resources (dual prices) and upper_bound (the dual bound)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}", returncode=2) from None
        try:
            problem = problem_from_json(data)
            result = solve_allocation(problem)
        except AllocationInputError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        except AllocationSolverError as exc:
            raise CommandError(f"solver error: {exc}", returncode=1) from None
        output = result_to_json(result)
        if not options["details"]:
            output = {key: output[key] for key in CONTRACT_KEYS}
        self.stdout.write(json.dumps(output))
