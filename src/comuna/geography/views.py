"""Pages of the geography module: states, municipalities, parishes, and a parish search."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.vary import vary_on_headers

from comuna.core.fragments import cache_public_get
from comuna.core.pagination import paginate
from comuna.geography import maps, queries
from comuna.geography.forms import ParishSearchForm

SEARCH_PAGE_SIZE = 50


@cache_public_get()
def index(request: HttpRequest) -> HttpResponse:
    states = list(queries.states_list())
    return render(
        request,
        "geography/index.html",
        {
            "states": states,
            "municipality_total": sum(state.municipality_count for state in states),
            "parish_total": sum(state.parish_count for state in states),
            "map": maps.state_map(),
        },
    )


@cache_public_get()
def state_detail(request: HttpRequest, state: str) -> HttpResponse:
    found = queries.state_get(state)
    return render(
        request,
        "geography/state.html",
        {
            "state": found,
            "municipalities": list(queries.municipalities_of(state=found)),
            "map": maps.state_map(current=found.code),
        },
    )


@cache_public_get()
def municipality_detail(request: HttpRequest, state: str, municipality: str) -> HttpResponse:
    found = queries.municipality_get(state=state, slug=municipality)
    return render(
        request,
        "geography/municipality.html",
        {
            "municipality": found,
            "state": found.state,
            "parishes": list(queries.parishes_of(municipality=found)),
        },
    )


@vary_on_headers("HX-Request")
def search(request: HttpRequest) -> HttpResponse:
    form = ParishSearchForm(request.GET or None, states=queries.state_choices())
    page, query = None, ""
    if form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["state"]):
        results = queries.parish_search(q=form.cleaned_data["q"], state=form.cleaned_data["state"])
        page, query = paginate(request, results, SEARCH_PAGE_SIZE)
    htmx = getattr(request, "htmx", False)
    template = "geography/search.html#results" if htmx else "geography/search.html"
    return render(request, template, {"form": form, "page": page, "query": query})


@cache_control(public=True, max_age=3600)
def outlines_geojson(request: HttpRequest) -> HttpResponse:
    body = json.dumps(queries.outlines_feature_collection(), separators=(",", ":"))
    response = HttpResponse(body, content_type="application/geo+json")
    response["Content-Disposition"] = 'inline; filename="contornos-estados.geojson"'
    return response
