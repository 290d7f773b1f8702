"""Exports of the productive network: CSV lists and the ValueFlows JSON-LD document.

The JSON-LD carries its context inline (no network access is needed to expand it): terms
are in the ValueFlows vocabulary `https://w3id.org/valueflows/ont/vf#` (`@vocab`), measures
in OM 2 (`om2:`), as ValueFlows recommends. Quantities are exported in the resource's base
unit (kg, l, one, hour...). Identifiers are the site's own URLs.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from comuna.core import access
from comuna.core.models import Organisation
from comuna.production.models import (
    Agreement,
    Commitment,
    EconomicEvent,
    Intent,
    IntentKind,
    IntentStatus,
    ProductiveUnit,
    Proposal,
    ResourceSpecification,
    SupplyCycle,
)

if TYPE_CHECKING:
    from comuna.core.access import AnyUser

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
VF = "https://w3id.org/valueflows/ont/vf#"
OM2 = "http://www.ontology-of-units-of-measure.org/resource/om-2/"
CONTEXT: dict[str, Any] = {
    "@vocab": VF,
    "vf": VF,
    "om2": OM2,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "hasNumericalValue": {"@id": "om2:hasNumericalValue", "@type": "xsd:decimal"},
    "hasUnit": {"@id": "om2:hasUnit", "@type": "@id"},
    "action": {"@type": "@id"},
    "provider": {"@type": "@id"},
    "receiver": {"@type": "@id"},
    "resourceConformsTo": {"@type": "@id"},
    "publishes": {"@type": "@id"},
    "clauseOf": {"@type": "@id"},
    "satisfies": {"@type": "@id"},
    "fulfills": {"@type": "@id"},
    "corrects": {"@type": "@id"},
    "inScopeOf": {"@type": "@id"},
    "hasPointInTime": {"@type": "xsd:dateTime"},
    "hasBeginning": {"@type": "xsd:date"},
    "hasEnd": {"@type": "xsd:date"},
    "due": {"@type": "xsd:date"},
    "created": {"@type": "xsd:dateTime"},
}
OM2_UNITS = {"kg": "om2:kilogram", "l": "om2:litre", "hora": "om2:hour", "m": "om2:metre"}


def safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe(v) for v in row])
        if buffer.tell() > 16384:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _number(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def intents_csv(intents: QuerySet[Intent]) -> Iterator[str]:
    header = [
        "id",
        "kind",
        "agent",
        "agent_name",
        "commune",
        "resource",
        "quantity",
        "unit",
        "quantity_base",
        "priority",
        "terms",
        "from",
        "until",
        "place",
        "status",
        "note",
    ]
    rows = (
        [
            i.pk,
            i.kind,
            i.owner.slug,
            i.owner.name,
            i.commune.slug if i.commune else "",
            i.resource.slug,
            _number(i.quantity),
            i.unit.code,
            _number(i.quantity_base),
            i.priority,
            i.terms,
            i.available_from.isoformat() if i.available_from else "",
            i.available_until.isoformat() if i.available_until else "",
            i.place,
            i.status,
            i.note,
        ]
        for i in intents.iterator(chunk_size=500)
    )
    return _lines(header, rows)


def proposals_csv(proposals: QuerySet[Proposal]) -> Iterator[str]:
    header = [
        "id",
        "resource",
        "provider",
        "offer",
        "offer_quantity",
        "offer_unit",
        "receiver",
        "need",
        "quantity",
        "unit",
        "distance_km",
        "provider_decision",
        "receiver_decision",
    ]
    rows = (
        [
            p.pk,
            p.offer.resource.slug,
            p.offer.owner.slug,
            p.offer_id,
            _number(p.offer_quantity),
            p.offer.unit.code,
            p.need.owner.slug,
            p.need_id,
            _number(p.quantity),
            p.need.unit.code,
            round(p.distance_km, 1),
            p.provider_decision,
            p.receiver_decision,
        ]
        for p in proposals.iterator(chunk_size=500)
    )
    return _lines(header, rows)


def units_csv(units: QuerySet[ProductiveUnit]) -> Iterator[str]:
    header = ["slug", "name", "form", "sector", "belongs_to", "commune", "lat", "lon"]
    rows = (
        [
            u.slug,
            u.name,
            u.form,
            u.sector,
            u.parent.slug if u.parent else "",
            u.commune.slug if u.commune else "",
            u.lat,
            u.lon,
        ]
        for u in units.iterator(chunk_size=500)
    )
    return _lines(header, rows)


# ValueFlows JSON-LD ------------------------------------------------------------------------------


def _measure(quantity: Decimal, resource: ResourceSpecification) -> dict[str, Any]:
    base = resource.unit.base or resource.unit
    return {
        "@type": "om2:Measure",
        "hasNumericalValue": _number(quantity),
        "hasUnit": OM2_UNITS.get(base.code, "om2:one"),
    }


class Document:
    """Builds the @graph, giving every node a URL id under `base`."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/") + "/produccion/vf/"
        self.graph: list[dict[str, Any]] = []
        self.agents: dict[int, Organisation] = {}
        self.specs: dict[int, ResourceSpecification] = {}

    def ref(self, kind: str, pk: object) -> str:
        return f"{self.base}{kind}/{pk}"

    def agent(self, organisation: Organisation) -> str:
        self.agents[organisation.pk] = organisation
        return self.ref("agent", organisation.slug)

    def spec(self, resource: ResourceSpecification) -> str:
        self.specs[resource.pk] = resource
        return self.ref("resource-specification", resource.slug)

    def finish(self, name: str) -> dict[str, Any]:
        head = [
            {
                "@id": self.ref("agent", o.slug),
                "@type": "Organization",
                "name": o.name,
                "classifiedAs": o.kind,
            }
            for o in sorted(self.agents.values(), key=lambda o: o.slug)
        ]
        head += [
            {
                "@id": self.ref("resource-specification", r.slug),
                "@type": "ResourceSpecification",
                "name": r.name,
                "resourceClassifiedAs": r.category,
                "defaultUnitOfResource": OM2_UNITS.get((r.unit.base or r.unit).code, "om2:one"),
            }
            for r in sorted(self.specs.values(), key=lambda r: r.slug)
        ]
        return {"@context": CONTEXT, "@id": self.base, "name": name, "@graph": head + self.graph}


def valueflows(
    user: AnyUser | None, *, base_url: str, commune: Organisation | None = None, limit: int = 5000
) -> dict[str, Any]:
    """The ValueFlows document of the network, or of one commune (its agents' intents,
    commitments and events, and the cycles it coordinates), as the user may see it."""
    doc = Document(base_url)
    cycles = access.visible(SupplyCycle.objects.select_related("owner"), user)
    visible_cycles = cycles.values("pk")
    intents = (
        Intent.objects.filter(
            Q(cycle__in=visible_cycles)
            | (Q(cycle__isnull=True) & access.visibility_filter(access.viewer_for(user)))
        )
        .select_related("owner", "resource__unit__base", "cycle")
        .order_by("id")
    )
    commitments = (
        Commitment.objects.filter(agreement__cycle__in=visible_cycles)
        .select_related("provider", "receiver", "resource__unit__base", "proposal", "agreement")
        .order_by("id")
    )
    events = (
        access.visible(EconomicEvent.objects.all(), user)
        .select_related("provider", "receiver", "resource__unit__base")
        .order_by("id")
    )
    agreements = Agreement.objects.filter(cycle__in=visible_cycles).select_related("cycle")
    units = ProductiveUnit.objects.select_related("parent").order_by("slug")
    if commune is not None:
        cycles = cycles.filter(owner=commune)
        intents = intents.filter(commune=commune)
        commitments = commitments.filter(
            Q(provider__productive_profile__commune=commune)
            | Q(receiver__productive_profile__commune=commune)
            | Q(provider=commune)
            | Q(receiver=commune)
            | Q(proposal__offer__commune=commune)
            | Q(proposal__need__commune=commune)
        ).distinct()
        events = events.filter(
            Q(provider__productive_profile__commune=commune)
            | Q(receiver__productive_profile__commune=commune)
            | Q(provider=commune)
            | Q(receiver=commune)
        )
        agreements = agreements.filter(cycle__owner=commune)
        units = units.filter(commune=commune)
    for unit in units[:limit]:
        doc.agent(unit)
    published: dict[int, list[int]] = defaultdict(list)
    for cycle_id, intent_id in (
        Intent.objects.filter(cycle__in=cycles.values("pk"), status=IntentStatus.OPEN)
        .order_by("id")
        .values_list("cycle_id", "pk")
    ):
        published[cycle_id].append(intent_id)
    for cycle in cycles.order_by("id")[:limit]:
        doc.graph.append(
            {
                "@id": doc.ref("proposal", f"cycle-{cycle.pk}"),
                "@type": "Proposal",
                "name": cycle.name,
                "hasBeginning": cycle.opens_on.isoformat(),
                "hasEnd": cycle.collect_until.isoformat(),
                "inScopeOf": doc.agent(cycle.owner),
                "publishes": [doc.ref("intent", pk) for pk in published[cycle.pk][:limit]],
            }
        )
    for intent in intents[:limit]:
        node: dict[str, Any] = {
            "@id": doc.ref("intent", intent.pk),
            "@type": "Intent",
            "action": "vf:transfer",
            "resourceConformsTo": doc.spec(intent.resource),
            "resourceQuantity": _measure(intent.quantity_base, intent.resource),
            "note": intent.note or intent.get_terms_display(),
            "finished": intent.status != "open",
        }
        side = "provider" if intent.kind == IntentKind.OFFER else "receiver"
        node[side] = doc.agent(intent.owner)
        if intent.available_from:
            node["hasBeginning"] = intent.available_from.isoformat()
        if intent.available_until:
            node["hasEnd"] = intent.available_until.isoformat()
        doc.graph.append(node)
    for agreement in agreements.order_by("id")[:limit]:
        doc.graph.append(
            {
                "@id": doc.ref("agreement", agreement.pk),
                "@type": "Agreement",
                "name": agreement.cycle.name,
                "note": agreement.decision,
                "created": agreement.approved_at.isoformat(),
            }
        )
    for commitment in commitments[:limit]:
        doc.graph.append(
            {
                "@id": doc.ref("commitment", commitment.pk),
                "@type": "Commitment",
                "action": "vf:transfer",
                "provider": doc.agent(commitment.provider),
                "receiver": doc.agent(commitment.receiver),
                "resourceConformsTo": doc.spec(commitment.resource),
                "resourceQuantity": _measure(commitment.quantity_base, commitment.resource),
                "due": commitment.due_on.isoformat(),
                "clauseOf": doc.ref("agreement", commitment.agreement_id),
                "satisfies": doc.ref("intent", commitment.proposal.need_id),
                "finished": commitment.status == "fulfilled",
            }
        )
    for event in events[:limit]:
        node = {
            "@id": doc.ref("economic-event", event.pk),
            "@type": "EconomicEvent",
            "action": f"vf:{event.action}",
            "resourceConformsTo": doc.spec(event.resource),
            "resourceQuantity": _measure(event.quantity_base, event.resource),
            "hasPointInTime": event.occurred_at.isoformat(),
        }
        if event.provider is not None:
            node["provider"] = doc.agent(event.provider)
        if event.receiver is not None:
            node["receiver"] = doc.agent(event.receiver)
        if event.commitment_id:
            node["fulfills"] = doc.ref("commitment", event.commitment_id)
        if event.corrects_id:
            node["corrects"] = doc.ref("economic-event", event.corrects_id)
        if event.note:
            node["note"] = event.note
        doc.graph.append(node)
    name = commune.name if commune is not None else _("Network of communes")
    return doc.finish(name)
