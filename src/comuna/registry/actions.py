"""Writes of the registry. Every action checks who may do it, validates the domain rules,
writes in one transaction and records an AuditEvent.

Who may do what: the network's coordinators (a coordinator of the root organisation of kind
`network`, or staff) register communes and form aggregations; a commune's coordinators and
spokespeople register and manage its councils; a unit's coordinators grant and revoke its
mandates and record its assessments; links are made by whoever may change the source.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comuna.core import access, audit
from comuna.core.errors import DomainError
from comuna.core.models import Membership, Organisation, OrganisationKind, Person, Role
from comuna.geography.models import Parish
from comuna.registry import geometry
from comuna.registry.capacity import Indicators, capacity_level
from comuna.registry.models import (
    COMMUNE_BODIES,
    COUNCIL_BODIES,
    Aggregation,
    AggregationKind,
    AggregationMember,
    Body,
    CapacityAssessment,
    CommitteeType,
    CommunalCouncil,
    Commune,
    CommuneStatus,
    CouncilMembership,
    CouncilStatus,
    Link,
    LinkKind,
    Mandate,
    MandatePosition,
    MandateStatus,
    Scope,
)

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

MANDATE_YEARS = 3
EXPIRY_WARNING_DAYS = 60


def network_root() -> Organisation | None:
    return Organisation.objects.filter(kind=OrganisationKind.NETWORK, parent__isnull=True).first()


def require_network_coordinator(actor: AnyUser | None) -> Organisation | None:
    root = network_root()
    viewer = access.viewer_for(actor)
    if viewer.is_staff:
        return root
    if root is None or not access.can_coordinate(actor, owner_id=root.pk):
        raise access.PermissionDeniedError(
            _("Only a coordinator of the network may register communes and aggregations.")
        )
    return root


def unique_slug(name: str, model: type[Organisation] = Organisation) -> str:
    base = slugify(name)[:100] or "organizacion"
    slug = base
    n = 2
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _place(
    obj: Commune | CommunalCouncil,
    *,
    parish: Parish,
    lon: float | None,
    lat: float | None,
    territory: dict[str, Any] | None,
) -> None:
    """Validate and set the point, territory and bounding box of a unit."""
    if (lon is None) != (lat is None):
        raise DomainError(
            _("Give both longitude and latitude, or neither."),
            fields={"lon": [_("Both or neither.")], "lat": [_("Both or neither.")]},
        )
    shape_info = geometry.check_territory(territory) if territory else None
    if lon is not None and lat is not None:
        geometry.check_point(lon, lat, state_code=parish.municipality.state.code)
    elif shape_info is not None:
        lon, lat = shape_info.representative
    obj.parish = parish
    obj.state_id = parish.municipality.state_id
    obj.lon, obj.lat = lon, lat
    obj.territory = shape_info.geometry if shape_info else None
    if shape_info is not None:
        obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat = shape_info.bbox
    elif lon is not None and lat is not None:
        obj.min_lon = obj.max_lon = lon
        obj.min_lat = obj.max_lat = lat
    else:
        obj.min_lon = obj.min_lat = obj.max_lon = obj.max_lat = None


def _check_code(
    model: type[Commune] | type[CommunalCouncil], code: str, exclude: int | None
) -> str:
    code = code.strip()
    if not code:
        raise DomainError(
            _("The registry code is required."),
            fields={"registry_code": [_("This field is required.")]},
        )
    clash = model.objects.filter(registry_code=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise DomainError(
            _("The registry code “%(code)s” is already registered.") % {"code": code},
            fields={"registry_code": [_("Already registered.")]},
        )
    return code


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError(_("A name is required."), fields={"name": [_("This field is required.")]})
    return name


@transaction.atomic
def commune_register(
    *,
    actor: AnyUser | None,
    name: str,
    registry_code: str,
    parish: Parish,
    charter_date: date | None = None,
    status: str = CommuneStatus.FORMING,
    seat: str = "",
    lon: float | None = None,
    lat: float | None = None,
    territory: dict[str, Any] | None = None,
    description: str = "",
    slug: str | None = None,
) -> Commune:
    root = require_network_coordinator(actor)
    if status not in CommuneStatus.values:
        raise DomainError(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    commune = Commune(
        kind=OrganisationKind.COMMUNE,
        name=_check_name(name),
        slug=slug or unique_slug(name),
        parent=root,
        description=description,
        registry_code=_check_code(Commune, registry_code, None),
        charter_date=charter_date,
        status=status,
        seat=seat.strip(),
    )
    if slug and Organisation.objects.filter(slug=slug).exists():
        raise DomainError(
            _("The short name “%(slug)s” is already taken.") % {"slug": slug},
            fields={"slug": [_("Already taken.")]},
        )
    _place(commune, parish=parish, lon=lon, lat=lat, territory=territory)
    commune.save()
    Body.objects.bulk_create([Body(organisation=commune, kind=kind) for kind in COMMUNE_BODIES])
    audit.record(actor=actor, verb="commune.register", subject=commune, organisation=commune)
    return commune


COMMUNE_FIELDS = {"name", "charter_date", "status", "seat", "description"}


@transaction.atomic
def commune_update(*, actor: AnyUser | None, commune: Commune, **changes: Any) -> Commune:
    access.require_change(actor, owner_id=commune.pk)
    code = changes.pop("registry_code", None)
    if "status" in changes and changes["status"] not in CommuneStatus.values:
        raise DomainError(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    if code is not None:
        commune.registry_code = _check_code(Commune, code, commune.pk)
    fields = _apply_changes(commune, changes, COMMUNE_FIELDS)
    audit.record(
        actor=actor,
        verb="commune.update",
        subject=commune,
        organisation=commune,
        details={"fields": sorted([*fields, *(["registry_code"] if code else [])])},
    )
    return commune


def _apply_changes(
    unit: Commune | CommunalCouncil, changes: dict[str, Any], allowed: set[str]
) -> list[str]:
    """Check and set the changed fields and place of a unit, save it; the names changed."""
    place = {k: changes.pop(k) for k in ("parish", "lon", "lat", "territory") if k in changes}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if "name" in changes:
        changes["name"] = _check_name(changes["name"])
    for key, value in changes.items():
        setattr(unit, key, value)
    if place:
        _place(
            unit,
            parish=place.get("parish", unit.parish),
            lon=place.get("lon", unit.lon),
            lat=place.get("lat", unit.lat),
            territory=place.get("territory", unit.territory),
        )
    unit.save()
    return [*changes, *place]


@transaction.atomic
def council_register(
    *,
    actor: AnyUser | None,
    name: str,
    registry_code: str,
    parish: Parish,
    scope: str,
    commune: Commune | None = None,
    households: int | None = None,
    population: int | None = None,
    founded: date | None = None,
    status: str = CouncilStatus.ACTIVE,
    lon: float | None = None,
    lat: float | None = None,
    territory: dict[str, Any] | None = None,
    slug: str | None = None,
) -> CommunalCouncil:
    if commune is not None:
        access.require_change(actor, owner_id=commune.pk)
    else:
        require_network_coordinator(actor)
    if scope not in Scope.values:
        raise DomainError(
            _("Unknown scope."), fields={"scope": [_("Choose urban, rural or indigenous.")]}
        )
    if status not in CouncilStatus.values:
        raise DomainError(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    for field, value in (("households", households), ("population", population)):
        if value is not None and value < 0:
            raise DomainError(
                _("%(field)s cannot be negative.") % {"field": field},
                fields={field: [_("Must be zero or more.")]},
            )
    council = CommunalCouncil(
        kind=OrganisationKind.COUNCIL,
        name=_check_name(name),
        slug=slug or unique_slug(name),
        registry_code=_check_code(CommunalCouncil, registry_code, None),
        scope=scope,
        households=households,
        population=population,
        founded=founded,
        status=status,
    )
    _place(council, parish=parish, lon=lon, lat=lat, territory=territory)
    council.save()
    Body.objects.bulk_create([Body(organisation=council, kind=kind) for kind in COUNCIL_BODIES])
    audit.record(actor=actor, verb="council.register", subject=council, organisation=council)
    if commune is not None:
        _join(actor=actor, council=council, commune=commune, on=founded or timezone.localdate())
    return council


COUNCIL_FIELDS = {"name", "scope", "households", "population", "founded", "status"}


@transaction.atomic
def council_update(
    *, actor: AnyUser | None, council: CommunalCouncil, **changes: Any
) -> CommunalCouncil:
    access.require_change(actor, owner_id=council.pk)
    if "scope" in changes and changes["scope"] not in Scope.values:
        raise DomainError(_("Unknown scope."), fields={"scope": [_("Unknown scope.")]})
    if "status" in changes and changes["status"] not in CouncilStatus.values:
        raise DomainError(_("Unknown status."), fields={"status": [_("Unknown status.")]})
    for field in ("households", "population"):
        if (changes.get(field) or 0) < 0:
            raise DomainError(
                _("%(field)s cannot be negative.") % {"field": field},
                fields={field: [_("Must be zero or more.")]},
            )
    fields = _apply_changes(council, changes, COUNCIL_FIELDS)
    audit.record(
        actor=actor,
        verb="council.update",
        subject=council,
        organisation=council,
        details={"fields": sorted(fields)},
    )
    return council


def _recount_councils(commune_ids: list[int]) -> None:
    for row in (
        Commune.objects.filter(pk__in=commune_ids)
        .annotate(n=Count("councils", filter=~Q(councils__status=CouncilStatus.INACTIVE)))
        .values("pk", "n")
    ):
        Commune.objects.filter(pk=row["pk"]).update(council_count=row["n"])


def _join(*, actor: AnyUser | None, council: CommunalCouncil, commune: Commune, on: date) -> None:
    if council.commune_id is not None:
        raise DomainError(
            _("%(council)s already belongs to a commune; it must leave it first.")
            % {"council": council.name},
            code="already_in_commune",
        )
    last = CouncilMembership.objects.filter(council=council).order_by("-left").first()
    if last is not None and last.left is not None and on < last.left:
        raise DomainError(
            _("A council cannot join a commune before the day it left the previous one."),
            fields={"on": [_("Must be on or after %(day)s.") % {"day": last.left.isoformat()}]},
        )
    CouncilMembership.objects.create(council=council, commune=commune, joined=on)
    council.commune = commune
    council.parent = commune
    council.save(update_fields=["commune", "parent", "updated_at"])
    _recount_councils([commune.pk])
    audit.record(
        actor=actor,
        verb="council.join",
        subject=council,
        organisation=commune,
        details={"commune": commune.slug, "on": on.isoformat()},
    )


@transaction.atomic
def council_join(
    *, actor: AnyUser | None, council: CommunalCouncil, commune: Commune, on: date | None = None
) -> CommunalCouncil:
    access.require_change(actor, owner_id=commune.pk)
    _join(actor=actor, council=council, commune=commune, on=on or timezone.localdate())
    return council


@transaction.atomic
def council_leave(
    *, actor: AnyUser | None, council: CommunalCouncil, on: date | None = None, reason: str = ""
) -> CommunalCouncil:
    if council.commune_id is None:
        raise DomainError(_("This council does not belong to any commune."), code="not_in_commune")
    commune_id = council.commune_id
    access.require_change(actor, owner_id=commune_id)
    day = on or timezone.localdate()
    stay = CouncilMembership.objects.get(council=council, left__isnull=True)
    if day < stay.joined:
        raise DomainError(
            _("A council cannot leave a commune before the day it joined."),
            fields={"on": [_("Must be on or after %(day)s.") % {"day": stay.joined.isoformat()}]},
        )
    stay.left = day
    stay.save(update_fields=["left", "updated_at"])
    council.commune = None
    council.parent = None
    council.save(update_fields=["commune", "parent", "updated_at"])
    _recount_councils([commune_id])
    audit.record(
        actor=actor,
        verb="council.leave",
        subject=council,
        organisation=commune_id,
        details={"on": day.isoformat(), "reason": reason},
    )
    return council


@transaction.atomic
def aggregation_form(
    *,
    actor: AnyUser | None,
    name: str,
    aggregation_kind: str,
    communes: list[Commune],
    formed: date | None = None,
    description: str = "",
    slug: str | None = None,
) -> Aggregation:
    root = require_network_coordinator(actor)
    if aggregation_kind not in AggregationKind.values:
        raise DomainError(
            _("Unknown type of aggregation."), fields={"aggregation_kind": [_("Unknown type.")]}
        )
    if len({c.pk for c in communes}) < 2:
        raise DomainError(
            _("An aggregation needs at least two communes."),
            fields={"communes": [_("Choose at least two communes.")]},
        )
    day = formed or timezone.localdate()
    aggregation = Aggregation.objects.create(
        kind=OrganisationKind.AGGREGATION,
        name=_check_name(name),
        slug=slug or unique_slug(name),
        parent=root,
        description=description,
        aggregation_kind=aggregation_kind,
        formed=day,
    )
    AggregationMember.objects.bulk_create(
        [
            AggregationMember(aggregation=aggregation, commune=c, joined=day)
            for c in {c.pk: c for c in communes}.values()
        ]
    )
    audit.record(
        actor=actor,
        verb="aggregation.form",
        subject=aggregation,
        organisation=aggregation,
        details={"communes": sorted(c.slug for c in communes)},
    )
    return aggregation


def mandate_end_default(start: date) -> date:
    try:
        return start.replace(year=start.year + MANDATE_YEARS)
    except ValueError:  # 29 February
        return start.replace(year=start.year + MANDATE_YEARS, day=28)


@transaction.atomic
def mandate_grant(
    *,
    actor: AnyUser | None,
    person: Person,
    organisation: Organisation,
    body: Body | None = None,
    committee: CommitteeType | None = None,
    position: str = MandatePosition.PRINCIPAL,
    start: date | None = None,
    end: date | None = None,
    decision: str,
) -> Mandate:
    access.require_change(actor, owner_id=organisation.pk)
    if (body is None) == (committee is None):
        raise DomainError(
            _("A mandate is held in one body or in one committee."),
            fields={"body": [_("Choose a body or a committee, not both.")]},
        )
    if body is not None and body.organisation_id != organisation.pk:
        raise DomainError(
            _("That body belongs to another organisation."),
            fields={"body": [_("Not of this unit.")]},
        )
    if position not in MandatePosition.values:
        raise DomainError(_("Unknown position."), fields={"position": [_("Unknown position.")]})
    if not decision.strip():
        raise DomainError(
            _("Say which election or decision the mandate comes from."),
            fields={"decision": [_("This field is required.")]},
        )
    begin = start or timezone.localdate()
    finish = end or mandate_end_default(begin)
    if finish <= begin:
        raise DomainError(
            _("A mandate must end after it starts."),
            fields={"end": [_("Must be after the start.")]},
        )
    if committee is not None:
        if committee.valid_from > begin or (committee.valid_to and committee.valid_to < begin):
            raise DomainError(
                _("The committee “%(name)s” is not in the catalogue on that date.")
                % {"name": committee.name_es},
                fields={"committee": [_("Not valid on the start date.")]},
            )
        taken = Mandate.objects.filter(
            organisation=organisation,
            committee=committee,
            position=position,
            status=MandateStatus.ACTIVE,
            end__gte=begin,
        ).exists()
        if taken:
            raise DomainError(
                _("This committee already has an active %(position)s spokesperson.")
                % {"position": MandatePosition(position).label},
                code="seat_taken",
            )
    same_seat = Mandate.objects.filter(
        person=person,
        organisation=organisation,
        body=body,
        committee=committee,
        status=MandateStatus.ACTIVE,
        end__gte=begin,
    )
    if same_seat.exists():
        raise DomainError(
            _("%(person)s already holds this mandate.") % {"person": person.public_name},
            code="already_holds",
        )
    membership = Membership.objects.create(
        person=person,
        organisation=organisation,
        role=Role.SPOKESPERSON,
        valid_from=begin,
        valid_to=finish,
    )
    mandate = Mandate.objects.create(
        person=person,
        organisation=organisation,
        body=body,
        committee=committee,
        position=position,
        start=begin,
        end=finish,
        decision=decision.strip(),
        membership=membership,
    )
    audit.record(
        actor=actor,
        verb="mandate.grant",
        subject=mandate,
        organisation=organisation,
        details={"person": person.pk, "position": position, "end": finish.isoformat()},
    )
    return mandate


def _close_membership(mandate: Mandate, day: date) -> None:
    if mandate.membership_id is not None:
        Membership.objects.filter(pk=mandate.membership_id).update(valid_to=max(day, mandate.start))


@transaction.atomic
def mandate_revoke(
    *, actor: AnyUser | None, mandate: Mandate, reason: str, on: date | None = None
) -> Mandate:
    access.require_change(actor, owner_id=mandate.organisation_id)
    if mandate.status != MandateStatus.ACTIVE:
        raise DomainError(_("Only an active mandate can be revoked."), code="not_active")
    if not reason.strip():
        raise DomainError(
            _("Say why the mandate is revoked (the decision of the assembly)."),
            fields={"reason": [_("This field is required.")]},
        )
    day = on or timezone.localdate()
    if day < mandate.start:
        raise DomainError(_("A mandate cannot be revoked before it starts."))
    mandate.status = MandateStatus.REVOKED
    mandate.ended_on = day
    mandate.end_reason = reason.strip()
    mandate.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    # The revocation takes effect on the day: the person stops acting as spokesperson today.
    _close_membership(mandate, day - timedelta(days=1))
    audit.record(
        actor=actor,
        verb="mandate.revoke",
        subject=mandate,
        organisation=mandate.organisation_id,
        details={"reason": reason.strip(), "on": day.isoformat()},
    )
    return mandate


@transaction.atomic
def mandates_expire(*, today: date | None = None) -> dict[str, int]:
    """Expire mandates whose end has passed; warn once those ending within 60 days.

    Safe to run twice on the same day: expired mandates are no longer active, and a warning
    is sent once per mandate.
    """
    day = today or timezone.localdate()
    expired = list(
        Mandate.objects.select_for_update()
        .filter(status=MandateStatus.ACTIVE, end__lt=day)
        .select_related("person")
    )
    for mandate in expired:
        mandate.status = MandateStatus.EXPIRED
        mandate.ended_on = mandate.end
        mandate.save(update_fields=["status", "ended_on", "updated_at"])
        _close_membership(mandate, mandate.end)
        audit.record(
            actor=None,
            verb="mandate.expire",
            subject=mandate,
            organisation=mandate.organisation_id,
            details={"end": mandate.end.isoformat()},
        )
    warn = list(
        Mandate.objects.select_for_update()
        .filter(
            status=MandateStatus.ACTIVE,
            end__gte=day,
            end__lte=day + timedelta(days=EXPIRY_WARNING_DAYS),
            expiry_warned_on__isnull=True,
        )
        .select_related("person", "organisation")
    )
    for mandate in warn:
        mandate.expiry_warned_on = day
        mandate.save(update_fields=["expiry_warned_on"])
        audit.record(
            actor=None,
            verb="mandate.expiry_warning",
            subject=mandate,
            organisation=mandate.organisation_id,
            details={"end": mandate.end.isoformat()},
        )
        if mandate.person.email:
            transaction.on_commit(
                lambda m=mandate: _send_expiry_warning(m.pk)  # type: ignore[misc]
            )
    return {"expired": len(expired), "warned": len(warn)}


def _send_expiry_warning(mandate_id: int) -> None:
    from comuna.registry.tasks import send_expiry_warning

    send_expiry_warning.enqueue(mandate_id)


def _recount_links(org_ids: set[int]) -> None:
    for org_id in org_ids:
        n = (
            Link.objects.filter(ended__isnull=True)
            .filter(Q(source_id=org_id) | Q(target_id=org_id))
            .values("source_id", "target_id")
            .distinct()
            .count()
        )
        Commune.objects.filter(pk=org_id).update(link_count=n)


@transaction.atomic
def link_create(
    *,
    actor: AnyUser | None,
    source: Organisation,
    target: Organisation,
    kind: str,
    description: str = "",
    since: date | None = None,
) -> Link:
    access.require_change(actor, owner_id=source.pk)
    if source.pk == target.pk:
        raise DomainError(
            _("An organisation cannot be linked to itself."),
            fields={"target": [_("Choose another organisation.")]},
        )
    if kind not in LinkKind.values:
        raise DomainError(_("Unknown type of link."), fields={"kind": [_("Unknown type.")]})
    if Link.objects.filter(source=source, target=target, kind=kind, ended__isnull=True).exists():
        raise DomainError(
            _("This link already exists."),
            code="link_exists",
            fields={"target": [_("Already linked.")]},
        )
    link = Link.objects.create(
        source=source,
        target=target,
        kind=kind,
        description=description.strip(),
        since=since or timezone.localdate(),
    )
    _recount_links({source.pk, target.pk})
    audit.record(
        actor=actor,
        verb="link.create",
        subject=link,
        organisation=source,
        details={"target": target.slug, "kind": kind},
    )
    return link


@transaction.atomic
def link_end(*, actor: AnyUser | None, link: Link, on: date | None = None) -> Link:
    access.require_change(actor, owner_id=link.source_id)
    if link.ended is not None:
        raise DomainError(_("This link has already ended."), code="link_ended")
    link.ended = max(on or timezone.localdate(), link.since)
    link.save(update_fields=["ended", "updated_at"])
    _recount_links({link.source_id, link.target_id})
    audit.record(actor=actor, verb="link.end", subject=link, organisation=link.source_id)
    return link


@transaction.atomic
def assessment_record(
    *,
    actor: AnyUser | None,
    commune: Commune,
    assessed_on: date,
    indicators: Indicators,
    notes: str = "",
) -> CapacityAssessment:
    access.require_change(actor, owner_id=commune.pk)
    if assessed_on > timezone.localdate():
        raise DomainError(
            _("An assessment cannot be dated in the future."),
            fields={"assessed_on": [_("Must be today or earlier.")]},
        )
    if indicators.productive_units < 0 or indicators.services_managed < 0:
        raise DomainError(_("Counts cannot be negative."))
    if not 0 <= indicators.councils_active_share <= 100:
        raise DomainError(
            _("The share of active councils is a percentage from 0 to 100."),
            fields={"councils_active_share": [_("From 0 to 100.")]},
        )
    assessment = CapacityAssessment.objects.create(
        commune=commune,
        assessed_on=assessed_on,
        level=capacity_level(indicators),
        notes=notes.strip(),
        **asdict(indicators),
    )
    latest = CapacityAssessment.objects.filter(commune=commune).order_by("-assessed_on", "-id")[0]
    Commune.objects.filter(pk=commune.pk).update(capacity_level=latest.level)
    commune.capacity_level = latest.level
    audit.record(
        actor=actor,
        verb="assessment.record",
        subject=assessment,
        organisation=commune,
        details={"level": assessment.level, "on": assessed_on.isoformat()},
    )
    return assessment
