"""Catalogue, productive units, micro-projects, cycles and offers and needs: the domain
rules, unit conversion and bad input, through the actions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import AuditEvent, Person
from comuna.production import actions
from comuna.production.models import Intent, ResourceSpecification, Unit
from tests.production.conftest import Farm

pytestmark = pytest.mark.django_db


def test_the_catalogue_is_seeded_once_with_its_conversions(farm: Farm) -> None:
    assert actions.catalogue_seed(actor=None) == 0
    sack = Unit.objects.get(code="saco-40kg")
    assert sack.base is not None and sack.base.code == "kg" and sack.factor == 40
    assert actions.to_base(Decimal("2.5"), sack) == Decimal("100.000")
    assert actions.from_base(Decimal(100), Unit.objects.get(code="t")) == Decimal("0.100")
    categories = set(ResourceSpecification.objects.values_list("category", flat=True))
    assert categories == {
        "seed",
        "fertiliser",
        "packaging",
        "spare_part",
        "tool",
        "food",
        "raw_material",
        "service",
    }


def test_only_network_coordinators_change_the_catalogue(farm: Farm) -> None:
    kg = farm.unit("kg")
    with pytest.raises(PermissionDeniedError):
        actions.resource_define(
            actor=farm.net.bob, slug="sorgo", name="Sorgo", category="seed", unit=kg
        )
    sorgo = actions.resource_define(
        actor=farm.net.nora, slug="sorgo", name="Sorgo", category="seed", unit=kg
    )
    assert sorgo.unit == kg
    with pytest.raises(DomainError) as err:
        actions.unit_define(
            actor=farm.net.nora, code="saco-25", name="saco", symbol="s", base=kg, factor="-2"
        )
    assert "factor" in err.value.fields


def test_a_unit_that_does_not_measure_the_resource_is_refused(farm: Farm) -> None:
    with pytest.raises(DomainError) as err:
        farm.post(farm.net.bob, "offer", farm.planta, "tubo-pvc", 10, unit="kg")
    assert err.value.code == "unit_mismatch" and "unit" in err.value.fields


@pytest.mark.parametrize("bad", ["-5", "0", "abc", "1e20", "1.2345", "NaN"])
def test_bad_quantities_are_refused_with_the_field_named(farm: Farm, bad: str) -> None:
    with pytest.raises(DomainError) as err:
        farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", bad)
    assert "quantity" in err.value.fields
    assert Intent.objects.count() == 0


def test_an_offer_in_tonnes_is_stored_with_its_base_quantity(farm: Farm) -> None:
    offer = farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", "1.5", unit="t")
    assert offer.quantity == Decimal("1.5") and offer.quantity_base == Decimal(1500)
    assert (offer.lat, offer.lon) == (9.78, -69.16)  # the commune's place, by default
    assert offer.commune_id == farm.net.maizal.pk
    assert AuditEvent.objects.filter(verb="intent.offer", subject_id=str(offer.pk)).exists()


def test_a_unit_must_join_the_cycle_before_posting(farm: Farm) -> None:
    other = actions.productive_unit_register(
        actor=farm.net.bob, parent=farm.net.delicias, name="UPF Los Cerezos", form="upf"
    )
    assert other.commune_id == farm.net.maizal.pk
    with pytest.raises(DomainError) as err:
        farm.post(farm.net.bob, "need", other, "abono-organico", 100)
    assert err.value.code == "not_joined"
    actions.cycle_join(actor=farm.net.bob, cycle=farm.cycle, unit=other)
    assert farm.post(farm.net.bob, "need", other, "abono-organico", 100).priority == 5


def test_the_outsider_and_other_communes_may_not_post_for_a_unit(farm: Farm) -> None:
    for actor in (farm.net.oscar, farm.net.ernesto, farm.net.carol):
        with pytest.raises(PermissionDeniedError):
            farm.post(actor, "offer", farm.planta, "semilla-maiz", 10)


def test_a_commune_cycle_only_takes_agents_of_that_commune(farm: Farm) -> None:
    today = timezone.localdate()
    cycle = actions.cycle_open(
        actor=farm.net.bob,
        owner=farm.net.maizal,
        name="Ciclo del Maizal",
        collect_until=today,
        deliver_by=today + timedelta(days=3),
    )
    with pytest.raises(DomainError) as err:
        actions.cycle_join(actor=farm.net.ernesto, cycle=cycle, unit=farm.ceiba)
    assert err.value.code == "out_of_scope"
    with pytest.raises(PermissionDeniedError):
        actions.cycle_open(
            actor=farm.net.alice,
            owner=farm.net.maizal,
            name="x",
            collect_until=today,
            deliver_by=today,
        )


def test_a_cycle_refuses_dates_out_of_order(farm: Farm) -> None:
    today = timezone.localdate()
    with pytest.raises(DomainError) as err:
        actions.cycle_open(
            actor=farm.net.bob,
            owner=farm.net.maizal,
            name="x",
            collect_until=today + timedelta(days=5),
            deliver_by=today,
        )
    assert "deliver_by" in err.value.fields


def test_priorities_and_windows_are_checked(farm: Farm) -> None:
    today = timezone.localdate()
    with pytest.raises(DomainError) as err:
        farm.post(farm.net.ernesto, "need", farm.ceiba, "semilla-maiz", 10, priority=11)
    assert "priority" in err.value.fields
    with pytest.raises(DomainError) as err:
        farm.post(
            farm.net.ernesto,
            "need",
            farm.ceiba,
            "semilla-maiz",
            10,
            available_from=today,
            available_until=today - timedelta(days=1),
        )
    assert "available_until" in err.value.fields


def test_the_database_refuses_a_negative_quantity(farm: Farm) -> None:
    offer = farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Intent.objects.filter(pk=offer.pk).update(quantity=Decimal(-1))


def test_micro_projects_record_inputs_and_outputs_per_period(farm: Farm) -> None:
    project = actions.project_create(
        actor=farm.net.bob,
        unit=farm.planta,
        name="Molino de harina",
        status="active",
        plan="Plan Comunal de Desarrollo 2025-2027",
    )
    actions.project_flow_add(
        actor=farm.net.bob,
        project=project,
        direction="input",
        resource=farm.resource("maiz-grano"),
        quantity=10,
        unit=farm.unit("t"),
        period="month",
    )
    actions.project_flow_add(
        actor=farm.net.bob,
        project=project,
        direction="output",
        resource=farm.resource("harina-maiz"),
        quantity=8000,
        unit=farm.unit("kg"),
        period="month",
    )
    assert [f.direction for f in project.flows.all()] == ["input", "output"]
    with pytest.raises(PermissionDeniedError):
        actions.project_create(actor=farm.net.ernesto, unit=farm.planta, name="x")


def test_a_withdrawn_offer_leaves_the_cycle(farm: Farm) -> None:
    offer = farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 10)
    with pytest.raises(PermissionDeniedError):
        actions.intent_withdraw(actor=farm.net.ernesto, intent=offer)
    actions.intent_withdraw(actor=farm.net.bob, intent=offer, reason="Se dañó")
    offer.refresh_from_db()
    assert offer.status == "withdrawn"


def test_a_coordinator_adds_people_of_the_commune_to_a_unit(farm: Farm) -> None:
    carol = Person.objects.get(user=farm.net.carol)
    oscar = Person.objects.get(user=farm.net.oscar)
    with pytest.raises(PermissionDeniedError):
        actions.productive_unit_member_add(
            actor=farm.net.ernesto, unit=farm.planta, person=carol, role="member"
        )
    membership = actions.productive_unit_member_add(
        actor=farm.net.bob, unit=farm.planta, person=carol, role="spokesperson"
    )
    assert membership.organisation_id == farm.planta.pk
    with pytest.raises(DomainError) as err:
        actions.productive_unit_member_add(
            actor=farm.net.bob, unit=farm.planta, person=oscar, role="member"
        )
    assert "person" in err.value.fields
    # Carol now speaks for the unit: she may post its offers.
    assert farm.post(farm.net.carol, "offer", farm.planta, "harina-maiz", 10).owner_id == (
        farm.planta.pk
    )
