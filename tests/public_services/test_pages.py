"""The pages: public list and report page, tracking page, inbox, triage forms, work orders,
crews, catalogue and dashboards; the outsider is refused everywhere it must be; lists run a
fixed number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comuna.public_services import actions
from comuna.public_services.models import ServiceRequest
from tests.public_services.conftest import Services


def test_the_home_page_offers_to_report(client: Client, services: Services) -> None:
    services.report()
    page = client.get("/servicios/").content.decode()
    assert "/servicios/reportar/" in page
    assert "#1" in page or "Fuga de agua" in page


def test_the_public_list_filters_and_exports_csv(client: Client, services: Services) -> None:
    leak = services.report()
    other = services.report(
        service=services.no_water, description="Sin agua", attributes={"desde-cuando": "1"}
    )
    actions.request_resolve(actor=services.net.bob, request=other)
    response = client.get("/servicios/reportes/", {"estado": "open"})
    assert [r.pk for r in response.context["page"].object_list] == [leak.pk]
    htmx = client.get("/servicios/reportes/", {"estado": "closed"}, headers={"HX-Request": "true"})
    assert "<html" not in htmx.content.decode() and f"#{other.pk}" in htmx.content.decode()
    csv_text = b"".join(client.get("/servicios/reportes.csv").streaming_content).decode()  # type: ignore[attr-defined]
    assert csv_text.splitlines()[0].startswith("id,service_code")
    assert len(csv_text.splitlines()) == 3
    assert "vecina@example.org" not in csv_text


def test_the_public_list_runs_a_fixed_number_of_queries(
    client: Client, services: Services, django_assert_max_num_queries: Any
) -> None:
    for n in range(8):
        services.report(description=f"Fuga {n}")
    with django_assert_max_num_queries(8):
        assert client.get("/servicios/reportes/").status_code == 200


def test_the_inbox_runs_a_fixed_number_of_queries(
    client: Client, services: Services, django_assert_max_num_queries: Any
) -> None:
    for n in range(8):
        services.report(description=f"Fuga {n}")
    client.force_login(services.net.bob)
    client.get("/servicios/bandeja/")
    with django_assert_max_num_queries(16):
        response = client.get("/servicios/bandeja/")
    assert len(response.context["items"]) == 8


def test_the_inbox_is_refused_to_the_outsider_and_asks_visitors_to_sign_in(
    client: Client, services: Services
) -> None:
    assert client.get("/servicios/bandeja/").status_code == 302
    client.force_login(services.net.oscar)
    assert client.get("/servicios/bandeja/").status_code == 403
    client.force_login(services.net.carol)
    assert client.get("/servicios/bandeja/").status_code == 403


def test_the_coordinator_triages_from_the_report_page(client: Client, services: Services) -> None:
    item = services.report()
    client.force_login(services.net.bob)
    page = client.get(f"/servicios/reportes/{item.pk}/").content.decode()
    assert "vecina@example.org" in page  # the coordinator sees the contact
    assert client.post(f"/servicios/reportes/{item.pk}/verificar/").status_code == 302
    assert (
        client.post(
            f"/servicios/reportes/{item.pk}/asignar/", {"crew": services.crew.pk}
        ).status_code
        == 302
    )
    assert client.post(f"/servicios/reportes/{item.pk}/iniciar/").status_code == 302
    assert (
        client.post(
            f"/servicios/reportes/{item.pk}/nota/", {"text": "Mañana se termina."}
        ).status_code
        == 302
    )
    assert (
        client.post(f"/servicios/reportes/{item.pk}/resolver/", {"note": "Listo."}).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.step == "resolved"
    assert client.post(f"/servicios/reportes/{item.pk}/reabrir/", {"reason": ""}).status_code == 400
    assert client.post(f"/servicios/reportes/{item.pk}/no-existe/").status_code == 404


def test_bad_triage_input_shows_the_form_with_its_error(client: Client, services: Services) -> None:
    item = services.report()
    client.force_login(services.net.bob)
    response = client.post(f"/servicios/reportes/{item.pk}/duplicado/", {"original": "999999"})
    assert response.status_code == 400
    assert response.context["forms"]["duplicate"].errors["original"]
    assert client.post(f"/servicios/reportes/{item.pk}/rechazar/", {}).status_code == 400
    assert (
        client.post(f"/servicios/reportes/{item.pk}/asignar/", {"crew": "abc"}).status_code == 400
    )


@pytest.mark.parametrize("who", ["oscar", "carol", "ernesto"])
def test_others_see_no_contact_and_cannot_triage(
    client: Client, services: Services, who: str
) -> None:
    item = services.report()
    client.force_login(getattr(services.net, who))
    page = client.get(f"/servicios/reportes/{item.pk}/").content.decode()
    assert "vecina@example.org" not in page and "0414-5550000" not in page
    assert client.post(f"/servicios/reportes/{item.pk}/verificar/").status_code == 403
    item.refresh_from_db()
    assert item.step == "received"


def test_an_unknown_report_is_404(client: Client, services: Services) -> None:
    assert client.get("/servicios/reportes/99999/").status_code == 404
    assert client.get("/servicios/seguimiento/nada/").status_code == 404
    assert client.get("/servicios/fotos/99999.jpg").status_code == 404


def test_the_tracking_page_asks_if_it_is_fixed_after_closing(
    client: Client, services: Services
) -> None:
    item = services.report()
    url = f"/servicios/seguimiento/{item.token}/"
    assert client.get(url).context["item"].status == "open"
    assert client.post(url, {"fixed": "no"}).status_code == 400  # not closed yet: the form says why
    actions.request_resolve(actor=services.net.bob, request=item)
    assert client.post(url, {"fixed": "quizas"}).status_code == 400  # a bad choice: errors
    response = client.post(url, {"fixed": "no", "comment": "Sigue la fuga."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "open"


def test_work_orders_record_notes_and_materials(client: Client, services: Services) -> None:
    item = services.report()
    order = actions.request_assign(actor=services.net.bob, request=item, crew=services.crew)
    url = f"/servicios/ordenes/{order.pk}/"
    client.force_login(services.net.oscar)
    assert client.get(url).status_code == 404
    client.force_login(services.net.bob)
    assert (
        client.post(
            url, {"que": "material", "material": "Tubo", "quantity": "3", "unit": "m"}
        ).status_code
        == 302
    )
    assert client.post(url, {"que": "nota", "text": "Falta una llave."}).status_code == 302
    assert (
        client.post(
            url, {"que": "material", "material": "Tubo", "quantity": "x", "unit": "m"}
        ).status_code
        == 400
    )
    page = client.get(url).content.decode()
    assert "Falta una llave." in page and "Tubo" in page


def test_crews_are_kept_by_the_commune_coordinators(client: Client, services: Services) -> None:
    client.force_login(services.net.oscar)
    assert client.get("/servicios/cuadrillas/").status_code == 403
    client.force_login(services.net.bob)
    data = {"owner": services.net.maizal.pk, "name": "Cuadrilla de aseo", "group": "waste"}
    assert client.post("/servicios/cuadrillas/", data).status_code == 302
    again = client.post("/servicios/cuadrillas/", data)
    assert again.status_code == 400 and again.context["form"].errors
    assert "Cuadrilla de aseo" in client.get("/servicios/cuadrillas/").content.decode()


def test_the_catalogue_page_and_a_commune_edit(client: Client, services: Services) -> None:
    page = client.get("/servicios/catalogo/").content.decode()
    assert "Fuga de agua" in page and "Corte eléctrico" in page
    url = "/servicios/catalogo/el-maizal/fuga/"
    client.force_login(services.net.oscar)
    assert client.get(url).status_code == 403
    client.force_login(services.net.bob)
    response = client.post(
        url, {"que": "servicio", "name": "Fuga", "target_hours": "24", "active": "on"}
    )
    assert response.status_code == 302
    assert (
        client.post(url, {"que": "servicio", "name": "Fuga", "target_hours": "0"}).status_code
        == 400
    )
    assert (
        client.post(
            url,
            {
                "que": "pregunta",
                "code": "calle",
                "description": "¿Qué calle?",
                "datatype": "string",
            },
        ).status_code
        == 302
    )
    own = client.get("/servicios/catalogo/", {"comuna": "el-maizal"}).content.decode()
    assert "¿Qué calle?" in own


def test_the_dashboard_shows_the_figures(
    client: Client, services: Services, django_assert_max_num_queries: Any
) -> None:
    item = services.report()
    services.report(description="Otra")
    actions.request_resolve(actor=services.net.bob, request=item)
    response = client.get("/servicios/tablero/el-maizal/")
    board = response.context["board"]
    assert (board.open, board.closed) == (1, 1)
    assert board.median_days is not None
    assert response.context["chart"] is not None
    with django_assert_max_num_queries(13):
        network = client.get("/servicios/tablero/")
    assert network.context["board"].open == 1
    assert client.get("/servicios/tablero/no-existe/").status_code == 404
    assert (
        client.get("/servicios/tablero/elegir/", {"comuna": str(services.net.maizal.pk)})[
            "Location"
        ]
        == "/servicios/tablero/el-maizal/"
    )


def test_many_reports_do_not_add_queries_to_the_report_page(
    client: Client, services: Services, django_assert_max_num_queries: Any
) -> None:
    item = services.report()
    for n in range(5):
        actions.request_note(actor=services.net.bob, request=item, text=f"Nota {n}")
    client.force_login(services.net.bob)
    client.get(f"/servicios/reportes/{item.pk}/")
    with django_assert_max_num_queries(20):
        assert client.get(f"/servicios/reportes/{item.pk}/").status_code == 200
    assert ServiceRequest.objects.count() == 1


def test_the_admin_lists_reports_without_private_fields(client: Client, services: Services) -> None:
    from django.contrib.auth.models import User

    item = services.report()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x-1"))
    assert client.get("/admin/public_services/servicerequest/").status_code == 200
    page = client.get(f"/admin/public_services/servicerequest/{item.pk}/change/").content.decode()
    assert "vecina@example.org" not in page and item.token not in page
