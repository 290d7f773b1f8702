"""Registry actions: permissions, domain rules, history and audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from comuna.core.access import PermissionDeniedError, can_change
from comuna.core.errors import DomainError
from comuna.core.models import AuditEvent, Membership, Person
from comuna.registry import actions
from comuna.registry.capacity import Indicators, capacity_level
from comuna.registry.models import (
    Body,
    BodyKind,
    CommitteeType,
    CommunalCouncil,
    Commune,
    CouncilMembership,
    Mandate,
    MandateStatus,
)
from tests.registry.conftest import Network, parish

pytestmark = pytest.mark.django_db


def test_registering_a_commune_creates_its_bodies_and_an_audit_event(network: Network) -> None:
    kinds = set(Body.objects.filter(organisation=network.maizal).values_list("kind", flat=True))
    assert kinds == {
        "parliament",
        "executive_council",
        "planning_council",
        "economy_council",
        "bank",
        "oversight_council",
    }
    assert AuditEvent.objects.filter(
        verb="commune.register", subject_id=str(network.maizal.pk)
    ).exists()
    assert network.maizal.state.code == "VE-K"


@pytest.mark.parametrize("who", ["bob", "carol", "oscar"])
def test_only_network_coordinators_register_communes(network: Network, who: str) -> None:
    with pytest.raises(PermissionDeniedError):
        actions.commune_register(
            actor=getattr(network, who),
            name="Otra",
            registry_code="X-1",
            parish=parish("Sarare", "VE-K"),
        )
    assert not Commune.objects.filter(registry_code="X-1").exists()


def test_a_registry_code_is_registered_once(network: Network) -> None:
    with pytest.raises(DomainError) as err:
        actions.commune_register(
            actor=network.nora,
            name="Copia",
            registry_code="COM-LAR-001",
            parish=parish("Sarare", "VE-K"),
        )
    assert "registry_code" in err.value.fields


def test_a_point_in_another_state_is_refused(network: Network) -> None:
    with pytest.raises(DomainError) as err:
        actions.commune_register(
            actor=network.nora,
            name="Lejos",
            registry_code="X-2",
            parish=parish("Sarare", "VE-K"),
            lon=-66.9,
            lat=10.5,  # Caracas
        )
    assert "lon" in err.value.fields


def test_a_territory_sets_the_point_and_bounding_box(network: Network) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[-69.2, 9.7], [-69.1, 9.7], [-69.1, 9.8], [-69.2, 9.8], [-69.2, 9.7]]],
    }
    commune = actions.commune_register(
        actor=network.nora,
        name="Con territorio",
        registry_code="X-3",
        parish=parish("Sarare", "VE-K"),
        territory=square,
    )
    assert commune.min_lon == pytest.approx(-69.2)
    assert commune.max_lat == pytest.approx(9.8)
    assert -69.2 < (commune.lon or 0) < -69.1


def test_a_broken_territory_is_refused_clearly(network: Network) -> None:
    with pytest.raises(DomainError) as err:
        actions.commune_register(
            actor=network.nora,
            name="Roto",
            registry_code="X-4",
            parish=parish("Sarare", "VE-K"),
            territory={"type": "Point", "coordinates": [1, 2]},
        )
    assert "territory" in err.value.fields


def test_a_council_belongs_to_one_commune_at_a_time(network: Network) -> None:
    with pytest.raises(DomainError):
        actions.council_join(actor=network.nora, council=network.delicias, commune=network.zamora)
    assert (
        CouncilMembership.objects.filter(council=network.delicias, left__isnull=True).count() == 1
    )


def test_leaving_and_joining_keeps_the_history(network: Network) -> None:
    today = timezone.localdate()
    actions.council_leave(actor=network.bob, council=network.delicias, on=today, reason="mudanza")
    network.maizal.refresh_from_db()
    assert network.maizal.council_count == 0
    actions.council_join(
        actor=network.ernesto, council=network.delicias, commune=network.zamora, on=today
    )
    history = list(
        CouncilMembership.objects.filter(council=network.delicias).order_by("joined", "pk")
    )
    assert [h.commune_id for h in history] == [network.maizal.pk, network.zamora.pk]
    assert history[0].left == today
    assert CommunalCouncil.objects.get(pk=network.delicias.pk).parent_id == network.zamora.pk


def test_joining_before_the_last_departure_is_refused(network: Network) -> None:
    today = timezone.localdate()
    actions.council_leave(actor=network.bob, council=network.delicias, on=today)
    with pytest.raises(DomainError):
        actions.council_join(
            actor=network.ernesto,
            council=network.delicias,
            commune=network.zamora,
            on=today - timedelta(days=5),
        )


def test_the_commune_coordinator_manages_its_councils_but_not_others(network: Network) -> None:
    assert can_change(network.bob, owner_id=network.delicias.pk)
    with pytest.raises(PermissionDeniedError):
        actions.council_update(actor=network.ernesto, council=network.delicias, households=1)


def test_a_mandate_ends_after_three_years_by_default(network: Network) -> None:
    mandate = Mandate.objects.get(person__user=network.alice)
    assert mandate.end == date(2027, 1, 20)
    assert mandate.membership is not None and mandate.membership.role == "spokesperson"


def test_one_active_principal_per_committee(network: Network) -> None:
    water = CommitteeType.objects.get(code="water")
    carol = Person.objects.get(user=network.carol)
    dora = Person.objects.get(user=network.dora)
    actions.mandate_grant(
        actor=network.bob,
        person=carol,
        organisation=network.delicias,
        committee=water,
        decision="Asamblea 2025-02-01",
    )
    with pytest.raises(DomainError) as err:
        actions.mandate_grant(
            actor=network.bob,
            person=dora,
            organisation=network.delicias,
            committee=water,
            decision="Asamblea 2025-02-01",
        )
    assert err.value.code == "seat_taken"


def test_a_mandate_is_in_a_body_or_a_committee(network: Network) -> None:
    with pytest.raises(DomainError):
        actions.mandate_grant(
            actor=network.bob,
            person=Person.objects.get(user=network.carol),
            organisation=network.maizal,
            decision="x",
        )


def test_revoking_a_mandate_ends_the_spokesperson_role(network: Network) -> None:
    mandate = Mandate.objects.get(person__user=network.alice)
    actions.mandate_revoke(actor=network.bob, mandate=mandate, reason="Revocada por la asamblea")
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.REVOKED
    alice = User.objects.get(pk=network.alice.pk)
    assert not Membership.objects.active().filter(person__user=alice, role="spokesperson").exists()
    assert not can_change(alice, owner_id=network.maizal.pk)


def test_oversight_cannot_revoke(network: Network) -> None:
    mandate = Mandate.objects.get(person__user=network.alice)
    with pytest.raises(PermissionDeniedError):
        actions.mandate_revoke(actor=network.dora, mandate=mandate, reason="no")


class TestExpiry:
    def test_expired_mandates_expire_and_lose_their_role(self, network: Network) -> None:
        mandate = Mandate.objects.get(person__user=network.alice)
        result = actions.mandates_expire(today=date(2027, 1, 21))
        mandate.refresh_from_db()
        assert result["expired"] == 1
        assert mandate.status == MandateStatus.EXPIRED
        assert (
            not Membership.objects.active(date(2027, 1, 21))
            .filter(person__user=network.alice, role="spokesperson")
            .exists()
        )

    def test_a_mandate_is_warned_once_within_sixty_days(self, network: Network) -> None:
        first = actions.mandates_expire(today=date(2026, 11, 25))
        second = actions.mandates_expire(today=date(2026, 11, 26))
        assert (first["warned"], second["warned"]) == (1, 0)
        assert AuditEvent.objects.filter(verb="mandate.expiry_warning").count() == 1

    def test_nothing_is_warned_earlier(self, network: Network) -> None:
        assert actions.mandates_expire(today=date(2026, 11, 19))["warned"] == 0

    def test_running_twice_expires_once(self, network: Network) -> None:
        actions.mandates_expire(today=date(2027, 2, 1))
        assert actions.mandates_expire(today=date(2027, 2, 1))["expired"] == 0

    def test_the_daily_task_runs_the_action(self, network: Network) -> None:
        from comuna.registry.tasks import expire_mandates

        result = expire_mandates.enqueue()
        assert set(result.return_value) == {"expired", "warned"}
        # It ran: a second run on the same day finds nothing left to do.
        assert actions.mandates_expire(today=timezone.localdate()) == {"expired": 0, "warned": 0}


def test_links_update_the_counters_and_refuse_duplicates(network: Network) -> None:
    actions.link_create(
        actor=network.bob,
        source=network.maizal,
        target=network.zamora,
        kind="production",
        description="Maíz por semilla",
    )
    with pytest.raises(DomainError):
        actions.link_create(
            actor=network.bob, source=network.maizal, target=network.zamora, kind="production"
        )
    assert Commune.objects.get(pk=network.zamora.pk).link_count == 1
    with pytest.raises(DomainError):
        actions.link_create(
            actor=network.bob, source=network.maizal, target=network.maizal, kind="education"
        )


def test_an_outsider_cannot_link(network: Network) -> None:
    with pytest.raises(PermissionDeniedError):
        actions.link_create(
            actor=network.oscar, source=network.maizal, target=network.zamora, kind="education"
        )


@pytest.mark.parametrize(
    ("indicators", "level"),
    [
        (Indicators(False, True, True, True, 5, 5, 100), 1),
        (Indicators(True, True, False, False, 0, 0, 0), 2),
        (Indicators(True, True, True, False, 1, 0, 50), 3),
        (Indicators(True, True, True, True, 1, 1, 100), 3),
        (Indicators(True, True, True, True, 2, 1, 80), 4),
    ],
)
def test_the_capacity_rule(indicators: Indicators, level: int) -> None:
    assert capacity_level(indicators) == level


def test_the_latest_assessment_sets_the_commune_level(network: Network) -> None:
    actions.assessment_record(
        actor=network.bob,
        commune=network.maizal,
        assessed_on=date(2025, 6, 1),
        indicators=Indicators(True, True, True, True, 3, 2, 90),
    )
    actions.assessment_record(
        actor=network.bob,
        commune=network.maizal,
        assessed_on=date(2024, 6, 1),
        indicators=Indicators(True, False, False, False, 0, 0, 10),
    )
    assert Commune.objects.get(pk=network.maizal.pk).capacity_level == 4


def test_an_assessment_in_the_future_is_refused(network: Network) -> None:
    with pytest.raises(DomainError):
        actions.assessment_record(
            actor=network.bob,
            commune=network.maizal,
            assessed_on=timezone.localdate() + timedelta(days=1),
            indicators=Indicators(True, True, True, True, 3, 2, 90),
        )


def test_an_aggregation_needs_two_communes(network: Network) -> None:
    with pytest.raises(DomainError):
        actions.aggregation_form(
            actor=network.nora,
            name="Sola",
            aggregation_kind="communal_city",
            communes=[network.maizal],
        )
    city = actions.aggregation_form(
        actor=network.nora,
        name="Ciudad Comunal",
        aggregation_kind="communal_city",
        communes=[network.maizal, network.zamora],
    )
    assert city.members.count() == 2


def test_bodies_of_a_council(network: Network) -> None:
    kinds = set(Body.objects.filter(organisation=network.delicias).values_list("kind", flat=True))
    assert BodyKind.CITIZENS_ASSEMBLY in kinds and BodyKind.ELECTORAL_COMMISSION in kinds
