"""Economic events: append-only, corrected by new events; inventories derived from them and
never negative; deliveries fulfil commitments and never exceed them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.production import actions, queries
from comuna.production.models import Commitment, EconomicEvent, Inventory, Proposal
from tests.production.conftest import Farm

pytestmark = pytest.mark.django_db


def on_hand(agent: Any, slug: str) -> Decimal:
    row = Inventory.objects.filter(agent=agent, resource__slug=slug).first()
    return row.on_hand if row else Decimal(0)


def produce(farm: Farm, quantity: Any, unit: str = "kg") -> EconomicEvent:
    return actions.event_record(
        actor=farm.net.bob,
        action="produce",
        resource=farm.resource("semilla-maiz"),
        quantity=quantity,
        unit=farm.unit(unit),
        receiver=farm.planta,
    )


def committed(farm: Farm, capture: Callable[..., Any], quantity: int = 50) -> Commitment:
    farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 100)
    farm.post(farm.net.ernesto, "need", farm.ceiba, "semilla-maiz", quantity)
    with capture(execute=True):
        actions.cycle_allocate_request(actor=farm.net.nora, cycle=farm.cycle)
    proposal = Proposal.objects.get()
    actions.proposal_decide(actor=farm.net.bob, proposal=proposal, decision="accepted")
    actions.proposal_decide(actor=farm.net.ernesto, proposal=proposal, decision="accepted")
    actions.agreement_approve(actor=farm.net.nora, cycle=farm.cycle, decision="Acta 3")
    return Commitment.objects.get()


def test_production_in_sacks_fills_the_inventory_in_kg(farm: Farm) -> None:
    produce(farm, 3, unit="saco-40kg")
    assert on_hand(farm.planta, "semilla-maiz") == Decimal(120)
    row = Inventory.objects.get(agent=farm.planta)
    assert row.unit.code == "kg"
    assert queries.inventory_from_events(farm.planta.pk, row.resource_id) == Decimal(120)


def test_an_inventory_never_goes_below_zero(farm: Farm) -> None:
    produce(farm, 10)
    with pytest.raises(DomainError) as err:
        actions.event_record(
            actor=farm.net.bob,
            action="consume",
            resource=farm.resource("semilla-maiz"),
            quantity=11,
            unit=farm.unit("kg"),
            provider=farm.planta,
        )
    assert err.value.code == "insufficient_inventory" and "quantity" in err.value.fields
    assert on_hand(farm.planta, "semilla-maiz") == Decimal(10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Inventory.objects.filter(agent=farm.planta).update(on_hand=Decimal(-1))


def test_a_delivery_fulfils_its_commitment_and_moves_the_stock(
    farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    commitment = committed(farm, django_capture_on_commit_callbacks)
    produce(farm, 100)
    actions.event_record(
        actor=farm.net.bob,
        action="transfer",
        resource=farm.resource("semilla-maiz"),
        quantity=30,
        unit=farm.unit("kg"),
        commitment=commitment,
    )
    commitment.refresh_from_db()
    assert commitment.status == "open" and commitment.delivered_base == Decimal(30)
    with pytest.raises(DomainError) as err:
        actions.event_record(
            actor=farm.net.bob,
            action="transfer",
            resource=farm.resource("semilla-maiz"),
            quantity=21,
            unit=farm.unit("kg"),
            commitment=commitment,
        )
    assert err.value.code == "over_delivery"
    actions.event_record(
        actor=farm.net.ernesto,
        action="dropoff",
        resource=farm.resource("semilla-maiz"),
        quantity="0.5",
        unit=farm.unit("saco-40kg"),
        commitment=commitment,
    )
    commitment.refresh_from_db()
    assert commitment.status == "fulfilled"
    assert on_hand(farm.planta, "semilla-maiz") == Decimal(50)
    assert on_hand(farm.ceiba, "semilla-maiz") == Decimal(50)


def test_a_correction_replaces_the_event_and_keeps_it(
    farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    commitment = committed(farm, django_capture_on_commit_callbacks)
    produce(farm, 100)
    wrong = actions.event_record(
        actor=farm.net.bob,
        action="transfer",
        resource=farm.resource("semilla-maiz"),
        quantity=40,
        unit=farm.unit("kg"),
        commitment=commitment,
    )
    with pytest.raises(PermissionDeniedError):
        actions.event_correct(actor=farm.net.oscar, event=wrong, quantity=20, note="x")
    fixed = actions.event_correct(
        actor=farm.net.bob, event=wrong, quantity=20, note="Se contaron mal los sacos"
    )
    assert fixed.corrects_id == wrong.pk and EconomicEvent.objects.count() == 3
    commitment.refresh_from_db()
    assert commitment.delivered_base == Decimal(20)
    assert on_hand(farm.planta, "semilla-maiz") == Decimal(80)
    assert on_hand(farm.ceiba, "semilla-maiz") == Decimal(20)
    with pytest.raises(DomainError):
        actions.event_correct(actor=farm.net.bob, event=wrong, quantity=10, note="otra vez")
    resource_id = farm.resource("semilla-maiz").pk
    for agent in (farm.planta, farm.ceiba):
        assert queries.inventory_from_events(agent.pk, resource_id) == on_hand(
            agent, "semilla-maiz"
        )


def test_a_correction_that_would_leave_the_receiver_negative_is_refused(farm: Farm) -> None:
    produce(farm, 100)
    sent = actions.event_record(
        actor=farm.net.bob,
        action="transfer",
        resource=farm.resource("semilla-maiz"),
        quantity=40,
        unit=farm.unit("kg"),
        provider=farm.planta,
        receiver=farm.ceiba,
    )
    actions.event_record(
        actor=farm.net.ernesto,
        action="consume",
        resource=farm.resource("semilla-maiz"),
        quantity=40,
        unit=farm.unit("kg"),
        provider=farm.ceiba,
    )
    with pytest.raises(DomainError) as err:
        actions.event_correct(actor=farm.net.bob, event=sent, quantity=0, note="no se envió")
    assert err.value.code == "insufficient_inventory"
    assert on_hand(farm.ceiba, "semilla-maiz") == Decimal(0)


def test_events_need_their_agents(farm: Farm) -> None:
    with pytest.raises(DomainError) as err:
        actions.event_record(
            actor=farm.net.bob,
            action="transfer",
            resource=farm.resource("semilla-maiz"),
            quantity=1,
            unit=farm.unit("kg"),
            provider=farm.planta,
        )
    assert "receiver" in err.value.fields
    with pytest.raises(PermissionDeniedError):
        produce_as = actions.event_record
        produce_as(
            actor=farm.net.oscar,
            action="produce",
            resource=farm.resource("semilla-maiz"),
            quantity=1,
            unit=farm.unit("kg"),
            receiver=farm.planta,
        )
