"""Registry pages: map, directory, profiles, graph, coordinator forms, and who may use them."""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from comuna.registry import actions
from comuna.registry.models import CommitteeType, CommunalCouncil, Commune, Mandate
from tests.registry.conftest import Network, parish

pytestmark = pytest.mark.django_db
STATIC = Path(__file__).resolve().parents[2] / "src" / "comuna" / "core" / "static" / "core"


EXTRA = itertools.count()


def more_communes(network: Network, n: int) -> None:
    for _n in range(n):
        i = next(EXTRA)
        commune = actions.commune_register(
            actor=network.nora,
            name=f"Comuna Extra {i}",
            registry_code=f"EXTRA-{i}",
            parish=parish("Sarare", "VE-K"),
            lon=-69.1,
            lat=9.8,
        )
        actions.council_register(
            actor=network.nora,
            name=f"Consejo Extra {i}",
            registry_code=f"CC-EXTRA-{i}",
            parish=parish("Sarare", "VE-K"),
            scope="urban",
            commune=commune,
        )
        actions.link_create(
            actor=network.nora, source=commune, target=network.maizal, kind="production"
        )


def test_the_network_home_shows_the_map_and_counts(client: Client, network: Network) -> None:
    body = client.get(reverse("registry:home")).content.decode()
    assert "<svg" in body and "Comuna El Maizal" in body
    assert "Lara" in body


def test_the_home_filters_by_state(client: Client, network: Network) -> None:
    body = client.get(reverse("registry:home"), {"estado": "VE-E"}).content.decode()
    assert '?estado=VE-E">Barinas</a>' in body
    assert 'aria-label="Comuna El Maizal"' not in body
    body = client.get(reverse("registry:home"), {"estado": "VE-K"}).content.decode()
    assert 'aria-label="Comuna El Maizal"' in body


def test_the_home_answers_htmx_with_the_results_only(client: Client, network: Network) -> None:
    response = client.get(reverse("registry:home"), HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_the_directory_searches_and_filters(client: Client, network: Network) -> None:
    body = client.get(reverse("registry:directory"), {"q": "maizal"}).content.decode()
    assert "Comuna El Maizal" in body and "Ezequiel Zamora" not in body
    body = client.get(reverse("registry:directory"), {"tipo": "consejos"}).content.decode()
    assert "Las Delicias" in body


@pytest.mark.parametrize(
    ("url", "extra"),
    [
        ("registry:home", {}),
        ("registry:directory", {}),
        ("registry:directory", {"tipo": "consejos"}),
        ("registry:graph", {}),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(
    client: Client,
    network: Network,
    django_assert_max_num_queries: Any,
    url: str,
    extra: dict[str, str],
) -> None:
    more_communes(network, 2)
    with django_assert_max_num_queries(12) as small:
        client.get(reverse(url), extra)
    more_communes(network, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse(url), extra)


def test_the_commune_profile_shows_public_names_only(client: Client, network: Network) -> None:
    response = client.get(reverse("registry:commune", args=["el-maizal"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Alicia Prueba" in body  # her public name, in the parliament
    assert "V-10000001" not in body and "0414-1" not in body
    assert "Las Delicias" in body


def test_the_profile_runs_a_fixed_number_of_queries(
    client: Client, network: Network, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(20) as first:
        client.get(reverse("registry:commune", args=["el-maizal"]))
    more_communes(network, 4)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("registry:commune", args=["el-maizal"]))


def test_the_council_and_aggregation_profiles(client: Client, network: Network) -> None:
    assert client.get(reverse("registry:council", args=["las-delicias"])).status_code == 200
    city = actions.aggregation_form(
        actor=network.nora,
        name="Ciudad Comunal Prueba",
        aggregation_kind="communal_city",
        communes=[network.maizal, network.zamora],
    )
    body = client.get(reverse("registry:aggregation", args=[city.slug])).content.decode()
    assert "Comuna El Maizal" in body and "Comuna Ezequiel Zamora" in body


def test_unknown_profiles_are_404(client: Client, network: Network) -> None:
    assert client.get(reverse("registry:commune", args=["no-existe"])).status_code == 404


def test_the_graph_names_who_is_not_linked_yet(client: Client, network: Network) -> None:
    actions.link_create(
        actor=network.bob, source=network.maizal, target=network.zamora, kind="education"
    )
    lonely = actions.commune_register(
        actor=network.nora,
        name="Comuna Solitaria",
        registry_code="SOLA",
        parish=parish("Sarare", "VE-K"),
        lon=-69.2,
        lat=9.7,
    )
    body = client.get(reverse("registry:graph")).content.decode()
    assert "<line" in body
    assert lonely.name in body.split("lonely-heading")[1]
    body = client.get(reverse("registry:graph"), {"enlace": "production"}).content.decode()
    assert "<line" not in body


def test_pages_stay_under_60_kb_compressed(client: Client, network: Network) -> None:
    assets = sum(
        len(gzip.compress((STATIC / f).read_bytes())) for f in ("comuna.css", "htmx.min.js")
    )
    for url in [
        reverse("registry:home"),
        reverse("registry:directory"),
        reverse("registry:graph"),
        reverse("registry:commune", args=["el-maizal"]),
    ]:
        page = len(gzip.compress(client.get(url).content))
        assert page + assets < 60 * 1024, url


class TestCoordinatorForms:
    def test_the_network_coordinator_registers_a_commune(
        self, client: Client, network: Network
    ) -> None:
        client.force_login(network.nora)
        response = client.post(
            reverse("registry:commune_new"),
            {
                "name": "Comuna Nueva",
                "registry_code": "NUEVA-1",
                "parish": "Sarare",
                "status": "forming",
                "lon": "-69.15",
                "lat": "9.79",
            },
        )
        assert response.status_code == 302
        assert Commune.objects.filter(registry_code="NUEVA-1", parish__name="Sarare").exists()

    def test_bad_input_names_the_field_and_writes_nothing(
        self, client: Client, network: Network
    ) -> None:
        client.force_login(network.nora)
        response = client.post(
            reverse("registry:commune_new"),
            {
                "name": "Comuna Nueva",
                "registry_code": "COM-LAR-001",
                "parish": "No existe",
                "status": "forming",
            },
        )
        assert response.status_code == 200
        assert "No existe" in response.content.decode()
        assert Commune.objects.count() == 2

    @pytest.mark.parametrize("who", ["bob", "carol", "dora", "oscar"])
    def test_others_may_not_register_communes(
        self, client: Client, network: Network, who: str
    ) -> None:
        client.force_login(getattr(network, who))
        assert client.get(reverse("registry:commune_new")).status_code == 403

    def test_the_public_is_sent_to_sign_in(self, client: Client, network: Network) -> None:
        response = client.get(reverse("registry:commune_new"))
        assert response.status_code == 302 and "/cuenta/entrar/" in response["Location"]

    def test_the_commune_coordinator_registers_a_council(
        self, client: Client, network: Network
    ) -> None:
        client.force_login(network.bob)
        response = client.post(
            reverse("registry:council_new", args=["el-maizal"]),
            {
                "name": "Consejo Comunal Nuevo",
                "registry_code": "CC-NUEVO",
                "parish": "Sarare",
                "scope": "rural",
                "status": "active",
                "households": "120",
            },
        )
        assert response.status_code == 302
        assert CommunalCouncil.objects.get(registry_code="CC-NUEVO").commune_id == network.maizal.pk

    @pytest.mark.parametrize("who", ["carol", "dora", "ernesto", "oscar"])
    def test_the_outsider_may_not_register_a_council(
        self, client: Client, network: Network, who: str
    ) -> None:
        client.force_login(getattr(network, who))
        assert client.get(reverse("registry:council_new", args=["el-maizal"])).status_code == 403

    def test_a_coordinator_grants_and_revokes_a_mandate(
        self, client: Client, network: Network
    ) -> None:
        client.force_login(network.bob)
        page = client.get(reverse("registry:mandate_new", args=["las-delicias"]))
        assert page.status_code == 200
        carol_id = network.carol.person.pk
        response = client.post(
            reverse("registry:mandate_new", args=["las-delicias"]),
            {
                "person": str(carol_id),
                "seat": f"committee:{CommitteeType.objects.get(code='water').pk}",
                "position": "principal",
                "start": "2025-03-01",
                "decision": "Asamblea del 2025-03-01",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        mandate = Mandate.objects.get(person_id=carol_id)
        response = client.post(
            reverse("registry:mandate_revoke", args=[mandate.pk]),
            {"reason": "Revocada", "on": "2025-06-01"},
        )
        assert response.status_code == 302
        mandate.refresh_from_db()
        assert mandate.status == "revoked"

    def test_oversight_sees_the_audit_trail_but_no_forms(
        self, client: Client, network: Network
    ) -> None:
        client.force_login(network.dora)
        body = client.get(reverse("registry:commune", args=["el-maizal"])).content.decode()
        assert reverse("core:audit", args=["el-maizal"]) in body
        assert reverse("registry:commune_edit", args=["el-maizal"]) not in body
        assert client.get(reverse("registry:mandates", args=["el-maizal"])).status_code == 403

    def test_a_link_and_an_assessment_from_the_forms(
        self, client: Client, network: Network
    ) -> None:
        client.force_login(network.bob)
        response = client.post(
            reverse("registry:link_new", args=["el-maizal"]),
            {
                "target": "ezequiel-zamora",
                "kind": "production",
                "description": "Semilla de maíz",
            },
        )
        assert response.status_code == 302
        response = client.post(
            reverse("registry:assessment_new", args=["el-maizal"]),
            {
                "assessed_on": "2025-01-10",
                "charter_approved": "on",
                "parliament_meeting": "on",
                "productive_units": "0",
                "services_managed": "0",
                "councils_active_share": "80",
            },
        )
        assert response.status_code == 302
        assert Commune.objects.get(pk=network.maizal.pk).capacity_level == 2
