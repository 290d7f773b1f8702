"""Elections: approval, Schulze and STV counted by the tally engine, the gender quota, paper
ballots entered by tellers, ballots checked, refusals, and the secret of the ballot."""

from __future__ import annotations

import pytest

from comuna.assemblies import actions, actions_voting
from comuna.assemblies.models import Participant
from comuna.assemblies.models_voting import (
    Candidate,
    Election,
    ElectionBallot,
    ElectionRoll,
    Verdict,
    VoteRefusal,
)
from comuna.core.errors import DomainError, PermissionDeniedError
from tests.assemblies.conftest import Gathering


def election_with(
    g: Gathering, method: str, names: list[tuple[str, str]], **kwargs: object
) -> tuple[Election, list[Candidate]]:
    options: dict[str, object] = {"seats": 1}
    options.update(kwargs)
    election = actions_voting.election_create(
        actor=g.net.bob, assembly=g.assembly, title="Vocería nacional", method=method, **options
    )  # type: ignore[arg-type]
    candidates = [
        actions_voting.candidate_add(actor=g.net.bob, election=election, name=n, gender=gender)
        for n, gender in names
    ]
    return election, candidates


def test_approval_elects_the_most_approved(gathering: Gathering) -> None:
    election, (ana, _beto, carla) = election_with(
        gathering, "approval", [("Ana", "female"), ("Beto", "male"), ("Carla", "female")], seats=2
    )
    actions_voting.election_open(actor=gathering.net.bob, election=election)
    actions_voting.ballot_cast(
        actor=gathering.net.alice, election=election, ranking=[[ana.pk, carla.pk]]
    )
    actions_voting.ballot_cast(actor=gathering.net.ernesto, election=election, ranking=[[carla.pk]])
    closed = actions_voting.election_close(actor=gathering.net.bob, election=election)
    assert closed.winners == ["Carla", "Ana"]
    assert closed.result["scores"] == {"Ana": 1, "Beto": 0, "Carla": 2}
    assert closed.verdict == Verdict.COUNTED


def test_schulze_gives_the_full_ranking(gathering: Gathering) -> None:
    election, (ana, beto, carla) = election_with(
        gathering, "schulze", [("Ana", ""), ("Beto", ""), ("Carla", "")]
    )
    actions_voting.election_open(actor=gathering.net.bob, election=election)
    actions_voting.ballot_cast(
        actor=gathering.net.alice, election=election, ranking=[[beto.pk], [ana.pk], [carla.pk]]
    )
    actions_voting.ballot_cast(
        actor=gathering.net.ernesto, election=election, ranking=[[beto.pk, carla.pk], [ana.pk]]
    )
    closed = actions_voting.election_close(actor=gathering.net.bob, election=election)
    assert closed.winners == ["Beto"]
    assert closed.result["ranking"][0] == "Beto"
    assert "Schulze" in closed.legal_basis


def test_stv_with_a_gender_quota_elects_a_woman(gathering: Gathering) -> None:
    election, (_ana, beto, carlos) = election_with(
        gathering,
        "stv",
        [("Ana", "female"), ("Beto", "male"), ("Carlos", "male")],
        seats=2,
        min_women=1,
    )
    actions_voting.election_open(actor=gathering.net.bob, election=election)
    actions_voting.ballot_cast(
        actor=gathering.net.alice, election=election, ranking=[[beto.pk], [carlos.pk]]
    )
    actions_voting.ballot_cast(
        actor=gathering.net.ernesto, election=election, ranking=[[carlos.pk], [beto.pk]]
    )
    closed = actions_voting.election_close(actor=gathering.net.bob, election=election)
    assert "Ana" in closed.winners and len(closed.winners) == 2
    assert closed.result["rounds"], "STV keeps its stages"
    assert "at least 1 women" in closed.legal_basis or "al menos 1" in closed.legal_basis


def test_a_quota_the_candidates_cannot_meet_is_refused_at_the_opening(
    gathering: Gathering,
) -> None:
    election, _ = election_with(gathering, "stv", [("Beto", "male")], seats=1, min_women=1)
    with pytest.raises(DomainError) as caught:
        actions_voting.election_open(actor=gathering.net.bob, election=election)
    assert caught.value.code == "quota"


def test_quotas_larger_than_the_seats_are_refused(gathering: Gathering) -> None:
    with pytest.raises(DomainError) as caught:
        actions_voting.election_create(
            actor=gathering.net.bob,
            assembly=gathering.assembly,
            title="X",
            method="stv",
            seats=1,
            min_women=1,
            min_men=1,
        )
    assert "min_women" in caught.value.fields


def test_bad_ballots_are_refused_naming_the_field(gathering: Gathering) -> None:
    election, (ana, beto) = election_with(gathering, "stv", [("Ana", ""), ("Beto", "")])
    actions_voting.election_open(actor=gathering.net.bob, election=election)
    for ranking in ([[ana.pk, beto.pk]], [[ana.pk], [ana.pk]], [[999_999]]):
        with pytest.raises(DomainError) as caught:
            actions_voting.ballot_cast(
                actor=gathering.net.alice, election=election, ranking=ranking
            )
        assert "ranking" in caught.value.fields
    assert not ElectionRoll.objects.exists()


def test_a_second_ballot_and_a_late_ballot_are_refused_and_recorded(
    gathering: Gathering,
) -> None:
    election, (ana, _beto) = election_with(gathering, "stv", [("Ana", ""), ("Beto", "")])
    actions_voting.election_open(actor=gathering.net.bob, election=election)
    actions_voting.ballot_cast(actor=gathering.net.alice, election=election, ranking=[[ana.pk]])
    with pytest.raises(DomainError) as twice:
        actions_voting.ballot_cast(actor=gathering.net.alice, election=election, ranking=[])
    assert twice.value.code == "already_voted"
    actions_voting.election_close(actor=gathering.net.bob, election=election)
    with pytest.raises(DomainError) as late:
        actions_voting.ballot_cast(actor=gathering.net.ernesto, election=election, ranking=[])
    assert late.value.code == "closed"
    assert set(VoteRefusal.objects.values_list("reason", flat=True)) == {"already_voted", "closed"}


def test_an_election_that_loses_its_quorum_is_void(gathering: Gathering) -> None:
    election, (ana, _beto) = election_with(gathering, "stv", [("Ana", ""), ("Beto", "")])
    actions_voting.election_open(actor=gathering.net.bob, election=election)
    actions_voting.ballot_cast(actor=gathering.net.alice, election=election, ranking=[[ana.pk]])
    actions.participant_check_out(actor=gathering.net.bob, participant=gathering.ernesto)
    closed = actions_voting.election_close(actor=gathering.net.bob, election=election)
    assert closed.verdict == Verdict.NO_QUORUM and closed.winners == []


def test_tellers_enter_paper_ballots(gathering: Gathering) -> None:
    election, (ana, beto) = election_with(
        gathering, "stv", [("Ana", ""), ("Beto", "")], mode="paper"
    )
    actions_voting.election_open(actor=gathering.net.bob, election=election)
    actions_voting.paper_ballot_enter(
        actor=gathering.net.bob, election=election, ranking=[[beto.pk], [ana.pk]], copies=2
    )
    with pytest.raises(DomainError) as too_many:
        actions_voting.paper_ballot_enter(
            actor=gathering.net.bob, election=election, ranking=[[ana.pk]], copies=2
        )
    assert too_many.value.code == "too_many"  # 3 voting members, 4 papers
    with pytest.raises(DomainError) as online:
        actions_voting.ballot_cast(actor=gathering.net.alice, election=election, ranking=[])
    assert online.value.code == "paper"
    with pytest.raises(DomainError) as no_tellers:
        actions_voting.election_close(actor=gathering.net.bob, election=election)
    assert "tellers" in no_tellers.value.fields
    closed = actions_voting.election_close(
        actor=gathering.net.bob, election=election, tellers="Ana y Luis"
    )
    assert closed.winners == ["Beto"] and closed.paper_ballots == 2


def test_only_who_runs_the_assembly_runs_elections(gathering: Gathering) -> None:
    election, _ = election_with(gathering, "stv", [("Ana", "")])
    with pytest.raises(PermissionDeniedError):
        actions_voting.candidate_add(actor=gathering.net.alice, election=election, name="Yo")
    with pytest.raises(PermissionDeniedError):
        actions_voting.election_open(actor=gathering.net.oscar, election=election)


def test_a_candidate_from_the_assembly_takes_name_gender_and_organisation(
    gathering: Gathering,
) -> None:
    election, _ = election_with(gathering, "stv", [])
    candidate = actions_voting.candidate_add(
        actor=gathering.net.bob, election=election, participant=gathering.alice
    )
    assert (candidate.name, candidate.gender, candidate.organisation) == (
        gathering.alice.name,
        "female",
        "Comuna El Maizal",
    )
    stranger = Participant(assembly_id=0, name="X")
    with pytest.raises(DomainError):
        actions_voting.candidate_add(
            actor=gathering.net.bob, election=election, participant=stranger
        )


def test_an_election_ballot_cannot_be_linked_to_its_voter(gathering: Gathering) -> None:
    election, (ana, beto) = election_with(gathering, "stv", [("Ana", ""), ("Beto", "")])
    actions_voting.election_open(actor=gathering.net.bob, election=election)
    actions_voting.ballot_cast(actor=gathering.net.alice, election=election, ranking=[[ana.pk]])
    actions_voting.ballot_cast(actor=gathering.net.ernesto, election=election, ranking=[[beto.pk]])
    assert {f.name for f in ElectionBallot._meta.get_fields()} == {"id", "election", "ranking"}
    assert {f.name for f in ElectionRoll._meta.get_fields()} == {"id", "election", "participant"}
    actions_voting.election_close(actor=gathering.net.bob, election=election)
    numbers = [e.participant.number for e in ElectionRoll.objects.order_by("id")]
    assert numbers == sorted(numbers)
    assert sorted(b.ranking for b in ElectionBallot.objects.all()) == sorted(
        [[[ana.pk]], [[beto.pk]]]
    )
