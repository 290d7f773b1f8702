#!/usr/bin/env python3
"""Build the geography files that Comuna ships, from the shared Venezuela reference data.

Usage:
    python scripts/build_geography.py [SOURCE_DIR] [--out OUT_DIR] [--tolerance DEGREES]

SOURCE_DIR defaults to `<project>/../shared/data/venezuela` and must hold the two upstream
files `venezuela.json` (Venezuela-JSON, zokeber and contributors, CC BY 4.0) and
`geoBoundaries-VEN-ADM1_simplified.geojson` (geoBoundaries VEN ADM1, CC BY 3.0 IGO). The
script writes, into OUT_DIR (default `src/comuna/geography/data/`):

`venezuela.json`, the project's own format::

    {
      "format": "comuna-geography", "version": 1,
      "sources": [...], "codes": "...how codes are made...",
      "states": [
        {"code": "VE-K", "name": "Lara", "slug": "lara", "capital": "Barquisimeto",
         "municipalities": [
           {"code": "VE-K-07", "name": "...", "slug": "...", "capital": "...",
            "parishes": [{"code": "VE-K-07-03", "name": "...", "slug": "..."}, ...]},
           ...]},
        ...]
    }

  States are sorted by ISO code. State codes are ISO 3166-2:VE. There are no freely
  licensed official codes for municipalities and parishes, so the project makes its own:
  a municipality is its state's code plus a 2-digit index (01, 02, ...) in alphabetical
  order of the municipality names within the state; a parish is its municipality's code
  plus a 2-digit index in alphabetical order of the parish names within the municipality.
  "Alphabetical" compares names with accents removed and case folded (so "Ñ" sorts as
  "N"), then the exact name. The codes depend on the list: if a municipality or parish is
  ever added, rebuild and review the diff, since later codes in that state or
  municipality shift. They are project codes, not INE/CNE codes or OCHA P-codes.

`outlines.geojson`: an RFC 7946 FeatureCollection with one feature per state (25,
  Dependencias Federales included), sorted by code, properties `code` and `name`. Island
  parts smaller than MIN_PART_KM2 are dropped (a state always keeps its largest part); the
  outlines are simplified together with shapely `coverage_simplify`, so that neighbours
  keep one shared border (falling back to `simplify(tolerance, preserve_topology=True)`
  state by state on shapely/GEOS without it); coordinates are snapped to 3 decimals
  (about 110 m); every geometry is checked to be a valid Polygon or MultiPolygon
  (repaired with make_valid if snapping broke it), exterior rings counter-clockwise.

Corrections made to the upstream data (see NOTICE and the source README):
- ISO codes: Amazonas is VE-Z (upstream VE-X), La Guaira VE-X (upstream VE-W),
  Dependencias Federales VE-W.
- The state Vargas is now named La Guaira; its only municipality is still Vargas.
- Sucre's municipality Bolívar has no parishes upstream: its single parish, Mariño, is
  added by hand.
- Dependencias Federales, which upstream has only as an outline, is added as a state with
  no municipalities.

The output is deterministic: running the script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

import shapely
from django.utils.text import slugify
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = PROJECT_DIR.parent / "shared" / "data" / "venezuela"
DEFAULT_OUT = PROJECT_DIR / "src" / "comuna" / "geography" / "data"

VENEZUELA_JSON = "venezuela.json"
OUTLINES_GEOJSON = "geoBoundaries-VEN-ADM1_simplified.geojson"

# Simplification tolerance in degrees (0.01 degree is about 1.1 km): the whole outline file
# stays well under 80 KB and the SVG map of all states under 15 KB gzipped.
DEFAULT_TOLERANCE = 0.01
# Coordinates are snapped to this grid (3 decimals, about 110 m).
GRID = 0.001
# Islands and islets smaller than this (km²) are dropped from the outlines.
MIN_PART_KM2 = 1.0

# Upstream ISO code -> correct ISO 3166-2:VE code. Upstream swapped Amazonas and Vargas.
ISO_FIXES = {"Amazonas": "VE-Z", "Vargas": "VE-X"}
# Upstream state name -> current name.
STATE_RENAMES = {"Vargas": "La Guaira"}

# Capitals upstream got wrong: (state code, municipality) -> capital. The seat of the
# municipality Vargas (La Guaira state) is the city of La Guaira; upstream repeats "Vargas".
MUNICIPALITY_CAPITAL_FIXES = {("VE-X", "Vargas"): "La Guaira"}

# Parishes missing upstream: (state code, municipality) -> parishes. The municipality
# Bolívar of Sucre state (capital Marigüitar) has a single parish, Mariño, whose seat is
# Marigüitar; upstream gives it an empty list.
MISSING_PARISHES = {("VE-R", "Bolívar"): ["Mariño"]}

# States that exist only in the outline file: code -> (name, capital). The Dependencias
# Federales (the islands in the Caribbean) have no municipalities and no capital.
EXTRA_STATES = {"VE-W": ("Dependencias Federales", "")}

EXPECTED = {"states": 25, "municipalities": 335, "parishes": 1140}

SOURCES = [
    {
        "name": "Venezuela-JSON",
        "authors": "zokeber and contributors",
        "url": "https://github.com/zokeber/venezuela-json",
        "license": "CC BY 4.0",
        "used_for": "names and capitals of states and municipalities, names of parishes",
        "modified": "ISO codes corrected, Vargas renamed La Guaira, missing parish added, "
        "Dependencias Federales added, project codes and slugs added",
    },
    {
        "name": "geoBoundaries VEN ADM1 (gbOpen, VEN-ADM1-42786344)",
        "authors": "geoBoundaries; original data OCHA Venezuela / Instituto Nacional de "
        "Estadística",
        "url": "https://www.geoboundaries.org",
        "license": "CC BY 3.0 IGO",
        "used_for": "state outlines",
        "modified": "simplified, small islets dropped, coordinates rounded to 3 decimals",
    },
]

CODES_NOTE = (
    "State codes are ISO 3166-2:VE. Municipality and parish codes are made by this project "
    "(there are no freely licensed official ones): the parent's code plus a 2-digit index in "
    "alphabetical order of the names (accents and case ignored) within the parent."
)

GEOD = Geod(ellps="WGS84")


def fold(text: str) -> str:
    """Lower case without accents: the key for alphabetical order and slugs."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def alphabetical(names: list[str]) -> list[str]:
    return sorted(names, key=lambda name: (fold(name), name))


def fail(message: str) -> None:
    sys.exit(f"build_geography: {message}")


def unique_slugs(items: list[dict[str, Any]], where: str) -> None:
    slugs = [item["slug"] for item in items]
    if len(set(slugs)) != len(slugs) or not all(slugs):
        fail(f"duplicate or empty slugs in {where}: {slugs}")


def build_divisions(source: list[dict[str, Any]]) -> list[dict[str, Any]]:
    states: list[dict[str, Any]] = []
    for raw in source:
        name = raw["estado"].strip()
        code = ISO_FIXES.get(name, raw["iso_31662"].strip())
        by_name = {m["municipio"].strip(): m for m in raw["municipios"]}
        if len(by_name) != len(raw["municipios"]):
            fail(f"duplicate municipality names in {name}")
        municipalities = []
        for index, mname in enumerate(alphabetical(list(by_name)), start=1):
            mraw = by_name[mname]
            mcode = f"{code}-{index:02d}"
            parish_names = [p.strip() for p in mraw["parroquias"]]
            if not parish_names:
                parish_names = MISSING_PARISHES.get((code, mname), [])
            if not parish_names:
                fail(f"municipality {mname} ({name}) has no parishes")
            if len(set(parish_names)) != len(parish_names):
                fail(f"duplicate parish names in {mname} ({name})")
            parishes = [
                {"code": f"{mcode}-{pindex:02d}", "name": pname, "slug": slugify(pname)}
                for pindex, pname in enumerate(alphabetical(parish_names), start=1)
            ]
            unique_slugs(parishes, f"{mname} ({name})")
            capital = MUNICIPALITY_CAPITAL_FIXES.get((code, mname), mraw["capital"].strip())
            municipalities.append(
                {
                    "code": mcode,
                    "name": mname,
                    "slug": slugify(mname),
                    "capital": capital,
                    "parishes": parishes,
                }
            )
        unique_slugs(municipalities, name)
        state_name = STATE_RENAMES.get(name, name)
        states.append(
            {
                "code": code,
                "name": state_name,
                "slug": slugify(state_name),
                "capital": raw["capital"].strip(),
                "municipalities": municipalities,
            }
        )
    for code, (name, capital) in EXTRA_STATES.items():
        states.append(
            {
                "code": code,
                "name": name,
                "slug": slugify(name),
                "capital": capital,
                "municipalities": [],
            }
        )
    states.sort(key=lambda state: state["code"])
    codes = [state["code"] for state in states]
    if len(set(codes)) != len(codes):
        fail(f"duplicate state codes: {codes}")
    unique_slugs(states, "states")
    return states


def km2(polygon: Polygon) -> float:
    area, _perimeter = GEOD.geometry_area_perimeter(polygon)
    return abs(area) / 1e6


def polygon_parts(geometry: Any) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [] if geometry.is_empty else [geometry]
    if isinstance(geometry, MultiPolygon):
        return [part for part in geometry.geoms if not part.is_empty]
    if hasattr(geometry, "geoms"):  # a GeometryCollection from make_valid
        return [part for geom in geometry.geoms for part in polygon_parts(geom)]
    return []


def drop_islets(geometry: Any) -> Polygon | MultiPolygon:
    parts = polygon_parts(geometry)
    largest = max(parts, key=lambda part: part.area)
    kept = [part for part in parts if part is largest or km2(part) >= MIN_PART_KM2]
    return kept[0] if len(kept) == 1 else MultiPolygon(kept)


def finish_outline(geometry: Any) -> Polygon | MultiPolygon:
    snapped = shapely.set_precision(geometry, GRID)
    if not snapped.is_valid:
        snapped = shapely.make_valid(snapped)
    parts = sorted(polygon_parts(snapped), key=lambda part: -part.area)
    if not parts:
        fail("an outline vanished after simplification")
    result = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    result = shapely.normalize(result)  # canonical ring order: stable output
    # RFC 7946: exterior rings counter-clockwise, holes clockwise.
    if isinstance(result, Polygon):
        return orient(result, sign=1.0)
    return MultiPolygon([orient(part, sign=1.0) for part in result.geoms])


def simplify_outlines(geometries: list[Any], tolerance: float) -> list[Polygon | MultiPolygon]:
    """Simplify the states together when shapely can, so that neighbours keep one shared
    border: simplifying each state on its own (`simplify(tolerance, preserve_topology=True)`)
    leaves slivers of overlap and gaps of up to 25 km² between neighbours, which would make
    `locate` ambiguous near borders and show cracks on the map."""
    kept = [drop_islets(geometry) for geometry in geometries]
    if hasattr(shapely, "coverage_simplify") and shapely.coverage_is_valid(kept):
        # Visvalingam-Whyatt on the whole coverage; its tolerance is an area-like measure,
        # so twice the per-state tolerance gives about the same number of vertices.
        simple = list(shapely.coverage_simplify(kept, tolerance * 2))
    else:
        simple = [geometry.simplify(tolerance, preserve_topology=True) for geometry in kept]
    return [finish_outline(geometry) for geometry in simple]


def round_coords(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], float):
            return [round(coord, 3) for coord in value]
        return [round_coords(item) for item in value]
    return value


def build_outlines(
    source: dict[str, Any], states: list[dict[str, Any]], tolerance: float
) -> list[dict[str, Any]]:
    names = {state["code"]: state["name"] for state in states}
    codes = [feature["properties"]["shapeISO"] for feature in source["features"]]
    unknown = sorted(set(codes) - set(names))
    if unknown:
        fail(f"outlines without a state: {unknown}")
    outlines = simplify_outlines([shape(f["geometry"]) for f in source["features"]], tolerance)
    features: list[dict[str, Any]] = []
    for code, outline in zip(codes, outlines, strict=True):
        geometry = mapping(outline)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": names[code]},
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": round_coords(geometry["coordinates"]),
                },
            }
        )
    features.sort(key=lambda feature: feature["properties"]["code"])
    missing = set(names) - {feature["properties"]["code"] for feature in features}
    if missing:
        fail(f"states without an outline: {sorted(missing)}")
    for feature in features:
        geom = shape(feature["geometry"])
        if not geom.is_valid or geom.is_empty:
            fail(f"invalid outline for {feature['properties']['code']}")
    return features


def dump_divisions(states: list[dict[str, Any]]) -> str:
    # Indented down to the municipalities, one parish a line: readable diffs, small file.
    # Each parish is first replaced by a placeholder string, then by its compact JSON.
    compact: list[str] = []
    tree = []
    for state in states:
        municipalities = []
        for municipality in state["municipalities"]:
            placeholders = []
            for parish in municipality["parishes"]:
                placeholders.append(f"@parish{len(compact)}@")
                compact.append(json.dumps(parish, ensure_ascii=False))
            municipalities.append({**municipality, "parishes": placeholders})
        tree.append({**state, "municipalities": municipalities})
    document = {
        "format": "comuna-geography",
        "version": 1,
        "generated_by": "scripts/build_geography.py",
        "codes": CODES_NOTE,
        "sources": SOURCES,
        "states": tree,
    }
    text = json.dumps(document, ensure_ascii=False, indent=1)
    text = re.sub(r'"@parish(\d+)@"', lambda match: compact[int(match.group(1))], text)
    return text + "\n"


def dump_outlines(features: list[dict[str, Any]]) -> str:
    # One feature a line: compact, and diffs stay readable.
    lines = [json.dumps(feature, ensure_ascii=False, separators=(",", ":")) for feature in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    args = parser.parse_args(argv)

    with (args.source / VENEZUELA_JSON).open(encoding="utf-8") as handle:
        divisions_source = json.load(handle)
    with (args.source / OUTLINES_GEOJSON).open(encoding="utf-8") as handle:
        outlines_source = json.load(handle)

    states = build_divisions(divisions_source)
    counts = {
        "states": len(states),
        "municipalities": sum(len(s["municipalities"]) for s in states),
        "parishes": sum(len(m["parishes"]) for s in states for m in s["municipalities"]),
    }
    if counts != EXPECTED:
        fail(f"unexpected counts {counts}, expected {EXPECTED}")
    features = build_outlines(outlines_source, states, args.tolerance)

    args.out.mkdir(parents=True, exist_ok=True)
    divisions_text = dump_divisions(states)
    outlines_text = dump_outlines(features)
    (args.out / "venezuela.json").write_text(divisions_text, encoding="utf-8")
    (args.out / "outlines.geojson").write_text(outlines_text, encoding="utf-8")
    vertices = sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in features)
    print(
        f"{counts['states']} states, {counts['municipalities']} municipalities, "
        f"{counts['parishes']} parishes; {len(features)} outlines, {vertices} vertices, "
        f"outlines.geojson {len(outlines_text.encode())} bytes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
