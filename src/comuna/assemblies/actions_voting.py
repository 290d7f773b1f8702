"""Writes of polls and elections. Every action checks who may do it, validates the domain rules
(DomainError with a translated message naming the field), writes in one transaction, bumps the
assembly's version (the projector's ETag; votes do not, see `_for_vote`) and records an
AuditEvent.

Who may do what:

- the people who run the assembly (coordinators of the convening organisation, see
  queries.can_run) create, open, close and cancel polls and elections, add candidates, and
  act as tellers (paper results, paper ballots);
- a delegate votes for themselves: a participant of kind delegate, with an accepted
  credential, a mandate valid today, checked in, once per poll or election.

A refused vote or opening is kept in `VoteRefusal` (in its own transaction, so it stays
when the refused write is rolled back) and raised as `VoteRefused`, a DomainError whose
`code` is the reason.

Secret votes: the audit event of a vote names the voter and never the choice; the ballots
carry no voter, time or order; when a secret poll or an election closes its ballots and roll
are rewritten in random order, and the stored Idempotency-Key answers of its casting
endpoint (which hold a digest of the request body, hence of the choice) are deleted.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comuna.assemblies import queries, queries_voting
from comuna.assemblies.actions import assembly_touch
from comuna.assemblies.models import (
    Amendment,
    Assembly,
    AssemblyStatus,
    Motion,
    Participant,
    ParticipantGender,
    ParticipantKind,
)
from comuna.assemblies.models_voting import (
    DECISION_RULES,
    Ballot,
    Candidate,
    Choice,
    DecisionType,
    Election,
    ElectionBallot,
    ElectionMethod,
    ElectionRoll,
    MajorityRule,
    Poll,
    PollMode,
    PollStatus,
    RefusalReason,
    RollEntry,
    Verdict,
    VoteRefusal,
)
from comuna.core import access, audit
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import IdempotencyKey
from comuna.core.validation import actor_id, clean_choice, clean_text
from comuna.engines import tally

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

_random = secrets.SystemRandom()
PollOrElection = TypeVar("PollOrElection", Poll, Election)

MAX_CANDIDATES = 100
MAX_SEATS = 100


class VoteRefused(DomainError):
    """A vote, an opening or a close refused by the voting rules (and recorded)."""

    status = 409


# Shared rules ---------------------------------------------------------------------------------


def _require_run(actor: AnyUser | None, assembly: Assembly) -> None:
    """`actor=None` is the system (demo loader, commands): it passes."""
    if actor is None:
        return
    if not actor.is_authenticated:
        raise PermissionDeniedError(_("Sign in first."))
    if not queries.can_run(actor, assembly):
        raise PermissionDeniedError(_("Only the people who run this assembly may do this."))


def _require_visible(actor: AnyUser | None, assembly: Assembly) -> None:
    """404 for what the actor may not even see."""
    if actor is None:
        return
    access.require_visible(actor, visibility=assembly.visibility, owner_id=assembly.owner_id)


#: A poll may be held on a motion in one of these states.
VOTABLE_STATES = frozenset({"admitted", "debated", "voted"})


def _require_votable(motion: Motion) -> None:
    code = Motion.objects.filter(pk=motion.pk).values_list("state__code", flat=True).first()
    if code not in VOTABLE_STATES:
        message = _(
            "Only an admitted or debated motion can be put to the vote; this one is “%(state)s”."
        ) % {"state": code}
        raise DomainError(message, code="not_votable", fields={"motion": [message]})


def _count(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        message = _("Give a whole number, zero or more.")
        raise DomainError(message, fields={field: [message]})
    if value > 1_000_000:
        message = _("At most %(limit)s.") % {"limit": "1000000"}
        raise DomainError(message, fields={field: [message]})
    return value


def _refuse(
    *,
    assembly: Assembly,
    reason: str,
    message: str,
    actor: AnyUser | None,
    poll: Poll | None = None,
    election: Election | None = None,
    participant: Participant | None = None,
    field: str = "__all__",
) -> VoteRefused:
    """Keep the refusal (outside the refused write's transaction) and return the error."""
    user_id = actor.pk if actor is not None and actor.is_authenticated else None
    VoteRefusal.objects.create(
        assembly=assembly,
        poll=poll,
        election=election,
        participant=participant,
        user_id=user_id,
        reason=reason,
        message=message[:300],
    )
    return VoteRefused(message, code=reason, fields={field: [message]})


@dataclass
class _Refusal(Exception):
    reason: str
    message: str
    participant: Participant | None = None
    field: str = "__all__"


def _for_vote(model: type[PollOrElection], pk: int) -> PollOrElection:
    """The poll or election, locked for a vote. On PostgreSQL a shared lock (FOR SHARE):
    votes go on side by side, while opening, closing and cancelling (FOR UPDATE) wait for
    the votes under way, and the votes that come after see the new status. SQLite runs one
    writing transaction at a time anyway (IMMEDIATE), so a plain read is enough there.

    Votes do not bump the assembly's version (one hot row every vote would wait on): the
    projector's ETag adds the number of votes in open polls (queries_voting.projector_version).
    """
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        found = list(
            model.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [pk])  # noqa: S608 - table name from the model
        )
        if not found:
            raise model.DoesNotExist
        return found[0]
    return model.objects.get(pk=pk)


def _next_number(model: type[Poll] | type[Election], assembly: Assembly) -> int:
    # The assembly row is locked by the caller, so two creations do not take one number.
    found = model.objects.filter(assembly=assembly).aggregate(top=Max("number"))["top"]
    return int(found or 0) + 1


def _lock_assembly(assembly: Assembly) -> Assembly:
    return Assembly.objects.select_for_update().get(pk=assembly.pk)


def _assembly_open(assembly: Assembly) -> None:
    if assembly.status == AssemblyStatus.CLOSED:
        message = _("The assembly is closed: no more votes can be held.")
        raise DomainError(message, code="assembly_closed", fields={"__all__": [message]})


@dataclass(frozen=True)
class QuorumCheck:
    members: int
    present: int
    needed: int

    @property
    def reached(self) -> bool:
        return self.members > 0 and self.present >= self.needed


def _quorum(assembly: Assembly) -> QuorumCheck:
    found = queries.quorum(assembly)
    return QuorumCheck(members=found.members, present=found.present, needed=found.needed)


def _no_quorum_message(check: QuorumCheck) -> str:
    return _(
        "There is no quorum: %(present)s of %(members)s voting members are present and "
        "%(needed)s are needed."
    ) % {"present": check.present, "members": check.members, "needed": check.needed}


def _eligibility(participant: Participant | None) -> _Refusal | None:
    """Why this participant may not vote now, or None."""
    if participant is None:
        return _Refusal(
            RefusalReason.NOT_PARTICIPANT,
            _("You are not a participant of this assembly, so you cannot vote."),
        )
    if participant.kind != ParticipantKind.DELEGATE:
        return _Refusal(
            RefusalReason.NO_VOTE,
            _("Observers and guests have a voice but no vote."),
            participant,
        )
    if participant.credential_status != "accepted":
        return _Refusal(
            RefusalReason.CREDENTIAL,
            _("Your credential has not been accepted by the credentials desk, so you cannot vote."),
            participant,
        )
    today = timezone.localdate()
    if not participant.mandate_valid_on(today):
        return _Refusal(
            RefusalReason.MANDATE_EXPIRED,
            _("Your mandate expired on %(day)s: an expired mandate cannot vote.")
            % {"day": participant.mandate_valid_until.strftime("%d/%m/%Y")}
            if participant.mandate_valid_until
            else _("Your mandate has expired: an expired mandate cannot vote."),
            participant,
        )
    if not participant.present:
        return _Refusal(
            RefusalReason.NOT_PRESENT,
            _("Check in at the assembly first: only delegates present may vote."),
            participant,
        )
    return None


def _status_refusal(status: str, mode: str, participant: Participant | None) -> _Refusal | None:
    if status == PollStatus.DRAFT:
        return _Refusal(RefusalReason.NOT_OPEN, _("This vote is not open yet."), participant)
    if status in (PollStatus.CLOSED, PollStatus.CANCELLED):
        return _Refusal(
            RefusalReason.CLOSED, _("This vote is closed: no more votes are taken."), participant
        )
    if mode == PollMode.PAPER:
        return _Refusal(
            RefusalReason.PAPER,
            _("This vote is held on paper: hand your ballot to the tellers."),
            participant,
        )
    return None


def _delete_stored_answers(path_suffix: str) -> None:
    """Idempotency-Key answers hold a digest of the request body: drop those of a secret
    vote's casting endpoint once it closes."""
    IdempotencyKey.objects.filter(path__startswith="/api/", path__endswith=path_suffix).delete()


# Majority rules -------------------------------------------------------------------------------


def decide(rule: str, *, yes: int, no: int, members_weight: int) -> bool:
    """True when the motion is adopted under `rule` (see models_voting)."""
    if rule == MajorityRule.SIMPLE:
        return yes > no
    if rule == MajorityRule.ABSOLUTE:
        return 2 * yes > members_weight
    if rule == MajorityRule.TWO_THIRDS:
        # yes >= 2/3 of (yes + no)  <=>  yes >= 2 * no
        return yes > 0 and yes >= 2 * no
    raise ValueError(rule)


def basis_text(poll: Poll) -> str:
    """The legal basis of the verdict in words, with the numbers that produced it."""
    numbers = {
        "yes": poll.yes,
        "no": poll.no,
        "abstain": poll.abstain,
        "members": poll.members_weight,
        "present": poll.present_at_close,
        "needed": poll.quorum_at_close,
        "voting": poll.members_at_close,
    }
    if poll.verdict == Verdict.NO_QUORUM:
        return (
            _(
                "Void: the presence quorum was lost. %(present)s of %(voting)s voting members "
                "were present at the close and %(needed)s were needed."
            )
            % numbers
        )
    quorum = (
        _("Quorum: %(present)s of %(voting)s voting members present (%(needed)s needed).") % numbers
    )
    if poll.verdict_rule == MajorityRule.SIMPLE:
        rule = (
            _(
                "Simple majority of the votes cast (more yes than no; abstentions are not "
                "votes cast): %(yes)s yes, %(no)s no, %(abstain)s abstentions."
            )
            % numbers
        )
    elif poll.verdict_rule == MajorityRule.ABSOLUTE:
        rule = (
            _(
                "Absolute majority of the members (more yes than half of the %(members)s votes "
                "of all voting members, present or not): %(yes)s yes, %(no)s no, %(abstain)s "
                "abstentions."
            )
            % numbers
        )
    else:
        rule = (
            _(
                "Two thirds of the votes cast (yes at least twice no; abstentions are not "
                "votes cast): %(yes)s yes, %(no)s no, %(abstain)s abstentions."
            )
            % numbers
        )
    return f"{rule} {quorum}"


# Polls ----------------------------------------------------------------------------------------


def poll_create(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    title: str,
    decision_type: str,
    motion: Motion | None = None,
    amendment: Amendment | None = None,
    secret: bool = False,
    weighted: bool = False,
    mode: str = PollMode.ELECTRONIC,
) -> Poll:
    """A new poll (not open yet) with the majority rule of its decision type."""
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    title = clean_text(title, "title", limit=300)
    clean_choice(decision_type, DecisionType.values, "decision_type")
    clean_choice(mode, PollMode.values, "mode")
    if motion is not None and motion.assembly_id != assembly.pk:
        message = _("The motion is not before this assembly.")
        raise DomainError(message, fields={"motion": [message]})
    if amendment is not None:
        if motion is None:
            motion = amendment.motion
        if amendment.motion_id != motion.pk or motion.assembly_id != assembly.pk:
            message = _("The amendment is not to a motion before this assembly.")
            raise DomainError(message, fields={"amendment": [message]})
        decision_type = DecisionType.AMENDMENT
        if amendment.status != "submitted":
            message = _("This amendment is already decided.")
            raise DomainError(message, fields={"amendment": [message]})
    if motion is not None and amendment is None:
        _require_votable(motion)
    with transaction.atomic():
        locked = _lock_assembly(assembly)
        _assembly_open(locked)
        poll = Poll.objects.create(
            assembly=locked,
            number=_next_number(Poll, locked),
            motion=motion,
            amendment=amendment,
            title=title,
            decision_type=decision_type,
            rule=DECISION_RULES[decision_type],
            secret=bool(secret),
            weighted=bool(weighted),
            mode=mode,
            created_by_id=actor_id(actor),
        )
        assembly_touch(locked)
        audit.record(
            actor=actor,
            verb="poll.create",
            subject=poll,
            organisation=assembly.owner_id,
            details={"assembly": assembly.slug, "rule": poll.rule, "secret": poll.secret},
        )
    return poll


def _mark_open(
    actor: AnyUser | None,
    locked: Poll | Election,
    assembly: Assembly,
    check: QuorumCheck,
    *,
    verb: str,
) -> None:
    """Open a poll or an election, keeping the quorum found at that moment."""
    locked.status = PollStatus.OPEN
    locked.opened_at = timezone.now()
    locked.members_at_open = check.members
    locked.present_at_open = check.present
    locked.quorum_at_open = check.needed
    locked.save()
    assembly_touch(assembly)
    audit.record(
        actor=actor,
        verb=verb,
        subject=locked,
        organisation=assembly.owner_id,
        details={"present": check.present, "members": check.members},
    )


def poll_open(*, actor: AnyUser | None, poll: Poll) -> Poll:
    """Open the poll: refused (and recorded) without the presence quorum."""
    assembly = poll.assembly
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    try:
        with transaction.atomic():
            locked = Poll.objects.select_for_update().get(pk=poll.pk)
            if locked.status != PollStatus.DRAFT:
                message = _("Only a poll that is not open yet can be opened.")
                raise DomainError(message, code="not_draft", fields={"__all__": [message]})
            _assembly_open(assembly)
            check = _quorum(assembly)
            if not check.reached:
                raise _Refusal(RefusalReason.NO_QUORUM, _no_quorum_message(check))
            if locked.motion_id is not None and locked.amendment_id is None:
                _motion_to_vote(actor, locked)
            _mark_open(actor, locked, assembly, check, verb="poll.open")
    except _Refusal as refusal:
        raise _refuse(
            assembly=assembly,
            reason=refusal.reason,
            message=refusal.message,
            actor=actor,
            poll=poll,
        ) from None
    return locked


def vote_cast(*, actor: AnyUser | None, poll: Poll, choice: str) -> RollEntry:
    """The signed-in delegate's vote. The roll gets one row (one per delegate, enforced by
    the database), the ballots one row per unit of weight."""
    assembly = poll.assembly
    _require_visible(actor, assembly)
    clean_choice(choice, Choice.values, "choice")
    participant = queries.own_participant(actor, assembly)
    try:
        with transaction.atomic():
            locked = _for_vote(Poll, poll.pk)
            refusal = _status_refusal(locked.status, locked.mode, participant) or _eligibility(
                participant
            )
            if refusal is not None:
                raise refusal
            assert participant is not None  # noqa: S101 - checked by _eligibility
            if RollEntry.objects.filter(poll=locked, participant=participant).exists():
                raise _already_voted(participant)
            weight = participant.vote_weight if locked.weighted else 1
            try:
                with transaction.atomic():
                    entry = RollEntry.objects.create(
                        poll=locked,
                        participant=participant,
                        weight=weight,
                        choice="" if locked.secret else choice,
                    )
            except IntegrityError:
                raise _already_voted(participant) from None
            Ballot.objects.bulk_create(
                [Ballot(poll=locked, choice=choice) for _unit in range(weight)]
            )
            details: dict[str, Any] = {"participant": participant.number, "weight": weight}
            if not locked.secret:
                details["choice"] = choice
            audit.record(
                actor=actor,
                verb="poll.vote",
                subject=locked,
                organisation=assembly.owner_id,
                details=details,
            )
    except _Refusal as refusal:
        raise _refuse(
            assembly=assembly,
            reason=refusal.reason,
            message=refusal.message,
            actor=actor,
            poll=poll,
            participant=refusal.participant,
            field="choice",
        ) from None
    transaction.on_commit(lambda: queries_voting.forget_projector_version(assembly.pk))
    return entry


def _already_voted(participant: Participant) -> _Refusal:
    return _Refusal(
        RefusalReason.ALREADY_VOTED,
        _("You have already voted in this vote: each delegate votes once."),
        participant,
    )


def _members_weight(assembly: Assembly, weighted: bool) -> int:
    members = queries.voting_members(assembly)
    if weighted:
        return int(members.aggregate(total=Sum("vote_weight"))["total"] or 0)
    return members.count()


def _finish_poll(actor: AnyUser | None, poll: Poll, check: QuorumCheck) -> None:
    """Fill in the close: quorum, verdict, rule and basis (the counts are already set)."""
    poll.status = PollStatus.CLOSED
    poll.closed_at = timezone.now()
    poll.members_at_close = check.members
    poll.present_at_close = check.present
    poll.quorum_at_close = check.needed
    poll.members_weight = _members_weight(poll.assembly, poll.weighted)
    poll.verdict_rule = poll.rule
    if not check.reached:
        poll.verdict = Verdict.NO_QUORUM
    elif decide(poll.rule, yes=poll.yes, no=poll.no, members_weight=poll.members_weight):
        poll.verdict = Verdict.ADOPTED
    else:
        poll.verdict = Verdict.REJECTED
    poll.legal_basis = basis_text(poll)
    poll.save()


def poll_close(*, actor: AnyUser | None, poll: Poll) -> Poll:
    """Close an electronic poll: count the ballots, check the quorum again, store the
    verdict with the rule and its basis, and settle the motion. A poll that closes without
    quorum is void (and the loss of quorum is recorded as a refusal)."""
    assembly = poll.assembly
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    with transaction.atomic():
        locked = Poll.objects.select_for_update().select_related("assembly").get(pk=poll.pk)
        if locked.status != PollStatus.OPEN:
            message = _("Only an open poll can be closed.")
            raise DomainError(message, code="not_open", fields={"__all__": [message]})
        if locked.mode == PollMode.PAPER:
            message = _("A paper poll is closed by entering the tellers' results.")
            raise DomainError(message, code="paper", fields={"__all__": [message]})
        counts = dict(
            Ballot.objects.filter(poll=locked)
            .order_by()
            .values_list("choice")
            .annotate(n=Count("id"))
        )
        locked.yes = int(counts.get(Choice.YES, 0))
        locked.no = int(counts.get(Choice.NO, 0))
        locked.abstain = int(counts.get(Choice.ABSTAIN, 0))
        locked.voters = RollEntry.objects.filter(poll=locked).count()
        check = _quorum(assembly)
        _finish_poll(actor, locked, check)
        if locked.secret:
            _shuffle_poll(locked)
        _settle_motion(actor, locked)
        assembly_touch(assembly)
        audit.record(
            actor=actor,
            verb="poll.close",
            subject=locked,
            organisation=assembly.owner_id,
            details={
                "yes": locked.yes,
                "no": locked.no,
                "abstain": locked.abstain,
                "verdict": locked.verdict,
                "rule": locked.verdict_rule,
            },
        )
        if locked.verdict == Verdict.NO_QUORUM:
            _refuse(
                assembly=assembly,
                reason=RefusalReason.NO_QUORUM,
                message=_no_quorum_message(check),
                actor=actor,
                poll=locked,
            )
    if locked.secret:
        _delete_stored_answers(f"/{assembly.slug}/polls/{locked.number}/cast")
    return locked


def poll_record_paper(
    *,
    actor: AnyUser | None,
    poll: Poll,
    yes: int,
    no: int,
    abstain: int,
    voters: int | None = None,
    tellers: str = "",
) -> Poll:
    """The tellers' totals of a paper poll (open): the poll closes with its verdict."""
    assembly = poll.assembly
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    yes, no, abstain = _count(yes, "yes"), _count(no, "no"), _count(abstain, "abstain")
    tellers = clean_text(tellers, "tellers", limit=300)
    with transaction.atomic():
        locked = Poll.objects.select_for_update().select_related("assembly").get(pk=poll.pk)
        if locked.mode != PollMode.PAPER:
            message = _("Only a paper poll takes the tellers' results.")
            raise DomainError(message, code="not_paper", fields={"__all__": [message]})
        if locked.status != PollStatus.OPEN:
            message = _("Open the poll before entering the tellers' results.")
            raise DomainError(message, code="not_open", fields={"__all__": [message]})
        check = _quorum(assembly)
        members_weight = _members_weight(assembly, locked.weighted)
        total = yes + no + abstain
        if total > members_weight:
            message = _(
                "The tellers counted %(total)s votes, more than the %(members)s votes of all "
                "voting members."
            ) % {"total": total, "members": members_weight}
            raise DomainError(message, code="too_many", fields={"yes": [message]})
        if voters is not None:
            voters = _count(voters, "voters")
            if voters > check.members:
                message = _("More delegates voted than there are voting members.")
                raise DomainError(message, fields={"voters": [message]})
        locked.yes, locked.no, locked.abstain = yes, no, abstain
        locked.voters = voters if voters is not None else total
        locked.tellers = tellers
        _finish_poll(actor, locked, check)
        _settle_motion(actor, locked)
        assembly_touch(assembly)
        audit.record(
            actor=actor,
            verb="poll.paper_results",
            subject=locked,
            organisation=assembly.owner_id,
            details={
                "yes": yes,
                "no": no,
                "abstain": abstain,
                "tellers": tellers,
                "verdict": locked.verdict,
            },
        )
        if locked.verdict == Verdict.NO_QUORUM:
            _refuse(
                assembly=assembly,
                reason=RefusalReason.NO_QUORUM,
                message=_no_quorum_message(check),
                actor=actor,
                poll=locked,
            )
    return locked


def poll_cancel(*, actor: AnyUser | None, poll: Poll, reason: str) -> Poll:
    """Cancel a poll that is not closed (its ballots are kept, never counted)."""
    assembly = poll.assembly
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    reason = clean_text(reason, "reason", limit=300)
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if locked.status not in (PollStatus.DRAFT, PollStatus.OPEN):
            message = _("A closed poll cannot be cancelled.")
            raise DomainError(message, code="closed", fields={"__all__": [message]})
        locked.status = PollStatus.CANCELLED
        locked.closed_at = timezone.now()
        locked.legal_basis = reason
        locked.save()
        if locked.secret:
            _shuffle_poll(locked)
        assembly_touch(assembly)
        audit.record(
            actor=actor,
            verb="poll.cancel",
            subject=locked,
            organisation=assembly.owner_id,
            details={"reason": reason},
        )
    return locked


def _shuffle_poll(poll: Poll) -> None:
    """Rewrite a secret poll's ballots in random order and its roll in participant order,
    so that the order rows were stored in says nothing about who voted what."""
    choices = list(Ballot.objects.filter(poll=poll).values_list("choice", flat=True))
    _random.shuffle(choices)
    Ballot.objects.filter(poll=poll).delete()
    Ballot.objects.bulk_create([Ballot(poll=poll, choice=c) for c in choices])
    roll = list(
        RollEntry.objects.filter(poll=poll)
        .order_by("participant__number")
        .values_list("participant_id", "weight")
    )
    RollEntry.objects.filter(poll=poll).delete()
    RollEntry.objects.bulk_create(
        [RollEntry(poll=poll, participant_id=pid, weight=w) for pid, w in roll]
    )


def _motion_to_vote(actor: AnyUser | None, poll: Poll) -> None:
    """When a poll on a motion opens, the motion is put to the vote (state `voted`)."""
    from comuna.assemblies import actions as core_actions

    motion = Motion.objects.select_related("state").get(pk=int(poll.motion_id or 0))
    _require_votable(motion)
    if motion.state.code != "voted":
        core_actions.motion_transition(
            actor=actor, motion=motion, state_code="voted", note=poll.title[:500]
        )


def _settle_motion(actor: AnyUser | None, poll: Poll) -> None:
    """Carry the verdict over: the motion becomes adopted or rejected, an amendment accepted
    or rejected, the minutes approved. A void poll (no quorum) changes nothing."""
    if poll.verdict == Verdict.NO_QUORUM:
        return
    from comuna.assemblies import actions as core_actions
    from comuna.assemblies.models import AmendmentStatus, Minutes, MinutesStatus

    adopted = poll.verdict == Verdict.ADOPTED
    basis = _("Poll %(number)s: %(verdict)s. %(basis)s") % {
        "number": poll.number,
        "verdict": Verdict(poll.verdict).label,
        "basis": poll.legal_basis,
    }
    if poll.amendment_id is not None:
        amendment = Amendment.objects.get(pk=poll.amendment_id)
        if amendment.status == AmendmentStatus.SUBMITTED:
            core_actions.amendment_decide(
                actor=actor,
                amendment=amendment,
                status=AmendmentStatus.ACCEPTED if adopted else AmendmentStatus.REJECTED,
                note=basis[:300],
            )
        return
    if poll.decision_type == DecisionType.MINUTES and adopted:
        minutes = Minutes.objects.filter(assembly_id=poll.assembly_id).first()
        if minutes is not None and minutes.status == MinutesStatus.DRAFT:
            core_actions.minutes_approve(actor=actor, minutes=minutes, basis=basis[:300])
    if poll.motion_id is None:
        return
    motion = Motion.objects.select_related("state").get(pk=poll.motion_id)
    target = "adopted" if adopted else "rejected"
    if motion.state.code == target or motion.state.is_final:
        return
    if motion.state.code != "voted" and "voted" in (motion.state.next_codes or []):
        motion = core_actions.motion_transition(
            actor=actor, motion=motion, state_code="voted", note=poll.title[:500]
        )
    core_actions.motion_transition(actor=actor, motion=motion, state_code=target, note=basis[:500])


# Elections ------------------------------------------------------------------------------------


def election_create(
    *,
    actor: AnyUser | None,
    assembly: Assembly,
    title: str,
    method: str,
    seats: int,
    min_women: int = 0,
    min_men: int = 0,
    mode: str = PollMode.ELECTRONIC,
) -> Election:
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    title = clean_text(title, "title", limit=300)
    clean_choice(method, ElectionMethod.values, "method")
    clean_choice(mode, PollMode.values, "mode")
    if isinstance(seats, bool) or not isinstance(seats, int) or not 1 <= seats <= MAX_SEATS:
        message = _("Give a number of seats from 1 to %(limit)s.") % {"limit": MAX_SEATS}
        raise DomainError(message, fields={"seats": [message]})
    min_women, min_men = _count(min_women, "min_women"), _count(min_men, "min_men")
    if min_women + min_men > seats:
        message = _("The minimums of women and men add up to more than the seats.")
        raise DomainError(message, fields={"min_women": [message]})
    with transaction.atomic():
        locked = _lock_assembly(assembly)
        _assembly_open(locked)
        election = Election.objects.create(
            assembly=locked,
            number=_next_number(Election, locked),
            title=title,
            method=method,
            seats=seats,
            min_women=min_women,
            min_men=min_men,
            mode=mode,
            created_by_id=actor_id(actor),
        )
        assembly_touch(locked)
        audit.record(
            actor=actor,
            verb="election.create",
            subject=election,
            organisation=assembly.owner_id,
            details={"method": method, "seats": seats},
        )
    return election


def candidate_add(
    *,
    actor: AnyUser | None,
    election: Election,
    participant: Participant | None = None,
    name: str = "",
    gender: str = "",
    organisation: str = "",
) -> Candidate:
    """A candidate: a participant of the assembly, or a name (with a gender for the quota)."""
    assembly = election.assembly
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    if participant is not None:
        if participant.assembly_id != assembly.pk:
            message = _("The candidate is not a participant of this assembly.")
            raise DomainError(message, fields={"participant": [message]})
        name = name.strip() or participant.name
        gender = gender or participant.gender
        if not organisation:
            organisation = (
                participant.organisation.name
                if participant.organisation_id and participant.organisation
                else participant.affiliation
            )
    name = clean_text(name, "name", limit=200)
    if gender:
        clean_choice(gender, [str(v) for v in ParticipantGender.values if v], "gender")
    organisation = clean_text(organisation, "organisation", limit=200, required=False)
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        if locked.status != PollStatus.DRAFT:
            message = _("Candidates are added before the election opens.")
            raise DomainError(message, code="not_draft", fields={"__all__": [message]})
        existing = Candidate.objects.filter(election=locked)
        if existing.count() >= MAX_CANDIDATES:
            message = _("At most %(limit)s candidates.") % {"limit": MAX_CANDIDATES}
            raise DomainError(message, fields={"name": [message]})
        if existing.filter(name=name).exists():
            message = _("“%(name)s” is already a candidate.") % {"name": name}
            raise DomainError(message, fields={"name": [message]})
        top = existing.aggregate(top=Max("position"))["top"]
        candidate = Candidate.objects.create(
            election=locked,
            position=int(top or 0) + 1,
            participant=participant,
            name=name,
            gender=gender,
            organisation=organisation,
        )
        assembly_touch(assembly)
        audit.record(
            actor=actor,
            verb="election.candidate",
            subject=locked,
            organisation=assembly.owner_id,
            details={"candidate": name},
        )
    return candidate


def _quota_check(election: Election, candidates: list[Candidate]) -> None:
    women = sum(1 for c in candidates if c.gender == ParticipantGender.FEMALE)
    men = sum(1 for c in candidates if c.gender == ParticipantGender.MALE)
    if women < election.min_women or men < election.min_men:
        message = _(
            "The gender quota asks for at least %(women)s women and %(men)s men, but the "
            "candidates are %(have_women)s women and %(have_men)s men."
        ) % {
            "women": election.min_women,
            "men": election.min_men,
            "have_women": women,
            "have_men": men,
        }
        raise DomainError(message, code="quota", fields={"min_women": [message]})


def election_open(*, actor: AnyUser | None, election: Election) -> Election:
    assembly = election.assembly
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    try:
        with transaction.atomic():
            locked = Election.objects.select_for_update().get(pk=election.pk)
            if locked.status != PollStatus.DRAFT:
                message = _("Only an election that is not open yet can be opened.")
                raise DomainError(message, code="not_draft", fields={"__all__": [message]})
            _assembly_open(assembly)
            candidates = list(Candidate.objects.filter(election=locked))
            if not candidates:
                message = _("Add the candidates before opening the election.")
                raise DomainError(message, code="no_candidates", fields={"__all__": [message]})
            _quota_check(locked, candidates)
            check = _quorum(assembly)
            if not check.reached:
                raise _Refusal(RefusalReason.NO_QUORUM, _no_quorum_message(check))
            _mark_open(actor, locked, assembly, check, verb="election.open")
    except _Refusal as refusal:
        raise _refuse(
            assembly=assembly,
            reason=refusal.reason,
            message=refusal.message,
            actor=actor,
            election=election,
        ) from None
    return locked


def clean_ranking(election: Election, ranking: Sequence[Sequence[int]]) -> list[list[int]]:
    """Check a ballot given as preference levels of candidate ids (best first).

    Approval takes one level (the approved candidates). STV takes one candidate per level
    (a shared preference would stop the paper there, so it is refused instead). Schulze
    allows candidates ranked equal. An empty ballot is a blank vote."""
    valid = set(Candidate.objects.filter(election=election).values_list("pk", flat=True))
    seen: set[int] = set()
    levels: list[list[int]] = []
    for level in ranking:
        ids: list[int] = []
        for value in level:
            if isinstance(value, bool) or not isinstance(value, int) or value not in valid:
                message = _("The ballot names a candidate who is not standing.")
                raise DomainError(message, code="bad_ballot", fields={"ranking": [message]})
            if value in seen:
                message = _("The ballot names a candidate more than once.")
                raise DomainError(message, code="bad_ballot", fields={"ranking": [message]})
            seen.add(value)
            ids.append(value)
        if ids:
            levels.append(sorted(ids))
    if election.method == ElectionMethod.APPROVAL:
        return [sorted(seen)] if seen else []
    if election.method == ElectionMethod.STV and any(len(level) > 1 for level in levels):
        message = _("In this election give each candidate a different number.")
        raise DomainError(message, code="bad_ballot", fields={"ranking": [message]})
    return levels


def ballot_cast(
    *, actor: AnyUser | None, election: Election, ranking: Sequence[Sequence[int]]
) -> ElectionRoll:
    """The signed-in delegate's ballot: the roll says who voted, the ballot what."""
    assembly = election.assembly
    _require_visible(actor, assembly)
    participant = queries.own_participant(actor, assembly)
    try:
        with transaction.atomic():
            locked = _for_vote(Election, election.pk)
            refusal = _status_refusal(locked.status, locked.mode, participant) or _eligibility(
                participant
            )
            if refusal is not None:
                raise refusal
            assert participant is not None  # noqa: S101 - checked by _eligibility
            if ElectionRoll.objects.filter(election=locked, participant=participant).exists():
                raise _already_voted(participant)
            levels = clean_ranking(locked, ranking)
            try:
                with transaction.atomic():
                    entry = ElectionRoll.objects.create(election=locked, participant=participant)
            except IntegrityError:
                raise _already_voted(participant) from None
            ElectionBallot.objects.create(election=locked, ranking=levels)
            audit.record(
                actor=actor,
                verb="election.vote",
                subject=locked,
                organisation=assembly.owner_id,
                details={"participant": participant.number},
            )
    except _Refusal as refusal:
        raise _refuse(
            assembly=assembly,
            reason=refusal.reason,
            message=refusal.message,
            actor=actor,
            election=election,
            participant=refusal.participant,
            field="ranking",
        ) from None
    transaction.on_commit(lambda: queries_voting.forget_projector_version(assembly.pk))
    return entry


def paper_ballot_enter(
    *,
    actor: AnyUser | None,
    election: Election,
    ranking: Sequence[Sequence[int]],
    copies: int = 1,
) -> Election:
    """Tellers enter paper ballots of a paper election (identical papers at once)."""
    assembly = election.assembly
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    if isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= 1000:
        message = _("Give a number of identical papers from 1 to 1000.")
        raise DomainError(message, fields={"copies": [message]})
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        if locked.mode != PollMode.PAPER:
            message = _("Only a paper election takes ballots from the tellers.")
            raise DomainError(message, code="not_paper", fields={"__all__": [message]})
        if locked.status != PollStatus.OPEN:
            message = _("Open the election before entering paper ballots.")
            raise DomainError(message, code="not_open", fields={"__all__": [message]})
        levels = clean_ranking(locked, ranking)
        members = queries.voting_members(assembly).count()
        if locked.paper_ballots + copies > members:
            message = _(
                "There would be more paper ballots than the %(members)s voting members."
            ) % {"members": members}
            raise DomainError(message, code="too_many", fields={"copies": [message]})
        ElectionBallot.objects.bulk_create(
            [ElectionBallot(election=locked, ranking=levels) for _copy in range(copies)]
        )
        locked.paper_ballots += copies
        locked.save(update_fields=["paper_ballots"])
        assembly_touch(assembly)
        audit.record(
            actor=actor,
            verb="election.paper_ballot",
            subject=locked,
            organisation=assembly.owner_id,
            details={"copies": copies},
        )
    return locked


def count_election(election: Election) -> tally.TallyResult:
    """Count the stored ballots with the tally engine (gender quota as group minimums)."""
    candidates = list(Candidate.objects.filter(election=election).order_by("position"))
    names = {c.pk: c.name for c in candidates}
    rankings = [
        [[names[pk] for pk in level] for level in ranking]
        for ranking in ElectionBallot.objects.filter(election=election).values_list(
            "ranking", flat=True
        )
    ]
    engine_election = tally.Election.from_rankings(
        [c.name for c in candidates], election.seats, rankings, title=election.title
    )
    constraints = None
    minimum = {
        group: n
        for group, n in (
            (ParticipantGender.FEMALE.value, election.min_women),
            (ParticipantGender.MALE.value, election.min_men),
        )
        if n
    }
    if minimum:
        constraints = tally.Constraints.from_mappings(
            {c.name: c.gender for c in candidates if c.gender}, minimum
        )
    return tally.count(engine_election, election.method, constraints=constraints)  # type: ignore[arg-type]


def election_close(*, actor: AnyUser | None, election: Election, tellers: str = "") -> Election:
    """Close the election and count it with the tally engine; without quorum it is void."""
    assembly = election.assembly
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    tellers = clean_text(tellers, "tellers", limit=300, required=False)
    with transaction.atomic():
        locked = Election.objects.select_for_update().select_related("assembly").get(pk=election.pk)
        if locked.status != PollStatus.OPEN:
            message = _("Only an open election can be closed.")
            raise DomainError(message, code="not_open", fields={"__all__": [message]})
        if locked.mode == PollMode.PAPER and not tellers:
            message = _("Name the tellers who counted the paper ballots.")
            raise DomainError(message, fields={"tellers": [message]})
        check = _quorum(assembly)
        locked.status = PollStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.members_at_close = check.members
        locked.present_at_close = check.present
        locked.quorum_at_close = check.needed
        locked.voters = ElectionRoll.objects.filter(election=locked).count()
        locked.tellers = tellers
        if not check.reached:
            locked.verdict = Verdict.NO_QUORUM
            locked.winners = []
            locked.result = {}
            locked.legal_basis = _(
                "Void: the presence quorum was lost. %(present)s of %(voting)s voting "
                "members were present at the close and %(needed)s were needed."
            ) % {"present": check.present, "voting": check.members, "needed": check.needed}
        else:
            try:
                result = count_election(locked)
            except tally.TallyError as exc:
                message = _("The ballots could not be counted: %(reason)s") % {"reason": exc}
                raise DomainError(message, code="count_failed") from exc
            locked.verdict = Verdict.COUNTED
            locked.winners = list(result.winners)
            locked.result = tally.result_to_json(result)
            locked.legal_basis = election_basis(locked, check)
        locked.save()
        _shuffle_election(locked)
        assembly_touch(assembly)
        audit.record(
            actor=actor,
            verb="election.close",
            subject=locked,
            organisation=assembly.owner_id,
            details={"winners": locked.winners, "verdict": locked.verdict},
        )
        if locked.verdict == Verdict.NO_QUORUM:
            _refuse(
                assembly=assembly,
                reason=RefusalReason.NO_QUORUM,
                message=_no_quorum_message(check),
                actor=actor,
                election=locked,
            )
    _delete_stored_answers(f"/{assembly.slug}/elections/{locked.number}/ballot")
    return locked


def election_basis(election: Election, check: QuorumCheck) -> str:
    if election.method == ElectionMethod.STV:
        method = _(
            "Single transferable vote under the Scottish rules (Scottish Local Government "
            "Elections Order 2007, rules 45 to 52): Droop quota, weighted inclusive Gregory "
            "transfers to five decimal places."
        )
    elif election.method == ElectionMethod.SCHULZE:
        method = _("Schulze method (beatpath, strengths by winning votes).")
    else:
        method = _("Approval voting: the candidates with the most approvals are elected.")
    parts = [
        method,
        ngettext("%(count)s seat.", "%(count)s seats.", election.seats) % {"count": election.seats},
    ]
    if election.min_women or election.min_men:
        parts.append(
            _("Gender quota: at least %(women)s women and %(men)s men.")
            % {"women": election.min_women, "men": election.min_men}
        )
    parts.append(
        _("Quorum: %(present)s of %(voting)s voting members present (%(needed)s needed).")
        % {"present": check.present, "voting": check.members, "needed": check.needed}
    )
    return " ".join(str(p) for p in parts)


def election_cancel(*, actor: AnyUser | None, election: Election, reason: str) -> Election:
    assembly = election.assembly
    _require_visible(actor, assembly)
    _require_run(actor, assembly)
    reason = clean_text(reason, "reason", limit=300)
    with transaction.atomic():
        locked = Election.objects.select_for_update().get(pk=election.pk)
        if locked.status not in (PollStatus.DRAFT, PollStatus.OPEN):
            message = _("A closed election cannot be cancelled.")
            raise DomainError(message, code="closed", fields={"__all__": [message]})
        locked.status = PollStatus.CANCELLED
        locked.closed_at = timezone.now()
        locked.legal_basis = reason
        locked.save()
        _shuffle_election(locked)
        assembly_touch(assembly)
        audit.record(
            actor=actor,
            verb="election.cancel",
            subject=locked,
            organisation=assembly.owner_id,
            details={"reason": reason},
        )
    return locked


def _shuffle_election(election: Election) -> None:
    rankings = list(
        ElectionBallot.objects.filter(election=election).values_list("ranking", flat=True)
    )
    _random.shuffle(rankings)
    ElectionBallot.objects.filter(election=election).delete()
    ElectionBallot.objects.bulk_create(
        [ElectionBallot(election=election, ranking=r) for r in rankings]
    )
    roll = list(
        ElectionRoll.objects.filter(election=election)
        .order_by("participant__number")
        .values_list("participant_id", flat=True)
    )
    ElectionRoll.objects.filter(election=election).delete()
    ElectionRoll.objects.bulk_create(
        [ElectionRoll(election=election, participant_id=pid) for pid in roll]
    )
