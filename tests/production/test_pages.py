"""Pages of the productive network: a cycle from opening to deliveries through the forms,
unmet needs, the map, the exports, fixed query counts, and the outsider refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from comuna.core.models import Person
from comuna.production import actions
from comuna.production.models import (
    Commitment,
    CycleStatus,
    Intent,
    Proposal,
    SupplyCycle,
)
from tests.production.conftest import Farm

pytestmark = pytest.mark.django_db


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_the_public_sees_home_catalogue_units_cycles_and_map(client: Client, farm: Farm) -> None:
    for url in [
        "/produccion/",
        "/produccion/catalogo/",
        "/produccion/unidades/",
        f"/produccion/unidades/{farm.planta.slug}/",
        "/produccion/ciclos/",
        f"/produccion/ciclos/{farm.cycle.pk}/",
        "/produccion/mapa/",
        f"/produccion/mapa/?ciclo={farm.cycle.pk}",
        f"/produccion/ciclos/{farm.cycle.pk}/faltantes/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Semilla de maíz" in client.get("/produccion/catalogo/").content.decode()


def test_a_coordinator_runs_a_cycle_from_offers_to_deliveries(
    client: Client, farm: Farm, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    bob, ernesto, nora = farm.net.bob, farm.net.ernesto, farm.net.nora
    cycle_url = f"/produccion/ciclos/{farm.cycle.pk}/"
    maize, sack = farm.resource("semilla-maiz"), farm.unit("saco-40kg")
    signed_in(client, bob)
    response = client.post(
        f"{cycle_url}ofertas/nueva/",
        {
            "owner": farm.planta.pk,
            "resource": maize.pk,
            "quantity": "20",
            "unit": sack.pk,
            "terms": "barter",
            "recurrence": "once",
        },
    )
    assert response.status_code == 302, response.content
    bad = client.post(
        f"{cycle_url}ofertas/nueva/",
        {
            "owner": farm.planta.pk,
            "resource": maize.pk,
            "quantity": "5",
            "unit": farm.unit("l").pk,
            "terms": "barter",
            "recurrence": "once",
        },
    )
    assert bad.status_code == 200 and Intent.objects.count() == 1
    client.logout()
    signed_in(client, ernesto)
    response = client.post(
        f"{cycle_url}necesidades/nueva/",
        {
            "owner": farm.ceiba.pk,
            "resource": maize.pk,
            "quantity": "300",
            "unit": farm.unit("kg").pk,
            "priority": "9",
            "terms": "donation",
            "recurrence": "once",
        },
    )
    assert response.status_code == 302
    assert client.post(f"{cycle_url}asignar/").status_code == 403
    client.logout()
    signed_in(client, nora)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{cycle_url}asignar/").status_code == 302
    page = client.get(cycle_url).content.decode()
    assert "300 kg" in page and "Propuestas por acordar" in page
    status = client.get(cycle_url, {"parte": "estado"}, HTTP_HX_REQUEST="true")
    assert status.status_code == 200 and b"<html" not in status.content
    proposal = Proposal.objects.get()
    for user in (bob, ernesto):
        client.logout()
        signed_in(client, user)
        assert (
            client.post(
                f"/produccion/propuestas/{proposal.pk}/responder/", {"decision": "accepted"}
            ).status_code
            == 302
        )
    client.logout()
    signed_in(client, nora)
    response = client.post(f"{cycle_url}aprobar/", {"decision": "Acta 7 del Consejo"})
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    client.logout()
    signed_in(client, bob)
    client.post(
        f"/produccion/unidades/{farm.planta.slug}/eventos/nuevo/",
        {"action": "produce", "resource": maize.pk, "quantity": "20", "unit": sack.pk},
    )
    over = client.post(
        f"/produccion/compromisos/{commitment.pk}/entregar/",
        {"action": "transfer", "quantity": "301", "unit": farm.unit("kg").pk},
    )
    assert over.status_code == 200 and "Es más de lo comprometido" in over.content.decode()
    done = client.post(
        f"/produccion/compromisos/{commitment.pk}/entregar/",
        {"action": "transfer", "quantity": "7.5", "unit": sack.pk},
    )
    assert done.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "fulfilled" and commitment.delivered_base == Decimal(300)
    assert (
        "Comuna Ezequiel Zamora"
        in client.get(f"/produccion/mapa/?ciclo={farm.cycle.pk}").content.decode()
    )
    client.logout()
    signed_in(client, nora)
    assert client.post(f"{cycle_url}cerrar/", {"note": "Todo entregado"}).status_code == 302
    assert SupplyCycle.objects.get().status == CycleStatus.CLOSED


def test_the_outsider_is_refused_everywhere(client: Client, farm: Farm) -> None:
    signed_in(client, farm.net.oscar)
    cycle_url = f"/produccion/ciclos/{farm.cycle.pk}/"
    for url in [
        "/produccion/unidades/nueva/",
        "/produccion/ciclos/nuevo/",
        "/produccion/catalogo/nuevo/",
        f"{cycle_url}ofertas/nueva/",
        f"{cycle_url}necesidades/nueva/",
        f"{cycle_url}importar/",
        f"{cycle_url}unirse/",
        f"{cycle_url}aprobar/",
        f"{cycle_url}cerrar/",
        f"/produccion/unidades/{farm.planta.slug}/proyectos/nuevo/",
        f"/produccion/unidades/{farm.planta.slug}/eventos/nuevo/",
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(f"{cycle_url}asignar/").status_code == 403


def test_a_network_only_cycle_is_hidden_from_the_public(client: Client, farm: Farm) -> None:
    today = timezone.localdate()
    hidden = actions.cycle_open(
        actor=farm.net.nora,
        owner=farm.net.root,
        name="Ciclo interno",
        collect_until=today,
        deliver_by=today + timedelta(days=1),
        visibility="network",
    )
    assert client.get(f"/produccion/ciclos/{hidden.pk}/").status_code == 404
    assert "Ciclo interno" not in client.get("/produccion/ciclos/").content.decode()
    signed_in(client, farm.net.carol)
    assert client.get(f"/produccion/ciclos/{hidden.pk}/").status_code == 200


def test_the_csv_import_is_all_or_nothing(client: Client, farm: Farm) -> None:
    signed_in(client, farm.net.bob)
    url = f"/produccion/ciclos/{farm.cycle.pk}/importar/"
    rows = (
        "kind,agent,resource,quantity,unit,priority\n"
        f"offer,{farm.planta.slug},semilla-maiz,100,kg,\n"
        f"need,{farm.planta.slug},abono-organico,-3,kg,5\n"
        f"need,{farm.planta.slug},nada,3,kg,5\n"
        f"offer,{farm.planta.slug},tubo-pvc,3,kg,\n"
    )
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", rows.encode())})
    text = response.content.decode()
    assert response.status_code == 200 and Intent.objects.count() == 0
    assert all(f"Fila {n}:" in text for n in (3, 4, 5)) and "Fila 2:" not in text
    good = rows.splitlines()[:2]
    response = client.post(url, {"file": SimpleUploadedFile("b.csv", "\n".join(good).encode())})
    assert response.status_code == 302 and Intent.objects.count() == 1


def test_exports_are_csv(client: Client, farm: Farm) -> None:
    farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 100)
    response = client.get(f"/produccion/ciclos/{farm.cycle.pk}/ofertas-y-necesidades.csv")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert body.splitlines()[0].startswith("id,kind,agent")
    assert "semilla-maiz" in body
    units = b"".join(client.get("/produccion/unidades/?formato=csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert re.search(r"planta-maizal,Planta Maizal,epsdc", units)


def test_lists_run_a_fixed_number_of_queries(
    client: Client, farm: Farm, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    for n in range(30):
        farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", n + 1)
        farm.post(farm.net.ernesto, "need", farm.ceiba, "abono-organico", n + 1)
    signed_in(client, farm.net.bob)
    with django_assert_max_num_queries(30):
        assert client.get(f"/produccion/ciclos/{farm.cycle.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/produccion/ciclos/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/produccion/unidades/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/produccion/unidades/{farm.planta.slug}/").status_code == 200


def test_the_cycle_page_polls_while_the_allocation_runs(client: Client, farm: Farm) -> None:
    SupplyCycle.objects.filter(pk=farm.cycle.pk).update(
        allocation_state="running", allocation_progress=30, allocation_message="Solving"
    )
    url = f"/produccion/ciclos/{farm.cycle.pk}/"
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and '<progress max="100" value="30">' in page
    SupplyCycle.objects.filter(pk=farm.cycle.pk).update(
        allocation_state="failed", allocation_progress=100, allocation_message="Input error"
    )
    part = client.get(url, {"parte": "estado"}, HTTP_HX_REQUEST="true").content.decode()
    assert "every 2s" not in part and "Input error" in part


def test_members_of_a_unit_are_listed_for_its_people_only(client: Client, farm: Farm) -> None:
    carol = Person.objects.get(user=farm.net.carol)
    signed_in(client, farm.net.bob)
    url = f"/produccion/unidades/{farm.planta.slug}/miembros/nuevo/"
    assert client.post(url, {"person": carol.pk, "role": "member"}).status_code == 302
    page = client.get(f"/produccion/unidades/{farm.planta.slug}/").content.decode()
    assert "Carolina Prueba" in page
    client.logout()
    assert (
        "Carolina Prueba"
        not in client.get(f"/produccion/unidades/{farm.planta.slug}/").content.decode()
    )
    signed_in(client, farm.net.oscar)
    assert client.get(url).status_code == 403


def test_the_cycle_page_with_many_proposals_runs_a_fixed_number_of_queries(
    client: Client,
    farm: Farm,
    django_capture_on_commit_callbacks: Callable[..., Any],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    farm.post(farm.net.bob, "offer", farm.planta, "semilla-maiz", 10_000)
    for n in range(12):
        unit = actions.productive_unit_register(
            actor=farm.net.ernesto, parent=farm.net.zamora, name=f"UPF {n}", form="upf"
        )
        actions.cycle_join(actor=farm.net.ernesto, cycle=farm.cycle, unit=unit)
        farm.post(farm.net.ernesto, "need", unit, "semilla-maiz", 10 + n)
    with django_capture_on_commit_callbacks(execute=True):
        actions.cycle_allocate_request(actor=farm.net.nora, cycle=farm.cycle)
    assert Proposal.objects.count() == 12
    signed_in(client, farm.net.ernesto)
    with django_assert_max_num_queries(30):
        page = client.get(f"/produccion/ciclos/{farm.cycle.pk}/").content.decode()
    assert page.count("Aceptar recibir") == 12 and "Aceptar entregar" not in page


def test_a_unit_is_edited_and_its_project_status_changed_by_its_people(
    client: Client, farm: Farm
) -> None:
    project = actions.project_create(actor=farm.net.bob, unit=farm.planta, name="Molino")
    url = f"/produccion/unidades/{farm.planta.slug}/editar/"
    signed_in(client, farm.net.ernesto)
    assert client.get(url).status_code == 403
    refused = client.post(f"/produccion/proyectos/{project.pk}/estado/", {"status": "active"})
    assert refused.status_code == 403
    project.refresh_from_db()
    assert project.status == "planned"
    client.logout()
    signed_in(client, farm.net.bob)
    cheese = farm.resource("queso-blanco")
    data = {"name": "Planta Maizal", "form": "epsdc", "lat": "9.8", "lon": "-69.2"}
    response = client.post(url, {**data, "makes": [cheese.pk], "sector": "Lácteos"})
    assert response.status_code == 302
    farm.planta.refresh_from_db()
    assert list(farm.planta.makes.all()) == [cheese] and farm.planta.lat == 9.8
    bad = client.post(url, {**data, "lat": "95"})
    assert bad.status_code == 200 and "lat" in bad.context["form"].errors
    client.post(f"/produccion/proyectos/{project.pk}/estado/", {"status": "active"})
    project.refresh_from_db()
    assert project.status == "active"
