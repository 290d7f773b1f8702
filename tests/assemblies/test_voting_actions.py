"""Polls: majority rules, quorum at the opening and at the close, named and secret ballots,
weights, paper results, refusals (each clear and recorded), and the motion settled by the
verdict.

The gathering (tests/assemblies/conftest.py): voting members alice, carol and ernesto; alice
and ernesto checked in; quorum one half (2 of 3); bob runs the assembly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from comuna.assemblies import actions, actions_voting, queries_voting
from comuna.assemblies.models import Motion, Participant
from comuna.assemblies.models_voting import (
    Ballot,
    MajorityRule,
    Poll,
    RefusalReason,
    RollEntry,
    Verdict,
    VoteRefusal,
)
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import AuditEvent
from tests.assemblies.conftest import Gathering, person_of


def new_poll(g: Gathering, **kwargs: object) -> Poll:
    options: dict[str, object] = {"title": "¿Aprobamos el plan?", "decision_type": "ordinary"}
    options.update(kwargs)
    return actions_voting.poll_create(actor=g.net.bob, assembly=g.assembly, **options)  # type: ignore[arg-type]


def open_poll(g: Gathering, **kwargs: object) -> Poll:
    return actions_voting.poll_open(actor=g.net.bob, poll=new_poll(g, **kwargs))


def check_in(g: Gathering, participant: Participant) -> None:
    actions.participant_check_in(actor=g.net.bob, assembly=g.assembly, code=participant.number)


def admitted_motion(g: Gathering) -> Motion:
    motion = actions.motion_create(
        actor=g.net.bob,
        assembly=g.assembly,
        title="Plan de siembra",
        text="Sembrar maíz en el ciclo de lluvias.\n\nCompartir la semilla entre comunas.",
        origin=g.net.maizal,
    )
    return actions.motion_transition(actor=g.net.bob, motion=motion, state_code="admitted")


# Majority rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "yes", "no", "members", "adopted"),
    [
        (MajorityRule.SIMPLE, 5, 4, 100, True),
        (MajorityRule.SIMPLE, 4, 4, 100, False),  # a tie is not a majority
        (MajorityRule.ABSOLUTE, 50, 0, 100, False),  # half is not more than half
        (MajorityRule.ABSOLUTE, 51, 40, 100, True),
        (MajorityRule.TWO_THIRDS, 20, 10, 100, True),  # exactly two thirds of yes + no
        (MajorityRule.TWO_THIRDS, 19, 10, 100, False),
        (MajorityRule.TWO_THIRDS, 0, 0, 100, False),
    ],
)
def test_majority_rules_decide_as_documented(
    rule: str, yes: int, no: int, members: int, adopted: bool
) -> None:
    assert actions_voting.decide(rule, yes=yes, no=no, members_weight=members) is adopted


def test_each_decision_type_takes_its_rule(gathering: Gathering) -> None:
    assert new_poll(gathering).rule == MajorityRule.SIMPLE
    assert new_poll(gathering, decision_type="declaration").rule == MajorityRule.ABSOLUTE
    assert new_poll(gathering, decision_type="rules").rule == MajorityRule.TWO_THIRDS
    assert [p.number for p in Poll.objects.filter(assembly=gathering.assembly)] == [1, 2, 3]


# Opening, casting, closing ---------------------------------------------------------------------


def test_a_named_poll_is_counted_and_the_verdict_stored_with_its_rule(
    gathering: Gathering,
) -> None:
    poll = open_poll(gathering)
    assert (poll.present_at_open, poll.members_at_open, poll.quorum_at_open) == (2, 3, 2)
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    actions_voting.vote_cast(actor=gathering.net.ernesto, poll=poll, choice="abstain")
    closed = actions_voting.poll_close(actor=gathering.net.bob, poll=poll)
    assert (closed.yes, closed.no, closed.abstain, closed.voters) == (1, 0, 1, 2)
    assert closed.verdict == Verdict.ADOPTED
    assert closed.verdict_rule == MajorityRule.SIMPLE
    assert "1 yes, 0 no, 1 abstentions" in closed.legal_basis or "1 sí" in closed.legal_basis
    named = {e.participant.number: e.choice for e in queries_voting.roll(closed)}
    assert named == {gathering.alice.number: "yes", gathering.ernesto.number: "abstain"}


def test_absolute_majority_counts_absent_members(gathering: Gathering) -> None:
    # 3 voting members: 1 yes of 2 present is not more than half of 3.
    poll = open_poll(gathering, decision_type="declaration")
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    actions_voting.vote_cast(actor=gathering.net.ernesto, poll=poll, choice="abstain")
    closed = actions_voting.poll_close(actor=gathering.net.bob, poll=poll)
    assert closed.members_weight == 3
    assert closed.verdict == Verdict.REJECTED


def test_weights_count_in_a_weighted_poll(gathering: Gathering) -> None:
    Participant.objects.filter(pk=gathering.ernesto.pk).update(vote_weight=3)
    poll = open_poll(gathering, weighted=True)
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    actions_voting.vote_cast(actor=gathering.net.ernesto, poll=poll, choice="no")
    closed = actions_voting.poll_close(actor=gathering.net.bob, poll=poll)
    assert (closed.yes, closed.no, closed.voters, closed.members_weight) == (1, 3, 2, 5)
    assert closed.verdict == Verdict.REJECTED
    assert RollEntry.objects.get(poll=closed, participant=gathering.ernesto).weight == 3


def test_opening_without_quorum_is_refused_and_recorded(gathering: Gathering) -> None:
    actions.participant_check_out(actor=gathering.net.bob, participant=gathering.ernesto)
    poll = new_poll(gathering)
    with pytest.raises(DomainError) as refused:
        actions_voting.poll_open(actor=gathering.net.bob, poll=poll)
    assert refused.value.code == RefusalReason.NO_QUORUM
    assert "1 of 3" in refused.value.message or "1 de 3" in refused.value.message
    poll.refresh_from_db()
    assert poll.status == "draft"
    assert VoteRefusal.objects.filter(poll=poll, reason=RefusalReason.NO_QUORUM).count() == 1


def test_a_poll_that_loses_its_quorum_before_the_close_is_void(gathering: Gathering) -> None:
    poll = open_poll(gathering)
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    actions.participant_check_out(actor=gathering.net.bob, participant=gathering.ernesto)
    closed = actions_voting.poll_close(actor=gathering.net.bob, poll=poll)
    assert closed.verdict == Verdict.NO_QUORUM
    assert (closed.present_at_close, closed.quorum_at_close) == (1, 2)
    assert "quorum" in closed.legal_basis.lower() or "quórum" in closed.legal_basis.lower()
    assert VoteRefusal.objects.filter(poll=poll, reason=RefusalReason.NO_QUORUM).exists()


# Refusals -----------------------------------------------------------------------------------------


def refused(g: Gathering, user: object, poll: Poll, reason: str, choice: str = "yes") -> str:
    before = VoteRefusal.objects.filter(reason=reason).count()
    with pytest.raises(DomainError) as caught:
        actions_voting.vote_cast(actor=user, poll=poll, choice=choice)  # type: ignore[arg-type]
    assert caught.value.code == reason
    assert caught.value.fields == {"choice": [caught.value.message]}
    assert VoteRefusal.objects.filter(reason=reason).count() == before + 1
    return caught.value.message


def test_a_second_vote_is_refused_and_recorded(gathering: Gathering) -> None:
    poll = open_poll(gathering)
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    message = refused(gathering, gathering.net.alice, poll, RefusalReason.ALREADY_VOTED, "no")
    assert "once" in message or "sola vez" in message
    assert Ballot.objects.filter(poll=poll).count() == 1
    refusal = VoteRefusal.objects.get(reason=RefusalReason.ALREADY_VOTED)
    assert refusal.participant == gathering.alice
    assert refusal.user == gathering.net.alice


def test_the_database_refuses_a_second_roll_entry(gathering: Gathering) -> None:
    poll = open_poll(gathering)
    RollEntry.objects.create(poll=poll, participant=gathering.alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        RollEntry.objects.create(poll=poll, participant=gathering.alice)


def test_a_vote_after_the_close_is_refused(gathering: Gathering) -> None:
    poll = open_poll(gathering)
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    actions_voting.poll_close(actor=gathering.net.bob, poll=poll)
    message = refused(gathering, gathering.net.ernesto, poll, RefusalReason.CLOSED)
    assert "closed" in message or "cerrad" in message


def test_a_vote_before_the_opening_is_refused(gathering: Gathering) -> None:
    refused(gathering, gathering.net.alice, new_poll(gathering), RefusalReason.NOT_OPEN)


def test_a_guest_has_no_vote(gathering: Gathering) -> None:
    oscar = gathering.net.oscar
    guest = actions.participant_add(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        kind="guest",
        person=person_of(oscar),
    )
    check_in(gathering, guest)
    refused(gathering, oscar, open_poll(gathering), RefusalReason.NO_VOTE)


def test_an_expired_mandate_cannot_vote(gathering: Gathering) -> None:
    poll = open_poll(gathering)
    yesterday = timezone.localdate() - timedelta(days=1)
    Participant.objects.filter(pk=gathering.alice.pk).update(mandate_valid_until=yesterday)
    message = refused(gathering, gathering.net.alice, poll, RefusalReason.MANDATE_EXPIRED)
    assert yesterday.strftime("%d/%m/%Y") in message


def test_a_delegate_not_checked_in_cannot_vote(gathering: Gathering) -> None:
    refused(gathering, gathering.net.carol, open_poll(gathering), RefusalReason.NOT_PRESENT)


def test_someone_outside_the_assembly_cannot_vote(gathering: Gathering) -> None:
    refused(gathering, gathering.net.dora, open_poll(gathering), RefusalReason.NOT_PARTICIPANT)


def test_a_paper_poll_takes_no_electronic_vote(gathering: Gathering) -> None:
    refused(gathering, gathering.net.alice, open_poll(gathering, mode="paper"), RefusalReason.PAPER)


def test_an_unknown_choice_is_refused_naming_the_field(gathering: Gathering) -> None:
    with pytest.raises(DomainError) as caught:
        actions_voting.vote_cast(actor=gathering.net.alice, poll=open_poll(gathering), choice="si")
    assert "choice" in caught.value.fields


# Who runs it ----------------------------------------------------------------------------------


def test_only_who_runs_the_assembly_creates_opens_and_closes_polls(gathering: Gathering) -> None:
    with pytest.raises(PermissionDeniedError):
        actions_voting.poll_create(
            actor=gathering.net.alice,
            assembly=gathering.assembly,
            title="¿Sí?",
            decision_type="ordinary",
        )
    poll = new_poll(gathering)
    with pytest.raises(PermissionDeniedError):
        actions_voting.poll_open(actor=gathering.net.ernesto, poll=poll)


# Secret ballots -------------------------------------------------------------------------------


def test_a_secret_ballot_cannot_be_linked_to_its_voter(gathering: Gathering) -> None:
    poll = open_poll(gathering, secret=True)
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="no")
    actions_voting.vote_cast(actor=gathering.net.ernesto, poll=poll, choice="yes")
    # The roll says who voted, never what.
    assert set(RollEntry.objects.filter(poll=poll).values_list("choice", flat=True)) == {""}
    # The ballots say what, never who, when or in which order.
    ballot_fields = {f.name for f in Ballot._meta.get_fields()}
    assert ballot_fields == {"id", "poll", "choice"}
    assert Ballot._meta.pk.get_internal_type() == "UUIDField"  # type: ignore[union-attr]
    # The audit trail names the voter, not the choice.
    votes = AuditEvent.objects.filter(verb="poll.vote", subject_id=str(poll.pk))
    assert votes.count() == 2
    assert all("choice" not in event.details for event in votes)
    closed = actions_voting.poll_close(actor=gathering.net.bob, poll=poll)
    assert (closed.yes, closed.no) == (1, 1)
    assert sorted(Ballot.objects.filter(poll=poll).values_list("choice", flat=True)) == [
        "no",
        "yes",
    ]
    # After the close the roll is stored in participant order, not in the order of voting.
    numbers = [e.participant.number for e in RollEntry.objects.filter(poll=poll).order_by("id")]
    assert numbers == sorted(numbers)


def test_the_secret_poll_page_data_never_shows_choices(gathering: Gathering) -> None:
    poll = open_poll(gathering, secret=True)
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="no")
    entries = list(queries_voting.roll(poll))
    assert [e.choice for e in entries] == [""]


# Paper results --------------------------------------------------------------------------------


def test_tellers_enter_paper_results_and_the_poll_closes(gathering: Gathering) -> None:
    poll = open_poll(gathering, mode="paper")
    closed = actions_voting.poll_record_paper(
        actor=gathering.net.bob, poll=poll, yes=2, no=0, abstain=1, tellers="Ana y Luis"
    )
    assert closed.status == "closed"
    assert (closed.yes, closed.no, closed.abstain, closed.voters) == (2, 0, 1, 3)
    assert closed.verdict == Verdict.ADOPTED
    assert closed.tellers == "Ana y Luis"


def test_paper_results_above_the_members_are_refused(gathering: Gathering) -> None:
    poll = open_poll(gathering, mode="paper")
    with pytest.raises(DomainError) as caught:
        actions_voting.poll_record_paper(
            actor=gathering.net.bob, poll=poll, yes=3, no=1, abstain=0, tellers="Ana"
        )
    assert "yes" in caught.value.fields
    with pytest.raises(DomainError) as negative:
        actions_voting.poll_record_paper(
            actor=gathering.net.bob, poll=poll, yes=-1, no=1, abstain=0, tellers="Ana"
        )
    assert "yes" in negative.value.fields


# Motions, amendments, minutes ------------------------------------------------------------------


def test_a_poll_on_a_motion_puts_it_to_the_vote_and_adopts_it(gathering: Gathering) -> None:
    motion = admitted_motion(gathering)
    poll = open_poll(gathering, motion=motion)
    motion.refresh_from_db()
    assert motion.state.code == "voted"
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    actions_voting.poll_close(actor=gathering.net.bob, poll=poll)
    motion.refresh_from_db()
    assert motion.state.code == "adopted"
    assert motion.events.last().note.startswith("Poll 1") or motion.events.last().note.startswith(  # type: ignore[union-attr]
        "Votación 1"
    )


def test_a_draft_motion_cannot_be_put_to_the_vote(gathering: Gathering) -> None:
    motion = actions.motion_create(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        title="Borrador",
        text="Texto.",
        origin=gathering.net.maizal,
    )
    with pytest.raises(DomainError) as caught:
        new_poll(gathering, motion=motion)
    assert "motion" in caught.value.fields


def test_an_amendment_adopted_by_vote_changes_the_motion(gathering: Gathering) -> None:
    motion = admitted_motion(gathering)
    amendment = actions.amendment_propose(
        actor=gathering.net.bob,
        motion=motion,
        paragraph=2,
        proposed="Compartir la semilla entre todas las comunas del país.",
    )
    poll = open_poll(gathering, amendment=amendment, title="Enmienda 1")
    assert poll.decision_type == "amendment"
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    actions_voting.poll_close(actor=gathering.net.bob, poll=poll)
    motion.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.status == "accepted"
    assert "todas las comunas" in motion.text
