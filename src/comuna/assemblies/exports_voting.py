"""Exports of an assembly: Popolo JSON, the iCalendar of its sessions, CSV of attendance and
of results (polls and elections), CSV of a poll's roll.

Popolo (https://www.popoloproject.com/specs/): `organizations` (the assembly, its convening
organisation and the delegations' organisations), `persons` (participants, by name only:
never an ID number, phone, e-mail or address), `memberships` (each participant in the
assembly, with their role and the organisation they come on behalf of), `events` (the
sessions), `motions` (with their result) and `vote_events` (closed polls with `counts`;
`votes` — who voted what — for named polls only). Elections have no Popolo class and are
left out (the API gives them).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from comuna.assemblies.models import Assembly, Motion, Participant
from comuna.assemblies.models_voting import (
    Choice,
    DecisionType,
    Election,
    ElectionMethod,
    MajorityRule,
    Poll,
    PollStatus,
    RollEntry,
    Verdict,
)
from comuna.core import ical

POPOLO_RESULT = {Verdict.ADOPTED: "pass", Verdict.REJECTED: "fail", Verdict.NO_QUORUM: "fail"}


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.get_default_timezone()).isoformat() if moment else None


def _local(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def popolo(assembly: Assembly, base_url: str = "") -> dict[str, Any]:
    """The assembly as one Popolo JSON document (a fixed number of queries)."""
    prefix = f"{base_url}/asambleas/{assembly.slug}"
    assembly_id = f"{prefix}#assembly"

    def org_id(slug: str) -> str:
        return f"{base_url}/organizaciones/{slug}"

    def person_id(number: str) -> str:
        return f"{prefix}/participantes/{number}"

    organizations: dict[str, dict[str, Any]] = {
        assembly_id: {
            "id": assembly_id,
            "name": assembly.title,
            "classification": assembly.scope,
            "founding_date": assembly.starts_on.isoformat(),
            "dissolution_date": assembly.ends_on.isoformat(),
        }
    }

    def add_org(slug: str, name: str, classification: str) -> str:
        key = org_id(slug)
        organizations.setdefault(key, {"id": key, "name": name, "classification": classification})
        return key

    owner = assembly.owner
    organizations[assembly_id]["parent_id"] = add_org(owner.slug, owner.name, owner.kind)
    participants = list(
        Participant.objects.filter(assembly=assembly)
        .select_related("organisation")
        .order_by("number")
        .only(
            "number",
            "name",
            "kind",
            "affiliation",
            "organisation__slug",
            "organisation__name",
            "organisation__kind",
            "mandate_issued_on",
            "mandate_valid_until",
        )
    )
    persons = []
    memberships = []
    for p in participants:
        pid = person_id(p.number)
        persons.append({"id": pid, "name": p.name})
        membership: dict[str, Any] = {
            "id": f"{pid}#membership",
            "person_id": pid,
            "organization_id": assembly_id,
            "role": p.kind,
            "label": p.get_kind_display(),
        }
        if p.organisation is not None:
            membership["on_behalf_of_id"] = add_org(
                p.organisation.slug, p.organisation.name, p.organisation.kind
            )
        elif p.affiliation:
            membership["on_behalf_of"] = {"name": p.affiliation}
        if p.mandate_issued_on:
            membership["start_date"] = p.mandate_issued_on.isoformat()
        if p.mandate_valid_until:
            membership["end_date"] = p.mandate_valid_until.isoformat()
        memberships.append(membership)
    events = [
        {
            "id": f"{prefix}/sesiones/{s.pk}",
            "name": s.title,
            "classification": "session",
            "start_date": _iso(s.starts_at),
            "end_date": _iso(s.ends_at),
            "location": s.venue or assembly.venue,
            "organization_id": assembly_id,
        }
        for s in assembly.sessions.order_by("starts_at", "id")
    ]
    polls = list(
        Poll.objects.filter(assembly=assembly, status=PollStatus.CLOSED)
        .select_related("motion")
        .order_by("number")
    )
    motion_result: dict[int, str] = {}
    for poll in polls:
        if poll.motion_id and poll.amendment_id is None:
            motion_result[poll.motion_id] = POPOLO_RESULT[Verdict(poll.verdict)]
    motions = []
    for m in (
        Motion.objects.filter(assembly=assembly).select_related("state", "origin").order_by("id")
    ):
        motion: dict[str, Any] = {
            "id": f"{prefix}/mociones/{m.pk}",
            "organization_id": assembly_id,
            "identifier": m.number,
            "text": f"{m.title}\n\n{m.text}",
            "date": _iso(m.created_at),
            "classification": m.state.code,
            "creator_id": add_org(m.origin.slug, m.origin.name, m.origin.kind),
        }
        if m.pk in motion_result:
            motion["result"] = motion_result[m.pk]
        motions.append(motion)
    named = [p.pk for p in polls if not p.secret]
    votes_of: dict[int, list[dict[str, Any]]] = {}
    for entry in (
        RollEntry.objects.filter(poll_id__in=named)
        .select_related("participant")
        .only("poll_id", "choice", "weight", "participant__number")
        .order_by("participant__number")
    ):
        vote: dict[str, Any] = {
            "voter_id": person_id(entry.participant.number),
            "option": entry.choice,
        }
        if entry.weight != 1:
            vote["weight"] = entry.weight
        votes_of.setdefault(entry.poll_id, []).append(vote)
    vote_events = []
    for poll in polls:
        event: dict[str, Any] = {
            "id": f"{prefix}/votaciones/{poll.number}",
            "identifier": str(poll.number),
            "organization_id": assembly_id,
            "start_date": _iso(poll.opened_at),
            "end_date": _iso(poll.closed_at),
            "result": POPOLO_RESULT[Verdict(poll.verdict)],
            "counts": [
                {"option": "yes", "value": poll.yes},
                {"option": "no", "value": poll.no},
                {"option": "abstain", "value": poll.abstain},
            ],
            "requirement": str(MajorityRule(poll.verdict_rule).label),
            "legal_basis": poll.legal_basis,
            "secret": poll.secret,
        }
        if poll.motion_id:
            event["motion_id"] = f"{prefix}/mociones/{poll.motion_id}"
        else:
            event["motion"] = {"text": poll.title}
        if not poll.secret:
            event["votes"] = votes_of.get(poll.pk, [])
        vote_events.append(event)
    return {
        "organizations": list(organizations.values()),
        "persons": persons,
        "memberships": memberships,
        "events": events,
        "motions": motions,
        "vote_events": vote_events,
    }


# iCalendar --------------------------------------------------------------------------------------


def sessions_ical(assembly: Assembly, url: str = "", host: str = "comuna") -> str:
    events = [
        ical.Event(
            uid=f"assembly-session-{s.pk}@{host}",
            summary=f"{assembly.title}: {s.title}",
            start=s.starts_at,
            end=s.ends_at,
            location=s.venue or assembly.venue,
            description=assembly.description[:1000],
            url=url,
            status="CONFIRMED",
        )
        for s in assembly.sessions.order_by("starts_at", "id")
    ]
    return ical.calendar(assembly.title, events, timezone.now())


# CSV --------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def attendance_csv(assembly: Assembly) -> Iterator[str]:
    """Participants: number, name, kind, organisation, credential, present, check-in time.
    No mandate instructions, no personal data."""
    header = [
        _("Number"),
        _("Name"),
        _("Kind"),
        _("Organisation"),
        _("Credential"),
        _("Present"),
        _("Checked in"),
    ]
    qs = (
        Participant.objects.filter(assembly=assembly)
        .select_related("organisation")
        .order_by("number")
    )

    def rows() -> Iterator[list[Any]]:
        for p in qs.iterator(chunk_size=500):
            yield [
                p.number,
                p.name,
                p.get_kind_display(),
                p.organisation.name if p.organisation else p.affiliation,
                p.get_credential_status_display(),
                _("yes") if p.present else _("no"),
                _local(p.checked_in_at),
            ]

    return _rows(header, rows())


def results_csv(assembly: Assembly) -> Iterator[str]:
    """One row per poll and per election."""
    header = [
        _("Kind"),
        _("Number"),
        _("Title"),
        _("Motion"),
        _("Decision type"),
        _("Rule or method"),
        _("Secret"),
        _("Status"),
        _("Opened at"),
        _("Closed at"),
        _("Voting members"),
        _("Present"),
        _("Quorum"),
        _("Yes"),
        _("No"),
        _("Abstentions"),
        _("Delegates who voted"),
        _("Verdict"),
        _("Elected"),
        _("Legal basis"),
    ]
    polls = Poll.objects.filter(assembly=assembly).select_related("motion").order_by("number")
    elections = Election.objects.filter(assembly=assembly).order_by("number")

    def rows() -> Iterator[list[Any]]:
        for p in polls:
            closed = p.status == PollStatus.CLOSED
            yield [
                _("Poll"),
                p.number,
                p.title,
                p.motion.number if p.motion else "",
                DecisionType(p.decision_type).label,
                MajorityRule(p.rule).label,
                _("yes") if p.secret else _("no"),
                p.get_status_display(),
                _local(p.opened_at),
                _local(p.closed_at),
                p.members_at_close if closed else p.members_at_open,
                p.present_at_close if closed else p.present_at_open,
                p.quorum_at_close if closed else p.quorum_at_open,
                p.yes if closed else "",
                p.no if closed else "",
                p.abstain if closed else "",
                p.voters if closed else "",
                p.get_verdict_display() if p.verdict else "",
                "",
                p.legal_basis,
            ]
        for e in elections:
            closed = e.status == PollStatus.CLOSED
            yield [
                _("Election"),
                e.number,
                e.title,
                "",
                "",
                ElectionMethod(e.method).label,
                _("yes"),
                e.get_status_display(),
                _local(e.opened_at),
                _local(e.closed_at),
                e.members_at_close if closed else e.members_at_open,
                e.present_at_close if closed else e.present_at_open,
                e.quorum_at_close if closed else e.quorum_at_open,
                "",
                "",
                "",
                e.voters + e.paper_ballots if closed else "",
                e.get_verdict_display() if e.verdict else "",
                "; ".join(e.winners or []),
                e.legal_basis,
            ]

    return _rows(header, rows())


def roll_csv(poll: Poll) -> Iterator[str]:
    """Who voted in a poll; what they voted for named polls only."""
    header = [_("Number"), _("Name"), _("Organisation"), _("Weight")]
    if not poll.secret:
        header.append(_("Vote"))
    qs = (
        RollEntry.objects.filter(poll=poll)
        .select_related("participant", "participant__organisation")
        .order_by("participant__number")
    )

    def rows() -> Iterator[list[Any]]:
        for entry in qs.iterator(chunk_size=500):
            p = entry.participant
            row: list[Any] = [
                p.number,
                p.name,
                p.organisation.name if p.organisation else p.affiliation,
                entry.weight,
            ]
            if not poll.secret:
                row.append(Choice(entry.choice).label if entry.choice else "")
            yield row

    return _rows(header, rows())


def csv_text(chunks: Iterable[str]) -> str:
    """Join streamed CSV chunks (for tests and small exports)."""
    out = io.StringIO()
    for chunk in chunks:
        out.write(chunk)
    return out.getvalue()
