"""Assets: points and lines, states and history, GeoJSON import (all or nothing) and export,
reports that name an asset, and who may change them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comuna.core.errors import DomainError
from comuna.public_services import actions
from comuna.public_services.models import Asset, AssetEvent
from tests.public_services.conftest import NEAR_MAIZAL, Services

POINT = {"type": "Point", "coordinates": [NEAR_MAIZAL["lon"], NEAR_MAIZAL["lat"]]}
LINE = {"type": "LineString", "coordinates": [[-69.16, 9.78], [-69.15, 9.79], [-69.14, 9.79]]}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def feature(geometry: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def test_an_asset_is_a_point_or_a_line_with_a_representative_point(services: Services) -> None:
    bob, maizal = services.net.bob, services.net.maizal
    valve = actions.asset_create(
        actor=bob, owner=maizal, kind="valve", name="Válvula 1", geometry=POINT
    )
    pipe = actions.asset_create(actor=bob, owner=maizal, kind="pipe", name="Tubería", geometry=LINE)
    assert (valve.longitude, valve.latitude) == (NEAR_MAIZAL["lon"], NEAR_MAIZAL["lat"])
    assert pipe.min_lon == -69.16 and pipe.max_lat == 9.79
    assert -69.16 < pipe.longitude < -69.14
    assert AssetEvent.objects.filter(asset=pipe, verb="created").exists()


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": []},
        {"type": "Point", "coordinates": ["a", "b"]},
        {"type": "Point", "coordinates": [-3.7, 40.4]},
        {"type": "LineString", "coordinates": [[-69.1, 9.7]]},
        "not geojson",
    ],
)
def test_bad_geometry_is_refused_naming_the_field(services: Services, geometry: Any) -> None:
    with pytest.raises(DomainError) as err:
        actions.asset_create(
            actor=services.net.bob,
            owner=services.net.maizal,
            kind="tank",
            name="T",
            geometry=geometry,
        )
    assert "geometry" in err.value.fields


def test_outsiders_cannot_add_or_change_assets(services: Services) -> None:
    with pytest.raises(PermissionDenied):
        actions.asset_create(
            actor=services.net.oscar,
            owner=services.net.maizal,
            kind="tank",
            name="T",
            geometry=POINT,
        )
    tank = actions.asset_create(
        actor=services.net.bob, owner=services.net.maizal, kind="tank", name="T", geometry=POINT
    )
    with pytest.raises(PermissionDenied):
        actions.asset_set_state(actor=services.net.ernesto, asset=tank, state="out_of_service")


def test_the_import_is_all_or_nothing_with_a_row_report(services: Services) -> None:
    bad = collection(
        feature(POINT, kind="tank", name="Tanque"),
        feature(POINT, kind="spaceship", name="Nave"),
        feature({"type": "Point", "coordinates": [0, 0]}, kind="well", name="Pozo"),
    )
    report = actions.assets_import(actor=services.net.bob, owner=services.net.maizal, data=bad)
    assert not report.ok and set(report.errors) == {2, 3}
    assert "kind" in report.errors[2] and "geometry" in report.errors[3]
    assert not Asset.objects.exists()
    good = collection(
        feature(POINT, kind="tank", name="Tanque", capacity="5000", capacity_unit="litros"),
        feature(LINE, kind="pipe", name="Red"),
    )
    report = actions.assets_import(actor=services.net.bob, owner=services.net.maizal, data=good)
    assert report.ok and report.created == 2
    with pytest.raises(DomainError):
        actions.assets_import(
            actor=services.net.bob, owner=services.net.maizal, data={"type": "Feature"}
        )


def test_the_export_is_geojson_that_imports_again(client: Client, services: Services) -> None:
    actions.asset_create(
        actor=services.net.bob, owner=services.net.maizal, kind="pipe", name="Red", geometry=LINE
    )
    response = client.get("/servicios/activos.geojson")
    data = json.loads(response.content)
    assert response["Content-Type"].startswith("application/geo+json")
    assert (
        data["type"] == "FeatureCollection"
        and data["features"][0]["geometry"]["type"] == "LineString"
    )
    assert data["features"][0]["properties"]["owner"] == "el-maizal"
    report = actions.assets_import(actor=services.net.bob, owner=services.net.maizal, data=data)
    assert report.ok and Asset.objects.count() == 2


def test_the_import_page_shows_the_row_report(client: Client, services: Services) -> None:
    client.force_login(services.net.bob)
    bad = json.dumps(collection(feature(POINT, kind="tank", name=""))).encode()
    response = client.post(
        "/servicios/activos/importar/",
        {"owner": services.net.maizal.pk, "file": SimpleUploadedFile("a.geojson", bad)},
    )
    assert response.status_code == 400 and response.context["report"].errors
    garbage = client.post(
        "/servicios/activos/importar/",
        {"owner": services.net.maizal.pk, "file": SimpleUploadedFile("a.geojson", b"\xff\xfe")},
    )
    assert garbage.status_code == 400
    good = json.dumps(collection(feature(POINT, kind="tank", name="Tanque"))).encode()
    ok = client.post(
        "/servicios/activos/importar/",
        {"owner": services.net.maizal.pk, "file": SimpleUploadedFile("a.geojson", good)},
    )
    assert ok.status_code == 302 and Asset.objects.count() == 1
    client.force_login(services.net.oscar)
    assert client.get("/servicios/activos/importar/").status_code == 403


def test_a_report_may_name_an_asset_of_a_fitting_kind(services: Services) -> None:
    valve = actions.asset_create(
        actor=services.net.bob,
        owner=services.net.maizal,
        kind="valve",
        name="Válvula",
        geometry=POINT,
    )
    transformer = actions.asset_create(
        actor=services.net.bob,
        owner=services.net.maizal,
        kind="transformer",
        name="Trafo",
        geometry=POINT,
    )
    item = services.report(asset=valve)
    assert item.asset_id == valve.pk
    with pytest.raises(DomainError):
        services.report(asset=transformer, description="Otra")


def test_the_asset_page_shows_its_history_and_reports(client: Client, services: Services) -> None:
    valve = actions.asset_create(
        actor=services.net.bob,
        owner=services.net.maizal,
        kind="valve",
        name="Válvula de la plaza",
        geometry=POINT,
    )
    item = services.report(asset=valve)
    url = f"/servicios/activos/{valve.pk}/"
    page = client.get(url).content.decode()
    assert "Válvula de la plaza" in page and f"#{item.pk}" in page
    assert client.post(url, {"state": "needs_repair"}).status_code in (302, 403)
    client.force_login(services.net.oscar)
    assert client.post(url, {"state": "needs_repair"}).status_code == 403
    client.force_login(services.net.bob)
    assert client.post(url, {"state": "needs_repair", "note": "Gotea"}).status_code == 302
    assert client.post(url, {"state": "broken"}).status_code == 400
    valve.refresh_from_db()
    assert valve.state == "needs_repair"
    assert "Gotea" in client.get(url).content.decode()


def test_the_step_two_form_offers_nearby_assets(client: Client, services: Services) -> None:
    valve = actions.asset_create(
        actor=services.net.bob,
        owner=services.net.maizal,
        kind="valve",
        name="Válvula cercana",
        geometry=POINT,
    )
    response = client.get(
        "/servicios/reportar/datos/",
        {"servicio": "fuga", "lat": NEAR_MAIZAL["lat"], "lon": NEAR_MAIZAL["lon"]},
    )
    assert "Válvula cercana" in response.content.decode()
    posted = client.post(
        "/servicios/reportar/datos/",
        {
            "servicio": "fuga",
            "lat": NEAR_MAIZAL["lat"],
            "lon": NEAR_MAIZAL["lon"],
            "description": "Gotea la válvula",
            "attr_tamano": "goteo",
            "asset": valve.pk,
        },
    )
    assert posted.status_code == 302
    assert valve.requests.count() == 1


def test_the_asset_list_filters_and_pages(
    client: Client, services: Services, django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        actions.asset_create(
            actor=services.net.bob,
            owner=services.net.maizal,
            kind="collection_point",
            name=f"Punto {n}",
            geometry=POINT,
        )
    actions.asset_create(
        actor=services.net.bob,
        owner=services.net.maizal,
        kind="tank",
        name="Tanque",
        geometry=POINT,
    )
    with django_assert_max_num_queries(6):
        response = client.get("/servicios/activos/", {"tipo": "collection_point"})
    assert response.context["page"].paginator.count == 5
    assert (
        client.get("/servicios/activos/", {"de": "el-maizal"}).context["page"].paginator.count == 6
    )


def test_adding_an_asset_from_the_page(client: Client, services: Services) -> None:
    client.force_login(services.net.bob)
    data = {
        "owner": services.net.maizal.pk,
        "kind": "pipe",
        "name": "Aducción",
        "state": "working",
        "line": "9.78, -69.16\n9.79, -69.15",
    }
    assert client.post("/servicios/activos/nuevo/", data).status_code == 302
    assert Asset.objects.get().geometry["type"] == "LineString"
    missing = client.post("/servicios/activos/nuevo/", {**data, "line": ""})
    assert missing.status_code == 400
    bad = client.post("/servicios/activos/nuevo/", {**data, "line": "no es una línea"})
    assert bad.status_code == 400
    client.force_login(services.net.oscar)
    assert client.get("/servicios/activos/nuevo/").status_code == 403


def test_the_asset_list_exports_csv(client: Client, services: Services) -> None:
    actions.asset_create(
        actor=services.net.bob, owner=services.net.maizal, kind="pipe", name="Red", geometry=LINE
    )
    response = client.get("/servicios/activos.csv", {"tipo": "pipe"})
    rows = b"".join(response.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert rows[0].startswith("id,owner,kind,name")
    assert rows[1].split(",")[1:4] == ["el-maizal", "pipe", "Red"]
    assert rows[1].endswith("LineString")
