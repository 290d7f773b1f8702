"""CSV import of communes and councils: all or nothing, with a dry run and a row-by-row report.

Uses the registry's cast (tests/registry/conftest.py): nora coordinates the network, bob
coordinates El Maizal (COM-LAR-001), ernesto coordinates Ezequiel Zamora, oscar is an outsider.
"""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import AuditEvent, Organisation
from comuna.registry import actions, imports
from comuna.registry.imports import ImportReport, import_csv
from comuna.registry.models import Body, CommunalCouncil, Commune, CommuneStatus
from tests.registry.conftest import Network

pytestmark = pytest.mark.django_db

COMMUNES = (
    "name,registry_code,parish,municipality,state,charter_date,status,seat,lon,lat\n"
    "Comuna Alí Primera,COM-LAR-010,Catedral,Iribarren,Lara,2015-06-01,registered,"
    "Casa comunal,-69.32,10.07\n"
    "Comuna Argimiro Gabaldón,COM-LAR-011,VE-K-07-03,,,15/03/2016,en_conformacion,,,\n"
)


def snapshot() -> tuple[int, int, int]:
    return Organisation.objects.count(), AuditEvent.objects.count(), Body.objects.count()


def lines_and_fields(report: ImportReport) -> list[tuple[int, str]]:
    return [(error.line, error.field) for error in report.errors]


# A good file -----------------------------------------------------------------------------------


def test_a_good_communes_file_imports_every_row(network: Network) -> None:
    before = AuditEvent.objects.filter(verb="commune.register").count()
    report = import_csv(actor=network.nora, kind="communes", data=COMMUNES, dry_run=False)
    assert report.ok and report.errors == []
    assert (report.total, report.created) == (2, 2)
    ali = Commune.objects.get(registry_code="COM-LAR-010")
    assert report.slugs == [ali.slug, Commune.objects.get(registry_code="COM-LAR-011").slug]
    assert ali.name == "Comuna Alí Primera"
    assert ali.parish.code == "VE-K-03-03" and ali.state.code == "VE-K"
    assert ali.status == CommuneStatus.REGISTERED and ali.charter_date == date(2015, 6, 1)
    assert (ali.lon, ali.lat, ali.seat) == (-69.32, 10.07, "Casa comunal")
    assert ali.parent_id == network.root.pk
    argimiro = Commune.objects.get(registry_code="COM-LAR-011")
    assert argimiro.parish.name == "Sarare" and argimiro.status == CommuneStatus.FORMING
    assert argimiro.charter_date == date(2016, 3, 15) and argimiro.lon is None
    assert Body.objects.filter(organisation=argimiro).count() == 6
    assert AuditEvent.objects.filter(verb="commune.register").count() == before + 2


def test_a_dry_run_creates_nothing_and_says_what_it_would_create(network: Network) -> None:
    before = snapshot()
    report = import_csv(actor=network.nora, kind="communes", data=COMMUNES, dry_run=True)
    assert report.ok and report.dry_run
    assert report.created == 0 and report.slugs == []
    assert [(row.line, row.name, row.registry_code) for row in report.planned] == [
        (2, "Comuna Alí Primera", "COM-LAR-010"),
        (3, "Comuna Argimiro Gabaldón", "COM-LAR-011"),
    ]
    assert report.planned[0].parish == "Catedral (Iribarren, Lara)"
    assert snapshot() == before


def test_spanish_headers_semicolons_crlf_a_bom_and_decimal_commas(network: Network) -> None:
    text = (
        "Nombre;Código de registro;Parroquia;Municipio;Estado;Fecha carta;Estatus;Sede;"
        "Longitud;Latitud\r\n"
        "Comuna José Leonardo Chirino;COM-LAR-030;catedral;IRIBARREN;VE-K;01/02/2017;"
        "Registrada;Barquisimeto;-69,32;10,07\r\n"
        "\r\n"
        "Comuna Indígena;COM-LAR-031;SARARÉ;simón planas;lara;;En conformación;;;\r\n"
    )
    data = "\ufeff".encode() + text.encode("utf-8")
    report = import_csv(actor=network.nora, kind="communes", data=data, dry_run=False)
    assert report.errors == []
    assert report.total == 2  # the blank line is skipped
    chirino = Commune.objects.get(registry_code="COM-LAR-030")
    assert chirino.name == "Comuna José Leonardo Chirino"
    assert chirino.parish.code == "VE-K-03-03"
    assert (chirino.lon, chirino.lat) == (-69.32, 10.07)
    assert chirino.charter_date == date(2017, 2, 1)
    assert chirino.status == CommuneStatus.REGISTERED
    assert Commune.objects.get(registry_code="COM-LAR-031").parish.code == "VE-K-07-03"


def test_a_file_saved_by_an_old_spreadsheet_in_windows_1252_keeps_its_accents(
    network: Network,
) -> None:
    data = "nombre;codigo_registro;parroquia\nComuna Ñaraulí;COM-LAR-040;Sarare\n".encode("cp1252")
    report = import_csv(actor=network.nora, kind="communes", data=data, dry_run=False)
    assert report.errors == []
    assert Commune.objects.get(registry_code="COM-LAR-040").name == "Comuna Ñaraulí"


def test_a_parish_code_and_a_parish_name_with_only_the_state(network: Network) -> None:
    data = (
        "name,registry_code,parish,state,parish_code\n"
        "Comuna Santa Rosa,COM-LAR-050,Santa Rosa,Lara,\n"
        "Comuna Por Código,COM-LAR-051,cualquier nombre,,VE-K-07-03\n"
    )
    report = import_csv(actor=network.nora, kind="communes", data=data, dry_run=True)
    assert report.errors == []
    assert [row.parish for row in report.planned] == [
        "Santa Rosa (Iribarren, Lara)",
        "Sarare (Simón Planas, Lara)",
    ]


def test_unknown_columns_are_ignored_and_reported(network: Network) -> None:
    data = "name,registry_code,parish,color\nComuna Roja,COM-LAR-060,Sarare,rojo\n"
    report = import_csv(actor=network.nora, kind="communes", data=data, dry_run=True)
    assert report.ok and report.ignored_columns == ["color"]


def test_an_exported_file_can_be_imported_again(network: Network, client: Client) -> None:
    exported = client.get(reverse("registry:export_communes_csv")).getvalue()
    changed = exported.decode("utf-8-sig").replace("COM-LAR-001", "COM-LAR-901")
    changed = changed.replace("COM-BAR-001", "COM-BAR-901")
    report = import_csv(actor=network.nora, kind="communes", data=changed, dry_run=True)
    assert report.errors == []
    assert {row.registry_code for row in report.planned} == {"COM-LAR-901", "COM-BAR-901"}
    assert set(report.ignored_columns) == {
        "slug",
        "state_code",
        "capacity_level",
        "councils",
        "links",
    }


# Bad files: nothing is written, every row is reported -------------------------------------------


def test_bad_rows_leave_the_database_unchanged_and_are_reported_by_line(network: Network) -> None:
    data = (
        "nombre,codigo_registro,parroquia,fecha_carta,estatus\n"
        "Comuna Buena,COM-LAR-020,Sarare,2015-01-01,registrada\n"  # 2: fine
        "Comuna Perdida,COM-LAR-021,Parroquia Inventada,,\n"  # 3: unknown parish
        "Comuna Ambigua,COM-LAR-022,Santa Rosa,,\n"  # 4: four parishes share the name
        "Comuna Fechada,COM-LAR-023,Sarare,31/02/2015,\n"  # 5: no such day
        "Comuna Repetida,COM-LAR-001,Sarare,,\n"  # 6: El Maizal's code
        "Comuna Doble,COM-LAR-020,Sarare,,\n"  # 7: repeats line 2
        "Comuna Rara,COM-LAR-024,Sarare,,fundada\n"  # 8: unknown status
        ",COM-LAR-025,Sarare,2999-01-01,\n"  # 9: no name, a date in the future
    )
    before = snapshot()
    report = import_csv(actor=network.nora, kind="communes", data=data, dry_run=False)
    assert snapshot() == before
    assert not Commune.objects.filter(name="Comuna Buena").exists()
    assert report.created == 0 and report.slugs == []
    assert lines_and_fields(report) == [
        (3, "parroquia"),
        (4, "parroquia"),
        (5, "fecha_carta"),
        (6, "codigo_registro"),
        (7, "codigo_registro"),
        (8, "estatus"),
        (9, "nombre"),
        (9, "fecha_carta"),
    ]
    messages = [error.message for error in report.errors]
    assert "Parroquia Inventada" in messages[0]
    assert "VE-K-03-08" in messages[1] and "VE-E-11-04" in messages[1]
    assert "31/02/2015" in messages[2]
    assert "COM-LAR-001" in messages[3]
    assert "2" in messages[4]  # names the line it repeats
    assert "fundada" in messages[5]
    assert "nombre" in messages[6]
    assert report.error_lines == 7


def test_messages_name_the_column_as_the_file_writes_it(network: Network) -> None:
    from django.utils import translation

    data = "name,registry_code,parish\nComuna Sin Código,,Sarare\n"
    with translation.override("en"):
        report = import_csv(actor=network.nora, kind="communes", data=data, dry_run=True)
    assert report.errors[0].message == "“registry_code” is empty; it is required."
    assert report.errors[0].field == "registry_code"


def test_bad_council_rows_are_all_reported(network: Network) -> None:
    data = (
        "name,registry_code,parish,scope,households,population,founded,commune,lon,lat\n"
        "CC Uno,CC-LAR-0100,Sarare,rural,-5,100,,COM-LAR-001,,\n"  # 2: negative households
        "CC Dos,CC-LAR-0101,Sarare,,10,muchos,,COM-LAR-001,,\n"  # 3: no scope, bad population
        "CC Tres,CC-LAR-0102,Sarare,costero,10,,,COM-LAR-999,,\n"  # 4: bad scope, no commune
        "CC Cuatro,CC-LAR-0103,Sarare,urbano,,,,el-maizal,-69.16,\n"  # 5: lon without lat
        "CC Cinco,CC-LAR-0104,Sarare,urbano,,,,el-maizal,-60.0,40.0\n"  # 6: not in Venezuela
        "CC Seis,CC-LAR-0001,Sarare,urbano,,,ayer,el-maizal,,\n"  # 7: code taken, bad date
    )
    before = snapshot()
    report = import_csv(actor=network.bob, kind="councils", data=data, dry_run=False)
    assert snapshot() == before
    assert lines_and_fields(report) == [
        (2, "households"),
        (3, "scope"),
        (3, "population"),
        (4, "scope"),
        (4, "commune"),
        (5, "lat"),
        (6, "lon"),
        (7, "registry_code"),
        (7, "founded"),
    ]
    assert "-5" in report.errors[0].message


def test_a_missing_required_column_is_reported_on_the_header_line(network: Network) -> None:
    report = import_csv(
        actor=network.nora, kind="councils", data="nombre,parroquia\nCC,Sarare\n", dry_run=True
    )
    assert [(error.line, error.field) for error in report.errors] == [
        (1, "codigo_registro"),
        (1, "ambito"),
    ]


def test_an_empty_file_and_a_file_without_rows_are_refused(network: Network) -> None:
    assert import_csv(actor=network.nora, kind="communes", data=b"", dry_run=True).errors
    report = import_csv(
        actor=network.nora, kind="communes", data="name,registry_code,parish\n", dry_run=True
    )
    assert report.total == 0 and len(report.errors) == 1


def test_files_over_the_limits_are_refused_whole(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    too_big = b"name,registry_code,parish\n" + b"x" * imports.MAX_BYTES
    report = import_csv(actor=network.nora, kind="communes", data=too_big, dry_run=True)
    assert [error.line for error in report.errors] == [0]
    assert "10" in report.errors[0].message
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = "".join(f"C{i},X-{i},Sarare\n" for i in range(4))
    report = import_csv(
        actor=network.nora, kind="communes", data="name,registry_code,parish\n" + rows, dry_run=True
    )
    assert [error.line for error in report.errors] == [0]
    assert report.planned == []


def test_a_refusal_by_an_action_rolls_back_every_row(
    network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Something only the action can see (here: a refusal on the second row) still leaves the
    database unchanged, and the report names the row and the column."""
    calls: list[str] = []
    real = actions.commune_register

    def flaky(**kwargs: Any) -> Commune:
        calls.append(kwargs["name"])
        if len(calls) == 2:
            raise DomainError("Refused.", fields={"lon": ["Refused."]})
        return real(**kwargs)

    monkeypatch.setattr(actions, "commune_register", flaky)
    before = snapshot()
    report = import_csv(actor=network.nora, kind="communes", data=COMMUNES, dry_run=False)
    assert snapshot() == before
    assert not Commune.objects.filter(registry_code="COM-LAR-010").exists()
    assert lines_and_fields(report) == [(3, "lon")]
    assert report.created == 0 and report.slugs == []


# Councils and their commune ---------------------------------------------------------------------


def test_councils_join_the_commune_named_by_code_or_short_name(network: Network) -> None:
    data = (
        "nombre,codigo_registro,parroquia,ambito,familias,poblacion,fecha_fundacion,comuna\n"
        "CC El Tamarindo,CC-LAR-0200,Sarare,Rural,120,480,2012-04-01,COM-LAR-001\n"
        "CC La Ceiba,CC-LAR-0201,Sarare,indígena,30,,,el-maizal\n"
    )
    report = import_csv(actor=network.bob, kind="councils", data=data, dry_run=False)
    assert report.errors == []
    tamarindo = CommunalCouncil.objects.get(registry_code="CC-LAR-0200")
    assert tamarindo.commune_id == network.maizal.pk and tamarindo.parent_id == network.maizal.pk
    assert (tamarindo.scope, tamarindo.households, tamarindo.population) == ("rural", 120, 480)
    assert tamarindo.founded == date(2012, 4, 1)
    ceiba = CommunalCouncil.objects.get(registry_code="CC-LAR-0201")
    assert ceiba.scope == "indigenous" and ceiba.commune_id == network.maizal.pk
    assert [row.commune for row in report.planned] == ["el-maizal", "el-maizal"]
    network.maizal.refresh_from_db()
    assert network.maizal.council_count == 3


def test_communes_first_then_their_councils_in_a_second_file(network: Network) -> None:
    assert import_csv(actor=network.nora, kind="communes", data=COMMUNES, dry_run=False).ok
    data = (
        "name,registry_code,parish,municipality,scope,commune\n"
        "CC Nuevo,CC-LAR-0300,Catedral,Iribarren,urban,COM-LAR-010\n"
    )
    report = import_csv(actor=network.nora, kind="councils", data=data, dry_run=False)
    assert report.errors == []
    council = CommunalCouncil.objects.get(registry_code="CC-LAR-0300")
    assert council.commune is not None and council.commune.registry_code == "COM-LAR-010"


def test_a_commune_coordinator_cannot_import_councils_into_another_commune(
    network: Network,
) -> None:
    data = (
        "name,registry_code,parish,scope,commune\n"
        "CC Ajeno,CC-BAR-0100,Sarare,rural,ezequiel-zamora\n"
        "CC Suelto,CC-LAR-0101,Sarare,rural,\n"
    )
    before = snapshot()
    report = import_csv(actor=network.bob, kind="councils", data=data, dry_run=False)
    assert lines_and_fields(report) == [(2, "commune"), (3, "commune")]
    assert snapshot() == before


# Who may import ---------------------------------------------------------------------------------


def test_only_network_coordinators_import_communes(network: Network) -> None:
    with pytest.raises(PermissionDeniedError):
        import_csv(actor=network.bob, kind="communes", data=COMMUNES, dry_run=True)
    with pytest.raises(PermissionDeniedError):
        import_csv(actor=network.oscar, kind="communes", data=COMMUNES, dry_run=True)


def test_an_outsider_imports_no_councils(network: Network) -> None:
    data = "name,registry_code,parish,scope,commune\nCC,CC-X-1,Sarare,rural,el-maizal\n"
    with pytest.raises(PermissionDeniedError):
        import_csv(actor=network.oscar, kind="councils", data=data, dry_run=True)
    assert imports.may_import(network.bob) and imports.may_import(network.nora)
    assert not imports.may_import(network.oscar) and not imports.may_import(network.carol)


# The page ---------------------------------------------------------------------------------------


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("registro.csv", text.encode(), content_type="text/csv")


def test_the_import_page_asks_anonymous_visitors_to_sign_in(
    client: Client, network: Network
) -> None:
    response = client.get(reverse("registry:import"))
    assert response.status_code == 302
    assert reverse("core:login") in response["Location"]


def test_the_import_page_refuses_the_outsider(client: Client, network: Network) -> None:
    client.force_login(network.oscar)
    assert client.get(reverse("registry:import")).status_code == 403
    response = client.post(
        reverse("registry:import"), {"kind": "communes", "file": upload(COMMUNES)}
    )
    assert response.status_code == 403
    assert not Commune.objects.filter(registry_code="COM-LAR-010").exists()


def test_the_import_page_has_the_dry_run_ticked(client: Client, network: Network) -> None:
    client.force_login(network.nora)
    response = client.get(reverse("registry:import"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="dry_run"' in body and "checked" in body
    assert 'enctype="multipart/form-data"' in body
    assert "codigo_registro" in body and "registry_code" in body  # the column spec


def test_the_page_reports_a_dry_run_then_imports(client: Client, network: Network) -> None:
    client.force_login(network.nora)
    response = client.post(
        reverse("registry:import"),
        {"kind": "communes", "file": upload(COMMUNES), "dry_run": "on"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Comuna Alí Primera" in body and "COM-LAR-011" in body
    assert not Commune.objects.filter(registry_code="COM-LAR-010").exists()
    response = client.post(
        reverse("registry:import"), {"kind": "communes", "file": upload(COMMUNES)}
    )
    assert response.status_code == 200
    created = Commune.objects.get(registry_code="COM-LAR-010")
    assert reverse("registry:commune", args=[created.slug]) in response.content.decode()


def test_the_page_shows_the_row_errors_in_a_table(client: Client, network: Network) -> None:
    client.force_login(network.nora)
    text = "name,registry_code,parish\nComuna Perdida,COM-LAR-021,Parroquia Inventada\n"
    before = snapshot()
    response = client.post(reverse("registry:import"), {"kind": "communes", "file": upload(text)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Parroquia Inventada" in body and '<td class="num">2</td>' in body
    assert snapshot() == before


def test_a_commune_coordinator_choosing_communes_is_told_why(
    client: Client, network: Network
) -> None:
    client.force_login(network.bob)
    response = client.post(
        reverse("registry:import"), {"kind": "communes", "file": upload(COMMUNES)}
    )
    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not Commune.objects.filter(registry_code="COM-LAR-010").exists()


# The command ------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "registro.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_command_imports_a_good_file(network: Network, tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "import_registry", "communes", str(write(tmp_path, COMMUNES)), actor="nora", stdout=out
    )
    assert Commune.objects.filter(registry_code__in=["COM-LAR-010", "COM-LAR-011"]).count() == 2
    assert "2" in out.getvalue()


def test_the_command_dry_run_writes_nothing(network: Network, tmp_path: Path) -> None:
    out = StringIO()
    before = snapshot()
    call_command(
        "import_registry",
        "communes",
        str(write(tmp_path, COMMUNES)),
        "--dry-run",
        actor="nora",
        stdout=out,
    )
    assert snapshot() == before
    assert "COM-LAR-010" in out.getvalue()


def test_the_command_exits_with_1_and_prints_the_rows_on_errors(
    network: Network, tmp_path: Path
) -> None:
    text = "name,registry_code,parish\nComuna Perdida,COM-LAR-021,Parroquia Inventada\n"
    err = StringIO()
    before = snapshot()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_registry",
            "communes",
            str(write(tmp_path, text)),
            actor="nora",
            stdout=StringIO(),
            stderr=err,
        )
    assert raised.value.returncode == 1
    assert "2" in err.getvalue() and "Parroquia Inventada" in err.getvalue()
    assert snapshot() == before


def test_the_command_refuses_an_actor_who_may_not(network: Network, tmp_path: Path) -> None:
    path = str(write(tmp_path, COMMUNES))
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("import_registry", "communes", path, actor="oscar", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("import_registry", "communes", path, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("import_registry", "communes", path, actor="nadie", stdout=StringIO())
    assert snapshot() == before
