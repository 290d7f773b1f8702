"""The voting part of the assemblies demo (called by demo.load, after the assembly, its
delegates and motions exist, before the declaration is drafted).

On the 2018 assembly (`asamblea-nacional-2018`), through the actions, as its coordinator:

- poll 1: the amendment still open on the production motion (M-001), on paper, simple
  majority: accepted, so the motion's paragraph changes;
- poll 2: the production motion as amended, adopted with quorum (paper, counted by tellers);
- polls 3 to 5: three more motions (two adopted, one by secret ballot; one rejected);
- poll 6: the sixth motion, electronic and named, left ready to open, so that a replay can
  open it and vote from a phone (`maizal-vocera` and `maizal-miembro` are delegates);
- election 1: the national spokespeople of the network, five seats by STV (Scottish rules)
  with at least two women, 240 paper ballots entered by the tellers and counted by the tally
  engine, rounds and all.

Running it again changes nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING, Protocol

from django.contrib.auth.models import User
from django.db import transaction

from comuna.assemblies import actions_voting, queries
from comuna.assemblies.models import Amendment, Assembly, Participant

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

SLUG = "asamblea-nacional-2018"
SEED = 20180826
TELLERS = "Yajaira Mendoza, Pedro Colmenárez y Luisa Escalona"
PAPER_BALLOTS = 240


class Writer(Protocol):
    def write(self, text: str) -> object: ...


def load(stdout: Writer) -> None:
    """Load this part's demo data; running it again changes nothing."""
    assembly = Assembly.objects.filter(slug=SLUG).first()
    if assembly is None:
        stdout.write("The 2018 assembly is not loaded: no polls or election.\n")
        return
    if assembly.polls.exists() or assembly.elections.exists():
        stdout.write("The votes of the 2018 assembly are already loaded: nothing to do.\n")
        return
    actor: AnyUser | None = User.objects.filter(username="maizal-coordinador").first()
    with transaction.atomic():
        polls = _polls(assembly, actor)
        winners = _election(assembly, actor)
    stdout.write(
        f"Votes of {SLUG}: {polls} polls closed, 1 ready to open; election of the national "
        f"spokespeople by STV: {', '.join(winners)}.\n"
    )


def _paper_poll(
    assembly: Assembly,
    actor: AnyUser | None,
    *,
    title: str,
    yes: int,
    no: int,
    abstain: int,
    secret: bool = False,
    **target: object,
) -> None:
    poll = actions_voting.poll_create(
        actor=actor,
        assembly=assembly,
        title=title,
        decision_type="ordinary",
        mode="paper",
        secret=secret,
        **target,  # type: ignore[arg-type]
    )
    actions_voting.poll_open(actor=actor, poll=poll)
    actions_voting.poll_record_paper(
        actor=actor, poll=poll, yes=yes, no=no, abstain=abstain, tellers=TELLERS
    )


def _polls(assembly: Assembly, actor: AnyUser | None) -> int:
    present = queries.quorum(assembly).present
    debated = list(queries.motions(assembly, state="debated"))
    closed = 0
    if not debated:
        return closed
    production = debated[0]
    amendment = (
        Amendment.objects.filter(motion=production, status="submitted").order_by("number").first()
    )
    if amendment is not None:
        _paper_poll(
            assembly,
            actor,
            title=f"Enmienda {amendment.number} a la propuesta {production.number}",
            amendment=amendment,
            yes=present * 70 // 100,
            no=present * 18 // 100,
            abstain=present * 8 // 100,
        )
        closed += 1
    _paper_poll(
        assembly,
        actor,
        title=f"Propuesta {production.number} con sus enmiendas",
        motion=production,
        yes=present * 85 // 100,
        no=present * 5 // 100,
        abstain=present * 6 // 100,
    )
    closed += 1
    plans = [
        # (share yes, share no, share abstain, secret)
        (78, 10, 8, False),
        (66, 20, 10, True),
        (35, 52, 9, False),
    ]
    for motion, (yes, no, abstain, secret) in zip(debated[1:4], plans, strict=False):
        _paper_poll(
            assembly,
            actor,
            title=f"Propuesta {motion.number}: {motion.title}"[:300],
            motion=motion,
            yes=present * yes // 100,
            no=present * no // 100,
            abstain=present * abstain // 100,
            secret=secret,
        )
        closed += 1
    if len(debated) > 4:
        motion = debated[4]
        actions_voting.poll_create(
            actor=actor,
            assembly=assembly,
            title=f"Propuesta {motion.number}: {motion.title}"[:300],
            decision_type="ordinary",
            motion=motion,
        )
    return closed


def _election(assembly: Assembly, actor: AnyUser | None) -> list[str]:
    rng = random.Random(SEED)  # noqa: S311 - invented data, not secrets
    election = actions_voting.election_create(
        actor=actor,
        assembly=assembly,
        title="Vocería nacional de la red de comunas",
        method="stv",
        seats=5,
        min_women=2,
        mode="paper",
    )
    delegates = list(
        queries.voting_members(assembly)
        .filter(present=True)
        .select_related("organisation")
        .order_by("number")
    )
    women = [p for p in delegates if p.gender == "female"]
    men = [p for p in delegates if p.gender == "male"]
    chosen: list[Participant] = rng.sample(women, min(4, len(women))) + rng.sample(
        men, min(5, len(men))
    )
    chosen.sort(key=lambda p: p.number)
    candidates = [
        actions_voting.candidate_add(actor=actor, election=election, participant=p) for p in chosen
    ]
    if len(candidates) < 2:
        return []
    actions_voting.election_open(actor=actor, election=election)
    # Popularity: a few strong candidates, men slightly ahead on first preferences, so that
    # the quota for women matters.
    weights = [rng.uniform(0.5, 3.0) * (1.15 if c.gender == "male" else 1.0) for c in candidates]
    papers: Counter[tuple[int, ...]] = Counter()
    papers_total = min(PAPER_BALLOTS, queries.voting_members(assembly).count())
    for _paper in range(papers_total):
        length = rng.choice([1, 2, 3, 3, 4, 5])
        pool = list(range(len(candidates)))
        ranking: list[int] = []
        for _place in range(length):
            pick = rng.choices(pool, weights=[weights[i] for i in pool])[0]
            ranking.append(pick)
            pool.remove(pick)
        papers[tuple(ranking)] += 1
    for order, copies in sorted(papers.items()):
        actions_voting.paper_ballot_enter(
            actor=actor,
            election=election,
            ranking=[[candidates[i].pk] for i in order],
            copies=copies,
        )
    closed = actions_voting.election_close(actor=actor, election=election, tellers=TELLERS)
    return list(closed.winners)
