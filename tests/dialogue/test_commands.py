"""`comuna due-date START DAYS` (the command-line contract, checked from outside) and the
national seed command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

COMUNA = Path(sys.executable).parent / "comuna"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(COMUNA), "due-date", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2025-12-22", "15", "2026-01-16"),  # over Christmas and New Year
        ("2026-02-12", "10", "2026-03-02"),  # over Carnival
        ("2026-03-30", "3", "2026-04-06"),  # over Holy Thursday and Good Friday
        ("2025-12-22", "-3", "2025-12-17"),
        ("2026-03-02", "0", "2026-03-02"),
    ],
)
def test_it_prints_just_the_iso_date(start: str, days: str, due: str) -> None:
    done = run(start, days)
    assert done.returncode == 0, done.stderr
    assert done.stdout == due + "\n"


@pytest.mark.parametrize(
    "args",
    [("2025-13-01", "5"), ("2025-12-22", "cinco"), ("2025-12-22",), (), ("a", "b", "c")],
)
def test_malformed_input_exits_with_2_and_a_message(args: tuple[str, ...]) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "due-date" in done.stderr
