"""Reporting from the web in two steps, without JavaScript: where (map tap, typed point or a
commune), then "is it one of these?" and the details; photos; the rate limit; routing to the
commune, the nearest seat or the parish queue."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from comuna.public_services import actions
from comuna.public_services.models import RequestPhoto, ServiceRequest
from comuna.public_services.places import route_point
from tests.public_services.conftest import NEAR_MAIZAL, Services, jpeg

STEP1 = "/servicios/reportar/"
STEP2 = "/servicios/reportar/datos/"


def details(client: Client, **extra: Any) -> Any:
    data: dict[str, Any] = {
        "servicio": "fuga",
        "lat": str(NEAR_MAIZAL["lat"]),
        "lon": str(NEAR_MAIZAL["lon"]),
        "direccion": "Calle 3, frente a la escuela",
        "description": "Tubería rota, el agua corre por la calle.",
        "attr_tamano": "chorro",
        "contact_email": "vecina@example.org",
        "contact_phone": "0414-5550000",
    }
    data.update(extra)
    return client.post(STEP2, {k: v for k, v in data.items() if v is not None})


def test_step_one_asks_for_a_place(client: Client, services: Services) -> None:
    response = client.get(STEP1, {"servicio": "fuga", "paso": "2"})
    assert response.status_code == 200
    assert (
        "Elige el lugar" in response.content.decode()
        or "Choose the place" in response.content.decode()
    )


def test_a_tap_on_the_map_sets_the_point_and_zooms_in(client: Client, services: Services) -> None:
    response = client.get(
        STEP1,
        {
            "servicio": "fuga",
            "c_lon": "-69.16",
            "c_lat": "9.78",
            "c_span": "0.06",
            "mapa.x": "160",
            "mapa.y": "160",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert abs(float(form.data["lat"]) - 9.78) < 0.001
    assert abs(float(form.data["lon"]) + 69.16) < 0.001
    assert response.context["win"].span == pytest.approx(0.01)


def test_continue_with_a_point_goes_to_step_two(client: Client, services: Services) -> None:
    response = client.get(
        STEP1, {"servicio": "fuga", "lat": "9.787", "lon": "-69.154", "paso": "2"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(STEP2)


def test_a_commune_and_an_address_place_the_report_at_its_seat(
    client: Client, services: Services
) -> None:
    maizal = services.net.maizal
    response = client.get(
        STEP1, {"servicio": "fuga", "comuna": str(maizal.pk), "direccion": "Calle 3", "paso": "2"}
    )
    assert response.status_code == 302
    assert "lat=9.780000" in response["Location"]
    without_address = client.get(STEP1, {"servicio": "fuga", "comuna": str(maizal.pk), "paso": "2"})
    assert without_address.status_code == 200
    assert without_address.context["form"].errors["direccion"]


def test_the_map_is_an_svg_image(client: Client, services: Services) -> None:
    response = client.get(
        "/servicios/mapa.svg",
        {"c_lon": "-69.16", "c_lat": "9.78", "c_span": "0.1", "m_lon": "-69.15", "m_lat": "9.78"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert b"Comuna El Maizal" in response.content
    assert client.get("/servicios/mapa.svg", {"c_lon": "nan", "c_span": "x"}).status_code == 200


def test_step_two_offers_nearby_open_reports_of_the_same_service(
    client: Client, services: Services
) -> None:
    near = services.report()
    services.report(
        service=services.no_water, description="Sin agua", attributes={"desde-cuando": "2"}
    )
    far = services.report(lat=9.80, lon=-69.16, description="Otra fuga lejos")
    closed = services.report(description="Fuga ya arreglada")
    actions.request_resolve(actor=services.net.bob, request=closed)
    response = client.get(STEP2, {"servicio": "fuga", "lat": "9.7871", "lon": "-69.1541"})
    assert response.status_code == 200
    offered = [r.pk for r, _km in response.context["nearby"]]
    assert offered == [near.pk]
    assert far.pk not in offered
    assert (
        "¿Es uno de estos?" in response.content.decode()
        or "Is it one of these?" in response.content.decode()
    )


def test_sending_the_report_routes_it_and_opens_the_tracking_page(
    client: Client, services: Services
) -> None:
    response = details(client)
    assert response.status_code == 302
    item = ServiceRequest.objects.get()
    assert response["Location"] == f"/servicios/seguimiento/{item.token}/"
    assert item.commune_id == services.net.maizal.pk
    assert item.routing == "seat"
    assert item.attributes == {"tamano": "chorro"}
    assert item.step == "received" and item.status == "open"
    page = client.get(f"/servicios/reportes/{item.pk}/").content.decode()
    assert "Tubería rota" in page
    assert "vecina@example.org" not in page and "0414-5550000" not in page
    track = client.get(response["Location"])
    assert track.status_code == 200 and track["Cache-Control"] == "private, no-store"


def test_bad_input_shows_errors_not_a_500(client: Client, services: Services) -> None:
    assert details(client, description="").status_code == 400
    assert details(client, description="x" * 4001).status_code == 400
    assert details(client, attr_tamano="enorme").status_code == 400
    assert details(client, contact_email="no-es-correo").status_code == 400
    outside = client.post(
        STEP2, {"servicio": "fuga", "lat": "40.4", "lon": "-3.7", "description": "x"}
    )
    assert outside.status_code == 302 and outside["Location"].startswith(STEP1)
    unknown = client.get(STEP2, {"servicio": "no-existe", "lat": "9.787", "lon": "-69.154"})
    assert unknown.status_code == 302
    assert client.get(STEP2, {"servicio": "fuga", "lat": "abc", "lon": ""}).status_code == 302
    assert not ServiceRequest.objects.exists()


def test_photos_are_resized_and_their_metadata_removed(client: Client, services: Services) -> None:
    response = details(client, photos=[jpeg(), jpeg(800, 600, name="b.jpg")])
    assert response.status_code == 302
    photos = list(RequestPhoto.objects.order_by("position"))
    assert len(photos) == 2
    with photos[0].image.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        assert max(image.size) == 1280
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info
    served = client.get(f"/servicios/fotos/{photos[0].pk}.jpg")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_a_png_with_transparency_becomes_a_jpeg(client: Client, services: Services) -> None:
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (10, 20, 30, 100)).save(out, format="PNG")
    upload = SimpleUploadedFile("a.png", out.getvalue(), content_type="image/png")
    assert details(client, photos=[upload]).status_code == 302
    assert RequestPhoto.objects.get().width == 300


def test_more_than_three_photos_are_refused(client: Client, services: Services) -> None:
    response = details(client, photos=[jpeg(10, 10, name=f"{i}.jpg") for i in range(4)])
    assert response.status_code == 400
    assert "3" in str(response.context["form"].errors["photos"])
    assert not ServiceRequest.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_with_a_clear_message(
    client: Client, services: Services
) -> None:
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = details(client, photos=[fake])
    assert response.status_code == 400
    message = str(response.context["form"].errors["photos"])
    assert "JPEG" in message
    assert not ServiceRequest.objects.exists()


def test_a_photo_over_5_mb_is_refused(client: Client, services: Services) -> None:
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024 + 1))
    response = details(client, photos=[big])
    assert response.status_code == 400
    assert "5 MB" in str(response.context["form"].errors["photos"])


def test_anonymous_reports_are_rate_limited(client: Client, services: Services) -> None:
    for n in range(5):
        assert details(client, description=f"Fuga número {n}").status_code == 302
    response = details(client, description="Fuga número 6")
    assert response.status_code == 429
    assert ServiceRequest.objects.count() == 5
    client.force_login(services.net.carol)
    assert details(client, description="Fuga de una vecina con cuenta").status_code == 302


def test_the_same_report_sent_twice_is_kept_once(client: Client, services: Services) -> None:
    first = details(client)
    second = details(client)
    assert first["Location"] == second["Location"]
    assert ServiceRequest.objects.count() == 1


def test_a_point_inside_a_territory_goes_to_that_commune(services: Services) -> None:
    from comuna.registry import actions as registry_actions

    zamora = services.net.zamora
    square = {
        "type": "Polygon",
        "coordinates": [[[-70.3, 8.5], [-70.1, 8.5], [-70.1, 8.7], [-70.3, 8.7], [-70.3, 8.5]]],
    }
    registry_actions.commune_update(actor=services.net.nora, commune=zamora, territory=square)
    found = route_point(-70.15, 8.55)
    assert (found.commune_id, found.routing) == (zamora.pk, "territory")


def test_a_point_far_from_every_commune_goes_to_the_parish_queue(services: Services) -> None:
    item = services.report(lat=10.1, lon=-69.9, description="Fuga en el campo")
    assert item.commune_id is None
    assert item.routing == "parish"
    assert item.parish is not None and item.parish.municipality.state.code == "VE-K"
