"""The public-services dashboards know which services a commune runs: a completed transfer of
competences in the dialogue module (read through its queries) shows on them."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from comuna.dialogue import actions as dialogue_actions
from comuna.public_services import queries
from tests.registry.conftest import (  # noqa: F401 - fixtures used here
    Network,
    _fresh_geography_caches,
    network,
)

pytestmark = pytest.mark.django_db


def test_a_completed_rubbish_transfer_shows_on_the_communes_dashboard(
    client: Client,
    network: Network,  # noqa: F811 - the imported fixture
) -> None:
    maizal = network.maizal
    url = reverse("public_services:dashboard_commune", args=[maizal.slug])
    assert "Recolección de desechos" not in client.get(url).content.decode()
    body = dialogue_actions.body_create(
        actor=network.nora,
        name="Alcaldía del municipio Simón Planas",
        slug="alcaldia-simon-planas",
        level="municipal",
        body_type="mayors_office",
    )
    transfer = dialogue_actions.transfer_create(
        actor=network.bob,
        owner=maizal,
        title="Recolección de desechos sólidos en Sarare",
        kind="service",
        service="waste",
        from_body=body,
        started_on=date(2025, 6, 1),
    )
    for day in (date(2025, 7, 1), date(2025, 8, 1), date(2025, 9, 1), date(2025, 10, 1)):
        transfer = dialogue_actions.transfer_advance(actor=network.bob, transfer=transfer, on=day)
    # Not completed yet: nothing is run.
    assert queries.services_run(maizal) == []
    transfer = dialogue_actions.transfer_advance(
        actor=network.bob, transfer=transfer, on=date(2025, 11, 3)
    )
    assert [s.service for s in queries.services_run(maizal)] == ["waste"]
    page = client.get(url).content.decode()
    assert "Servicios que gestiona la comuna" in page
    assert "Recolección de desechos" in page
    assert reverse("dialogue:transfer", args=[transfer.pk]) in page
    # The network's dashboard lists it with the commune's name.
    network_page = client.get(reverse("public_services:dashboard")).content.decode()
    assert maizal.name in network_page and "Recolección de desechos" in network_page
