"""Pages of the schedules: finding your sector, a sector's page, its calendar, the forms."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext, override

from comuna.public_services import actions_operations as ops
from comuna.public_services.models_operations import (
    Announcement,
    Outcome,
    Schedule,
    ScheduleException,
    Sector,
    ServiceKind,
    SlotReport,
)
from comuna.public_services.views_operations import outcome_labels
from tests.public_services.test_operations_cast import (  # noqa: F401 - fixtures
    Ops,
    _fresh_geography_caches,
    last_weekday,
    network,
    ops_cast,
)

pytestmark = pytest.mark.django_db


def es(make: Callable[[], object]) -> str:
    """The Spanish the page shows (whatever the catalogue holds), HTML-escaped."""
    with override("es"):
        return escape(str(make()))


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_the_commune_page_offers_a_tappable_map_and_the_council_list(ops_cast: Ops) -> None:
    url = reverse("public_services:commune_schedules", args=["el-maizal"])
    response = Client().get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert f"{url}?consejo=el-cedral#resultado" in html  # a council's cell is a link
    assert "Sector Norte" in html


def test_choosing_a_council_shows_when_water_comes(ops_cast: Ops) -> None:
    url = reverse("public_services:commune_schedules", args=["el-maizal"])
    response = Client().get(url, {"consejo": "el-cedral"})
    html = response.content.decode()
    assert 'id="resultado"' in html
    assert "Agua por tubería" not in html or "06:00" in html
    assert "06:00" in html and "12:00" in html


def test_an_unknown_council_is_ignored_and_an_unknown_commune_is_404(ops_cast: Ops) -> None:
    url = reverse("public_services:commune_schedules", args=["el-maizal"])
    assert Client().get(url, {"consejo": "no-existe"}).status_code == 200
    missing = reverse("public_services:commune_schedules", args=["no-existe"])
    assert Client().get(missing).status_code == 404


def test_the_schedules_home_lists_communes_with_sectors(ops_cast: Ops) -> None:
    response = Client().get(reverse("public_services:schedules_home"))
    assert "Comuna El Maizal" in response.content.decode()
    assert "Ezequiel Zamora" not in response.content.decode()


def test_the_sector_page_shows_slots_next_days_and_compliance(ops_cast: Ops) -> None:
    monday = last_weekday(0, ops_cast.today)
    ops.slot_report(
        actor=ops_cast.net.bob,
        schedule=ops_cast.water,
        day=monday,
        start=time(6),
        outcome=Outcome.NOT_KEPT,
    )
    response = Client().get(reverse("public_services:sector", args=[ops_cast.sector.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Agua por tubería" in html
    assert 'class="chart"' in html
    assert es(lambda: outcome_labels("water")["not_kept"]) in html  # the recorded outcome
    assert "calendario.ics" in html
    assert 'name="outcome"' not in html  # visitors see no report form


def test_the_sector_page_reads_a_fixed_number_of_queries(
    ops_cast: Ops, django_assert_max_num_queries: object
) -> None:
    for n in range(4):
        ops.schedule_create(
            actor=ops_cast.net.bob,
            sector=ops_cast.sector,
            service=ServiceKind.WASTE,
            title=f"Basura {n}",
            slots=[(n, time(7), time(8))],
        )
    client = signed_in("vera")
    with django_assert_max_num_queries(20):  # type: ignore[operator]
        response = client.get(reverse("public_services:sector", args=[ops_cast.sector.pk]))
    assert response.status_code == 200


def test_a_council_spokesperson_reports_from_the_sector_page(ops_cast: Ops) -> None:
    client = signed_in("vera")
    url = reverse("public_services:sector", args=[ops_cast.sector.pk])
    assert 'name="outcome"' in client.get(url).content.decode()
    monday = last_weekday(0, ops_cast.today)
    response = client.post(
        reverse("public_services:schedule_report", args=[ops_cast.water.pk]),
        {"day": monday.isoformat(), "start": "06:00", "outcome": "kept", "note": "Llegó bien"},
    )
    assert response.status_code == 302
    assert SlotReport.objects.get().note == "Llegó bien"


def test_a_bad_report_is_refused_with_a_message_not_a_500(ops_cast: Ops) -> None:
    client = signed_in("bob")
    url = reverse("public_services:schedule_report", args=[ops_cast.water.pk])
    response = client.post(url, {"day": "nonsense", "start": "06:00", "outcome": "kept"})
    assert response.status_code == 302
    future = (ops_cast.today + timedelta(days=10)).isoformat()
    response = client.post(url, {"day": future, "start": "06:00", "outcome": "kept"}, follow=True)
    assert es(lambda: gettext("This has not happened yet.")) in response.content.decode()
    assert SlotReport.objects.count() == 0


def test_the_outsider_may_not_report(ops_cast: Ops) -> None:
    monday = last_weekday(0, ops_cast.today)
    response = signed_in("oscar").post(
        reverse("public_services:schedule_report", args=[ops_cast.water.pk]),
        {"day": monday.isoformat(), "start": "06:00", "outcome": "kept"},
    )
    assert response.status_code == 403
    assert SlotReport.objects.count() == 0


def test_the_ical_feed_expands_occurrences_and_marks_cancelled_ones(ops_cast: Ops) -> None:
    day = ops_cast.today + timedelta(days=1)
    while day.weekday() not in (0, 3):
        day += timedelta(days=1)
    ops.schedule_exception_set(
        actor=ops_cast.net.bob, schedule=ops_cast.water, day=day, cancelled=True, reason="Pozo"
    )
    response = Client().get(reverse("public_services:sector_ical", args=[ops_cast.sector.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") >= 10  # two a week over eight weeks
    assert "STATUS:CANCELLED" in text
    assert f"ps-{ops_cast.water.pk}-{day:%Y%m%d}-0600@" in text
    assert "DTSTART:" in text and "Z\r\n" in text  # UTC times


def test_a_private_sector_is_404_for_the_outsider(ops_cast: Ops) -> None:
    Sector.objects.filter(pk=ops_cast.sector.pk).update(visibility="unit")
    for name in ("sector", "sector_ical"):
        url = reverse(f"public_services:{name}", args=[ops_cast.sector.pk])
        assert signed_in("oscar").get(url).status_code == 404
        assert signed_in("carol").get(url).status_code == 200


def test_the_coordinator_creates_a_sector_and_a_schedule_through_the_forms(ops_cast: Ops) -> None:
    client = signed_in("bob")
    url = reverse("public_services:sector_new", args=["el-maizal"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Sector Sur", "councils": [ops_cast.cedral.pk]})
    sector = Sector.objects.get(name="Sector Sur")
    assert response.status_code == 302
    url = reverse("public_services:schedule_new", args=[sector.pk])
    response = client.post(
        url,
        {
            "service": "waste",
            "title": "Paso del camión",
            "valid_from": ops_cast.today.isoformat(),
            "weekdays": ["1", "4"],
            "start": "07:00",
            "end": "09:00",
        },
    )
    assert response.status_code == 302
    schedule = Schedule.objects.get(title="Paso del camión")
    assert sorted(schedule.slots.values_list("weekday", flat=True)) == [1, 4]


def test_the_schedule_form_shows_errors_instead_of_failing(ops_cast: Ops) -> None:
    client = signed_in("bob")
    url = reverse("public_services:schedule_new", args=[ops_cast.sector.pk])
    response = client.post(
        url,
        {
            "service": "water",
            "title": "Al revés",
            "valid_from": ops_cast.today.isoformat(),
            "weekdays": ["1"],
            "start": "12:00",
            "end": "08:00",
        },
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    response = client.post(url, {"service": "nope", "title": "", "weekdays": ["9"]})
    assert response.status_code == 200


def test_the_sector_form_refuses_broken_geojson(ops_cast: Ops) -> None:
    client = signed_in("bob")
    url = reverse("public_services:sector_new", args=["el-maizal"])
    response = client.post(url, {"name": "Roto", "area": "{not json"})
    assert response.status_code == 200
    assert not Sector.objects.filter(name="Roto").exists()


def test_the_exception_and_announcement_forms_write_through_the_actions(ops_cast: Ops) -> None:
    client = signed_in("alice")
    day = ops_cast.today + timedelta(days=2)
    response = client.post(
        reverse("public_services:schedule_exception", args=[ops_cast.water.pk]),
        {"day": day.isoformat(), "start": "14:00", "end": "18:00", "reason": "Reparación"},
    )
    assert response.status_code == 302
    assert ScheduleException.objects.get().start == time(14)
    response = client.post(
        reverse("public_services:announcement_new", args=[ops_cast.sector.pk]),
        {"title": "Jornada de limpieza de tanques", "text": "El sábado."},
    )
    assert response.status_code == 302
    assert Announcement.objects.filter(title="Jornada de limpieza de tanques").exists()
    html = Client().get(reverse("public_services:sector", args=[ops_cast.sector.pk])).content
    assert "Jornada de limpieza de tanques" in html.decode()


def test_the_replace_form_publishes_new_hours(ops_cast: Ops) -> None:
    client = signed_in("bob")
    response = client.post(
        reverse("public_services:schedule_replace", args=[ops_cast.water.pk]),
        {
            "from_day": (ops_cast.today + timedelta(days=1)).isoformat(),
            "weekdays": ["2"],
            "start": "05:00",
            "end": "08:00",
        },
    )
    assert response.status_code == 302
    assert Schedule.objects.filter(sector=ops_cast.sector).count() == 2


@pytest.mark.parametrize(
    ("name", "arg"),
    [
        ("sector_new", "slug"),
        ("sector_edit", "sector"),
        ("schedule_new", "sector"),
        ("announcement_new", "sector"),
        ("schedule_exception", "water"),
        ("schedule_replace", "water"),
    ],
)
def test_the_forms_refuse_the_outsider_and_members(ops_cast: Ops, name: str, arg: str) -> None:
    value = {
        "slug": "el-maizal",
        "sector": ops_cast.sector.pk,
        "water": ops_cast.water.pk,
    }[arg]
    url = reverse(f"public_services:{name}", args=[value])
    for username in ("oscar", "carol", "vera"):
        assert signed_in(username).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the sign-in page


def test_the_compliance_csv_has_a_row_per_sector_and_service(ops_cast: Ops) -> None:
    response = Client().get(reverse("public_services:commune_compliance_csv", args=["el-maizal"]))
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith("Sector Norte,")


def test_the_commune_page_reads_a_fixed_number_of_queries(
    ops_cast: Ops, django_assert_max_num_queries: object
) -> None:
    for n in range(4):
        sector = ops.sector_create(
            actor=ops_cast.net.bob,
            owner=ops_cast.net.maizal,
            name=f"Sector {n}",
            councils=[ops_cast.cedral],
        )
        ops.schedule_create(
            actor=ops_cast.net.bob,
            sector=sector,
            service=ServiceKind.WASTE,
            title=f"Basura {n}",
            slots=[(n, time(7), time(8))],
        )
    url = reverse("public_services:commune_schedules", args=["el-maizal"])
    client = signed_in("bob")
    with django_assert_max_num_queries(24):  # type: ignore[operator]
        response = client.get(url, {"consejo": "el-cedral"})
    result = response.content.decode().split('id="resultado"')[1].split("<aside>")[0]
    assert all(f"Sector {n}" in result for n in range(4))


def test_the_announcements_feed_is_atom(ops_cast: Ops) -> None:
    ops.announcement_publish(
        actor=ops_cast.net.bob, sector=ops_cast.sector, title="Corte de agua el sábado"
    )
    response = Client().get(reverse("public_services:commune_feed", args=["el-maizal"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Sector Norte: Corte de agua el sábado" in response.content.decode()
    missing = Client().get(reverse("public_services:commune_feed", args=["no-existe"]))
    assert missing.status_code == 404


def test_a_private_announcement_stays_out_of_the_feed(ops_cast: Ops) -> None:
    Sector.objects.filter(pk=ops_cast.sector.pk).update(visibility="unit")
    sector = Sector.objects.get(pk=ops_cast.sector.pk)
    ops.announcement_publish(actor=ops_cast.net.bob, sector=sector, title="Solo miembros")
    response = Client().get(reverse("public_services:commune_feed", args=["el-maizal"]))
    assert "Solo miembros" not in response.content.decode()


def test_the_sector_edit_form_changes_its_councils(ops_cast: Ops) -> None:
    url = reverse("public_services:sector_edit", args=[ops_cast.sector.pk])
    client = signed_in("bob")
    assert "Sector Norte" in client.get(url).content.decode()
    response = client.post(url, {"name": "Sector Norte Alto", "councils": [ops_cast.cedral.pk]})
    assert response.status_code == 302
    sector = Sector.objects.get(pk=ops_cast.sector.pk)
    assert sector.name == "Sector Norte Alto"
    assert [c.pk for c in sector.councils.all()] == [ops_cast.cedral.pk]
    response = client.post(url, {"name": "Sin nada"})
    assert response.status_code == 200
    assert Sector.objects.get(pk=ops_cast.sector.pk).name == "Sector Norte Alto"
