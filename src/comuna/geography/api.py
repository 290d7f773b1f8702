"""The geography API, mounted at /api/v1/geography/: public reference data, read only."""

from __future__ import annotations

import json
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, ModelSchema, Query, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import PageNumberPagination, paginate

from comuna.core.fragments import cache_public_get
from comuna.geography import queries
from comuna.geography.models import Municipality, Parish, State

router = Router(tags=["geography"])

MAX_PAGE_SIZE = 200


class StateRefOut(ModelSchema):
    class Meta:
        model = State
        fields = ["code", "name", "slug"]


class MunicipalityRefOut(ModelSchema):
    class Meta:
        model = Municipality
        fields = ["code", "name", "slug"]


class StateOut(ModelSchema):
    municipality_count: int
    parish_count: int
    bbox: list[float] | None = Field(
        None, description="[west, south, east, north] in WGS84 degrees."
    )

    class Meta:
        model = State
        fields = ["code", "name", "slug", "capital"]

    @staticmethod
    def resolve_bbox(obj: State) -> list[float] | None:
        return list(obj.bbox) if obj.bbox else None


class MunicipalityOut(ModelSchema):
    parish_count: int

    class Meta:
        model = Municipality
        fields = ["code", "name", "slug", "capital"]


class StateDetailOut(StateOut):
    municipalities: list[MunicipalityOut]

    @staticmethod
    def resolve_municipalities(obj: State) -> list[Municipality]:
        return list(queries.municipalities_of(state=obj))


class ParishRefOut(ModelSchema):
    class Meta:
        model = Parish
        fields = ["code", "name", "slug"]


class MunicipalityDetailOut(ModelSchema):
    parish_count: int
    state: StateRefOut
    parishes: list[ParishRefOut]

    class Meta:
        model = Municipality
        fields = ["code", "name", "slug", "capital"]

    @staticmethod
    def resolve_parishes(obj: Municipality) -> list[Parish]:
        return list(queries.parishes_of(municipality=obj))


class ParishOut(ModelSchema):
    municipality: MunicipalityRefOut
    state: StateRefOut

    class Meta:
        model = Parish
        fields = ["code", "name", "slug"]

    @staticmethod
    def resolve_state(obj: Parish) -> State:
        return obj.municipality.state


class GeometryOut(Schema):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any]


class OutlinePropertiesOut(Schema):
    code: str
    name: str


class FeatureOut(Schema):
    type: Literal["Feature"]
    properties: OutlinePropertiesOut
    geometry: GeometryOut


class FeatureCollectionOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[FeatureOut]


@router.get("/states", response=list[StateOut], summary="List the states")
@decorate_view(cache_public_get())
def state_list(request: HttpRequest) -> Any:
    """Every state, with its numbers of municipalities and parishes, by name."""
    return queries.states_list()


@router.get("/states/{code}", response=StateDetailOut, summary="Get a state")
@decorate_view(cache_public_get())
def state_detail(request: HttpRequest, code: str) -> Any:
    """A state by ISO 3166-2 code ("VE-K") or slug, with its municipalities."""
    return queries.state_get(code)


@router.get(
    "/states/{code}/municipalities",
    response=list[MunicipalityOut],
    summary="List the municipalities of a state",
)
@decorate_view(cache_public_get())
def state_municipalities(request: HttpRequest, code: str) -> Any:
    return queries.municipalities_of(state=queries.state_get(code))


@router.get("/municipalities/{code}", response=MunicipalityDetailOut, summary="Get a municipality")
@decorate_view(cache_public_get())
def municipality_detail(request: HttpRequest, code: str) -> Any:
    """A municipality by its code ("VE-K-07"), with its state and parishes."""
    return queries.municipality_get(code=code)


@router.get("/parishes", response=list[ParishOut], summary="Search parishes")
@decorate_view(cache_public_get())
@paginate(PageNumberPagination, max_page_size=MAX_PAGE_SIZE)
def parish_list(
    request: HttpRequest,
    q: str = Query("", max_length=100, description="Words of the name; case and accents ignored."),
    state: str | None = Query(None, max_length=60, description="ISO code or slug of a state."),
    municipality: str | None = Query(None, max_length=12, description="A municipality's code."),
) -> Any:
    """Parishes by name, ignoring case and accents, optionally within a state or a
    municipality. (Plain parameters rather than a filter Schema: `paginate` wraps the view,
    and its annotations must resolve as builtins.)"""
    return queries.parish_search(q=q, state=state, municipality=municipality)


@router.get(
    "/outlines.geojson",
    response=FeatureCollectionOut,
    summary="State outlines as GeoJSON",
)
@decorate_view(cache_public_get())
def outlines(request: HttpRequest) -> HttpResponse:
    """The simplified state outlines as an RFC 7946 FeatureCollection (WGS84 longitude and
    latitude; properties `code` and `name`), served as `application/geo+json`. Source:
    geoBoundaries VEN ADM1 (CC BY 3.0 IGO), simplified."""
    body = json.dumps(queries.outlines_feature_collection(), separators=(",", ":"))
    return HttpResponse(body, content_type="application/geo+json")
