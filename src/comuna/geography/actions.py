"""Writes of the geography module: loading the shipped reference data."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypedDict, TypeVar

import shapely
from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape

from comuna.core import audit
from comuna.core.errors import DomainError
from comuna.geography import maps, queries
from comuna.geography.models import Municipality, Parish, State, search_key

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_FILE = "venezuela.json"
OUTLINES_FILE = "outlines.geojson"
FORMAT = "comuna-geography"
FORMAT_VERSION = 1

STATE_FIELDS = [
    "name",
    "slug",
    "search_name",
    "capital",
    "outline",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
]
MUNICIPALITY_FIELDS = ["state_id", "name", "slug", "search_name", "capital"]
PARISH_FIELDS = ["municipality_id", "name", "slug", "search_name"]

_Coded = TypeVar("_Coded", State, Municipality, Parish)


@dataclass(frozen=True)
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class LoadResult:
    states: KindCounts
    municipalities: KindCounts
    parishes: KindCounts

    @property
    def changed(self) -> bool:
        return any(
            kind.created or kind.updated
            for kind in (self.states, self.municipalities, self.parishes)
        )

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {
            "states": asdict(self.states),
            "municipalities": asdict(self.municipalities),
            "parishes": asdict(self.parishes),
        }


class _Outline(TypedDict):
    geometry: dict[str, Any]
    bbox: tuple[float, float, float, float]


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as err:
        raise DomainError(
            _("The geography file %(path)s cannot be read: %(error)s")
            % {"path": path, "error": err.strerror or err},
            code="geography_file_missing",
        ) from err
    except ValueError as err:
        raise DomainError(
            _("The geography file %(path)s is not valid JSON: %(error)s")
            % {"path": path, "error": err},
            code="geography_file_invalid",
        ) from err


def _invalid(path: Path, problem: str) -> DomainError:
    return DomainError(
        _("The geography file %(path)s is not in the expected format: %(problem)s")
        % {"path": path, "problem": problem},
        code="geography_file_invalid",
    )


def _require(path: Path, item: Any, keys: tuple[str, ...]) -> None:
    if not isinstance(item, dict):
        raise _invalid(path, f"expected an object, found {item!r}"[:200])
    missing = [key for key in keys if key not in item]
    if missing:
        raise _invalid(path, f"{item.get('code', item)!r} lacks {', '.join(missing)}"[:200])


def _read_divisions(path: Path) -> list[dict[str, Any]]:
    document = _read_json(path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _invalid(path, f'"format" is not "{FORMAT}"')
    if document.get("version") != FORMAT_VERSION:
        raise _invalid(path, f'"version" is not {FORMAT_VERSION}')
    states = document.get("states")
    if not isinstance(states, list):
        raise _invalid(path, '"states" is not a list')
    for state in states:
        _require(path, state, ("code", "name", "slug", "capital", "municipalities"))
        for municipality in state["municipalities"]:
            _require(path, municipality, ("code", "name", "slug", "capital", "parishes"))
            for parish in municipality["parishes"]:
                _require(path, parish, ("code", "name", "slug"))
    return states


def _read_outlines(path: Path) -> dict[str, _Outline]:
    document = _read_json(path)
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise _invalid(path, "not a GeoJSON FeatureCollection")
    outlines: dict[str, _Outline] = {}
    for feature in document.get("features", []):
        try:
            code = feature["properties"]["code"]
            geometry = feature["geometry"]
            geom = shape(geometry)
        except (KeyError, TypeError, ValueError, shapely.errors.ShapelyError) as err:
            raise _invalid(path, f"bad feature {err}") from err
        if geom.geom_type not in ("Polygon", "MultiPolygon") or not geom.is_valid:
            raise _invalid(path, f"the outline of {code} is not a valid polygon")
        west, south, east, north = geom.bounds
        outlines[code] = {"geometry": geometry, "bbox": (west, south, east, north)}
    return outlines


def _upsert(model: type[_Coded], rows: dict[str, dict[str, Any]], fields: list[str]) -> KindCounts:
    """Create the rows whose code is new and update those whose fields differ."""
    existing = {obj.code: obj for obj in model._default_manager.filter(code__in=rows)}
    to_create: list[_Coded] = []
    to_update: list[_Coded] = []
    for code, values in rows.items():
        obj = existing.get(code)
        if obj is None:
            to_create.append(model(code=code, **values))
            continue
        if any(getattr(obj, name) != values[name] for name in fields):
            for name in fields:
                setattr(obj, name, values[name])
            to_update.append(obj)
    model._default_manager.bulk_create(to_create, batch_size=500)
    if to_update:
        model._default_manager.bulk_update(to_update, fields, batch_size=500)
    return KindCounts(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(rows) - len(to_create) - len(to_update),
    )


def _ids(model: type[State | Municipality], codes: list[str]) -> dict[str, int]:
    return dict(model._default_manager.filter(code__in=codes).values_list("code", "pk"))


def geography_load(*, data_dir: Path | str | None = None) -> LoadResult:
    """Load the shipped states, municipalities, parishes and state outlines.

    Idempotent: rows are matched by code, created when new and updated when they differ, in
    one transaction; loading the same files twice changes nothing. Rows missing from the
    files are kept (other records may point at them). Records one audit event when
    something changed.
    """
    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    divisions = _read_divisions(folder / DIVISIONS_FILE)
    outlines = _read_outlines(folder / OUTLINES_FILE)

    state_rows: dict[str, dict[str, Any]] = {}
    for state in divisions:
        outline = outlines.get(state["code"])
        west, south, east, north = outline["bbox"] if outline else (None, None, None, None)
        state_rows[state["code"]] = {
            "name": state["name"],
            "slug": state["slug"],
            "search_name": search_key(state["name"]),
            "capital": state["capital"],
            "outline": outline["geometry"] if outline else None,
            "min_lon": west,
            "min_lat": south,
            "max_lon": east,
            "max_lat": north,
        }
    unknown = sorted(set(outlines) - set(state_rows))
    if unknown:
        raise _invalid(folder / OUTLINES_FILE, f"outlines without a state: {unknown}")

    with transaction.atomic():
        state_counts = _upsert(State, state_rows, STATE_FIELDS)
        state_ids = _ids(State, list(state_rows))
        municipality_rows = {
            municipality["code"]: {
                "state_id": state_ids[state["code"]],
                "name": municipality["name"],
                "slug": municipality["slug"],
                "search_name": search_key(municipality["name"]),
                "capital": municipality["capital"],
            }
            for state in divisions
            for municipality in state["municipalities"]
        }
        municipality_counts = _upsert(Municipality, municipality_rows, MUNICIPALITY_FIELDS)
        municipality_ids = _ids(Municipality, list(municipality_rows))
        parish_rows = {
            parish["code"]: {
                "municipality_id": municipality_ids[municipality["code"]],
                "name": parish["name"],
                "slug": parish["slug"],
                "search_name": search_key(parish["name"]),
            }
            for state in divisions
            for municipality in state["municipalities"]
            for parish in municipality["parishes"]
        }
        parish_counts = _upsert(Parish, parish_rows, PARISH_FIELDS)
        result = LoadResult(
            states=state_counts, municipalities=municipality_counts, parishes=parish_counts
        )
        if result.changed:
            subject = State.objects.defer("outline").order_by("code").first()
            if subject is not None:
                audit.record(
                    actor=None, verb="geography.load", subject=subject, details=result.as_dict()
                )
        transaction.on_commit(_clear_caches)
    _clear_caches()
    return result


def _clear_caches() -> None:
    queries.clear_caches()
    maps.clear_caches()
