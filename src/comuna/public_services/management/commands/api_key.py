"""`comuna api-key create NAME [--contact TEXT]`: issue an Open311 api key (shown once);
`comuna api-key list`; `comuna api-key revoke PREFIX`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comuna.core.errors import DomainError
from comuna.public_services import actions
from comuna.public_services.models import ApiKey


class Command(BaseCommand):
    help = "Issue, list or revoke Open311 api keys (keys are stored hashed and shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Issue a key for a client application.")
        create.add_argument("name", help="Who the key is for (an application or a person).")
        create.add_argument("--contact", default="", help="How to reach its maintainer.")
        sub.add_parser("list", help="List the keys (their prefixes, never the keys).")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("prefix", help="The first 10 characters of the key.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            try:
                key, raw = actions.api_key_create(
                    actor=None, name=options["name"], contact=options["contact"]
                )
            except DomainError as err:
                raise CommandError(err.message) from err
            self.stdout.write(raw)
            self.stderr.write(
                f"Open311 api key for {key.name!r} (prefix {key.prefix}). "
                "It is shown only now: keep it."
            )
        elif action == "list":
            for key in ApiKey.objects.order_by("created_at"):
                state = "revoked" if key.revoked_at else "active"
                self.stdout.write(f"{key.prefix}\t{state}\t{key.name}\t{key.contact}")
        else:
            found = ApiKey.objects.filter(prefix=options["prefix"], revoked_at__isnull=True)
            if not found.exists():
                raise CommandError(f"No active key with prefix {options['prefix']!r}.")
            for key in found:
                actions.api_key_revoke(actor=None, key=key)
            self.stdout.write(f"Revoked {found.count()} key(s).")
