"""The supply-chain map: flows between communes drawn over the SVG map of Venezuela's states
(geography/maps.py), each line as wide as the volume it carries, built in Python with every
text escaped. The same flows are listed in a table below the map (readable without the
picture and without JavaScript).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from comuna.core import access
from comuna.core.models import Organisation
from comuna.geography.maps import HEIGHT, VIEW_BOX, WIDTH, project, state_paths
from comuna.production.models import Commitment, Proposal, ResourceSpecification, SupplyCycle

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

MAX_WIDTH = 9.0
MIN_WIDTH = 1.2


@dataclass
class Part:
    resource: str
    unit: str
    quantity: Decimal
    delivered: Decimal | None = None


@dataclass
class FlowLine:
    source: Organisation
    target: Organisation
    volume: Decimal = Decimal(0)
    parts: list[Part] = field(default_factory=list)
    width: float = MIN_WIDTH


def _fmt(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _commitment_rows(queryset: QuerySet[Commitment]) -> list[dict[str, Any]]:
    return list(
        queryset.values(
            "proposal__offer__commune_id", "proposal__need__commune_id", "resource_id"
        ).annotate(total=Sum("quantity_base"), done=Sum("delivered_base"))
    )


def _proposal_rows(queryset: QuerySet[Proposal]) -> list[dict[str, Any]]:
    return [
        {
            "proposal__offer__commune_id": row["offer__commune_id"],
            "proposal__need__commune_id": row["need__commune_id"],
            "resource_id": row["need__resource_id"],
            "total": row["total"],
            "done": None,
        }
        for row in queryset.values(
            "offer__commune_id", "need__commune_id", "need__resource_id"
        ).annotate(total=Sum("quantity_base"))
    ]


def flow_lines(user: AnyUser | None, *, cycle: SupplyCycle | None = None) -> list[FlowLine]:
    """Flows between communes, widest first: the commitments of the cycles the user can see
    (or of one cycle; before its agreement, the proposals of its latest allocation run).
    Four queries whatever the number of flows."""
    if cycle is not None:
        if Commitment.objects.filter(agreement__cycle=cycle).exists():
            rows = _commitment_rows(Commitment.objects.filter(agreement__cycle=cycle))
        else:
            rows = _proposal_rows(
                Proposal.objects.filter(cycle=cycle, run=cycle.allocation_run)
                .exclude(provider_decision="declined")
                .exclude(receiver_decision="declined")
            )
    else:
        visible = access.visible(SupplyCycle.objects.all(), user).values("pk")
        rows = _commitment_rows(Commitment.objects.filter(agreement__cycle__in=visible))
    commune_ids = {r["proposal__offer__commune_id"] for r in rows} | {
        r["proposal__need__commune_id"] for r in rows
    }
    from comuna.registry.models import Commune

    communes = {
        c.pk: c
        for c in Commune.objects.filter(pk__in=commune_ids - {None}, lat__isnull=False).only(
            "pk", "name", "slug", "lat", "lon"
        )
    }
    resources = {
        r.pk: r
        for r in ResourceSpecification.objects.filter(
            pk__in={r["resource_id"] for r in rows}
        ).select_related("unit", "unit__base")
    }
    lines: dict[tuple[int, int], FlowLine] = {}
    for row in rows:
        source = communes.get(row["proposal__offer__commune_id"])
        target = communes.get(row["proposal__need__commune_id"])
        if source is None or target is None:
            continue
        line = lines.setdefault((source.pk, target.pk), FlowLine(source=source, target=target))
        resource = resources[row["resource_id"]]
        unit = resource.unit.base or resource.unit
        total = row["total"] or Decimal(0)
        line.volume += total
        line.parts.append(Part(resource.name, unit.symbol, total, row["done"]))
    found = sorted(lines.values(), key=lambda line: (-line.volume, line.source.name))
    largest = max((float(line.volume) for line in found), default=0.0)
    for line in found:
        share = math.sqrt(float(line.volume) / largest) if largest else 0.0
        line.width = round(MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * share, 1)
        line.parts.sort(key=lambda p: -p.quantity)
    return found


def _describe(line: FlowLine) -> str:
    parts = ", ".join(
        f"{part.quantity.normalize():f} {part.unit} {part.resource}" for part in line.parts
    )
    return _("%(source)s to %(target)s: %(parts)s") % {
        "source": line.source.name,
        "target": line.target.name,
        "parts": parts,
    }


def render_flow_map(lines: list[FlowLine], *, title: str) -> SafeString:
    """The <svg>: states, a line per pair of communes (width by volume; a flow inside one
    commune is a ring around it) and a dot per commune linked to its page."""
    parts = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="{VIEW_BOX}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="flow-map-title">'
        f'<title id="flow-map-title">{escape(title)}</title>'
    ]
    parts.extend(
        f'<path class="state" d="{p.d}"><title>{escape(p.name)}</title></path>'
        for p in state_paths()
    )
    places: dict[int, tuple[Organisation, float, float]] = {}
    for line in lines:
        x1, y1 = project(float(line.source.lon), float(line.source.lat))  # type: ignore[attr-defined]
        x2, y2 = project(float(line.target.lon), float(line.target.lat))  # type: ignore[attr-defined]
        places[line.source.pk] = (line.source, x1, y1)
        places[line.target.pk] = (line.target, x2, y2)
        label = escape(_describe(line))
        if line.source.pk == line.target.pk:
            parts.append(
                f'<circle class="edge" cx="{_fmt(x1)}" cy="{_fmt(y1)}" '
                f'r="{_fmt(4 + line.width)}" fill="none" stroke-width="{_fmt(line.width / 2)}">'
                f"<title>{label}</title></circle>"
            )
        else:
            parts.append(
                f'<line class="edge" x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" '
                f'y2="{_fmt(y2)}" stroke-width="{_fmt(line.width)}" stroke-linecap="round">'
                f"<title>{label}</title></line>"
            )
    for organisation, x, y in places.values():
        name = escape(organisation.name)
        url = escape(reverse("registry:commune", args=[organisation.slug]))
        parts.append(
            f'<a href="{url}" aria-label="{name}"><circle class="dot" cx="{_fmt(x)}" '
            f'cy="{_fmt(y)}" r="3.5"><title>{name}</title></circle></a>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
