"""The dialogue's demo: the story of the issue's "done when", and loading it twice. The
registry's demo is loaded once for the module inside a transaction rolled back at the end."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comuna.core.models import Organisation
from comuna.dialogue import queries
from comuna.dialogue.demo import MARKER_TITLE, load
from comuna.dialogue.models import (
    CompetenceTransfer,
    Demand,
    DemandStatus,
    DialogueTable,
    ServiceManagement,
)
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
    assert not Demand.objects.exists()


def test_it_loads_once(demo: str) -> None:
    assert "demands:" in demo
    count = Demand.objects.count()
    out = io.StringIO()
    load(out)
    assert "already loaded" in out.getvalue() and Demand.objects.count() == count


def test_a_cosigned_demand_to_a_utility_went_overdue_was_escalated_and_answered(
    demo: str,
) -> None:
    first = Demand.objects.get(title=MARKER_TITLE, escalated_from__isnull=True)
    assert first.body.slug == "hidrolara" and first.status == DemandStatus.ESCALATED
    assert first.closed_on is not None and first.due_on is not None
    assert first.closed_on > first.due_on  # escalated after it went overdue
    assert {o.slug for o in first.cosigners.all()} >= {"negro-miguel"}
    assert first.cosigners.filter(kind="movement").exists()
    higher = Demand.objects.get(escalated_from=first)
    assert higher.body.slug == "hidroven" and higher.status == DemandStatus.ANSWERED
    assert higher.answered_late


def test_the_dialogue_table_tracks_kept_late_and_broken_commitments(demo: str) -> None:
    table = DialogueTable.objects.get(title__startswith="Mesa de diálogo de servicios")
    today = timezone.localdate()
    outcomes = sorted(c.outcome_on(today) for c in table.commitments.all())
    assert outcomes == ["broken", "kept", "kept", "late", "pending"]
    maizal = Organisation.objects.get(slug="el-maizal")
    assert len(queries.open_commitments_for(maizal)) == 3


def test_transfers_in_several_phases_and_el_maizal_runs_rubbish_collection(demo: str) -> None:
    phases = set(CompetenceTransfer.objects.values_list("phase", flat=True))
    assert {"completed", "execution", "diagnosis"} <= phases
    waste = CompetenceTransfer.objects.get(service="waste")
    assert waste.owner.slug == "el-maizal"
    assert list(waste.steps.values_list("phase", flat=True)) == [
        "diagnosis",
        "plan",
        "budget",
        "execution",
        "oversight",
        "completed",
    ]
    managed = {(m.organisation.slug, m.service) for m in ServiceManagement.objects.all()}
    assert managed == {("el-maizal", "waste"), ("negro-miguel", "water")}


def test_statistics_and_feeds_show_it(demo: str, client: Client) -> None:
    report = queries.stuck_report(timezone.localdate())
    assert "hidrolara" in {r.slug for r in report.ranked}
    assert report.totals.overdue > 0
    page = client.get(reverse("dialogue:stuck")).content.decode()
    assert "Hidrolara" in page
    feed = client.get(reverse("dialogue:feed_body", args=["hidroven"])).content.decode()
    assert MARKER_TITLE in feed
    feed = client.get(reverse("dialogue:feed_organisation", args=["el-maizal"])).content.decode()
    assert "Recolección de desechos sólidos" in feed
    calendar = client.get(reverse("dialogue:ical_organisation", args=["el-maizal"]))
    assert b"BEGIN:VEVENT" in calendar.content
