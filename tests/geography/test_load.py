"""Loading the shipped geography: counts, corrected codes, idempotence, errors, locate."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from comuna.core.errors import DomainError
from comuna.core.models import AuditEvent
from comuna.geography import queries
from comuna.geography.actions import DATA_DIR, LoadResult, geography_load
from comuna.geography.models import Municipality, Parish, State, search_key

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(__file__).resolve().parents[2]
SHARED_DATA = PROJECT_DIR.parent / "shared" / "data" / "venezuela"


def test_it_loads_every_state_municipality_and_parish(geography: LoadResult) -> None:
    assert State.objects.count() == 25
    assert Municipality.objects.count() == 335
    assert Parish.objects.count() == 1140
    assert geography.states.created == 25
    assert geography.parishes.created == 1140


def test_it_uses_the_corrected_iso_codes(geography: LoadResult) -> None:
    codes = dict(State.objects.values_list("name", "code"))
    assert codes["Amazonas"] == "VE-Z"
    assert codes["La Guaira"] == "VE-X"
    assert codes["Dependencias Federales"] == "VE-W"
    assert codes["Lara"] == "VE-K"
    assert codes["Distrito Capital"] == "VE-A"
    assert "Vargas" not in codes


def test_la_guaira_keeps_its_municipality_vargas(geography: LoadResult) -> None:
    vargas = Municipality.objects.get(state__code="VE-X")
    assert vargas.name == "Vargas"
    assert vargas.code == "VE-X-01"
    assert vargas.parishes.count() == 11


def test_the_federal_dependencies_are_a_state_without_municipalities(
    geography: LoadResult,
) -> None:
    dependencies = State.objects.get(code="VE-W")
    assert dependencies.municipalities.count() == 0
    assert dependencies.outline is not None
    assert dependencies.outline["type"] == "MultiPolygon"


def test_sucre_bolivar_has_its_parish_marino(geography: LoadResult) -> None:
    bolivar = Municipality.objects.get(state__code="VE-R", name="Bolívar")
    assert bolivar.capital == "Marigüitar"
    assert list(bolivar.parishes.values_list("name", flat=True)) == ["Mariño"]


def test_codes_follow_alphabetical_order_within_the_parent(geography: LoadResult) -> None:
    simon_planas = Municipality.objects.get(state__code="VE-K", name="Simón Planas")
    assert simon_planas.code == "VE-K-07"
    assert Parish.objects.get(municipality=simon_planas, name="Sarare").code == "VE-K-07-03"
    for municipality in Municipality.objects.filter(state__code="VE-L"):
        assert municipality.code.startswith("VE-L-")


def test_every_state_has_an_outline_and_a_bounding_box(geography: LoadResult) -> None:
    for state in State.objects.all():
        assert state.outline is not None
        assert state.bbox is not None
        west, south, east, north = state.bbox
        assert -74 < west < east < -59
        assert 0 < south < north < 13


def test_parishes_store_a_name_without_accents_for_searching(geography: LoadResult) -> None:
    assert Parish.objects.get(name="Maiquetía").search_name == "maiquetia"
    assert search_key("  Ñemby  ÁLTO ") == "nemby alto"


def test_loading_twice_changes_nothing(geography: LoadResult) -> None:
    again = geography_load()
    assert not again.changed
    assert again.states.unchanged == 25
    assert again.municipalities.unchanged == 335
    assert again.parishes.unchanged == 1140
    assert State.objects.count() == 25
    assert Parish.objects.count() == 1140
    assert AuditEvent.objects.filter(verb="geography.load").count() == 1


def test_a_changed_file_updates_only_what_changed(geography: LoadResult, tmp_path: Path) -> None:
    shutil.copy(DATA_DIR / "outlines.geojson", tmp_path / "outlines.geojson")
    document = json.loads((DATA_DIR / "venezuela.json").read_text(encoding="utf-8"))
    lara = next(state for state in document["states"] if state["code"] == "VE-K")
    lara["municipalities"][6]["parishes"][2]["name"] = "Sarare (Simón Planas)"
    (tmp_path / "venezuela.json").write_text(json.dumps(document), encoding="utf-8")

    result = geography_load(data_dir=tmp_path)

    assert result.parishes.updated == 1
    assert result.parishes.created == 0
    assert result.states.updated == 0
    assert result.municipalities.updated == 0
    parish = Parish.objects.get(code="VE-K-07-03")
    assert parish.name == "Sarare (Simón Planas)"
    assert parish.search_name == "sarare (simon planas)"
    assert AuditEvent.objects.filter(verb="geography.load").count() == 2


def test_a_missing_file_is_a_clear_error(db: None, tmp_path: Path) -> None:
    with pytest.raises(DomainError) as caught:
        geography_load(data_dir=tmp_path)
    assert caught.value.code == "geography_file_missing"
    assert State.objects.count() == 0


def test_a_file_in_another_format_is_refused_and_nothing_is_written(
    db: None, tmp_path: Path
) -> None:
    shutil.copy(DATA_DIR / "outlines.geojson", tmp_path / "outlines.geojson")
    (tmp_path / "venezuela.json").write_text('{"states": []}', encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        geography_load(data_dir=tmp_path)
    assert caught.value.code == "geography_file_invalid"
    assert State.objects.count() == 0


def test_the_command_prints_counts_and_is_idempotent(db: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    call_command("load_geography", stdout=first)
    call_command("load_geography", stdout=second)
    assert "parishes: 1140 created" in first.getvalue()
    assert "parishes: 0 created, 0 updated, 1140 unchanged" in second.getvalue()
    assert Parish.objects.count() == 1140


def test_the_command_reports_a_bad_folder(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("load_geography", data_dir=tmp_path, stdout=io.StringIO())


def test_locate_finds_lara_for_sarare(geography: LoadResult) -> None:
    state = queries.locate(-69.16, 9.78)
    assert state is not None
    assert state.code == "VE-K"


@pytest.mark.parametrize(
    ("lon", "lat", "code"),
    [
        (-66.9036, 10.4806, "VE-A"),  # Caracas
        (-71.6406, 10.6545, "VE-V"),  # Maracaibo
        (-67.6135, 5.6639, "VE-Z"),  # Puerto Ayacucho
        (-66.6747, 11.8505, "VE-W"),  # Gran Roque, Los Roques
        (-63.8497, 10.9577, "VE-O"),  # Porlamar
    ],
)
def test_locate_finds_the_state_of_known_places(
    geography: LoadResult, lon: float, lat: float, code: str
) -> None:
    assert queries.locate_code(lon, lat) == code


def test_locate_finds_nothing_far_out_at_sea_or_abroad(geography: LoadResult) -> None:
    assert queries.locate(-60.0, 14.0) is None
    assert queries.locate_code(-74.08, 4.61) is None  # Bogotá


def test_locate_without_geography_finds_nothing(db: None) -> None:
    assert queries.locate(-69.16, 9.78) is None


@pytest.mark.skipif(not SHARED_DATA.exists(), reason="../shared/data/venezuela is not beside")
def test_the_build_script_reproduces_the_shipped_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_geography", PROJECT_DIR / "scripts" / "build_geography.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with redirect_stdout(io.StringIO()):
        assert module.main([str(SHARED_DATA), "--out", str(tmp_path)]) == 0
    for name in ("venezuela.json", "outlines.geojson"):
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_the_shipped_outline_file_is_small() -> None:
    assert (DATA_DIR / "outlines.geojson").stat().st_size < 80_000
