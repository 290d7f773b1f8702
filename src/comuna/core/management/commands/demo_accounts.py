"""`comuna demo-accounts`: the demo sign-ins (called by scripts/serve when the server starts).

The demo network (`comuna seed-demo`) creates one account for each role, all in the Django
group DEMO_GROUP and all with DEMO_PASSWORD. This command lists them with their roles, or
says that there are none yet.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.utils import translation

from comuna.core.models import Membership, Person, Role

DEMO_GROUP = "demo"
DEMO_PASSWORD = "comuna2018"  # noqa: S105 - the published password of the demo accounts


def demo_accounts() -> list[tuple[str, str, str]]:
    """(username, role, organisation) of each demo sign-in and each of its roles."""
    users = list(
        User.objects.filter(groups__name=DEMO_GROUP, is_active=True).order_by("date_joined", "id")
    )
    people = {
        person.user_id: person for person in Person.objects.filter(user__in=users).only("user_id")
    }
    roles: dict[int, list[tuple[str, str]]] = {}
    memberships = (
        Membership.objects.active()
        .filter(person__in=people.values())
        .select_related("organisation")
        .order_by("valid_from", "id")
    )
    with translation.override("en"):
        for membership in memberships:
            roles.setdefault(membership.person_id, []).append(
                (str(Role(membership.role).label).lower(), membership.organisation.name)
            )
    rows: list[tuple[str, str, str]] = []
    for user in users:
        person = people.get(user.pk)
        held = roles.get(person.pk, []) if person is not None else []
        if not held:
            rows.append((user.username, "signed in, no role", "-"))
        rows.extend((user.username, role, organisation) for role, organisation in held)
    return rows


class Command(BaseCommand):
    help = (
        "Print the demo sign-ins (username, password, role, organisation), if the demo is loaded."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_accounts()
        if not rows:
            self.stdout.write(
                "  No demo sign-ins yet: load the demo network with `comuna seed-demo`."
            )
            return
        width = max(len(username) for username, _role, _org in rows)
        role_width = max(len(role) for _user, role, _org in rows)
        self.stdout.write(f"  Demo sign-ins (password for every one: {DEMO_PASSWORD}):")
        for username, role, organisation in rows:
            self.stdout.write(f"    {username:<{width}}  {role:<{role_width}}  {organisation}")
