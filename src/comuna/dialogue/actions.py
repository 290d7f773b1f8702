"""Writes of the dialogue with government. Every action checks who may do it, validates the
domain rules (DomainError with a translated message naming the field), writes in one
transaction, appends to the demand's public timeline where there is one, keeps the body's
statistics, and records an AuditEvent.

Who may do what:

- the directory of public bodies and the holiday calendar: the network's coordinators;
  anyone signed in may propose a correction to a body, which a network coordinator accepts
  or rejects;
- a demand: coordinators and spokespeople of the filing organisation (or of one above it)
  write, file, escalate, withdraw and resolve it, and record the body's acknowledgement and
  answer; so may the body's own people when the body has members; an organisation co-signs
  through its coordinators or spokespeople (a movement outside the registry is added by the
  filing organisation);
- a dialogue table and its commitments: coordinators and spokespeople of the convening
  organisation; the organisation responsible for a commitment may also mark it done;
- a transfer of competences: coordinators and spokespeople of the receiving organisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comuna.core import access, audit
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import Organisation, OrganisationKind, Visibility
from comuna.core.validation import actor_id, clean_choice, clean_text
from comuna.dialogue import counters
from comuna.dialogue.files import check_upload
from comuna.dialogue.holidays import due_date
from comuna.dialogue.models import (
    OPEN_STATUSES,
    PHASE_ORDER,
    AttachmentKind,
    BodyCorrection,
    BodyLevel,
    BodyStats,
    BodyType,
    Commitment,
    CommitmentStatus,
    CompetenceTransfer,
    CorrectionStatus,
    Demand,
    DemandAttachment,
    DemandCosigner,
    DemandEvent,
    DemandReminder,
    DemandStatus,
    DialogueTable,
    EventKind,
    HolidayChange,
    HolidayChangeKind,
    Phase,
    PublicBody,
    ReminderKind,
    Service,
    ServiceManagement,
    Side,
    TableParticipant,
    TableStatus,
    Topic,
    TransferDocument,
    TransferKind,
    TransferStep,
)
from comuna.engines.deadlines import DEFAULT_VERY_OVERDUE_AFTER_DAYS, DeadlineError
from comuna.geography.models import State
from comuna.registry.actions import network_root

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

#: A reminder goes to the filing organisation this many days before the due date.
REMINDER_DAYS_BEFORE = 3
RECEIVING_KINDS = frozenset({OrganisationKind.COMMUNE, OrganisationKind.COUNCIL})


# Shared rules ---------------------------------------------------------------------------------


def can_manage_directory(actor: AnyUser | None) -> bool:
    """Network coordinators (and staff) keep the directory of bodies and the calendar."""
    viewer = access.viewer_for(actor)
    if viewer.is_staff:
        return True
    if not viewer.in_network:
        return False
    root = network_root()
    return root is not None and access.can_coordinate(actor, owner_id=root.pk)


def require_directory_manager(actor: AnyUser | None) -> None:
    if not can_manage_directory(actor):
        raise PermissionDeniedError(
            _("Only a coordinator of the network may change the directory of public bodies.")
        )


def _signed_in(actor: AnyUser | None) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in first."))


def _today() -> date:
    return timezone.localdate()


def _day(on: date | None, field_name: str = "on", *, not_before: date | None = None) -> date:
    """`on` (today when None), refused when in the future or before `not_before`."""
    day = on or _today()
    if isinstance(day, datetime) or not isinstance(day, date):
        raise DomainError(_("Give a date."), fields={field_name: [_("Give a date.")]})
    if day > _today():
        message = _("The date cannot be in the future.")
        raise DomainError(message, fields={field_name: [message]})
    if not_before is not None and day < not_before:
        message = _("The date cannot be before %(day)s.") % {"day": not_before.strftime("%d/%m/%Y")}
        raise DomainError(message, fields={field_name: [message]})
    return day


def _visibility(value: str) -> str:
    return clean_choice(value, [Visibility.PUBLIC, Visibility.UNIT], "visibility")


def _unique_slug(name: str, fallback: str) -> str:
    base = slugify(name)[:100] or fallback
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# Public bodies ----------------------------------------------------------------------------------

BODY_FIELDS = (
    "name",
    "acronym",
    "level",
    "body_type",
    "parent",
    "state",
    "response_days",
    "contact_office",
    "contact_email",
    "contact_phone",
    "address",
    "website",
    "description",
)
#: What a correction may propose (the parent and state are chosen by the coordinators).
CORRECTABLE = (
    "name",
    "acronym",
    "response_days",
    "contact_office",
    "contact_email",
    "contact_phone",
    "address",
    "website",
    "description",
)


def _clean_body_values(values: Mapping[str, Any], body: PublicBody | None) -> dict[str, Any]:
    """Validate the values of a body (all or some of BODY_FIELDS); DomainError on the first
    wrong ones, naming every wrong field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value in values.items():
        if name not in BODY_FIELDS:
            errors[name] = [_("This field cannot be set.")]
            continue
        if name == "name":
            text = (value or "").strip()
            if not text:
                errors[name] = [_("This field is required.")]
            clean[name] = text[:200]
        elif name in {"acronym", "contact_office", "contact_phone", "address", "description"}:
            clean[name] = (value or "").strip()
        elif name == "level":
            if value not in BodyLevel.values:
                errors[name] = [_("Choose national, state or municipal.")]
            clean[name] = value
        elif name == "body_type":
            if value not in BodyType.values:
                errors[name] = [_("Unknown type of body.")]
            clean[name] = value
        elif name == "response_days":
            try:
                days = int(value)
            except (TypeError, ValueError):
                days = 0
            if not 1 <= days <= 365:
                errors[name] = [_("Give a number of business days from 1 to 365.")]
            clean[name] = days
        elif name == "contact_email":
            text = (value or "").strip()
            if text:
                try:
                    EmailValidator()(text)
                except ValidationError:
                    errors[name] = [_("Enter a valid e-mail address.")]
            clean[name] = text
        elif name == "website":
            text = (value or "").strip()
            if text:
                try:
                    URLValidator(schemes=["http", "https"])(text)
                except ValidationError:
                    errors[name] = [_("Enter a valid web address.")]
            clean[name] = text
        elif name == "parent":
            if value is not None and not isinstance(value, PublicBody):
                errors[name] = [_("The higher body must be a public body.")]
            elif value is not None and body is not None and _would_cycle(body, value):
                errors[name] = [_("A body cannot be placed under itself or one of its own.")]
            clean[name] = value
        elif name == "state":
            if value is not None and not isinstance(value, State):
                errors[name] = [_("Unknown state.")]
            clean[name] = value
    if errors:
        raise DomainError(_("Some values of the public body are not valid."), fields=errors)
    return clean


def _would_cycle(body: PublicBody, parent: PublicBody) -> bool:
    seen: set[int] = set()
    current: int | None = parent.pk
    while current is not None and current not in seen:
        if current == body.pk:
            return True
        seen.add(current)
        current = (
            Organisation.objects.filter(pk=current).values_list("parent_id", flat=True).first()
        )
    return False


@transaction.atomic
def body_create(
    *,
    actor: AnyUser | None,
    name: str,
    level: str,
    body_type: str,
    acronym: str = "",
    parent: PublicBody | None = None,
    state: State | None = None,
    response_days: int = 20,
    contact_office: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    address: str = "",
    website: str = "",
    description: str = "",
    slug: str | None = None,
) -> PublicBody:
    require_directory_manager(actor)
    values = _clean_body_values(
        {
            "name": name,
            "acronym": acronym,
            "level": level,
            "body_type": body_type,
            "parent": parent,
            "state": state,
            "response_days": response_days,
            "contact_office": contact_office,
            "contact_email": contact_email,
            "contact_phone": contact_phone,
            "address": address,
            "website": website,
            "description": description,
        },
        None,
    )
    if slug and Organisation.objects.filter(slug=slug).exists():
        raise DomainError(
            _("The short name “%(slug)s” is already taken.") % {"slug": slug},
            fields={"slug": [_("Already taken.")]},
        )
    body = PublicBody(
        kind=OrganisationKind.PUBLIC_BODY,
        slug=slug or _unique_slug(values["acronym"] or values["name"], "ente"),
        **values,
    )
    body.save()
    BodyStats.objects.create(body=body)
    audit.record(actor=actor, verb="public_body.create", subject=body, organisation=body)
    return body


@transaction.atomic
def body_update(*, actor: AnyUser | None, body: PublicBody, **changes: Any) -> PublicBody:
    require_directory_manager(actor)
    values = _clean_body_values(changes, body)
    changed = sorted(k for k, v in values.items() if getattr(body, k) != v)
    for name, value in values.items():
        setattr(body, name, value)
    body.save()
    audit.record(
        actor=actor,
        verb="public_body.update",
        subject=body,
        organisation=body,
        details={"fields": changed},
    )
    return body


@transaction.atomic
def correction_propose(
    *, actor: AnyUser | None, body: PublicBody, changes: Mapping[str, Any], note: str = ""
) -> BodyCorrection:
    _signed_in(actor)
    proposed = {k: v for k, v in changes.items() if v not in (None, "")}
    unknown = sorted(set(proposed) - set(CORRECTABLE))
    if unknown:
        raise DomainError(
            _("These fields cannot be corrected here: %(names)s.") % {"names": ", ".join(unknown)}
        )
    clean = _clean_body_values(proposed, body)
    differing = {k: v for k, v in clean.items() if getattr(body, k) != v}
    if not differing:
        raise DomainError(_("Change at least one value of the entry."))
    correction = BodyCorrection.objects.create(
        body=body, proposed_by_id=actor_id(actor), changes=differing, note=note.strip()
    )
    audit.record(
        actor=actor,
        verb="public_body.correction_propose",
        subject=correction,
        organisation=body,
        details={"fields": sorted(differing)},
    )
    return correction


@transaction.atomic
def correction_decide(
    *, actor: AnyUser | None, correction: BodyCorrection, accept: bool, note: str = ""
) -> BodyCorrection:
    require_directory_manager(actor)
    correction = BodyCorrection.objects.select_for_update().get(pk=correction.pk)
    if correction.status != CorrectionStatus.PENDING:
        raise DomainError(_("This correction has already been decided."))
    if accept:
        body = PublicBody.objects.get(pk=correction.body_id)
        body_update(actor=actor, body=body, **correction.changes)
    correction.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED
    correction.decided_by_id = actor_id(actor)
    correction.decided_at = timezone.now()
    correction.decision_note = note.strip()
    correction.save()
    audit.record(
        actor=actor,
        verb="public_body.correction_" + ("accept" if accept else "reject"),
        subject=correction,
        organisation=correction.body_id,
    )
    return correction


# The holiday calendar ---------------------------------------------------------------------------


@transaction.atomic
def holiday_set(*, actor: AnyUser | None, day: date, change: str, name: str = "") -> HolidayChange:
    """Make `day` a holiday (added, with a name) or a working day (removed) in its year.
    Demands already filed keep their due date; new ones count with the change."""
    require_directory_manager(actor)
    clean_choice(change, HolidayChangeKind.values, "change")
    name = name.strip()[:120]
    if change == HolidayChangeKind.ADDED and not name:
        raise DomainError(
            _("A holiday that is added needs a name."),
            fields={"name": [_("This field is required.")]},
        )
    row, _created = HolidayChange.objects.update_or_create(
        day=day, defaults={"change": change, "name": name, "created_by": actor}
    )
    audit.record(
        actor=actor,
        verb="holiday.set",
        subject=row,
        details={"day": day.isoformat(), "change": change, "name": name},
    )
    return row


@transaction.atomic
def holiday_revert(*, actor: AnyUser | None, day: date) -> None:
    """Drop the change recorded for `day`: the yearly rule applies again."""
    require_directory_manager(actor)
    row = HolidayChange.objects.filter(day=day).first()
    if row is None:
        raise DomainError(_("No change is recorded for that date."))
    audit.record(
        actor=actor,
        verb="holiday.revert",
        subject=row,
        details={"day": day.isoformat(), "change": row.change, "name": row.name},
    )
    row.delete()


# Demands -------------------------------------------------------------------------------------


def _event(
    demand: Demand,
    kind: str,
    on: date,
    *,
    actor: AnyUser | None,
    organisation: Organisation | int | None,
    text: str = "",
    details: dict[str, Any] | None = None,
) -> DemandEvent:
    org_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return DemandEvent.objects.create(
        demand=demand,
        body_id=demand.body_id,
        public=demand.visibility == Visibility.PUBLIC,
        kind=kind,
        on=on,
        organisation_id=org_id,
        actor_id=actor_id(actor),
        text=text,
        details=details or {},
    )


def _audit(actor: AnyUser | None, verb: str, demand: Demand, **details: Any) -> None:
    audit.record(
        actor=actor, verb=verb, subject=demand, organisation=demand.owner_id, details=details
    )


def can_act_for_demand(actor: AnyUser | None, demand: Demand) -> bool:
    return access.can_change(actor, owner_id=demand.owner_id)


def can_record_response(actor: AnyUser | None, demand: Demand) -> bool:
    """The filing organisation records what the body answered; so may the body's people."""
    return can_act_for_demand(actor, demand) or access.can_change(actor, owner_id=demand.body_id)


def _require_filer(actor: AnyUser | None, demand: Demand) -> None:
    if not can_act_for_demand(actor, demand):
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of the filing organisation may do this.")
        )


def _locked(demand: Demand) -> Demand:
    return Demand.objects.select_for_update().get(pk=demand.pk)


def _check_owner(owner: Organisation) -> None:
    if owner.kind in {OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK}:
        raise DomainError(
            _("A demand is filed by a council, commune or other organisation of the people."),
            fields={"owner": [_("Choose an organisation of the people.")]},
        )


@transaction.atomic
def demand_create(
    *,
    actor: AnyUser | None,
    owner: Organisation,
    body: PublicBody,
    topic: str,
    title: str,
    text: str,
    visibility: str = Visibility.PUBLIC,
    file: bool = True,
    filed_on: date | None = None,
) -> Demand:
    """Write a demand (a draft) and, unless `file` is False, file it at once."""
    access.require_change(actor, owner_id=owner.pk)
    _check_owner(owner)
    if body.archived_at is not None:
        raise DomainError(
            _("This public body is archived: address the demand to another."),
            fields={"body": [_("Archived body.")]},
        )
    demand = Demand.objects.create(
        owner=owner,
        visibility=_visibility(visibility),
        body=body,
        topic=clean_choice(topic, Topic.values, "topic"),
        title=clean_text(title, "title", limit=200),
        text=clean_text(text, "text"),
        created_by_id=actor_id(actor),
    )
    _event(demand, EventKind.CREATED, _today(), actor=actor, organisation=owner)
    _audit(actor, "demand.create", demand)
    if file:
        _file(actor, demand, filed_on, "filed_on")
        demand.refresh_from_db()
    return demand


DRAFT_FIELDS = frozenset({"body", "topic", "title", "text", "visibility"})


@transaction.atomic
def demand_edit(*, actor: AnyUser | None, demand: Demand, **changes: Any) -> Demand:
    """Change a draft (a filed demand is what the body received: it is not edited)."""
    _require_filer(actor, demand)
    demand = _locked(demand)
    if demand.status != DemandStatus.DRAFT:
        raise DomainError(_("Only a draft can be edited; a filed demand stays as it was filed."))
    unknown = set(changes) - DRAFT_FIELDS
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if "body" in changes:
        demand.body = changes["body"]
    if "topic" in changes:
        demand.topic = clean_choice(changes["topic"], Topic.values, "topic")
    if "title" in changes:
        demand.title = clean_text(changes["title"], "title", limit=200)
    if "text" in changes:
        demand.text = clean_text(changes["text"], "text")
    if "visibility" in changes:
        demand.visibility = _visibility(changes["visibility"])
    demand.save()
    _audit(actor, "demand.edit", demand, fields=sorted(changes))
    return demand


@transaction.atomic
def demand_file(*, actor: AnyUser | None, demand: Demand, on: date | None = None) -> Demand:
    """File a draft: from `on` (today by default) the body has its response time in
    business days, under the holiday calendar in force."""
    return _file(actor, demand, on, "on")


def _file(actor: AnyUser | None, demand: Demand, on: date | None, field_name: str) -> Demand:
    _require_filer(actor, demand)
    demand = _locked(demand)
    if demand.status != DemandStatus.DRAFT:
        raise DomainError(_("This demand has already been filed."), code="already_filed")
    day = _day(on, field_name)
    body = PublicBody.objects.get(pk=demand.body_id)
    try:
        due = due_date(day, body.response_days)
    except DeadlineError as err:
        message = _("The due date falls outside the calendar.")
        raise DomainError(message, fields={field_name: [message]}) from err
    demand.set_status(DemandStatus.FILED)
    demand.filed_on = day
    demand.business_days = body.response_days
    demand.due_on = due
    demand.save()
    counters.filed(demand)
    _event(
        demand,
        EventKind.FILED,
        day,
        actor=actor,
        organisation=demand.owner_id,
        details={"due_on": due.isoformat(), "business_days": body.response_days},
    )
    _audit(actor, "demand.file", demand, due_on=due.isoformat())
    return demand


def _movement_allowed(actor: AnyUser | None, demand: Demand, organisation: Organisation) -> bool:
    return organisation.kind == OrganisationKind.MOVEMENT and can_act_for_demand(actor, demand)


@transaction.atomic
def demand_cosign(
    *,
    actor: AnyUser | None,
    demand: Demand,
    organisation: Organisation,
    on: date | None = None,
) -> DemandCosigner:
    """`organisation` signs the demand beside its owner. Its coordinators or spokespeople
    sign for it; a movement outside the registry is added by the filing organisation."""
    if not (
        access.can_change(actor, owner_id=organisation.pk)
        or _movement_allowed(actor, demand, organisation)
    ):
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of %(name)s may sign for it.")
            % {"name": organisation.name}
        )
    demand = _locked(demand)
    if demand.status in {DemandStatus.RESOLVED, DemandStatus.WITHDRAWN, DemandStatus.ESCALATED}:
        raise DomainError(_("This demand is closed: it can no longer be signed."))
    if organisation.pk == demand.owner_id:
        raise DomainError(
            _("The filing organisation already signs its demand."),
            fields={"organisation": [_("Already the filer.")]},
        )
    if organisation.kind in {OrganisationKind.PUBLIC_BODY, OrganisationKind.NETWORK}:
        raise DomainError(
            _("Only organisations of the people co-sign demands."),
            fields={"organisation": [_("Choose an organisation of the people.")]},
        )
    if DemandCosigner.objects.filter(demand=demand, organisation=organisation).exists():
        raise DomainError(
            _("%(name)s has already signed this demand.") % {"name": organisation.name},
            fields={"organisation": [_("Already signed.")]},
        )
    day = _day(on, "on")
    signature = DemandCosigner.objects.create(
        demand=demand,
        organisation=organisation,
        signed_on=day,
        signed_by_id=actor_id(actor),
    )
    _event(
        demand,
        EventKind.COSIGNED,
        day,
        actor=actor,
        organisation=organisation,
        details={"organisation": organisation.slug},
    )
    _audit(actor, "demand.cosign", demand, organisation=organisation.slug)
    return signature


@transaction.atomic
def movement_ensure(*, actor: AnyUser | None, name: str) -> Organisation:
    """The organisation of a movement outside the registry, found by name or created, so
    that it can co-sign. Anyone who acts for an organisation of the network may add one."""
    viewer = access.viewer_for(actor)
    if not (viewer.is_staff or viewer.organisations_with(access.CHANGE_ROLES)):
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of the network may add a movement.")
        )
    clean = clean_text(name, "name", limit=200)
    found = Organisation.objects.filter(kind=OrganisationKind.MOVEMENT, name__iexact=clean).first()
    if found is not None:
        return found
    movement = Organisation.objects.create(
        kind=OrganisationKind.MOVEMENT, name=clean, slug=_unique_slug(clean, "movimiento")
    )
    audit.record(actor=actor, verb="organisation.create", subject=movement, organisation=movement)
    return movement


def _require_filed(demand: Demand, message: str) -> None:
    """Refuse with `message` (a whole sentence) what only a filed demand can undergo."""
    if demand.status == DemandStatus.DRAFT or demand.filed_on is None:
        raise DomainError(message, code="not_filed")


@transaction.atomic
def demand_acknowledge(
    *, actor: AnyUser | None, demand: Demand, on: date | None = None, reference: str = ""
) -> Demand:
    """The body acknowledged receipt (a stamp, a file number)."""
    if not can_record_response(actor, demand):
        raise PermissionDeniedError(_("You may see this demand, but not record its answers."))
    demand = _locked(demand)
    _require_filed(
        demand, _("The demand must be filed before its acknowledgement can be recorded.")
    )
    if demand.status != DemandStatus.FILED:
        raise DomainError(_("Only a filed demand that is waiting can be acknowledged."))
    assert demand.filed_on is not None  # noqa: S101 - checked above
    day = _day(on, "on", not_before=demand.filed_on)
    demand.set_status(DemandStatus.ACKNOWLEDGED)
    demand.acknowledged_on = day
    demand.body_reference = clean_text(reference, "reference", required=False, limit=100)
    demand.save()
    _event(
        demand,
        EventKind.ACKNOWLEDGED,
        day,
        actor=actor,
        organisation=demand.body_id,
        text=demand.body_reference,
    )
    _audit(actor, "demand.acknowledge", demand)
    return demand


@transaction.atomic
def demand_answer(
    *, actor: AnyUser | None, demand: Demand, text: str, on: date | None = None
) -> Demand:
    """Record the body's answer (its text, and the day it was given)."""
    if not can_record_response(actor, demand):
        raise PermissionDeniedError(_("You may see this demand, but not record its answers."))
    demand = _locked(demand)
    _require_filed(demand, _("The demand must be filed before it can be answered."))
    if demand.status not in OPEN_STATUSES:
        raise DomainError(
            _("Only a demand waiting for an answer can be answered (this one is %(state)s).")
            % {"state": demand.get_status_display()}
        )
    assert demand.filed_on is not None  # noqa: S101 - checked above
    day = _day(on, "on", not_before=demand.filed_on)
    demand.set_status(DemandStatus.ANSWERED)
    demand.answered_on = day
    demand.answer_text = clean_text(text, "text")
    demand.answer_days = (day - demand.filed_on).days
    demand.save()
    counters.answered(demand)
    _event(
        demand,
        EventKind.ANSWERED,
        day,
        actor=actor,
        organisation=demand.body_id,
        text=demand.answer_text,
        details={"late": demand.answered_late, "days": demand.answer_days},
    )
    _audit(actor, "demand.answer", demand, late=demand.answered_late)
    return demand


@transaction.atomic
def demand_resolve(
    *, actor: AnyUser | None, demand: Demand, on: date | None = None, note: str = ""
) -> Demand:
    """The filing organisation declares the matter settled after the answer."""
    _require_filer(actor, demand)
    demand = _locked(demand)
    _require_filed(demand, _("The demand must be filed before it can be resolved."))
    if demand.status != DemandStatus.ANSWERED:
        raise DomainError(_("A demand is resolved after the body has answered it."))
    assert demand.answered_on is not None  # noqa: S101 - answered
    day = _day(on, "on", not_before=demand.answered_on)
    demand.set_status(DemandStatus.RESOLVED)
    demand.resolved_on = day
    demand.close_reason = note.strip()
    demand.save()
    counters.resolved(demand)
    _event(
        demand,
        EventKind.RESOLVED,
        day,
        actor=actor,
        organisation=demand.owner_id,
        text=note.strip(),
    )
    _audit(actor, "demand.resolve", demand)
    return demand


def higher_bodies(body: PublicBody) -> list[PublicBody]:
    """The bodies above `body`, nearest first (where a demand can be escalated)."""
    ids = [pk for pk in Organisation.objects.get(pk=body.pk).ancestor_ids() if pk != body.pk]
    found = {b.pk: b for b in PublicBody.objects.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


@transaction.atomic
def demand_escalate(
    *,
    actor: AnyUser | None,
    demand: Demand,
    to_body: PublicBody | None = None,
    on: date | None = None,
    reason: str = "",
) -> Demand:
    """Take the demand to a higher body: the demand is closed as escalated, and a new demand
    with the same text, owner, co-signers and visibility is filed to the higher body (with
    its own due date). Returns the new demand."""
    _require_filer(actor, demand)
    demand = _locked(demand)
    _require_filed(demand, _("The demand must be filed before it can be escalated."))
    if demand.status not in (*OPEN_STATUSES, DemandStatus.ANSWERED):
        raise DomainError(
            _("Only a demand waiting or answered can be escalated (this one is %(state)s).")
            % {"state": demand.get_status_display()}
        )
    body = PublicBody.objects.get(pk=demand.body_id)
    above = higher_bodies(body)
    if not above:
        raise DomainError(
            _("%(body)s has no higher body in the directory.") % {"body": body.name},
            fields={"to_body": [_("No higher body.")]},
        )
    target = to_body or above[0]
    if target.pk not in {b.pk for b in above}:
        raise DomainError(
            _("A demand is escalated to a body above %(body)s.") % {"body": body.name},
            fields={"to_body": [_("Choose a higher body.")]},
        )
    assert demand.filed_on is not None  # noqa: S101 - checked above
    day = _day(on, "on", not_before=demand.filed_on)
    was_open = demand.status in OPEN_STATUSES
    demand.set_status(DemandStatus.ESCALATED)
    demand.closed_on = day
    demand.close_reason = reason.strip()
    demand.save()
    counters.closed(demand, was_open=was_open, escalated=True)
    higher = Demand.objects.create(
        owner_id=demand.owner_id,
        visibility=demand.visibility,
        body=target,
        topic=demand.topic,
        title=demand.title,
        text=demand.text,
        escalated_from=demand,
        created_by_id=actor_id(actor),
    )
    DemandCosigner.objects.bulk_create(
        [
            DemandCosigner(
                demand=higher,
                organisation_id=s.organisation_id,
                signed_on=s.signed_on,
                signed_by_id=s.signed_by_id,
            )
            for s in demand.signatures.all()
        ]
    )
    _event(
        demand,
        EventKind.ESCALATED,
        day,
        actor=actor,
        organisation=demand.owner_id,
        text=demand.close_reason,
        details={"to": target.slug, "demand": higher.pk},
    )
    _event(
        higher,
        EventKind.RECEIVED,
        day,
        actor=actor,
        organisation=demand.owner_id,
        text=demand.close_reason,
        details={"from": body.slug, "demand": demand.pk},
    )
    _audit(actor, "demand.escalate", demand, to=target.slug, new=higher.pk)
    demand_file(actor=actor, demand=higher, on=day)
    higher.refresh_from_db()
    return higher


@transaction.atomic
def demand_withdraw(
    *, actor: AnyUser | None, demand: Demand, reason: str, on: date | None = None
) -> Demand:
    """The filing organisation withdraws the demand (with its reason). Nothing is deleted."""
    _require_filer(actor, demand)
    demand = _locked(demand)
    if demand.status not in (DemandStatus.DRAFT, *OPEN_STATUSES):
        raise DomainError(
            _("Only a draft or a demand that is waiting can be withdrawn (this one is %(state)s).")
            % {"state": demand.get_status_display()}
        )
    reason = clean_text(reason, "reason")
    day = _day(on, "on", not_before=demand.filed_on)
    was_open = demand.status in OPEN_STATUSES
    demand.set_status(DemandStatus.WITHDRAWN)
    demand.closed_on = day
    demand.close_reason = reason
    demand.save()
    if demand.filed_on is not None:
        counters.closed(demand, was_open=was_open, escalated=False)
    _event(demand, EventKind.WITHDRAWN, day, actor=actor, organisation=demand.owner_id, text=reason)
    _audit(actor, "demand.withdraw", demand)
    return demand


@transaction.atomic
def demand_attach(
    *,
    actor: AnyUser | None,
    demand: Demand,
    upload: UploadedFile,
    kind: str = AttachmentKind.DEMAND,
) -> DemandAttachment:
    if not can_record_response(actor, demand):
        raise PermissionDeniedError(_("You may see this demand, but not add documents to it."))
    clean_choice(kind, AttachmentKind.values, "kind")
    checked = check_upload(upload)
    attachment = DemandAttachment(
        demand=demand,
        kind=kind,
        name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by_id=actor_id(actor),
    )
    attachment.file.save(checked.name, upload, save=False)
    attachment.save()
    _event(
        demand,
        EventKind.ATTACHED,
        _today(),
        actor=actor,
        organisation=demand.owner_id,
        text=checked.name,
        details={"attachment": attachment.pk, "kind": kind},
    )
    _audit(actor, "demand.attach", demand, name=checked.name)
    return attachment


@dataclass
class ReminderRun:
    before: int = 0
    overdue: int = 0
    very_overdue: int = 0
    ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"before": self.before, "overdue": self.overdue, "very_overdue": self.very_overdue}


def _remind(demand: Demand, kind: str, today: date, run: ReminderRun) -> None:
    reminder, created = DemandReminder.objects.get_or_create(
        demand=demand, kind=kind, defaults={"sent_on": today}
    )
    if not created:
        return
    _event(
        demand,
        EventKind.REMINDER,
        today,
        actor=None,
        organisation=None,
        details={"reminder": kind, "due_on": demand.due_on.isoformat() if demand.due_on else ""},
    )
    _audit(None, "demand.remind", demand, reminder=kind)
    run.ids.append(reminder.pk)
    setattr(run, kind, getattr(run, kind) + 1)


@transaction.atomic
def reminders_send(*, today: date, batch: int = 2000) -> ReminderRun:
    """Remind the filing organisations of open demands: once when the due date is near
    (REMINDER_DAYS_BEFORE calendar days), once when it has passed, once when the demand is
    very overdue. Each reminder is recorded once (running twice on a day does nothing more);
    the e-mails are sent after the commit."""
    from comuna.dialogue import tasks

    run = ReminderRun()
    very = today - timedelta(days=DEFAULT_VERY_OVERDUE_AFTER_DAYS)
    windows = (
        (
            ReminderKind.BEFORE,
            {"due_on__gte": today, "due_on__lte": today + timedelta(days=REMINDER_DAYS_BEFORE)},
        ),
        (ReminderKind.OVERDUE, {"due_on__lt": today, "due_on__gte": very}),
        (ReminderKind.VERY_OVERDUE, {"due_on__lt": very}),
    )
    for kind, window in windows:
        pending = (
            Demand.objects.filter(waiting=True, **window)
            .exclude(reminders__kind=kind)
            .order_by("due_on", "pk")[:batch]
        )
        for demand in pending:
            _remind(demand, kind, today, run)
    for reminder_id in run.ids:
        transaction.on_commit(partial(tasks.send_reminder.enqueue, reminder_id))
    return run


# Dialogue tables -------------------------------------------------------------------------------


def _require_changer(actor: AnyUser | None, owner_id: int) -> None:
    access.require_change(actor, owner_id=owner_id)


@transaction.atomic
def table_create(
    *,
    actor: AnyUser | None,
    owner: Organisation,
    title: str,
    held_at: datetime,
    place: str = "",
    agenda: str = "",
    bodies: Iterable[PublicBody] = (),
    visibility: str = Visibility.PUBLIC,
) -> DialogueTable:
    _require_changer(actor, owner.pk)
    _check_owner(owner)
    if timezone.is_naive(held_at):
        raise DomainError(_("Give the date and time."), fields={"held_at": [_("Give a time.")]})
    table = DialogueTable.objects.create(
        owner=owner,
        visibility=_visibility(visibility),
        title=clean_text(title, "title", limit=200),
        held_at=held_at,
        place=clean_text(place, "place", required=False, limit=200),
        agenda=agenda.strip(),
        status=TableStatus.PLANNED,
        created_by_id=actor_id(actor),
    )
    table.bodies.set(list(bodies))
    audit.record(actor=actor, verb="dialogue_table.create", subject=table, organisation=owner)
    return table


@transaction.atomic
def table_record(
    *, actor: AnyUser | None, table: DialogueTable, status: str, minutes: str = ""
) -> DialogueTable:
    """Record that the table was held (with its minutes) or cancelled."""
    _require_changer(actor, table.owner_id)
    clean_choice(status, TableStatus.values, "status")
    if status == TableStatus.HELD and table.held_at > timezone.now():
        raise DomainError(
            _("A table that has not taken place yet cannot be recorded as held."),
            fields={"status": [_("Not yet held.")]},
        )
    table.status = status
    table.minutes = minutes.strip()
    table.save(update_fields=["status", "minutes", "updated_at"])
    audit.record(
        actor=actor,
        verb="dialogue_table.record",
        subject=table,
        organisation=table.owner_id,
        details={"status": status},
    )
    return table


@transaction.atomic
def table_participant_add(
    *,
    actor: AnyUser | None,
    table: DialogueTable,
    side: str,
    name: str,
    position: str = "",
    organisation: Organisation | None = None,
) -> TableParticipant:
    _require_changer(actor, table.owner_id)
    participant = TableParticipant.objects.create(
        table=table,
        side=clean_choice(side, Side.values, "side"),
        name=clean_text(name, "name", limit=200),
        position=clean_text(position, "position", required=False, limit=200),
        organisation=organisation,
    )
    audit.record(
        actor=actor,
        verb="dialogue_table.participant_add",
        subject=table,
        organisation=table.owner_id,
        details={"side": side},
    )
    return participant


@transaction.atomic
def commitment_add(
    *,
    actor: AnyUser | None,
    table: DialogueTable,
    responsible: Organisation,
    what: str,
    due_on: date,
) -> Commitment:
    _require_changer(actor, table.owner_id)
    if table.status == TableStatus.CANCELLED:
        raise DomainError(_("A cancelled table has no commitments."))
    if due_on < table.held_at.date() - timedelta(days=1):
        raise DomainError(
            _("A commitment falls due after the table that agreed it."),
            fields={"due_on": [_("Before the table.")]},
        )
    commitment = Commitment.objects.create(
        table=table, responsible=responsible, what=clean_text(what, "what"), due_on=due_on
    )
    audit.record(
        actor=actor,
        verb="commitment.add",
        subject=commitment,
        organisation=table.owner_id,
        details={"responsible": responsible.slug, "due_on": due_on.isoformat()},
    )
    return commitment


def can_update_commitment(actor: AnyUser | None, commitment: Commitment) -> bool:
    return access.can_change(actor, owner_id=commitment.table.owner_id) or access.can_change(
        actor, owner_id=commitment.responsible_id
    )


def _locked_commitment(commitment: Commitment) -> Commitment:
    """The commitment read again under a row lock: two follow-ups cannot both close it."""
    return Commitment.objects.select_for_update().select_related("table").get(pk=commitment.pk)


@transaction.atomic
def commitment_fulfil(
    *, actor: AnyUser | None, commitment: Commitment, on: date | None = None, note: str = ""
) -> Commitment:
    if not can_update_commitment(actor, commitment):
        raise PermissionDeniedError(_("You may see this commitment, but not change it."))
    commitment = _locked_commitment(commitment)
    if commitment.status != CommitmentStatus.OPEN:
        raise DomainError(_("This commitment is already closed."))
    commitment.status = CommitmentStatus.DONE
    commitment.done_on = _day(on, "on")
    commitment.note = note.strip()
    commitment.save(update_fields=["status", "done_on", "note"])
    audit.record(
        actor=actor,
        verb="commitment.fulfil",
        subject=commitment,
        organisation=commitment.table.owner_id,
        details={"done_on": commitment.done_on.isoformat()},
    )
    return commitment


@transaction.atomic
def commitment_break(*, actor: AnyUser | None, commitment: Commitment, note: str) -> Commitment:
    """Declare a commitment broken (the body refused, or the date makes no sense any more)."""
    _require_changer(actor, commitment.table.owner_id)
    commitment = _locked_commitment(commitment)
    if commitment.status != CommitmentStatus.OPEN:
        raise DomainError(_("This commitment is already closed."))
    commitment.status = CommitmentStatus.BROKEN
    commitment.note = clean_text(note, "note")
    commitment.save(update_fields=["status", "note"])
    audit.record(
        actor=actor,
        verb="commitment.break",
        subject=commitment,
        organisation=commitment.table.owner_id,
    )
    return commitment


# Transfers of competences ------------------------------------------------------------------------


@transaction.atomic
def transfer_create(
    *,
    actor: AnyUser | None,
    owner: Organisation,
    title: str,
    kind: str,
    from_body: PublicBody,
    started_on: date | None = None,
    service: str = "",
    description: str = "",
    visibility: str = Visibility.PUBLIC,
    demands: Iterable[Demand] = (),
) -> CompetenceTransfer:
    """Open a transfer to a commune or council; it starts in the diagnosis phase."""
    _require_changer(actor, owner.pk)
    if owner.kind not in RECEIVING_KINDS:
        raise DomainError(
            _("Competences are transferred to a commune or a communal council."),
            fields={"owner": [_("Choose a commune or council.")]},
        )
    clean_choice(kind, TransferKind.values, "kind")
    if kind == TransferKind.SERVICE:
        clean_choice(service, Service.values, "service")
    elif service:
        raise DomainError(
            _("Only a transfer of a public service names a service."),
            fields={"service": [_("Leave it empty.")]},
        )
    day = _day(started_on, "started_on")
    transfer = CompetenceTransfer.objects.create(
        owner=owner,
        visibility=_visibility(visibility),
        title=clean_text(title, "title", limit=200),
        kind=kind,
        service=service,
        from_body=from_body,
        description=description.strip(),
        phase=Phase.DIAGNOSIS,
        started_on=day,
        created_by_id=actor_id(actor),
    )
    TransferStep.objects.create(
        transfer=transfer,
        phase=Phase.DIAGNOSIS,
        started_on=day,
        actor_id=actor_id(actor),
    )
    linked = list(demands)
    for demand in linked:
        _check_linkable(transfer, demand)
    transfer.demands.set(linked)
    audit.record(
        actor=actor,
        verb="transfer.create",
        subject=transfer,
        organisation=owner,
        details={"kind": kind, "service": service, "from": from_body.slug},
    )
    return transfer


def _check_linkable(transfer: CompetenceTransfer, demand: Demand) -> None:
    if (
        demand.owner_id != transfer.owner_id
        and not demand.signatures.filter(organisation_id=transfer.owner_id).exists()
    ):
        raise DomainError(
            _("Only demands filed or signed by the receiving organisation can be linked."),
            fields={"demands": [_("Not a demand of this organisation.")]},
        )


@transaction.atomic
def transfer_link_demand(
    *, actor: AnyUser | None, transfer: CompetenceTransfer, demand: Demand
) -> None:
    _require_changer(actor, transfer.owner_id)
    _check_linkable(transfer, demand)
    transfer.demands.add(demand)
    audit.record(
        actor=actor,
        verb="transfer.link_demand",
        subject=transfer,
        organisation=transfer.owner_id,
        details={"demand": demand.pk},
    )


@transaction.atomic
def transfer_advance(
    *, actor: AnyUser | None, transfer: CompetenceTransfer, on: date | None = None, notes: str = ""
) -> CompetenceTransfer:
    """Move the transfer to its next phase. Completing a service transfer records that the
    receiving organisation runs that service from that day."""
    _require_changer(actor, transfer.owner_id)
    transfer = CompetenceTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.phase in (Phase.COMPLETED, Phase.CANCELLED):
        raise DomainError(_("This transfer is closed."))
    last = transfer.steps.order_by("-started_on", "-id").first()
    day = _day(on, "on", not_before=last.started_on if last else transfer.started_on)
    following = PHASE_ORDER[PHASE_ORDER.index(transfer.phase) + 1]
    transfer.phase = following
    if following == Phase.COMPLETED:
        transfer.completed_on = day
    transfer.save()
    TransferStep.objects.create(
        transfer=transfer,
        phase=following,
        started_on=day,
        notes=notes.strip(),
        actor_id=actor_id(actor),
    )
    if following == Phase.COMPLETED and transfer.kind == TransferKind.SERVICE:
        already = ServiceManagement.objects.filter(
            organisation_id=transfer.owner_id, service=transfer.service, ended_on__isnull=True
        ).exists()
        if not already:
            ServiceManagement.objects.create(
                organisation_id=transfer.owner_id,
                service=transfer.service,
                since=day,
                transfer=transfer,
            )
    audit.record(
        actor=actor,
        verb="transfer.advance",
        subject=transfer,
        organisation=transfer.owner_id,
        details={"phase": following, "on": day.isoformat()},
    )
    return transfer


@transaction.atomic
def transfer_cancel(
    *, actor: AnyUser | None, transfer: CompetenceTransfer, notes: str, on: date | None = None
) -> CompetenceTransfer:
    _require_changer(actor, transfer.owner_id)
    transfer = CompetenceTransfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.phase in (Phase.COMPLETED, Phase.CANCELLED):
        raise DomainError(_("This transfer is closed."))
    day = _day(on, "on", not_before=transfer.started_on)
    transfer.phase = Phase.CANCELLED
    transfer.save()
    TransferStep.objects.create(
        transfer=transfer,
        phase=Phase.CANCELLED,
        started_on=day,
        notes=clean_text(notes, "notes"),
        actor_id=actor_id(actor),
    )
    audit.record(
        actor=actor, verb="transfer.cancel", subject=transfer, organisation=transfer.owner_id
    )
    return transfer


@transaction.atomic
def transfer_attach(
    *, actor: AnyUser | None, transfer: CompetenceTransfer, upload: UploadedFile, title: str
) -> TransferDocument:
    _require_changer(actor, transfer.owner_id)
    checked = check_upload(upload)
    document = TransferDocument(
        transfer=transfer,
        phase=transfer.phase,
        title=clean_text(title, "title", limit=200),
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by_id=actor_id(actor),
    )
    document.file.save(checked.name, upload, save=False)
    document.save()
    audit.record(
        actor=actor,
        verb="transfer.attach",
        subject=transfer,
        organisation=transfer.owner_id,
        details={"name": checked.name},
    )
    return document
