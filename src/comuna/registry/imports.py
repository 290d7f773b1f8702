"""CSV import of communes and communal councils: validate every row, then create all or nothing.

`import_csv` reads a CSV file (UTF-8 with or without BOM, or Windows-1252 as saved by older
spreadsheet programs; comma, semicolon or tab, found from the header line; CRLF or LF), checks
every row (shape, references, duplicates, permissions) and collects every problem with its line
number and column. Only when no row has a problem, and it is not a dry run, does it create the
units, in one transaction, through the registry's own actions (`commune_register`,
`council_register`). Should an action still refuse a row, the whole transaction is rolled back:
the database is unchanged whenever any row fails.

Columns (headers in English or Spanish, any case, accents ignored; order free; unknown columns
are ignored and reported):

communes
    name / nombre (required) · registry_code / codigo_registro (required, new) ·
    parish / parroquia (required: a parish code like VE-K-07-03, or a name) ·
    parish_code / codigo_parroquia (optional, wins over the name) ·
    municipality / municipio and state / estado (code or name: tell apart parishes that share a
    name) · charter_date / fecha_carta (2024-03-15 or 15/03/2024) ·
    status / estatus (forming, registered, inactive; en_conformacion, registrada, inactiva;
    empty: forming) · seat / sede · lon / longitud, lat / latitud (decimal degrees, both or
    neither; a decimal comma is accepted)

councils
    name, registry_code, parish (+ parish_code, municipality, state) as above ·
    scope / ambito (required: urban, rural, indigenous; urbano, rural, indigena) ·
    households / familias and population / poblacion (whole numbers, zero or more) ·
    founded / fecha_fundacion · commune / comuna (registry code or short name of a commune that
    already exists: import the communes first, then the councils) · lon, lat

Limits: 10 MB and 20,000 rows a file.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comuna.core import access
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import Role
from comuna.geography.models import Parish, search_key
from comuna.registry import actions, geometry
from comuna.registry.models import CommunalCouncil, Commune, CommuneStatus, Scope
from comuna.registry.queries import can_register_communes

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from comuna.core.access import AnyUser

Kind = Literal["communes", "councils"]
KINDS: tuple[Kind, ...] = ("communes", "councils")

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
CODE_CHUNK = 500  # registry codes looked up per query
PARISH_CODE = re.compile(r"^VE-[A-Z]-\d{2}-\d{2}$", re.IGNORECASE)
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
LITTLE_WORDS = frozenset({"de", "del", "la", "el", "los", "las", "of", "the"})
FORMULA_GUARD = re.compile(r"^'[=+\-@\t\r]")  # a cell the exports protected from spreadsheets


# The column specification --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    aliases: tuple[str, ...]  # English first, then Spanish; compared after normalising
    required: bool
    help: _StrPromise

    @property
    def english(self) -> str:
        return self.aliases[0]

    @property
    def spanish(self) -> str:
        return self.aliases[1] if len(self.aliases) > 1 else self.aliases[0]


_NAME = Column("name", ("name", "nombre"), True, gettext_lazy("The name of the unit."))
_CODE = Column(
    "registry_code",
    ("registry_code", "codigo_registro", "codigo"),
    True,
    gettext_lazy("Its registry code; it must not be registered yet."),
)
_PARISH = Column(
    "parish",
    ("parish", "parroquia"),
    True,
    gettext_lazy("The parish: its code (such as VE-K-07-03) or its name."),
)
_PARISH_CODE = Column(
    "parish_code",
    ("parish_code", "codigo_parroquia"),
    False,
    gettext_lazy("The parish code; when given, it is used instead of the parish name."),
)
_MUNICIPALITY = Column(
    "municipality",
    ("municipality", "municipio"),
    False,
    gettext_lazy("The municipality (code or name), to tell apart parishes with the same name."),
)
_STATE = Column(
    "state",
    ("state", "estado"),
    False,
    gettext_lazy("The state (code such as VE-K, or name), to tell apart parishes."),
)
_LON = Column(
    "lon",
    ("lon", "longitud", "longitude"),
    False,
    gettext_lazy("Longitude in decimal degrees (WGS84), with the latitude or not at all."),
)
_LAT = Column(
    "lat",
    ("lat", "latitud", "latitude"),
    False,
    gettext_lazy("Latitude in decimal degrees (WGS84), with the longitude or not at all."),
)

COLUMNS: dict[Kind, tuple[Column, ...]] = {
    "communes": (
        _NAME,
        _CODE,
        _PARISH,
        _PARISH_CODE,
        _MUNICIPALITY,
        _STATE,
        Column(
            "charter_date",
            ("charter_date", "fecha_carta", "fecha_carta_fundacional"),
            False,
            gettext_lazy("The date of the founding charter: 2024-03-15 or 15/03/2024."),
        ),
        Column(
            "status",
            ("status", "estatus"),
            False,
            gettext_lazy(
                "forming, registered or inactive (en_conformacion, registrada, inactiva); "
                "empty means forming."
            ),
        ),
        Column("seat", ("seat", "sede"), False, gettext_lazy("Where the commune has its seat.")),
        _LON,
        _LAT,
    ),
    "councils": (
        _NAME,
        _CODE,
        _PARISH,
        _PARISH_CODE,
        _MUNICIPALITY,
        _STATE,
        Column(
            "scope",
            ("scope", "ambito"),
            True,
            gettext_lazy("urban, rural or indigenous (urbano, rural, indígena)."),
        ),
        Column(
            "households",
            ("households", "familias", "hogares"),
            False,
            gettext_lazy("Number of households: a whole number, zero or more."),
        ),
        Column(
            "population",
            ("population", "poblacion", "habitantes"),
            False,
            gettext_lazy("Number of inhabitants: a whole number, zero or more."),
        ),
        Column(
            "founded",
            ("founded", "fecha_fundacion"),
            False,
            gettext_lazy("The date the council was founded: 2024-03-15 or 15/03/2024."),
        ),
        Column(
            "commune",
            ("commune", "comuna"),
            False,
            gettext_lazy(
                "The registry code or short name of an existing commune; the council joins it."
            ),
        ),
        _LON,
        _LAT,
    ),
}

COMMUNE_STATUS = {
    "forming": CommuneStatus.FORMING,
    "registered": CommuneStatus.REGISTERED,
    "inactive": CommuneStatus.INACTIVE,
    "en_conformacion": CommuneStatus.FORMING,
    "en_formacion": CommuneStatus.FORMING,
    "registrada": CommuneStatus.REGISTERED,
    "inactiva": CommuneStatus.INACTIVE,
}
SCOPES = {
    "urban": Scope.URBAN,
    "rural": Scope.RURAL,
    "indigenous": Scope.INDIGENOUS,
    "urbano": Scope.URBAN,
    "urbana": Scope.URBAN,
    "indigena": Scope.INDIGENOUS,
}
MAX_LENGTHS = {"name": 200, "registry_code": 40, "seat": 200}
# Field names used by the actions' DomainError.fields -> our column keys.
ACTION_FIELDS = {"slug": "name", "territory": "lon", "on": "founded"}


# The report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem on one line of the file. Line 0 is the file as a whole, line 1 the header.
    `field` is the column as written in the file ("" when the problem is the whole row)."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class PlannedRow:
    """A unit that the import would create (dry run) or created."""

    line: int
    name: str
    registry_code: str
    parish: str
    commune: str = ""


@dataclass
class ImportReport:
    kind: Kind
    dry_run: bool
    total: int = 0  # data rows read (blank lines are skipped)
    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)  # of the units created
    planned: list[PlannedRow] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_lines(self) -> int:
        return len({error.line for error in self.errors})


# Who may import -------------------------------------------------------------------------------


def may_import(user: AnyUser | None) -> bool:
    """Network coordinators (and staff) import communes and councils; coordinators and
    spokespeople of a commune import councils (each row is still checked for their rights)."""
    if can_register_communes(user):
        return True
    viewer = access.viewer_for(user)
    units = viewer.organisations_with({Role.COORDINATOR, Role.SPOKESPERSON})
    return bool(units) and Commune.objects.filter(pk__in=units).exists()


# Reading the file -------------------------------------------------------------------------------


def normalise_header(text: str) -> str:
    """ "En conformación" -> "en_conformacion": lower case, no accents, underscores."""
    return re.sub(r"[\s\-]+", "_", search_key(text.strip().strip('"')))


def header_key(text: str) -> str:
    """ "Código de registro" -> "codigo_registro": also drops the little words."""
    words = [word for word in normalise_header(text).split("_") if word not in LITTLE_WORDS]
    return "_".join(words)


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: most likely a spreadsheet saved as "CSV" on Windows in Spanish.
        return data.decode("cp1252", errors="replace")


def _delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _clean_cell(value: str) -> str:
    value = value.strip()
    if FORMULA_GUARD.match(value):
        value = value[1:]
    return value


@dataclass
class _Row:
    line: int
    values: dict[str, str]


@dataclass
class _Sheet:
    columns: dict[str, str]  # key -> header as written in the file
    rows: list[_Row]


def _read(text: str, kind: Kind, report: ImportReport) -> _Sheet | None:
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as err:
        report.errors.append(
            RowError(1, "", _("The header cannot be read: %(error)s") % {"error": err})
        )
        return None
    if not any(cell.strip() for cell in header):
        report.errors.append(RowError(0, "", _("The file is empty: it has no header line.")))
        return None
    by_alias = {header_key(alias): column for column in COLUMNS[kind] for alias in column.aliases}
    columns: dict[str, str] = {}
    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        name = cell.strip()
        if not name:
            continue
        column = by_alias.get(header_key(name))
        if column is None:
            report.ignored_columns.append(name)
        elif column.key in columns:
            report.errors.append(
                RowError(
                    1,
                    name,
                    _("The column “%(column)s” repeats the column “%(other)s”.")
                    % {"column": name, "other": columns[column.key]},
                )
            )
        else:
            columns[column.key] = name
            positions[column.key] = position
    for column in COLUMNS[kind]:
        if column.required and column.key not in columns:
            if column.key == "parish" and "parish_code" in columns:
                continue
            report.errors.append(
                RowError(
                    1,
                    column.spanish,
                    _("The required column “%(spanish)s” (or “%(english)s”) is missing.")
                    % {"spanish": column.spanish, "english": column.english},
                )
            )
    if report.errors:
        return None
    rows: list[_Row] = []
    previous_end = reader.line_num
    try:
        for cells in reader:
            line = previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                report.errors.append(
                    RowError(
                        0,
                        "",
                        _("The file has more than %(limit)s rows: split it into smaller files.")
                        % {"limit": number_format(MAX_ROWS, force_grouping=True)},
                    )
                )
                return None
            values = {
                key: _clean_cell(cells[position]) if position < len(cells) else ""
                for key, position in positions.items()
            }
            rows.append(_Row(line, values))
    except csv.Error as err:
        report.errors.append(
            RowError(
                reader.line_num,
                "",
                _("This line cannot be read as CSV: %(error)s") % {"error": err},
            )
        )
        return None
    return _Sheet(columns=columns, rows=rows)


# Looking things up --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parish:
    id: int
    code: str
    name: str
    municipality_keys: frozenset[str]
    municipality_name: str
    state_keys: frozenset[str]
    state_code: str
    state_name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.municipality_name}, {self.state_name})"


class _Gazetteer:
    """Every parish, read once, by code and by name without accents."""

    def __init__(self) -> None:
        self.by_code: dict[str, _Parish] = {}
        self.by_name: dict[str, list[_Parish]] = {}
        self.municipality_keys: set[str] = set()
        self.state_keys: set[str] = set()
        rows = Parish.objects.values_list(
            "id",
            "code",
            "name",
            "search_name",
            "municipality__code",
            "municipality__name",
            "municipality__slug",
            "municipality__state__code",
            "municipality__state__name",
            "municipality__state__slug",
        ).order_by("code")
        for pid, code, name, key, m_code, m_name, m_slug, s_code, s_name, s_slug in rows:
            municipality = frozenset({m_code.upper(), search_key(m_name), m_slug})
            state = frozenset({s_code.upper(), search_key(s_name), s_slug})
            parish = _Parish(pid, code, name, municipality, m_name, state, s_code, s_name)
            self.by_code[code.upper()] = parish
            self.by_name.setdefault(key or search_key(name), []).append(parish)
            self.municipality_keys |= municipality
            self.state_keys |= state


def _place_key(value: str) -> str:
    return (
        value.strip().upper()
        if re.match(r"^VE-", value.strip(), re.IGNORECASE)
        else (search_key(value))
    )


# Validation -----------------------------------------------------------------------------------


class _RowCheck:
    """Collects the errors of one row, naming the columns as the file writes them."""

    def __init__(self, report: ImportReport, row: _Row, columns: dict[str, str]) -> None:
        self.report = report
        self.row = row
        self.columns = columns
        self.failed = False

    def column(self, key: str) -> str:
        return self.columns.get(key, key)

    def value(self, key: str) -> str:
        return self.row.values.get(key, "")

    def error(self, key: str, message: str) -> None:
        self.failed = True
        self.report.errors.append(RowError(self.row.line, self.column(key) if key else "", message))

    def required(self, key: str) -> str:
        value = self.value(key)
        if not value:
            self.error(
                key, _("“%(column)s” is empty; it is required.") % {"column": self.column(key)}
            )
        elif key in MAX_LENGTHS and len(value) > MAX_LENGTHS[key]:
            self.error(
                key,
                _("“%(column)s” is too long: at most %(max)s characters.")
                % {"column": self.column(key), "max": MAX_LENGTHS[key]},
            )
        return value

    def text(self, key: str) -> str:
        value = self.value(key)
        if key in MAX_LENGTHS and len(value) > MAX_LENGTHS[key]:
            self.error(
                key,
                _("“%(column)s” is too long: at most %(max)s characters.")
                % {"column": self.column(key), "max": MAX_LENGTHS[key]},
            )
        return value

    def choice(self, key: str, options: Mapping[str, str], allowed: str) -> str | None:
        value = self.value(key)
        if not value:
            return None
        found = options.get(normalise_header(value))
        if found is None:
            self.error(
                key,
                _("“%(value)s” is not a valid value of “%(column)s”: write one of %(allowed)s.")
                % {"value": value, "column": self.column(key), "allowed": allowed},
            )
        return found

    def count(self, key: str) -> int | None:
        value = self.value(key).replace(" ", "")
        if not value:
            return None
        if not re.fullmatch(r"[+-]?\d+", value) or int(value) < 0:
            self.error(
                key,
                _("“%(column)s” must be a whole number, zero or more (not “%(value)s”).")
                % {"column": self.column(key), "value": self.value(key)},
            )
            return None
        return int(value)

    def day(self, key: str) -> date | None:
        value = self.value(key)
        if not value:
            return None
        parsed: date | None = None
        match = DAY_MONTH_YEAR.match(value)
        try:
            if match:
                parsed = date(int(match[3]), int(match[2]), int(match[1]))
            elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                parsed = date.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None:
            self.error(
                key,
                _(
                    "“%(value)s” in “%(column)s” is not a date: write it as 2024-03-15 or "
                    "15/03/2024."
                )
                % {"value": value, "column": self.column(key)},
            )
        elif parsed > timezone.localdate():
            self.error(
                key,
                _("The date in “%(column)s” is in the future.") % {"column": self.column(key)},
            )
            parsed = None
        return parsed

    def degrees(self, key: str) -> float | None:
        value = self.value(key).replace(" ", "")
        if not value:
            return None
        if value.count(",") == 1 and "." not in value:
            value = value.replace(",", ".")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.error(
                key,
                _("“%(value)s” in “%(column)s” is not a number of degrees.")
                % {"value": self.value(key), "column": self.column(key)},
            )
            return None
        return number

    def point(self, parish: _Parish | None) -> tuple[float | None, float | None]:
        lon, lat = self.degrees("lon"), self.degrees("lat")
        if (lon is None) != (lat is None):
            missing = "lat" if lat is None else "lon"
            if not self.value(missing):
                self.error(
                    missing,
                    _("Give both longitude and latitude, or neither: “%(column)s” is empty.")
                    % {"column": self.column(missing)},
                )
            return None, None
        if lon is not None and lat is not None and parish is not None:
            try:
                geometry.check_point(lon, lat, state_code=parish.state_code)
            except DomainError as err:
                self.error("lon", err.message)
        return lon, lat

    def parish(self, places: _Gazetteer) -> _Parish | None:
        municipality = self.value("municipality")
        state = self.value("state")
        ok = True
        if municipality and _place_key(municipality) not in places.municipality_keys:
            self.error(
                "municipality",
                _("No municipality is called “%(value)s”.") % {"value": municipality},
            )
            ok = False
        if state and _place_key(state) not in places.state_keys:
            self.error("state", _("No state is called “%(value)s”.") % {"value": state})
            ok = False
        code = self.value("parish_code")
        key = "parish_code" if code else "parish"
        value = code or self.value("parish")
        if not value:
            self.error(
                key, _("“%(column)s” is empty; it is required.") % {"column": self.column(key)}
            )
            return None
        if not ok:
            return None

        def fits(parish: _Parish) -> bool:
            return (not municipality or _place_key(municipality) in parish.municipality_keys) and (
                not state or _place_key(state) in parish.state_keys
            )

        if PARISH_CODE.match(value):
            found = places.by_code.get(value.upper())
            if found is None:
                self.error(key, _("No parish has the code “%(code)s”.") % {"code": value})
                return None
            if not fits(found):
                self.error(
                    key,
                    _("The parish %(code)s is %(parish)s: not in the municipality or state given.")
                    % {"code": found.code, "parish": found.label},
                )
                return None
            return found
        named = places.by_name.get(search_key(value), [])
        candidates = [parish for parish in named if fits(parish)]
        if not named:
            self.error(
                key,
                _("No parish is called “%(name)s”: check the name or write its code.")
                % {"name": value},
            )
        elif not candidates:
            self.error(
                key,
                _(
                    "No parish called “%(name)s” is in the municipality or state given. "
                    "Parishes with that name: %(places)s."
                )
                % {"name": value, "places": "; ".join(p.label for p in named[:6])},
            )
        elif len(candidates) > 1:
            self.error(
                key,
                _(
                    "Several parishes are called “%(name)s”: %(places)s. Add the municipality "
                    "and state columns, or write the parish code."
                )
                % {
                    "name": value,
                    "places": "; ".join(f"{p.code} {p.label}" for p in candidates[:6]),
                },
            )
        else:
            return candidates[0]
        return None


def _existing_codes(model: type[Commune] | type[CommunalCouncil], codes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(codes), CODE_CHUNK):
        chunk = codes[start : start + CODE_CHUNK]
        found.update(
            model.objects.filter(registry_code__in=chunk).values_list("registry_code", flat=True)
        )
    return found


@dataclass
class _Plan:
    row: PlannedRow
    parish_id: int
    commune_id: int | None
    arguments: dict[str, Any]


def _validate(
    *, actor: AnyUser | None, kind: Kind, sheet: _Sheet, report: ImportReport
) -> list[_Plan]:
    places = _Gazetteer()
    model: type[Commune] | type[CommunalCouncil] = (
        Commune if kind == "communes" else (CommunalCouncil)
    )
    codes = sorted({row.values.get("registry_code", "") for row in sheet.rows} - {""})
    taken = _existing_codes(model, codes)
    communes: dict[str, tuple[int, str]] = {}
    network_coordinator = can_register_communes(actor)
    if kind == "councils" and "commune" in sheet.columns:
        for pk, slug, code in Commune.objects.values_list("pk", "slug", "registry_code"):
            communes.setdefault(slug.casefold(), (pk, slug))
            communes[code.casefold()] = (pk, slug)
    first_line: dict[str, int] = {}
    plans: list[_Plan] = []
    for row in sheet.rows:
        check = _RowCheck(report, row, sheet.columns)
        name = check.required("name")
        code = check.required("registry_code")
        if code in taken:
            check.error(
                "registry_code",
                _("The registry code “%(code)s” is already registered.") % {"code": code},
            )
        elif code and code in first_line:
            check.error(
                "registry_code",
                _("The registry code “%(code)s” is repeated: it is already on line %(line)s.")
                % {"code": code, "line": first_line[code]},
            )
        elif code:
            first_line[code] = row.line
        parish = check.parish(places)
        lon, lat = check.point(parish)
        arguments: dict[str, Any] = {"name": name, "registry_code": code, "lon": lon, "lat": lat}
        commune: tuple[int, str] | None = None
        if kind == "communes":
            status = check.choice(
                "status",
                COMMUNE_STATUS,
                "forming, registered, inactive, en_conformacion, registrada, inactiva",
            )
            arguments |= {
                "charter_date": check.day("charter_date"),
                "status": status or CommuneStatus.FORMING,
                "seat": check.text("seat"),
            }
        else:
            scope_value = check.required("scope")
            scope = (
                check.choice("scope", SCOPES, "urban, rural, indigenous, urbano, indígena")
                if scope_value
                else None
            )
            arguments |= {
                "scope": scope,
                "households": check.count("households"),
                "population": check.count("population"),
                "founded": check.day("founded"),
            }
            commune_value = check.value("commune")
            if commune_value:
                commune = communes.get(commune_value.casefold())
                if commune is None:
                    check.error(
                        "commune",
                        _("No commune has the registry code or short name “%(value)s”.")
                        % {"value": commune_value},
                    )
                elif not access.can_change(actor, owner_id=commune[0]):
                    check.error(
                        "commune",
                        _("You may not register councils in the commune “%(value)s”.")
                        % {"value": commune_value},
                    )
            elif not network_coordinator:
                check.error(
                    "commune",
                    _(
                        "Only a coordinator of the network may register a council without a "
                        "commune: fill in “%(column)s”."
                    )
                    % {"column": check.column("commune")},
                )
        if check.failed or parish is None:
            continue
        plans.append(
            _Plan(
                row=PlannedRow(
                    line=row.line,
                    name=name,
                    registry_code=code,
                    parish=parish.label,
                    commune=commune[1] if commune else "",
                ),
                parish_id=parish.id,
                commune_id=commune[0] if commune else None,
                arguments=arguments,
            )
        )
    return plans


# Creating -------------------------------------------------------------------------------------


def _field_of(err: DomainError, columns: dict[str, str]) -> str:
    for name in err.fields:
        key = ACTION_FIELDS.get(name, name)
        return columns.get(key, key)
    return ""


def _create(
    *,
    actor: AnyUser | None,
    kind: Kind,
    plans: list[_Plan],
    columns: dict[str, str],
    report: ImportReport,
) -> None:
    parishes = (
        Parish.objects.select_related("municipality__state")
        .defer("municipality__state__outline")
        .in_bulk({plan.parish_id for plan in plans})
    )
    communes = Commune.objects.in_bulk(
        {plan.commune_id for plan in plans if plan.commune_id is not None}
    )
    register: Callable[..., Commune | CommunalCouncil] = (
        actions.commune_register if kind == "communes" else actions.council_register
    )
    slugs: list[str] = []
    with transaction.atomic():
        for plan in plans:
            extra: dict[str, Any] = {}
            if plan.commune_id is not None:
                extra["commune"] = communes[plan.commune_id]
            try:
                unit = register(
                    actor=actor, parish=parishes[plan.parish_id], **plan.arguments, **extra
                )
            except DomainError as err:
                report.errors.append(RowError(plan.row.line, _field_of(err, columns), err.message))
            except PermissionDeniedError as err:
                report.errors.append(RowError(plan.row.line, "", err.message))
            else:
                slugs.append(unit.slug)
        if report.errors:
            # All or nothing: undo every row created so far.
            transaction.set_rollback(True)
            return
    report.slugs = slugs
    report.created = len(slugs)


# The entry point ----------------------------------------------------------------------------


def import_csv(
    *, actor: AnyUser | None, kind: Kind, data: bytes | str, dry_run: bool
) -> ImportReport:
    """Import communes or councils from CSV; see the module's documentation for the columns.

    Raises PermissionDeniedError when the actor may not import this kind at all (communes:
    network coordinators only). Everything else is reported row by row in the ImportReport;
    nothing is written unless every row is valid and `dry_run` is false.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of import: {kind!r}")
    with access.viewer_cache():
        return _import(actor=actor, kind=kind, data=data, dry_run=dry_run)


def _import(*, actor: AnyUser | None, kind: Kind, data: bytes | str, dry_run: bool) -> ImportReport:
    if kind == "communes" and not can_register_communes(actor):
        raise PermissionDeniedError(_("Only a coordinator of the network may import communes."))
    if kind == "councils" and not may_import(actor):
        raise PermissionDeniedError(
            _("Only coordinators of the network or of a commune may import councils.")
        )
    report = ImportReport(kind=kind, dry_run=dry_run)
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_BYTES:
        report.errors.append(
            RowError(
                0,
                "",
                _("The file is larger than %(limit)s MB: split it into smaller files.")
                % {"limit": MAX_BYTES // (1024 * 1024)},
            )
        )
        return report
    sheet = _read(_decode(data), kind, report)
    if sheet is None:
        return report
    report.total = len(sheet.rows)
    if not sheet.rows:
        report.errors.append(RowError(0, "", _("The file has a header but no rows.")))
        return report
    plans = _validate(actor=actor, kind=kind, sheet=sheet, report=report)
    report.planned = [plan.row for plan in plans]
    if report.errors or dry_run:
        return report
    _create(actor=actor, kind=kind, plans=plans, columns=sheet.columns, report=report)
    return report
