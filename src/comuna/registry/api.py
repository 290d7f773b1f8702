"""Registry API: communes, councils, aggregations, links, and the network as GeoJSON."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import PageNumberPagination, paginate

from comuna.core.auth import token_required
from comuna.core.errors import DomainError
from comuna.core.fragments import cache_public_get
from comuna.geography.models import Parish
from comuna.registry import actions, queries
from comuna.registry.models import Aggregation, CommunalCouncil, Commune, Link

router = Router(tags=["registry"])


class ListFilters(Schema):
    q: str = Field("", description="Part of the name or registry code.")
    state: str = Field("", description="ISO 3166-2 code of the state, e.g. VE-K (Lara).")
    level: int | None = Field(None, ge=1, le=4, description="Capacity level 1-4 (communes).")
    status: str = ""
    link_kind: str = Field("", description="Only communes with an open link of this type.")
    scope: str = Field("", description="urban, rural or indigenous (councils).")
    commune: str = Field("", description="Slug of the commune (councils).")

    def filters(self) -> queries.Filters:
        return queries.Filters(
            q=self.q.strip(),
            state=self.state.strip(),
            level=self.level,
            status=self.status.strip(),
            link_kind=self.link_kind.strip(),
            scope=self.scope.strip(),
            commune=self.commune.strip(),
        )


class PlaceOut(Schema):
    state: str
    state_name: str
    municipality: str
    parish: str
    parish_code: str
    lon: float | None
    lat: float | None


class CommuneOut(Schema):
    slug: str
    name: str
    registry_code: str
    status: str
    charter_date: date | None
    capacity_level: int | None
    council_count: int
    link_count: int
    place: PlaceOut

    @staticmethod
    def resolve_place(obj: Any) -> dict[str, Any]:
        return obj["place"] if isinstance(obj, dict) else place_of(obj)


def place_of(obj: Commune | CommunalCouncil) -> dict[str, Any]:
    return {
        "state": obj.state.code,
        "state_name": obj.state.name,
        "municipality": obj.parish.municipality.name,
        "parish": obj.parish.name,
        "parish_code": obj.parish.code,
        "lon": obj.lon,
        "lat": obj.lat,
    }


class SeatOut(Schema):
    label: str
    principals: list[str]
    alternates: list[str]


class LinkOut(Schema):
    other: str
    other_name: str
    kind: str
    description: str
    since: date
    outgoing: bool


class AssessmentOut(Schema):
    assessed_on: date
    level: int


class CouncilBriefOut(Schema):
    slug: str
    name: str
    registry_code: str
    scope: str
    status: str


class CommuneDetailOut(CommuneOut):
    seat: str
    description: str
    territory: dict[str, Any] | None
    councils: list[CouncilBriefOut]
    seats: list[SeatOut]
    links: list[LinkOut]
    assessments: list[AssessmentOut]
    aggregations: list[str]


class CouncilOut(Schema):
    slug: str
    name: str
    registry_code: str
    scope: str
    status: str
    households: int | None
    population: int | None
    founded: date | None
    commune: str | None
    place: PlaceOut

    @staticmethod
    def resolve_commune(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj["commune"]
        return obj.commune.slug if obj.commune_id else None

    @staticmethod
    def resolve_place(obj: Any) -> dict[str, Any]:
        return obj["place"] if isinstance(obj, dict) else place_of(obj)


class CouncilDetailOut(CouncilOut):
    territory: dict[str, Any] | None
    seats: list[SeatOut]
    links: list[LinkOut]


class AggregationOut(Schema):
    slug: str
    name: str
    aggregation_kind: str
    formed: date | None
    communes: list[str]


class PlaceIn(Schema):
    parish: str = Field(..., description="Parish code, e.g. VE-K-08-03.")
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    territory: dict[str, Any] | None = Field(None, description="GeoJSON Polygon/MultiPolygon.")


class CommuneIn(PlaceIn):
    name: str = Field(..., min_length=1, max_length=200)
    registry_code: str = Field(..., min_length=1, max_length=40)
    charter_date: date | None = None
    status: str = "forming"
    seat: str = ""
    description: str = ""


class CommunePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    registry_code: str | None = Field(None, min_length=1, max_length=40)
    charter_date: date | None = None
    status: str | None = None
    seat: str | None = None
    description: str | None = None
    parish: str | None = None
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    territory: dict[str, Any] | None = None


class CouncilIn(PlaceIn):
    name: str = Field(..., min_length=1, max_length=200)
    registry_code: str = Field(..., min_length=1, max_length=40)
    scope: str
    commune: str | None = Field(None, description="Slug of the commune it belongs to.")
    households: int | None = Field(None, ge=0)
    population: int | None = Field(None, ge=0)
    founded: date | None = None
    status: str = "active"


class CouncilPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    scope: str | None = None
    households: int | None = Field(None, ge=0)
    population: int | None = Field(None, ge=0)
    founded: date | None = None
    status: str | None = None
    parish: str | None = None
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    territory: dict[str, Any] | None = None


def parish_or_error(code: str) -> Parish:
    parish = Parish.objects.select_related("municipality__state").filter(code=code).first()
    if parish is None:
        raise DomainError(
            _("No parish has the code “%(code)s”.") % {"code": code},
            fields={"parish": [_("Unknown parish code.")]},
        )
    return parish


def links_out(org: Any) -> list[dict[str, Any]]:
    return [
        {
            "other": row.other_slug,
            "other_name": row.other_name,
            "kind": row.kind,
            "description": row.description,
            "since": row.since,
            "outgoing": row.outgoing,
        }
        for row in queries.links_of(org)
    ]


def seats_out(org: Any) -> list[dict[str, Any]]:
    return [
        {"label": s.label, "principals": s.principals, "alternates": s.alternates}
        for s in queries.seats(org, get_language() or "es")
    ]


def commune_detail(commune: Commune) -> dict[str, Any]:
    return {
        "slug": commune.slug,
        "name": commune.name,
        "registry_code": commune.registry_code,
        "status": commune.status,
        "charter_date": commune.charter_date,
        "capacity_level": commune.capacity_level,
        "council_count": commune.council_count,
        "link_count": commune.link_count,
        "place": place_of(commune),
        "seat": commune.seat,
        "description": commune.description,
        "territory": commune.territory,
        "councils": list(queries.councils_of(commune)),
        "seats": seats_out(commune),
        "links": links_out(commune),
        "assessments": list(queries.assessments_of(commune)),
        "aggregations": [a.slug for a in queries.aggregations_of(commune)],
    }


def council_detail(council: CommunalCouncil) -> dict[str, Any]:
    return {
        "slug": council.slug,
        "name": council.name,
        "registry_code": council.registry_code,
        "scope": council.scope,
        "status": council.status,
        "households": council.households,
        "population": council.population,
        "founded": council.founded,
        "commune": council.commune.slug if council.commune else None,
        "place": place_of(council),
        "territory": council.territory,
        "seats": seats_out(council),
        "links": links_out(council),
    }


@router.get("/communes", response=list[CommuneOut], summary="List communes")
@decorate_view(cache_public_get())
@paginate(PageNumberPagination)
def commune_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    # In the order they were registered: stable across pages and cheap to page through.
    return queries.communes(filters.filters()).order_by("pk")


@router.get("/communes/{slug}", response=CommuneDetailOut, summary="A commune")
def commune_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    return commune_detail(queries.commune_get(user=request.user, slug=slug))


@router.post(
    "/communes", response={201: CommuneDetailOut}, auth=token_required, summary="Register a commune"
)
def commune_create(request: HttpRequest, payload: CommuneIn) -> Status[dict[str, Any]]:
    data = payload.dict()
    data["parish"] = parish_or_error(data["parish"])
    commune = actions.commune_register(actor=request.user, **data)
    return Status(201, commune_detail(queries.commune_get(user=request.user, slug=commune.slug)))


@router.patch(
    "/communes/{slug}", response=CommuneDetailOut, auth=token_required, summary="Update a commune"
)
def commune_patch(request: HttpRequest, slug: str, payload: CommunePatch) -> dict[str, Any]:
    commune = queries.commune_get(user=request.user, slug=slug)
    data = payload.dict(exclude_unset=True)
    if "parish" in data:
        data["parish"] = parish_or_error(data["parish"] or "")
    actions.commune_update(actor=request.user, commune=commune, **data)
    return commune_detail(queries.commune_get(user=request.user, slug=slug))


@router.get("/councils", response=list[CouncilOut], summary="List communal councils")
@decorate_view(cache_public_get())
@paginate(PageNumberPagination)
def council_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    return queries.councils(filters.filters()).order_by("pk")


@router.get("/councils/{slug}", response=CouncilDetailOut, summary="A communal council")
def council_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    return council_detail(queries.council_get(user=request.user, slug=slug))


@router.post(
    "/councils",
    response={201: CouncilDetailOut},
    auth=token_required,
    summary="Register a communal council",
)
def council_create(request: HttpRequest, payload: CouncilIn) -> Status[dict[str, Any]]:
    data = payload.dict()
    data["parish"] = parish_or_error(data["parish"])
    commune_slug = data.pop("commune")
    data["commune"] = (
        queries.commune_get(user=request.user, slug=commune_slug) if commune_slug else None
    )
    council = actions.council_register(actor=request.user, **data)
    return Status(201, council_detail(queries.council_get(user=request.user, slug=council.slug)))


@router.patch(
    "/councils/{slug}",
    response=CouncilDetailOut,
    auth=token_required,
    summary="Update a communal council",
)
def council_patch(request: HttpRequest, slug: str, payload: CouncilPatch) -> dict[str, Any]:
    council = queries.council_get(user=request.user, slug=slug)
    data = payload.dict(exclude_unset=True)
    if "parish" in data:
        data["parish"] = parish_or_error(data["parish"] or "")
    actions.council_update(actor=request.user, council=council, **data)
    return council_detail(queries.council_get(user=request.user, slug=slug))


@router.get("/aggregations", response=list[AggregationOut], summary="List aggregations")
@decorate_view(cache_public_get())
@paginate(PageNumberPagination)
def aggregation_list(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    qs = queries.aggregations(filters.filters()).prefetch_related("members__commune")
    return [
        {
            "slug": a.slug,
            "name": a.name,
            "aggregation_kind": a.aggregation_kind,
            "formed": a.formed,
            "communes": [m.commune.slug for m in a.members.all() if m.left is None],
        }
        for a in qs
    ]


@router.get("/aggregations/{slug}", response=AggregationOut, summary="An aggregation")
def aggregation_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    a = get_object_or_404(Aggregation, slug=slug)
    return {
        "slug": a.slug,
        "name": a.name,
        "aggregation_kind": a.aggregation_kind,
        "formed": a.formed,
        "communes": [c.slug for c in queries.members_of(a)],
    }


class LinkListOut(Schema):
    source: str
    target: str
    kind: str
    description: str
    since: date


@router.get("/links", response=list[LinkListOut], summary="Open links between organisations")
@decorate_view(cache_public_get())
@paginate(PageNumberPagination)
def link_list(request: HttpRequest, kind: str = "") -> Any:
    qs = Link.objects.filter(ended__isnull=True).order_by("pk")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.values(
        "kind",
        "description",
        "since",
        source=models_f("source__slug"),
        target=models_f("target__slug"),
    )


def models_f(name: str) -> Any:
    from django.db.models import F

    return F(name)


@router.get(
    "/network.geojson",
    summary="The communes of the network as GeoJSON (RFC 7946)",
    response={200: dict[str, Any]},
)
def network_geojson(request: HttpRequest, filters: Query[ListFilters]) -> HttpResponse:
    from comuna.registry import exports

    return JsonResponse(
        exports.geojson(queries.communes(filters.filters())),
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
