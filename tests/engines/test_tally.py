"""Election counting: published worked examples, hand-checked STV stages, BLT errors, CLI."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

from comuna.engines.tally import (
    SCALE,
    Ballot,
    BltError,
    ConstraintError,
    Constraints,
    Election,
    StvRound,
    TallyError,
    TallyResult,
    approval,
    cli,
    count,
    parse_blt,
    plurality,
    read_blt,
    result_to_json,
    schulze,
    stv,
)

# Wikipedia, "Schulze method", worked example: 45 voters, candidates A to E.
WIKIPEDIA_SCHULZE = [
    (5, "ACBED"),
    (5, "ADECB"),
    (8, "BEDAC"),
    (3, "CABED"),
    (7, "CAEBD"),
    (2, "CBADE"),
    (7, "DCEBA"),
    (8, "EBADC"),
]

# Wikipedia, "Single transferable vote", food election: 20 voters, 3 seats.
FOOD_BLT = """\
5 3  # candidates, seats
4 1 0
2 2 1 0
8 3 4 0
4 3 5 0
1 4 0
1 5 0
0
"Oranges"
"Pears"
"Chocolate"
"Strawberries"
"Sweets"
"Food election"
"""


def election(
    candidates: str | list[str],
    seats: int,
    ballots: list[tuple[int, str]],
    *,
    withdrawn: tuple[str, ...] = (),
) -> Election:
    """Ballots given as (copies, ranking) with one letter per candidate, e.g. (3, "ABC")."""
    rankings = [list(ranking) for copies, ranking in ballots for _ in range(copies)]
    return Election.from_rankings(list(candidates), seats, rankings, withdrawn=withdrawn)


def votes(stage: StvRound) -> dict[str, Decimal]:
    return dict(stage.votes)


def write(tmp_path: Path, text: str, name: str = "election.blt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------------------------
# Schulze
# --------------------------------------------------------------------------------------------


def test_schulze_reproduces_the_wikipedia_example() -> None:
    result = schulze(election("ABCDE", 1, WIKIPEDIA_SCHULZE))
    assert result.winners == ("E",)
    assert result.ranking == ("E", "A", "C", "B", "D")
    assert result.valid_ballots == 45
    assert result.pairwise == (
        (0, 20, 26, 30, 22),
        (25, 0, 16, 33, 18),
        (19, 29, 0, 17, 24),
        (15, 12, 28, 0, 14),
        (23, 27, 21, 31, 0),
    )
    assert result.strongest_paths == (
        (0, 28, 28, 30, 24),
        (25, 0, 28, 33, 24),
        (25, 29, 0, 29, 24),
        (25, 28, 28, 0, 24),
        (25, 28, 28, 31, 0),
    )
    assert result.notes == ()


def test_schulze_with_two_seats_takes_the_top_of_the_ranking() -> None:
    result = schulze(election("ABCDE", 2, WIKIPEDIA_SCHULZE))
    assert result.winners == ("E", "A")


def test_schulze_counts_unranked_candidates_below_the_ranked_ones() -> None:
    # 3 voters rank only A; 2 rank B then C. A beats B and C 3 to 2; B beats C 2 to 0.
    result = schulze(election("ABC", 1, [(3, "A"), (2, "BC")]))
    assert result.ranking == ("A", "B", "C")
    assert result.pairwise == ((0, 3, 3), (2, 0, 2), (2, 0, 0))


def test_schulze_breaks_a_full_tie_by_the_tie_order_and_says_so() -> None:
    tied = election("AB", 1, [(1, "AB"), (1, "BA")])
    result = schulze(tied)
    assert result.ranking == ("A", "B")
    assert result.notes == ("A and B are tied under Schulze; A is placed first by the tie order",)
    assert schulze(tied, tie_order=["B", "A"]).ranking == ("B", "A")


def test_schulze_treats_equal_preferences_as_ties() -> None:
    # "A=B C": A and B equal, both above C.
    parsed = parse_blt('3 1\n2 1=2 3 0\n1 3 1 0\n0\n"A"\n"B"\n"C"\n')
    result = schulze(parsed)
    assert result.pairwise == ((0, 1, 2), (0, 0, 2), (1, 1, 0))
    assert result.ranking == ("A", "B", "C")


# --------------------------------------------------------------------------------------------
# STV: worked and hand-checked examples
# --------------------------------------------------------------------------------------------


def test_stv_counts_the_wikipedia_food_election_stage_by_stage() -> None:
    result = stv(parse_blt(FOOD_BLT))
    assert result.winners == ("Chocolate", "Oranges", "Strawberries")
    assert result.quota == 6  # floor(20 / 4) + 1
    assert result.valid_ballots == 20
    first, surplus, pears, sweets = result.rounds
    assert (first.kind, first.elected) == ("first_preferences", ("Chocolate",))
    assert votes(first)["Chocolate"] == Decimal(12)
    # Chocolate's surplus 6 of 12 votes: each paper passes on at 6/12 = 0.5.
    assert (surplus.kind, surplus.candidates) == ("surplus", ("Chocolate",))
    assert votes(surplus) == {
        "Oranges": Decimal(4),
        "Pears": Decimal(2),
        "Chocolate": Decimal(6),
        "Strawberries": Decimal(5),
        "Sweets": Decimal(3),
    }
    assert (pears.kind, pears.excluded, pears.elected) == ("exclusion", ("Pears",), ("Oranges",))
    assert votes(pears)["Oranges"] == Decimal(6)
    # Sweets is excluded: 1 paper at 1 and 4 papers at 0.5 have no further preference.
    assert sweets.excluded == ("Sweets",)
    assert sweets.elected == ("Strawberries",)
    assert sweets.exhausted == Decimal("3.00000")
    assert sweets.exhausted_ballots == 5
    assert result.exhausted == Decimal(3)
    assert result.lost_to_rounding == Decimal(0)


def test_stv_truncates_transfer_values_to_five_decimals() -> None:
    # Quota floor(9 / 3) + 1 = 4. A's surplus 2 of 6: each paper passes at 0.33333, so B gets
    # 1.99998 and loses to C's 2 by the truncation.
    result = stv(election("ABCD", 2, [(6, "AB"), (2, "C"), (1, "D")]))
    assert result.quota == 4
    assert votes(result.rounds[1])["B"] == Decimal("1.99998")
    assert result.rounds[1].lost_to_rounding == Decimal("0.00002")
    assert [r.excluded for r in result.rounds[2:]] == [("D",), ("B",)]
    assert result.winners == ("A", "C")
    assert result.exhausted == Decimal("2.99998")
    assert result.exhausted_ballots == 7


def test_stv_transfers_received_papers_at_their_weighted_value() -> None:
    # Quota floor(20 / 4) + 1 = 6. A (10) passes 4/10 = 0.4 per paper to B, who reaches 7.
    # B's surplus 1 of 7: B's own papers pass at trunc(1/7) = 0.14285, the papers from A at
    # trunc(1 * 0.4 / 7) = 0.05714 (rule 48(3): value when received times surplus / votes).
    result = stv(election("ABCD", 3, [(10, "ABC"), (3, "BD"), (4, "C"), (3, "D")]))
    assert result.quota == 6
    stage2, stage3 = result.rounds[1], result.rounds[2]
    assert votes(stage2)["B"] == Decimal(7)
    assert stage2.elected == ("B",)
    assert (stage3.kind, stage3.candidates) == ("surplus", ("B",))
    assert votes(stage3)["C"] == Decimal("4.57140")  # 4 + 10 * 0.05714
    assert votes(stage3)["D"] == Decimal("3.42855")  # 3 + 3 * 0.14285
    assert stage3.lost_to_rounding == Decimal("0.00005")
    assert result.winners == ("A", "B", "C")
    assert result.rounds[-1].excluded == ("D",)
    assert result.exhausted == Decimal("3.42855")


def test_stv_breaks_an_exclusion_tie_by_the_most_recent_unequal_stage() -> None:
    # Quota floor(11 / 3) + 1 = 4. Stage 1: A 5 (elected), B 3, C 2, D 1; stage 2: A's surplus
    # (exhausted); stage 3: D out, its vote to C. B and C now tie at 3; at stage 2 C had
    # fewer, so C is excluded at stage 4 and C's papers take B to the quota.
    result = stv(election("ABCD", 2, [(5, "A"), (3, "B"), (2, "CB"), (1, "DC")]))
    assert [r.kind for r in result.rounds] == ["first_preferences", "surplus"] + 2 * ["exclusion"]
    assert [r.excluded for r in result.rounds[2:]] == [("D",), ("C",)]
    assert result.notes == (
        "stage 4: tie for exclusion between B, C broken by the votes at stage 2: C",
    )
    assert result.winners == ("A", "B")


def test_stv_leaves_a_complete_tie_to_the_tie_order() -> None:
    tied = election("AB", 1, [(1, "A"), (1, "B")])
    result = stv(tied)
    assert result.winners == ("A",)
    assert result.rounds[1].excluded == ("B",)
    assert "broken by the tie order" in result.notes[0]
    assert stv(tied, tie_order=["B", "A"]).winners == ("B",)


def test_stv_transfers_equal_surpluses_in_tie_order() -> None:
    # Quota floor(12 / 4) + 1 = 4. A and B both reach 5 at stage 1: equal surpluses of 1, with
    # no earlier stage to look back to, go in tie order (A first). Each passes 5 papers at 0.2.
    result = stv(election("ABCD", 3, [(5, "AC"), (5, "BD"), (1, "C"), (1, "D")]))
    assert result.rounds[0].elected == ("A", "B")
    assert [r.candidates for r in result.rounds[1:3]] == [("A",), ("B",)]
    # C and D then tie at 2; at stage 2 D had 1 against C's 2, so D is excluded.
    assert result.rounds[3].excluded == ("D",)
    assert result.winners == ("A", "B", "C")
    assert result.notes == (
        "stage 1: tie for election order between A, B broken by the tie order: A",
        "stage 2: tie for largest surplus between A, B broken by the tie order: A",
        "stage 4: tie for exclusion between C, D broken by the votes at stage 2: D",
    )


def test_stv_elects_everyone_when_there_are_fewer_candidates_than_seats() -> None:
    result = stv(election("ABC", 5, [(4, "A"), (2, "BA"), (1, "C")]))
    assert result.winners == ("A", "B", "C")
    assert len(result.rounds) == 1
    assert result.notes[-1] == "only 3 candidates for 5 seats: 2 seats left vacant"


def test_stv_with_one_seat_is_instant_runoff() -> None:
    # Majority quota floor(15 / 2) + 1 = 8. D (2) goes to C (6), then B (4) goes to C (10).
    ballots = [(5, "A"), (4, "BC"), (4, "CB"), (2, "DC")]
    result = stv(election("ABCD", 1, ballots))
    assert result.quota == 8
    assert [r.excluded for r in result.rounds[1:]] == [("D",), ("B",)]
    assert votes(result.rounds[1])["C"] == Decimal(6)
    assert result.winners == ("C",)


def _irv_winner(candidates: str, ballots: list[tuple[int, str]]) -> str:
    """A plain instant-runoff count, written independently for comparison."""
    alive = set(candidates)
    while True:
        tally = dict.fromkeys(alive, 0)
        for weight, ranking in ballots:
            for c in ranking:
                if c in alive:
                    tally[c] += weight
                    break
        total = sum(tally.values())
        leader = max(tally, key=lambda c: tally[c])
        if 2 * tally[leader] > total or len(alive) == 1:
            return leader
        alive.remove(min(tally, key=lambda c: tally[c]))


def test_stv_with_one_seat_agrees_with_instant_runoff_on_random_elections() -> None:
    rng = random.Random(20250601)
    candidates = "ABCDEF"
    for _ in range(40):
        ballots = []
        for _ in range(12):
            ranking = rng.sample(candidates, rng.randint(1, len(candidates)))
            ballots.append((rng.randint(1, 1000), "".join(ranking)))
        result = stv(election(candidates, 1, ballots))
        assert result.winners == (_irv_winner(candidates, ballots),)


def test_stv_keeps_every_vote_accounted_for() -> None:
    rng = random.Random(7)
    candidates = "ABCDEFGH"
    ballots = [
        (rng.randint(1, 50), "".join(rng.sample(candidates, rng.randint(1, 5)))) for _ in range(300)
    ]
    result = stv(election(candidates, 3, ballots))
    assert len(result.winners) == 3
    for stage in result.rounds:
        held = sum(stage.votes[i][1] for i in range(len(stage.votes)))
        assert held + stage.exhausted + stage.lost_to_rounding == result.valid_ballots


def test_stv_counts_exhausted_ballots() -> None:
    # Quota floor(9 / 3) + 1 = 4. A is elected with no surplus; C (1) goes to B (3); then D (2)
    # is excluded and its 2 papers have no further preference.
    result = stv(election("ABCD", 2, [(4, "A"), (2, "B"), (1, "CB"), (2, "D")]))
    assert result.winners == ("A", "B")
    assert result.exhausted_ballots == 2
    assert result.exhausted == Decimal(2)


def test_stv_ballot_with_a_shared_preference_stops_there() -> None:
    # "2 1=3" is invalid (shared first preference); "2 2 1=3" stops after candidate 2.
    parsed = parse_blt('3 1\n2 1=3 0\n2 2 1=3 0\n3 1 0\n1 3 0\n0\n"A"\n"B"\n"C"\n')
    result = stv(parsed)
    assert result.invalid_ballots == 2
    assert result.valid_ballots == 6
    # B (2) is excluded: its papers are non-transferable at the shared preference.
    assert result.rounds[1].excluded == ("C",)
    assert result.rounds[2].excluded == ("B",)
    assert result.rounds[2].exhausted_ballots == 3


def test_a_withdrawn_candidate_is_skipped_on_every_ballot() -> None:
    text = '3 1\n-2\n3 1 0\n4 2 3 0\n2 3 1 0\n1 2 0\n0\n"Ana"\n"Beto"\n"Carla"\n"Withdrawal"\n'
    parsed = parse_blt(text)
    assert parsed.withdrawn == frozenset({1})
    result = stv(parsed)
    assert result.candidates == ("Ana", "Carla")
    assert result.withdrawn == ("Beto",)
    assert "Beto" not in votes(result.rounds[0])
    assert votes(result.rounds[0]) == {"Ana": Decimal(3), "Carla": Decimal(6)}
    assert result.invalid_ballots == 1  # the "2 0" ballot named only the withdrawn candidate
    assert result.winners == ("Carla",)
    assert plurality(parsed).scores == (("Ana", 3), ("Carla", 6))


# --------------------------------------------------------------------------------------------
# Group quotas
# --------------------------------------------------------------------------------------------

WOMEN_ONE = Constraints.from_mappings(
    {"A": "men", "B": "men", "D": "men", "C": "women", "E": "women"}, {"women": 1}
)


def test_stv_group_quota_excludes_those_who_can_no_longer_be_elected() -> None:
    ballots = [(10, "A"), (8, "BA"), (3, "CE"), (2, "EB"), (2, "D")]
    assert stv(election("ABCDE", 2, ballots)).winners == ("A", "B")
    result = stv(election("ABCDE", 2, ballots), constraints=WOMEN_ONE)
    assert result.winners == ("A", "C")
    # After A the last seat is reserved for a woman: B and D are excluded together.
    reserved = result.rounds[1]
    assert (reserved.kind, reserved.excluded) == ("quota_exclusion", ("B", "D"))
    assert result.rounds[-1].elected == ("C",)


def test_stv_group_quota_elects_the_last_candidates_of_a_group() -> None:
    # Only one woman stands: once A is elected, C takes the reserved seat although B has a
    # quota (8 of quota 8).
    ballots = [(10, "A"), (8, "BA"), (3, "CB"), (2, "D")]
    constraints = Constraints.from_mappings({"C": "women"}, {"women": 1})
    result = stv(election("ABCD", 2, ballots), constraints=constraints)
    assert result.quota == 8
    assert result.winners == ("A", "C")
    assert result.rounds[0].elected == ("A", "C")


def test_approval_group_quota_reserves_seats_in_rank_order() -> None:
    ballots = [(10, "AB"), (8, "BD"), (3, "C"), (5, "D")]
    free = approval(election("ABCD", 2, ballots))
    assert free.winners == ("B", "D")  # B 18, D 13, A 10, C 3
    constraints = Constraints.from_mappings({"C": "women"}, {"women": 1})
    result = approval(election("ABCD", 2, ballots), constraints=constraints)
    assert result.winners == ("B", "C")
    assert any("D passed over" in note for note in result.notes)


def test_impossible_group_quotas_are_refused() -> None:
    plain = election("ABC", 2, [(1, "A")])
    with pytest.raises(ConstraintError, match="has only 1 eligible candidate"):
        stv(plain, constraints=Constraints.from_mappings({"A": "w"}, {"w": 2}))
    with pytest.raises(ConstraintError, match="more than the 2 seats"):
        stv(
            plain,
            constraints=Constraints.from_mappings(
                {"A": "w", "B": "m", "C": "x"}, {"w": 1, "m": 1, "x": 1}
            ),
        )
    with pytest.raises(ConstraintError, match="unknown candidate"):
        stv(plain, constraints=Constraints.from_mappings({"Z": "w"}, {"w": 1}))


# --------------------------------------------------------------------------------------------
# Plurality and approval
# --------------------------------------------------------------------------------------------


def test_plurality_takes_the_most_first_preferences() -> None:
    result = plurality(election("ABC", 2, [(4, "AB"), (3, "BA"), (5, "C"), (1, "BC")]))
    assert result.scores == (("A", 4), ("B", 4), ("C", 5))
    assert result.winners == ("C", "A")  # A and B tie at 4: A is listed first
    assert result.notes == ("tie at 4 between A, B: ordered by the tie order",)


def test_plurality_rejects_shared_and_blank_first_preferences() -> None:
    parsed = parse_blt('2 1\n3 1=2 0\n2 0\n1 2 1 0\n0\n"A"\n"B"\n')
    result = plurality(parsed)
    assert result.invalid_ballots == 5
    assert result.valid_ballots == 1
    assert result.winners == ("B",)


def test_approval_counts_every_candidate_on_the_ballot() -> None:
    result = approval(election("ABCD", 2, [(3, "AB"), (2, "BC"), (2, "D"), (1, "CDA")]))
    assert dict(result.scores) == {"A": 4, "B": 5, "C": 3, "D": 3}
    assert result.winners == ("B", "A")


def test_count_dispatches_and_overrides_seats() -> None:
    parsed = parse_blt(FOOD_BLT)
    assert count(parsed, "stv", seats=1).winners == ("Chocolate",)
    assert count(parsed, "plurality").winners == ("Chocolate", "Oranges", "Pears")
    with pytest.raises(TallyError, match="unknown method"):
        count(parsed, "borda")  # type: ignore[arg-type]
    with pytest.raises(TallyError, match="seats must be a positive integer"):
        count(parsed, "stv", seats=0)


# --------------------------------------------------------------------------------------------
# BLT reading
# --------------------------------------------------------------------------------------------


def test_parse_blt_merges_identical_ballots_and_reads_names_and_title() -> None:
    text = (
        "\ufeff# a comment before the header\n"
        "3 2\n"
        "\n"
        "1 1 2 0\n"
        "1 1 2 0   # same ballot, with a comment\n"
        "2  1   2 0\n"
        "1 3 0\n"
        "0\n"
        '"Ana María"  # the first candidate\n'
        "Beto\n"
        '"Carla # not a comment"\n'
        '"Asamblea 2025"\n'
    )
    parsed = parse_blt(text)
    assert parsed.candidates == ("Ana María", "Beto", "Carla # not a comment")
    assert parsed.seats == 2
    assert parsed.title == "Asamblea 2025"
    assert parsed.ballots == (Ballot(weight=4, ranking=(0, 1)), Ballot(weight=1, ranking=(2,)))


def test_parse_blt_reads_equal_preferences_as_ties() -> None:
    parsed = parse_blt('4 1\n2 4 3=1 0\n1 4 1 = 3 0\n1 2=1=3=4 0\n0\n"A"\n"B"\n"C"\n"D"\n')
    tied, everyone = parsed.ballots
    assert tied == Ballot(weight=3, ranking=(3, 0, 2), ties=(2,))
    assert tied.levels() == ((3,), (0, 2))
    assert everyone.levels() == ((0, 1, 2, 3),)


def test_parse_blt_without_title_and_with_names_on_one_line() -> None:
    parsed = parse_blt('2 1\n1 2 0\n0\n"A" "B"\n')
    assert parsed.candidates == ("A", "B")
    assert parsed.title == ""


def test_parse_blt_groups_a_large_random_file_into_distinct_rankings() -> None:
    rng = random.Random(42)
    lines = ["6 2"]
    expected: dict[tuple[int, ...], int] = {}
    for _ in range(5000):
        ranking = tuple(rng.sample(range(1, 7), rng.randint(1, 3)))
        lines.append("1 " + " ".join(map(str, ranking)) + " 0")
        expected[ranking] = expected.get(ranking, 0) + 1
    lines += ["0"] + [f'"C{i}"' for i in range(1, 7)]
    parsed = parse_blt("\n".join(lines))
    assert len(parsed.ballots) == len(expected)
    got = {tuple(c + 1 for c in b.ranking): b.weight for b in parsed.ballots}
    assert got == expected


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "the file is empty"),
        ('3\n1 1 0\n0\n"A"\n"B"\n"C"\n', 1, "the header must be 'CANDIDATES SEATS'"),
        ('x y\n1 1 0\n0\n"A"\n"B"\n"C"\n', 1, "the header must be"),
        ('3 0\n1 1 0\n0\n"A"\n"B"\n"C"\n', 1, "at least one seat"),
        ('# c\n\n3 1 2\n0\n"A"\n"B"\n"C"\n', 3, "the header must be"),
        ('3 1\n1 1 0\n1 2 0\n"A"\n"B"\n"C"\n', 4, "missing the line '0' that ends the ballots"),
        ("3 1\n1 1 0\n1 2 0\n", 3, "missing the line '0' that ends the ballots"),
        ('3 1\n1 1 0\n2 1 4 0\n0\n"A"\n"B"\n"C"\n', 3, "candidate number 4 does not exist"),
        ('3 1\n1 1 0\n1 1 2\n0\n"A"\n"B"\n"C"\n', 3, "a ballot must end with 0"),
        ('3 1\n1 1 2 1 0\n0\n"A"\n"B"\n"C"\n', 2, "candidate 1 is ranked more than once"),
        ('3 1\n1 1 0 2 0\n0\n"A"\n"B"\n"C"\n', 2, "0 may only end a ballot"),
        ('3 1\n1.5 1 0\n0\n"A"\n"B"\n"C"\n', 2, "ballot weight must be a positive integer"),
        ('3 1\n0 1 0\n0\n"A"\n"B"\n"C"\n', 2, "ballot weight must be a positive integer"),
        ('3 1\n1 a 0\n0\n"A"\n"B"\n"C"\n', 2, "expected a candidate number, found 'a'"),
        ('3 1\n-4\n1 1 0\n0\n"A"\n"B"\n"C"\n', 2, "withdrawn candidate 4 does not exist"),
        ('3 1\n1 1 0\n0\n"A"\n"B"\n', 5, "expected 3 candidate names after the ballots, found 2"),
        ('2 1\n1 1 0\n0\n"A"\n"B"\n"T"\n"extra"\n', 7, "unexpected text after the title"),
        ('2 1\n1 1 0\n0\n"A"\n"A"\n', 5, "candidate name 'A' is used twice"),
        ('2 1\n1 1 0\n0\n"A\n"B"\n', 4, "unterminated quoted name"),
    ],
)
def test_malformed_blt_files_are_reported_with_the_line(
    text: str, line: int | None, message: str
) -> None:
    with pytest.raises(BltError, match=message) as caught:
        parse_blt(text)
    assert caught.value.line == line
    if line is not None:
        assert str(caught.value).startswith(f"line {line}: ")


def test_the_first_bad_ballot_is_reported_even_if_repeated() -> None:
    text = '2 1\n1 1 0\n1 1 3 0\n1 2 0\n1 1 3 0\n0\n"A"\n"B"\n'
    with pytest.raises(BltError, match=r"^line 3: candidate number 3 does not exist"):
        parse_blt(text)


def test_read_blt_reads_a_file(tmp_path: Path) -> None:
    parsed = read_blt(write(tmp_path, FOOD_BLT))
    assert parsed.title == "Food election"
    assert sum(b.weight for b in parsed.ballots) == 20


def test_from_rankings_merges_identical_ballots_and_keeps_ties() -> None:
    built = Election.from_rankings(
        ["A", "B", "C"], 1, [["A", "B"], ["A", "B"], [("C", "A"), "B"]], withdrawn=["B"]
    )
    assert built.ballots == (Ballot(2, (0, 1)), Ballot(1, (0, 2, 1), ties=(1,)))
    assert built.withdrawn == frozenset({1})
    with pytest.raises(TallyError, match="unknown withdrawn candidate 'Z'"):
        Election.from_rankings(["A"], 1, [], withdrawn=["Z"])


def test_stv_counts_ballots_built_in_code_without_merging_them() -> None:
    ballots = (Ballot(1, (0, 1)), Ballot(1, (0, 1)), Ballot(1, (1,)), Ballot(2, ()))
    built = Election(candidates=("A", "B"), seats=1, ballots=ballots)
    result = stv(built)
    assert (result.valid_ballots, result.invalid_ballots, result.winners) == (3, 2, ("A",))


def test_elections_built_in_code_are_validated() -> None:
    with pytest.raises(TallyError, match="used twice"):
        Election(candidates=("A", "A"), seats=1, ballots=())
    with pytest.raises(TallyError, match="weight must be a positive integer"):
        Election(candidates=("A",), seats=1, ballots=(Ballot(weight=0, ranking=(0,)),))
    with pytest.raises(TallyError, match="index 3 does not exist"):
        Election(candidates=("A",), seats=1, ballots=(Ballot(weight=1, ranking=(3,)),))
    with pytest.raises(TallyError, match="ranked twice"):
        Election(candidates=("A", "B"), seats=1, ballots=(Ballot(weight=1, ranking=(1, 1)),))
    with pytest.raises(TallyError, match="tie positions must increase"):
        Election(candidates=("A", "B"), seats=1, ballots=(Ballot(1, (0, 1), ties=(0,)),))
    with pytest.raises(TallyError, match="unknown candidate 'Z'"):
        Election.from_rankings(["A"], 1, [["Z"]])


# --------------------------------------------------------------------------------------------
# JSON and command line
# --------------------------------------------------------------------------------------------


def test_result_to_json_is_serialisable() -> None:
    result: TallyResult = stv(parse_blt(FOOD_BLT))
    data = json.loads(json.dumps(result_to_json(result)))
    assert data["winners"] == ["Chocolate", "Oranges", "Strawberries"]
    assert data["rounds"][1]["votes"]["Strawberries"] == "5.00000"
    assert data["exhausted"] == "3.00000"


def test_cli_counts_stv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--method", "stv", write(tmp_path, FOOD_BLT)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["winners"] == ["Chocolate", "Oranges", "Strawberries"]
    assert data["method"] == "stv"
    assert data["quota"] == 6
    assert len(data["rounds"]) == 4


def test_cli_prints_the_schulze_ranking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["5 1"]
    for copies, ranking in WIKIPEDIA_SCHULZE:
        lines.append(f"{copies} " + " ".join(str("ABCDE".index(c) + 1) for c in ranking) + " 0")
    lines += ["0", '"A"', '"B"', '"C"', '"D"', '"E"', '"Wikipedia"']
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert cli(["tally", "--method", "schulze", path]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["winners"] == ["E"]
    assert data["ranking"] == ["E", "A", "C", "B", "D"]


def test_cli_seats_override_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, FOOD_BLT)
    assert cli(["--method", "plurality", "--seats", "1", path]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["winners"] == ["Chocolate"]
    assert data["seats"] == 1
    assert cli(["--method", "approval", "--seats", "2", path]) == 0
    # Approvals: Chocolate 12, Strawberries 9, Oranges 6, Sweets 5, Pears 2.
    assert json.loads(capsys.readouterr().out)["winners"] == ["Chocolate", "Strawberries"]


def test_cli_applies_a_group_quota(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, FOOD_BLT)
    argv = ["--method", "stv", "--group", "Sweets=sweet", "--minimum", "sweet=1", path]
    assert cli(argv) == 0
    assert "Sweets" in json.loads(capsys.readouterr().out)["winners"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--method", "stv", "BAD"], "line 3: candidate number 9 does not exist"),
        (["--method", "stv", "MISSING"], "cannot read"),
        (["--method", "borda", "GOOD"], "invalid choice"),
        (["GOOD"], "--method"),
        (["--method", "stv", "--seats", "two", "GOOD"], "invalid int value"),
        (["--method", "stv", "--seats", "0", "GOOD"], "seats must be a positive integer"),
        (["--method", "stv", "--minimum", "w", "GOOD"], "expects GROUP=N"),
        (["--method", "stv", "--minimum", "w=x", "GOOD"], "N >= 0"),
        (["--method", "stv", "--group", "Nobody=w", "GOOD"], "unknown candidate"),
    ],
)
def test_cli_reports_errors_with_exit_code_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = {
        "GOOD": write(tmp_path, FOOD_BLT, "good.blt"),
        "BAD": write(tmp_path, '3 1\n1 1 0\n1 2 9 0\n0\n"A"\n"B"\n"C"\n', "bad.blt"),
        "MISSING": str(tmp_path / "missing.blt"),
    }
    assert cli([paths.get(arg, arg) for arg in argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_cli_help_exits_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--help"]) == 0
    assert "--method" in capsys.readouterr().out


def test_scale_is_five_decimal_places() -> None:
    assert SCALE == 10**5
