"""CSV import of a cycle's offers and needs: all or nothing, with a row-by-row report.

Columns (a header row is required; names in English or Spanish): kind (offer/oferta,
need/necesidad), agent (short name of the productive unit, council or commune), resource
(short name), quantity, unit (code), and optionally priority, terms, from, until, place, note.
Each row goes through `actions.intent_post`, so the same rules apply as in the form; if any
row fails, nothing is written and the report names every faulty row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from comuna.core.errors import DomainError
from comuna.production import actions, queries
from comuna.production.models import Intent, SupplyCycle, Terms

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

MAX_ROWS = 2000
MAX_BYTES = 2_000_000
ALIASES = {
    "tipo": "kind",
    "agente": "agent",
    "rubro": "resource",
    "cantidad": "quantity",
    "unidad": "unit",
    "prioridad": "priority",
    "condiciones": "terms",
    "desde": "from",
    "hasta": "until",
    "lugar": "place",
    "nota": "note",
}
KINDS = {"offer": "offer", "oferta": "offer", "need": "need", "necesidad": "need"}
REQUIRED = ("kind", "agent", "resource", "quantity", "unit")


@dataclass
class RowError:
    row: int
    messages: list[str]


@dataclass
class ImportReport:
    created: list[Intent] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _date(text: str, name: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            _("Write the date “%(value)s” as YYYY-MM-DD.") % {"value": text},
            fields={name: [_("Give a date.")]},
        ) from None


def intents_import(*, actor: AnyUser | None, cycle: SupplyCycle, data: bytes) -> ImportReport:
    report = ImportReport()
    if len(data) > MAX_BYTES:
        report.errors.append(RowError(0, [_("The file is too large (2 MB at most).")]))
        return report
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append(RowError(0, [_("The file must be a CSV in UTF-8.")]))
        return report
    reader = csv.DictReader(io.StringIO(text))
    header = [
        ALIASES.get((h or "").strip().lower(), (h or "").strip().lower())
        for h in (reader.fieldnames or [])
    ]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        report.errors.append(
            RowError(0, [_("Missing columns: %(names)s.") % {"names": ", ".join(missing)}])
        )
        return report
    reader.fieldnames = header
    with transaction.atomic():
        for number, raw in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                report.errors.append(
                    RowError(number, [_("At most %(n)s rows per file.") % {"n": MAX_ROWS}])
                )
                break
            row = {k: (v or "").strip() for k, v in raw.items() if k}
            try:
                report.created.append(_post(actor, cycle, row))
            except DomainError as err:
                messages = [err.message]
                messages += [
                    f"{name}: {message}"
                    for name, found in err.fields.items()
                    for message in found
                    if message != err.message
                ]
                report.errors.append(RowError(number, messages))
            except actions.PermissionDeniedError as err:
                report.errors.append(RowError(number, [str(err.message)]))
        if not report.created and not report.errors:
            report.errors.append(RowError(0, [_("The file has no rows.")]))
        if report.errors:
            transaction.set_rollback(True)
            report.created = []
    return report


def _post(actor: AnyUser | None, cycle: SupplyCycle, row: dict[str, str]) -> Intent:
    kind = KINDS.get(row.get("kind", "").lower())
    if kind is None:
        raise DomainError(
            _("The kind must be “offer” or “need”."), fields={"kind": [_("Unknown kind.")]}
        )
    agent = queries.agent_by_slug(row.get("agent", ""))
    if agent is None:
        raise DomainError(
            _("No productive unit, council or commune is called “%(slug)s”.")
            % {"slug": row.get("agent", "")},
            fields={"agent": [_("Unknown agent.")]},
        )
    resource = queries.resource_by_slug(row.get("resource", ""))
    if resource is None:
        raise DomainError(
            _("The catalogue has no resource “%(slug)s”.") % {"slug": row.get("resource", "")},
            fields={"resource": [_("Unknown resource.")]},
        )
    unit = queries.unit_by_code(row.get("unit", ""))
    if unit is None:
        raise DomainError(
            _("Unknown unit “%(code)s”.") % {"code": row.get("unit", "")},
            fields={"unit": [_("Unknown unit.")]},
        )
    priority_text = row.get("priority", "") or "5"
    if not priority_text.isdigit():
        raise DomainError(
            _("The priority goes from 1 (nice to have) to 10 (vital)."),
            fields={"priority": [_("A whole number from 1 to 10.")]},
        )
    return actions.intent_post(
        actor=actor,
        kind=kind,
        owner=agent,
        resource=resource,
        quantity=row.get("quantity", ""),
        unit=unit,
        cycle=cycle,
        priority=int(priority_text),
        terms=row.get("terms", "") or Terms.BARTER,
        available_from=_date(row.get("from", ""), "from"),
        available_until=_date(row.get("until", ""), "until"),
        place=row.get("place", ""),
        note=row.get("note", ""),
    )
