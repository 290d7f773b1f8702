"""`comuna seed-demo`: load the demo network (after `comuna load-geography`)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from comuna.assemblies import demo as assemblies_demo
from comuna.core.errors import DomainError
from comuna.core.management.commands.demo_accounts import DEMO_PASSWORD
from comuna.dialogue import demo as dialogue_demo
from comuna.production import demo as production_demo
from comuna.public_services import demo as public_services_demo
from comuna.registry.demo import SeedError, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo network: the 74 communes of the first National Assembly of Communes "
        "(Sarare, Lara, 2018), their councils, invented spokespeople, links, assessments, the "
        "Ciudad Comunal Simón Planas and one demo sign-in for each role. Running it again "
        "changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = demo_load()
        except (SeedError, DomainError) as err:
            raise CommandError(str(err)) from err
        if result is None:
            self.stdout.write("The demo network is already loaded: nothing to do.")
            self._modules()
            return
        self.stdout.write(
            f"communes: {result.communes}, councils: {result.councils}, people: {result.people}, "
            f"mandates: {result.mandates} ({result.expired} expired, {result.warned} ending "
            f"within 60 days), links: {result.links}, assessments: {result.assessments}"
        )
        self.stdout.write(f"sign-ins (password {DEMO_PASSWORD}): {', '.join(result.users)}")
        self._modules()
        self.stdout.write(
            self.style.SUCCESS(f"Demo network loaded in {time.perf_counter() - started:.1f} s.")
        )

    def _modules(self) -> None:
        """The other modules' demo data, on top of the network (each loads once)."""
        dialogue_demo.load(self.stdout)
        production_demo.load(self.stdout)
        public_services_demo.load(self.stdout)
        assemblies_demo.load(self.stdout)
