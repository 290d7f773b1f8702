"""`comuna tally --method {plurality,approval,schulze,stv} [--seats N] FILE.blt`, checked from
outside: run as a command, it prints one JSON object with `winners` in order of election and,
for Schulze, `ranking`; malformed input exits with 2 and a message on stderr. The ballots are
the published worked examples of the engine's tests."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.engines.test_tally import FOOD_BLT, WIKIPEDIA_SCHULZE

COMUNA = Path(sys.executable).parent / "comuna"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(COMUNA), "tally", *args], capture_output=True, text=True, check=False
    )


def blt(tmp_path: Path, text: str, name: str = "election.blt") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def wikipedia_schulze_blt() -> str:
    lines = ["5 1"]
    for copies, ranking in WIKIPEDIA_SCHULZE:
        lines.append(f"{copies} " + " ".join(str("ABCDE".index(c) + 1) for c in ranking) + " 0")
    lines += ["0", '"A"', '"B"', '"C"', '"D"', '"E"', '"Wikipedia, Schulze method"']
    return "\n".join(lines) + "\n"


def test_stv_prints_the_food_election_winners_in_order_of_election(tmp_path: Path) -> None:
    done = run("--method", "stv", blt(tmp_path, FOOD_BLT))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)  # exactly one JSON object, nothing else
    assert data["winners"] == ["Chocolate", "Oranges", "Strawberries"]
    assert data["quota"] == 6
    assert [r["kind"] for r in data["rounds"]] == [
        "first_preferences",
        "surplus",
        "exclusion",
        "exclusion",
    ]
    assert "ranking" not in data


def test_schulze_prints_the_winner_and_the_full_ranking(tmp_path: Path) -> None:
    done = run("--method", "schulze", blt(tmp_path, wikipedia_schulze_blt()))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["winners"] == ["E"]
    assert data["ranking"] == ["E", "A", "C", "B", "D"]


def test_seats_override_the_file(tmp_path: Path) -> None:
    path = blt(tmp_path, wikipedia_schulze_blt())
    data = json.loads(run("--method", "schulze", "--seats", "2", path).stdout)
    assert data["winners"] == ["E", "A"]
    food = blt(tmp_path, FOOD_BLT, "food.blt")
    assert json.loads(run("--method", "plurality", "--seats", "1", food).stdout)["winners"] == [
        "Chocolate"
    ]
    # Approvals: Chocolate 12, Strawberries 9, Oranges 6, Sweets 5, Pears 2.
    assert json.loads(run("--method", "approval", "--seats", "2", food).stdout)["winners"] == [
        "Chocolate",
        "Strawberries",
    ]


def test_fewer_candidates_than_seats_elects_them_all(tmp_path: Path) -> None:
    path = blt(tmp_path, '2 3\n3 1 2 0\n1 2 0\n0\n"Ana"\n"Beto"\n')
    data = json.loads(run("--method", "stv", path).stdout)
    assert data["winners"] == ["Ana", "Beto"]


def test_a_group_quota_is_applied(tmp_path: Path) -> None:
    path = blt(tmp_path, FOOD_BLT)
    done = run("--method", "stv", "--group", "Sweets=f", "--minimum", "f=1", path)
    assert done.returncode == 0, done.stderr
    assert "Sweets" in json.loads(done.stdout)["winners"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "stv", "BAD"], "line 3: candidate number 9 does not exist"),
        (["--method", "stv", "MISSING"], "cannot read"),
        (["--method", "borda", "GOOD"], "invalid choice"),
        (["GOOD"], "--method"),
        (["--method", "stv"], "FILE.blt"),
        (["--method", "stv", "--seats", "two", "GOOD"], "invalid int value"),
        (["--method", "stv", "--seats", "0", "GOOD"], "seats must be a positive integer"),
    ],
)
def test_malformed_input_exits_with_2_and_a_message(
    args: list[str], message: str, tmp_path: Path
) -> None:
    paths = {
        "GOOD": blt(tmp_path, FOOD_BLT, "good.blt"),
        "BAD": blt(tmp_path, '3 1\n1 1 0\n1 2 9 0\n0\n"A"\n"B"\n"C"\n', "bad.blt"),
        "MISSING": str(tmp_path / "missing.blt"),
    }
    done = run(*[paths.get(arg, arg) for arg in args])
    assert done.returncode == 2
    assert done.stdout == ""
    assert message in done.stderr


def test_call_command_writes_the_json_to_the_command_output(tmp_path: Path) -> None:
    out = StringIO()
    call_command("tally", "--method", "stv", "--seats", "1", blt(tmp_path, FOOD_BLT), stdout=out)
    assert json.loads(out.getvalue())["winners"] == ["Chocolate"]
    with pytest.raises(CommandError):
        call_command("tally", "--method", "stv", str(tmp_path / "missing.blt"), stdout=StringIO())
