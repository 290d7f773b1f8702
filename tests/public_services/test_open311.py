"""Open311 GeoReport v2 at /open311/v2/: answers valid against the spec's JSON schemas, XML
with the spec's elements, the spec's error codes, POST then GET, idempotent POST, tokens,
and FixMyStreet's servicerequestupdates."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client

from comuna.public_services import actions
from comuna.public_services.models import ServiceRequest
from tests.public_services.conftest import NEAR_MAIZAL, SHARED_DATA, Services, jpeg

BASE = "/open311/v2"
J = "jurisdiction_id=el-maizal"


def schema(name: str) -> Any:
    """A validator for one of the shared JSON schemas ($ref resolved in their folder)."""
    jsonschema = pytest.importorskip("jsonschema")
    folder = SHARED_DATA / "jsonschema"
    if not folder.exists():
        pytest.skip("../shared/data/open311 is not here: the schema checks need it")
    from referencing import Registry, Resource

    resources = {
        path.name: Resource.from_contents(
            json.loads(path.read_text()), default_specification=_draft4()
        )
        for path in folder.glob("*.json")
        if path.name != "swagger.json"
    }
    registry = Registry().with_resources(resources.items())
    return jsonschema.Draft4Validator(resources[name].contents, registry=registry)


def _draft4() -> Any:
    from referencing.jsonschema import DRAFT4

    return DRAFT4


def parse_xml(content: bytes) -> ElementTree.Element:
    """Parse one of our own answers (trusted input)."""
    return ElementTree.fromstring(content)  # noqa: S314 - the server's own answer


def post(
    client: Client, services: Services, headers: dict[str, str] | None = None, **data: Any
) -> Any:
    body: dict[str, Any] = {
        "api_key": services.api_key,
        "jurisdiction_id": "el-maizal",
        "service_code": "fuga",
        "lat": str(NEAR_MAIZAL["lat"]),
        "long": str(NEAR_MAIZAL["lon"]),
        "description": "Tubería rota frente a la bodega.",
        "attribute[tamano]": "chorro",
        "email": "vecino@example.org",
        "first_name": "Pedro",
        "last_name": "Pérez",
    }
    body.update(data)
    for key in [k for k, v in body.items() if v is None]:
        body.pop(key)
    return client.post(f"{BASE}/requests.json", body, headers=headers or {})


def test_the_service_list_is_valid_against_the_schema(client: Client, services: Services) -> None:
    response = client.get(f"{BASE}/services.json?{J}")
    assert response.status_code == 200
    data = response.json()
    schema("services.json").validate(data)
    codes = {s["service_code"] for s in data}
    assert {"fuga", "sin-agua", "apagon", "basura", "bote-ilegal", "contenedor-lleno"} <= codes
    assert all(isinstance(s["service_code"], str) for s in data)
    groups = {s["group"] for s in data}
    assert {"Agua", "Electricidad", "Basura", "Otro"} <= groups or len(groups) >= 4


def test_the_service_definition_lists_the_extra_questions(
    client: Client, services: Services
) -> None:
    data = client.get(f"{BASE}/services/fuga.json?{J}").json()
    schema("service-definition.json").validate(data)
    attribute = data["attributes"][0]
    assert attribute["code"] == "tamano"
    assert attribute["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attribute["values"]} == {"goteo", "chorro", "inundacion"}


def test_the_xml_answers_use_the_spec_elements(client: Client, services: Services) -> None:
    root = parse_xml(client.get(f"{BASE}/services.xml?{J}").content)
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None
    for tag in (
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ):
        assert first.find(tag) is not None, tag
    definition = parse_xml(client.get(f"{BASE}/services/fuga.xml?{J}").content)
    assert definition.tag == "service_definition"
    assert definition.findtext("attributes/attribute/code") == "tamano"
    assert definition.findtext("attributes/attribute/values/value/key") == "goteo"
    discovery = parse_xml(client.get(f"{BASE}/discovery.xml").content)
    assert discovery.tag == "discovery"
    assert (
        discovery.findtext("endpoints/endpoint/specification")
        == "http://wiki.open311.org/GeoReport_v2"
    )
    assert [f.text for f in discovery.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_post_then_get_returns_the_request(client: Client, services: Services) -> None:
    response = post(client, services)
    assert response.status_code == 201, response.content
    created = response.json()[0]
    assert isinstance(created["service_request_id"], str)
    assert created["token"]
    item = ServiceRequest.objects.get(pk=int(created["service_request_id"]))
    assert item.commune_id == services.net.maizal.pk
    assert item.contact_name == "Pedro Pérez"
    assert item.attributes == {"tamano": "chorro"}
    one = client.get(f"{BASE}/requests/{item.pk}.json?{J}").json()
    schema("requests.json").validate(one)
    assert one[0]["service_request_id"] == str(item.pk)
    assert one[0]["status"] == "open"
    assert one[0]["agency_responsible"] == "Comuna El Maizal"
    assert "vecino@example.org" not in json.dumps(one)  # the contact stays private
    listed = client.get(f"{BASE}/requests.json?{J}").json()
    schema("requests.json").validate(listed)
    assert [r["service_request_id"] for r in listed] == [str(item.pk)]
    xml = parse_xml(client.get(f"{BASE}/requests/{item.pk}.xml?{J}").content)
    assert xml.tag == "service_requests"
    assert xml.findtext("request/service_request_id") == str(item.pk)
    assert xml.findtext("request/long") == str(NEAR_MAIZAL["lon"])
    token = client.get(f"{BASE}/tokens/{created['token']}.json?{J}").json()
    assert token == [{"service_request_id": str(item.pk), "token": created["token"]}]


def test_the_post_answer_in_xml_has_the_spec_elements(client: Client, services: Services) -> None:
    body = {
        "api_key": services.api_key,
        "jurisdiction_id": "el-maizal",
        "service_code": "apagon",
        "lat": str(NEAR_MAIZAL["lat"]),
        "long": str(NEAR_MAIZAL["lon"]),
        "description": "Sin luz en toda la calle.",
    }
    response = client.post(f"{BASE}/requests.xml", body)
    assert response.status_code == 201
    root = parse_xml(response.content)
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id")
    assert root.find("request/account_id") is not None


def test_an_unknown_service_code_is_404(client: Client, services: Services) -> None:
    response = post(client, services, service_code="no-existe")
    assert response.status_code == 404
    body = response.json()
    assert body[0]["code"] == "404" and "no-existe" in body[0]["description"]
    assert client.get(f"{BASE}/services/no-existe.json?{J}").status_code == 404


@pytest.mark.parametrize("key", [None, "", "o311_wrong"])
def test_a_missing_or_bad_api_key_is_403(
    client: Client, services: Services, key: str | None
) -> None:
    response = post(client, services, api_key=key)
    assert response.status_code == 403
    assert response.json()[0]["code"] == "403"
    assert not ServiceRequest.objects.exists()


def test_a_revoked_api_key_is_403(client: Client, services: Services) -> None:
    from comuna.public_services.models import ApiKey

    actions.api_key_revoke(actor=None, key=ApiKey.objects.get())
    assert post(client, services).status_code == 403


def test_a_missing_location_is_400(client: Client, services: Services) -> None:
    response = post(client, services, lat=None, long=None)
    assert response.status_code == 400
    assert response.json()[0]["code"] == "400"
    only_address = post(client, services, lat=None, long=None, address_string="Calle 3, Sarare")
    assert only_address.status_code == 400
    xml = client.post(
        f"{BASE}/requests.xml",
        {"api_key": services.api_key, "jurisdiction_id": "el-maizal", "service_code": "fuga"},
    )
    assert xml.status_code == 400
    root = parse_xml(xml.content)
    assert root.tag == "errors" and root.findtext("error/code") == "400"
    assert root.findtext("error/description")


def test_a_description_over_4000_characters_is_400(client: Client, services: Services) -> None:
    response = post(client, services, description="a" * 4001)
    assert response.status_code == 400
    assert not ServiceRequest.objects.exists()


def test_a_wrong_attribute_answer_is_400(client: Client, services: Services) -> None:
    assert post(client, services, **{"attribute[tamano]": "enorme"}).status_code == 400
    assert post(client, services, **{"attribute[tamano]": None}).status_code == 400


def test_a_point_outside_venezuela_is_400(client: Client, services: Services) -> None:
    assert post(client, services, lat="40.4", long="-3.7").status_code == 400


def test_jurisdiction_id_is_required_when_the_server_holds_several_communes(
    client: Client, services: Services
) -> None:
    assert client.get(f"{BASE}/services.json").status_code == 400
    assert client.get(f"{BASE}/services.json?jurisdiction_id=no-existe").status_code == 404
    assert post(client, services, jurisdiction_id=None).status_code == 400


def test_the_post_does_not_need_csrf(services: Services) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert post(strict, services).status_code == 201


def test_the_same_post_sent_twice_creates_one_request(client: Client, services: Services) -> None:
    first = post(client, services, headers={"Idempotency-Key": "abc-1"})
    second = post(client, services, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    # Without a key, an identical repeat within 30 minutes gives the same report back.
    third = post(client, services)
    assert third.json()[0]["service_request_id"] == first.json()[0]["service_request_id"]
    assert ServiceRequest.objects.count() == 1
    other = post(client, services, description="Otra fuga, en la plaza.")
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]


def test_get_requests_applies_the_spec_filters(client: Client, services: Services) -> None:
    leak = services.report()
    cut = services.report(
        service=services.no_water, description="No llega agua", attributes={"desde-cuando": "3"}
    )
    actions.request_resolve(actor=services.net.bob, request=cut, note="Se abrió la válvula.")
    by_code = client.get(f"{BASE}/requests.json?{J}&service_code=fuga").json()
    assert [r["service_request_id"] for r in by_code] == [str(leak.pk)]
    closed = client.get(f"{BASE}/requests.json?{J}&status=closed").json()
    assert [r["service_request_id"] for r in closed] == [str(cut.pk)]
    assert closed[0]["status_notes"] == "Se abrió la válvula."
    by_ids = client.get(f"{BASE}/requests.json?{J}&service_request_id={leak.pk},{cut.pk}").json()
    assert {r["service_request_id"] for r in by_ids} == {str(leak.pk), str(cut.pk)}
    future = client.get(f"{BASE}/requests.json?{J}&start_date=2999-01-01T00:00:00Z").json()
    assert future == []
    assert client.get(f"{BASE}/requests.json?{J}&start_date=ayer").status_code == 400
    assert client.get(f"{BASE}/requests.json?{J}&status=pending").status_code == 400
    assert client.get(f"{BASE}/requests.json?{J}&service_request_id=1;DROP").status_code == 400


def test_unknown_requests_and_tokens_are_404(client: Client, services: Services) -> None:
    assert client.get(f"{BASE}/requests/999999.json?{J}").status_code == 404
    assert client.get(f"{BASE}/requests/abc.xml?{J}").status_code == 404
    assert client.get(f"{BASE}/tokens/nada.json?{J}").status_code == 404


def test_photos_can_be_posted_as_media(client: Client, services: Services) -> None:
    body = {
        "api_key": services.api_key,
        "jurisdiction_id": "el-maizal",
        "service_code": "fuga",
        "lat": str(NEAR_MAIZAL["lat"]),
        "long": str(NEAR_MAIZAL["lon"]),
        "description": "Con foto.",
        "attribute[tamano]": "goteo",
        "media": jpeg(),
    }
    response = client.post(f"{BASE}/requests.json", body)
    assert response.status_code == 201, response.content
    pk = response.json()[0]["service_request_id"]
    media_url = client.get(f"{BASE}/requests/{pk}.json?{J}").json()[0]["media_url"]
    assert media_url.endswith(".jpg")
    text = b"not an image"
    from django.core.files.uploadedfile import SimpleUploadedFile

    body["media"] = SimpleUploadedFile("x.jpg", text, content_type="image/jpeg")
    body["description"] = "Con un archivo que no es foto."
    refused = client.post(f"{BASE}/requests.json", body)
    assert refused.status_code == 400
    assert "JPEG" in refused.json()[0]["description"]


def test_service_request_updates_carry_the_richer_states(
    client: Client, services: Services
) -> None:
    item = services.report()
    actions.request_verify(actor=services.net.bob, request=item)
    actions.request_assign(actor=services.net.bob, request=item, crew=services.crew)
    actions.request_resolve(actor=services.net.bob, request=item, note="Listo.")
    data = client.get(f"{BASE}/servicerequestupdates.json?{J}").json()
    assert [u["status"] for u in data] == ["OPEN", "INVESTIGATING", "ACTION_SCHEDULED", "FIXED"]
    assert all(
        isinstance(u["update_id"], str) and u["service_request_id"] == str(item.pk) for u in data
    )
    xml = parse_xml(client.get(f"{BASE}/servicerequestupdates.xml?{J}").content)
    assert xml.tag == "service_request_updates"
    assert xml.findtext("request_update/status") == "OPEN"


def test_answers_allow_any_origin_for_browser_clients(client: Client, services: Services) -> None:
    response = client.get(f"{BASE}/services.json?{J}")
    assert response["Access-Control-Allow-Origin"] == "*"
