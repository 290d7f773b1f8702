"""The catalogue page's commune filter names communes by their short name, as the page reads
them back (`?comuna=el-maizal`)."""

from __future__ import annotations

from django.test import Client

from tests.public_services.conftest import Services


def test_the_catalogue_filter_offers_communes_by_short_name(
    client: Client, services: Services
) -> None:
    page = client.get("/servicios/catalogo/").content.decode()
    assert '<option value="el-maizal">' in page
    chosen = client.get("/servicios/catalogo/", {"comuna": "el-maizal"})
    assert chosen.status_code == 200
    assert '<option value="el-maizal" selected>' in chosen.content.decode()
