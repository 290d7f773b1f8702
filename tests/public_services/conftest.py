"""The public services cast: the registry's network (tests/registry/conftest.py), the shared
catalogue, a crew of El Maizal and an Open311 api key, built with the module's actions.

- El Maizal's seat is at (-69.16, 9.78) in Sarare, Lara; a point 1 km away goes to it.
- "cuadrilla": El Maizal's water crew (bob created it).
- `api_key`: a live Open311 key for the client "app de prueba".
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from comuna.public_services import actions
from comuna.public_services.models import Crew, ServiceRequest, ServiceType
from tests.registry.conftest import (  # noqa: F401 - fixtures used by this package's tests
    Network,
    _fresh_geography_caches,
    network,
)

#: A point about 1 km north-east of El Maizal's seat.
NEAR_MAIZAL = {"lat": 9.787, "lon": -69.154}
#: In the sea north of Falcón: outside Venezuela's land but inside its extent? No: far west.
OUTSIDE = {"lat": 4.6, "lon": -74.5}
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "open311"


@dataclass
class Services:
    net: Network
    leak: ServiceType
    no_water: ServiceType
    crew: Crew
    api_key: str

    def report(self, **overrides: Any) -> ServiceRequest:
        values: dict[str, Any] = {
            "actor": None,
            "service": self.leak,
            "description": "Se sale el agua en la esquina de la escuela.",
            "attributes": {"tamano": "chorro"},
            "contact_email": "vecina@example.org",
            "contact_phone": "0414-5550000",
            **NEAR_MAIZAL,
        }
        values.update(overrides)
        return actions.request_submit(**values)


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture
def services(network: Network, media: Path) -> Services:  # noqa: F811 - the imported fixture
    actions.catalogue_install(actor=network.nora, owner=None)
    crew = actions.crew_create(
        actor=network.bob, owner=network.maizal, name="Cuadrilla de agua", group="water"
    )
    _key, raw = actions.api_key_create(actor=None, name="app de prueba")
    return Services(
        net=network,
        leak=ServiceType.objects.get(owner__isnull=True, code="fuga"),
        no_water=ServiceType.objects.get(owner__isnull=True, code="sin-agua"),
        crew=crew,
        api_key=raw,
    )


def jpeg(
    width: int = 2000, height: int = 1500, *, exif: bool = True, name: str = "foto.jpg"
) -> SimpleUploadedFile:
    """A JPEG photo with GPS-like EXIF data (to check that it is stripped)."""
    image = Image.new("RGB", (width, height), (120, 160, 200))
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "CamaraPrueba"  # Make
        data[0x8825] = {1: "N", 2: (9.0, 47.0, 13.0)}  # GPS IFD
        image.save(out, format="JPEG", exif=data.tobytes())
    else:
        image.save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
