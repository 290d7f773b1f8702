"""Exports of the registry: CSV, GeoJSON (RFC 7946) and Popolo JSON.

The registry is public, and so are these exports: names, codes, places, bodies and the PUBLIC
names of the people who hold a current mandate. Nothing else about a person is ever read here
(no full name, ID number, phone, e-mail, address or gender): the person queries select only
`id` and `public_name`.

Each export reads in a fixed number of queries whatever the size (rows are streamed with
`.iterator()`), and each has a streaming form that yields text, so a national export does not
have to fit in memory: `communes_csv`, `councils_csv`, `geojson_lines`, `popolo_lines`.

CSV columns (headers are stable machine names; the importer accepts the same files back):

communes
    slug, name, registry_code, state_code, state, municipality, parish, parish_code, status,
    capacity_level, councils, links, lon, lat, charter_date
councils
    slug, name, registry_code, state_code, state, municipality, parish, parish_code, scope,
    households, population, founded, status, commune, lon, lat

Text cells that a spreadsheet would run as a formula (starting with = + - @) are written with
a leading apostrophe; the importer removes it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comuna.core.models import Organisation, OrganisationKind, Person, Role
from comuna.registry import queries
from comuna.registry.models import (
    Aggregation,
    Body,
    BodyKind,
    CommunalCouncil,
    Commune,
    Mandate,
    MandateStatus,
)

CHUNK = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

COMMUNE_COLUMNS = [
    "slug",
    "name",
    "registry_code",
    "state_code",
    "state",
    "municipality",
    "parish",
    "parish_code",
    "status",
    "capacity_level",
    "councils",
    "links",
    "lon",
    "lat",
    "charter_date",
]
COUNCIL_COLUMNS = [
    "slug",
    "name",
    "registry_code",
    "state_code",
    "state",
    "municipality",
    "parish",
    "parish_code",
    "scope",
    "households",
    "population",
    "founded",
    "status",
    "commune",
    "lon",
    "lat",
]


# CSV ------------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line: csv.writer without a buffer."""

    def write(self, value: str) -> str:
        return value


def _text(value: str) -> str:
    """Protect spreadsheet users from cells that would run as formulas."""
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _cell(value: Any) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return _text(str(value))


def _csv_lines(header: list[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def communes_csv(queryset: QuerySet[Commune]) -> Iterator[str]:
    """The communes as CSV lines (header first), in one query, streamed."""
    rows = queryset.values_list(
        "slug",
        "name",
        "registry_code",
        "state__code",
        "state__name",
        "parish__municipality__name",
        "parish__name",
        "parish__code",
        "status",
        "capacity_level",
        "council_count",
        "link_count",
        "lon",
        "lat",
        "charter_date",
    ).iterator(chunk_size=CHUNK)
    return _csv_lines(COMMUNE_COLUMNS, rows)


def councils_csv(queryset: QuerySet[CommunalCouncil]) -> Iterator[str]:
    """The councils as CSV lines (header first), in one query, streamed."""
    rows = queryset.values_list(
        "slug",
        "name",
        "registry_code",
        "state__code",
        "state__name",
        "parish__municipality__name",
        "parish__name",
        "parish__code",
        "scope",
        "households",
        "population",
        "founded",
        "status",
        "commune__slug",
        "lon",
        "lat",
    ).iterator(chunk_size=CHUNK)
    return _csv_lines(COUNCIL_COLUMNS, rows)


# GeoJSON --------------------------------------------------------------------------------------


class FeatureProperties(TypedDict):
    slug: str
    name: str
    kind: str
    registry_code: str
    state: str
    state_code: str
    municipality: str
    parish: str
    parish_code: str
    status: str
    level: int | None
    commune: str | None
    scope: str | None
    url: str


class Feature(TypedDict):
    type: str
    geometry: dict[str, Any] | None
    properties: FeatureProperties


class FeatureCollection(TypedDict):
    type: str
    features: list[Feature]


def _url_maker(name: str) -> Any:
    """Reverse the profile URL once and fill in each slug (reverse() per row is slow)."""
    placeholder = "__slug__"
    pattern = reverse(name, args=[placeholder])
    return lambda slug: pattern.replace(placeholder, slug)


def geojson_features(queryset: QuerySet[Commune] | QuerySet[CommunalCouncil]) -> Iterator[Feature]:
    """A Feature per commune or council: its territory when it has one, else its point, else
    no geometry (null, as RFC 7946 allows). One query, streamed."""
    is_commune = queryset.model is Commune
    kind = OrganisationKind.COMMUNE if is_commune else OrganisationKind.COUNCIL
    url = _url_maker("registry:commune" if is_commune else "registry:council")
    extra = ("capacity_level",) if is_commune else ("commune__slug", "scope")
    rows = queryset.values_list(
        "slug",
        "name",
        "registry_code",
        "state__name",
        "state__code",
        "parish__municipality__name",
        "parish__name",
        "parish__code",
        "status",
        "territory",
        "lon",
        "lat",
        *extra,
    ).iterator(chunk_size=CHUNK)
    for row in rows:
        slug, name, code, state, state_code, municipality, parish, parish_code, status = row[:9]
        territory, lon, lat = row[9:12]
        geometry: dict[str, Any] | None = None
        if territory:
            geometry = territory
        elif lon is not None and lat is not None:
            geometry = {"type": "Point", "coordinates": [lon, lat]}
        yield {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "slug": slug,
                "name": name,
                "kind": str(kind),
                "registry_code": code,
                "state": state,
                "state_code": state_code,
                "municipality": municipality,
                "parish": parish,
                "parish_code": parish_code,
                "status": status,
                "level": row[12] if is_commune else None,
                "commune": None if is_commune else row[12],
                "scope": None if is_commune else row[13],
                "url": url(slug),
            },
        }


def geojson(queryset: QuerySet[Commune] | QuerySet[CommunalCouncil]) -> FeatureCollection:
    """The communes or councils as one RFC 7946 FeatureCollection."""
    return {"type": "FeatureCollection", "features": list(geojson_features(queryset))}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_array(items: Iterable[Any]) -> Iterator[str]:
    yield "["
    first = True
    for item in items:
        yield _dumps(item) if first else "," + _dumps(item)
        first = False
    yield "]"


def geojson_lines(queryset: QuerySet[Commune] | QuerySet[CommunalCouncil]) -> Iterator[str]:
    """The same FeatureCollection as `geojson`, as pieces of text to stream."""
    yield '{"type":"FeatureCollection","features":'
    yield from _json_array(geojson_features(queryset))
    yield "}"


# Popolo ---------------------------------------------------------------------------------------


class Identifier(TypedDict):
    scheme: str
    identifier: str


class Area(TypedDict):
    id: str
    name: str
    classification: str


class PopoloOrganization(TypedDict, total=False):
    id: str
    name: str
    classification: str
    parent_id: str | None
    identifiers: list[Identifier]
    area_id: str
    area: Area
    founding_date: str


class PopoloPerson(TypedDict):
    id: str
    name: str


class PopoloPost(TypedDict):
    id: str
    label: str
    organization_id: str
    role: str


class PopoloMembership(TypedDict):
    id: str
    person_id: str
    organization_id: str
    post_id: str
    role: str
    start_date: str
    end_date: str


class PopoloDocument(TypedDict):
    organizations: list[PopoloOrganization]
    persons: list[PopoloPerson]
    posts: list[PopoloPost]
    memberships: list[PopoloMembership]


@dataclass(frozen=True)
class PopoloSources:
    """What a Popolo export covers: these communes, councils and aggregations."""

    communes: QuerySet[Commune]
    councils: QuerySet[CommunalCouncil]
    aggregations: QuerySet[Aggregation]


def popolo_sources(filters: queries.Filters) -> PopoloSources:
    """The units the directory's filters select; `comuna` narrows the communes too."""
    communes = queries.communes(filters)
    if filters.commune:
        communes = communes.filter(slug=filters.commune)
    return PopoloSources(
        communes=communes,
        councils=queries.councils(filters),
        aggregations=queries.aggregations(filters),
    )


def _person_id(pk: int) -> str:
    return f"person-{pk}"


def _body_id(unit_slug: str, kind: str) -> str:
    return f"{unit_slug}/{kind}"


def _post_id(unit_slug: str, seat: str) -> str:
    return f"{unit_slug}/{seat}/spokesperson"


def _identifiers(code: str) -> list[Identifier]:
    return [{"scheme": "registry_code", "identifier": code}]


def _area(code: str, name: str) -> Area:
    return {"id": code, "name": name, "classification": "parish"}


def _units(sources: PopoloSources) -> Q:
    return Q(organisation_id__in=sources.communes.values("pk")) | Q(
        organisation_id__in=sources.councils.values("pk")
    )


def _current_mandates(sources: PopoloSources) -> QuerySet[Mandate]:
    today = timezone.localdate()
    return Mandate.objects.filter(
        _units(sources), status=MandateStatus.ACTIVE, start__lte=today, end__gte=today
    )


def _organizations(sources: PopoloSources) -> Iterator[PopoloOrganization]:
    roots = Organisation.objects.filter(kind=OrganisationKind.NETWORK, parent__isnull=True)
    for slug, name in roots.order_by("pk").values_list("slug", "name"):
        yield {"id": slug, "name": name, "classification": "network", "parent_id": None}
    for slug, name, kind, formed, parent in (
        sources.aggregations.order_by("name", "pk")
        .values_list("slug", "name", "aggregation_kind", "formed", "parent__slug")
        .iterator(chunk_size=CHUNK)
    ):
        organization: PopoloOrganization = {
            "id": slug,
            "name": name,
            "classification": kind,
            "parent_id": parent,
        }
        if formed:
            organization["founding_date"] = formed.isoformat()
        yield organization
    for units, classification, founded_field in (
        (sources.communes, "commune", "charter_date"),
        (sources.councils, "communal_council", "founded"),
    ):
        rows = units.values_list(
            "slug",
            "name",
            "registry_code",
            "parent__slug",
            "parish__code",
            "parish__name",
            founded_field,
        ).iterator(chunk_size=CHUNK)
        for slug, name, code, parent, parish_code, parish_name, founded in rows:
            organization = {
                "id": slug,
                "name": name,
                "classification": classification,
                "parent_id": parent,
                "identifiers": _identifiers(code),
                "area_id": parish_code,
                "area": _area(parish_code, parish_name),
            }
            if founded:
                organization["founding_date"] = founded.isoformat()
            yield organization
    for kind, unit_slug, unit_name in _bodies(sources):
        yield {
            "id": _body_id(unit_slug, kind),
            "name": _("%(body)s of %(organisation)s")
            % {"body": BodyKind(kind).label, "organisation": unit_name},
            "classification": kind,
            "parent_id": unit_slug,
        }


def _bodies(sources: PopoloSources) -> Iterator[tuple[str, str, str]]:
    return (
        Body.objects.filter(_units(sources))
        .order_by("organisation__name", "organisation_id", "kind")
        .values_list("kind", "organisation__slug", "organisation__name")
        .iterator(chunk_size=CHUNK)
    )


def _persons(sources: PopoloSources) -> Iterator[PopoloPerson]:
    # Only the id and the PUBLIC name are ever selected.
    people = (
        Person.objects.filter(pk__in=_current_mandates(sources).values("person_id"))
        .order_by("public_name", "pk")
        .values_list("pk", "public_name")
    )
    for pk, public_name in people.iterator(chunk_size=CHUNK):
        yield {"id": _person_id(pk), "name": public_name}


def _posts(sources: PopoloSources) -> Iterator[PopoloPost]:
    role = str(Role.SPOKESPERSON.label)
    for kind, unit_slug, unit_name in _bodies(sources):
        yield {
            "id": _post_id(unit_slug, kind),
            "label": _("Spokesperson in %(seat)s, %(organisation)s")
            % {"seat": BodyKind(kind).label, "organisation": unit_name},
            "organization_id": _body_id(unit_slug, kind),
            "role": role,
        }
    spanish = (get_language() or "es").startswith("es")
    committees = (
        _current_mandates(sources)
        .filter(committee__isnull=False)
        .order_by("organisation__slug", "committee__code")
        .values_list(
            "organisation__slug",
            "organisation__name",
            "committee__code",
            "committee__name",
            "committee__name_es",
        )
        .distinct()
    )
    for unit_slug, unit_name, code, name, name_es in committees.iterator(chunk_size=CHUNK):
        yield {
            "id": _post_id(unit_slug, f"committee/{code}"),
            "label": _("Spokesperson in %(seat)s, %(organisation)s")
            % {"seat": name_es if spanish else name, "organisation": unit_name},
            "organization_id": unit_slug,
            "role": role,
        }


def _memberships(sources: PopoloSources) -> Iterator[PopoloMembership]:
    mandates = (
        _current_mandates(sources)
        .order_by("organisation__slug", "pk")
        .values_list(
            "pk",
            "person_id",
            "organisation__slug",
            "body__kind",
            "committee__code",
            "position",
            "start",
            "end",
        )
    )
    for pk, person_id, unit_slug, body_kind, committee, position, start, end in mandates.iterator(
        chunk_size=CHUNK
    ):
        if body_kind:
            organization_id = _body_id(unit_slug, body_kind)
            post_id = _post_id(unit_slug, body_kind)
        else:
            organization_id = unit_slug
            post_id = _post_id(unit_slug, f"committee/{committee}")
        yield {
            "id": f"mandate-{pk}",
            "person_id": _person_id(person_id),
            "organization_id": organization_id,
            "post_id": post_id,
            "role": position,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        }


def popolo(sources: PopoloSources) -> PopoloDocument:
    """The network as a Popolo document (https://www.popoloproject.com/specs/): the network,
    aggregations, communes, councils and their bodies as organizations; the people holding a
    current mandate (public name only); a post per body and per committee seat; a membership
    per current mandate. Nine queries whatever the size."""
    return {
        "organizations": list(_organizations(sources)),
        "persons": list(_persons(sources)),
        "posts": list(_posts(sources)),
        "memberships": list(_memberships(sources)),
    }


def popolo_lines(sources: PopoloSources) -> Iterator[str]:
    """The same document as `popolo`, as pieces of text to stream."""
    sections: list[tuple[str, Iterable[Any]]] = [
        ("organizations", _organizations(sources)),
        ("persons", _persons(sources)),
        ("posts", _posts(sources)),
        ("memberships", _memberships(sources)),
    ]
    for index, (key, items) in enumerate(sections):
        yield ("{" if index == 0 else ",") + _dumps(key) + ":"
        yield from _json_array(items)
    yield "}"
