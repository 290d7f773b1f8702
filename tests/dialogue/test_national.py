"""The national seed (for benchmarks): bulk rows whose statistics agree with a rebuild, and
a second run refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comuna.dialogue import counters
from comuna.dialogue.models import BodyStats, Demand, DemandEvent, PublicBody
from comuna.dialogue.national import SeedError, national_seed
from tests.registry.conftest import Network

pytestmark = pytest.mark.django_db


def test_the_seed_writes_bodies_demands_and_their_statistics(
    network: Network, client: Client
) -> None:
    result = national_seed(demands=3000)
    assert result.demands == 3000 == Demand.objects.count()
    assert result.bodies == PublicBody.objects.count() > 300
    assert DemandEvent.objects.filter(kind="filed").count() == 3000
    assert Demand.objects.filter(waiting=True).exists()
    assert Demand.objects.filter(status="answered").exists()
    expected = counters.expected()
    for body_id, values in expected.items():
        stored = BodyStats.objects.filter(body_id=body_id).values(*values).get()
        assert stored == values
    busiest = max(expected, key=lambda pk: expected[pk]["received"])
    slug = PublicBody.objects.get(pk=busiest).slug
    assert client.get(reverse("dialogue:body", args=[slug])).status_code == 200
    assert client.get(reverse("dialogue:stuck")).status_code == 200
    new = Demand.objects.create(
        owner=network.maizal, body_id=busiest, topic="water", title="Después", text="x"
    )
    assert new.pk > 3000  # the id sequence moved past the bulk rows
    with pytest.raises(SeedError):
        national_seed(demands=10)


def test_the_seed_needs_communes(db: None) -> None:
    with pytest.raises(SeedError, match="seed-national"):
        national_seed(demands=10)
