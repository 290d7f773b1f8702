"""API of the assemblies module: polls, elections and exports, under /api/v1/assemblies/.

Polls: list, detail, roll, create, open, close, cancel, the tellers' paper results, and the
delegate's vote (`POST .../polls/{number}/cast`, idempotent with an Idempotency-Key like every
POST; a second vote without the key is refused with 409 `already_voted`). Elections: list,
detail with the count (STV rounds, Schulze ranking), create, candidates, open, close, cancel,
the delegate's ballot and the tellers' paper ballots. `GET /{slug}/my-votes` lists what the
signed-in delegate may vote on now. `GET /{slug}/popolo` is the Popolo export.

(No `from __future__ import annotations` here: ninja reads the annotations at import time.)"""

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from comuna.assemblies import actions_voting, exports_voting, queries, queries_voting
from comuna.assemblies.models import Amendment, Assembly, Motion, Participant
from comuna.assemblies.models_voting import (
    Candidate,
    Election,
    Poll,
    PollStatus,
    RollEntry,
    VoteRefusal,
)
from comuna.core.auth import token_required
from comuna.core.errors import DomainError, PermissionDeniedError

router = Router()

ChoiceIn = Literal["yes", "no", "abstain"]


# Schemas --------------------------------------------------------------------------------------


class PollOut(Schema):
    number: int
    title: str
    motion: str | None = Field(None, description="Number of the motion voted on.")
    amendment: int | None = Field(None, description="Number of the amendment voted on.")
    decision_type: str
    rule: str = Field(..., description="simple, absolute or two_thirds.")
    secret: bool
    weighted: bool
    mode: str = Field(..., description="electronic or paper.")
    status: str = Field(..., description="draft, open, closed or cancelled.")
    opened_at: datetime | None
    closed_at: datetime | None
    verdict: str = Field(..., description="adopted, rejected or no_quorum (empty until closed).")


class CountsOut(Schema):
    yes: int
    no: int
    abstain: int
    voters: int


class QuorumOut(Schema):
    members: int
    present: int
    needed: int


class PollDetailOut(PollOut):
    rule_explained: str
    quorum_at_open: QuorumOut | None
    quorum_at_close: QuorumOut | None
    counts: CountsOut | None = Field(
        None, description="Once closed; while open, a named poll gives its live counts."
    )
    members_weight: int | None
    tellers: str
    verdict_rule: str
    legal_basis: str


class PollIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    decision_type: Literal["ordinary", "amendment", "minutes", "declaration", "rules", "recall"]
    motion: str | None = Field(None, description="Number of a motion before the assembly.")
    amendment: int | None = Field(None, description="Number of an amendment to that motion.")
    secret: bool = False
    weighted: bool = False
    mode: Literal["electronic", "paper"] = "electronic"


class CastIn(Schema):
    choice: ChoiceIn


class CastOut(Schema):
    poll: int
    voted: bool
    secret: bool
    weight: int


class PaperIn(Schema):
    yes: int = Field(..., ge=0)
    no: int = Field(..., ge=0)
    abstain: int = Field(..., ge=0)
    voters: int | None = Field(None, ge=0, description="Delegates who handed in a paper.")
    tellers: str = Field(..., min_length=1, max_length=300)


class CancelIn(Schema):
    reason: str = Field(..., min_length=1, max_length=300)


class RollOut(Schema):
    number: str
    name: str
    organisation: str | None
    weight: int
    choice: str | None = Field(None, description="Named polls only.")


class CandidateOut(Schema):
    id: int
    position: int
    name: str
    gender: str
    organisation: str


class RoundOut(Schema):
    stage: int
    kind: str
    candidates: list[str]
    votes: dict[str, str]
    elected: list[str]
    excluded: list[str]
    exhausted: str


class ElectionOut(Schema):
    number: int
    title: str
    method: str = Field(..., description="approval, schulze or stv (Scottish rules).")
    seats: int
    min_women: int
    min_men: int
    mode: str
    status: str
    opened_at: datetime | None
    closed_at: datetime | None
    winners: list[str]


class ElectionDetailOut(ElectionOut):
    method_explained: str
    candidates: list[CandidateOut]
    voters: int
    paper_ballots: int
    verdict: str
    legal_basis: str
    ranking: list[str] = Field(default_factory=list, description="Schulze: best first.")
    quota: int | None = None
    rounds: list[RoundOut] = Field(default_factory=list, description="STV stages.")
    count: dict[str, Any] = Field(default_factory=dict, description="The engine's full count.")


class ElectionIn(Schema):
    title: str = Field(..., min_length=1, max_length=300)
    method: Literal["approval", "schulze", "stv"]
    seats: int = Field(1, ge=1, le=100)
    min_women: int = Field(0, ge=0)
    min_men: int = Field(0, ge=0)
    mode: Literal["electronic", "paper"] = "electronic"


class CandidateIn(Schema):
    participant: str | None = Field(None, description="Participant number.")
    name: str = Field("", max_length=200)
    gender: Literal["", "female", "male", "other"] = ""
    organisation: str = Field("", max_length=200)


class BallotIn(Schema):
    ranking: list[int | list[int]] = Field(
        ...,
        description="Candidate ids, best first; a list groups candidates ranked equal "
        "(Schulze only). Approval: the approved candidates. Empty: a blank ballot.",
        max_length=100,
    )


class PaperBallotIn(BallotIn):
    copies: int = Field(1, ge=1, le=1000, description="Identical paper ballots.")


class CloseIn(Schema):
    tellers: str = Field("", max_length=300, description="Required for a paper election.")


class BallotOut(Schema):
    election: int
    voted: bool


class OpenPollOut(Schema):
    number: int
    title: str
    secret: bool
    voted: bool


class OpenElectionOut(Schema):
    number: int
    title: str
    method: str
    voted: bool


class MyVotesOut(Schema):
    participant: str | None
    may_vote: bool
    polls: list[OpenPollOut]
    elections: list[OpenElectionOut]


class RefusalOut(Schema):
    at: datetime
    reason: str
    message: str
    poll: int | None
    election: int | None
    participant: str | None


# Helpers --------------------------------------------------------------------------------------


class MappedPage:
    """A queryset for ninja's paginator: counted in SQL, only the slice read."""

    def __init__(self, qs: Any, convert: Callable[[Any], dict[str, Any]]) -> None:
        self.qs = qs
        self.convert = convert

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        return [self.convert(item) for item in self.qs[index]]


def _assembly(request: HttpRequest, slug: str) -> Assembly:
    return queries.assembly_get(user=request.user, slug=slug)


def poll_out(p: Poll) -> dict[str, Any]:
    return {
        "number": p.number,
        "title": p.title,
        "motion": p.motion.number if p.motion_id and p.motion else None,
        "amendment": p.amendment.number if p.amendment_id and p.amendment else None,
        "decision_type": p.decision_type,
        "rule": p.rule,
        "secret": p.secret,
        "weighted": p.weighted,
        "mode": p.mode,
        "status": p.status,
        "opened_at": p.opened_at,
        "closed_at": p.closed_at,
        "verdict": p.verdict,
    }


def poll_detail(p: Poll) -> dict[str, Any]:
    closed = p.status == PollStatus.CLOSED
    counts = None
    if closed:
        counts = {"yes": p.yes, "no": p.no, "abstain": p.abstain, "voters": p.voters}
    elif p.status == PollStatus.OPEN and not p.secret and p.mode == "electronic":
        live = queries_voting.ballot_counts(p)
        counts = {**live, "voters": RollEntry.objects.filter(poll=p).count()}
    return {
        **poll_out(p),
        "rule_explained": queries_voting.rule_explained(p.rule),
        "quorum_at_open": (
            {"members": p.members_at_open, "present": p.present_at_open, "needed": p.quorum_at_open}
            if p.opened_at
            else None
        ),
        "quorum_at_close": (
            {
                "members": p.members_at_close,
                "present": p.present_at_close,
                "needed": p.quorum_at_close,
            }
            if closed
            else None
        ),
        "counts": counts,
        "members_weight": p.members_weight if closed else None,
        "tellers": p.tellers,
        "verdict_rule": p.verdict_rule,
        "legal_basis": p.legal_basis,
    }


def _poll(request: HttpRequest, slug: str, number: int) -> Poll:
    return queries_voting.poll_get(assembly=_assembly(request, slug), number=number)


def _motion(assembly: Assembly, number: str | None) -> Motion | None:
    if not number:
        return None
    motion = Motion.objects.filter(assembly=assembly, number=number).first()
    if motion is None:
        message = _("No motion of this assembly has the number “%(number)s”.") % {"number": number}
        raise DomainError(message, fields={"motion": [message]})
    return motion


def _amendment(motion: Motion | None, number: int | None) -> Amendment | None:
    if number is None:
        return None
    found = Amendment.objects.filter(motion=motion, number=number).first() if motion else None
    if found is None:
        message = _("Give the motion and the number of one of its amendments.")
        raise DomainError(message, fields={"amendment": [message]})
    return found


def _participant(assembly: Assembly, number: str | None) -> Participant | None:
    if not number:
        return None
    found = Participant.objects.filter(assembly=assembly, number__iexact=number).first()
    if found is None:
        message = _("No participant has the number “%(number)s”.") % {"number": number}
        raise DomainError(message, fields={"participant": [message]})
    return found


def election_out(e: Election) -> dict[str, Any]:
    return {
        "number": e.number,
        "title": e.title,
        "method": e.method,
        "seats": e.seats,
        "min_women": e.min_women,
        "min_men": e.min_men,
        "mode": e.mode,
        "status": e.status,
        "opened_at": e.opened_at,
        "closed_at": e.closed_at,
        "winners": list(e.winners or []),
    }


def candidate_out(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.pk,
        "position": c.position,
        "name": c.name,
        "gender": c.gender,
        "organisation": c.organisation,
    }


def election_detail(e: Election) -> dict[str, Any]:
    data: dict[str, Any] = e.result or {}
    return {
        **election_out(e),
        "method_explained": queries_voting.method_explained(e.method),
        "candidates": [candidate_out(c) for c in queries_voting.candidates(e)],
        "voters": e.voters if e.status == PollStatus.CLOSED else e.roll.count(),
        "paper_ballots": e.paper_ballots,
        "verdict": e.verdict,
        "legal_basis": e.legal_basis,
        "ranking": list(data.get("ranking", [])) if e.method == "schulze" else [],
        "quota": data.get("quota"),
        "rounds": [
            {
                "stage": r["stage"],
                "kind": r["kind"],
                "candidates": r["candidates"],
                "votes": r["votes"],
                "elected": r["elected"],
                "excluded": r["excluded"],
                "exhausted": r["exhausted"],
            }
            for r in data.get("rounds", [])
        ],
        "count": data,
    }


def _election(request: HttpRequest, slug: str, number: int) -> Election:
    return queries_voting.election_get(assembly=_assembly(request, slug), number=number)


def _levels(ranking: list[int | list[int]]) -> list[list[int]]:
    return [[item] if isinstance(item, int) else list(item) for item in ranking]


# Polls ----------------------------------------------------------------------------------------


@router.get("/{slug}/polls", response=list[PollOut], summary="Polls of an assembly")
@paginate(PageNumberPagination)
def poll_list(request: HttpRequest, slug: str) -> Any:
    return MappedPage(queries_voting.polls(_assembly(request, slug)), poll_out)


@router.post(
    "/{slug}/polls",
    response={201: PollDetailOut},
    auth=token_required,
    summary="Create a poll (who runs the assembly)",
)
def poll_create(request: HttpRequest, slug: str, payload: PollIn) -> Status[dict[str, Any]]:
    assembly = _assembly(request, slug)
    motion = _motion(assembly, payload.motion)
    poll = actions_voting.poll_create(
        actor=request.user,
        assembly=assembly,
        title=payload.title,
        decision_type=payload.decision_type,
        motion=motion,
        amendment=_amendment(motion, payload.amendment),
        secret=payload.secret,
        weighted=payload.weighted,
        mode=payload.mode,
    )
    return Status(201, poll_detail(poll))


@router.get("/{slug}/polls/{number}", response=PollDetailOut, summary="A poll and its result")
def poll_get(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    return poll_detail(_poll(request, slug, number))


@router.get(
    "/{slug}/polls/{number}/roll",
    response=list[RollOut],
    summary="Who voted (and what, for named polls)",
)
@paginate(PageNumberPagination)
def poll_roll(request: HttpRequest, slug: str, number: int) -> Any:
    poll = _poll(request, slug, number)

    def convert(e: RollEntry) -> dict[str, Any]:
        p = e.participant
        return {
            "number": p.number,
            "name": p.name,
            "organisation": p.organisation.slug if p.organisation else p.affiliation or None,
            "weight": e.weight,
            "choice": None if poll.secret else e.choice,
        }

    return MappedPage(queries_voting.roll(poll), convert)


@router.post("/{slug}/polls/{number}/open", response=PollDetailOut, auth=token_required)
def poll_open(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    poll = actions_voting.poll_open(actor=request.user, poll=_poll(request, slug, number))
    return poll_detail(poll)


@router.post("/{slug}/polls/{number}/close", response=PollDetailOut, auth=token_required)
def poll_close(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    poll = actions_voting.poll_close(actor=request.user, poll=_poll(request, slug, number))
    return poll_detail(poll)


@router.post("/{slug}/polls/{number}/cancel", response=PollDetailOut, auth=token_required)
def poll_cancel(request: HttpRequest, slug: str, number: int, payload: CancelIn) -> dict[str, Any]:
    poll = actions_voting.poll_cancel(
        actor=request.user, poll=_poll(request, slug, number), reason=payload.reason
    )
    return poll_detail(poll)


@router.post(
    "/{slug}/polls/{number}/paper-results",
    response=PollDetailOut,
    auth=token_required,
    summary="The tellers' totals of a paper poll (closes it)",
)
def poll_paper(request: HttpRequest, slug: str, number: int, payload: PaperIn) -> dict[str, Any]:
    poll = actions_voting.poll_record_paper(
        actor=request.user,
        poll=_poll(request, slug, number),
        yes=payload.yes,
        no=payload.no,
        abstain=payload.abstain,
        voters=payload.voters,
        tellers=payload.tellers,
    )
    return poll_detail(poll)


@router.post(
    "/{slug}/polls/{number}/cast",
    response={201: CastOut},
    auth=token_required,
    summary="Vote (the signed-in delegate, once)",
)
def poll_cast(request: HttpRequest, slug: str, number: int, payload: CastIn) -> Status[Any]:
    poll = _poll(request, slug, number)
    entry = actions_voting.vote_cast(actor=request.user, poll=poll, choice=payload.choice)
    return Status(
        201, {"poll": poll.number, "voted": True, "secret": poll.secret, "weight": entry.weight}
    )


@router.get(
    "/{slug}/my-votes",
    response=MyVotesOut,
    auth=token_required,
    summary="What the signed-in delegate may vote on now",
)
def my_votes(request: HttpRequest, slug: str) -> dict[str, Any]:
    assembly = _assembly(request, slug)
    found = queries_voting.open_votes(request.user, assembly)
    return {
        "participant": found.participant.number if found.participant else None,
        "may_vote": queries.may_vote(found.participant),
        "polls": [
            {"number": p.number, "title": p.title, "secret": p.secret, "voted": voted}
            for p, voted in found.polls
        ],
        "elections": [
            {"number": e.number, "title": e.title, "method": e.method, "voted": voted}
            for e, voted in found.elections
        ],
    }


@router.get(
    "/{slug}/refusals",
    response=list[RefusalOut],
    summary="Refused votes and openings (who runs the assembly)",
)
@paginate(PageNumberPagination)
def refusal_list(request: HttpRequest, slug: str) -> Any:
    assembly = _assembly(request, slug)
    if not queries.can_run(request.user, assembly):
        raise PermissionDeniedError(_("Only the people who run this assembly may do this."))

    def convert(r: VoteRefusal) -> dict[str, Any]:
        return {
            "at": r.at,
            "reason": r.reason,
            "message": r.message,
            "poll": r.poll.number if r.poll else None,
            "election": r.election.number if r.election else None,
            "participant": r.participant.number if r.participant else None,
        }

    return MappedPage(queries_voting.refusals(assembly), convert)


# Elections ------------------------------------------------------------------------------------


@router.get("/{slug}/elections", response=list[ElectionOut], summary="Elections of an assembly")
@paginate(PageNumberPagination)
def election_list(request: HttpRequest, slug: str) -> Any:
    return MappedPage(queries_voting.elections(_assembly(request, slug)), election_out)


@router.post(
    "/{slug}/elections",
    response={201: ElectionDetailOut},
    auth=token_required,
    summary="Create an election (who runs the assembly)",
)
def election_create(request: HttpRequest, slug: str, payload: ElectionIn) -> Status[dict[str, Any]]:
    election = actions_voting.election_create(
        actor=request.user,
        assembly=_assembly(request, slug),
        title=payload.title,
        method=payload.method,
        seats=payload.seats,
        min_women=payload.min_women,
        min_men=payload.min_men,
        mode=payload.mode,
    )
    return Status(201, election_detail(election))


@router.get(
    "/{slug}/elections/{number}",
    response=ElectionDetailOut,
    summary="An election, its candidates and its count (STV rounds, Schulze ranking)",
)
def election_get(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    return election_detail(_election(request, slug, number))


@router.post(
    "/{slug}/elections/{number}/candidates",
    response={201: CandidateOut},
    auth=token_required,
)
def candidate_add(
    request: HttpRequest, slug: str, number: int, payload: CandidateIn
) -> Status[dict[str, Any]]:
    election = _election(request, slug, number)
    candidate = actions_voting.candidate_add(
        actor=request.user,
        election=election,
        participant=_participant(election.assembly, payload.participant),
        name=payload.name,
        gender=payload.gender,
        organisation=payload.organisation,
    )
    return Status(201, candidate_out(candidate))


@router.post("/{slug}/elections/{number}/open", response=ElectionDetailOut, auth=token_required)
def election_open(request: HttpRequest, slug: str, number: int) -> dict[str, Any]:
    election = actions_voting.election_open(
        actor=request.user, election=_election(request, slug, number)
    )
    return election_detail(election)


@router.post(
    "/{slug}/elections/{number}/close",
    response=ElectionDetailOut,
    auth=token_required,
    summary="Close and count the election",
)
def election_close(request: HttpRequest, slug: str, number: int, payload: CloseIn) -> Any:
    election = actions_voting.election_close(
        actor=request.user, election=_election(request, slug, number), tellers=payload.tellers
    )
    return election_detail(election)


@router.post("/{slug}/elections/{number}/cancel", response=ElectionDetailOut, auth=token_required)
def election_cancel(request: HttpRequest, slug: str, number: int, payload: CancelIn) -> Any:
    election = actions_voting.election_cancel(
        actor=request.user, election=_election(request, slug, number), reason=payload.reason
    )
    return election_detail(election)


@router.post(
    "/{slug}/elections/{number}/ballot",
    response={201: BallotOut},
    auth=token_required,
    summary="Cast the signed-in delegate's ballot (once)",
)
def election_ballot(request: HttpRequest, slug: str, number: int, payload: BallotIn) -> Any:
    election = _election(request, slug, number)
    actions_voting.ballot_cast(
        actor=request.user, election=election, ranking=_levels(payload.ranking)
    )
    return Status(201, {"election": election.number, "voted": True})


@router.post(
    "/{slug}/elections/{number}/paper-ballots",
    response={201: ElectionDetailOut},
    auth=token_required,
    summary="Tellers enter paper ballots",
)
def election_paper_ballots(
    request: HttpRequest, slug: str, number: int, payload: PaperBallotIn
) -> Any:
    election = actions_voting.paper_ballot_enter(
        actor=request.user,
        election=_election(request, slug, number),
        ranking=_levels(payload.ranking),
        copies=payload.copies,
    )
    return Status(201, election_detail(election))


# Exports --------------------------------------------------------------------------------------


@router.get(
    "/{slug}/popolo",
    response=dict[str, Any],
    summary="The assembly as Popolo JSON (no personal data)",
)
def popolo(request: HttpRequest, slug: str) -> dict[str, Any]:
    assembly = _assembly(request, slug)
    return exports_voting.popolo(assembly, base_url=request.build_absolute_uri("/").rstrip("/"))
