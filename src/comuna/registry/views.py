"""Pages of the registry: network map, directory, profiles, graph and coordinator forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from comuna.core import access
from comuna.core.errors import DomainError
from comuna.core.forms import add_domain_error, form_page
from comuna.core.fragments import cache_public_get, cached_fragment, data_version
from comuna.core.pagination import is_htmx, paginate
from comuna.dialogue import queries as dialogue_queries
from comuna.geography import maps
from comuna.registry import actions, charts, queries
from comuna.registry.capacity import Indicators
from comuna.registry.forms import (
    AggregationForm,
    AssessmentForm,
    CommuneForm,
    CouncilForm,
    DirectoryFilterForm,
    JoinForm,
    LeaveForm,
    LinkForm,
    MandateForm,
    RevokeForm,
)
from comuna.registry.models import (
    Body,
    CommitteeType,
    CommunalCouncil,
    Commune,
    LinkKind,
    Mandate,
)

MAP_LIMIT = 600


def filters_from(request: HttpRequest) -> queries.Filters:
    level = request.GET.get("nivel", "")
    link_kind = request.GET.get("enlace", "")
    return queries.Filters(
        q=request.GET.get("q", "").strip()[:100],
        state=request.GET.get("estado", "").strip()[:8],
        level=int(level) if level in {"1", "2", "3", "4"} else None,
        status=request.GET.get("estatus", "").strip()[:16],
        link_kind=link_kind if link_kind in LinkKind.values else "",
        scope=request.GET.get("ambito", "").strip()[:16],
        commune=request.GET.get("comuna", "").strip()[:120],
    )


def filters_html(request: HttpRequest, *, with_kind: bool = False) -> SafeString:
    """The filter form, rendered once for each query string and language."""

    def render_form() -> str:
        form = DirectoryFilterForm(request.GET or None, states=queries.states_for_filter())
        return render_to_string(
            "registry/_filters.html",
            {"form": form, "with_kind": with_kind, "with_search": with_kind},
            request=request,
        )

    key = f"registry:filters:{request.path}:{request.GET.urlencode()}:{with_kind}:{get_language()}"
    return cached_fragment(f"{key}:{data_version()}", render_form)


def commune_dots(points: list[queries.MapPoint], degree: dict[str, int] | None = None) -> list[Any]:
    dots = []
    for p in points:
        lonely = (degree.get(p.slug, 0) if degree is not None else p.links) == 0
        dots.append(
            maps.dot(
                p.lon,
                p.lat,
                p.name,
                url=reverse("registry:commune", args=[p.slug]),
                css="dot lonely" if lonely else "dot",
            )
        )
    return dots


@cache_public_get()
@vary_on_headers("HX-Request")
def home(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request)

    def results() -> str:
        points, total = queries.map_points(filters, MAP_LIMIT)
        return render_to_string(
            "registry/home.html#results",
            {
                "map": maps.state_map(current=filters.state or None, dots=commune_dots(points)),
                "shown": len(points),
                "total": total,
                "counts": queries.counts_by_state(filters),
            },
            request=request,
        )

    key = f"registry:home:{filters}:{data_version()}:{get_language()}"
    fragment = cached_fragment(key, results)
    if is_htmx(request):
        return HttpResponse(fragment)
    context = {
        "filters": filters_html(request),
        "results": fragment,
        "can_register": queries.can_register_communes(request.user),
    }
    return render(request, "registry/home.html", context)


@cache_public_get()
@vary_on_headers("HX-Request")
def directory(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request)
    kind = request.GET.get("tipo", "comunas")
    if kind not in {"comunas", "consejos", "agregaciones"}:
        kind = "comunas"

    def results() -> str:
        items: Any
        if kind == "consejos":
            items = queries.councils(filters)
        elif kind == "agregaciones":
            items = queries.aggregations(filters)
        else:
            items = queries.communes(filters)
        page, query = paginate(request, items)
        return render_to_string(
            "registry/directory.html#results",
            {"kind": kind, "page": page, "query": query, "export_query": request.GET.urlencode()},
            request=request,
        )

    key = f"registry:directory:{request.GET.urlencode()}:{data_version()}:{get_language()}"
    fragment = cached_fragment(key, results)
    if is_htmx(request):
        return HttpResponse(fragment)
    context = {
        "filters": filters_html(request, with_kind=True),
        "results": fragment,
        "can_register": queries.can_register_communes(request.user),
    }
    return render(request, "registry/directory.html", context)


@cache_public_get()
def commune(request: HttpRequest, slug: str) -> HttpResponse:
    header = queries.commune_header(user=request.user, slug=slug)
    language = get_language() or "es"

    def body() -> str:
        item = queries.commune_get(user=request.user, slug=slug)
        assessments = list(queries.assessments_of(item))
        dots = (
            [maps.dot(item.lon, item.lat, item.name, css="dot")]
            if item.lon is not None and item.lat is not None
            else []
        )
        return render_to_string(
            "registry/commune.html#body",
            {
                "commune": item,
                "councils": queries.councils_of(item),
                "history": queries.council_history(item)[:50],
                "seats": queries.seats(item, language),
                "links": queries.links_of(item),
                "assessments": assessments,
                "chart": charts.capacity_chart(assessments),
                "aggregations": queries.aggregations_of(item),
                "map": maps.state_map(current=item.state.code, dots=dots),
                # What the dialogue module adds: open commitments with government (public).
                "organisation": item,
                "commitments": dialogue_queries.open_commitments_for(item),
                "today": timezone.localdate(),
            },
            request=request,
        )

    key = f"registry:commune:{header['pk']}:{data_version()}:{language}"
    return render(
        request,
        "registry/commune.html",
        {
            "commune": header,
            "perms": queries.permissions_for(request.user, header["pk"]),
            "body": cached_fragment(key, body),
        },
    )


@cache_public_get()
def council(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.council_get(user=request.user, slug=slug)
    return render(
        request,
        "registry/council.html",
        {
            "council": item,
            "perms": queries.permissions_for(request.user, item),
            "seats": queries.seats(item, get_language() or "es"),
            "links": queries.links_of(item),
        },
    )


@cache_public_get()
def aggregation(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.aggregation_get(user=request.user, slug=slug)
    members = list(queries.members_of(item))
    dots = [
        maps.dot(c.lon, c.lat, c.name, url=reverse("registry:commune", args=[c.slug]))
        for c in members
        if c.lon is not None and c.lat is not None
    ]
    current = members[0].state.code if members else None
    return render(
        request,
        "registry/aggregation.html",
        {
            "aggregation": item,
            "members": members,
            "links": queries.links_of(item),
            "map": maps.state_map(current=current, dots=dots),
        },
    )


@cache_public_get()
@vary_on_headers("HX-Request")
def graph(request: HttpRequest) -> HttpResponse:
    filters = filters_from(request)

    def results() -> str:
        data = queries.graph(filters, limit=MAP_LIMIT)
        positions = {n.slug: maps.project(n.lon, n.lat) for n in data.nodes}
        edges = [
            {
                "x1": positions[s][0],
                "y1": positions[s][1],
                "x2": positions[t][0],
                "y2": positions[t][1],
                "kind": k,
            }
            for s, t, k in data.edges
        ]
        return render_to_string(
            "registry/graph.html#results",
            {
                "graph": data,
                "edges": edges,
                "map": maps.state_map(
                    current=filters.state or None, dots=commune_dots(data.nodes, data.degree)
                ),
            },
            request=request,
        )

    key = f"registry:graph:{filters}:{data_version()}:{get_language()}"
    fragment = cached_fragment(key, results)
    if is_htmx(request):
        return HttpResponse(fragment)
    return render(
        request, "registry/graph.html", {"filters": filters_html(request), "results": fragment}
    )


# Coordinator forms --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def commune_new(request: HttpRequest) -> HttpResponse:
    if not queries.can_register_communes(request.user):
        raise PermissionDenied(_("Only a coordinator of the network may register communes."))
    form = CommuneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.commune_register(actor=request.user, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The commune was registered."))
            return redirect("registry:commune", slug=item.slug)
    return form_page(
        request, form, title=_("Register a commune"), back=reverse("registry:directory")
    )


@login_required
@require_http_methods(["GET", "POST"])
def commune_edit(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.commune_get(user=request.user, slug=slug)
    access.require_change(request.user, owner_id=item.pk)
    initial = {
        "name": item.name,
        "registry_code": item.registry_code,
        "parish": item.parish.code,
        "charter_date": item.charter_date,
        "status": item.status,
        "seat": item.seat,
        "description": item.description,
        "lon": item.lon,
        "lat": item.lat,
    }
    form = CommuneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("territory") is None:
            data.pop("territory")
        try:
            actions.commune_update(actor=request.user, commune=item, **data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The commune was saved."))
            return redirect("registry:commune", slug=item.slug)
    return form_page(
        request, form, title=_("Edit %(name)s") % {"name": item.name}, back=item_url(item)
    )


def item_url(item: Commune | CommunalCouncil) -> str:
    if isinstance(item, Commune):
        return reverse("registry:commune", args=[item.slug])
    return reverse("registry:council", args=[item.slug])


@login_required
@require_http_methods(["GET", "POST"])
def council_new(request: HttpRequest, slug: str) -> HttpResponse:
    parent = queries.commune_get(user=request.user, slug=slug)
    access.require_change(request.user, owner_id=parent.pk)
    form = CouncilForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.council_register(actor=request.user, commune=parent, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The communal council was registered."))
            return redirect("registry:council", slug=item.slug)
    return form_page(
        request,
        form,
        title=_("Register a communal council in %(name)s") % {"name": parent.name},
        back=item_url(parent),
    )


@login_required
@require_http_methods(["GET", "POST"])
def council_edit(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.council_get(user=request.user, slug=slug)
    access.require_change(request.user, owner_id=item.pk)
    initial = {
        "name": item.name,
        "registry_code": item.registry_code,
        "parish": item.parish.code,
        "scope": item.scope,
        "households": item.households,
        "population": item.population,
        "founded": item.founded,
        "status": item.status,
        "lon": item.lon,
        "lat": item.lat,
    }
    form = CouncilForm(request.POST or None, initial=initial)
    form.fields["registry_code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("registry_code")
        if data.get("territory") is None:
            data.pop("territory")
        try:
            actions.council_update(actor=request.user, council=item, **data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The communal council was saved."))
            return redirect("registry:council", slug=item.slug)
    return form_page(
        request, form, title=_("Edit %(name)s") % {"name": item.name}, back=item_url(item)
    )


@login_required
@require_http_methods(["GET", "POST"])
def council_join(request: HttpRequest, slug: str) -> HttpResponse:
    parent = queries.commune_get(user=request.user, slug=slug)
    access.require_change(request.user, owner_id=parent.pk)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["council"].strip()
        found = (
            CommunalCouncil.objects.filter(slug=key).first()
            or CommunalCouncil.objects.filter(registry_code=key).first()
        )
        if found is None:
            form.add_error("council", _("No communal council has that short name or code."))
        else:
            try:
                actions.council_join(
                    actor=request.user, council=found, commune=parent, on=form.cleaned_data["on"]
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The council joined the commune."))
                return redirect("registry:commune", slug=parent.slug)
    return form_page(
        request,
        form,
        title=_("A council joins %(name)s") % {"name": parent.name},
        back=item_url(parent),
    )


@login_required
@require_http_methods(["GET", "POST"])
def council_leave(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.council_get(user=request.user, slug=slug)
    if item.commune_id is None:
        raise Http404
    access.require_change(request.user, owner_id=item.commune_id)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.council_leave(actor=request.user, council=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The council left the commune."))
            return redirect("registry:council", slug=item.slug)
    return form_page(
        request,
        form,
        title=_("%(council)s leaves %(commune)s")
        % {"council": item.name, "commune": item.commune.name if item.commune else ""},
        back=item_url(item),
        submit=_("Confirm"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def aggregation_new(request: HttpRequest) -> HttpResponse:
    if not queries.can_register_communes(request.user):
        raise PermissionDenied(_("Only a coordinator of the network may form aggregations."))
    form = AggregationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        slugs = form.cleaned_data.pop("communes")
        found = list(Commune.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {c.slug for c in found})
        if missing:
            form.add_error(
                "communes", _("Unknown communes: %(slugs)s") % {"slugs": ", ".join(missing)}
            )
        else:
            try:
                item = actions.aggregation_form(
                    actor=request.user, communes=found, **form.cleaned_data
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The aggregation was formed."))
                return redirect("registry:aggregation", slug=item.slug)
    return form_page(
        request, form, title=_("Form an aggregation of communes"), back=reverse("registry:home")
    )


def _organisation_for_change(request: HttpRequest, slug: str) -> Commune | CommunalCouncil:
    item: Commune | CommunalCouncil | None = (
        Commune.objects.filter(slug=slug).first()
        or CommunalCouncil.objects.filter(slug=slug).first()
    )
    if item is None:
        raise Http404
    access.require_change(request.user, owner_id=item.pk)
    return item


@login_required
@require_http_methods(["GET", "POST"])
def mandate_new(request: HttpRequest, slug: str) -> HttpResponse:
    item = _organisation_for_change(request, slug)
    language = get_language() or "es"
    people = list(queries.people_for_mandates(item).values_list("pk", "public_name"))
    bodies = [(b.pk, str(b)) for b in Body.objects.filter(organisation=item)]
    committees = list(queries.committee_types())
    form = MandateForm(
        request.POST or None, people=people, bodies=bodies, committees=committees, language=language
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kind, _sep, pk = data["seat"].partition(":")
        body = Body.objects.filter(pk=pk, organisation=item).first() if kind == "body" else None
        committee = CommitteeType.objects.filter(pk=pk).first() if kind == "committee" else None
        person = queries.people_for_mandates(item).filter(pk=data["person"]).first()
        if person is None:
            form.add_error("person", _("Choose a person of this unit."))
        else:
            try:
                actions.mandate_grant(
                    actor=request.user,
                    person=person,
                    organisation=item,
                    body=body,
                    committee=committee,
                    position=data["position"],
                    start=data["start"],
                    end=data["end"],
                    decision=data["decision"],
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The mandate was granted."))
                return redirect(reverse("registry:mandates", args=[item.slug]))
    return form_page(
        request, form, title=_("New mandate in %(name)s") % {"name": item.name}, back=item_url(item)
    )


@login_required
def mandates(request: HttpRequest, slug: str) -> HttpResponse:
    item = _organisation_for_change(request, slug)
    page, query = paginate(request, queries.mandates_for_management(item), per_page=50)
    return render(
        request,
        "registry/mandates.html",
        {"organisation": item, "back": item_url(item), "page": page, "query": query},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mandate_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = Mandate.objects.select_related("organisation", "person").filter(pk=pk).first()
    if mandate is None:
        raise Http404
    access.require_change(request.user, owner_id=mandate.organisation_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.mandate_revoke(actor=request.user, mandate=mandate, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The mandate was revoked."))
            return redirect(reverse("registry:mandates", args=[mandate.organisation.slug]))
    return form_page(
        request,
        form,
        title=_("Revoke the mandate of %(person)s") % {"person": mandate.person.public_name},
        back=reverse("registry:mandates", args=[mandate.organisation.slug]),
        submit=_("Revoke"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def link_new(request: HttpRequest, slug: str) -> HttpResponse:
    source = queries.organisation_get(slug=slug)
    access.require_change(request.user, owner_id=source.pk)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        from comuna.core.models import Organisation

        target = Organisation.objects.filter(slug=data["target"].strip()).first()
        if target is None:
            form.add_error("target", _("No organisation has that short name."))
        else:
            try:
                actions.link_create(
                    actor=request.user,
                    source=source,
                    target=target,
                    kind=data["kind"],
                    description=data["description"],
                    since=data["since"],
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The link was recorded."))
                return redirect(_profile_url(source))
    return form_page(
        request,
        form,
        title=_("Link %(name)s with another organisation") % {"name": source.name},
        back=_profile_url(source),
    )


def _profile_url(org: Any) -> str:
    names = {
        "commune": "registry:commune",
        "council": "registry:council",
        "aggregation": "registry:aggregation",
    }
    name = names.get(org.kind)
    return reverse(name, args=[org.slug]) if name else reverse("registry:home")


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.commune_get(user=request.user, slug=slug)
    access.require_change(request.user, owner_id=item.pk)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        day = data.pop("assessed_on")
        notes = data.pop("notes")
        try:
            result = actions.assessment_record(
                actor=request.user,
                commune=item,
                assessed_on=day,
                indicators=Indicators(**data),
                notes=notes,
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(
                request, _("Assessment recorded: level %(level)s.") % {"level": result.level}
            )
            return redirect("registry:commune", slug=item.slug)
    return form_page(
        request,
        form,
        title=_("Assess the capacity of %(name)s") % {"name": item.name},
        back=item_url(item),
    )
