"""Every page and API endpoint of the productive network refuses the outsider: oscar, signed
in and member of nothing, gets 404 for what he may not see (a cycle for members of the
network, a micro-project of the unit, an event of the network) and 403 for what he may see
but not change; an anonymous visitor is sent to sign in (pages) or answered 401 (API) for
every write."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comuna.core import actions as core_actions
from comuna.production import actions
from comuna.production.models import (
    Commitment,
    EconomicEvent,
    Intent,
    MicroProject,
    Proposal,
    SupplyCycle,
)
from tests.production.conftest import Farm

pytestmark = pytest.mark.django_db
API = "/api/v1/production"


@dataclass
class Side:
    """One cycle taken to its deliveries: an offer, a need, their proposal and commitment."""

    cycle: SupplyCycle
    intent: Intent
    proposal: Proposal
    commitment: Commitment


@dataclass
class Scene:
    farm: Farm
    public: Side  # a public cycle: oscar sees it and may change nothing
    hidden: Side  # a cycle for members of the network: oscar does not see it
    project: MicroProject  # public
    unit_project: MicroProject  # seen by the unit's people only
    event: EconomicEvent  # public
    network_event: EconomicEvent  # seen by members of the network only

    def urls(self, text: str) -> str:
        planta = self.farm.planta.slug
        return text.format(
            unit=planta,
            pub=self.public.cycle.pk,
            hid=self.hidden.cycle.pk,
            pub_intent=self.public.intent.pk,
            hid_intent=self.hidden.intent.pk,
            pub_proposal=self.public.proposal.pk,
            hid_proposal=self.hidden.proposal.pk,
            pub_commitment=self.public.commitment.pk,
            hid_commitment=self.hidden.commitment.pk,
            project=self.project.pk,
            unit_project=self.unit_project.pk,
            event=self.event.pk,
            network_event=self.network_event.pk,
        )


def _to_deliveries(farm: Farm, cycle: SupplyCycle, capture: Callable[..., Any]) -> Side:
    offer = farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 100, cycle=cycle)
    farm.post(farm.net.ernesto, "need", farm.ceiba, "semilla-maiz", 40, cycle=cycle)
    with capture(execute=True):
        actions.cycle_allocate_request(actor=farm.net.nora, cycle=cycle)
    proposal = Proposal.objects.get(cycle=cycle)
    actions.proposal_decide(actor=farm.net.bob, proposal=proposal, decision="accepted")
    actions.proposal_decide(actor=farm.net.ernesto, proposal=proposal, decision="accepted")
    actions.agreement_approve(actor=farm.net.nora, cycle=cycle, decision="Acta 1")
    return Side(cycle, offer, proposal, Commitment.objects.get(agreement__cycle=cycle))


@pytest.fixture
def scene(farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]) -> Scene:
    today = timezone.localdate()
    hidden = actions.cycle_open(
        actor=farm.net.nora,
        owner=farm.net.root,
        name="Ciclo interno",
        collect_until=today + timedelta(days=5),
        deliver_by=today + timedelta(days=20),
        visibility="network",
    )
    actions.cycle_join(actor=farm.net.bob, cycle=hidden, unit=farm.planta)
    actions.cycle_join(actor=farm.net.ernesto, cycle=hidden, unit=farm.ceiba)
    produce = {
        "actor": farm.net.bob,
        "action": "produce",
        "resource": farm.resource("semilla-maiz"),
        "quantity": 10,
        "unit": farm.unit("kg"),
        "receiver": farm.planta,
    }
    return Scene(
        farm=farm,
        public=_to_deliveries(farm, farm.cycle, django_capture_on_commit_callbacks),
        hidden=_to_deliveries(farm, hidden, django_capture_on_commit_callbacks),
        project=actions.project_create(actor=farm.net.bob, unit=farm.planta, name="Molino"),
        unit_project=actions.project_create(
            actor=farm.net.bob, unit=farm.planta, name="Silo", visibility="unit"
        ),
        event=actions.event_record(**produce, visibility="public"),
        network_event=actions.event_record(**produce),
    )


# Pages ------------------------------------------------------------------------------------------

P = "/produccion"
# (method, url): for oscar, answered 403 (he sees what is behind them) ...
PAGES_REFUSED = [
    ("get", P + "/catalogo/nuevo/"),
    ("get", P + "/unidades/nueva/"),
    ("get", P + "/unidades/{unit}/editar/"),
    ("get", P + "/unidades/{unit}/miembros/nuevo/"),
    ("get", P + "/unidades/{unit}/proyectos/nuevo/"),
    ("get", P + "/unidades/{unit}/eventos/nuevo/"),
    ("get", P + "/proyectos/{project}/flujos/nuevo/"),
    ("post", P + "/proyectos/{project}/estado/"),
    ("get", P + "/eventos/{event}/corregir/"),
    ("get", P + "/ciclos/nuevo/"),
    ("get", P + "/ciclos/{pub}/unirse/"),
    ("get", P + "/ciclos/{pub}/ofertas/nueva/"),
    ("get", P + "/ciclos/{pub}/necesidades/nueva/"),
    ("get", P + "/ciclos/{pub}/importar/"),
    ("post", P + "/ciclos/{pub}/asignar/"),
    ("get", P + "/ciclos/{pub}/aprobar/"),
    ("get", P + "/ciclos/{pub}/cerrar/"),
    ("post", P + "/intenciones/{pub_intent}/retirar/"),
    ("post", P + "/propuestas/{pub_proposal}/responder/"),
    ("get", P + "/compromisos/{pub_commitment}/entregar/"),
]
# ... and 404 (he may not see them).
PAGES_HIDDEN = [
    ("get", P + "/proyectos/{unit_project}/flujos/nuevo/"),
    ("post", P + "/proyectos/{unit_project}/estado/"),
    ("get", P + "/eventos/{network_event}/corregir/"),
    ("get", P + "/ciclos/{hid}/"),
    ("get", P + "/ciclos/{hid}/faltantes/"),
    ("get", P + "/ciclos/{hid}/ofertas-y-necesidades.csv"),
    ("get", P + "/ciclos/{hid}/propuestas.csv"),
    ("get", P + "/mapa/?ciclo={hid}"),
    ("get", P + "/ciclos/{hid}/unirse/"),
    ("get", P + "/ciclos/{hid}/ofertas/nueva/"),
    ("get", P + "/ciclos/{hid}/necesidades/nueva/"),
    ("get", P + "/ciclos/{hid}/importar/"),
    ("post", P + "/ciclos/{hid}/asignar/"),
    ("get", P + "/ciclos/{hid}/aprobar/"),
    ("get", P + "/ciclos/{hid}/cerrar/"),
    ("post", P + "/intenciones/{hid_intent}/retirar/"),
    ("post", P + "/propuestas/{hid_proposal}/responder/"),
    ("get", P + "/compromisos/{hid_commitment}/entregar/"),
]
PAGES_PUBLIC = [
    P + "/",
    P + "/catalogo/",
    P + "/unidades/",
    P + "/unidades/{unit}/",
    P + "/ciclos/",
    P + "/ciclos/{pub}/",
    P + "/ciclos/{pub}/faltantes/",
    P + "/ciclos/{pub}/ofertas-y-necesidades.csv",
    P + "/ciclos/{pub}/propuestas.csv",
    P + "/mapa/",
    P + "/mapa/?ciclo={pub}",
    P + "/valueflows.jsonld",
    P + "/comunas/el-maizal/valueflows.jsonld",
]


def _ask(client: Client, method: str, url: str) -> Any:
    data = {"decision": "accepted", "status": "active"} if method == "post" else None
    return getattr(client, method)(url, data)


@pytest.mark.parametrize(("method", "url"), PAGES_REFUSED)
def test_the_outsider_is_refused_what_he_may_see(
    client: Client, scene: Scene, method: str, url: str
) -> None:
    client.force_login(scene.farm.net.oscar)
    assert _ask(client, method, scene.urls(url)).status_code == 403


@pytest.mark.parametrize(("method", "url"), PAGES_HIDDEN)
def test_the_outsider_does_not_find_what_he_may_not_see(
    client: Client, scene: Scene, method: str, url: str
) -> None:
    client.force_login(scene.farm.net.oscar)
    assert _ask(client, method, scene.urls(url)).status_code == 404


@pytest.mark.parametrize(("method", "url"), PAGES_REFUSED + PAGES_HIDDEN[:3] + PAGES_HIDDEN[8:])
def test_an_anonymous_visitor_is_sent_to_sign_in_for_every_write(
    client: Client, scene: Scene, method: str, url: str
) -> None:
    response = _ask(client, method, scene.urls(url))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_the_outsider_reads_what_is_public_and_nothing_of_the_hidden_cycle(
    client: Client, scene: Scene
) -> None:
    client.force_login(scene.farm.net.oscar)
    for url in PAGES_PUBLIC:
        response = client.get(scene.urls(url))
        assert response.status_code == 200, url
        if not response.streaming:
            assert "Ciclo interno" not in response.content.decode(), url
    assert Proposal.objects.get(pk=scene.public.proposal.pk).provider_decision == "accepted"
    assert Intent.objects.get(pk=scene.public.intent.pk).status == "open"


# API --------------------------------------------------------------------------------------------

# (url, payload) of every write, valid in shape, for oscar answered 403 ...
API_REFUSED = [
    ("/productive-units", {"parent": "el-maizal", "name": "X", "form": "upf"}),
    (
        "/cycles",
        {
            "owner": "red-nacional",
            "name": "X",
            "collect_until": "2031-01-01",
            "deliver_by": "2031-02-01",
        },
    ),
    ("/cycles/{pub}/join", {"unit": "{unit}"}),
    (
        "/cycles/{pub}/intents",
        {
            "kind": "offer",
            "agent": "{unit}",
            "resource": "semilla-maiz",
            "quantity": "2",
            "unit": "kg",
        },
    ),
    ("/cycles/{pub}/allocate", {}),
    ("/cycles/{pub}/approve", {"decision": "Acta 9"}),
    ("/cycles/{pub}/close", {"note": ""}),
    ("/proposals/{pub_proposal}/decide", {"decision": "declined"}),
    ("/commitments/{pub_commitment}/deliveries", {"quantity": "1", "unit": "kg"}),
    (
        "/events",
        {
            "action": "produce",
            "resource": "semilla-maiz",
            "quantity": "1",
            "unit": "kg",
            "receiver": "{unit}",
        },
    ),
    ("/events/{event}/correct", {"quantity": "1", "note": "Error"}),
]
# ... and 404.
API_HIDDEN_WRITES = [
    ("/cycles/{hid}/join", {"unit": "{unit}"}),
    (
        "/cycles/{hid}/intents",
        {
            "kind": "offer",
            "agent": "{unit}",
            "resource": "semilla-maiz",
            "quantity": "2",
            "unit": "kg",
        },
    ),
    ("/cycles/{hid}/allocate", {}),
    ("/cycles/{hid}/approve", {"decision": "Acta 9"}),
    ("/cycles/{hid}/close", {"note": ""}),
    ("/proposals/{hid_proposal}/decide", {"decision": "declined"}),
    ("/commitments/{hid_commitment}/deliveries", {"quantity": "1", "unit": "kg"}),
    ("/events/{network_event}/correct", {"quantity": "1", "note": "Error"}),
]
API_HIDDEN_READS = [
    "/cycles/{hid}",
    "/cycles/{hid}/intents",
    "/cycles/{hid}/proposals",
    "/cycles/{hid}/unmet",
    "/cycles/{hid}/commitments",
    "/agents/{unit}/inventory",
]


def _post(client: Client, scene: Scene, url: str, payload: dict[str, Any], **extra: Any) -> Any:
    body = {k: scene.urls(v) if isinstance(v, str) else v for k, v in payload.items()}
    return client.post(
        API + scene.urls(url), json.dumps(body), content_type="application/json", **extra
    )


def _token(user: Any) -> dict[str, str]:
    _found, raw = core_actions.token_create(actor=user, name="api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize(("url", "payload"), API_REFUSED)
def test_the_api_refuses_the_outsider_what_he_may_see(
    client: Client, scene: Scene, url: str, payload: dict[str, Any]
) -> None:
    response = _post(client, scene, url, payload, **_token(scene.farm.net.oscar))
    assert response.status_code == 403, response.json()
    assert response.json()["detail"]


@pytest.mark.parametrize(("url", "payload"), API_HIDDEN_WRITES)
def test_the_api_does_not_find_for_the_outsider_what_he_may_not_see(
    client: Client, scene: Scene, url: str, payload: dict[str, Any]
) -> None:
    response = _post(client, scene, url, payload, **_token(scene.farm.net.oscar))
    assert response.status_code == 404, response.json()


@pytest.mark.parametrize("url", API_HIDDEN_READS)
def test_the_api_hides_from_the_outsider_what_he_may_not_read(
    client: Client, scene: Scene, url: str
) -> None:
    oscar = _token(scene.farm.net.oscar)
    assert client.get(API + scene.urls(url), **oscar).status_code == 404
    assert client.get(API + scene.urls(url)).status_code == 404


@pytest.mark.parametrize(("url", "payload"), API_REFUSED + API_HIDDEN_WRITES)
def test_the_api_asks_an_anonymous_caller_to_authenticate(
    client: Client, scene: Scene, url: str, payload: dict[str, Any]
) -> None:
    assert _post(client, scene, url, payload).status_code == 401


def test_the_api_lists_to_the_outsider_only_what_is_public(client: Client, scene: Scene) -> None:
    oscar = _token(scene.farm.net.oscar)
    cycles = client.get(f"{API}/cycles", **oscar).json()["items"]
    assert [c["id"] for c in cycles] == [scene.public.cycle.pk]
    events = client.get(f"{API}/events", **oscar).json()["items"]
    assert [e["id"] for e in events] == [scene.event.pk]
