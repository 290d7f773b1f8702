"""The ValueFlows JSON-LD export expands (offline, with pyld) into the ValueFlows vocabulary,
and the supply-chain map draws flows between communes as wide as their volume."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pyld import jsonld

from comuna.production import actions
from comuna.production.exports import VF
from comuna.production.models import Commitment, Proposal
from tests.production.conftest import Farm

pytestmark = pytest.mark.django_db
OM2 = "http://www.ontology-of-units-of-measure.org/resource/om-2/"


def agreed(farm: Farm, capture: Callable[..., Any]) -> Commitment:
    farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 500)
    farm.post(farm.net.ernesto, "need", farm.ceiba, "semilla-maiz", 300, priority=8)
    farm.post(farm.net.ernesto, "need", farm.ceiba, "leche", 100, unit="l")
    with capture(execute=True):
        actions.cycle_allocate_request(actor=farm.net.nora, cycle=farm.cycle)
    proposal = Proposal.objects.get()
    actions.proposal_decide(actor=farm.net.bob, proposal=proposal, decision="accepted")
    actions.proposal_decide(actor=farm.net.ernesto, proposal=proposal, decision="accepted")
    actions.agreement_approve(actor=farm.net.nora, cycle=farm.cycle, decision="Acta 9")
    commitment = Commitment.objects.get()
    actions.event_record(
        actor=farm.net.bob,
        action="produce",
        resource=farm.resource("semilla-maiz"),
        quantity=500,
        unit=farm.unit("kg"),
        receiver=farm.planta,
    )
    actions.event_record(
        actor=farm.net.bob,
        action="transfer",
        resource=farm.resource("semilla-maiz"),
        quantity=100,
        unit=farm.unit("kg"),
        commitment=commitment,
    )
    return commitment


def nodes(document: Any) -> list[dict[str, Any]]:
    """The expanded nodes of the document's @graph."""
    return [n for top in jsonld.expand(document) for n in top.get("@graph", [top])]


def iris(node: Any) -> set[str]:
    """Every property and class IRI in an expanded JSON-LD document."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= iris(item)
    elif isinstance(node, dict) and "@value" not in node:  # typed literals are xsd:...
        for key, value in node.items():
            if key == "@type":
                found |= set(value if isinstance(value, list) else [value])
            elif not key.startswith("@"):
                found.add(key)
            found |= iris(value)
    return found


def test_the_network_export_expands_to_the_valueflows_vocabulary(
    client: Client, farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    agreed(farm, django_capture_on_commit_callbacks)
    public = nodes(client.get("/produccion/valueflows.jsonld").json())
    public_actions = {v["@id"] for node in public for v in node.get(VF + "action", [])}
    assert VF + "transfer" in public_actions and VF + "produce" not in public_actions
    client.force_login(farm.net.carol)  # a member of the network also sees the production
    response = client.get("/produccion/valueflows.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    document = response.json()
    expanded = nodes(document)
    found = iris(jsonld.expand(document))
    assert found and all(iri.startswith((VF, OM2)) for iri in found), found - {
        i for i in found if i.startswith((VF, OM2))
    }
    for kind in (
        "Organization",
        "ResourceSpecification",
        "Proposal",
        "Intent",
        "Agreement",
        "Commitment",
        "EconomicEvent",
    ):
        assert VF + kind in found, kind
    for prop in ("provider", "receiver", "resourceConformsTo", "fulfills", "clauseOf"):
        assert VF + prop in found, prop
    actions_used = {value["@id"] for node in expanded for value in node.get(VF + "action", [])}
    assert {VF + "produce", VF + "transfer"} <= actions_used


def test_a_commune_export_keeps_to_its_commune(
    client: Client, farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    agreed(farm, django_capture_on_commit_callbacks)
    maizal = client.get("/produccion/comunas/el-maizal/valueflows.jsonld").json()
    graph = maizal["@graph"]
    agents = {n["name"] for n in graph if n["@type"] == "Organization"}
    assert "Planta Maizal" in agents and "UPF La Ceiba" in agents  # the other side of a flow
    intents = [n for n in graph if n["@type"] == "Intent"]
    assert len(intents) == 1 and "provider" in intents[0]  # El Maizal's own offer only
    assert jsonld.expand(maizal)
    api = client.get("/api/v1/production/communes/ezequiel-zamora/valueflows").json()
    assert len([n for n in api["@graph"] if n["@type"] == "Intent"]) == 2
    assert client.get("/produccion/comunas/nadie/valueflows.jsonld").status_code == 404


def test_the_map_draws_a_line_as_wide_as_the_volume(
    client: Client, farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    agreed(farm, django_capture_on_commit_callbacks)
    page = client.get("/produccion/mapa/").content.decode()
    assert '<line class="edge"' in page and 'stroke-width="9"' in page
    assert "De Comuna El Maizal a Comuna Ezequiel Zamora: 300 kg Semilla de maíz" in page
    assert "100 entregado" in page
