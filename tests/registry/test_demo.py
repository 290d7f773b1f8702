"""The demo network (`comuna seed-demo`): what it holds, who can sign in, and that loading it
again changes nothing. The demo is loaded once for the module (about ten seconds) inside a
transaction that is rolled back at the end; each test runs in its own savepoint."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q

from comuna.core.management.commands.demo_accounts import DEMO_GROUP, DEMO_PASSWORD
from comuna.core.models import AuditEvent, Membership, Organisation, Person, Role
from comuna.geography import queries as geo_queries
from comuna.geography.actions import geography_load
from comuna.registry.capacity import Indicators, capacity_level
from comuna.registry.demo import (
    CITY_SLUG,
    MAIZAL_SLUG,
    NETWORK_SLUG,
    DemoResult,
    demo_load,
)
from comuna.registry.models import (
    Aggregation,
    AggregationKind,
    AggregationMember,
    CapacityAssessment,
    CommunalCouncil,
    Commune,
    CouncilMembership,
    CouncilStatus,
    Link,
    Mandate,
    MandateStatus,
    Scope,
)

pytestmark = pytest.mark.django_db

DEMO_STATES = {"VE-K", "VE-C", "VE-E", "VE-S", "VE-L", "VE-U", "VE-I", "VE-G", "VE-A"}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoResult]:
    with django_db_blocker.unblock(), transaction.atomic():
        geo_queries.clear_caches()
        geography_load()
        result = demo_load()
        assert result is not None
        yield result
        transaction.set_rollback(True)
    geo_queries.clear_caches()


def test_it_loads_74_communes_in_nine_states(demo: DemoResult) -> None:
    assert demo.communes == 74
    assert Commune.objects.count() == 74
    assert set(Commune.objects.values_list("state__code", flat=True)) == DEMO_STATES
    root = Organisation.objects.get(slug=NETWORK_SLUG)
    assert root.kind == "network"
    assert root.name == "Red Nacional de Comuneros y Comuneras"
    assert not Commune.objects.exclude(parent=root).exists()


def test_el_maizal_is_in_simon_planas_lara(demo: DemoResult) -> None:
    maizal = Commune.objects.select_related("parish__municipality__state").get(slug=MAIZAL_SLUG)
    assert maizal.name == "Comuna El Maizal"
    assert maizal.parish.municipality.name == "Simón Planas"
    assert maizal.parish.municipality.state.code == "VE-K"
    assert maizal.state.code == "VE-K"


def test_every_commune_and_council_lies_in_its_state(demo: DemoResult) -> None:
    for model in (Commune, CommunalCouncil):
        for unit in model.objects.select_related("state", "parish__municipality"):
            assert unit.parish.municipality.state_id == unit.state_id, unit.name
            assert unit.lon is not None and unit.lat is not None, unit.name
            assert geo_queries.locate_code(unit.lon, unit.lat) == unit.state.code, unit.name
    assert not CommunalCouncil.objects.exclude(state_id=F("commune__state_id")).exists()


def test_each_commune_has_3_to_12_councils_and_counts_them(demo: DemoResult) -> None:
    rows = Commune.objects.annotate(
        total=Count("councils"),
        counted=Count("councils", filter=~Q(councils__status=CouncilStatus.INACTIVE)),
    ).values_list("slug", "total", "counted", "council_count")
    for slug, total, counted, council_count in rows:
        assert 3 <= total <= 12, slug
        assert council_count == counted, slug
    assert CommunalCouncil.objects.filter(commune__isnull=True).count() == 0
    assert CouncilMembership.objects.filter(left__isnull=True).count() == demo.councils
    scopes = set(CommunalCouncil.objects.values_list("scope", flat=True))
    assert scopes == {Scope.RURAL, Scope.URBAN, Scope.INDIGENOUS}
    assert set(
        CommunalCouncil.objects.filter(scope=Scope.INDIGENOUS).values_list("state__code", flat=True)
    ) == {"VE-C"}


def test_the_communal_city_joins_el_maizal_and_three_lara_neighbours(demo: DemoResult) -> None:
    city = Aggregation.objects.get(slug=CITY_SLUG)
    assert city.name == "Ciudad Comunal Simón Planas"
    assert city.aggregation_kind == AggregationKind.COMMUNAL_CITY
    members = Commune.objects.filter(
        pk__in=AggregationMember.objects.filter(aggregation=city).values("commune_id")
    )
    assert members.count() == 4
    assert members.filter(slug=MAIZAL_SLUG).exists()
    assert set(members.values_list("parish__municipality__name", flat=True)) == {"Simón Planas"}


@pytest.mark.parametrize(
    ("username", "role", "organisation"),
    [
        ("coordinacion", Role.COORDINATOR, NETWORK_SLUG),
        ("maizal-coordinador", Role.COORDINATOR, MAIZAL_SLUG),
        ("maizal-vocera", Role.SPOKESPERSON, MAIZAL_SLUG),
        ("maizal-miembro", Role.MEMBER, MAIZAL_SLUG),
        ("maizal-contraloria", Role.OVERSIGHT, MAIZAL_SLUG),
        ("consejo-coordinador", Role.COORDINATOR, "consejo-comunal-las-delicias"),
    ],
)
def test_each_demo_sign_in_holds_its_role(
    demo: DemoResult, username: str, role: str, organisation: str
) -> None:
    user = User.objects.get(username=username)
    assert user.groups.filter(name=DEMO_GROUP).exists()
    assert user.check_password(DEMO_PASSWORD)
    assert not user.is_staff
    held = set(
        Membership.objects.active()
        .filter(person__user=user)
        .values_list("role", "organisation__slug")
    )
    assert held == {(role, organisation)}


def test_the_spokesperson_sits_in_el_maizals_parliament(demo: DemoResult) -> None:
    mandate = Mandate.objects.get(person__user__username="maizal-vocera")
    assert mandate.organisation.slug == MAIZAL_SLUG
    assert mandate.body is not None and mandate.body.kind == "parliament"
    assert mandate.is_current
    assert "Las Delicias" in mandate.decision


def test_the_visitor_signs_in_with_no_role(demo: DemoResult) -> None:
    visitor = User.objects.get(username="visitante")
    assert visitor.check_password(DEMO_PASSWORD)
    assert Person.objects.filter(user=visitor).exists()
    assert not Membership.objects.filter(person__user=visitor).exists()
    assert set(demo.users) == {
        "coordinacion",
        "maizal-coordinador",
        "maizal-vocera",
        "maizal-miembro",
        "maizal-contraloria",
        "consejo-coordinador",
        "visitante",
    }


def test_demo_accounts_lists_every_sign_in_with_the_password(demo: DemoResult) -> None:
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for username in demo.users:
        assert username in text
    assert "Comuna El Maizal" in text
    assert "signed in, no role" in text


def test_the_system_account_cannot_sign_in(demo: DemoResult) -> None:
    system = User.objects.get(username="sistema")
    assert system.is_staff
    assert not system.has_usable_password()
    assert not system.groups.filter(name=DEMO_GROUP).exists()


def test_no_persons_private_data_looks_real(demo: DemoResult) -> None:
    people = list(Person.objects.values_list("national_id", "phone", "email", "address"))
    assert len(people) == demo.people > 500
    for national_id, phone, email, address in people:
        assert national_id.startswith("V-00."), national_id
        assert phone.startswith("0000-"), phone
        assert email == ""
        assert "ficticia" in address
    assert Person.objects.values("national_id").distinct().count() == len(people)


def test_spokespeople_sit_for_the_councils_and_some_mandates_are_ending(
    demo: DemoResult,
) -> None:
    assert demo.mandates == Mandate.objects.count()
    assert Mandate.objects.filter(status=MandateStatus.EXPIRED).count() == 3
    assert demo.expired == 3
    assert demo.warned >= 5
    assert Mandate.objects.filter(expiry_warned_on__isnull=False).count() == demo.warned
    active_councils = CommunalCouncil.objects.exclude(status=CouncilStatus.INACTIVE).count()
    parliament = Mandate.objects.filter(body__kind="parliament")
    assert parliament.count() == active_councils
    assert Mandate.objects.filter(committee__code="water").exists()
    assert Mandate.objects.filter(committee__code="communal-economy").exists()
    # An expired spokesperson no longer acts: the membership the mandate gave has ended.
    for mandate in Mandate.objects.filter(status=MandateStatus.EXPIRED):
        assert mandate.membership is not None
        assert mandate.membership.valid_to == mandate.end


def test_the_graph_has_a_hub_clusters_and_communes_not_linked_yet(demo: DemoResult) -> None:
    counts = dict(Commune.objects.values_list("slug", "link_count"))
    assert counts[MAIZAL_SLUG] == max(counts.values()) >= 12
    unlinked = {slug for slug, n in counts.items() if n == 0}
    assert len(unlinked) >= 5
    for slug, n in counts.items():
        pairs = (
            Link.objects.filter(ended__isnull=True)
            .filter(Q(source__slug=slug) | Q(target__slug=slug))
            .values("source_id", "target_id")
            .distinct()
            .count()
        )
        assert n == pairs, slug
    same_state = Link.objects.filter(
        source__commune_profile__state=F("target__commune_profile__state")
    )
    assert same_state.count() >= 20
    assert set(Link.objects.values_list("kind", flat=True)) == {
        "production",
        "communication",
        "education",
        "services",
        "territory",
    }
    assert not Link.objects.filter(description="").exists()


def test_each_commune_has_2_to_4_assessments_and_shows_the_latest(demo: DemoResult) -> None:
    for commune in Commune.objects.all():
        history = list(CapacityAssessment.objects.filter(commune=commune).order_by("assessed_on"))
        assert 2 <= len(history) <= 4, commune.slug
        assert commune.capacity_level == history[-1].level
        for assessment in history:
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
    assert Commune.objects.get(slug=MAIZAL_SLUG).capacity_level == 4
    assert set(Commune.objects.values_list("capacity_level", flat=True)) == {1, 2, 3, 4}


def test_every_write_left_an_audit_event(demo: DemoResult) -> None:
    verbs = dict(AuditEvent.objects.values_list("verb").annotate(n=Count("pk")))
    assert verbs["commune.register"] == 74
    assert verbs["council.register"] == demo.councils
    assert verbs["mandate.grant"] == demo.mandates
    assert verbs["link.create"] == demo.links
    assert verbs["assessment.record"] == demo.assessments
    assert verbs["aggregation.form"] == 1
    registered_by = set(
        AuditEvent.objects.filter(verb="commune.register").values_list("actor__username", flat=True)
    )
    assert registered_by == {"coordinacion"}


def test_running_it_again_changes_nothing(demo: DemoResult) -> None:
    models: list[Any] = [Organisation, Person, User, Membership, Mandate, Link, AuditEvent]
    # The command adds the other modules' demo data on top of the network once.
    call_command("seed_demo", stdout=io.StringIO())
    before = [model.objects.count() for model in models]
    assert demo_load() is None
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert [model.objects.count() for model in models] == before
