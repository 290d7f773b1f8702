"""Reads of the registry, already scoped to the user.

The registry is public: names, codes, places, bodies and the public names of spokespeople.
Personal data of spokespeople (ID, phone, e-mail, address) is never read here. Every list owns
its select_related/prefetch so that the number of queries does not grow with the data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from comuna.core import access
from comuna.core.models import Organisation, OrganisationKind, Person, Role
from comuna.geography.models import State
from comuna.registry.models import (
    Aggregation,
    AggregationMember,
    Body,
    CapacityAssessment,
    CommitteeType,
    CommunalCouncil,
    Commune,
    CouncilMembership,
    Link,
    Mandate,
    MandateStatus,
)

if TYPE_CHECKING:
    from comuna.core.access import AnyUser


@dataclass(frozen=True)
class Filters:
    q: str = ""
    state: str = ""  # ISO code, e.g. VE-K
    level: int | None = None
    status: str = ""
    link_kind: str = ""
    scope: str = ""
    commune: str = ""  # slug


@dataclass(frozen=True)
class Permissions:
    change: bool
    coordinate: bool
    read_all: bool


def permissions_for(user: AnyUser | None, organisation: Organisation | int) -> Permissions:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    if user is None or not user.is_authenticated:
        return Permissions(change=False, coordinate=False, read_all=False)
    return Permissions(
        change=access.can_change(user, owner_id=org_id),
        coordinate=access.can_coordinate(user, owner_id=org_id),
        read_all=access.can_read_all(user, owner_id=org_id),
    )


def can_register_communes(user: AnyUser | None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    viewer = access.viewer_for(user)
    if viewer.is_staff:
        return True
    root = Organisation.objects.filter(kind=OrganisationKind.NETWORK, parent__isnull=True).first()
    return root is not None and access.can_coordinate(user, owner_id=root.pk)


# Big JSON columns that lists never show: decoding a state's outline for every row of a page
# costs more than the rest of the page.
HEAVY_COMMUNE = ("territory", "description", "state__outline")
HEAVY_COUNCIL = ("territory", "state__outline", "commune__territory", "commune__description")


# Lists -------------------------------------------------------------------------------------


def communes(filters: Filters) -> QuerySet[Commune]:
    """Communes matching the filters, by name (archiving is not offered yet: all are listed)."""
    qs = Commune.objects.select_related("state", "parish__municipality").defer(*HEAVY_COMMUNE)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(registry_code__icontains=filters.q))
    if filters.state:
        qs = qs.filter(state__code=filters.state)
    if filters.level is not None:
        qs = qs.filter(capacity_level=filters.level)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.link_kind:
        linked = Link.objects.filter(kind=filters.link_kind, ended__isnull=True)
        qs = qs.filter(Q(pk__in=linked.values("source_id")) | Q(pk__in=linked.values("target_id")))
    return qs.order_by("name", "pk")


def councils(filters: Filters) -> QuerySet[CommunalCouncil]:
    qs = CommunalCouncil.objects.select_related("state", "parish__municipality", "commune").defer(
        *HEAVY_COUNCIL
    )
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(registry_code__icontains=filters.q))
    if filters.state:
        qs = qs.filter(state__code=filters.state)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.scope:
        qs = qs.filter(scope=filters.scope)
    if filters.commune:
        qs = qs.filter(commune__slug=filters.commune)
    return qs.order_by("name", "pk")


def aggregations(filters: Filters) -> QuerySet[Aggregation]:
    qs = Aggregation.objects.annotate(
        commune_total=Count("members", filter=Q(members__left__isnull=True))
    )
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    if filters.state:
        qs = qs.filter(members__commune__state__code=filters.state).distinct()
    return qs.order_by("name", "pk")


def states_for_filter() -> list[tuple[str, str]]:
    return list(State.objects.order_by("name").values_list("code", "name"))


def counts_by_state(filters: Filters) -> list[dict[str, Any]]:
    """Communes and councils per state (states without any are left out)."""
    commune_counts = Counter(
        dict(
            communes(filters)
            .order_by()
            .values_list("state__code")
            .annotate(n=Count("pk"))
            .values_list("state__code", "n")
        )
    )
    council_counts = Counter(
        dict(
            CommunalCouncil.objects.order_by()
            .values_list("state__code")
            .annotate(n=Count("pk"))
            .values_list("state__code", "n")
        )
    )
    rows = []
    for code, name, slug in State.objects.order_by("name").values_list("code", "name", "slug"):
        if commune_counts[code] or council_counts[code]:
            rows.append(
                {
                    "code": code,
                    "name": name,
                    "slug": slug,
                    "communes": commune_counts[code],
                    "councils": council_counts[code],
                }
            )
    return rows


@dataclass(frozen=True)
class MapPoint:
    slug: str
    name: str
    lon: float
    lat: float
    level: int | None
    links: int


def map_points(filters: Filters, limit: int) -> tuple[list[MapPoint], int]:
    """Communes with a place, at most `limit` (the total is returned to say so)."""
    qs = communes(filters).filter(lon__isnull=False)
    total = qs.count()
    rows = qs.values_list("slug", "name", "lon", "lat", "capacity_level", "link_count")[:limit]
    points = [
        MapPoint(
            slug=slug, name=name, lon=float(lon or 0), lat=float(lat or 0), level=level, links=links
        )
        for slug, name, lon, lat, level, links in rows
    ]
    return points, total


# Profiles ----------------------------------------------------------------------------------


def commune_get(*, user: AnyUser | None, slug: str) -> Commune:
    return get_object_or_404(
        Commune.objects.select_related("state", "parish__municipality", "parent").defer(
            "state__outline", "parent__description"
        ),
        slug=slug,
    )


def commune_header(*, user: AnyUser | None, slug: str) -> dict[str, Any]:
    """What a commune's page shows above its (cached) body: one light query, or 404."""
    row = (
        Commune.objects.filter(slug=slug)
        .values("pk", "name", "slug", "state__code", "state__name")
        .first()
    )
    if row is None:
        raise Http404
    return {
        "pk": row["pk"],
        "name": row["name"],
        "slug": row["slug"],
        "state": {"code": row["state__code"], "name": row["state__name"]},
    }


def council_get(*, user: AnyUser | None, slug: str) -> CommunalCouncil:
    return get_object_or_404(
        CommunalCouncil.objects.select_related("state", "parish__municipality", "commune").defer(
            "state__outline", "commune__territory", "commune__description"
        ),
        slug=slug,
    )


def aggregation_get(*, user: AnyUser | None, slug: str) -> Aggregation:
    return get_object_or_404(Aggregation, slug=slug)


def organisation_get(*, slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=slug)


@dataclass
class Seat:
    """A body or committee with its current spokespeople (public names only)."""

    label: str
    principals: list[str] = field(default_factory=list)
    alternates: list[str] = field(default_factory=list)


def current_mandates(organisation: Organisation, today: date | None = None) -> QuerySet[Mandate]:
    day = today or timezone.localdate()
    return (
        Mandate.objects.filter(
            organisation=organisation, status=MandateStatus.ACTIVE, start__lte=day, end__gte=day
        )
        .select_related("body", "committee")
        .only(
            "id",
            "position",
            "start",
            "end",
            "status",
            "body__kind",
            "committee__name",
            "committee__name_es",
            "person__public_name",
        )
        .select_related("person")
    )


def seats(organisation: Organisation, language: str) -> list[Seat]:
    bodies = {b.pk: Seat(label=str(b)) for b in Body.objects.filter(organisation=organisation)}
    by_committee: dict[int, Seat] = {}
    for mandate in current_mandates(organisation).order_by("person__public_name"):
        if mandate.body_id is not None:
            seat = bodies.setdefault(mandate.body_id, Seat(label=str(mandate.body)))
        elif mandate.committee is not None:
            seat = by_committee.setdefault(
                mandate.committee.pk, Seat(label=mandate.committee.label(language))
            )
        else:
            continue
        target = seat.principals if mandate.position == "principal" else seat.alternates
        target.append(mandate.person.public_name)
    return [*bodies.values(), *sorted(by_committee.values(), key=lambda s: s.label)]


def mandates_for_management(organisation: Organisation) -> QuerySet[Mandate]:
    return (
        Mandate.objects.filter(organisation=organisation)
        .select_related("body", "committee", "person")
        .order_by("status", "-start")
    )


@dataclass(frozen=True)
class LinkRow:
    id: int
    other_name: str
    other_slug: str
    other_kind: str
    kind: str
    kind_label: str
    description: str
    since: date
    outgoing: bool


def links_of(organisation: Organisation) -> list[LinkRow]:
    rows = []
    qs = (
        Link.objects.filter(ended__isnull=True)
        .filter(Q(source=organisation) | Q(target=organisation))
        .select_related("source", "target")
        .order_by("kind", "since")
    )
    for link in qs:
        outgoing = link.source_id == organisation.pk
        other = link.target if outgoing else link.source
        rows.append(
            LinkRow(
                id=link.pk,
                other_name=other.name,
                other_slug=other.slug,
                other_kind=other.kind,
                kind=link.kind,
                kind_label=str(link.get_kind_display()),
                description=link.description,
                since=link.since,
                outgoing=outgoing,
            )
        )
    return rows


def councils_of(commune: Commune) -> QuerySet[CommunalCouncil]:
    return (
        CommunalCouncil.objects.filter(commune=commune)
        .select_related("parish")
        .defer("territory")
        .order_by("name")
    )


def council_history(commune: Commune) -> QuerySet[CouncilMembership]:
    return (
        CouncilMembership.objects.filter(commune=commune, left__isnull=False)
        .select_related("council")
        .order_by("-left")
    )


def assessments_of(commune: Commune) -> QuerySet[CapacityAssessment]:
    return CapacityAssessment.objects.filter(commune=commune).order_by("assessed_on", "id")


def aggregations_of(commune: Commune) -> QuerySet[Aggregation]:
    return Aggregation.objects.filter(
        members__commune=commune, members__left__isnull=True
    ).order_by("name")


def members_of(aggregation: Aggregation) -> QuerySet[Commune]:
    return (
        Commune.objects.filter(
            pk__in=AggregationMember.objects.filter(
                aggregation=aggregation, left__isnull=True
            ).values("commune_id")
        )
        .select_related("state", "parish__municipality")
        .defer(*HEAVY_COMMUNE)
        .order_by("name")
    )


def committee_types(on: date | None = None) -> QuerySet[CommitteeType]:
    day = on or timezone.localdate()
    return CommitteeType.objects.filter(valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )


def people_for_mandates(organisation: Organisation) -> QuerySet[Person]:
    """People a coordinator may give a mandate to: members of the unit or of the units around."""
    ids = [organisation.pk]
    if organisation.parent_id:
        ids.append(organisation.parent_id)
    return (
        Person.objects.filter(memberships__organisation_id__in=ids)
        .exclude(memberships__role=Role.OBSERVER)
        .distinct()
        .order_by("public_name")
    )


# Graph -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Graph:
    nodes: list[MapPoint]
    edges: list[tuple[str, str, str]]  # source slug, target slug, kind
    degree: dict[str, int]
    least_connected: list[tuple[MapPoint, int]]
    total_nodes: int


def graph(filters: Filters, limit: int = 400) -> Graph:
    """Communes and the open links between them. Degree counts distinct linked communes."""
    base = Filters(q=filters.q, state=filters.state, level=filters.level, status=filters.status)
    nodes, total = map_points(base, limit)
    slugs = {n.slug for n in nodes}
    links = Link.objects.filter(
        ended__isnull=True,
        source__kind=OrganisationKind.COMMUNE,
        target__kind=OrganisationKind.COMMUNE,
    )
    if filters.link_kind:
        links = links.filter(kind=filters.link_kind)
    if filters.state:
        links = links.filter(
            Q(source__commune_profile__state__code=filters.state)
            | Q(target__commune_profile__state__code=filters.state)
        )
    edges: list[tuple[str, str, str]] = []
    neighbours: dict[str, set[str]] = {slug: set() for slug in slugs}
    for source, target, kind in links.values_list("source__slug", "target__slug", "kind"):
        if source in slugs and target in slugs:
            edges.append((source, target, kind))
            neighbours[source].add(target)
            neighbours[target].add(source)
    degree = {slug: len(others) for slug, others in neighbours.items()}
    ordered = sorted(nodes, key=lambda n: (degree[n.slug], n.name))
    lowest = degree[ordered[0].slug] if ordered else 0
    least = [(n, degree[n.slug]) for n in ordered if degree[n.slug] == lowest][:30]
    return Graph(nodes=nodes, edges=edges, degree=degree, least_connected=least, total_nodes=total)
