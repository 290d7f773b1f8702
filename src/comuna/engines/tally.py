"""Election counting: plurality, approval, Schulze and STV (Scottish rules), from BLT files.

Ballot files
============

Ballots are read in the BLT format of Hill, Wichmann & Woodall, as extended by OpenSTV/OpaVote::

    4 2            # 4 candidates, 2 seats
    -2             # optional: candidate 2 withdrew (one line, any number of -N)
    3 1 3 4 0      # 3 ballots ranking candidate 1, then 3, then 4
    2 4 1=3 0      # "=" joins candidates ranked equal (no spaces needed around it)
    1 0            # a blank ballot
    0              # end of the ballots
    "Adam"
    "Basil"
    "Charlotte"
    "Donald"
    "Title of the election"

``#`` starts a comment (outside quoted names). Each ballot is one line and must end with ``0``;
weights are positive integers. Names are quoted (a single word may go unquoted); the title is
optional. Anything else (unknown candidate numbers, a missing final ``0``, a candidate ranked
twice, text after the title) raises :class:`BltError` naming the line.

Identical ballots are merged into one weighted :class:`Ballot` by :func:`parse_blt` (identical
lines are counted before any is parsed) and by :meth:`Election.from_rankings`, so a million
ballots are counted as their distinct rankings. The counters take ballots as given (an
``Election`` built by hand may repeat rankings) and STV counts in integers (units of 0.00001).

Withdrawn candidates are treated as if they had never stood: they are removed from every
ballot before counting, and never appear in the results.

Equal preferences (``=``) are supported as follows: Schulze treats them as ties, approval
approves every candidate named, plurality and STV need a single first preference, so a ballot
whose first (remaining) preference is shared is invalid for them, and an STV ballot becomes
non-transferable when it reaches a shared preference (as a paper marked with the same number
twice, Scottish rules).

Methods
=======

``plurality``
    Each valid ballot gives one vote to its first preference; the ``seats`` candidates with
    the most votes win. A ballot is valid when it has exactly one first preference.
``approval``
    Each ballot approves every candidate it names (at any rank); the ``seats`` candidates with
    the most approvals win. Blank ballots are reported as invalid.
``schulze``
    Beatpath method with strengths measured by winning votes. ``d[X][Y]`` is the weight of the
    ballots ranking X strictly above Y (candidates left unranked come below all ranked ones,
    equal among themselves). A link X->Y has strength ``d[X][Y]`` if ``d[X][Y] > d[Y][X]``,
    otherwise 0; ``p[X][Y]`` is the strength of the strongest path (widest path, computed with
    Floyd-Warshall). X beats Y when ``p[X][Y] > p[Y][X]``; this relation is a strict partial
    order. The full ranking sorts candidates by the number of candidates they beat (most
    first), which respects the order, and breaks remaining ties by the tie order (below); each
    such tie is reported in ``notes``. Winners are the first ``seats`` candidates of the
    ranking.
``stv``
    Scottish STV: the Scottish Local Government Elections Order 2007 (SSI 2007/42), schedule 1,
    rules 45 to 52, counted in integer fixed point with five decimal places:

    * valid ballot papers are those with a single first preference (rule 45); the quota is
      ``floor(valid / (seats + 1)) + 1`` (rule 46);
    * after every stage, each continuing candidate with at least the quota is elected,
      highest vote first (rule 47);
    * while an elected candidate has a surplus, the largest surplus is transferred (one per
      stage, rule 49), by the weighted inclusive Gregory method of rule 48: every paper the
      candidate holds passes to its next continuing preference with the value
      ``surplus * value of the paper / candidate's votes``, truncated to five decimal places
      per paper; the candidate keeps exactly the quota; papers with no next continuing
      preference are non-transferable (exhausted), and what truncation leaves over is
      reported as ``lost_to_rounding``;
    * otherwise the candidate with the fewest votes is excluded and all their papers pass on
      at the value they arrived with, in one stage (rule 50);
    * when the continuing candidates are no more than the vacancies left they are all elected
      and no further transfer is made (rule 52);
    * ties (equal surpluses, equal lowest votes, equal votes of candidates elected at the same
      stage) are broken by the totals at the end of the most recent preceding stage at which
      the tied candidates had unequal votes (rules 49(2) and 51(2)); with more than two tied,
      the look-back keeps the candidates with the highest (or lowest) total at that stage and
      keeps looking back among them. The drawing of lots of rules 49(3) and 51(2)(b) is
      replaced by the tie order.

    Each stage is reported (:class:`StvRound`) with every candidate's votes, who was elected
    and excluded, and the cumulative exhausted value and papers.

Tie order
=========

Ties that the rules leave to chance are decided by a deterministic *tie order*: by default the
order of the candidates in the file, the earlier listed being favoured (put first, elected,
transferred first, not excluded). Callers who must draw lots pass the drawn order as
``tie_order``. Every tie so decided is written in the result's ``notes``.

Group quotas
============

``Constraints`` maps candidates to groups (e.g. a gender) and gives a minimum number of seats
per group. Let ``needed[g]`` be the minimum of group ``g`` less the candidates of ``g`` already
elected (never below 0) and ``free`` the vacancies left less the sum of ``needed``.

* Plurality, approval and Schulze fill the seats in ranking order, skipping a candidate whose
  election would leave ``free`` below zero (a candidate of a group with ``needed[g] > 0``
  never does).
* STV applies the same test when candidates reach the quota: a candidate who cannot be
  elected without breaking a minimum stays unelected. After each stage, when the continuing
  candidates of a group are exactly ``needed[g]``, they are all elected; when ``free`` is 0,
  every continuing candidate whose group needs no more seats is excluded in one stage (kind
  ``quota_exclusion``) and their papers transferred, before any surplus.

A minimum larger than the group's (non-withdrawn) candidates, or minimums that add up to more
than the seats, raise :class:`ConstraintError`.

Command line
============

``python -m comuna.engines.tally --method {plurality,approval,schulze,stv} [--seats N]
FILE.blt`` prints one JSON object (:func:`result_to_json`): ``winners`` in order of election,
``ranking`` for Schulze, and the count's details. Errors go to stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, NoReturn, cast, get_args

__all__ = [
    "METHODS",
    "SCALE",
    "Ballot",
    "BltError",
    "ConstraintError",
    "Constraints",
    "Election",
    "Method",
    "RoundKind",
    "StvRound",
    "TallyError",
    "TallyResult",
    "approval",
    "cli",
    "count",
    "parse_blt",
    "plurality",
    "read_blt",
    "result_to_json",
    "schulze",
    "stv",
]

Method = Literal["plurality", "approval", "schulze", "stv"]
METHODS: tuple[Method, ...] = get_args(Method)
RoundKind = Literal["first_preferences", "surplus", "exclusion", "quota_exclusion"]

#: Fixed-point scale of STV votes: five decimal places (SSI 2007/42 rule 48(3)).
SCALE = 100_000

_CONTINUING = 0
_ELECTED = 1
_EXCLUDED = 2
_WITHDRAWN = 3


class TallyError(ValueError):
    """Raised when an election cannot be counted as asked (the message says why)."""


class BltError(TallyError):
    """A malformed BLT file; ``line`` is the 1-based line number, when there is one."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


class ConstraintError(TallyError):
    """Group quotas that are inconsistent with the candidates or the seats."""


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ballot:
    """``weight`` identical ballots ranking the candidates ``ranking`` (0-based), best first.

    ``ties`` lists the positions in ``ranking`` whose candidate is ranked *equal* to the one
    just before it (BLT ``=``): ``Ballot(1, (3, 0, 2), ties=(2,))`` is the BLT ballot
    ``1 4 1=3 0``. Most ballots have no ties, and then ``ranking`` is all there is.
    """

    weight: int
    ranking: tuple[int, ...]
    ties: tuple[int, ...] = ()

    def levels(self) -> tuple[tuple[int, ...], ...]:
        """The preference levels, best first; candidates ranked equal share a level."""
        return _levels(self.ranking, self.ties)


def _levels(ranking: tuple[int, ...], ties: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    if not ties:
        return tuple((c,) for c in ranking)
    tied = set(ties)
    levels: list[list[int]] = []
    for position, c in enumerate(ranking):
        if position in tied:
            levels[-1].append(c)
        else:
            levels.append([c])
    return tuple(tuple(level) for level in levels)


def _from_levels(levels: Iterable[Sequence[int]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Flatten preference levels into (ranking, ties); equal candidates in ascending order."""
    ranking: list[int] = []
    ties: list[int] = []
    for level in levels:
        members = sorted(level)
        ties.extend(range(len(ranking) + 1, len(ranking) + len(members)))
        ranking.extend(members)
    return tuple(ranking), tuple(ties)


@dataclass(frozen=True, slots=True)
class Election:
    """Candidates (by name, in ballot-paper order), seats, ballots and withdrawn candidates."""

    candidates: tuple[str, ...]
    seats: int
    ballots: tuple[Ballot, ...]
    withdrawn: frozenset[int] = field(default_factory=frozenset)
    title: str = ""

    def __post_init__(self) -> None:
        n = len(self.candidates)
        if n == 0:
            raise TallyError("an election needs at least one candidate")
        seen: set[str] = set()
        for name in self.candidates:
            if not name.strip():
                raise TallyError("candidate names must not be empty")
            if name in seen:
                raise TallyError(f"candidate name {name!r} is used twice")
            seen.add(name)
        if isinstance(self.seats, bool) or not isinstance(self.seats, int) or self.seats < 1:
            raise TallyError(f"seats must be a positive integer, got {self.seats!r}")
        for c in self.withdrawn:
            if not 0 <= c < n:
                raise TallyError(f"withdrawn candidate index {c} does not exist")
        for number, ballot in enumerate(self.ballots, start=1):
            _check_ballot(ballot, n, number)

    @classmethod
    def from_rankings(
        cls,
        candidates: Sequence[str],
        seats: int,
        rankings: Iterable[Sequence[str | Sequence[str]]],
        *,
        withdrawn: Iterable[str] = (),
        title: str = "",
    ) -> Election:
        """Build an election from ballots given as candidate names, best first.

        Each ranking item is a name or a sequence of names ranked equal. Identical rankings
        are merged into one weighted :class:`Ballot`.
        """
        index = {name: i for i, name in enumerate(candidates)}

        def lookup(name: str, number: int) -> int:
            try:
                return index[name]
            except KeyError:
                raise TallyError(f"ballot {number}: unknown candidate {name!r}") from None

        merged: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
        for number, ranking in enumerate(rankings, start=1):
            key = _from_levels(
                [lookup(item, number)]
                if isinstance(item, str)
                else [lookup(name, number) for name in item]
                for item in ranking
            )
            merged[key] = merged.get(key, 0) + 1
        return cls(
            candidates=tuple(candidates),
            seats=seats,
            ballots=tuple(Ballot(weight=w, ranking=r, ties=t) for (r, t), w in merged.items()),
            withdrawn=frozenset(_withdrawn_index(index, name) for name in withdrawn),
            title=title,
        )


def _withdrawn_index(index: Mapping[str, int], name: str) -> int:
    if name not in index:
        raise TallyError(f"unknown withdrawn candidate {name!r}")
    return index[name]


def _check_ballot(ballot: Ballot, n: int, number: int) -> None:
    weight = ballot.weight
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise TallyError(f"ballot {number}: weight must be a positive integer, got {weight!r}")
    seen: set[int] = set()
    for c in ballot.ranking:
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < n:
            raise TallyError(f"ballot {number}: candidate index {c!r} does not exist")
        if c in seen:
            raise TallyError(f"ballot {number}: candidate index {c} is ranked twice")
        seen.add(c)
    previous = 0
    for position in ballot.ties:
        if not previous < position < len(ballot.ranking):
            raise TallyError(
                f"ballot {number}: tie positions must increase within 1..{len(ballot.ranking) - 1}"
            )
        previous = position


@dataclass(frozen=True, slots=True)
class Constraints:
    """Group quotas: ``group_of`` pairs (candidate name, group); ``minimum`` pairs (group, seats).

    Candidates without a group never count towards a minimum. Build it from dictionaries with
    :meth:`from_mappings`.
    """

    group_of: tuple[tuple[str, str], ...]
    minimum: tuple[tuple[str, int], ...]

    @classmethod
    def from_mappings(cls, group_of: Mapping[str, str], minimum: Mapping[str, int]) -> Constraints:
        """Build from ``{candidate name: group}`` and ``{group: minimum seats}``."""
        return cls(group_of=tuple(sorted(group_of.items())), minimum=tuple(sorted(minimum.items())))


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StvRound:
    """One stage of an STV count; votes are totals at the end of the stage.

    ``candidates`` are those whose surplus was transferred or who were excluded at this stage
    (empty for the first stage); ``exhausted``, ``exhausted_ballots`` and
    ``lost_to_rounding`` are cumulative.
    """

    stage: int
    kind: RoundKind
    candidates: tuple[str, ...]
    votes: tuple[tuple[str, Decimal], ...]
    elected: tuple[str, ...]
    excluded: tuple[str, ...]
    exhausted: Decimal
    exhausted_ballots: int
    lost_to_rounding: Decimal
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TallyResult:
    """Outcome of a count.

    ``candidates`` are the eligible (non-withdrawn) candidates in file order; ``winners`` are in
    order of election (plurality, approval, Schulze: in ranking order). ``ranking`` is the full
    Schulze ranking, best first (for plurality and approval: by score; empty for STV).
    ``scores`` are first preferences (plurality), approvals (approval) or the number of
    candidates each one beats (Schulze). ``pairwise`` and ``strongest_paths`` are the Schulze
    matrices indexed like ``candidates``. STV fills ``quota``, ``exhausted*`` and ``rounds``.
    """

    method: Method
    title: str
    seats: int
    candidates: tuple[str, ...]
    withdrawn: tuple[str, ...]
    winners: tuple[str, ...]
    ranking: tuple[str, ...]
    scores: tuple[tuple[str, int], ...]
    valid_ballots: int
    invalid_ballots: int
    quota: int | None = None
    exhausted: Decimal | None = None
    exhausted_ballots: int | None = None
    lost_to_rounding: Decimal | None = None
    rounds: tuple[StvRound, ...] = ()
    pairwise: tuple[tuple[int, ...], ...] = ()
    strongest_paths: tuple[tuple[int, ...], ...] = ()
    notes: tuple[str, ...] = ()


def _fixed(value: int) -> Decimal:
    whole, frac = divmod(value, SCALE)
    return Decimal(f"{whole}.{frac:05d}")


# --------------------------------------------------------------------------------------------
# BLT reading
# --------------------------------------------------------------------------------------------

_EQUALS = re.compile(r"\s*=\s*")
_INTEGER = re.compile(r"[0-9]+")
_SIGNED_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER_LIKE = re.compile(r"[-+.]?[0-9]")


def _code(line: str) -> str:
    """Return the part of a numeric line before any comment, stripped."""
    hash_at = line.find("#")
    return (line if hash_at < 0 else line[:hash_at]).strip()


def _int_token(token: str, line: int, what: str) -> int:
    if not _SIGNED_INTEGER.fullmatch(token):
        raise BltError(f"{what} must be an integer, found {token!r}", line)
    return int(token)


def _parse_ballot_line(text: str, n: int) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    """Parse the code part of one ballot line (errors carry no line number yet)."""
    if "=" in text:
        text = _EQUALS.sub("=", text)
    tokens = text.split()
    first = tokens[0]
    if not _INTEGER.fullmatch(first):
        if _NUMBER_LIKE.match(first):
            raise BltError(f"ballot weight must be a positive integer, found {first!r}")
        raise BltError(
            "expected a ballot 'WEIGHT PREFERENCES... 0' or the line '0' that ends the "
            f"ballots, found {text!r}"
        )
    weight = int(first)
    if weight < 1:
        raise BltError(f"ballot weight must be a positive integer, found {first!r}")
    if len(tokens) < 2 or tokens[-1] != "0":
        raise BltError("a ballot must end with 0")
    levels: list[tuple[int, ...]] = []
    seen: set[int] = set()
    for token in tokens[1:-1]:
        level: list[int] = []
        for part in token.split("="):
            if not _INTEGER.fullmatch(part):
                raise BltError(f"expected a candidate number, found {part!r}")
            number = int(part)
            if number == 0:
                raise BltError("0 may only end a ballot (found 0 before the last number)")
            if number > n:
                raise BltError(
                    f"candidate number {number} does not exist (the election has "
                    f"{n} candidate{'s' if n != 1 else ''})"
                )
            if number in seen:
                raise BltError(f"candidate {number} is ranked more than once")
            seen.add(number)
            level.append(number - 1)
        levels.append(tuple(level))
    return (weight, *_from_levels(levels))


class _EarlyEnd(Exception):
    """A line before the presumed end of the ballots ends them (or is a name)."""


def _read_ballots(lines: list[str], start: int, end: int, n: int) -> list[Ballot]:
    """Merge the ballot lines ``lines[start:end]`` into one weighted ballot per ranking.

    Identical lines are counted first and each distinct line is parsed once. Plain lines
    (canonical numbers, no "=") take a fast path; anything else goes through
    :func:`_parse_ballot_line`, which explains what is wrong.
    """
    index_of = {str(k): k - 1 for k in range(1, n + 1)}.__getitem__
    weight_of: dict[str, int] = {}  # canonical weight tokens seen so far ("1" nearly always)
    plain: dict[tuple[int, ...], int] = {}
    tied: dict[tuple[tuple[int, ...], tuple[int, ...]], int] = {}
    for raw, copies in Counter(lines[start:end]).items():
        tokens = (raw if "#" not in raw else raw[: raw.index("#")]).split()
        if not tokens:
            continue
        first = tokens[0]
        weight = weight_of.get(first)
        if weight is None and first.isdecimal() and first.isascii() and first[0] != "0":
            weight = weight_of[first] = int(first)
        if weight is not None and tokens[-1] == "0" and len(tokens) > 1:
            middle = tokens[1:-1]
            try:
                ranking = tuple(map(index_of, middle))
            except KeyError:
                pass
            else:
                if len(middle) < 2 or len(set(middle)) == len(middle):
                    plain[ranking] = plain.get(ranking, 0) + weight * copies
                    continue
        code = _code(raw)
        if code == "0" or code.startswith('"'):
            raise _EarlyEnd
        try:
            weight, ranking, ties = _parse_ballot_line(code, n)
        except BltError as exc:
            # Distinct lines come in order of first appearance: report that line.
            raise BltError(exc.reason, lines.index(raw, start, end) + 1) from None
        if ties:
            tied[ranking, ties] = tied.get((ranking, ties), 0) + weight * copies
        else:
            plain[ranking] = plain.get(ranking, 0) + weight * copies
    ballots = [Ballot(w, r) for r, w in plain.items()]
    ballots.extend(Ballot(w, r, t) for (r, t), w in tied.items())
    return ballots


def _find_end(lines: list[str], start: int) -> int:
    """Index of the line "0" that ends the ballots; BltError if a name comes first or none."""
    for j in range(start, len(lines)):
        raw = lines[j]
        code = _code(raw) if "#" in raw else raw.strip()
        if code == "0":
            return j
        if code.startswith('"'):
            raise BltError(
                "missing the line '0' that ends the ballots before the candidate names", j + 1
            )
    raise BltError("missing the line '0' that ends the ballots", len(lines))


def _name_tokens(line: str, lineno: int) -> list[str]:
    """Split a line of the names section into quoted (or single-word) strings."""
    tokens: list[str] = []
    i = 0
    length = len(line)
    while i < length:
        ch = line[i]
        if ch.isspace():
            i += 1
        elif ch == "#":
            break
        elif ch == '"':
            end = line.find('"', i + 1)
            if end < 0:
                raise BltError('unterminated quoted name (missing closing ")', lineno)
            tokens.append(line[i + 1 : end])
            i = end + 1
        else:
            j = i
            while j < length and not line[j].isspace() and line[j] not in '#"':
                j += 1
            tokens.append(line[i:j])
            i = j
    return tokens


def parse_blt(text: str) -> Election:
    """Parse BLT text into an :class:`Election` (identical ballots merged).

    Raises :class:`BltError` with the line number of the first problem.
    """
    lines = text.removeprefix("\ufeff").splitlines()
    total = len(lines)
    i = 0
    while i < total and not _code(lines[i]):
        i += 1
    if i == total:
        raise BltError("the file is empty (expected a header 'CANDIDATES SEATS')")
    header = _code(lines[i]).split()
    if len(header) != 2 or not all(_INTEGER.fullmatch(t) for t in header):
        raise BltError(
            "the header must be 'CANDIDATES SEATS' (two positive integers), "
            f"found {_code(lines[i])!r}",
            i + 1,
        )
    n, seats = int(header[0]), int(header[1])
    if n < 1:
        raise BltError("the header must announce at least one candidate", i + 1)
    if seats < 1:
        raise BltError("the header must announce at least one seat", i + 1)
    i += 1

    while i < total and not _code(lines[i]):
        i += 1
    withdrawn: set[int] = set()
    if i < total and _code(lines[i]).startswith("-"):
        for token in _code(lines[i]).split():
            value = _int_token(token, i + 1, "a withdrawn candidate")
            if value >= 0:
                raise BltError(
                    f"withdrawn candidates are written as negative numbers, found {token!r}",
                    i + 1,
                )
            if -value > n:
                raise BltError(f"withdrawn candidate {-value} does not exist", i + 1)
            withdrawn.add(-value - 1)
        i += 1

    start = i
    # Usually the first line that is exactly "0" ends the ballots; if a line before it is
    # another way of writing "0" or a quoted name, scan line by line for the real end.
    try:
        end = lines.index("0", start)
    except ValueError:
        end = -1
    try:
        if end < 0:
            raise _EarlyEnd
        ballots = _read_ballots(lines, start, end, n)
    except _EarlyEnd:
        end = _find_end(lines, start)
        ballots = _read_ballots(lines, start, end, n)

    names: list[tuple[str, int]] = []
    for j in range(end + 1, total):
        names.extend((token, j + 1) for token in _name_tokens(lines[j], j + 1))
    if len(names) < n:
        raise BltError(f"expected {n} candidate names after the ballots, found {len(names)}", total)
    if len(names) > n + 1:
        raise BltError(f"unexpected text after the title: {names[n + 1][0]!r}", names[n + 1][1])
    seen: set[str] = set()
    for name, lineno in names[:n]:
        if not name.strip():
            raise BltError("a candidate name is empty", lineno)
        if name in seen:
            raise BltError(f"candidate name {name!r} is used twice", lineno)
        seen.add(name)
    return _trusted_election(
        candidates=tuple(name for name, _ in names[:n]),
        seats=seats,
        ballots=tuple(ballots),
        withdrawn=frozenset(withdrawn),
        title=names[n][0] if len(names) > n else "",
    )


def _trusted_election(
    *,
    candidates: tuple[str, ...],
    seats: int,
    ballots: tuple[Ballot, ...],
    withdrawn: frozenset[int],
    title: str,
) -> Election:
    """Build an Election from already validated parts, skipping the per-ballot checks."""
    election = object.__new__(Election)
    for name, value in (
        ("candidates", candidates),
        ("seats", seats),
        ("ballots", ballots),
        ("withdrawn", withdrawn),
        ("title", title),
    ):
        object.__setattr__(election, name, value)
    return election


def read_blt(path: str | os.PathLike[str]) -> Election:
    """Read and parse a BLT file (UTF-8, an initial byte-order mark is ignored)."""
    with open(path, encoding="utf-8-sig") as handle:
        text = handle.read()
    return parse_blt(text)


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


class _Setup:
    """What every method needs: eligible candidates, seats, tie priorities and group quotas."""

    def __init__(
        self,
        election: Election,
        seats: int | None,
        constraints: Constraints | None,
        tie_order: Sequence[str] | None,
    ) -> None:
        names = election.candidates
        self.names = names
        self.n = len(names)
        self.title = election.title
        self.seats = election.seats if seats is None else seats
        if isinstance(self.seats, bool) or not isinstance(self.seats, int) or self.seats < 1:
            raise TallyError(f"seats must be a positive integer, got {self.seats!r}")
        self.withdrawn = election.withdrawn
        self.eligible = tuple(c for c in range(self.n) if c not in election.withdrawn)
        index = {name: i for i, name in enumerate(names)}

        # priority[c]: lower is favoured when a tie is left to the tie order.
        if tie_order is None:
            self.priority = list(range(self.n))
        else:
            order = list(tie_order)
            unknown = [name for name in order if name not in index]
            if unknown:
                raise TallyError(f"tie order names unknown candidates: {', '.join(unknown)}")
            if len(set(order)) != len(order) or set(order) != set(names):
                raise TallyError("the tie order must list every candidate exactly once")
            self.priority = [0] * self.n
            for rank, name in enumerate(order):
                self.priority[index[name]] = rank

        self.group: list[str | None] = [None] * self.n
        self.minimum: dict[str, int] = {}
        if constraints is not None:
            for name, group in constraints.group_of:
                if name not in index:
                    raise ConstraintError(f"the group quota names an unknown candidate {name!r}")
                self.group[index[name]] = group
            for group, minimum in constraints.minimum:
                if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
                    raise ConstraintError(
                        f"the minimum of group {group!r} must be a non-negative integer"
                    )
                available = sum(1 for c in self.eligible if self.group[c] == group)
                if minimum > available:
                    raise ConstraintError(
                        f"group {group!r} needs {minimum} seat{'s' if minimum != 1 else ''} "
                        f"but has only {available} eligible candidate"
                        f"{'s' if available != 1 else ''}"
                    )
                if minimum:
                    self.minimum[group] = minimum
            if sum(self.minimum.values()) > self.seats:
                raise ConstraintError(
                    f"the group minimums add up to {sum(self.minimum.values())}, "
                    f"more than the {self.seats} seats"
                )

    def needed(self, elected: Iterable[int]) -> dict[str, int]:
        """Seats each group still needs, given the candidates elected so far."""
        need = dict(self.minimum)
        for c in elected:
            g = self.group[c]
            if g is not None and need.get(g, 0) > 0:
                need[g] -= 1
        return need

    def may_elect(self, c: int, elected: Sequence[int]) -> bool:
        """Whether electing ``c`` keeps every group minimum reachable."""
        if not self.minimum:
            return True
        need = self.needed(elected)
        g = self.group[c]
        if g is not None and need.get(g, 0) > 0:
            return True
        return self.seats - len(elected) - sum(need.values()) >= 1

    def fill_by_rank(self, ranking: Sequence[int]) -> tuple[list[int], list[str]]:
        """Take candidates in ranking order, reserving seats for groups below their minimum."""
        winners: list[int] = []
        notes: list[str] = []
        for c in ranking:
            if len(winners) == self.seats:
                break
            if self.may_elect(c, winners):
                winners.append(c)
            else:
                notes.append(
                    f"{self.names[c]} passed over: the remaining seats are reserved by the "
                    "group quota"
                )
        return winners, notes

    @property
    def eligible_names(self) -> tuple[str, ...]:
        return tuple(self.names[c] for c in self.eligible)

    @property
    def withdrawn_names(self) -> tuple[str, ...]:
        return tuple(self.names[c] for c in sorted(self.withdrawn))


def _effective_levels(ballot: Ballot, withdrawn: frozenset[int]) -> tuple[tuple[int, ...], ...]:
    """The ballot's preference levels with withdrawn candidates taken out."""
    levels = _levels(ballot.ranking, ballot.ties)
    if not withdrawn:
        return levels
    kept = (tuple(c for c in level if c not in withdrawn) for level in levels)
    return tuple(level for level in kept if level)


def _score_ranking(setup: _Setup, scores: Sequence[int]) -> tuple[list[int], list[str]]:
    """Eligible candidates by score (highest first), ties by the tie order, with notes."""
    ranking = sorted(setup.eligible, key=lambda c: (-scores[c], setup.priority[c]))
    notes: list[str] = []
    position = 0
    while position < len(ranking):
        tied = [c for c in ranking[position:] if scores[c] == scores[ranking[position]]]
        if len(tied) > 1 and position < setup.seats:
            notes.append(
                f"tie at {scores[tied[0]]} between "
                + ", ".join(setup.names[c] for c in tied)
                + ": ordered by the tie order"
            )
        position += len(tied)
    return ranking, notes


# --------------------------------------------------------------------------------------------
# Plurality and approval
# --------------------------------------------------------------------------------------------


def plurality(
    election: Election,
    *,
    seats: int | None = None,
    constraints: Constraints | None = None,
    tie_order: Sequence[str] | None = None,
) -> TallyResult:
    """Count first preferences; the ``seats`` candidates with most votes win."""
    setup = _Setup(election, seats, constraints, tie_order)
    scores = [0] * setup.n
    valid = invalid = 0
    for ballot in election.ballots:
        levels = _effective_levels(ballot, election.withdrawn)
        if levels and len(levels[0]) == 1:
            scores[levels[0][0]] += ballot.weight
            valid += ballot.weight
        else:
            invalid += ballot.weight
    return _by_score(setup, "plurality", scores, valid, invalid)


def approval(
    election: Election,
    *,
    seats: int | None = None,
    constraints: Constraints | None = None,
    tie_order: Sequence[str] | None = None,
) -> TallyResult:
    """Count approvals (every candidate named on a ballot); the ``seats`` most approved win."""
    setup = _Setup(election, seats, constraints, tie_order)
    scores = [0] * setup.n
    valid = invalid = 0
    for ballot in election.ballots:
        approved = [c for c in ballot.ranking if c not in election.withdrawn]
        if not approved:
            invalid += ballot.weight
            continue
        valid += ballot.weight
        for c in approved:
            scores[c] += ballot.weight
    return _by_score(setup, "approval", scores, valid, invalid)


def _by_score(
    setup: _Setup, method: Method, scores: list[int], valid: int, invalid: int
) -> TallyResult:
    ranking, notes = _score_ranking(setup, scores)
    winners, fill_notes = setup.fill_by_rank(ranking)
    return TallyResult(
        method=method,
        title=setup.title,
        seats=setup.seats,
        candidates=setup.eligible_names,
        withdrawn=setup.withdrawn_names,
        winners=tuple(setup.names[c] for c in winners),
        ranking=tuple(setup.names[c] for c in ranking),
        scores=tuple((setup.names[c], scores[c]) for c in setup.eligible),
        valid_ballots=valid,
        invalid_ballots=invalid,
        notes=tuple(notes + fill_notes),
    )


# --------------------------------------------------------------------------------------------
# Schulze
# --------------------------------------------------------------------------------------------


def schulze(
    election: Election,
    *,
    seats: int | None = None,
    constraints: Constraints | None = None,
    tie_order: Sequence[str] | None = None,
) -> TallyResult:
    """Rank the candidates by the Schulze method (winning votes); the first ``seats`` win."""
    setup = _Setup(election, seats, constraints, tie_order)
    n = setup.n
    # above[i * n + j]: weight ranking i strictly above j, both ranked;
    # equal[i * n + j]: weight ranking i and j equal; ranked[i]: weight ranking i at all.
    above = [0] * (n * n)
    equal = [0] * (n * n)
    ranked = [0] * n
    valid = invalid = 0
    for ballot in election.ballots:
        levels = _effective_levels(ballot, election.withdrawn)
        w = ballot.weight
        if not levels:
            invalid += w
            continue
        valid += w
        earlier: list[int] = []
        for level in levels:
            for c in level:
                ranked[c] += w
                for a in earlier:
                    above[a * n + c] += w
            if len(level) > 1:
                for a in level:
                    for b in level:
                        if a != b:
                            equal[a * n + b] += w
            earlier.extend(level)
    eligible = setup.eligible
    d = [[0] * n for _ in range(n)]
    for i in eligible:
        for j in eligible:
            if i != j:
                d[i][j] = ranked[i] - above[j * n + i] - equal[i * n + j]
    p = [[0] * n for _ in range(n)]
    for i in eligible:
        for j in eligible:
            if i != j and d[i][j] > d[j][i]:
                p[i][j] = d[i][j]
    for k in eligible:
        pk = p[k]
        for i in eligible:
            if i == k:
                continue
            pi = p[i]
            pik = pi[k]
            if not pik:
                continue
            for j in eligible:
                if j not in (i, k):
                    width = pik if pik < pk[j] else pk[j]
                    if width > pi[j]:
                        pi[j] = width
    beats = [sum(1 for j in eligible if p[i][j] > p[j][i]) for i in range(n)]
    ranking = sorted(eligible, key=lambda c: (-beats[c], setup.priority[c]))
    notes = [
        f"{setup.names[a]} and {setup.names[b]} are tied under Schulze; "
        f"{setup.names[a]} is placed first by the tie order"
        for a, b in itertools.pairwise(ranking)
        if beats[a] == beats[b]
    ]
    winners, fill_notes = setup.fill_by_rank(ranking)
    return TallyResult(
        method="schulze",
        title=setup.title,
        seats=setup.seats,
        candidates=setup.eligible_names,
        withdrawn=setup.withdrawn_names,
        winners=tuple(setup.names[c] for c in winners),
        ranking=tuple(setup.names[c] for c in ranking),
        scores=tuple((setup.names[c], beats[c]) for c in eligible),
        valid_ballots=valid,
        invalid_ballots=invalid,
        pairwise=tuple(tuple(d[i][j] for j in eligible) for i in eligible),
        strongest_paths=tuple(tuple(p[i][j] for j in eligible) for i in eligible),
        notes=tuple(notes + fill_notes),
    )


# --------------------------------------------------------------------------------------------
# STV (Scottish rules)
# --------------------------------------------------------------------------------------------


def stv(
    election: Election,
    *,
    seats: int | None = None,
    constraints: Constraints | None = None,
    tie_order: Sequence[str] | None = None,
) -> TallyResult:
    """Count by Scottish STV (SSI 2007/42 rules 45-52); see the module documentation."""
    setup = _Setup(election, seats, constraints, tie_order)
    withdrawn = election.withdrawn
    prefs: list[tuple[int, ...]] = []
    weights: list[int] = []
    invalid = 0
    if not withdrawn and not any(ballot.ties for ballot in election.ballots):
        # The common case: every ranking is already the sequence of preferences.
        for ballot in election.ballots:
            if ballot.ranking:
                prefs.append(ballot.ranking)
                weights.append(ballot.weight)
            else:
                invalid += ballot.weight
        return _StvCount(setup, prefs, weights, invalid).run()
    # Withdrawn candidates or equal preferences: recompute the strict sequence of each
    # ballot (up to its first shared preference) and merge those that become identical.
    merged: dict[tuple[int, ...], int] = {}
    for ballot in election.ballots:
        levels = _effective_levels(ballot, withdrawn)
        if not levels or len(levels[0]) != 1:
            invalid += ballot.weight
            continue
        key = tuple(level[0] for level in itertools.takewhile(_single, levels))
        merged[key] = merged.get(key, 0) + ballot.weight
    for key, weight in merged.items():
        prefs.append(key)
        weights.append(weight)
    return _StvCount(setup, prefs, weights, invalid).run()


def _single(level: tuple[int, ...]) -> bool:
    return len(level) == 1


class _StvCount:
    """State of one Scottish STV count, in fixed point (``SCALE`` units per vote)."""

    def __init__(
        self, setup: _Setup, prefs: list[tuple[int, ...]], weights: list[int], invalid: int
    ) -> None:
        self.setup = setup
        self.names = setup.names
        n = setup.n
        self.prefs = prefs
        self.weights = weights
        self.invalid = invalid
        self.valid = sum(weights)
        self.quota_votes = self.valid // (setup.seats + 1) + 1
        self.quota = self.quota_votes * SCALE
        self.status = [_WITHDRAWN] * n
        for c in setup.eligible:
            self.status[c] = _CONTINUING
        self.votes = [0] * n
        # piles[c]: indices of the ballots c holds. A ballot's papers always move together, so
        # position[b] (index in prefs[b] of the candidate holding it) and value[b] (value of
        # each of its papers, in SCALE units) describe all of them.
        self.piles: list[list[int]] = [[] for _ in range(n)]
        self.position = [0] * len(prefs)
        self.value = [SCALE] * len(prefs)
        self.elected: list[int] = []
        self.pending: list[int] = []  # elected, surplus not yet transferred
        self.exhausted = 0
        self.exhausted_ballots = 0
        self.lost = 0
        self.history: list[list[int]] = []
        self.rounds: list[StvRound] = []
        self.notes: list[str] = []

    # -- helpers -----------------------------------------------------------------------------

    def continuing(self) -> list[int]:
        return [c for c in self.setup.eligible if self.status[c] == _CONTINUING]

    def pick(self, tied: list[int], *, highest: bool, reason: str, stage: int) -> int:
        """Choose among candidates with equal votes (rules 49(2), 51(2), then the tie order)."""
        if len(tied) == 1:
            return tied[0]
        names = ", ".join(self.names[c] for c in tied)
        pool = list(tied)
        for back, snapshot in enumerate(reversed(self.history[:-1]), start=1):
            values = [snapshot[c] for c in pool]
            if len(set(values)) > 1:
                best = max(values) if highest else min(values)
                pool = [c for c in pool if snapshot[c] == best]
                if len(pool) == 1:
                    earlier = len(self.history) - back
                    self.notes.append(
                        f"stage {stage}: tie for {reason} between {names} broken by the "
                        f"votes at stage {earlier}: {self.names[pool[0]]}"
                    )
                    return pool[0]
        priority = self.setup.priority
        choice = (min if highest else max)(pool, key=lambda c: priority[c])
        self.notes.append(
            f"stage {stage}: tie for {reason} between {names} broken by the tie order: "
            f"{self.names[choice]}"
        )
        return choice

    def order_by_votes(self, candidates: list[int], stage: int, reason: str) -> list[int]:
        """Candidates by votes, highest first, ties broken as the rules say."""
        rest = list(candidates)
        ordered: list[int] = []
        while rest:
            top = max(self.votes[c] for c in rest)
            tied = [c for c in rest if self.votes[c] == top]
            choice = self.pick(tied, highest=True, reason=reason, stage=stage)
            ordered.append(choice)
            rest.remove(choice)
        return ordered

    def elect(self, c: int, elected_now: list[int]) -> None:
        self.status[c] = _ELECTED
        self.elected.append(c)
        elected_now.append(c)
        if self.votes[c] > self.quota:
            self.pending.append(c)

    def transfer(self, held: list[int], surplus: int = 0, total: int = 0) -> None:
        """Pass the ballots in ``held`` to their next continuing preference.

        With a ``surplus`` each paper's value becomes ``surplus * value // total`` (rule 48(3):
        truncated to five decimals, paper by paper); without, values are kept (rule 50(4)).
        """
        prefs = self.prefs
        weights = self.weights
        status = self.status  # 0 (_CONTINUING) is the only false value
        position = self.position
        value = self.value
        piles = self.piles
        gains = [0] * len(status)
        new_values: dict[int, int] = {}
        exhausted = 0
        exhausted_ballots = 0
        for b in held:
            if surplus:
                old = value[b]
                nv = new_values.get(old)
                if nv is None:
                    nv = new_values[old] = surplus * old // total
                value[b] = nv
            else:
                nv = value[b]
            p = prefs[b]
            k = position[b] + 1
            end = len(p)
            while k < end and status[p[k]]:
                k += 1
            if k == end:
                exhausted += weights[b] * nv
                exhausted_ballots += weights[b]
                continue
            position[b] = k
            c = p[k]
            piles[c].append(b)
            gains[c] += weights[b] * nv
        moved = 0
        votes = self.votes
        for c, gain in enumerate(gains):
            if gain:
                votes[c] += gain
                moved += gain
        self.exhausted += exhausted
        self.exhausted_ballots += exhausted_ballots
        if surplus:
            self.lost += surplus - moved - exhausted

    # -- settling after a stage -----------------------------------------------------------

    def settle(self, stage: int) -> tuple[list[int], bool]:
        """Elect whoever must be elected after a stage; return (elected, count finished)."""
        setup = self.setup
        seats = setup.seats
        elected_now: list[int] = []
        changed = True
        while changed and len(self.elected) < seats:
            changed = False
            reached = [c for c in self.continuing() if self.votes[c] >= self.quota]
            for c in self.order_by_votes(reached, stage, "election order"):
                if len(self.elected) < seats and setup.may_elect(c, self.elected):
                    self.elect(c, elected_now)
                    changed = True
            if setup.minimum:
                need = setup.needed(self.elected)
                for group, missing in sorted(need.items()):
                    members = [c for c in self.continuing() if setup.group[c] == group]
                    if missing and len(members) == missing:
                        for c in self.order_by_votes(members, stage, "election order"):
                            self.elect(c, elected_now)
                        self.notes.append(
                            f"stage {stage}: "
                            + ", ".join(self.names[c] for c in members)
                            + f" elected to meet the minimum of group {group!r}"
                        )
                        changed = True
        if len(self.elected) >= seats:
            return elected_now, True
        continuing = self.continuing()
        if len(continuing) <= seats - len(self.elected):
            for c in self.order_by_votes(continuing, stage, "election order"):
                self.elect(c, elected_now)
            if len(self.elected) < seats:
                vacant = seats - len(self.elected)
                self.notes.append(
                    f"only {len(self.elected)} candidate{'s' if len(self.elected) != 1 else ''}"
                    f" for {seats} seats: {vacant} seat{'s' if vacant != 1 else ''} left vacant"
                )
            return elected_now, True
        return elected_now, False

    def forced_exclusions(self) -> list[int]:
        """Continuing candidates who can no longer be elected under the group quota."""
        setup = self.setup
        if not setup.minimum:
            return []
        need = setup.needed(self.elected)
        free = setup.seats - len(self.elected) - sum(need.values())
        if free > 0:
            return []
        return [
            c
            for c in self.continuing()
            if (group := setup.group[c]) is None or need.get(group, 0) == 0
        ]

    def record(
        self,
        stage: int,
        kind: RoundKind,
        subject: list[int],
        elected_now: list[int],
        excluded: list[int],
        notes_from: int,
    ) -> None:
        snapshot = list(self.votes)
        self.history.append(snapshot)
        names = self.names
        self.rounds.append(
            StvRound(
                stage=stage,
                kind=kind,
                candidates=tuple(names[c] for c in subject),
                votes=tuple((names[c], _fixed(snapshot[c])) for c in self.setup.eligible),
                elected=tuple(names[c] for c in elected_now),
                excluded=tuple(names[c] for c in excluded),
                exhausted=_fixed(self.exhausted),
                exhausted_ballots=self.exhausted_ballots,
                lost_to_rounding=_fixed(self.lost),
                notes=tuple(self.notes[notes_from:]),
            )
        )

    # -- the count ---------------------------------------------------------------------------

    def run(self) -> TallyResult:
        setup = self.setup
        piles = self.piles
        first = [0] * setup.n
        for b, (p, w) in enumerate(zip(self.prefs, self.weights, strict=True)):
            piles[p[0]].append(b)
            first[p[0]] += w
        self.votes = [v * SCALE for v in first]

        stage = 1
        kind: RoundKind = "first_preferences"
        subject: list[int] = []
        excluded: list[int] = []
        while True:
            notes_from = len(self.notes)
            # The snapshot of this stage is needed by tie-breaks while settling it.
            self.history.append(list(self.votes))
            elected_now, finished = self.settle(stage)
            self.history.pop()
            self.record(stage, kind, subject, elected_now, excluded, notes_from)
            if finished:
                break
            stage += 1
            forced = self.forced_exclusions()
            if forced:
                kind, subject, excluded = "quota_exclusion", forced, forced
                entries: list[int] = []
                for c in forced:
                    self.status[c] = _EXCLUDED
                for c in forced:
                    entries.extend(self.piles[c])
                    self.piles[c] = []
                    self.votes[c] = 0
                self.notes.append(
                    f"stage {stage}: "
                    + ", ".join(self.names[c] for c in forced)
                    + " excluded: the remaining seats are reserved by the group quota"
                )
                self.transfer(entries)
            elif self.pending:
                top = max(self.votes[c] for c in self.pending)
                tied = [c for c in self.pending if self.votes[c] == top]
                c = self.pick(tied, highest=True, reason="largest surplus", stage=stage)
                self.pending.remove(c)
                kind, subject, excluded = "surplus", [c], []
                total = self.votes[c]
                surplus = total - self.quota
                entries = self.piles[c]
                self.piles[c] = []
                self.votes[c] = self.quota
                self.transfer(entries, surplus, total)
            else:
                continuing = self.continuing()
                low = min(self.votes[c] for c in continuing)
                tied = [c for c in continuing if self.votes[c] == low]
                c = self.pick(tied, highest=False, reason="exclusion", stage=stage)
                kind, subject, excluded = "exclusion", [c], [c]
                self.status[c] = _EXCLUDED
                entries = self.piles[c]
                self.piles[c] = []
                self.votes[c] = 0
                self.transfer(entries)

        names = self.names
        return TallyResult(
            method="stv",
            title=setup.title,
            seats=setup.seats,
            candidates=setup.eligible_names,
            withdrawn=setup.withdrawn_names,
            winners=tuple(names[c] for c in self.elected),
            ranking=(),
            scores=tuple((names[c], self.history[0][c] // SCALE) for c in setup.eligible),
            valid_ballots=self.valid,
            invalid_ballots=self.invalid,
            quota=self.quota_votes,
            exhausted=_fixed(self.exhausted),
            exhausted_ballots=self.exhausted_ballots,
            lost_to_rounding=_fixed(self.lost),
            rounds=tuple(self.rounds),
            notes=tuple(self.notes),
        )


# --------------------------------------------------------------------------------------------
# Dispatch, JSON and command line
# --------------------------------------------------------------------------------------------


def count(
    election: Election,
    method: Method,
    *,
    seats: int | None = None,
    constraints: Constraints | None = None,
    tie_order: Sequence[str] | None = None,
) -> TallyResult:
    """Count ``election`` by ``method``; ``seats`` overrides the election's seat count."""
    counters = {"plurality": plurality, "approval": approval, "schulze": schulze, "stv": stv}
    if method not in counters:
        raise TallyError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return counters[method](election, seats=seats, constraints=constraints, tie_order=tie_order)


def result_to_json(result: TallyResult) -> dict[str, object]:
    """Return a JSON-ready dict: ``winners`` always, ``ranking`` for Schulze, STV details.

    Fractional STV votes are given as decimal strings with five places, to stay exact.
    """
    data: dict[str, object] = {
        "method": result.method,
        "title": result.title,
        "seats": result.seats,
        "candidates": list(result.candidates),
        "withdrawn": list(result.withdrawn),
        "winners": list(result.winners),
    }
    if result.method == "schulze":
        data["ranking"] = list(result.ranking)
        data["beats"] = dict(result.scores)
        data["pairwise"] = [list(row) for row in result.pairwise]
        data["strongest_paths"] = [list(row) for row in result.strongest_paths]
    elif result.method in ("plurality", "approval"):
        data["ranking"] = list(result.ranking)
        data["scores"] = dict(result.scores)
    data["valid_ballots"] = result.valid_ballots
    data["invalid_ballots"] = result.invalid_ballots
    if result.method == "stv":
        data["quota"] = result.quota
        data["exhausted"] = str(result.exhausted)
        data["exhausted_ballots"] = result.exhausted_ballots
        data["lost_to_rounding"] = str(result.lost_to_rounding)
        data["rounds"] = [
            {
                "stage": r.stage,
                "kind": r.kind,
                "candidates": list(r.candidates),
                "votes": {name: str(v) for name, v in r.votes},
                "elected": list(r.elected),
                "excluded": list(r.excluded),
                "exhausted": str(r.exhausted),
                "exhausted_ballots": r.exhausted_ballots,
                "lost_to_rounding": str(r.lost_to_rounding),
                "notes": list(r.notes),
            }
            for r in result.rounds
        ]
    data["notes"] = list(result.notes)
    return data


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(message)


def _pairs(values: list[str], option: str, form: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for value in values:
        key, sep, rest = value.rpartition("=")
        if not sep or not key or not rest:
            raise _ArgumentError(f"{option} expects {form}, got {value!r}")
        pairs.append((key, rest))
    return pairs


def cli(argv: list[str] | None = None) -> int:
    """Run ``tally --method {plurality,approval,schulze,stv} [--seats N] FILE.blt``.

    Prints one JSON object (see :func:`result_to_json`) on stdout and returns 0. Malformed
    files or arguments print a message on stderr and return 2. ``--group NAME=GROUP`` and
    ``--minimum GROUP=N`` (both repeatable) set a group quota. A leading ``tally`` word in
    ``argv`` is accepted and ignored.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["tally"]:
        args = args[1:]
    parser = _Parser(prog="tally", description="Count the ballots of a BLT file.")
    parser.add_argument("--method", required=True, choices=METHODS)
    parser.add_argument("--seats", type=int, help="number of seats (overrides the file)")
    parser.add_argument(
        "--group", action="append", default=[], metavar="NAME=GROUP", help="candidate's group"
    )
    parser.add_argument(
        "--minimum", action="append", default=[], metavar="GROUP=N", help="group's minimum"
    )
    parser.add_argument("file", metavar="FILE.blt")
    try:
        ns = parser.parse_args(args)
        groups = dict(_pairs(cast(list[str], ns.group), "--group", "NAME=GROUP"))
        minimum: dict[str, int] = {}
        for group, value in _pairs(cast(list[str], ns.minimum), "--minimum", "GROUP=N"):
            if not value.isdigit():
                raise _ArgumentError(f"--minimum expects GROUP=N with N >= 0, got {value!r}")
            minimum[group] = int(value)
    except _ArgumentError as exc:
        print(f"tally: error: {exc}", file=sys.stderr)
        parser.print_usage(sys.stderr)
        return 2
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    path = cast(str, ns.file)
    constraints = Constraints.from_mappings(groups, minimum) if groups or minimum else None
    try:
        election = read_blt(path)
        result = count(
            election,
            cast(Method, ns.method),
            seats=cast(int | None, ns.seats),
            constraints=constraints,
        )
    except OSError as exc:
        print(f"tally: error: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"tally: error: {path}: not UTF-8 text ({exc.reason})", file=sys.stderr)
        return 2
    except TallyError as exc:
        print(f"tally: error: {path}: {exc}", file=sys.stderr)
        return 2
    json.dump(result_to_json(result), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
