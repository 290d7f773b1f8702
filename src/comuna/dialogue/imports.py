"""CSV import of the directory of public bodies: all or nothing, with a row-by-row report.

Columns (a header row with these names; only `name`, `level` and `type` are required):

    slug, name, acronym, level, type, parent, state, response_days, contact_office,
    contact_email, contact_phone, address, website

`level` is national, state or municipal; `type` one of the body types (ministry, institute,
water_utility, electricity_utility, state_government, mayors_office, agrarian_authority,
other); `parent` the slug of the higher body (already in the directory or on an earlier row);
`state` an ISO 3166-2 code such as VE-K. A row whose slug is already a body updates it.
Every row goes through the same actions as the forms; if any row is wrong nothing is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from comuna.core.errors import DomainError
from comuna.dialogue import actions
from comuna.dialogue.models import PublicBody
from comuna.geography.models import State

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

COLUMNS = (
    "slug",
    "name",
    "acronym",
    "level",
    "type",
    "parent",
    "state",
    "response_days",
    "contact_office",
    "contact_email",
    "contact_phone",
    "address",
    "website",
)
MAX_ROWS = 5000


@dataclass
class RowReport:
    line: int
    slug: str
    outcome: str  # "created", "updated" or "error"
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowReport] = field(default_factory=list)
    written: bool = False
    problem: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "error") + (1 if self.problem else 0)

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "created")

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.outcome == "updated")


def read_rows(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = {"name", "level", "type"} - set(reader.fieldnames or [])
    if missing:
        raise DomainError(
            _("The CSV file lacks these columns: %(names)s.")
            % {"names": ", ".join(sorted(missing))}
        )
    rows = []
    for row in reader:
        rows.append({k: (v or "").strip() for k, v in row.items() if k in COLUMNS})
        if len(rows) > MAX_ROWS:
            raise DomainError(_("At most %(n)s rows per file.") % {"n": MAX_ROWS})
    return rows


def _values(row: dict[str, str]) -> dict[str, Any]:
    errors: list[str] = []
    parent = None
    if row.get("parent"):
        parent = PublicBody.objects.filter(slug=row["parent"]).first()
        if parent is None:
            errors.append(
                _("parent: no body has the short name “%(slug)s”.") % {"slug": row["parent"]}
            )
    state = None
    if row.get("state"):
        state = State.objects.filter(code=row["state"].upper()).first()
        if state is None:
            errors.append(_("state: unknown code “%(code)s”.") % {"code": row["state"]})
    if errors:
        raise DomainError("; ".join(errors))
    values: dict[str, Any] = {
        "name": row.get("name", ""),
        "acronym": row.get("acronym", ""),
        "level": row.get("level", ""),
        "body_type": row.get("type", ""),
        "parent": parent,
        "state": state,
        "contact_office": row.get("contact_office", ""),
        "contact_email": row.get("contact_email", ""),
        "contact_phone": row.get("contact_phone", ""),
        "address": row.get("address", ""),
        "website": row.get("website", ""),
    }
    if row.get("response_days"):
        values["response_days"] = row["response_days"]
    return values


def _message(err: DomainError) -> list[str]:
    if not err.fields:
        return [err.message]
    return [f"{name}: {'; '.join(messages)}" for name, messages in err.fields.items()]


def import_bodies(*, actor: AnyUser | None, data: bytes, dry_run: bool) -> ImportReport:
    """Check every row; write them all only when none is wrong and `dry_run` is False."""
    actions.require_directory_manager(actor)
    report = ImportReport()
    try:
        rows = read_rows(data)
    except (UnicodeDecodeError, csv.Error):
        report.problem = _("The file is not a CSV file in UTF-8.")
        return report
    except DomainError as err:
        report.problem = err.message
        return report
    with transaction.atomic():
        for line, row in enumerate(rows, start=2):
            slug = row.get("slug", "")
            try:
                with transaction.atomic():
                    values = _values(row)
                    existing = PublicBody.objects.filter(slug=slug).first() if slug else None
                    if existing is not None:
                        actions.body_update(actor=actor, body=existing, **values)
                        outcome = "updated"
                    else:
                        body = actions.body_create(actor=actor, slug=slug or None, **values)
                        slug = body.slug
                        outcome = "created"
            except DomainError as err:
                report.rows.append(RowReport(line, slug, "error", _message(err)))
            else:
                report.rows.append(RowReport(line, slug, outcome))
        if report.errors or dry_run:
            transaction.set_rollback(True)
        else:
            report.written = True
    return report
