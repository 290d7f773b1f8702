"""Minutes generated from the structured record: attendance, convenors, sessions, agenda with
its speakers, motions and what became of them, the votes and the decisions. Plain text, so
that it can be edited in a text box, printed and archived; written in the language of whoever
generates it."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from comuna.assemblies import queries, queries_voting
from comuna.assemblies.models import Assembly, Motion, SpeakerEntry, SpeakerStatus


def poll_summaries(assembly: Assembly) -> list[dict[str, Any]]:
    """The closed polls and elections of the assembly, as lines of the minutes."""
    return [
        {
            "title": summary.title,
            "rule": summary.rule,
            "counts": ", ".join(f"{key}: {value}" for key, value in summary.counts.items()),
            "verdict": summary.verdict,
        }
        for summary in queries_voting.poll_summaries(assembly)
    ]


def render_minutes(assembly: Assembly) -> str:
    spoken: dict[int, list[SpeakerEntry]] = {}
    entries = SpeakerEntry.objects.filter(
        item__assembly=assembly, status__in=[SpeakerStatus.DONE, SpeakerStatus.SPEAKING]
    ).select_related("participant", "participant__organisation")
    for entry in entries.order_by("position", "id"):
        spoken.setdefault(entry.item_id, []).append(entry)
    agenda = [
        {"node": node, "indent": "  " * node.depth, "speakers": spoken.get(node.item.pk, [])}
        for node in queries.agenda_flat(assembly)
    ]
    motions: list[Motion] = list(
        Motion.objects.filter(assembly=assembly)
        .select_related("state", "origin", "working_group")
        .order_by("created_at", "id")
    )
    context = {
        "assembly": assembly,
        "attendance": queries.attendance(assembly),
        "quorum": queries.quorum(assembly),
        "convenors": list(queries.convenors(assembly)),
        "sessions": list(queries.sessions(assembly)),
        "delegations": list(queries.delegations(assembly)),
        "agenda": agenda,
        "groups": list(queries.working_groups(assembly)),
        "motions": motions,
        "adopted": [m for m in motions if m.state.code == "adopted"],
        "polls": poll_summaries(assembly),
        "now": timezone.localtime(),
    }
    text = render_to_string("assemblies/minutes.txt", context)
    lines = [line.rstrip() for line in text.splitlines()]
    cleaned: list[str] = []
    for line in lines:
        if not line and cleaned and not cleaned[-1]:
            continue
        cleaned.append(line)
    return "\n".join(cleaned).strip() + "\n"
