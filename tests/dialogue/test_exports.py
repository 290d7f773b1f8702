"""Exports: CSV of demands and body statistics, Atom feeds, iCalendar."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from comuna.dialogue import actions
from tests.dialogue.conftest import Directory, file_demand

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def rows(response: object) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(text)))


def test_the_demands_csv_follows_the_filters_and_defuses_formulas(
    client: Client, directory: Directory
) -> None:
    file_demand(directory, title="=HYPERLINK(1)", on=date(2026, 1, 5))
    file_demand(directory, body=directory.corpoelec, title="Luz", topic="electricity")
    found = rows(client.get(reverse("dialogue:demands_csv"), {"ente": "hidrolara"}))
    assert len(found) == 1
    assert found[0]["title"] == "'=HYPERLINK(1)"
    assert found[0]["state"] == "very_overdue" and found[0]["body"] == "hidrolara"
    assert found[0]["url"].endswith(f"/dialogo/planteamientos/{found[0]['id']}/")


def test_the_statistics_csv_has_every_body_with_demands(
    client: Client, directory: Directory
) -> None:
    demand = file_demand(directory, on=date(2026, 1, 5))
    actions.demand_answer(actor=directory.net.bob, demand=demand, text="Ok", on=date(2026, 3, 2))
    found = rows(client.get(reverse("dialogue:stats_csv")))
    assert [r["body"] for r in found] == ["hidrolara"]
    row = found[0]
    assert row["answered"] == "1" and row["answered_late"] == "1" and row["ranked"] == "no"
    assert row["late_share"] == "1.0000" and row["median_days_to_answer"] == "56"


def test_the_body_feed_is_atom_with_public_updates_only(
    client: Client, directory: Directory
) -> None:
    public = file_demand(directory, title="Agua para La Ceiba")
    file_demand(directory, visibility="unit", title="Privado")
    actions.demand_acknowledge(actor=directory.net.bob, demand=public, reference="OF-1")
    response = client.get(reverse("dialogue:feed_body", args=["hidrolara"]))
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert len(titles) == 2 and all("Agua para La Ceiba" in t for t in titles if t)
    assert "Privado" not in response.content.decode()


def test_the_organisation_feed_has_demands_and_transfer_phases(
    client: Client, directory: Directory
) -> None:
    file_demand(directory, title="Agua para La Ceiba")
    actions.transfer_create(
        actor=directory.net.bob,
        owner=directory.net.maizal,
        title="Recolección de desechos",
        kind="service",
        service="waste",
        from_body=directory.alcaldia,
    )
    response = client.get(reverse("dialogue:feed_organisation", args=["el-maizal"]))
    text = response.content.decode()
    assert "Agua para La Ceiba" in text and "Recolección de desechos" in text


def test_the_calendar_has_due_dates_tables_and_commitments(
    client: Client, directory: Directory
) -> None:
    demand = file_demand(directory, on=date(2026, 3, 2))
    table = actions.table_create(
        actor=directory.net.bob,
        owner=directory.net.maizal,
        title="Mesa de servicios, Sarare",
        held_at=datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("America/Caracas")),
        bodies=[directory.hidrolara],
    )
    actions.commitment_add(
        actor=directory.net.bob,
        table=table,
        responsible=directory.hidrolara,
        what="Reparar la bomba",
        due_on=date(2026, 4, 1),
    )
    response = client.get(reverse("dialogue:ical_organisation", args=["el-maizal"]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.content.decode()
    lines = text.split("\r\n")
    assert f"UID:demanda-{demand.pk}@testserver" in lines
    assert "DTSTART;VALUE=DATE:20260323" in lines
    assert "DTSTART:20260310T130000Z" in lines
    assert any(
        line.startswith("SUMMARY:") and line.endswith(": Mesa de servicios\\, Sarare")
        for line in lines
    )
    assert "DTSTART;VALUE=DATE:20260401" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    body_calendar = client.get(reverse("dialogue:ical_body", args=["hidrolara"])).content.decode()
    assert "BEGIN:VEVENT" in body_calendar
