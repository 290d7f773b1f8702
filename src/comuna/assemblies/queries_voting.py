"""Reads of polls and elections, already scoped: whoever sees the assembly sees its polls,
elections, results and rolls (who voted); what a delegate voted is shown for named polls
only. Refused votes are for the people who run the assembly.

`projector_results` feeds the projector (asmcore's page renders
`assemblies/voting/_projector_results.html` with it) and `poll_summaries` the minutes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from comuna.assemblies import queries
from comuna.assemblies.models import Assembly, Participant
from comuna.assemblies.models_voting import (
    Ballot,
    Candidate,
    Choice,
    Election,
    ElectionMethod,
    ElectionRoll,
    MajorityRule,
    Poll,
    PollMode,
    PollStatus,
    RollEntry,
    Verdict,
    VoteRefusal,
)

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

SHOWN = (PollStatus.OPEN, PollStatus.CLOSED)


# Polls ----------------------------------------------------------------------------------------


def polls(assembly: Assembly, *, status: str = "") -> QuerySet[Poll]:
    qs = Poll.objects.filter(assembly=assembly).select_related("motion", "amendment")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("number")


def poll_get(*, assembly: Assembly, number: int) -> Poll:
    poll = (
        Poll.objects.select_related("assembly", "assembly__owner", "motion", "amendment")
        .filter(assembly=assembly, number=number)
        .first()
    )
    if poll is None:
        raise Http404
    return poll


def roll(poll: Poll) -> QuerySet[RollEntry]:
    """Who voted (and, for named polls, what), by participant number."""
    return (
        RollEntry.objects.filter(poll=poll)
        .select_related("participant", "participant__organisation")
        .order_by("participant__number", "id")
    )


def ballot_counts(poll: Poll) -> dict[str, int]:
    """Live counts from the ballots (one query)."""
    rows = Ballot.objects.filter(poll=poll).order_by().values_list("choice").annotate(n=Count("id"))
    counts = dict.fromkeys(Choice.values, 0)
    counts.update({choice: int(n) for choice, n in rows})
    return counts


def refusals(assembly: Assembly) -> QuerySet[VoteRefusal]:
    return (
        VoteRefusal.objects.filter(assembly=assembly)
        .select_related("poll", "election", "participant")
        .order_by("-at", "-id")
    )


def rule_explained(rule: str) -> str:
    if rule == MajorityRule.SIMPLE:
        return _("Adopted with more yes than no; abstentions are not votes cast.")
    if rule == MajorityRule.ABSOLUTE:
        return _(
            "Adopted with more yes than half of the votes of all voting members, present or not."
        )
    return _("Adopted when yes are at least two thirds of yes and no; abstentions do not count.")


# Elections ------------------------------------------------------------------------------------


def elections(assembly: Assembly, *, status: str = "") -> QuerySet[Election]:
    qs = Election.objects.filter(assembly=assembly).annotate(
        candidate_count=Count("candidates", distinct=True)
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("number")


def election_get(*, assembly: Assembly, number: int) -> Election:
    election = (
        Election.objects.select_related("assembly", "assembly__owner")
        .filter(assembly=assembly, number=number)
        .first()
    )
    if election is None:
        raise Http404
    return election


def candidates(election: Election) -> list[Candidate]:
    return list(Candidate.objects.filter(election=election).order_by("position"))


def election_roll(election: Election) -> QuerySet[ElectionRoll]:
    return (
        ElectionRoll.objects.filter(election=election)
        .select_related("participant", "participant__organisation")
        .order_by("participant__number", "id")
    )


def method_explained(method: str) -> str:
    if method == ElectionMethod.STV:
        return _(
            "Single transferable vote under the Scottish rules (Scottish Local Government "
            "Elections Order 2007, rules 45 to 52): number the candidates in your order of "
            "preference, 1 for your first choice. The quota is the Droop quota; surpluses pass "
            "on by the weighted inclusive Gregory method, to five decimal places."
        )
    if method == ElectionMethod.SCHULZE:
        return _(
            "Schulze method: number the candidates in your order of preference, 1 for your "
            "first choice; you may give two candidates the same number. Every pair of "
            "candidates is compared and the strongest paths decide the ranking."
        )
    return _(
        "Approval voting: mark every candidate you approve of; the candidates with the most "
        "approvals are elected."
    )


@dataclass(frozen=True)
class RoundRow:
    stage: int
    kind: str
    subject: str
    votes: list[str]  # in candidate order
    elected: str
    excluded: str
    exhausted: str


@dataclass(frozen=True)
class ElectionResult:
    method: str
    winners: list[str]
    names: list[str]
    scores: list[tuple[str, str]]  # (name, figure) for approval and Schulze
    ranking: list[str]
    quota: int | None
    valid: int
    invalid: int
    rounds: list[RoundRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def election_result(election: Election) -> ElectionResult | None:
    """The stored count, shaped for the page (None before the count)."""
    data: dict[str, Any] = election.result or {}
    if not data:
        return None
    names = [str(n) for n in data.get("candidates", [])]
    rounds = []
    for r in data.get("rounds", []):
        votes = r.get("votes", {})
        rounds.append(
            RoundRow(
                stage=int(r.get("stage", 0)),
                kind=_round_kind(str(r.get("kind", ""))),
                subject=", ".join(r.get("candidates", [])),
                votes=[_trim(votes.get(name, "")) for name in names],
                elected=", ".join(r.get("elected", [])),
                excluded=", ".join(r.get("excluded", [])),
                exhausted=_trim(str(r.get("exhausted", ""))),
            )
        )
    if data.get("method") == "schulze":
        scores = [(name, str(n)) for name, n in (data.get("beats") or {}).items()]
    else:
        scores = [(name, str(n)) for name, n in (data.get("scores") or {}).items()]
    return ElectionResult(
        method=str(data.get("method", "")),
        winners=[str(w) for w in data.get("winners", [])],
        names=names,
        scores=scores,
        ranking=[str(n) for n in data.get("ranking", [])],
        quota=data.get("quota"),
        valid=int(data.get("valid_ballots", 0)),
        invalid=int(data.get("invalid_ballots", 0)),
        rounds=rounds,
        notes=[str(n) for n in data.get("notes", [])],
    )


def _round_kind(kind: str) -> str:
    if kind == "first_preferences":
        return _("First preferences")
    if kind == "surplus":
        return _("Surplus transferred")
    if kind == "exclusion":
        return _("Exclusion")
    if kind == "quota_exclusion":
        return _("Excluded to meet the quota")
    return kind


def _trim(value: str) -> str:
    """ "12.50000" -> "12.5", "12.00000" -> "12"."""
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value


# The delegate's ballot page ----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenVotes:
    participant: Participant | None
    polls: list[tuple[Poll, bool]]  # (poll, already voted)
    elections: list[tuple[Election, bool]]


def open_votes(user: AnyUser | None, assembly: Assembly) -> OpenVotes:
    """The open polls and elections, and whether the signed-in participant voted in each
    (three queries)."""
    participant = queries.own_participant(user, assembly)
    pid = participant.pk if participant is not None else 0
    poll_rows = (
        Poll.objects.filter(assembly=assembly, status=PollStatus.OPEN)
        .select_related("motion")
        .annotate(voted=Exists(RollEntry.objects.filter(poll=OuterRef("pk"), participant_id=pid)))
        .order_by("-opened_at", "-number")
    )
    election_rows = (
        Election.objects.filter(assembly=assembly, status=PollStatus.OPEN)
        .annotate(
            voted=Exists(ElectionRoll.objects.filter(election=OuterRef("pk"), participant_id=pid))
        )
        .order_by("-opened_at", "-number")
    )
    return OpenVotes(
        participant=participant,
        polls=[(p, bool(p.voted)) for p in poll_rows[:20]],
        elections=[(e, bool(e.voted)) for e in election_rows[:20]],
    )


def has_voted(poll: Poll, participant: Participant | None) -> bool:
    if participant is None:
        return False
    return RollEntry.objects.filter(poll=poll, participant=participant).exists()


def has_voted_election(election: Election, participant: Participant | None) -> bool:
    if participant is None:
        return False
    return ElectionRoll.objects.filter(election=election, participant=participant).exists()


# For the projector and the minutes ---------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: int


@dataclass(frozen=True)
class ProjectorResults:
    """What the big screen shows of the current (or last closed) poll or election."""

    kind: str  # "poll" or "election"
    number: int
    title: str
    is_open: bool
    secret: bool
    paper: bool
    voters: int
    members: int
    present: int
    rule: str
    bars: list[Bar]
    verdict: str
    verdict_code: str
    basis: str
    winners: list[str]


def _bars(counts: list[tuple[str, int]]) -> list[Bar]:
    total = sum(value for _label, value in counts) or 1
    return [Bar(label, value, round(100 * value / total)) for label, value in counts]


def _latest(assembly: Assembly) -> Poll | Election | None:
    """The open poll or election opened last, or else the one closed last (two queries)."""
    shown = Q(status=PollStatus.OPEN) | Q(status=PollStatus.CLOSED)
    poll = (
        Poll.objects.filter(shown, assembly=assembly)
        .select_related("motion")
        .order_by("-status", "-closed_at", "-opened_at", "-number")  # "open" > "closed"
        .first()
    )
    election = (
        Election.objects.filter(shown, assembly=assembly)
        .order_by("-status", "-closed_at", "-opened_at", "-number")
        .first()
    )
    found: list[Poll | Election] = [x for x in (poll, election) if x is not None]
    if not found:
        return None

    def key(x: Poll | Election) -> tuple[int, datetime]:
        moment = (x.opened_at if x.status == PollStatus.OPEN else x.closed_at) or x.created_at
        return (1 if x.status == PollStatus.OPEN else 0, moment)

    return max(found, key=key)


#: Seconds a process keeps the number of votes for the projector's ETag: hundreds of screens
#: polling cost one count a second, and a vote makes its own process count again at once.
PROJECTOR_VERSION_SECONDS = 1


def _projector_version_key(assembly_id: int) -> str:
    return f"assemblies:projector-votes:{assembly_id}"


def forget_projector_version(assembly_id: int) -> None:
    """Called when a vote is committed: this process counts again on the next poll (others
    within PROJECTOR_VERSION_SECONDS)."""
    cache.delete(_projector_version_key(assembly_id))


def projector_version(assembly: Assembly) -> str:
    """Part of the projector's ETag: votes do not bump the assembly's version, so the number
    of votes in the open polls and elections is added to it (one query, at most once a
    second in each process)."""
    key = _projector_version_key(assembly.pk)
    found = cache.get(key)
    if found is None:
        found = _count_votes(assembly)
        cache.set(key, found, PROJECTOR_VERSION_SECONDS)
    return str(found)


def _count_votes(assembly: Assembly) -> str:
    polls = (
        RollEntry.objects.filter(poll__assembly_id=OuterRef("pk"), poll__status=PollStatus.OPEN)
        .order_by()
        .values("poll__assembly_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    elections = (
        ElectionRoll.objects.filter(
            election__assembly_id=OuterRef("pk"), election__status=PollStatus.OPEN
        )
        .order_by()
        .values("election__assembly_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    row = (
        Assembly.objects.filter(pk=assembly.pk)
        .annotate(p=Subquery(polls), e=Subquery(elections))
        .values_list("p", "e")
        .first()
    )
    return f"{row[0] or 0}.{row[1] or 0}" if row else "0.0"


def projector_results(assembly: Assembly) -> ProjectorResults | None:
    """The current poll or election (live turnout; live counts for a named poll), or the
    last one closed with its result; None when there has been none."""
    latest = _latest(assembly)
    if latest is None:
        return None
    quorum = queries.quorum(assembly)
    is_open = latest.status == PollStatus.OPEN
    if isinstance(latest, Poll):
        counts: dict[str, int] | None
        if is_open:
            voters = RollEntry.objects.filter(poll=latest).count()
            live = not latest.secret and latest.mode == PollMode.ELECTRONIC
            counts = ballot_counts(latest) if live else None
        else:
            voters = latest.voters
            counts = {"yes": latest.yes, "no": latest.no, "abstain": latest.abstain}
        poll_bars = (
            _bars([(str(Choice(c).label), counts[c]) for c in Choice.values])
            if counts is not None
            else []
        )
        return ProjectorResults(
            kind="poll",
            number=latest.number,
            title=latest.title,
            is_open=is_open,
            secret=latest.secret,
            paper=latest.mode == PollMode.PAPER,
            voters=voters,
            members=quorum.members,
            present=quorum.present,
            rule=str(MajorityRule(latest.rule).label),
            bars=poll_bars,
            verdict=str(Verdict(latest.verdict).label) if latest.verdict else "",
            verdict_code=latest.verdict,
            basis=latest.legal_basis,
            winners=[],
        )
    voters = (
        ElectionRoll.objects.filter(election=latest).count() + latest.paper_ballots
        if is_open
        else latest.voters + latest.paper_ballots
    )
    result = election_result(latest) if not is_open else None
    bars: list[Bar] = []
    if result is not None and result.method in ("approval", "schulze"):
        bars = _bars([(name, int(value)) for name, value in result.scores])
    elif result is not None and result.rounds:
        first = (latest.result.get("rounds") or [{}])[0].get("votes", {})
        bars = _bars([(name, int(float(v))) for name, v in first.items()])
    return ProjectorResults(
        kind="election",
        number=latest.number,
        title=latest.title,
        is_open=is_open,
        secret=True,
        paper=latest.mode == PollMode.PAPER,
        voters=voters,
        members=quorum.members,
        present=quorum.present,
        rule=str(ElectionMethod(latest.method).label),
        bars=bars,
        verdict=str(Verdict(latest.verdict).label) if latest.verdict else "",
        verdict_code=latest.verdict,
        basis=latest.legal_basis,
        winners=list(latest.winners or []),
    )


@dataclass(frozen=True)
class PollSummary:
    """One vote for the minutes: title, rule, counts, verdict and legal basis."""

    kind: str  # "poll" or "election"
    number: int
    title: str
    motion: str
    rule: str
    counts: dict[str, int | str]
    verdict: str
    basis: str
    secret: bool
    closed_at: datetime | None


def poll_summaries(assembly: Assembly) -> list[PollSummary]:
    """Every closed poll and election of the assembly, in the order they closed (two
    queries)."""
    out: list[PollSummary] = []
    for poll in polls(assembly, status=PollStatus.CLOSED):
        motion = f"{poll.motion.number} {poll.motion.title}" if poll.motion else ""
        out.append(
            PollSummary(
                kind="poll",
                number=poll.number,
                title=poll.title,
                motion=motion,
                rule=str(MajorityRule(poll.verdict_rule or poll.rule).label),
                counts={
                    str(Choice.YES.label): poll.yes,
                    str(Choice.NO.label): poll.no,
                    str(Choice.ABSTAIN.label): poll.abstain,
                },
                verdict=str(Verdict(poll.verdict).label),
                basis=poll.legal_basis,
                secret=poll.secret,
                closed_at=poll.closed_at,
            )
        )
    for election in elections(assembly, status=PollStatus.CLOSED):
        counts: dict[str, int | str] = {
            _("Ballots"): election.voters + election.paper_ballots,
            _("Elected"): ", ".join(election.winners or []) or "—",
        }
        out.append(
            PollSummary(
                kind="election",
                number=election.number,
                title=election.title,
                motion="",
                rule=str(ElectionMethod(election.method).label),
                counts=counts,
                verdict=str(Verdict(election.verdict).label),
                basis=election.legal_basis,
                secret=True,
                closed_at=election.closed_at,
            )
        )
    out.sort(key=lambda s: (s.closed_at is None, s.closed_at or datetime.min.replace(tzinfo=UTC)))
    return out


def motion_results(motion: Any) -> str:
    """The closed polls on a motion (and its amendments) in one line, for its page."""
    template = _(
        "Poll %(number)s (%(title)s): %(verdict)s, %(yes)s yes, %(no)s no, %(abstain)s abstentions."
    )
    closed = Poll.objects.filter(motion=motion, status=PollStatus.CLOSED).order_by("number")
    return " ".join(
        template
        % {
            "number": poll.number,
            "title": poll.title,
            "verdict": Verdict(poll.verdict).label,
            "yes": poll.yes,
            "no": poll.no,
            "abstain": poll.abstain,
        }
        for poll in closed
    )
