"""Reads of the public services reports side, already scoped to the user.

Reports, their photos and public timelines, the catalogue and assets are public. The
reporter's contact, work orders' internal notes and the inbox are for the people who triage
(see actions.can_triage / can_see_contact); anyone else asking for them gets 404.

Lists own their select_related / only(), so a page's number of queries does not grow with
the data.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from comuna.core import access
from comuna.core.models import Organisation, OrganisationKind
from comuna.dialogue import queries as dialogue_queries
from comuna.engines.geo import haversine_km
from comuna.public_services.actions import can_see_contact, can_triage, network_root
from comuna.public_services.models import (
    Asset,
    AssetEvent,
    Crew,
    RequestPhoto,
    RequestUpdate,
    ServiceAttribute,
    ServiceRequest,
    ServiceType,
    Status,
    Step,
    WorkOrder,
)
from comuna.registry.models import Commune

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

NEARBY_KM = 0.5
NEARBY_LIMIT = 5


# Catalogue --------------------------------------------------------------------------------------


def _with_attributes(qs: QuerySet[ServiceType]) -> QuerySet[ServiceType]:
    return qs.prefetch_related(
        Prefetch("attributes", queryset=ServiceAttribute.objects.order_by("order", "code"))
    )


def services_for(commune_id: int | None, *, include_inactive: bool = False) -> list[ServiceType]:
    """The catalogue a commune offers: its own entries and the shared ones it has not
    replaced, by position. Two queries (three with the questions)."""
    own = (
        list(_with_attributes(ServiceType.objects.filter(owner_id=commune_id)))
        if commune_id
        else []
    )
    own_codes = {s.code for s in own}
    shared = [
        s
        for s in _with_attributes(ServiceType.objects.filter(owner__isnull=True))
        if s.code not in own_codes
    ]
    found = [s for s in own + shared if include_inactive or s.active]
    return sorted(found, key=lambda s: (s.position, s.code))


def service_for(commune_id: int | None, code: str) -> ServiceType:
    """The service with this code offered by the commune (or shared), or 404."""
    for service in services_for(commune_id):
        if service.code == code:
            return service
    raise Http404


def communes_count() -> int:
    return Organisation.objects.filter(
        kind=OrganisationKind.COMMUNE, archived_at__isnull=True
    ).count()


def commune_by_slug(slug: str) -> Organisation:
    return get_object_or_404(
        Organisation, slug=slug, kind=OrganisationKind.COMMUNE, archived_at__isnull=True
    )


def services_run(commune: Organisation | None) -> list[dialogue_queries.ManagedService]:
    """The public services a commune (or, without one, every organisation of the network)
    runs because a transfer of competences to it was completed: the dialogue module's record,
    read through its queries."""
    if commune is None:
        return dialogue_queries.managed_services()
    return dialogue_queries.services_managed_by(commune)


def only_commune() -> Organisation | None:
    """The commune when the server holds exactly one (jurisdiction_id is then optional)."""
    rows = list(
        Organisation.objects.filter(kind=OrganisationKind.COMMUNE, archived_at__isnull=True)[:2]
    )
    return rows[0] if len(rows) == 1 else None


def commune_choices() -> list[tuple[int, str]]:
    return list(
        Organisation.objects.filter(kind=OrganisationKind.COMMUNE, archived_at__isnull=True)
        .order_by("name")
        .values_list("pk", "name")
    )


def commune_slug_choices() -> list[tuple[str, str]]:
    """(short name, name) of the communes, by name: for the filters that name a commune by
    its short name in the URL (`?comuna=el-maizal`)."""
    return list(
        Organisation.objects.filter(kind=OrganisationKind.COMMUNE, archived_at__isnull=True)
        .order_by("name")
        .values_list("slug", "name")
    )


def commune_point(commune_id: int) -> tuple[float, float] | None:
    row = Commune.objects.filter(pk=commune_id).values_list("lon", "lat").first()
    if row is None or row[0] is None or row[1] is None:
        return None
    return (row[0], row[1])


# Reports ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilters:
    commune: str = ""  # slug
    service: str = ""  # code
    status: str = ""  # open / closed
    step: str = ""
    group: str = ""
    overdue: bool = False
    since: datetime | None = None
    until: datetime | None = None
    ids: tuple[int, ...] = ()
    parish_queue: bool = False


def _public_list(qs: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    return qs.select_related("service", "commune", "parish").defer(
        "contact_name", "contact_email", "contact_phone", "fingerprint", "attributes"
    )


def apply_filters(
    qs: QuerySet[ServiceRequest], filters: RequestFilters
) -> QuerySet[ServiceRequest]:
    if filters.ids:
        return qs.filter(pk__in=filters.ids)
    if filters.commune:
        qs = qs.filter(commune__slug=filters.commune)
    if filters.parish_queue:
        qs = qs.filter(commune__isnull=True)
    if filters.service:
        qs = qs.filter(service__code__in=filters.service.split(","))
    if filters.status in (Status.OPEN, Status.CLOSED):
        qs = qs.filter(status=filters.status)
    if filters.step in Step.values:
        qs = qs.filter(step=filters.step)
    if filters.group:
        qs = qs.filter(service__group=filters.group)
    if filters.overdue:
        qs = qs.filter(status=Status.OPEN, expected_at__lt=timezone.now())
    if filters.since is not None:
        qs = qs.filter(requested_at__gte=filters.since)
    if filters.until is not None:
        qs = qs.filter(requested_at__lte=filters.until)
    return qs


def requests_public(filters: RequestFilters) -> QuerySet[ServiceRequest]:
    """Reports anyone may list, newest first (no private contact)."""
    return apply_filters(_public_list(ServiceRequest.objects.all()), filters).order_by(
        "-requested_at", "-id"
    )


def request_get(*, pk: int) -> ServiceRequest:
    return get_object_or_404(
        ServiceRequest.objects.select_related(
            "service", "commune", "parish", "crew", "asset", "duplicate_of"
        ),
        pk=pk,
    )


def request_by_token(token: str) -> ServiceRequest:
    if not token or len(token) > 40:
        raise Http404
    return get_object_or_404(
        ServiceRequest.objects.select_related("service", "commune", "parish", "crew"), token=token
    )


@dataclass(frozen=True)
class RequestPermissions:
    triage: bool
    contact: bool


def permissions(user: AnyUser | None, request: ServiceRequest) -> RequestPermissions:
    return RequestPermissions(
        triage=can_triage(user, request), contact=can_see_contact(user, request)
    )


def timeline(request: ServiceRequest) -> QuerySet[RequestUpdate]:
    return request.updates.order_by("at", "id")


def photos(request: ServiceRequest) -> list[RequestPhoto]:
    return list(request.photos.order_by("position", "id"))


def photo_get(*, pk: int) -> RequestPhoto:
    """A report's photo: public, like the report's page."""
    return get_object_or_404(RequestPhoto, pk=pk)


def work_orders(request: ServiceRequest) -> QuerySet[WorkOrder]:
    return (
        WorkOrder.objects.filter(request=request)
        .select_related("crew")
        .prefetch_related("notes", "materials")
        .order_by("-created_at", "-id")
    )


def work_order_get(*, user: AnyUser | None, pk: int) -> WorkOrder:
    order = get_object_or_404(
        WorkOrder.objects.select_related("request__service", "request__commune", "crew"), pk=pk
    )
    if not can_triage(user, order.request):
        raise Http404
    return order


def nearby_open(
    *, service_code: str, lon: float, lat: float, km: float = NEARBY_KM, limit: int = NEARBY_LIMIT
) -> list[tuple[ServiceRequest, float]]:
    """Open reports of the same service within `km`, nearest first, with their distance."""
    dlat = km / 111.2
    dlon = km / (111.2 * max(math.cos(math.radians(lat)), 0.01))
    rows = _public_list(
        ServiceRequest.objects.filter(
            status=Status.OPEN,
            service__code=service_code,
            lat__range=(lat - dlat, lat + dlat),
            lon__range=(lon - dlon, lon + dlon),
        )
    ).order_by("-requested_at")[:200]
    found = [(r, haversine_km(lat, lon, r.lat, r.lon)) for r in rows]
    found = [(r, d) for r, d in found if d <= km]
    found.sort(key=lambda pair: (pair[1], pair[0].pk))
    return found[:limit]


def triage_scope(user: AnyUser | None) -> tuple[set[int], bool]:
    """(communes whose reports the user triages, whether they also sort the parish queue)."""
    viewer = access.viewer_for(user)
    if viewer.is_staff:
        return set(), True
    change = viewer.organisations_with({"coordinator", "spokesperson"})
    root = network_root()
    parish = root is not None and access.can_coordinate(user, owner_id=root.pk)
    return change, parish


def inbox(user: AnyUser | None, filters: RequestFilters) -> QuerySet[ServiceRequest]:
    """The reports a coordinator triages, overdue and oldest due first, closed last."""
    viewer = access.viewer_for(user)
    qs = _public_list(ServiceRequest.objects.all())
    if not viewer.is_staff:
        communes, parish = triage_scope(user)
        # The network's coordinators triage every commune (a role reaches downwards) and
        # the parish queue; the others, the communes they coordinate or speak for.
        if not parish:
            qs = qs.filter(access.below("commune", communes))
    qs = apply_filters(qs, filters)
    return qs.select_related("crew").order_by("status", "expected_at", "requested_at", "id")


def can_use_inbox(user: AnyUser | None) -> bool:
    communes, parish = triage_scope(user)
    return access.viewer_for(user).is_staff or bool(communes) or parish


def crews_of(commune_id: int, *, active_only: bool = True) -> QuerySet[Crew]:
    qs = Crew.objects.filter(owner_id=commune_id)
    if active_only:
        qs = qs.filter(active=True)
    return qs.order_by("name", "id")


def crews_of_owners(owner_ids: Sequence[int]) -> list[Crew]:
    """Every crew (active or not) of these communes, with its commune, by commune and name."""
    return list(
        Crew.objects.filter(owner_id__in=owner_ids)
        .select_related("owner")
        .order_by("owner__name", "name")
    )


# Assets -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssetFilters:
    owner: str = ""  # slug
    kind: str = ""
    state: str = ""
    q: str = ""


def assets(filters: AssetFilters) -> QuerySet[Asset]:
    qs = Asset.objects.filter(archived_at__isnull=True).select_related("owner")
    if filters.owner:
        qs = qs.filter(
            access.below(
                "owner",
                list(Organisation.objects.filter(slug=filters.owner).values_list("pk", flat=True)),
            )
        )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    return qs.order_by("name", "id")


def asset_get(*, pk: int) -> Asset:
    return get_object_or_404(Asset.objects.select_related("owner"), pk=pk)


def asset_history(asset: Asset) -> QuerySet[AssetEvent]:
    return asset.events.select_related("actor").order_by("-at", "-id")


def asset_requests(asset: Asset) -> QuerySet[ServiceRequest]:
    return _public_list(ServiceRequest.objects.filter(asset=asset)).order_by("-requested_at", "-id")


def assets_near(*, lon: float, lat: float, kinds: Sequence[str], km: float = 1.0) -> list[Asset]:
    """Assets of the given kinds near a point (for "which asset is it?"), nearest first."""
    dlat = km / 111.2
    dlon = km / (111.2 * max(math.cos(math.radians(lat)), 0.01))
    qs = Asset.objects.filter(
        archived_at__isnull=True,
        max_lon__gte=lon - dlon,
        min_lon__lte=lon + dlon,
        max_lat__gte=lat - dlat,
        min_lat__lte=lat + dlat,
    )
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    found = list(qs[:200])
    found.sort(key=lambda a: (haversine_km(lat, lon, a.latitude, a.longitude), a.pk))
    return found[:10]


# Dashboards ---------------------------------------------------------------------------------------


@dataclass
class ServiceFigures:
    label: str
    code: str
    open: int = 0
    overdue: int = 0
    closed: int = 0
    median_days: float | None = None


@dataclass
class Dashboard:
    open: int = 0
    overdue: int = 0
    closed: int = 0
    median_days: float | None = None
    by_service: list[ServiceFigures] = field(default_factory=list)
    months: list[tuple[date, int, int]] = field(default_factory=list)  # month, opened, closed


MONTHS = 12


def _month_start(day: date, back: int) -> date:
    year, month = day.year, day.month - back
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def dashboard(*, commune_ids: list[int] | None, today: date | None = None) -> Dashboard:
    """Open, overdue, closed, median days to resolve (reports closed as fixed in the last 12
    months), per service and per month; `commune_ids` None is the whole network. A few
    grouped queries whatever the number of reports."""
    today = today or timezone.localdate()
    now = timezone.now()
    qs = ServiceRequest.objects.all()
    if commune_ids is not None:
        qs = qs.filter(commune_id__in=commune_ids)
    board = Dashboard()
    per: dict[str, ServiceFigures] = {}
    rows = (
        qs.order_by()
        .values_list("service__code", "service__name", "status")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=Q(status=Status.OPEN, expected_at__lt=now)),
        )
    )
    for code, name, status, n, late in rows:
        figures = per.setdefault(code, ServiceFigures(label=name, code=code))
        if status == Status.OPEN:
            figures.open += n
            figures.overdue += late
        else:
            figures.closed += n
    start = _month_start(today, MONTHS - 1)
    start_at = timezone.make_aware(datetime(start.year, start.month, 1))  # noqa: DTZ001 - made aware here
    durations: dict[str, list[float]] = {}
    all_days: list[float] = []
    for code, requested, closed in qs.filter(
        step=Step.RESOLVED, closed_at__gte=start_at
    ).values_list("service__code", "requested_at", "closed_at")[:100000]:
        if closed is None:
            continue
        days = (closed - requested).total_seconds() / 86400
        durations.setdefault(code, []).append(days)
        all_days.append(days)
    for code, spans in durations.items():
        if code in per:
            per[code].median_days = round(statistics.median(spans), 1)
    board.median_days = round(statistics.median(all_days), 1) if all_days else None
    board.by_service = sorted(per.values(), key=lambda f: (-f.open, f.code))
    board.open = sum(f.open for f in per.values())
    board.overdue = sum(f.overdue for f in per.values())
    board.closed = sum(f.closed for f in per.values())
    opened: dict[date, int] = {}
    for moment in qs.filter(requested_at__gte=start_at).values_list("requested_at", flat=True)[
        :200000
    ]:
        local = timezone.localtime(moment)
        key = date(local.year, local.month, 1)
        opened[key] = opened.get(key, 0) + 1
    closed_by: dict[date, int] = {}
    for closed_at in qs.filter(closed_at__gte=start_at).values_list("closed_at", flat=True)[
        :200000
    ]:
        if closed_at is None:
            continue
        local = timezone.localtime(closed_at)
        key = date(local.year, local.month, 1)
        closed_by[key] = closed_by.get(key, 0) + 1
    board.months = [
        (month, opened.get(month, 0), closed_by.get(month, 0))
        for month in (_month_start(today, back) for back in range(MONTHS - 1, -1, -1))
    ]
    return board


def compliance(*, organisation_ids: list[int] | None, since: date) -> list[Any] | None:
    """Schedule compliance per sector from the operations part, or None when it is not
    there (see docs/public_services.md)."""
    try:
        from comuna.public_services import queries_operations
    except ImportError:
        return None
    func = getattr(queries_operations, "compliance_by_sector", None)
    if func is None:
        return None
    return list(func(organisation_ids=organisation_ids, since=since))
