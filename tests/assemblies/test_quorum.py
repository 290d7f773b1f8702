"""Voting members, presence and quorum (the contract the polls build on)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from comuna.assemblies import actions, queries
from comuna.assemblies.models import Participant
from tests.assemblies.conftest import Gathering


def test_voting_members_are_delegates_with_accepted_credentials(gathering: Gathering) -> None:
    members = set(queries.voting_members(gathering.assembly))
    assert members == {gathering.alice, gathering.carol, gathering.ernesto}


def test_present_voters_are_the_checked_in_voting_members(gathering: Gathering) -> None:
    assert set(queries.present_voters(gathering.assembly)) == {gathering.alice, gathering.ernesto}


def test_a_guest_checked_in_is_present_but_not_a_voter(gathering: Gathering) -> None:
    assert gathering.guest.present
    assert gathering.guest not in queries.present_voters(gathering.assembly)


def test_an_expired_mandate_no_longer_counts(gathering: Gathering) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    Participant.objects.filter(pk=gathering.carol.pk).update(mandate_valid_until=yesterday)
    assert gathering.carol not in queries.voting_members(gathering.assembly)


def test_a_pending_credential_does_not_vote(gathering: Gathering) -> None:
    newcomer = actions.delegate_register(
        actor=gathering.net.bob, delegation=gathering.zamora_delegation, name="Pedro Pérez"
    )
    assert newcomer.credential_status == "pending"
    assert newcomer not in queries.voting_members(gathering.assembly)


def test_quorum_is_reached_with_half_the_members_present(gathering: Gathering) -> None:
    quorum = queries.quorum(gathering.assembly)
    assert (quorum.members, quorum.present, quorum.needed) == (3, 2, 2)
    assert quorum.reached


def test_quorum_is_lost_when_a_delegate_leaves(gathering: Gathering) -> None:
    actions.participant_check_out(actor=gathering.net.bob, participant=gathering.alice)
    quorum = queries.quorum(gathering.assembly)
    assert not quorum.reached
    assert quorum.missing == 1


@pytest.mark.parametrize(
    ("members", "share", "needed"),
    [(0, "0.5", 0), (1, "0.5", 1), (3, "0.5", 2), (4, "0.5", 2), (300, "0.667", 201), (5, "0", 1)],
)
def test_quorum_needed_rounds_up(members: int, share: str, needed: int) -> None:
    assert queries.quorum_needed(members, Decimal(share)) == needed
