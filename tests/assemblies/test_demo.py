"""The assemblies demo: the 2018 National Assembly as the issue tells it, and loading it
twice. The registry's demo is loaded once for the module inside a transaction rolled back at
the end (the voting part's demo runs inside `load` too)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from comuna.assemblies import queries
from comuna.assemblies.demo import SLUG, load
from comuna.assemblies.models import Assembly, Motion, Participant
from comuna.geography import queries as geo_queries
from comuna.geography.actions import geography_load
from comuna.registry.demo import demo_load

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        geo_queries.clear_caches()
        geography_load()
        demo_load()
        out = io.StringIO()
        load(out)
        yield out.getvalue()
        transaction.set_rollback(True)
    geo_queries.clear_caches()


def test_without_the_demo_network_it_does_nothing(db: None) -> None:
    out = io.StringIO()
    load(out)
    assert "not loaded" in out.getvalue()
    assert not Assembly.objects.exists()


def test_the_2018_assembly_has_its_delegations_guests_and_quorum(demo: str) -> None:
    assembly = Assembly.objects.get(slug=SLUG)
    assert assembly.starts_on.isoformat() == "2018-08-25"
    assert assembly.delegations.count() == 74
    assert Participant.objects.filter(assembly=assembly, kind="delegate").count() == 300
    guests = Participant.objects.filter(assembly=assembly, kind="guest")
    assert {g.affiliation.split(", ")[-1] for g in guests} == {"Brasil", "Argentina"}
    assert queries.quorum(assembly).reached
    refused = Participant.objects.filter(assembly=assembly, credential_status="refused")
    assert refused.count() == 2 and all(p.credential_note for p in refused)


def test_working_groups_motions_amendments_and_forwarding(demo: str) -> None:
    assembly = Assembly.objects.get(slug=SLUG)
    assert assembly.working_groups.count() == 5
    assert all(g.report and g.rapporteur_id for g in assembly.working_groups.all())
    seeds = Motion.objects.get(assembly=assembly, number="M-001")
    statuses = [a.status for a in seeds.amendments.all()]
    assert len(statuses) == 3 and {"accepted", "rejected"} <= set(statuses)
    assert "caraota" in seeds.text
    upward = Motion.objects.get(assembly=assembly, forwarded_from__isnull=False)
    assert upward.origin.kind == "council"
    assert len(queries.forward_chain(upward)) == 2
    down = Motion.objects.filter(assembly__isnull=True, forwarded_from__assembly=assembly)
    assert down.count() == 3


def test_the_record_ends_with_declaration_minutes_and_resolutions(demo: str) -> None:
    assembly = Assembly.objects.get(slug=SLUG)
    adopted = list(queries.adopted_motions(assembly))
    assert adopted
    declaration = queries.declaration_of(assembly)
    assert declaration is not None and declaration.status == "published"
    assert declaration.versions.count() == 2
    assert declaration.endorsements.count() > 50
    minutes = queries.minutes_of(assembly)
    assert minutes is not None and minutes.status == "approved"
    assert adopted[0].title in minutes.text
    assert assembly.resolutions.count() == len(adopted)


def test_the_demo_sign_ins_play_their_parts(demo: str) -> None:
    assembly = Assembly.objects.get(slug=SLUG)
    vocera = User.objects.get(username="maizal-vocera")
    assert queries.permissions(vocera, assembly).is_voter
    coordinator = User.objects.get(username="maizal-coordinador")
    assert queries.can_run(coordinator, assembly)
    client = Client()
    client.force_login(coordinator)
    assert client.get(reverse("assemblies:desk", args=[SLUG])).status_code == 200


def test_loading_it_again_changes_nothing(demo: str) -> None:
    before = (Participant.objects.count(), Motion.objects.count())
    out = io.StringIO()
    load(out)
    assert "already loaded" in out.getvalue()
    assert (Participant.objects.count(), Motion.objects.count()) == before
