"""`comuna import-registry communes|councils FILE.csv [--dry-run] --actor USERNAME`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comuna.core.errors import PermissionDeniedError
from comuna.registry import imports


class Command(BaseCommand):
    help = (
        "Import communes or communal councils from a CSV file, all or nothing, in the name of "
        "--actor (a coordinator of the network, or of the communes named). Every row is "
        "checked first and every problem is printed with its line and column; the command "
        "exits with 1 when there is any, and then creates nothing. The columns are described "
        "in comuna/registry/imports.py and on the import page."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=imports.KINDS, help="What the file holds.")
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and create nothing."
        )
        parser.add_argument(
            "--actor",
            default=None,
            help="The username the import is done and recorded in the name of (required).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["actor"]
        if not username:
            raise CommandError(_("Say in whose name the import is done with --actor USERNAME."))
        actor = get_user_model().objects.filter(username=username, is_active=True).first()
        if actor is None:
            raise CommandError(_("No active user is called “%(name)s”.") % {"name": username})
        path: Path = options["file"]
        try:
            with path.open("rb") as handle:
                data = handle.read(imports.MAX_BYTES + 1)
        except OSError as err:
            raise CommandError(
                _("The file %(path)s cannot be read: %(error)s")
                % {"path": path, "error": err.strerror or err}
            ) from err
        try:
            report = imports.import_csv(
                actor=actor, kind=options["kind"], data=data, dry_run=options["dry_run"]
            )
        except PermissionDeniedError as err:
            raise CommandError(err.message) from err
        self._print(report)
        if report.errors:
            raise CommandError(
                ngettext(
                    "%(count)d problem found; nothing was created.",
                    "%(count)d problems found; nothing was created.",
                    len(report.errors),
                )
                % {"count": len(report.errors)},
                returncode=1,
            )

    def _print(self, report: imports.ImportReport) -> None:
        self.stdout.write(
            ngettext("%(count)d row read.", "%(count)d rows read.", report.total)
            % {"count": report.total}
        )
        if report.ignored_columns:
            self.stdout.write(
                _("Columns ignored: %(columns)s") % {"columns": ", ".join(report.ignored_columns)}
            )
        for error in report.errors:
            self.stderr.write(
                _("line %(line)s, column %(column)s: %(message)s")
                % {"line": error.line, "column": error.field or "—", "message": error.message}
            )
        if report.errors:
            return
        if report.dry_run:
            for row in report.planned:
                self.stdout.write(
                    _("line %(line)s: %(name)s (%(code)s) would be created")
                    % {"line": row.line, "name": row.name, "code": row.registry_code}
                )
            self.stdout.write(
                self.style.SUCCESS(
                    ngettext(
                        "Dry run: %(count)d unit would be created; nothing was written.",
                        "Dry run: %(count)d units would be created; nothing was written.",
                        len(report.planned),
                    )
                    % {"count": len(report.planned)}
                )
            )
            return
        for slug in report.slugs:
            self.stdout.write(_("created: %(slug)s") % {"slug": slug})
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(count)d unit was created.", "%(count)d units were created.", report.created
                )
                % {"count": report.created}
            )
        )
