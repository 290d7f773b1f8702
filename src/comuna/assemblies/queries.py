"""Reads of the assemblies module, already scoped to the user.

An assembly is seen according to its visibility and owner (core.access); everything inside
it (participants, agenda, working groups, motions, minutes...) is seen by whoever sees the
assembly, except personal data: a participant's mandate instructions and credential notes are
for the people who run the assembly and the participant's own delegation. A motion forwarded
to a body outside any assembly is seen according to its own visibility and body.

Who may do what (the actions check it again):

- `runs`: coordinators of the convening organisation (or of one above it) run the assembly:
  convenors, sessions, delegations, the credentials desk, check-in, agenda, speakers,
  working groups, the motion workflow, minutes, declaration and resolutions;
- a delegation's organisation (its coordinators and spokespeople) registers its delegates
  within the quota and issues their mandates;
- a participant (the signed-in person) asks for the floor, submits and supports motions and
  proposes amendments; a working group's rapporteur writes its report.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from comuna.assemblies.models import (
    AgendaItem,
    Amendment,
    Assembly,
    Convenor,
    CredentialStatus,
    Declaration,
    DeclarationVersion,
    Delegation,
    Endorsement,
    Minutes,
    Motion,
    MotionEvent,
    MotionState,
    MotionSupport,
    Participant,
    ParticipantKind,
    Resolution,
    ResolutionStatus,
    Session,
    SpeakerEntry,
    SpeakerStatus,
    WorkingGroup,
)
from comuna.core import access
from comuna.core.models import Organisation, OrganisationKind, Role

if TYPE_CHECKING:
    from comuna.core.access import AnyUser


# Voting members and quorum (used by the polls and elections) --------------------------------


def voting_members(assembly: Assembly, on: date | None = None) -> QuerySet[Participant]:
    """Delegates with an accepted credential whose mandate is valid today (or on `on`)."""
    day = on or timezone.localdate()
    return Participant.objects.filter(
        assembly=assembly,
        kind=ParticipantKind.DELEGATE,
        credential_status=CredentialStatus.ACCEPTED,
    ).filter(Q(mandate_valid_until__isnull=True) | Q(mandate_valid_until__gte=day))


def present_voters(assembly: Assembly, on: date | None = None) -> QuerySet[Participant]:
    """The voting members present in the hall now."""
    return voting_members(assembly, on).filter(present=True)


@dataclass(frozen=True)
class Quorum:
    members: int
    present: int
    needed: int

    @property
    def reached(self) -> bool:
        return self.members > 0 and self.present >= self.needed

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.present)


def quorum_needed(members: int, share: Decimal) -> int:
    """How many voting members must be present: `share` of the members, rounded up, and at
    least one when there are members."""
    if members <= 0:
        return 0
    needed = (Decimal(members) * share).to_integral_value(rounding=ROUND_CEILING)
    return max(1, int(needed))


def quorum(assembly: Assembly) -> Quorum:
    """The presence quorum now (one query)."""
    counts = voting_members(assembly).aggregate(
        members=Count("id"), present=Count("id", filter=Q(present=True))
    )
    members = int(counts["members"] or 0)
    return Quorum(
        members=members,
        present=int(counts["present"] or 0),
        needed=quorum_needed(members, assembly.quorum_share),
    )


# Assemblies ---------------------------------------------------------------------------------


def assemblies(user: AnyUser | None, *, scope: str = "", status: str = "") -> QuerySet[Assembly]:
    qs = access.visible(Assembly.objects.select_related("owner"), user)
    if scope:
        qs = qs.filter(scope=scope)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-starts_on", "title")


def assembly_get(*, user: AnyUser | None, slug: str) -> Assembly:
    """The assembly, or 404 when it does not exist or the user may not see it."""
    assembly = Assembly.objects.select_related("owner", "current_item").filter(slug=slug).first()
    if assembly is None:
        raise Http404
    access.require_visible(user, visibility=assembly.visibility, owner_id=assembly.owner_id)
    return assembly


def can_run(user: AnyUser | None, assembly: Assembly) -> bool:
    """Coordinators of the convening organisation (or above it) run the assembly."""
    return access.can_coordinate(user, owner_id=assembly.owner_id)


def can_manage_delegation(user: AnyUser | None, delegation: Delegation) -> bool:
    return access.can_change(user, owner_id=delegation.organisation_id)


def own_participant(user: AnyUser | None, assembly: Assembly) -> Participant | None:
    """The signed-in user's participant record in this assembly, if any."""
    viewer = access.viewer_for(user)
    if viewer.person_id is None:
        return None
    return (
        Participant.objects.filter(assembly=assembly, person_id=viewer.person_id)
        .select_related("organisation")
        .first()
    )


@dataclass(frozen=True)
class AssemblyPermissions:
    run: bool
    participant: Participant | None
    delegations: frozenset[int]  # ids of the delegations the user manages

    @property
    def is_voter(self) -> bool:
        return may_vote(self.participant)


def may_vote(p: Participant | None) -> bool:
    """A delegate with an accepted credential and a mandate valid today."""
    return (
        p is not None
        and p.kind == ParticipantKind.DELEGATE
        and p.credential_status == CredentialStatus.ACCEPTED
        and p.mandate_valid_on(timezone.localdate())
    )


def permissions(user: AnyUser | None, assembly: Assembly) -> AssemblyPermissions:
    viewer = access.viewer_for(user)
    managed: set[int] = set()
    if viewer.is_staff:
        managed = set(Delegation.objects.filter(assembly=assembly).values_list("pk", flat=True))
    elif viewer.in_network:
        changers = viewer.organisations_with(access.CHANGE_ROLES)
        if changers:
            managed = set(
                Delegation.objects.filter(assembly=assembly)
                .filter(access.below("organisation", changers))
                .values_list("pk", flat=True)
            )
    return AssemblyPermissions(
        run=can_run(user, assembly),
        participant=own_participant(user, assembly),
        delegations=frozenset(managed),
    )


def convening_choices(user: AnyUser | None) -> list[Organisation]:
    """Organisations the user may convene an assembly for (they coordinate them)."""
    viewer = access.viewer_for(user)
    qs = Organisation.objects.exclude(kind=OrganisationKind.PUBLIC_BODY).filter(
        archived_at__isnull=True
    )
    if not viewer.is_staff:
        qs = qs.filter(pk__in=viewer.organisations_with({Role.COORDINATOR}))
    return list(qs.order_by("name")[:200])


def sessions(assembly: Assembly) -> QuerySet[Session]:
    return assembly.sessions.all()


def convenors(assembly: Assembly) -> QuerySet[Convenor]:
    return assembly.convenors.select_related("organisation")


# Delegations and participants ---------------------------------------------------------------


def delegations(assembly: Assembly) -> QuerySet[Delegation]:
    return (
        Delegation.objects.filter(assembly=assembly)
        .select_related("organisation")
        .annotate(
            registered=Count("delegates", distinct=True),
            accepted=Count(
                "delegates",
                filter=Q(delegates__credential_status=CredentialStatus.ACCEPTED),
                distinct=True,
            ),
            present_count=Count("delegates", filter=Q(delegates__present=True), distinct=True),
        )
        .order_by("organisation__name")
    )


def delegation_get(*, assembly: Assembly, pk: int) -> Delegation:
    found = Delegation.objects.select_related("organisation").filter(assembly=assembly, pk=pk)
    delegation = found.first()
    if delegation is None:
        raise Http404
    return delegation


def participants(
    assembly: Assembly,
    *,
    kind: str = "",
    credential: str = "",
    present: str = "",
    q: str = "",
) -> QuerySet[Participant]:
    qs = Participant.objects.filter(assembly=assembly).select_related("organisation")
    if kind:
        qs = qs.filter(kind=kind)
    if credential:
        qs = qs.filter(credential_status=credential)
    if present in {"yes", "no"}:
        qs = qs.filter(present=present == "yes")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(number__iexact=q))
    return qs.order_by("number")


def participant_get(*, assembly: Assembly, pk: int) -> Participant:
    participant = (
        Participant.objects.select_related("organisation", "delegation")
        .filter(assembly=assembly, pk=pk)
        .first()
    )
    if participant is None:
        raise Http404
    return participant


def participant_find(assembly: Assembly, code: str) -> Participant | None:
    """By participant number or by the code printed in the badge's QR code."""
    code = code.strip()
    if not code:
        return None
    return (
        Participant.objects.select_related("organisation")
        .filter(assembly=assembly)
        .filter(Q(number__iexact=code) | Q(badge_code=code))
        .first()
    )


def can_see_mandate(user: AnyUser | None, assembly: Assembly, participant: Participant) -> bool:
    """Mandate instructions and credential notes: who runs the assembly, the participant
    and the managers of their delegation's organisation."""
    if can_run(user, assembly):
        return True
    viewer = access.viewer_for(user)
    if viewer.person_id is not None and viewer.person_id == participant.person_id:
        return True
    return participant.organisation_id is not None and access.can_change(
        user, owner_id=participant.organisation_id
    )


@dataclass(frozen=True)
class Attendance:
    delegates: int
    accepted: int
    present_delegates: int
    observers: int
    guests: int
    present_total: int
    women: int
    organisations_present: int


def attendance(assembly: Assembly) -> Attendance:
    """Counts for the attendance panel and the minutes (one query)."""
    rows = Participant.objects.filter(assembly=assembly).aggregate(
        delegates=Count("id", filter=Q(kind=ParticipantKind.DELEGATE)),
        accepted=Count(
            "id",
            filter=Q(kind=ParticipantKind.DELEGATE, credential_status=CredentialStatus.ACCEPTED),
        ),
        present_delegates=Count("id", filter=Q(kind=ParticipantKind.DELEGATE, present=True)),
        observers=Count("id", filter=Q(kind=ParticipantKind.OBSERVER)),
        guests=Count("id", filter=Q(kind=ParticipantKind.GUEST)),
        present_total=Count("id", filter=Q(present=True)),
        women=Count("id", filter=Q(present=True, gender="female")),
        organisations_present=Count(
            "organisation", filter=Q(present=True, kind=ParticipantKind.DELEGATE), distinct=True
        ),
    )
    return Attendance(**{key: int(value or 0) for key, value in rows.items()})


# Agenda and speakers ------------------------------------------------------------------------


@dataclass
class AgendaNode:
    item: AgendaItem
    number: str
    depth: int
    children: list[AgendaNode]


def agenda_tree(assembly: Assembly) -> list[AgendaNode]:
    """The agenda as a numbered tree (one query, built in memory)."""
    items = list(assembly.agenda.select_related("motion", "session").order_by("position", "id"))
    by_parent: dict[int | None, list[AgendaItem]] = {}
    for item in items:
        by_parent.setdefault(item.parent_id, []).append(item)

    def build(parent_id: int | None, prefix: str, depth: int) -> list[AgendaNode]:
        nodes = []
        for index, item in enumerate(by_parent.get(parent_id, []), start=1):
            number = f"{prefix}{index}"
            nodes.append(
                AgendaNode(
                    item=item,
                    number=number,
                    depth=depth,
                    children=build(item.pk, number + ".", depth + 1) if depth < 5 else [],
                )
            )
        return nodes

    return build(None, "", 0)


def agenda_flat(assembly: Assembly) -> list[AgendaNode]:
    out: list[AgendaNode] = []

    def walk(nodes: list[AgendaNode]) -> None:
        for node in nodes:
            out.append(node)
            walk(node.children)

    walk(agenda_tree(assembly))
    return out


def agenda_minutes(assembly: Assembly, nodes: list[AgendaNode] | None = None) -> int:
    """The planned length of the agenda: the top-level items' durations, or their
    sub-items' when an item has no duration of its own. `nodes` (the tree or agenda_flat's
    list) saves loading the agenda again."""
    total = 0
    for node in agenda_tree(assembly) if nodes is None else nodes:
        if node.depth:
            continue
        own = node.item.duration_minutes
        total += own or sum(child.item.duration_minutes for child in node.children)
    return total


def item_get(*, assembly: Assembly, pk: int) -> AgendaItem:
    item = AgendaItem.objects.filter(assembly=assembly, pk=pk).select_related("motion").first()
    if item is None:
        raise Http404
    return item


def speakers(item: AgendaItem) -> QuerySet[SpeakerEntry]:
    return item.speakers.select_related("participant", "participant__organisation").order_by(
        "position", "id"
    )


def current_speaker(item: AgendaItem | None) -> SpeakerEntry | None:
    if item is None:
        return None
    return (
        item.speakers.filter(status=SpeakerStatus.SPEAKING)
        .select_related("participant", "participant__organisation")
        .first()
    )


def speaker_get(*, assembly: Assembly, pk: int) -> SpeakerEntry:
    entry = (
        SpeakerEntry.objects.select_related("item", "participant")
        .filter(item__assembly=assembly, pk=pk)
        .first()
    )
    if entry is None:
        raise Http404
    return entry


# Working groups -----------------------------------------------------------------------------


def working_groups(assembly: Assembly) -> QuerySet[WorkingGroup]:
    return (
        assembly.working_groups.select_related("facilitator", "rapporteur")
        .annotate(
            member_count=Count("members", distinct=True),
            motion_count=Count("motions", distinct=True),
        )
        .order_by("topic")
    )


def working_group_get(*, assembly: Assembly, slug: str) -> WorkingGroup:
    group = (
        WorkingGroup.objects.select_related("facilitator", "rapporteur")
        .filter(assembly=assembly, slug=slug)
        .first()
    )
    if group is None:
        raise Http404
    return group


def working_group_members(group: WorkingGroup) -> QuerySet[Participant]:
    return group.members.select_related("organisation").order_by("number")


# Motions ------------------------------------------------------------------------------------


def motion_states() -> list[MotionState]:
    return list(MotionState.objects.order_by("position", "code"))


def motions(
    assembly: Assembly, *, state: str = "", group: str = "", q: str = ""
) -> QuerySet[Motion]:
    qs = (
        Motion.objects.filter(assembly=assembly)
        .select_related("state", "origin", "working_group", "submitter")
        .annotate(
            support_count=Count("supports", distinct=True),
            amendment_count=Count("amendments", distinct=True),
        )
    )
    if state:
        qs = qs.filter(state__code=state)
    if group:
        qs = qs.filter(working_group__slug=group)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(number__iexact=q))
    return qs.order_by("created_at", "id")


def motions_received(user: AnyUser | None) -> QuerySet[Motion]:
    """Motions forwarded to the user's organisations (or those below them) that hold no
    assembly here; staff see them all."""
    viewer = access.viewer_for(user)
    qs = Motion.objects.filter(assembly__isnull=True).select_related(
        "state", "origin", "body", "forwarded_from"
    )
    if not viewer.is_staff:
        qs = qs.filter(access.below("body", viewer.direct)).filter(
            access.visibility_filter(viewer, "body")
        )
    return qs.order_by("-created_at", "-id")


def motion_get(*, user: AnyUser | None, pk: int) -> Motion:
    """A motion (in an assembly the user sees, or forwarded to a body), or 404."""
    motion = (
        Motion.objects.select_related(
            "assembly",
            "assembly__owner",
            "state",
            "origin",
            "body",
            "working_group",
            "submitter",
            "forwarded_from",
            "forwarded_from__assembly",
        )
        .filter(pk=pk)
        .first()
    )
    if motion is None:
        raise Http404
    if motion.assembly is not None:
        access.require_visible(
            user, visibility=motion.assembly.visibility, owner_id=motion.assembly.owner_id
        )
    else:
        access.require_visible(user, visibility=motion.visibility, owner_id=motion.body_id)
    return motion


def can_run_motion(user: AnyUser | None, motion: Motion) -> bool:
    if motion.assembly is not None:
        return can_run(user, motion.assembly)
    return access.can_coordinate(user, owner_id=motion.body_id)


def supports(motion: Motion) -> QuerySet[MotionSupport]:
    return motion.supports.select_related("participant", "organisation")


def motion_events(motion: Motion) -> QuerySet[MotionEvent]:
    return motion.events.select_related("from_state", "to_state")


def amendments(motion: Motion) -> QuerySet[Amendment]:
    return motion.amendments.select_related("proposer", "origin")


def amendment_get(*, motion: Motion, pk: int) -> Amendment:
    found = Amendment.objects.filter(motion=motion, pk=pk).first()
    if found is None:
        raise Http404
    return found


def forwards(motion: Motion) -> QuerySet[Motion]:
    return motion.forwards.select_related("assembly", "body", "state")


def forward_chain(motion: Motion) -> list[Motion]:
    """The motions this one was forwarded from, nearest first (a few queries at most)."""
    chain: list[Motion] = []
    current = motion.forwarded_from
    seen = {motion.pk}
    while current is not None and current.pk not in seen and len(chain) < 10:
        chain.append(current)
        seen.add(current.pk)
        current = (
            Motion.objects.select_related("assembly", "body", "forwarded_from")
            .filter(pk=current.forwarded_from_id)
            .first()
            if current.forwarded_from_id
            else None
        )
    return chain


def forward_targets(user: AnyUser | None, motion: Motion) -> list[Assembly]:
    """Open assemblies (not closed) other than the motion's own, that the user may see."""
    qs = assemblies(user).exclude(status="closed")
    if motion.assembly_id:
        qs = qs.exclude(pk=motion.assembly_id)
    return list(qs[:100])


# Diffs ----------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|[^\s]+")


def diff_html(old: str, new: str) -> SafeString:
    """Word-level diff of two texts as HTML: removed words in <del>, added in <ins>."""
    a = _TOKEN.findall(old)
    b = _TOKEN.findall(new)
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(html.escape("".join(a[i1:i2])))
            continue
        if op in {"delete", "replace"}:
            parts.append(f"<del>{html.escape(''.join(a[i1:i2]))}</del>")
        if op in {"insert", "replace"}:
            parts.append(f"<ins>{html.escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(parts).replace("\n", "<br>"))  # noqa: S308 - escaped above


# After the assembly ---------------------------------------------------------------------------


def minutes_of(assembly: Assembly) -> Minutes | None:
    return Minutes.objects.filter(assembly=assembly).first()


def declaration_of(assembly: Assembly) -> Declaration | None:
    return Declaration.objects.filter(assembly=assembly).first()


def declaration_versions(declaration: Declaration) -> list[DeclarationVersion]:
    return list(declaration.versions.order_by("number"))


def endorsements(declaration: Declaration) -> QuerySet[Endorsement]:
    return declaration.endorsements.select_related("organisation").order_by("at", "id")


def endorsable_organisations(user: AnyUser | None, declaration: Declaration) -> list[Organisation]:
    """Organisations the user may endorse for (coordinator or spokesperson), not yet in."""
    viewer = access.viewer_for(user)
    ids = viewer.organisations_with({Role.COORDINATOR, Role.SPOKESPERSON})
    if not ids:
        return []
    done = set(declaration.endorsements.values_list("organisation_id", flat=True))
    return [o for o in Organisation.objects.filter(pk__in=ids).order_by("name") if o.pk not in done]


def resolutions(assembly: Assembly, *, status: str = "") -> QuerySet[Resolution]:
    qs = assembly.resolutions.select_related("responsible", "motion")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_on", "id")


def resolution_get(*, assembly: Assembly, pk: int) -> Resolution:
    found = Resolution.objects.select_related("responsible").filter(assembly=assembly, pk=pk)
    resolution = found.first()
    if resolution is None:
        raise Http404
    return resolution


def can_follow_up(user: AnyUser | None, resolution: Resolution) -> bool:
    """Who runs the assembly, and the responsible organisation's coordinators and
    spokespeople, update a resolution's status."""
    return can_run(user, resolution.assembly) or access.can_change(
        user, owner_id=resolution.responsible_id
    )


@dataclass
class BoardColumn:
    status: str
    label: str
    items: list[Resolution]


def resolution_board(assembly: Assembly) -> list[BoardColumn]:
    rows = list(resolutions(assembly)[:500])
    columns = []
    for value, label in ResolutionStatus.choices:
        columns.append(
            BoardColumn(
                status=value, label=str(label), items=[r for r in rows if r.status == value]
            )
        )
    return columns


def adopted_motions(assembly: Assembly) -> QuerySet[Motion]:
    return (
        Motion.objects.filter(assembly=assembly, state__code="adopted")
        .select_related("origin", "working_group")
        .order_by("decided_at", "id")
    )
