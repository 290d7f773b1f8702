"""Every list page and API list of the productive network runs a fixed number of queries,
whatever the size of the data: a network with many units, cycles, offers and needs,
proposals, unmet needs, commitments, deliveries and corrected events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from comuna.core import actions as core_actions
from comuna.production import actions
from comuna.production.models import CycleStatus, Proposal, SupplyCycle
from tests.production.conftest import Farm

pytestmark = pytest.mark.django_db
SIZE = 12


def grow(farm: Farm, capture: Callable[..., Any], size: int = SIZE) -> SupplyCycle:
    """`size` more units, each needing more seed than is offered (some needs stay unmet) and
    making two resources; `size` more cycles; an agreement with a commitment per flow, one
    delivery; `size` events with corrections. Returns the cycle, now delivering."""
    net = farm.net
    maize, beans = farm.resource("semilla-maiz"), farm.resource("caraota-negra")
    today = timezone.localdate()
    for n in range(size):
        unit = actions.productive_unit_register(
            actor=net.ernesto,
            parent=net.zamora,
            name=f"UPF {n}",
            form="upf",
            sector="Agricultura",
            makes=[maize, beans],
        )
        actions.cycle_join(actor=net.ernesto, cycle=farm.cycle, unit=unit)
        farm.post(net.ernesto, "need", unit, "semilla-maiz", 10 + n)
        farm.post(net.bob, "offer", farm.planta, "semilla-maiz", 5 + n)
        farm.post(net.ernesto, "need", unit, "abono-organico", 3)  # nobody offers it
        actions.cycle_open(
            actor=net.nora,
            owner=net.root,
            name=f"Ciclo {n}",
            collect_until=today + timedelta(days=3),
            deliver_by=today + timedelta(days=9),
        )
        event = actions.event_record(
            actor=net.bob,
            action="produce",
            resource=maize if n % 2 else beans,
            quantity=100 + n,
            unit=farm.unit("kg"),
            receiver=farm.planta,
            visibility="public",
        )
        if n % 3 == 0:
            actions.event_correct(actor=net.bob, event=event, quantity=90 + n, note="Pesado")
    with capture(execute=True):
        actions.cycle_allocate_request(actor=net.nora, cycle=farm.cycle)
    for proposal in Proposal.objects.filter(cycle=farm.cycle).select_related(
        "offer", "need", "cycle"
    ):
        actions.proposal_decide(actor=net.bob, proposal=proposal, decision="accepted")
        actions.proposal_decide(actor=net.ernesto, proposal=proposal, decision="accepted")
    actions.agreement_approve(actor=net.nora, cycle=farm.cycle, decision="Acta 12")
    cycle = SupplyCycle.objects.get(pk=farm.cycle.pk)
    assert cycle.status == CycleStatus.DELIVERING
    commitment = cycle.agreement.commitments.order_by("id").first()
    assert commitment is not None
    actions.event_record(
        actor=net.bob,
        action="transfer",
        resource=maize,
        quantity=1,
        unit=farm.unit("kg"),
        commitment=commitment,
    )
    return cycle


PAGES = [
    ("/produccion/", 12),
    ("/produccion/catalogo/", 12),
    ("/produccion/unidades/", 12),
    ("/produccion/unidades/?formato=csv", 12),
    ("/produccion/unidades/planta-maizal/", 20),
    ("/produccion/ciclos/", 12),
    ("/produccion/ciclos/{cycle}/", 30),
    ("/produccion/ciclos/{cycle}/faltantes/", 14),
    ("/produccion/ciclos/{cycle}/ofertas-y-necesidades.csv", 10),
    ("/produccion/ciclos/{cycle}/propuestas.csv", 10),
    ("/produccion/mapa/", 12),
    ("/produccion/mapa/?ciclo={cycle}", 14),
    ("/produccion/valueflows.jsonld", 16),
    ("/produccion/comunas/el-maizal/valueflows.jsonld", 16),
]
API = [
    ("/api/v1/production/units", 8),
    ("/api/v1/production/resources", 8),
    ("/api/v1/production/productive-units", 10),
    ("/api/v1/production/agents/planta-maizal/inventory", 10),
    ("/api/v1/production/cycles", 10),
    ("/api/v1/production/cycles/{cycle}/intents", 10),
    ("/api/v1/production/cycles/{cycle}/proposals", 10),
    ("/api/v1/production/cycles/{cycle}/unmet", 10),
    ("/api/v1/production/cycles/{cycle}/commitments", 10),
    ("/api/v1/production/events", 10),
    ("/api/v1/production/events?agent=planta-maizal", 10),
    ("/api/v1/production/valueflows", 16),
]


def _read(response: Any) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


def test_the_list_pages_run_a_fixed_number_of_queries(
    client: Client,
    farm: Farm,
    django_capture_on_commit_callbacks: Callable[..., Any],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    cycle = grow(farm, django_capture_on_commit_callbacks)
    client.force_login(farm.net.bob)
    for url, bound in PAGES:
        with django_assert_max_num_queries(bound):
            response = client.get(url.format(cycle=cycle.pk))
            body = _read(response)
        assert response.status_code == 200 and body, url


def test_the_api_lists_run_a_fixed_number_of_queries(
    client: Client,
    farm: Farm,
    django_capture_on_commit_callbacks: Callable[..., Any],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    cycle = grow(farm, django_capture_on_commit_callbacks)
    _token, raw = core_actions.token_create(actor=farm.net.bob, name="api")
    for url, bound in API:
        with django_assert_max_num_queries(bound):
            response = client.get(url.format(cycle=cycle.pk), HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200, url
        found = response.json()
        assert found.get("items", found) if isinstance(found, dict) else found, url
