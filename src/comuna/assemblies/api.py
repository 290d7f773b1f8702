"""Assemblies API under /api/v1/assemblies/ (the event side): assemblies, delegations and
delegates, credentials and check-in, presence and quorum, agenda and speakers, the projector's
state, working groups, motions (create, move, support, amend, forward), the declaration and
the resolutions. Participants' personal data (mandate instructions, credential notes, badge
codes) never appear here. Polls, elections and exports are in api_voting.py.

(No `from __future__ import annotations` here: ninja reads the annotations at import time.)"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from comuna.assemblies import actions, queries
from comuna.assemblies.api_voting import router as voting_router
from comuna.assemblies.models import Assembly, Motion, Participant
from comuna.core.auth import token_required
from comuna.core.errors import DomainError
from comuna.core.models import Organisation

router = Router(tags=["assemblies"])


# Schemas --------------------------------------------------------------------------------------


class AssemblyFiltersIn(Schema):
    scope: str = Field("", description="national, regional, commune_parliament...")
    status: str = Field("", description="draft, convened, in_session or closed.")


class ConvenorOut(Schema):
    name: str
    country: str
    organisation: str | None


class SessionOut(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime
    venue: str


class QuorumOut(Schema):
    members: int = Field(..., description="Voting members: accepted delegates, valid mandate.")
    present: int
    needed: int
    reached: bool


class AssemblyOut(Schema):
    slug: str
    title: str
    scope: str
    status: str
    owner: str
    starts_on: date
    ends_on: date
    venue: str


class AssemblyDetailOut(AssemblyOut):
    description: str
    quorum_share: Decimal
    convenors: list[ConvenorOut]
    sessions: list[SessionOut]
    quorum: QuorumOut


class AssemblyIn(Schema):
    owner: str = Field(..., description="Short name of the convening organisation.")
    title: str
    scope: Literal["national", "regional", "commune_parliament", "citizens_assembly"]
    starts_on: date
    ends_on: date
    venue: str = ""
    description: str = ""
    slug: str = ""
    visibility: Literal["public", "network", "unit", "restricted"] = "public"
    quorum_share: Decimal = Decimal("0.5")


class StatusIn(Schema):
    status: Literal["draft", "convened", "in_session", "closed"]


class DelegationOut(Schema):
    id: int
    organisation: str
    organisation_name: str
    quota: int
    registered: int
    accepted: int
    present: int


class DelegationIn(Schema):
    organisation: str
    quota: int = Field(..., ge=1, le=500)
    instructions: str = ""


class ParticipantOut(Schema):
    id: int
    number: str
    name: str
    kind: str
    organisation: str | None
    affiliation: str
    gender: str
    credential_status: str
    mandate_valid_until: date | None
    present: bool
    checked_in_at: datetime | None


class DelegateIn(Schema):
    name: str = ""
    gender: Literal["", "female", "male", "other"] = ""
    mandate_reference: str = ""
    mandate_issued_on: date | None = None
    mandate_valid_until: date | None = None
    mandate_instructions: str = ""


class GuestIn(Schema):
    kind: Literal["guest", "observer"]
    name: str
    affiliation: str = ""
    gender: Literal["", "female", "male", "other"] = ""


class CredentialIn(Schema):
    accept: bool
    note: str = ""


class CheckInIn(Schema):
    code: str = Field(..., description="Participant number or the code in the badge's QR.")


class AgendaItemOut(Schema):
    id: int
    number: str
    depth: int
    title: str
    duration_minutes: int
    status: str
    motion: int | None


class AgendaItemIn(Schema):
    title: str
    duration_minutes: int = Field(0, ge=0, le=1440)
    parent: int | None = None
    description: str = ""


class SpeakerOut(Schema):
    id: int
    position: int
    participant: str
    name: str
    stance: str
    status: str
    seconds: int
    started_at: datetime | None


class SpeakerIn(Schema):
    number: str = Field("", description="A participant's number; empty: yourself.")
    stance: Literal["for", "against", "neutral"] = "neutral"


class ProjectorOut(Schema):
    version: int
    item: str | None
    speaker: str | None
    speaker_ends_at: datetime | None
    waiting: list[str]
    quorum: QuorumOut


class WorkingGroupOut(Schema):
    slug: str
    topic: str
    facilitator: str | None
    rapporteur: str | None
    members: int
    motions: int
    report: str


class MotionOut(Schema):
    id: int
    number: str
    title: str
    state: str
    origin: str
    working_group: str | None
    supports: int
    amendments: int


class AmendmentOut(Schema):
    number: int
    paragraph: int
    original: str
    proposed: str
    status: str
    proposer: str | None


class MotionDetailOut(Schema):
    id: int
    assembly: str | None
    body: str
    number: str
    title: str
    text: str
    state: str
    origin: str
    working_group: str | None
    forwarded_from: int | None
    forwards: list[int]
    supports: int
    amendments: list[AmendmentOut]


class MotionIn(Schema):
    title: str
    text: str
    working_group: str = Field("", description="Short name of a working group.")
    origin: str = Field("", description="An invited organisation submitting it.")
    draft: bool = False


class TransitionIn(Schema):
    state: str
    note: str = ""


class SupportIn(Schema):
    organisation: str = Field("", description="Empty: the signed-in participant.")


class AmendmentIn(Schema):
    paragraph: int
    proposed: str = Field("", description="New wording; empty proposes deleting it.")
    rationale: str = ""


class AmendmentDecisionIn(Schema):
    status: Literal["accepted", "rejected", "withdrawn"]
    note: str = ""


class ForwardIn(Schema):
    to_assembly: str = ""
    to_body: str = ""
    note: str = ""


class DeclarationOut(Schema):
    title: str
    status: str
    version: int
    text: str
    published_at: datetime | None
    endorsed_by: list[str]


class ResolutionOut(Schema):
    id: int
    title: str
    responsible: str
    due_on: date | None
    status: str
    motion: int | None
    note: str


class ResolutionUpdateIn(Schema):
    status: Literal["pending", "in_progress", "done", "blocked", "cancelled"]
    note: str = ""


# Helpers --------------------------------------------------------------------------------------


def _organisation(slug: str, field: str) -> Organisation:
    found = Organisation.objects.filter(slug=slug.strip()).first()
    if found is None:
        message = _("No organisation has this short name.")
        raise DomainError(message, code="not_found", fields={field: [message]})
    return found


def _assembly(request: HttpRequest, slug: str) -> Assembly:
    return queries.assembly_get(user=request.user, slug=slug)


def _quorum(assembly: Assembly) -> dict[str, Any]:
    q = queries.quorum(assembly)
    return {"members": q.members, "present": q.present, "needed": q.needed, "reached": q.reached}


def assembly_out(a: Assembly) -> dict[str, Any]:
    return {
        "slug": a.slug,
        "title": a.title,
        "scope": a.scope,
        "status": a.status,
        "owner": a.owner.slug,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "venue": a.venue,
    }


def assembly_detail(a: Assembly) -> dict[str, Any]:
    return {
        **assembly_out(a),
        "description": a.description,
        "quorum_share": a.quorum_share,
        "convenors": [
            {
                "name": c.name,
                "country": c.country,
                "organisation": c.organisation.slug if c.organisation else None,
            }
            for c in queries.convenors(a)
        ],
        "sessions": [
            {"title": s.title, "starts_at": s.starts_at, "ends_at": s.ends_at, "venue": s.venue}
            for s in queries.sessions(a)
        ],
        "quorum": _quorum(a),
    }


def participant_out(p: Participant) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "name": p.name,
        "kind": p.kind,
        "organisation": p.organisation.slug if p.organisation else None,
        "affiliation": p.affiliation,
        "gender": p.gender,
        "credential_status": p.credential_status,
        "mandate_valid_until": p.mandate_valid_until,
        "present": p.present,
        "checked_in_at": p.checked_in_at,
    }


def motion_out(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "number": m.number,
        "title": m.title,
        "state": m.state.code,
        "origin": m.origin.slug,
        "working_group": m.working_group.slug if m.working_group else None,
        "supports": getattr(m, "support_count", 0),
        "amendments": getattr(m, "amendment_count", 0),
    }


def motion_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    m = queries.motion_get(user=request.user, pk=pk)
    return {
        "id": m.pk,
        "assembly": m.assembly.slug if m.assembly else None,
        "body": m.body.slug,
        "number": m.number,
        "title": m.title,
        "text": m.text,
        "state": m.state.code,
        "origin": m.origin.slug,
        "working_group": m.working_group.slug if m.working_group else None,
        "forwarded_from": m.forwarded_from_id,
        "forwards": [f.pk for f in queries.forwards(m)],
        "supports": m.supports.count(),
        "amendments": [
            {
                "number": a.number,
                "paragraph": a.paragraph,
                "original": a.original,
                "proposed": a.proposed,
                "status": a.status,
                "proposer": a.proposer.number if a.proposer else None,
            }
            for a in queries.amendments(m)
        ],
    }


class MappedPage:
    """A queryset for ninja's paginator: counted in SQL, only the slice read and mapped."""

    def __init__(self, qs: Any, convert: Any) -> None:
        self.qs = qs
        self.convert = convert

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.convert(item) for item in self.qs[index]]


# Motions (global ids: a forwarded motion may be outside any assembly) --------------------------


@router.get("/motions/{pk}", response=MotionDetailOut, summary="A motion and its amendments")
def motion_get(request: HttpRequest, pk: int) -> dict[str, Any]:
    return motion_detail(request, pk)


@router.post(
    "/motions/{pk}/transition",
    response=MotionDetailOut,
    auth=token_required,
    summary="Move a motion to another state of the workflow",
)
def motion_transition(request: HttpRequest, pk: int, payload: TransitionIn) -> dict[str, Any]:
    motion = queries.motion_get(user=request.user, pk=pk)
    actions.motion_transition(
        actor=request.user, motion=motion, state_code=payload.state, note=payload.note
    )
    return motion_detail(request, pk)


@router.post(
    "/motions/{pk}/support",
    response={201: MotionDetailOut},
    auth=token_required,
    summary="Support a motion (yourself, or an organisation you speak for)",
)
def motion_support(request: HttpRequest, pk: int, payload: SupportIn) -> Status[dict[str, Any]]:
    motion = queries.motion_get(user=request.user, pk=pk)
    organisation = (
        _organisation(payload.organisation, "organisation") if payload.organisation else None
    )
    actions.motion_support(actor=request.user, motion=motion, organisation=organisation)
    return Status(201, motion_detail(request, pk))


@router.post(
    "/motions/{pk}/amendments",
    response={201: MotionDetailOut},
    auth=token_required,
    summary="Propose a new wording for one paragraph",
)
def amendment_propose(
    request: HttpRequest, pk: int, payload: AmendmentIn
) -> Status[dict[str, Any]]:
    motion = queries.motion_get(user=request.user, pk=pk)
    actions.amendment_propose(
        actor=request.user,
        motion=motion,
        paragraph=payload.paragraph,
        proposed=payload.proposed,
        rationale=payload.rationale,
    )
    return Status(201, motion_detail(request, pk))


@router.post(
    "/motions/{pk}/amendments/{number}/decision",
    response=MotionDetailOut,
    auth=token_required,
    summary="Accept, reject or withdraw an amendment",
)
def amendment_decide(
    request: HttpRequest, pk: int, number: int, payload: AmendmentDecisionIn
) -> dict[str, Any]:
    motion = queries.motion_get(user=request.user, pk=pk)
    amendment = motion.amendments.filter(number=number).first()
    if amendment is None:
        message = _("This motion has no amendment with this number.")
        raise DomainError(message, code="not_found", fields={"number": [message]})
    actions.amendment_decide(
        actor=request.user, amendment=amendment, status=payload.status, note=payload.note
    )
    return motion_detail(request, pk)


@router.post(
    "/motions/{pk}/forward",
    response={201: MotionDetailOut},
    auth=token_required,
    summary="Send a motion to another assembly or organisation, keeping its origin",
)
def motion_forward(request: HttpRequest, pk: int, payload: ForwardIn) -> Status[dict[str, Any]]:
    motion = queries.motion_get(user=request.user, pk=pk)
    to_assembly = (
        queries.assembly_get(user=request.user, slug=payload.to_assembly)
        if (payload.to_assembly)
        else None
    )
    to_body = _organisation(payload.to_body, "to_body") if payload.to_body else None
    copy = actions.motion_forward(
        actor=request.user,
        motion=motion,
        to_assembly=to_assembly,
        to_body=to_body,
        note=payload.note,
    )
    return Status(201, motion_detail(request, copy.pk))


# Assemblies -----------------------------------------------------------------------------------


@router.get("/", response=list[AssemblyOut], summary="Assemblies the caller may see")
@paginate(PageNumberPagination)
def assembly_list(request: HttpRequest, filters: Query[AssemblyFiltersIn]) -> Any:
    qs = queries.assemblies(request.user, scope=filters.scope, status=filters.status)
    return MappedPage(qs, assembly_out)


@router.post(
    "/", response={201: AssemblyDetailOut}, auth=token_required, summary="Convene an assembly"
)
def assembly_create(request: HttpRequest, payload: AssemblyIn) -> Status[dict[str, Any]]:
    data = payload.dict()
    owner = _organisation(data.pop("owner"), "owner")
    assembly = actions.assembly_create(actor=request.user, owner=owner, **data)
    return Status(201, assembly_detail(assembly))


@router.get("/{slug}", response=AssemblyDetailOut, summary="An assembly")
def assembly_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    return assembly_detail(_assembly(request, slug))


@router.post(
    "/{slug}/status",
    response=AssemblyDetailOut,
    auth=token_required,
    summary="Convene, open, close (or reopen) an assembly",
)
def assembly_status(request: HttpRequest, slug: str, payload: StatusIn) -> dict[str, Any]:
    assembly = _assembly(request, slug)
    actions.assembly_set_status(actor=request.user, assembly=assembly, status=payload.status)
    return assembly_detail(_assembly(request, slug))


@router.get("/{slug}/quorum", response=QuorumOut, summary="Presence and quorum now")
def assembly_quorum(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _quorum(_assembly(request, slug))


@router.get("/{slug}/delegations", response=list[DelegationOut], summary="Delegations")
@paginate(PageNumberPagination)
def delegation_list(request: HttpRequest, slug: str) -> Any:
    return MappedPage(
        queries.delegations(_assembly(request, slug)),
        lambda d: {
            "id": d.pk,
            "organisation": d.organisation.slug,
            "organisation_name": d.organisation.name,
            "quota": d.quota,
            "registered": d.registered,
            "accepted": d.accepted,
            "present": d.present_count,
        },
    )


@router.post(
    "/{slug}/delegations",
    response={201: DelegationOut},
    auth=token_required,
    summary="Invite an organisation with a quota of delegates",
)
def delegation_invite(
    request: HttpRequest, slug: str, payload: DelegationIn
) -> Status[dict[str, Any]]:
    assembly = _assembly(request, slug)
    delegation = actions.delegation_invite(
        actor=request.user,
        assembly=assembly,
        organisation=_organisation(payload.organisation, "organisation"),
        quota=payload.quota,
        instructions=payload.instructions,
    )
    row: Any = queries.delegations(assembly).get(pk=delegation.pk)
    return Status(
        201,
        {
            "id": row.pk,
            "organisation": row.organisation.slug,
            "organisation_name": row.organisation.name,
            "quota": row.quota,
            "registered": row.registered,
            "accepted": row.accepted,
            "present": row.present_count,
        },
    )


@router.post(
    "/{slug}/delegations/{pk}/delegates",
    response={201: ParticipantOut},
    auth=token_required,
    summary="Register a delegate with the mandate the unit issued",
)
def delegate_register(
    request: HttpRequest, slug: str, pk: int, payload: DelegateIn
) -> Status[dict[str, Any]]:
    assembly = _assembly(request, slug)
    delegation = queries.delegation_get(assembly=assembly, pk=pk)
    participant = actions.delegate_register(
        actor=request.user, delegation=delegation, **payload.dict()
    )
    return Status(201, participant_out(participant))


@router.get("/{slug}/participants", response=list[ParticipantOut], summary="Participants")
@paginate(PageNumberPagination)
def participant_list(
    request: HttpRequest,
    slug: str,
    kind: str = "",
    credential: str = "",
    present: Literal["", "yes", "no"] = "",
) -> Any:
    qs = queries.participants(
        _assembly(request, slug), kind=kind, credential=credential, present=present
    )
    return MappedPage(qs, participant_out)


@router.post(
    "/{slug}/participants",
    response={201: ParticipantOut},
    auth=token_required,
    summary="Add a guest or an observer (no vote)",
)
def participant_add(request: HttpRequest, slug: str, payload: GuestIn) -> Status[dict[str, Any]]:
    participant = actions.participant_add(
        actor=request.user, assembly=_assembly(request, slug), **payload.dict()
    )
    return Status(201, participant_out(participant))


@router.post(
    "/{slug}/participants/{pk}/credential",
    response=ParticipantOut,
    auth=token_required,
    summary="The credentials desk accepts or refuses a mandate",
)
def credential_decide(
    request: HttpRequest, slug: str, pk: int, payload: CredentialIn
) -> dict[str, Any]:
    participant = queries.participant_get(assembly=_assembly(request, slug), pk=pk)
    actions.credential_decide(
        actor=request.user, participant=participant, accept=payload.accept, note=payload.note
    )
    return participant_out(participant)


@router.post(
    "/{slug}/check-in",
    response=ParticipantOut,
    auth=token_required,
    summary="Check in by participant number or badge code",
)
def check_in(request: HttpRequest, slug: str, payload: CheckInIn) -> dict[str, Any]:
    participant = actions.participant_check_in(
        actor=request.user, assembly=_assembly(request, slug), code=payload.code
    )
    return participant_out(participant)


@router.post(
    "/{slug}/participants/{pk}/check-out",
    response=ParticipantOut,
    auth=token_required,
    summary="The participant leaves the hall",
)
def check_out(request: HttpRequest, slug: str, pk: int) -> dict[str, Any]:
    participant = queries.participant_get(assembly=_assembly(request, slug), pk=pk)
    actions.participant_check_out(actor=request.user, participant=participant)
    return participant_out(participant)


@router.get("/{slug}/agenda", response=list[AgendaItemOut], summary="The agenda, flattened")
def agenda(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    return [
        {
            "id": n.item.pk,
            "number": n.number,
            "depth": n.depth,
            "title": n.item.title,
            "duration_minutes": n.item.duration_minutes,
            "status": n.item.status,
            "motion": n.item.motion_id,
        }
        for n in queries.agenda_flat(_assembly(request, slug))[:500]
    ]


@router.post(
    "/{slug}/agenda",
    response={201: list[AgendaItemOut]},
    auth=token_required,
    summary="Add an agenda item",
)
def agenda_add(
    request: HttpRequest, slug: str, payload: AgendaItemIn
) -> Status[list[dict[str, Any]]]:
    assembly = _assembly(request, slug)
    parent = queries.item_get(assembly=assembly, pk=payload.parent) if payload.parent else None
    actions.agenda_item_add(
        actor=request.user,
        assembly=assembly,
        title=payload.title,
        duration_minutes=payload.duration_minutes,
        parent=parent,
        description=payload.description,
    )
    return Status(201, agenda(request, slug))


@router.post(
    "/{slug}/agenda/{pk}/current",
    response=AssemblyDetailOut,
    auth=token_required,
    summary="Move the plenary to this item",
)
def agenda_current(request: HttpRequest, slug: str, pk: int) -> dict[str, Any]:
    assembly = _assembly(request, slug)
    item = queries.item_get(assembly=assembly, pk=pk)
    actions.agenda_item_set_current(actor=request.user, assembly=assembly, item=item)
    return assembly_detail(_assembly(request, slug))


def _speakers(item: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": e.pk,
            "position": e.position,
            "participant": e.participant.number,
            "name": e.participant.name,
            "stance": e.stance,
            "status": e.status,
            "seconds": e.seconds,
            "started_at": e.started_at,
        }
        for e in queries.speakers(item)[:500]
    ]


@router.get("/{slug}/agenda/{pk}/speakers", response=list[SpeakerOut], summary="Speakers list")
def speakers(request: HttpRequest, slug: str, pk: int) -> list[dict[str, Any]]:
    item = queries.item_get(assembly=_assembly(request, slug), pk=pk)
    return _speakers(item)


@router.post(
    "/{slug}/agenda/{pk}/speakers",
    response={201: list[SpeakerOut]},
    auth=token_required,
    summary="Ask for the floor (or add a speaker, for who runs the assembly)",
)
def speaker_add(
    request: HttpRequest, slug: str, pk: int, payload: SpeakerIn
) -> Status[list[dict[str, Any]]]:
    assembly = _assembly(request, slug)
    item = queries.item_get(assembly=assembly, pk=pk)
    participant = None
    if payload.number:
        participant = queries.participant_find(assembly, payload.number)
        if participant is None:
            message = _("No participant has this number.")
            raise DomainError(message, code="not_found", fields={"number": [message]})
    actions.speaker_add(
        actor=request.user, item=item, participant=participant, stance=payload.stance
    )
    return Status(201, _speakers(item))


@router.post(
    "/{slug}/agenda/{pk}/next-speaker",
    response=list[SpeakerOut],
    auth=token_required,
    summary="Give the floor to the next speaker",
)
def speaker_next(request: HttpRequest, slug: str, pk: int) -> list[dict[str, Any]]:
    item = queries.item_get(assembly=_assembly(request, slug), pk=pk)
    actions.speaker_next(actor=request.user, item=item)
    return _speakers(item)


@router.get("/{slug}/projector", response=ProjectorOut, summary="What the big screen shows")
def projector(request: HttpRequest, slug: str) -> dict[str, Any]:
    assembly = _assembly(request, slug)
    current = assembly.current_item
    speaker = queries.current_speaker(current)
    ends_at = None
    if speaker is not None and speaker.started_at is not None:
        ends_at = speaker.started_at + timedelta(seconds=speaker.seconds)
    waiting = (
        [e.participant.name for e in queries.speakers(current).filter(status="waiting")[:5]]
        if current is not None
        else []
    )
    return {
        "version": assembly.version,
        "item": current.title if current else None,
        "speaker": speaker.participant.name if speaker else None,
        "speaker_ends_at": ends_at,
        "waiting": waiting,
        "quorum": _quorum(assembly),
    }


@router.get("/{slug}/working-groups", response=list[WorkingGroupOut], summary="Working groups")
@paginate(PageNumberPagination)
def working_group_list(request: HttpRequest, slug: str) -> Any:
    return MappedPage(queries.working_groups(_assembly(request, slug)), _group_out)


def _group_out(g: Any) -> dict[str, Any]:
    return {
        "slug": g.slug,
        "topic": g.topic,
        "facilitator": g.facilitator.number if g.facilitator else None,
        "rapporteur": g.rapporteur.number if g.rapporteur else None,
        "members": g.member_count,
        "motions": g.motion_count,
        "report": g.report,
    }


class MemberIn(Schema):
    number: str = Field("", description="A participant's number; empty: yourself.")


@router.post(
    "/{slug}/working-groups/{group}/members",
    response={201: WorkingGroupOut},
    auth=token_required,
    summary="Join a working group (or add a participant, for who runs the assembly)",
)
def working_group_join(
    request: HttpRequest, slug: str, group: str, payload: MemberIn
) -> Status[dict[str, Any]]:
    assembly = _assembly(request, slug)
    found = queries.working_group_get(assembly=assembly, slug=group)
    participant = None
    if payload.number:
        participant = queries.participant_find(assembly, payload.number)
        if participant is None:
            message = _("No participant has this number.")
            raise DomainError(message, code="not_found", fields={"number": [message]})
    actions.working_group_join(actor=request.user, group=found, participant=participant)
    row: Any = queries.working_groups(assembly).get(pk=found.pk)
    return Status(201, _group_out(row))


@router.get("/{slug}/motions", response=list[MotionOut], summary="Motions of an assembly")
@paginate(PageNumberPagination)
def motion_list(request: HttpRequest, slug: str, state: str = "", group: str = "") -> Any:
    return MappedPage(
        queries.motions(_assembly(request, slug), state=state, group=group), motion_out
    )


@router.post(
    "/{slug}/motions",
    response={201: MotionDetailOut},
    auth=token_required,
    summary="Submit a motion (as a delegate, a working group or an invited organisation)",
)
def motion_create(request: HttpRequest, slug: str, payload: MotionIn) -> Status[dict[str, Any]]:
    assembly = _assembly(request, slug)
    group = (
        queries.working_group_get(assembly=assembly, slug=payload.working_group)
        if payload.working_group
        else None
    )
    origin = _organisation(payload.origin, "origin") if payload.origin else None
    motion: Motion = actions.motion_create(
        actor=request.user,
        assembly=assembly,
        title=payload.title,
        text=payload.text,
        working_group=group,
        origin=origin,
        submit=not payload.draft,
    )
    return Status(201, motion_detail(request, motion.pk))


@router.get("/{slug}/declaration", response=DeclarationOut, summary="The final declaration")
def declaration(request: HttpRequest, slug: str) -> dict[str, Any]:
    assembly = _assembly(request, slug)
    found = queries.declaration_of(assembly)
    if found is None:
        raise Http404
    versions = queries.declaration_versions(found)
    return {
        "title": found.title,
        "status": found.status,
        "version": versions[-1].number if versions else 0,
        "text": versions[-1].text if versions else "",
        "published_at": found.published_at,
        "endorsed_by": [e.organisation.slug for e in queries.endorsements(found)],
    }


def _resolution_out(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "title": r.title,
        "responsible": r.responsible.slug,
        "due_on": r.due_on,
        "status": r.status,
        "motion": r.motion_id,
        "note": r.note,
    }


@router.get("/{slug}/resolutions", response=list[ResolutionOut], summary="Resolutions")
@paginate(PageNumberPagination)
def resolution_list(request: HttpRequest, slug: str, status: str = "") -> Any:
    return MappedPage(queries.resolutions(_assembly(request, slug), status=status), _resolution_out)


@router.post(
    "/{slug}/resolutions/{pk}",
    response=ResolutionOut,
    auth=token_required,
    summary="Update the follow-up of a resolution",
)
def resolution_update(
    request: HttpRequest, slug: str, pk: int, payload: ResolutionUpdateIn
) -> dict[str, Any]:
    resolution = queries.resolution_get(assembly=_assembly(request, slug), pk=pk)
    actions.resolution_update(
        actor=request.user, resolution=resolution, status=payload.status, note=payload.note
    )
    return _resolution_out(resolution)


router.add_router("", voting_router)
