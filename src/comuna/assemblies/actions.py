"""Writes of the assemblies module (the event side). Every action checks who may do it (see
queries' docstring), validates the domain rules (DomainError with a translated message naming
the field), writes in one transaction, bumps the assembly's `version` (the projector's ETag:
call `assembly_touch` from any other action whose change the projector shows), and records
an AuditEvent.

`actor=None` is the system (demo loader, commands, tasks): it passes the permission checks.
An anonymous user is refused.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comuna.assemblies import queries
from comuna.assemblies.models import (
    AgendaItem,
    Amendment,
    AmendmentStatus,
    Assembly,
    AssemblyStatus,
    Convenor,
    CredentialStatus,
    Declaration,
    DeclarationStatus,
    DeclarationVersion,
    Delegation,
    Endorsement,
    ItemStatus,
    Minutes,
    MinutesStatus,
    Motion,
    MotionEvent,
    MotionState,
    MotionSupport,
    Participant,
    ParticipantGender,
    ParticipantKind,
    Resolution,
    ResolutionStatus,
    Scope,
    Session,
    SpeakerEntry,
    SpeakerStatus,
    Stance,
    WorkingGroup,
)
from comuna.core import access, audit
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import Organisation, Person, Visibility
from comuna.core.validation import actor_id, clean_choice, clean_text, field_error

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

#: The default motion workflow: (code, English name, may move to, final).
DEFAULT_WORKFLOW: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("draft", "Draft", ("submitted", "withdrawn"), False),
    ("submitted", "Submitted", ("admitted", "rejected", "withdrawn", "referred"), False),
    (
        "admitted",
        "Admitted",
        ("debated", "voted", "adopted", "rejected", "withdrawn", "referred"),
        False,
    ),
    ("debated", "Debated", ("voted", "adopted", "rejected", "withdrawn", "referred"), False),
    ("voted", "Voted", ("adopted", "rejected"), False),
    ("adopted", "Adopted", (), True),
    ("rejected", "Rejected", (), True),
    ("withdrawn", "Withdrawn", (), True),
    ("referred", "Referred to another body", (), True),
)
#: A motion can be amended while it is in one of these states.
AMENDABLE = frozenset({"draft", "submitted", "admitted", "debated"})
MAX_TEXT = 20000


# Shared rules ---------------------------------------------------------------------------------


def _system(actor: AnyUser | None) -> bool:
    return actor is None


def _signed_in(actor: AnyUser | None) -> None:
    if actor is not None and not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in first."))


def _require_run(actor: AnyUser | None, assembly: Assembly) -> None:
    _signed_in(actor)
    if not _system(actor) and not queries.can_run(actor, assembly):
        raise PermissionDeniedError(
            _("Only a coordinator of the convening organisation may do this.")
        )


def _require_open(assembly: Assembly) -> None:
    if assembly.status == AssemblyStatus.CLOSED:
        raise DomainError(_("The assembly is closed."), code="closed")


def assembly_touch(assembly: Assembly | int) -> None:
    """Mark that something the projector shows changed (bumps the version, its ETag)."""
    pk = assembly.pk if isinstance(assembly, Assembly) else assembly
    Assembly.objects.filter(pk=pk).update(version=F("version") + 1)


def _badge_code() -> str:
    return secrets.token_urlsafe(9)


# Workflow -------------------------------------------------------------------------------------


def seed_default_workflow() -> None:
    """Write the default motion states when they are missing (safe to run again; states
    someone changed are left alone)."""
    for position, (code, name, next_codes, final) in enumerate(DEFAULT_WORKFLOW):
        MotionState.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "position": position * 10,
                "next_codes": list(next_codes),
                "is_final": final,
            },
        )


def state(code: str) -> MotionState:
    found = MotionState.objects.filter(code=code).first()
    if found is None:
        seed_default_workflow()
        found = MotionState.objects.filter(code=code).first()
    if found is None:
        raise field_error("state", _("There is no motion state with this code."), "unknown_state")
    return found


# Assemblies -----------------------------------------------------------------------------------


def _dates(starts_on: date, ends_on: date) -> None:
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise field_error("starts_on", _("Give a date."))
    if ends_on < starts_on:
        raise field_error("ends_on", _("The assembly cannot end before it starts."))


@transaction.atomic
def assembly_create(
    *,
    actor: AnyUser | None,
    owner: Organisation,
    title: str,
    scope: str,
    starts_on: date,
    ends_on: date,
    venue: str = "",
    description: str = "",
    slug: str = "",
    visibility: str = Visibility.PUBLIC,
    quorum_share: Decimal | str = Decimal("0.5"),
) -> Assembly:
    _signed_in(actor)
    if not _system(actor) and not access.can_coordinate(actor, owner_id=owner.pk):
        raise PermissionDeniedError(
            _("Only a coordinator of the convening organisation may convene an assembly.")
        )
    title = clean_text(title, "title", limit=200)
    clean_choice(scope, Scope.values, "scope")
    clean_choice(visibility, Visibility.values, "visibility")
    _dates(starts_on, ends_on)
    share = _share(quorum_share)
    slug = slugify(slug or title)[:120]
    if not slug:
        raise field_error("slug", _("This field is required."), "required")
    if Assembly.objects.filter(slug=slug).exists():
        raise field_error("slug", _("Another assembly already uses this short name."), "duplicate")
    assembly = Assembly.objects.create(
        owner=owner,
        visibility=visibility,
        slug=slug,
        title=title,
        scope=scope,
        starts_on=starts_on,
        ends_on=ends_on,
        venue=clean_text(venue, "venue", required=False, limit=300),
        description=clean_text(description, "description", required=False, limit=MAX_TEXT),
        quorum_share=share,
    )
    Convenor.objects.create(assembly=assembly, organisation=owner, name=owner.name)
    seed_default_workflow()
    audit.record(actor=actor, verb="assembly.create", subject=assembly, organisation=owner)
    return assembly


def _share(value: Decimal | str) -> Decimal:
    try:
        share = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise field_error("quorum_share", _("Give a number between 0 and 1.")) from None
    if not share.is_finite() or share < 0 or share > 1:
        raise field_error("quorum_share", _("Give a number between 0 and 1."))
    return share.quantize(Decimal("0.001"))


@transaction.atomic
def assembly_update(*, actor: AnyUser | None, assembly: Assembly, **changes: Any) -> Assembly:
    _require_run(actor, assembly)
    allowed = {
        "title",
        "description",
        "venue",
        "starts_on",
        "ends_on",
        "quorum_share",
        "speaking_seconds",
        "visibility",
        "scope",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(
            _("These fields cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if "title" in changes:
        assembly.title = clean_text(changes["title"], "title", limit=200)
    if "description" in changes:
        assembly.description = clean_text(
            changes["description"], "description", required=False, limit=MAX_TEXT
        )
    if "venue" in changes:
        assembly.venue = clean_text(changes["venue"], "venue", required=False, limit=300)
    if "scope" in changes:
        assembly.scope = clean_choice(changes["scope"], Scope.values, "scope")
    if "visibility" in changes:
        assembly.visibility = clean_choice(changes["visibility"], Visibility.values, "visibility")
    if "quorum_share" in changes:
        assembly.quorum_share = _share(changes["quorum_share"])
    if "speaking_seconds" in changes:
        seconds = changes["speaking_seconds"]
        if not isinstance(seconds, int) or not 10 <= seconds <= 3600:
            raise field_error(
                "speaking_seconds", _("Give a number of seconds between 10 and 3600.")
            )
        assembly.speaking_seconds = seconds
    assembly.starts_on = changes.get("starts_on", assembly.starts_on)
    assembly.ends_on = changes.get("ends_on", assembly.ends_on)
    _dates(assembly.starts_on, assembly.ends_on)
    assembly.version = F("version") + 1
    assembly.save()
    assembly.refresh_from_db()
    audit.record(
        actor=actor,
        verb="assembly.update",
        subject=assembly,
        organisation=assembly.owner_id,
        details={"fields": sorted(changes)},
    )
    return assembly


STATUS_MOVES = {
    AssemblyStatus.DRAFT: {AssemblyStatus.CONVENED},
    AssemblyStatus.CONVENED: {AssemblyStatus.IN_SESSION, AssemblyStatus.DRAFT},
    AssemblyStatus.IN_SESSION: {AssemblyStatus.CLOSED, AssemblyStatus.CONVENED},
    AssemblyStatus.CLOSED: {AssemblyStatus.IN_SESSION},
}


@transaction.atomic
def assembly_set_status(*, actor: AnyUser | None, assembly: Assembly, status: str) -> Assembly:
    _require_run(actor, assembly)
    clean_choice(status, AssemblyStatus.values, "status")
    if status not in STATUS_MOVES[AssemblyStatus(assembly.status)]:
        raise field_error(
            "status",
            _("An assembly that is %(now)s cannot become %(new)s.")
            % {
                "now": AssemblyStatus(assembly.status).label,
                "new": AssemblyStatus(status).label,
            },
            "invalid_move",
        )
    before = assembly.status
    assembly.status = status
    assembly.save(update_fields=["status", "updated_at"])
    assembly_touch(assembly)
    audit.record(
        actor=actor,
        verb="assembly.status",
        subject=assembly,
        organisation=assembly.owner_id,
        details={"from": before, "to": status},
    )
    return assembly


@transaction.atomic
def convenor_add(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    organisation: Organisation | None = None,
    name: str = "",
    country: str = "",
) -> Convenor:
    """A registered organisation, or a movement outside the registry by name and country."""
    _require_run(actor, assembly)
    if organisation is not None:
        name = organisation.name
    name = clean_text(name, "name", limit=200)
    if assembly.convenors.filter(name=name).exists():
        raise field_error("name", _("This convenor is already listed."), "duplicate")
    convenor = Convenor.objects.create(
        assembly=assembly,
        organisation=organisation,
        name=name,
        country=clean_text(country, "country", required=False, limit=80),
    )
    audit.record(
        actor=actor, verb="assembly.convenor_add", subject=convenor, organisation=assembly.owner_id
    )
    return convenor


@transaction.atomic
def session_add(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    venue: str = "",
) -> Session:
    _require_run(actor, assembly)
    title = clean_text(title, "title", limit=200)
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise field_error("starts_at", _("Give a date and time."))
    if ends_at <= starts_at:
        raise field_error("ends_at", _("A session must end after it starts."))
    session = Session.objects.create(
        assembly=assembly,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=clean_text(venue, "venue", required=False, limit=200),
    )
    audit.record(
        actor=actor, verb="assembly.session_add", subject=session, organisation=assembly.owner_id
    )
    return session


# Delegations, participants, credentials, check-in ----------------------------------------------


@transaction.atomic
def delegation_invite(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    organisation: Organisation,
    quota: int,
    instructions: str = "",
) -> Delegation:
    """Invite an organisation with a quota of delegates (or change its quota)."""
    _require_run(actor, assembly)
    _require_open(assembly)
    if not isinstance(quota, int) or quota < 1 or quota > 500:
        raise field_error("quota", _("Give a quota between 1 and 500 delegates."))
    delegation, created = Delegation.objects.get_or_create(
        assembly=assembly,
        organisation=organisation,
        defaults={"quota": quota, "instructions": instructions.strip()},
    )
    if not created:
        registered = delegation.delegates.count()
        if quota < registered:
            raise field_error(
                "quota",
                _("The delegation already has %(count)d delegates; the quota cannot be lower.")
                % {"count": registered},
            )
        delegation.quota = quota
        if instructions:
            delegation.instructions = instructions.strip()
        delegation.save(update_fields=["quota", "instructions"])
    audit.record(
        actor=actor,
        verb="assembly.delegation_invite",
        subject=delegation,
        organisation=assembly.owner_id,
        details={"organisation": organisation.pk, "quota": quota},
    )
    return delegation


def _next_number(assembly: Assembly, kind: str) -> str:
    prefix = {"delegate": "D", "observer": "O", "guest": "I"}[kind]
    numbers = Participant.objects.filter(assembly=assembly, number__startswith=prefix)
    highest = 0
    for number in numbers.values_list("number", flat=True):
        digits = number[len(prefix) :]
        if digits.isdigit():
            highest = max(highest, int(digits))
    return f"{prefix}{highest + 1:03d}"


def _participant_create(
    *,
    assembly: Assembly,
    kind: str,
    name: str,
    person: Person | None,
    organisation: Organisation | None,
    delegation: Delegation | None,
    number: str,
    gender: str,
    credential_status: str,
    affiliation: str = "",
    vote_weight: int = 1,
    mandate_issued_on: date | None = None,
    mandate_valid_until: date | None = None,
    mandate_instructions: str = "",
    mandate_reference: str = "",
) -> Participant:
    clean_choice(gender, ["", *(str(v) for v in ParticipantGender.values)], "gender")
    if person is not None:
        name = name or person.public_name
        if Participant.objects.filter(assembly=assembly, person=person).exists():
            raise field_error("person", _("This person is already a participant of the assembly."))
    name = clean_text(name, "name", limit=200)
    number = clean_text(number, "number", required=False, limit=20) or _next_number(assembly, kind)
    if Participant.objects.filter(assembly=assembly, number__iexact=number).exists():
        raise field_error("number", _("Another participant has this number."), "duplicate")
    if not isinstance(vote_weight, int) or not 1 <= vote_weight <= 1000:
        raise field_error("vote_weight", _("Give a vote weight between 1 and 1000."))
    if (
        mandate_issued_on is not None
        and mandate_valid_until is not None
        and mandate_valid_until < mandate_issued_on
    ):
        raise field_error("mandate_valid_until", _("A mandate cannot end before it is issued."))
    return Participant.objects.create(
        assembly=assembly,
        person=person,
        name=name,
        kind=kind,
        organisation=organisation,
        affiliation=clean_text(affiliation, "affiliation", required=False, limit=200),
        delegation=delegation,
        number=number,
        gender=gender,
        vote_weight=vote_weight,
        mandate_issued_on=mandate_issued_on,
        mandate_valid_until=mandate_valid_until,
        mandate_instructions=clean_text(
            mandate_instructions, "mandate_instructions", required=False, limit=MAX_TEXT
        ),
        mandate_reference=clean_text(
            mandate_reference, "mandate_reference", required=False, limit=200
        ),
        credential_status=credential_status,
        badge_code=_badge_code(),
    )


@transaction.atomic
def delegate_register(
    *,
    actor: AnyUser | None,
    delegation: Delegation,
    name: str = "",
    person: Person | None = None,
    gender: str = "",
    number: str = "",
    vote_weight: int = 1,
    mandate_issued_on: date | None = None,
    mandate_valid_until: date | None = None,
    mandate_instructions: str = "",
    mandate_reference: str = "",
) -> Participant:
    """A delegation's organisation (or who runs the assembly) registers a delegate with the
    mandate the unit issued; the credentials desk then accepts or refuses it."""
    assembly = Assembly.objects.select_for_update().get(pk=delegation.assembly_id)
    _signed_in(actor)
    if not (
        _system(actor)
        or queries.can_run(actor, assembly)
        or queries.can_manage_delegation(actor, delegation)
    ):
        raise PermissionDeniedError(
            _("Only the delegation's organisation or the assembly's coordinators may do this.")
        )
    _require_open(assembly)
    if delegation.delegates.count() >= delegation.quota:
        raise field_error(
            "delegation",
            _("The delegation has reached its quota of %(quota)d delegates.")
            % {"quota": delegation.quota},
            "quota_full",
        )
    if mandate_valid_until is not None and mandate_valid_until < timezone.localdate():
        raise field_error("mandate_valid_until", _("This mandate has already expired."), "expired")
    participant = _participant_create(
        assembly=assembly,
        kind=ParticipantKind.DELEGATE,
        name=name,
        person=person,
        organisation=delegation.organisation,
        delegation=delegation,
        number=number,
        gender=gender,
        credential_status=CredentialStatus.PENDING,
        vote_weight=vote_weight,
        mandate_issued_on=mandate_issued_on or timezone.localdate(),
        mandate_valid_until=mandate_valid_until,
        mandate_instructions=mandate_instructions or delegation.instructions,
        mandate_reference=mandate_reference,
    )
    assembly_touch(assembly)
    audit.record(
        actor=actor,
        verb="assembly.delegate_register",
        subject=participant,
        organisation=delegation.organisation_id,
        details={"assembly": assembly.pk},
    )
    return participant


@transaction.atomic
def participant_add(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    kind: str,
    name: str = "",
    person: Person | None = None,
    organisation: Organisation | None = None,
    affiliation: str = "",
    gender: str = "",
    number: str = "",
) -> Participant:
    """An observer or a guest (no vote); accepted at once by whoever runs the assembly."""
    _require_run(actor, assembly)
    _require_open(assembly)
    clean_choice(kind, [ParticipantKind.OBSERVER, ParticipantKind.GUEST], "kind")
    participant = _participant_create(
        assembly=assembly,
        kind=kind,
        name=name,
        person=person,
        organisation=organisation,
        delegation=None,
        number=number,
        gender=gender,
        credential_status=CredentialStatus.ACCEPTED,
        affiliation=affiliation,
    )
    assembly_touch(assembly)
    audit.record(
        actor=actor,
        verb="assembly.participant_add",
        subject=participant,
        organisation=assembly.owner_id,
        details={"kind": kind},
    )
    return participant


@transaction.atomic
def credential_decide(
    *, actor: AnyUser | None, participant: Participant, accept: bool, note: str = ""
) -> Participant:
    """The credentials desk accepts a delegate's mandate, or refuses it saying why."""
    assembly = participant.assembly
    _require_run(actor, assembly)
    _require_open(assembly)
    note = clean_text(note, "note", required=not accept, limit=300)
    if accept and not participant.mandate_valid_on(timezone.localdate()):
        raise field_error("mandate_valid_until", _("This mandate has already expired."), "expired")
    participant.credential_status = (
        CredentialStatus.ACCEPTED if accept else CredentialStatus.REFUSED
    )
    participant.credential_note = note
    participant.credential_checked_at = timezone.now()
    if not accept:
        participant.present = False
    participant.save(
        update_fields=["credential_status", "credential_note", "credential_checked_at", "present"]
    )
    assembly_touch(assembly)
    audit.record(
        actor=actor,
        verb="assembly.credential_accept" if accept else "assembly.credential_refuse",
        subject=participant,
        organisation=assembly.owner_id,
        details={"note": note},
    )
    return participant


@transaction.atomic
def participant_check_in(*, actor: AnyUser | None, assembly: Assembly, code: str) -> Participant:
    """Check in by participant number or by the badge's QR code; marks the participant
    present. Refused for an unknown code, a refused or pending credential, an expired mandate
    or a closed assembly; checking in twice changes nothing."""
    _require_run(actor, assembly)
    _require_open(assembly)
    participant = queries.participant_find(assembly, code)
    if participant is None:
        raise field_error("code", _("No participant has this number or badge code."), "not_found")
    if participant.credential_status == CredentialStatus.REFUSED:
        raise field_error(
            "code",
            _("The credential of %(name)s was refused: %(note)s")
            % {"name": participant.name, "note": participant.credential_note},
            "credential_refused",
        )
    if participant.credential_status == CredentialStatus.PENDING:
        raise field_error(
            "code",
            _("The credential of %(name)s has not been checked yet: check the mandate first.")
            % {"name": participant.name},
            "credential_pending",
        )
    if participant.kind == ParticipantKind.DELEGATE and not participant.mandate_valid_on(
        timezone.localdate()
    ):
        raise field_error(
            "code",
            _("The mandate of %(name)s has expired.") % {"name": participant.name},
            "expired",
        )
    if participant.present:
        return participant
    participant.present = True
    participant.checked_in_at = timezone.now()
    participant.save(update_fields=["present", "checked_in_at"])
    assembly_touch(assembly)
    audit.record(
        actor=actor,
        verb="assembly.check_in",
        subject=participant,
        organisation=assembly.owner_id,
    )
    return participant


@transaction.atomic
def participant_check_out(*, actor: AnyUser | None, participant: Participant) -> Participant:
    """The participant leaves the hall: no longer counted for the quorum."""
    assembly = participant.assembly
    _require_run(actor, assembly)
    if not participant.present:
        return participant
    participant.present = False
    participant.save(update_fields=["present"])
    assembly_touch(assembly)
    audit.record(
        actor=actor, verb="assembly.check_out", subject=participant, organisation=assembly.owner_id
    )
    return participant


# Agenda and speakers ----------------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    title: str,
    duration_minutes: int = 0,
    parent: AgendaItem | None = None,
    session: Session | None = None,
    description: str = "",
    motion: Motion | None = None,
) -> AgendaItem:
    _require_run(actor, assembly)
    _require_open(assembly)
    title = clean_text(title, "title", limit=200)
    if not isinstance(duration_minutes, int) or not 0 <= duration_minutes <= 1440:
        raise field_error("duration_minutes", _("Give a duration between 0 and 1440 minutes."))
    if parent is not None and parent.assembly_id != assembly.pk:
        raise field_error("parent", _("Choose an item of this assembly."))
    if session is not None and session.assembly_id != assembly.pk:
        raise field_error("session", _("Choose a session of this assembly."))
    if motion is not None and motion.assembly_id != assembly.pk:
        raise field_error("motion", _("Choose a motion of this assembly."))
    siblings = AgendaItem.objects.filter(assembly=assembly, parent=parent)
    position = (siblings.aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem.objects.create(
        assembly=assembly,
        parent=parent,
        session=session,
        position=position,
        title=title,
        description=clean_text(description, "description", required=False, limit=MAX_TEXT),
        duration_minutes=duration_minutes,
        motion=motion,
    )
    assembly_touch(assembly)
    audit.record(
        actor=actor, verb="assembly.agenda_add", subject=item, organisation=assembly.owner_id
    )
    return item


@transaction.atomic
def agenda_item_set_current(
    *, actor: AnyUser | None, assembly: Assembly, item: AgendaItem | None
) -> Assembly:
    """Move the plenary to `item` (the one before is marked done), or to none."""
    _require_run(actor, assembly)
    _require_open(assembly)
    if item is not None and item.assembly_id != assembly.pk:
        raise field_error("item", _("Choose an item of this assembly."))
    finished = AgendaItem.objects.filter(assembly=assembly, status=ItemStatus.CURRENT)
    if item is not None:
        finished = finished.exclude(pk=item.pk)
    finished.update(status=ItemStatus.DONE)
    SpeakerEntry.objects.filter(item__assembly=assembly, status=SpeakerStatus.SPEAKING).exclude(
        item=item
    ).update(status=SpeakerStatus.DONE, ended_at=timezone.now())
    if item is not None:
        item.status = ItemStatus.CURRENT
        item.save(update_fields=["status"])
    assembly.current_item = item
    assembly.save(update_fields=["current_item", "updated_at"])
    assembly_touch(assembly)
    audit.record(
        actor=actor,
        verb="assembly.agenda_current",
        subject=assembly,
        organisation=assembly.owner_id,
        details={"item": item.pk if item else None},
    )
    return assembly


@transaction.atomic
def speaker_add(
    *,
    actor: AnyUser | None,
    item: AgendaItem,
    participant: Participant | None = None,
    stance: str = Stance.NEUTRAL,
) -> SpeakerEntry:
    """Put a participant on the speakers list: themselves (a checked-in participant asks for
    the floor), or anybody present when added by who runs the assembly."""
    assembly = Assembly.objects.select_for_update().get(pk=item.assembly_id)
    _signed_in(actor)
    _require_open(assembly)
    runs = _system(actor) or queries.can_run(actor, assembly)
    own = None if _system(actor) else queries.own_participant(actor, assembly)
    if not runs and own is None:
        raise PermissionDeniedError(_("Only participants may ask for the floor."))
    if participant is None:
        participant = own
    if participant is None or participant.assembly_id != assembly.pk:
        raise field_error("participant", _("Choose a participant of this assembly."))
    if not runs and (own is None or own.pk != participant.pk):
        raise PermissionDeniedError(_("You may only ask for the floor for yourself."))
    clean_choice(stance, Stance.values, "stance")
    if not participant.present:
        raise field_error(
            "participant",
            _("%(name)s has not checked in.") % {"name": participant.name},
            "not_present",
        )
    if item.status == ItemStatus.DONE:
        raise field_error("item", _("This agenda item is finished."), "item_done")
    if item.speakers.filter(
        participant=participant, status__in=[SpeakerStatus.WAITING, SpeakerStatus.SPEAKING]
    ).exists():
        raise field_error(
            "participant",
            _("%(name)s is already on the speakers list.") % {"name": participant.name},
            "duplicate",
        )
    position = (item.speakers.aggregate(m=Max("position"))["m"] or 0) + 1
    entry = SpeakerEntry.objects.create(
        item=item,
        participant=participant,
        position=position,
        stance=stance,
        seconds=assembly.speaking_seconds,
    )
    assembly_touch(assembly)
    audit.record(
        actor=actor, verb="assembly.speaker_add", subject=entry, organisation=assembly.owner_id
    )
    return entry


@transaction.atomic
def speaker_next(*, actor: AnyUser | None, item: AgendaItem) -> SpeakerEntry | None:
    """End the current speaker and give the floor to the next one waiting (or nobody)."""
    assembly = Assembly.objects.select_for_update().get(pk=item.assembly_id)
    _require_run(actor, assembly)
    now = timezone.now()
    item.speakers.filter(status=SpeakerStatus.SPEAKING).update(
        status=SpeakerStatus.DONE, ended_at=now
    )
    entry = item.speakers.filter(status=SpeakerStatus.WAITING).order_by("position", "id").first()
    if entry is not None:
        entry.status = SpeakerStatus.SPEAKING
        entry.started_at = now
        entry.save(update_fields=["status", "started_at"])
    assembly_touch(assembly)
    audit.record(
        actor=actor,
        verb="assembly.speaker_next",
        subject=item,
        organisation=assembly.owner_id,
        details={"speaker": entry.pk if entry else None},
    )
    return entry


@transaction.atomic
def speaker_withdraw(*, actor: AnyUser | None, entry: SpeakerEntry) -> SpeakerEntry:
    assembly = entry.item.assembly
    _signed_in(actor)
    own = None if _system(actor) else queries.own_participant(actor, assembly)
    if not (
        _system(actor)
        or queries.can_run(actor, assembly)
        or (own is not None and own.pk == entry.participant_id)
    ):
        raise PermissionDeniedError(_("You may only withdraw yourself from the list."))
    if entry.status != SpeakerStatus.WAITING:
        raise field_error("entry", _("Only a speaker still waiting can be withdrawn."))
    entry.status = SpeakerStatus.WITHDRAWN
    entry.save(update_fields=["status"])
    assembly_touch(assembly)
    audit.record(
        actor=actor, verb="assembly.speaker_withdraw", subject=entry, organisation=assembly.owner_id
    )
    return entry


# Working groups ---------------------------------------------------------------------------------


def _group_participant(assembly: Assembly, participant: Participant | None, field: str) -> None:
    if participant is not None and participant.assembly_id != assembly.pk:
        raise field_error(field, _("Choose a participant of this assembly."))


@transaction.atomic
def working_group_create(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    topic: str,
    description: str = "",
    facilitator: Participant | None = None,
    rapporteur: Participant | None = None,
    slug: str = "",
) -> WorkingGroup:
    _require_run(actor, assembly)
    _require_open(assembly)
    topic = clean_text(topic, "topic", limit=200)
    slug = slugify(slug or topic)[:80]
    if not slug:
        raise field_error("slug", _("This field is required."), "required")
    if assembly.working_groups.filter(slug=slug).exists():
        raise field_error("topic", _("The assembly already has a working group with this name."))
    _group_participant(assembly, facilitator, "facilitator")
    _group_participant(assembly, rapporteur, "rapporteur")
    group = WorkingGroup.objects.create(
        assembly=assembly,
        slug=slug,
        topic=topic,
        description=clean_text(description, "description", required=False, limit=MAX_TEXT),
        facilitator=facilitator,
        rapporteur=rapporteur,
    )
    group.members.add(*[p for p in (facilitator, rapporteur) if p is not None])
    audit.record(
        actor=actor, verb="assembly.group_create", subject=group, organisation=assembly.owner_id
    )
    return group


@transaction.atomic
def working_group_join(
    *, actor: AnyUser | None, group: WorkingGroup, participant: Participant | None = None
) -> WorkingGroup:
    """A participant joins a working group (themselves, or added by who runs the assembly).
    A participant sits in one working group at a time: joining another leaves the first."""
    assembly = group.assembly
    _signed_in(actor)
    _require_open(assembly)
    runs = _system(actor) or queries.can_run(actor, assembly)
    own = None if _system(actor) else queries.own_participant(actor, assembly)
    if not runs and own is None:
        raise PermissionDeniedError(_("Only participants may join a working group."))
    participant = participant or own
    if participant is None or participant.assembly_id != assembly.pk:
        raise field_error("participant", _("Choose a participant of this assembly."))
    if not runs and (own is None or own.pk != participant.pk):
        raise PermissionDeniedError(_("You may only join a working group yourself."))
    for other in participant.working_groups.exclude(pk=group.pk):
        other.members.remove(participant)
    group.members.add(participant)
    audit.record(
        actor=actor,
        verb="assembly.group_join",
        subject=group,
        organisation=assembly.owner_id,
        details={"participant": participant.pk},
    )
    return group


@transaction.atomic
def working_group_report(
    *, actor: AnyUser | None, group: WorkingGroup, report: str
) -> WorkingGroup:
    """The rapporteur (or who runs the assembly) writes the group's report."""
    assembly = group.assembly
    _signed_in(actor)
    _require_open(assembly)
    own = None if _system(actor) else queries.own_participant(actor, assembly)
    if not (
        _system(actor)
        or queries.can_run(actor, assembly)
        or (own is not None and own.pk in {group.rapporteur_id, group.facilitator_id})
    ):
        raise PermissionDeniedError(
            _("Only the rapporteur or the facilitator may write the report.")
        )
    group.report = clean_text(report, "report", limit=MAX_TEXT)
    group.report_submitted_at = timezone.now()
    group.save(update_fields=["report", "report_submitted_at"])
    audit.record(
        actor=actor, verb="assembly.group_report", subject=group, organisation=assembly.owner_id
    )
    return group


# Motions ----------------------------------------------------------------------------------------


def _next_motion_number(assembly: Assembly | None, body_id: int) -> str:
    """M-001, M-002... per assembly (or per body for motions outside any assembly)."""
    if assembly is not None:
        Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
        numbers = Motion.objects.filter(assembly=assembly)
    else:
        Organisation.objects.select_for_update().filter(pk=body_id).first()
        numbers = Motion.objects.filter(assembly__isnull=True, body_id=body_id)
    highest = 0
    for number in numbers.values_list("number", flat=True):
        digits = number.removeprefix("M-")
        if digits.isdigit():
            highest = max(highest, int(digits))
    return f"M-{highest + 1:03d}"


def _record_move(
    motion: Motion, before: MotionState | None, after: MotionState, actor: AnyUser | None, note: str
) -> None:
    MotionEvent.objects.create(
        motion=motion, from_state=before, to_state=after, note=note[:500], actor_id=actor_id(actor)
    )


@transaction.atomic
def motion_create(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    title: str,
    text: str,
    origin: Organisation | None = None,
    working_group: WorkingGroup | None = None,
    submit: bool = True,
) -> Motion:
    """A motion from a delegate (the signed-in participant: origin is their organisation),
    from a working group (its members; origin is the convening organisation unless given) or
    from a unit (a coordinator or spokesperson of `origin`, which must be a delegation)."""
    _signed_in(actor)
    _require_open(assembly)
    title = clean_text(title, "title", limit=200)
    text = clean_text(text, "text", limit=MAX_TEXT)
    runs = _system(actor) or queries.can_run(actor, assembly)
    own = None if _system(actor) else queries.own_participant(actor, assembly)
    if working_group is not None:
        if working_group.assembly_id != assembly.pk:
            raise field_error("working_group", _("Choose a working group of this assembly."))
        is_member = own is not None and working_group.members.filter(pk=own.pk).exists()
        if not (runs or is_member):
            raise PermissionDeniedError(
                _("Only members of the working group may submit its motions.")
            )
        origin = origin or (own.organisation if own and own.organisation else assembly.owner)
    elif origin is not None:
        unit_manager = access.can_change(actor, owner_id=origin.pk)
        invited = assembly.delegations.filter(organisation=origin).exists()
        if not (runs or (unit_manager and invited)):
            raise PermissionDeniedError(
                _(
                    "Only the coordinators or spokespeople of an invited organisation may "
                    "submit its motions."
                )
            )
    else:
        if own is None or own.kind != ParticipantKind.DELEGATE:
            if not runs:
                raise PermissionDeniedError(_("Only delegates may submit motions."))
            origin = assembly.owner
        else:
            if own.credential_status != CredentialStatus.ACCEPTED:
                raise field_error(
                    "title",
                    _("Your credential has not been accepted yet."),
                    "credential_pending",
                )
            origin = own.organisation or assembly.owner
    motion = Motion.objects.create(
        assembly=assembly,
        body_id=assembly.owner_id,
        number=_next_motion_number(assembly, assembly.owner_id),
        title=title,
        text=text,
        state=state("submitted" if submit else "draft"),
        origin=origin,
        working_group=working_group,
        submitter=own,
        visibility=assembly.visibility,
        created_by_id=actor_id(actor),
    )
    _record_move(motion, None, motion.state, actor, "")
    if own is not None and working_group is None:
        MotionSupport.objects.create(motion=motion, participant=own)
    assembly_touch(assembly)
    audit.record(
        actor=actor,
        verb="assembly.motion_create",
        subject=motion,
        organisation=assembly.owner_id,
        details={"origin": origin.pk},
    )
    return motion


@transaction.atomic
def motion_support(
    *,
    actor: AnyUser | None,
    motion: Motion,
    organisation: Organisation | None = None,
    participant: Participant | None = None,
) -> MotionSupport:
    """A participant supports a motion (themselves), or a unit through its coordinators
    or spokespeople. Who runs the assembly may record a participant's support given on
    paper (`participant`)."""
    _signed_in(actor)
    if motion.state.is_final:
        raise field_error("motion", _("This motion is already decided."), "decided")
    if participant is not None:
        if not (_system(actor) or queries.can_run_motion(actor, motion)):
            raise PermissionDeniedError(
                _("Only a coordinator of the convening organisation may do this.")
            )
        if participant.assembly_id != motion.assembly_id:
            raise field_error("participant", _("Choose a participant of this assembly."))
        if motion.supports.filter(participant=participant).exists():
            raise field_error("participant", _("This participant already supports the motion."))
        support = MotionSupport.objects.create(motion=motion, participant=participant)
    elif organisation is not None:
        if not (_system(actor) or access.can_change(actor, owner_id=organisation.pk)):
            raise PermissionDeniedError(
                _("Only a coordinator or spokesperson may support on behalf of an organisation.")
            )
        if motion.supports.filter(organisation=organisation).exists():
            raise field_error("organisation", _("This organisation already supports the motion."))
        support = MotionSupport.objects.create(motion=motion, organisation=organisation)
    else:
        own = (
            queries.own_participant(actor, motion.assembly)
            if motion.assembly is not None and not _system(actor)
            else None
        )
        if own is None:
            raise PermissionDeniedError(_("Only participants of the assembly may support it."))
        if motion.supports.filter(participant=own).exists():
            raise field_error("motion", _("You already support this motion."), "duplicate")
        support = MotionSupport.objects.create(motion=motion, participant=own)
    audit.record(
        actor=actor,
        verb="assembly.motion_support",
        subject=motion,
        organisation=motion.body_id,
        details={"support": support.pk},
    )
    return support


@transaction.atomic
def motion_transition(
    *, actor: AnyUser | None, motion: Motion, state_code: str, note: str = ""
) -> Motion:
    """Move a motion to another state of the workflow (only along the moves the state
    allows). Who runs the assembly moves any motion; its submitter may submit a draft or
    withdraw a motion not yet decided. The polls call this to set `adopted`/`rejected`."""
    given = motion
    motion = (
        Motion.objects.select_for_update(of=("self",))
        .select_related("state", "assembly")
        .get(pk=motion.pk)
    )
    _signed_in(actor)
    runs = _system(actor) or queries.can_run_motion(actor, motion)
    if not runs:
        own = queries.own_participant(actor, motion.assembly) if motion.assembly else None
        own_motion = own is not None and own.pk == motion.submitter_id
        if not (own_motion and state_code in {"submitted", "withdrawn"}):
            raise PermissionDeniedError(
                _("Only a coordinator of the convening organisation may do this.")
            )
    target = state(state_code)
    before = motion.state
    if target.code not in (before.next_codes or []):
        raise field_error(
            "state",
            _("A motion that is %(now)s cannot become %(new)s.")
            % {"now": before.label, "new": target.label},
            "invalid_move",
        )
    motion.state = target
    if target.is_final and target.code in {"adopted", "rejected"}:
        motion.decided_at = timezone.now()
    motion.save(update_fields=["state", "decided_at", "updated_at"])
    _record_move(motion, before, target, actor, note.strip())
    if motion.assembly_id:
        assembly_touch(motion.assembly_id)
    audit.record(
        actor=actor,
        verb="assembly.motion_transition",
        subject=motion,
        organisation=motion.body_id,
        details={"from": before.code, "to": target.code, "note": note.strip()[:300]},
    )
    given.state = target
    given.decided_at = motion.decided_at
    return motion


@transaction.atomic
def motion_forward(
    *,
    actor: AnyUser | None,
    motion: Motion,
    to_assembly: Assembly | None = None,
    to_body: Organisation | None = None,
    note: str = "",
) -> Motion:
    """Send a motion to another body: up (a council's motion to the commune parliament) or
    down (a national decision to the units). The new motion keeps the origin and points back
    to this one; an undecided motion becomes `referred`, a decided one keeps its state."""
    _signed_in(actor)
    if not (_system(actor) or queries.can_run_motion(actor, motion)):
        raise PermissionDeniedError(
            _("Only a coordinator of the convening organisation may do this.")
        )
    if (to_assembly is None) == (to_body is None):
        raise field_error(
            "to_assembly", _("Choose one assembly or one organisation to send it to.")
        )
    if to_assembly is not None:
        if to_assembly.pk == motion.assembly_id:
            raise field_error("to_assembly", _("The motion is already before this assembly."))
        if to_assembly.status == AssemblyStatus.CLOSED:
            raise field_error("to_assembly", _("The assembly is closed."), "closed")
        body_id = to_assembly.owner_id
        visibility = to_assembly.visibility
    elif to_body is not None:
        if to_body.pk == motion.body_id and motion.assembly_id is None:
            raise field_error("to_body", _("The motion is already before this organisation."))
        body_id = to_body.pk
        visibility = motion.visibility
    if motion.forwards.filter(assembly=to_assembly, body_id=body_id).exists():
        raise field_error("to_assembly", _("The motion was already sent there."), "duplicate")
    copy = Motion.objects.create(
        assembly=to_assembly,
        body_id=body_id,
        number=_next_motion_number(to_assembly, body_id),
        title=motion.title,
        text=motion.text,
        state=state("submitted"),
        origin_id=motion.origin_id,
        forwarded_from=motion,
        visibility=visibility,
        created_by_id=actor_id(actor),
    )
    _record_move(copy, None, copy.state, actor, note.strip())
    if not motion.state.is_final and "referred" in (motion.state.next_codes or []):
        before = motion.state
        motion.state = state("referred")
        motion.save(update_fields=["state", "updated_at"])
        _record_move(motion, before, motion.state, actor, note.strip())
    if motion.assembly_id:
        assembly_touch(motion.assembly_id)
    if to_assembly is not None:
        assembly_touch(to_assembly)
    audit.record(
        actor=actor,
        verb="assembly.motion_forward",
        subject=motion,
        organisation=motion.body_id,
        details={"to": copy.pk, "body": body_id},
    )
    return copy


@transaction.atomic
def amendment_propose(
    *,
    actor: AnyUser | None,
    motion: Motion,
    paragraph: int,
    proposed: str,
    rationale: str = "",
    origin: Organisation | None = None,
    proposer: Participant | None = None,
) -> Amendment:
    """A new wording for paragraph `paragraph` (1-based) of the motion; an empty wording
    proposes to delete the paragraph. Who runs the assembly may record an amendment handed
    in on paper by a participant (`proposer`)."""
    _signed_in(actor)
    motion = (
        Motion.objects.select_for_update(of=("self",))
        .select_related("state", "assembly")
        .get(pk=motion.pk)
    )
    if motion.state.code not in AMENDABLE:
        raise field_error("motion", _("This motion can no longer be amended."), "not_amendable")
    if motion.assembly is not None:
        _require_open(motion.assembly)
    runs = _system(actor) or queries.can_run_motion(actor, motion)
    own = (
        queries.own_participant(actor, motion.assembly)
        if motion.assembly is not None and not _system(actor)
        else None
    )
    if (
        not runs
        and (own is None or own.kind != ParticipantKind.DELEGATE)
        and (origin is None or not access.can_change(actor, owner_id=origin.pk))
    ):
        raise PermissionDeniedError(_("Only delegates may propose amendments."))
    if proposer is not None:
        if not runs:
            raise PermissionDeniedError(
                _("Only a coordinator of the convening organisation may do this.")
            )
        if proposer.assembly_id != motion.assembly_id:
            raise field_error("proposer", _("Choose a participant of this assembly."))
        own = proposer
    paragraphs = motion.paragraphs()
    if not isinstance(paragraph, int) or not 1 <= paragraph <= len(paragraphs):
        raise field_error(
            "paragraph",
            _("Choose a paragraph between 1 and %(count)d.") % {"count": len(paragraphs)},
        )
    proposed = clean_text(proposed, "proposed", required=False, limit=MAX_TEXT)
    proposed = "\n".join(line.rstrip() for line in proposed.replace("\r\n", "\n").split("\n"))
    if proposed == paragraphs[paragraph - 1]:
        raise field_error("proposed", _("The proposed wording is the same as the paragraph."))
    if "\n\n" in proposed:
        raise field_error(
            "proposed", _("An amendment replaces one paragraph: leave no blank lines.")
        )
    number = (motion.amendments.aggregate(m=Max("number"))["m"] or 0) + 1
    amendment = Amendment.objects.create(
        motion=motion,
        number=number,
        paragraph=paragraph,
        original=paragraphs[paragraph - 1],
        proposed=proposed,
        rationale=clean_text(rationale, "rationale", required=False, limit=MAX_TEXT),
        proposer=own,
        origin=origin or (own.organisation if own else None),
    )
    if motion.assembly_id:
        assembly_touch(motion.assembly_id)
    audit.record(
        actor=actor,
        verb="assembly.amendment_propose",
        subject=amendment,
        organisation=motion.body_id,
    )
    return amendment


@transaction.atomic
def amendment_decide(
    *, actor: AnyUser | None, amendment: Amendment, status: str, note: str = ""
) -> Amendment:
    """Accept (the paragraph takes the new wording), reject or withdraw an amendment. The
    proposer may withdraw their own; the rest is for who runs the assembly."""
    _signed_in(actor)
    motion = (
        Motion.objects.select_for_update(of=("self",))
        .select_related("state", "assembly")
        .get(pk=amendment.motion_id)
    )
    clean_choice(
        status,
        [AmendmentStatus.ACCEPTED, AmendmentStatus.REJECTED, AmendmentStatus.WITHDRAWN],
        "status",
    )
    runs = _system(actor) or queries.can_run_motion(actor, motion)
    if not runs:
        own = queries.own_participant(actor, motion.assembly) if motion.assembly else None
        if not (
            status == AmendmentStatus.WITHDRAWN
            and own is not None
            and own.pk == amendment.proposer_id
        ):
            raise PermissionDeniedError(
                _("Only a coordinator of the convening organisation may do this.")
            )
    if amendment.status != AmendmentStatus.SUBMITTED:
        raise field_error("status", _("This amendment is already decided."), "decided")
    if status == AmendmentStatus.ACCEPTED:
        if motion.state.code not in AMENDABLE:
            raise field_error("motion", _("This motion can no longer be amended."), "not_amendable")
        paragraphs = motion.paragraphs()
        index = amendment.paragraph - 1
        if index >= len(paragraphs) or paragraphs[index] != amendment.original:
            raise field_error(
                "paragraph",
                _("The paragraph has changed since this amendment was proposed: propose it again."),
                "stale",
            )
        if amendment.proposed:
            paragraphs[index] = amendment.proposed
        else:
            del paragraphs[index]
        if not paragraphs:
            raise field_error("proposed", _("A motion cannot lose all its paragraphs."))
        motion.text = "\n\n".join(paragraphs)
        motion.save(update_fields=["text", "updated_at"])
    amendment.status = status
    amendment.decided_at = timezone.now()
    amendment.save(update_fields=["status", "decided_at"])
    if motion.assembly_id:
        assembly_touch(motion.assembly_id)
    audit.record(
        actor=actor,
        verb=f"assembly.amendment_{status}",
        subject=amendment,
        organisation=motion.body_id,
        details={"note": note.strip()[:300]},
    )
    return amendment


# Minutes, declaration, resolutions --------------------------------------------------------------


@transaction.atomic
def minutes_generate(*, actor: AnyUser | None, assembly: Assembly) -> Minutes:
    """Write the minutes from the record (attendance, agenda, speakers, votes, decisions).
    Regenerating replaces a draft; approved minutes are not regenerated."""
    _require_run(actor, assembly)
    from comuna.assemblies.minutes import render_minutes

    text = render_minutes(assembly)
    minutes = Minutes.objects.select_for_update().filter(assembly=assembly).first()
    if minutes is not None and minutes.status == MinutesStatus.APPROVED:
        raise field_error("minutes", _("The minutes are approved: they cannot be regenerated."))
    if minutes is None:
        minutes = Minutes.objects.create(assembly=assembly, text=text)
    else:
        minutes.text = text
        minutes.generated_at = timezone.now()
        minutes.edited_at = None
        minutes.save(update_fields=["text", "generated_at", "edited_at"])
    audit.record(
        actor=actor,
        verb="assembly.minutes_generate",
        subject=minutes,
        organisation=assembly.owner_id,
    )
    return minutes


@transaction.atomic
def minutes_edit(*, actor: AnyUser | None, minutes: Minutes, text: str) -> Minutes:
    _require_run(actor, minutes.assembly)
    if minutes.status == MinutesStatus.APPROVED:
        raise field_error(
            "text", _("The minutes are approved: they cannot be changed."), "approved"
        )
    minutes.text = clean_text(text, "text", limit=200000)
    minutes.edited_at = timezone.now()
    minutes.save(update_fields=["text", "edited_at"])
    audit.record(
        actor=actor,
        verb="assembly.minutes_edit",
        subject=minutes,
        organisation=minutes.assembly.owner_id,
    )
    return minutes


@transaction.atomic
def minutes_approve(*, actor: AnyUser | None, minutes: Minutes, basis: str) -> Minutes:
    """Record that the plenary approved the minutes; `basis` says how (the vote, with its
    numbers, or the poll on the minutes)."""
    _require_run(actor, minutes.assembly)
    if minutes.status == MinutesStatus.APPROVED:
        raise field_error("basis", _("The minutes are already approved."), "approved")
    minutes.approval_basis = clean_text(basis, "basis", limit=300)
    minutes.status = MinutesStatus.APPROVED
    minutes.approved_at = timezone.now()
    minutes.approved_by_id = actor_id(actor)
    minutes.save(update_fields=["approval_basis", "status", "approved_at", "approved_by"])
    audit.record(
        actor=actor,
        verb="assembly.minutes_approve",
        subject=minutes,
        organisation=minutes.assembly.owner_id,
        details={"basis": minutes.approval_basis},
    )
    return minutes


def declaration_text(assembly: Assembly, preamble: str = "") -> str:
    """A first draft: the preamble, then one numbered point per adopted motion."""
    parts = [preamble.strip()] if preamble.strip() else []
    for index, motion in enumerate(queries.adopted_motions(assembly), start=1):
        parts.append(f"{index}. {motion.title}\n\n{motion.text}")
    return "\n\n".join(parts)


@transaction.atomic
def declaration_draft(
    *, actor: AnyUser | None, assembly: Assembly, title: str, preamble: str = ""
) -> Declaration:
    """Draft the declaration from the adopted motions (version 1)."""
    _require_run(actor, assembly)
    title = clean_text(title, "title", limit=200)
    if Declaration.objects.filter(assembly=assembly).exists():
        raise field_error(
            "title", _("The assembly already has a declaration: revise it."), "duplicate"
        )
    adopted = list(queries.adopted_motions(assembly))
    if not adopted:
        raise field_error("title", _("No motion has been adopted yet."), "nothing_adopted")
    declaration = Declaration.objects.create(assembly=assembly, title=title)
    declaration.motions.set(adopted)
    DeclarationVersion.objects.create(
        declaration=declaration,
        number=1,
        text=declaration_text(assembly, preamble),
        note=_("Drafted from the adopted motions."),
        author_id=actor_id(actor),
    )
    audit.record(
        actor=actor,
        verb="assembly.declaration_draft",
        subject=declaration,
        organisation=assembly.owner_id,
    )
    return declaration


@transaction.atomic
def declaration_revise(
    *, actor: AnyUser | None, declaration: Declaration, text: str, note: str = ""
) -> DeclarationVersion:
    _require_run(actor, declaration.assembly)
    if declaration.status == DeclarationStatus.PUBLISHED:
        raise field_error(
            "text", _("The declaration is published: it cannot be changed."), "published"
        )
    text = clean_text(text, "text", limit=200000)
    last = declaration.versions.order_by("-number").first()
    if last is not None and last.text == text.replace("\r\n", "\n"):
        raise field_error("text", _("Nothing changed since the last version."), "unchanged")
    version = DeclarationVersion.objects.create(
        declaration=declaration,
        number=(last.number if last else 0) + 1,
        text=text.replace("\r\n", "\n"),
        note=clean_text(note, "note", required=False, limit=300),
        author_id=actor_id(actor),
    )
    audit.record(
        actor=actor,
        verb="assembly.declaration_revise",
        subject=declaration,
        organisation=declaration.assembly.owner_id,
        details={"version": version.number},
    )
    return version


@transaction.atomic
def declaration_publish(*, actor: AnyUser | None, declaration: Declaration) -> Declaration:
    _require_run(actor, declaration.assembly)
    if declaration.status == DeclarationStatus.PUBLISHED:
        raise field_error("status", _("The declaration is already published."), "published")
    declaration.status = DeclarationStatus.PUBLISHED
    declaration.published_at = timezone.now()
    declaration.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor,
        verb="assembly.declaration_publish",
        subject=declaration,
        organisation=declaration.assembly.owner_id,
    )
    return declaration


@transaction.atomic
def declaration_endorse(
    *, actor: AnyUser | None, declaration: Declaration, organisation: Organisation
) -> Endorsement:
    """An organisation endorses the declaration through a coordinator or spokesperson."""
    _signed_in(actor)
    if not (_system(actor) or access.can_change(actor, owner_id=organisation.pk)):
        raise PermissionDeniedError(
            _("Only a coordinator or spokesperson may endorse on behalf of an organisation.")
        )
    if declaration.endorsements.filter(organisation=organisation).exists():
        raise field_error("organisation", _("This organisation already endorses the declaration."))
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                declaration=declaration, organisation=organisation, by_id=actor_id(actor)
            )
    except IntegrityError:
        raise field_error(
            "organisation", _("This organisation already endorses the declaration.")
        ) from None
    audit.record(
        actor=actor,
        verb="assembly.declaration_endorse",
        subject=declaration,
        organisation=organisation,
    )
    return endorsement


@transaction.atomic
def resolution_create(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    title: str,
    responsible: Organisation,
    due_on: date | None = None,
    motion: Motion | None = None,
    note: str = "",
) -> Resolution:
    _require_run(actor, assembly)
    title = clean_text(title, "title", limit=200)
    if motion is not None:
        if motion.assembly_id != assembly.pk:
            raise field_error("motion", _("Choose a motion of this assembly."))
        if motion.state.code != "adopted":
            raise field_error("motion", _("Only an adopted motion gives a resolution."))
    if due_on is not None and due_on < assembly.starts_on:
        raise field_error("due_on", _("The due date cannot be before the assembly."))
    resolution = Resolution.objects.create(
        assembly=assembly,
        motion=motion,
        title=title,
        responsible=responsible,
        due_on=due_on,
        note=clean_text(note, "note", required=False, limit=MAX_TEXT),
    )
    audit.record(
        actor=actor,
        verb="assembly.resolution_create",
        subject=resolution,
        organisation=assembly.owner_id,
    )
    return resolution


@transaction.atomic
def resolution_update(
    *, actor: AnyUser | None, resolution: Resolution, status: str, note: str = ""
) -> Resolution:
    _signed_in(actor)
    if not (_system(actor) or queries.can_follow_up(actor, resolution)):
        raise PermissionDeniedError(
            _("Only the assembly's coordinators or the responsible organisation may do this.")
        )
    clean_choice(status, ResolutionStatus.values, "status")
    before = resolution.status
    resolution.status = status
    if note.strip():
        resolution.note = clean_text(note, "note", limit=MAX_TEXT)
    resolution.save(update_fields=["status", "note", "updated_at"])
    audit.record(
        actor=actor,
        verb="assembly.resolution_update",
        subject=resolution,
        organisation=resolution.responsible_id,
        details={"from": before, "to": status},
    )
    return resolution
