"""The national seed (`comuna seed-national`) with small numbers: it writes what it says, the
counters agree with the rows, the rows read back through the ORM, it is deterministic, and a
second run is refused without changing anything."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from comuna.core import actions as core_actions
from comuna.core.models import AuditEvent, Organisation, OrganisationKind
from comuna.geography.actions import geography_load
from comuna.geography.models import State
from comuna.registry.capacity import Indicators, capacity_level
from comuna.registry.demo import NETWORK_SLUG
from comuna.registry.models import (
    COMMUNE_BODIES,
    COUNCIL_BODIES,
    Body,
    CapacityAssessment,
    CommunalCouncil,
    Commune,
    CouncilMembership,
    CouncilStatus,
    Link,
)
from comuna.registry.national import NationalResult, national_seed

pytestmark = pytest.mark.django_db

COMMUNES = 30
COUNCILS = 300


def seed(**options: Any) -> str:
    out = io.StringIO()
    call_command("seed_national", communes=COMMUNES, councils=COUNCILS, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def national(db: None) -> str:
    geography_load()
    return seed()


def test_it_writes_the_communes_and_councils_it_announces(national: str) -> None:
    assert f"communes: {COMMUNES}, councils: {COUNCILS}" in national
    assert Commune.objects.count() == COMMUNES
    assert CommunalCouncil.objects.count() == COUNCILS
    assert Commune.objects.filter(kind=OrganisationKind.COMMUNE).count() == COMMUNES
    first = Commune.objects.get(registry_code="NAC-COM-0001")
    assert first.name == "Comuna Nacional 0001"
    assert first.slug == "comuna-nacional-0001"
    assert CommunalCouncil.objects.filter(name="Consejo Comunal Nacional 00300").exists()


def test_it_covers_every_state_that_has_parishes(national: str) -> None:
    with_parishes = set(
        State.objects.filter(municipalities__parishes__isnull=False).values_list("code", flat=True)
    )
    assert len(with_parishes) == 24
    assert set(Commune.objects.values_list("state__code", flat=True)) == with_parishes


def test_every_unit_lies_in_its_state(national: str) -> None:
    for model in (Commune, CommunalCouncil):
        mismatched = model.objects.exclude(parish__municipality__state_id=F("state_id")).count()
        assert mismatched == 0
    for commune in Commune.objects.select_related("state"):
        west, south, east, north = commune.state.bbox or (0, 0, 0, 0)
        assert commune.lon is not None and commune.lat is not None
        assert west <= commune.lon <= east and south <= commune.lat <= north


def test_each_unit_has_its_bodies(national: str) -> None:
    assert Body.objects.count() == COMMUNES * len(COMMUNE_BODIES) + COUNCILS * len(COUNCIL_BODIES)
    kinds = Body.objects.filter(organisation__slug="comuna-nacional-0007").values_list(
        "kind", flat=True
    )
    assert sorted(kinds) == sorted(COMMUNE_BODIES)


def test_councils_in_a_commune_have_a_membership_and_a_parent(national: str) -> None:
    attached = CommunalCouncil.objects.filter(commune__isnull=False)
    assert attached.count() == CouncilMembership.objects.filter(left__isnull=True).count() > 0
    assert CommunalCouncil.objects.filter(commune__isnull=True).exists()
    assert not attached.exclude(parent_id=F("commune_id")).exists()
    assert not CouncilMembership.objects.exclude(council__commune=F("commune")).exists()
    root = Organisation.objects.get(slug=NETWORK_SLUG)
    assert not Commune.objects.exclude(parent=root).exists()
    sizes = Commune.objects.annotate(n=Count("councils")).values_list("n", flat=True)
    assert min(sizes) >= 3


def test_the_denormalised_counters_are_right(national: str) -> None:
    for commune in Commune.objects.annotate(
        active=Count("councils", filter=~Q(councils__status=CouncilStatus.INACTIVE))
    ):
        assert commune.council_count == commune.active, commune.slug
        pairs = (
            Link.objects.filter(ended__isnull=True)
            .filter(Q(source_id=commune.pk) | Q(target_id=commune.pk))
            .values("source_id", "target_id")
            .distinct()
            .count()
        )
        assert commune.link_count == pairs, commune.slug
        latest = (
            CapacityAssessment.objects.filter(commune=commune)
            .order_by("-assessed_on", "-id")
            .first()
        )
        assert commune.capacity_level == (latest.level if latest else None), commune.slug
    assert Link.objects.exists()
    assert CapacityAssessment.objects.exists()


def test_assessment_levels_follow_the_indicators(national: str) -> None:
    for assessment in CapacityAssessment.objects.all():
        indicators = Indicators(
            charter_approved=assessment.charter_approved,
            parliament_meeting=assessment.parliament_meeting,
            plan_approved=assessment.plan_approved,
            bank_operating=assessment.bank_operating,
            productive_units=assessment.productive_units,
            services_managed=assessment.services_managed,
            councils_active_share=assessment.councils_active_share,
        )
        assert assessment.level == capacity_level(indicators)


def test_one_audit_event_records_the_seed(national: str) -> None:
    event = AuditEvent.objects.get(verb="registry.seed_national")
    assert event.details["communes"] == COMMUNES
    assert event.details["councils"] == COUNCILS
    assert event.actor is not None and event.actor.username == "sistema"


def test_a_second_run_is_refused_and_changes_nothing(national: str) -> None:
    counts = [m.objects.count() for m in (Organisation, Body, Link, CapacityAssessment)]
    with pytest.raises(CommandError, match="already in this database"):
        seed()
    assert [m.objects.count() for m in (Organisation, Body, Link, CapacityAssessment)] == counts


def snapshot() -> list[tuple[Any, ...]]:
    communes = Commune.objects.order_by("registry_code").values_list(
        "registry_code", "state__code", "parish__code", "status", "lon", "lat", "charter_date",
        "council_count", "link_count", "capacity_level",
    )  # fmt: skip
    councils = CommunalCouncil.objects.order_by("registry_code").values_list(
        "registry_code", "commune__registry_code", "parish__code", "scope", "status",
        "households", "founded",
    )  # fmt: skip
    links = Link.objects.order_by("source__slug", "target__slug", "kind").values_list(
        "source__slug", "target__slug", "kind", "since"
    )
    return [*communes, *councils, *links]


def test_it_writes_the_same_rows_every_time(db: None) -> None:
    geography_load()
    with transaction.atomic():
        first: NationalResult = national_seed(communes=COMMUNES, councils=COUNCILS)
        before = snapshot()
        transaction.set_rollback(True)
    assert not Commune.objects.exists()
    second = national_seed(communes=COMMUNES, councils=COUNCILS)
    assert second == first
    assert snapshot() == before


def test_it_needs_the_geography(db: None) -> None:
    with pytest.raises(CommandError, match="load-geography"):
        seed()
    assert not Organisation.objects.exists()


def test_it_joins_the_network_that_is_already_there(db: None) -> None:
    geography_load()
    root = core_actions.organisation_create(
        actor=None, kind=OrganisationKind.NETWORK, name="Red de prueba", slug="red-de-prueba"
    )
    seed()
    assert Organisation.objects.filter(kind=OrganisationKind.NETWORK).count() == 1
    assert not Commune.objects.exclude(parent=root).exists()


def test_a_national_seed_has_no_demo_sign_ins(national: str) -> None:
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    assert "No demo sign-ins yet" in out.getvalue()
