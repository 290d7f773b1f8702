"""Pages of the dialogue: what everyone sees, what the outsider is refused, the forms that
write through the actions, fixed query counts on lists, and the page weight."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comuna.dialogue import actions, queries
from comuna.dialogue.models import (
    BodyCorrection,
    Commitment,
    CompetenceTransfer,
    Demand,
    DemandStatus,
    DialogueTable,
    HolidayChange,
    PublicBody,
    Service,
    ServiceManagement,
)
from tests.dialogue.conftest import Directory, file_demand

pytestmark = pytest.mark.django_db
STATIC = Path(__file__).resolve().parents[2] / "src" / "comuna" / "core" / "static" / "core"
CARACAS = ZoneInfo("America/Caracas")


@dataclass
class World:
    d: Directory
    public: Demand
    private: Demand
    table: DialogueTable
    commitment: Commitment
    transfer: CompetenceTransfer


@pytest.fixture
def world(directory: Directory) -> World:
    net = directory.net
    public = file_demand(directory, on=date(2026, 1, 5))
    private = file_demand(
        directory, visibility="unit", title="Presupuesto del acueducto", on=date(2026, 1, 5)
    )
    table = actions.table_create(
        actor=net.bob,
        owner=net.maizal,
        title="Mesa de servicios de Simón Planas",
        held_at=datetime(2026, 2, 10, 9, 0, tzinfo=CARACAS),
        place="Sarare",
        agenda="Agua y recolección de desechos",
        bodies=[directory.hidrolara, directory.alcaldia],
    )
    commitment = actions.commitment_add(
        actor=net.bob,
        table=table,
        responsible=directory.hidrolara,
        what="Reparar la bomba del pozo 3",
        due_on=date(2026, 3, 1),
    )
    transfer = actions.transfer_create(
        actor=net.bob,
        owner=net.maizal,
        title="Recolección de desechos sólidos en Sarare",
        kind="service",
        service="waste",
        from_body=directory.alcaldia,
        started_on=date(2025, 6, 1),
    )
    return World(directory, public, private, table, commitment, transfer)


def public_urls(w: World) -> list[str]:
    slug = w.d.hidrolara.slug
    return [
        reverse("dialogue:home"),
        reverse("dialogue:stuck"),
        reverse("dialogue:bodies"),
        reverse("dialogue:body", args=[slug]),
        reverse("dialogue:demands"),
        reverse("dialogue:demand", args=[w.public.pk]),
        reverse("dialogue:tables"),
        reverse("dialogue:table", args=[w.table.pk]),
        reverse("dialogue:transfers"),
        reverse("dialogue:transfer", args=[w.transfer.pk]),
        reverse("dialogue:services"),
        reverse("dialogue:holidays"),
        reverse("dialogue:organisation", args=["el-maizal"]),
        reverse("dialogue:feed_body", args=[slug]),
        reverse("dialogue:feed_organisation", args=["el-maizal"]),
        reverse("dialogue:ical_body", args=[slug]),
        reverse("dialogue:ical_organisation", args=["el-maizal"]),
        reverse("dialogue:demands_csv"),
        reverse("dialogue:stats_csv"),
    ]


def test_every_public_page_answers_to_anyone(client: Client, world: World) -> None:
    for url in public_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_navigation_has_the_dialogue(client: Client, world: World) -> None:
    body = client.get("/").content.decode()
    assert f'href="{reverse("dialogue:home")}"' in body


class TestPrivateDemands:
    def test_are_invisible_to_outsiders_and_other_communes(
        self, client: Client, world: World
    ) -> None:
        url = reverse("dialogue:demand", args=[world.private.pk])
        assert client.get(url).status_code == 404
        for user in (world.d.net.oscar, world.d.net.ernesto):
            client.force_login(user)
            assert client.get(url).status_code == 404
            listing = client.get(reverse("dialogue:demands")).content.decode()
            assert "Presupuesto del acueducto" not in listing
            assert (
                "Presupuesto" not in client.get(reverse("dialogue:demands_csv")).getvalue().decode()
            )

    def test_are_visible_to_the_members_and_oversight(self, client: Client, world: World) -> None:
        url = reverse("dialogue:demand", args=[world.private.pk])
        for user in (world.d.net.alice, world.d.net.bob, world.d.net.carol, world.d.net.dora):
            client.force_login(user)
            assert client.get(url).status_code == 200, user
            assert (
                "Presupuesto del acueducto"
                in client.get(reverse("dialogue:demands")).content.decode()
            )

    def test_oversight_sees_but_may_not_act(self, client: Client, world: World) -> None:
        client.force_login(world.d.net.dora)
        for name in ("demand_answer", "demand_withdraw", "demand_escalate", "demand_attach"):
            response = client.get(reverse(f"dialogue:{name}", args=[world.private.pk]))
            assert response.status_code == 403, name

    def test_stay_out_of_feeds_and_calendars(self, client: Client, world: World) -> None:
        slug = world.d.hidrolara.slug
        for url in (
            reverse("dialogue:feed_body", args=[slug]),
            reverse("dialogue:ical_body", args=[slug]),
            reverse("dialogue:feed_organisation", args=["el-maizal"]),
            reverse("dialogue:ical_organisation", args=["el-maizal"]),
        ):
            assert "Presupuesto del acueducto" not in client.get(url).content.decode(), url

    def test_attachments_follow_the_demand(
        self, client: Client, world: World, media: object
    ) -> None:
        pdf = SimpleUploadedFile("oficio.pdf", b"%PDF-1.4\n%%EOF\n")
        attachment = actions.demand_attach(actor=world.d.net.bob, demand=world.private, upload=pdf)
        url = reverse("dialogue:attachment", args=[attachment.pk])
        client.force_login(world.d.net.oscar)
        assert client.get(url).status_code == 404
        client.force_login(world.d.net.carol)
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


class TestTheOutsiderIsRefused:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client: Client, world: World) -> None:
        for url in (
            reverse("dialogue:demand_new"),
            reverse("dialogue:demand_answer", args=[world.public.pk]),
            reverse("dialogue:body_new"),
            reverse("dialogue:body_correct", args=["hidrolara"]),
            reverse("dialogue:table_new"),
            reverse("dialogue:transfer_new"),
            reverse("dialogue:commitment_update", args=[world.commitment.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 302 and "/entrar/" in response["Location"], url

    def test_oscar_may_not_write(self, client: Client, world: World) -> None:
        client.force_login(world.d.net.oscar)
        public, table, transfer = world.public.pk, world.table.pk, world.transfer.pk
        for url in (
            reverse("dialogue:demand_new"),
            reverse("dialogue:demand_file", args=[public]),
            reverse("dialogue:demand_acknowledge", args=[public]),
            reverse("dialogue:demand_answer", args=[public]),
            reverse("dialogue:demand_resolve", args=[public]),
            reverse("dialogue:demand_escalate", args=[public]),
            reverse("dialogue:demand_withdraw", args=[public]),
            reverse("dialogue:demand_cosign", args=[public]),
            reverse("dialogue:demand_attach", args=[public]),
            reverse("dialogue:demand_edit", args=[public]),
            reverse("dialogue:body_new"),
            reverse("dialogue:body_edit", args=["hidrolara"]),
            reverse("dialogue:bodies_import"),
            reverse("dialogue:corrections"),
            reverse("dialogue:table_new"),
            reverse("dialogue:table_record", args=[table]),
            reverse("dialogue:participant_new", args=[table]),
            reverse("dialogue:commitment_new", args=[table]),
            reverse("dialogue:commitment_update", args=[world.commitment.pk]),
            reverse("dialogue:transfer_new"),
            reverse("dialogue:transfer_advance", args=[transfer]),
            reverse("dialogue:transfer_cancel", args=[transfer]),
            reverse("dialogue:transfer_document", args=[transfer]),
        ):
            assert client.get(url).status_code == 403, url
        response = client.post(
            reverse("dialogue:holidays"), {"day": "2026-01-02", "change": "added", "name": "X"}
        )
        assert response.status_code == 403
        response = client.post(reverse("dialogue:correction_decide", args=[1]), {})
        assert response.status_code == 404
        assert not HolidayChange.objects.exists()

    def test_another_commune_may_not_act_on_el_maizal_s_demand(
        self, client: Client, world: World
    ) -> None:
        client.force_login(world.d.net.ernesto)
        url = reverse("dialogue:demand_answer", args=[world.public.pk])
        assert client.get(url).status_code == 403
        response = client.post(url, {"text": "Respuesta falsa"})
        assert response.status_code == 403
        world.public.refresh_from_db()
        assert world.public.status == DemandStatus.FILED


class TestDemandForms:
    def test_a_spokesperson_files_then_records_the_answer(
        self, client: Client, directory: Directory, media: object
    ) -> None:
        client.force_login(directory.net.alice)
        response = client.post(
            reverse("dialogue:demand_new"),
            {
                "owner": directory.net.maizal.pk,
                "body": directory.corpoelec.pk,
                "topic": "electricity",
                "title": "Transformador quemado en La Ceiba",
                "text": "Desde el 3 de marzo el sector no tiene luz.",
                "visibility": "public",
                "filed_on": "2026-03-02",
                "attachment": SimpleUploadedFile("oficio.pdf", b"%PDF-1.4\n%%EOF\n"),
            },
        )
        demand = Demand.objects.get(title="Transformador quemado en La Ceiba")
        assert response.status_code == 302 and response["Location"] == reverse(
            "dialogue:demand", args=[demand.pk]
        )
        assert demand.due_on == date(2026, 3, 30) and demand.attachments.count() == 1
        response = client.post(
            reverse("dialogue:demand_answer", args=[demand.pk]),
            {"on": "2026-03-20", "text": "Se instaló un transformador de 75 kVA."},
        )
        assert response.status_code == 302
        demand.refresh_from_db()
        assert demand.status == DemandStatus.ANSWERED and not demand.answered_late
        page = client.get(reverse("dialogue:demand", args=[demand.pk])).content.decode()
        assert "75 kVA" in page

    def test_filing_to_an_unknown_body_is_refused_by_name(
        self, client: Client, directory: Directory
    ) -> None:
        client.force_login(directory.net.bob)
        response = client.post(
            reverse("dialogue:demand_new"),
            {
                "owner": directory.net.maizal.pk,
                "body": 999999,
                "topic": "water",
                "title": "Sin ente",
                "text": "Texto",
                "visibility": "public",
            },
        )
        assert response.status_code == 200
        assert (
            "Addressed to" in response.content.decode() or "Dirigido" in response.content.decode()
        )
        assert response.context["form"].errors["body"]
        assert not Demand.objects.exists()

    def test_an_answer_dated_before_filing_shows_on_the_field(
        self, client: Client, world: World
    ) -> None:
        client.force_login(world.d.net.bob)
        response = client.post(
            reverse("dialogue:demand_answer", args=[world.public.pk]),
            {"on": "2025-12-01", "text": "Respuesta"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["on"]
        world.public.refresh_from_db()
        assert world.public.status == DemandStatus.FILED

    def test_a_draft_is_seen_only_by_those_who_write_it(
        self, client: Client, directory: Directory
    ) -> None:
        draft = actions.demand_create(
            actor=directory.net.bob,
            owner=directory.net.maizal,
            body=directory.hidrolara,
            topic="water",
            title="Borrador",
            text="Texto",
            file=False,
        )
        url = reverse("dialogue:demand", args=[draft.pk])
        assert client.get(url).status_code == 404
        client.force_login(directory.net.carol)
        assert client.get(url).status_code == 404
        client.force_login(directory.net.alice)
        assert client.get(url).status_code == 200
        response = client.post(reverse("dialogue:demand_file", args=[draft.pk]), {})
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == DemandStatus.FILED

    def test_escalate_and_cosign(self, client: Client, world: World) -> None:
        client.force_login(world.d.net.ernesto)
        response = client.post(
            reverse("dialogue:demand_cosign", args=[world.public.pk]),
            {"organisation": world.d.net.zamora.pk},
        )
        assert response.status_code == 302
        client.force_login(world.d.net.bob)
        response = client.post(
            reverse("dialogue:demand_cosign", args=[world.public.pk]),
            {"movement": "Movimiento de Pobladoras y Pobladores"},
        )
        assert response.status_code == 302
        assert world.public.cosigners.count() == 2
        response = client.post(
            reverse("dialogue:demand_escalate", args=[world.public.pk]),
            {"to_body": world.d.hidroven.pk, "reason": "Sin respuesta en el plazo."},
        )
        higher = Demand.objects.get(escalated_from=world.public)
        assert response["Location"] == reverse("dialogue:demand", args=[higher.pk])
        assert higher.cosigners.count() == 2

    def test_withdraw_and_resolve(self, client: Client, world: World) -> None:
        client.force_login(world.d.net.bob)
        response = client.post(
            reverse("dialogue:demand_withdraw", args=[world.private.pk]), {"reason": "Resuelto."}
        )
        assert response.status_code == 302
        actions.demand_answer(actor=world.d.net.bob, demand=world.public, text="Listo")
        response = client.post(reverse("dialogue:demand_resolve", args=[world.public.pk]), {})
        assert response.status_code == 302
        world.public.refresh_from_db()
        assert world.public.status == DemandStatus.RESOLVED


class TestTheDirectory:
    def test_the_network_coordinator_adds_and_edits_a_body(
        self, client: Client, directory: Directory
    ) -> None:
        client.force_login(directory.net.nora)
        response = client.post(
            reverse("dialogue:body_new"),
            {
                "name": "Instituto Nacional de Tierras",
                "acronym": "INTi",
                "level": "national",
                "body_type": "agrarian_authority",
                "response_days": "30",
            },
        )
        body = PublicBody.objects.get(acronym="INTi")
        assert response["Location"] == reverse("dialogue:body", args=[body.slug])
        response = client.post(
            reverse("dialogue:body_edit", args=[body.slug]),
            {
                "name": "Instituto Nacional de Tierras",
                "acronym": "INTi",
                "level": "national",
                "body_type": "agrarian_authority",
                "response_days": "25",
                "parent": str(body.pk),
            },
        )
        assert response.status_code == 200  # under itself: refused on the field
        assert response.context["form"].errors["parent"]

    def test_a_correction_is_proposed_and_accepted(
        self, client: Client, directory: Directory
    ) -> None:
        client.force_login(directory.net.oscar)
        response = client.post(
            reverse("dialogue:body_correct", args=["hidrolara"]),
            {"contact_phone": "0251-0000000", "note": "Número de la página oficial."},
        )
        assert response.status_code == 302
        correction = BodyCorrection.objects.get()
        client.force_login(directory.net.nora)
        assert "0251-0000000" in client.get(reverse("dialogue:corrections")).content.decode()
        client.post(
            reverse("dialogue:correction_decide", args=[correction.pk]), {"decision": "accept"}
        )
        directory.hidrolara.refresh_from_db()
        assert directory.hidrolara.contact_phone == "0251-0000000"

    def test_a_csv_import_is_all_or_nothing(self, client: Client, directory: Directory) -> None:
        client.force_login(directory.net.nora)
        good = (
            "slug,name,acronym,level,type,parent,state,response_days\n"
            "hidrofalcon,Hidrológica del Falcón,Hidrofalcón,state,water_utility,hidroven,VE-I,20\n"
            "corpoelec-lara,Corpoelec Lara,,state,electricity_utility,corpoelec,VE-K,\n"
        )
        bad = good + "x,Mal,,planetary,ministry,nadie,VE-ZZ,0\n"
        response = client.post(
            reverse("dialogue:bodies_import"),
            {"file": SimpleUploadedFile("entes.csv", bad.encode()), "dry_run": ""},
        )
        report = response.context["report"]
        assert report.errors == 1 and not report.written
        assert not PublicBody.objects.filter(slug="hidrofalcon").exists()
        response = client.post(
            reverse("dialogue:bodies_import"),
            {"file": SimpleUploadedFile("entes.csv", good.encode()), "dry_run": ""},
        )
        assert response.context["report"].written
        assert PublicBody.objects.get(slug="hidrofalcon").parent_id == directory.hidroven.pk

    def test_the_directory_filters_and_answers_htmx(
        self, client: Client, directory: Directory
    ) -> None:
        body = client.get(reverse("dialogue:bodies"), {"nivel": "municipal"}).content.decode()
        assert "Simón Planas" in body and "Corpoelec" not in body
        response = client.get(reverse("dialogue:bodies"), {"q": "hidro"}, HTTP_HX_REQUEST="true")
        assert "<html" not in response.content.decode() and "Hidrolara" in response.content.decode()
        assert "HX-Request" in response["Vary"]

    def test_the_holiday_calendar_is_edited_per_year(
        self, client: Client, directory: Directory
    ) -> None:
        page = client.get(reverse("dialogue:holidays"), {"anio": "2026"}).content.decode()
        assert "16 de febrero" in page or "16 February" in page  # Carnival Monday 2026
        client.force_login(directory.net.nora)
        client.post(
            reverse("dialogue:holidays") + "?anio=2026",
            {"day": "2026-01-02", "change": "added", "name": "Día de asueto decretado"},
        )
        assert HolidayChange.objects.filter(day=date(2026, 1, 2)).exists()
        client.post(reverse("dialogue:holidays") + "?anio=2026", {"revert": "2026-01-02"})
        assert not HolidayChange.objects.exists()


class TestTablesAndTransfers:
    def test_a_table_gets_participants_and_commitments(self, client: Client, world: World) -> None:
        client.force_login(world.d.net.bob)
        url = reverse("dialogue:participant_new", args=[world.table.pk])
        client.post(url, {"side": "government", "name": "Gerente de Hidrolara"})
        url = reverse("dialogue:commitment_new", args=[world.table.pk])
        client.post(
            url,
            {
                "responsible": world.d.alcaldia.pk,
                "what": "Camión compactador",
                "due_on": "2026-04-01",
            },
        )
        client.post(
            reverse("dialogue:table_record", args=[world.table.pk]),
            {"status": "held", "minutes": "Se acordaron dos compromisos."},
        )
        client.post(
            reverse("dialogue:commitment_update", args=[world.commitment.pk]),
            {"outcome": "done", "on": "2026-02-25"},
        )
        page = client.get(reverse("dialogue:table", args=[world.table.pk])).content.decode()
        assert "Gerente de Hidrolara" in page and "Camión compactador" in page
        world.commitment.refresh_from_db()
        assert world.commitment.outcome_on(date(2026, 6, 1)) == "kept"

    def test_the_commune_page_partial_lists_open_commitments(self, world: World) -> None:
        template = engines["django"].from_string(
            "{% load dialogue_tags %}{% open_commitments organisation %}"
        )
        html = template.render({"organisation": world.d.net.maizal, "request": None})
        assert "Reparar la bomba del pozo 3" in html
        commitments = queries.open_commitments_for(world.d.net.maizal)
        assert [c.pk for c in commitments] == [world.commitment.pk]

    def test_a_transfer_goes_through_its_phases_to_the_services_map(
        self, client: Client, world: World
    ) -> None:
        client.force_login(world.d.net.bob)
        url = reverse("dialogue:transfer_advance", args=[world.transfer.pk])
        for day in ("2025-08-01", "2025-10-01", "2026-01-15", "2026-05-01", "2026-09-01"):
            assert client.post(url, {"on": day, "notes": "Fase cumplida."}).status_code == 302
        world.transfer.refresh_from_db()
        assert world.transfer.phase == "completed"
        assert ServiceManagement.objects.get().service == "waste"
        assert [s.service for s in queries.services_managed_by(world.d.net.maizal)] == ["waste"]
        page = client.get(reverse("dialogue:services")).content.decode()
        assert "Comuna El Maizal" in page and 'aria-label="Comuna El Maizal' in page
        assert client.post(url, {"notes": "Otra"}).status_code == 200  # closed: refused


@pytest.mark.parametrize(
    "name",
    [
        "dialogue:bodies",
        "dialogue:demands",
        "dialogue:stuck",
        "dialogue:tables",
        "dialogue:transfers",
        "dialogue:home",
    ],
)
def test_lists_run_a_fixed_number_of_queries(
    client: Client, directory: Directory, django_assert_max_num_queries: Any, name: str
) -> None:
    def more(n: int) -> None:
        for i in range(n):
            demand = file_demand(directory, title=f"Planteamiento {i}", on=date(2026, 1, 5))
            if i % 2:
                actions.demand_answer(actor=directory.net.bob, demand=demand, text="Listo")

    more(2)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse(name))
    more(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse(name))


def test_the_body_page_runs_a_fixed_number_of_queries(
    client: Client, directory: Directory, django_assert_max_num_queries: Any
) -> None:
    url = reverse("dialogue:body", args=["hidrolara"])
    file_demand(directory)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for _n in range(6):
        file_demand(directory)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_pages_stay_under_60_kb_compressed(client: Client, world: World) -> None:
    assets = sum(
        len(gzip.compress((STATIC / f).read_bytes())) for f in ("comuna.css", "htmx.min.js")
    )
    client.force_login(world.d.net.bob)
    for url in [*public_urls(world)[:13], reverse("dialogue:demand_new")]:
        page = len(gzip.compress(client.get(url).content))
        assert page + assets < 60 * 1024, url


def test_overdue_shows_on_the_page_by_the_local_date(client: Client, world: World) -> None:
    due = world.public.due_on
    assert due is not None
    url = reverse("dialogue:demand", args=[world.public.pk])
    before = datetime(due.year, due.month, due.day, 23, 0, tzinfo=CARACAS)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=before):
        assert "badge warn" not in client.get(url).content.decode()
    with mock.patch("django.utils.timezone.now", return_value=before + timedelta(hours=2)):
        assert "badge warn" in client.get(url).content.decode()
    assert timezone.localdate() > due


def test_public_pages_are_served_whole_from_the_cache_until_something_changes(
    client: Client, world: World, django_assert_num_queries: Any
) -> None:
    url = reverse("dialogue:body", args=[world.d.hidrolara.slug])
    first = client.get(url)
    assert first.status_code == 200
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert "Presupuesto del acueducto" not in first.content.decode()
    # The second visit costs one query: the data version (newest audit event).
    with django_assert_num_queries(1):
        again = client.get(url)
    assert again.content == first.content
    # A new demand to the body is an audit event: the page is rendered afresh.
    file_demand(world.d, title="Bombeo del pozo 7 sin electricidad")
    assert "Bombeo del pozo 7" in client.get(url).content.decode()
    # Signed-in people never get the visitors' copy (they may see private demands).
    client.force_login(world.d.net.carol)
    assert "Presupuesto del acueducto" in client.get(url).content.decode()


WRITE_PAGES = [
    ("dialogue:body_new", None),
    ("dialogue:body_edit", "body"),
    ("dialogue:bodies_import", None),
    ("dialogue:corrections", None),
    ("dialogue:correction_decide", "correction"),
    ("dialogue:demand_new", None),
    ("dialogue:demand_edit", "demand"),
    ("dialogue:demand_file", "demand"),
    ("dialogue:demand_acknowledge", "demand"),
    ("dialogue:demand_answer", "demand"),
    ("dialogue:demand_resolve", "demand"),
    ("dialogue:demand_escalate", "demand"),
    ("dialogue:demand_withdraw", "demand"),
    ("dialogue:demand_cosign", "demand"),
    ("dialogue:demand_attach", "demand"),
    ("dialogue:table_new", None),
    ("dialogue:table_record", "table"),
    ("dialogue:participant_new", "table"),
    ("dialogue:commitment_new", "table"),
    ("dialogue:commitment_update", "commitment"),
    ("dialogue:transfer_new", None),
    ("dialogue:transfer_advance", "transfer"),
    ("dialogue:transfer_cancel", "transfer"),
    ("dialogue:transfer_document", "transfer"),
]


def _write_url(world: World, name: str, arg: str | None) -> str:
    if arg is None:
        return reverse(name)
    correction = BodyCorrection.objects.first()
    target = {
        "body": world.d.hidrolara.slug,
        "correction": correction.pk if correction else 0,
        "demand": world.public.pk,
        "table": world.table.pk,
        "commitment": world.commitment.pk,
        "transfer": world.transfer.pk,
    }[arg]
    return reverse(name, args=[target])


@pytest.mark.parametrize(("name", "arg"), WRITE_PAGES)
def test_every_write_page_refuses_the_outsider(
    client: Client, world: World, name: str, arg: str | None
) -> None:
    from comuna.core.models import AuditEvent

    actions.correction_propose(
        actor=world.d.net.carol, body=world.d.hidrolara, changes={"contact_phone": "0251-1"}
    )
    url = _write_url(world, name, arg)
    written = AuditEvent.objects.count()
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302 and "/entrar/" in response["Location"], (method, url)
    client.force_login(world.d.net.oscar)
    # The corrections waiting are the coordinators' business: oscar is not told they exist.
    expected = 404 if name == "dialogue:correction_decide" else 403
    assert client.post(url, {"decision": "accept", "note": "x"}).status_code == expected, url
    assert AuditEvent.objects.count() == written
    assert BodyCorrection.objects.get().status == "pending"


def test_anonymous_visitors_are_sent_to_sign_in_to_change_the_calendar(
    client: Client, world: World
) -> None:
    response = client.post(
        reverse("dialogue:holidays"), {"day": "2026-01-02", "change": "added", "name": "X"}
    )
    assert response.status_code == 302 and "/entrar/" in response["Location"]
    assert not HolidayChange.objects.exists()


def test_private_tables_transfers_and_documents_are_hidden_from_the_outsider(
    client: Client, world: World, media: object
) -> None:
    net = world.d.net
    table = actions.table_create(
        actor=net.bob,
        owner=net.maizal,
        title="Mesa reservada con Hidrolara",
        held_at=datetime(2026, 2, 11, 9, 0, tzinfo=CARACAS),
        visibility="unit",
    )
    commitment = actions.commitment_add(
        actor=net.bob,
        table=table,
        responsible=world.d.hidrolara,
        what="Revisar la tubería",
        due_on=date(2026, 3, 1),
    )
    transfer = actions.transfer_create(
        actor=net.bob,
        owner=net.maizal,
        title="Transferencia reservada del pozo 3",
        kind="service",
        service="water",
        from_body=world.d.hidrolara,
        started_on=date(2025, 6, 1),
        visibility="unit",
    )
    document = actions.transfer_attach(
        actor=net.bob,
        transfer=transfer,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n"),
        title="Plan de transferencia",
    )
    hidden = [
        reverse("dialogue:table", args=[table.pk]),
        reverse("dialogue:transfer", args=[transfer.pk]),
        reverse("dialogue:document", args=[document.pk]),
        reverse("dialogue:commitment_update", args=[commitment.pk]),
        reverse("dialogue:table_record", args=[table.pk]),
        reverse("dialogue:transfer_advance", args=[transfer.pk]),
    ]
    client.force_login(net.oscar)
    for url in hidden:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    for name in ("dialogue:tables", "dialogue:transfers", "dialogue:home"):
        page = client.get(reverse(name)).content.decode()
        assert "reservad" not in page.lower(), name
    client.force_login(net.carol)
    for url in hidden[:3]:
        assert client.get(url).status_code == 200, url
    assert client.get(hidden[3]).status_code == 403  # carol sees it, but may not change it


def grow(w: World, start: int, n: int) -> None:
    """n more of everything the dialogue's pages list: demands (some answered, linked to the
    transfer), co-signers and timeline events of the public demand, tables with participants
    and commitments, transfers carried to completion (services run), corrections waiting."""
    net = w.d.net
    for i in range(start, start + n):
        demand = file_demand(w.d, title=f"Planteamiento {i}", on=date(2026, 1, 5))
        if i % 2:
            actions.demand_answer(actor=net.bob, demand=demand, text="Listo")
        movement = actions.movement_ensure(actor=net.bob, name=f"Movimiento {i}")
        actions.demand_cosign(actor=net.bob, demand=w.public, organisation=movement)
        actions.transfer_link_demand(actor=net.bob, transfer=w.transfer, demand=demand)
        table = actions.table_create(
            actor=net.bob,
            owner=net.maizal,
            title=f"Mesa {i}",
            held_at=datetime(2026, 1, 10, 9, 0, tzinfo=CARACAS),
            bodies=[w.d.hidrolara, w.d.alcaldia],
        )
        for target in (table, w.table):
            actions.table_participant_add(
                actor=net.bob,
                table=target,
                side="government",
                name=f"Funcionaria {i}",
                organisation=w.d.hidrolara,
            )
            actions.commitment_add(
                actor=net.bob,
                table=target,
                responsible=w.d.hidrolara if i % 2 else net.maizal,
                what=f"Compromiso {i}",
                due_on=date(2026, 3, 1),
            )
        transfer = actions.transfer_create(
            actor=net.bob,
            owner=net.maizal if i % 2 else net.delicias,
            title=f"Transferencia {i}",
            kind="service",
            service=Service.values[(i // 2) % len(Service.values)],
            from_body=w.d.alcaldia,
            started_on=date(2025, 1, 1),
        )
        for month in range(2, 7):
            actions.transfer_advance(actor=net.bob, transfer=transfer, on=date(2025, month, 1))
        actions.correction_propose(
            actor=net.carol, body=w.d.hidrolara, changes={"contact_phone": f"0251-{i}"}
        )


def dialogue_pages(w: World) -> list[str]:
    slug = w.d.hidrolara.slug
    return [
        reverse("dialogue:home"),
        reverse("dialogue:demands"),
        reverse("dialogue:demand", args=[w.public.pk]),
        reverse("dialogue:body", args=[slug]),
        reverse("dialogue:tables"),
        reverse("dialogue:table", args=[w.table.pk]),
        reverse("dialogue:transfers"),
        reverse("dialogue:transfer", args=[w.transfer.pk]),
        reverse("dialogue:services"),
        reverse("dialogue:organisation", args=["el-maizal"]),
        reverse("dialogue:holidays"),
        reverse("dialogue:corrections"),
        reverse("dialogue:feed_body", args=[slug]),
        reverse("dialogue:feed_organisation", args=["el-maizal"]),
        reverse("dialogue:ical_body", args=[slug]),
        reverse("dialogue:ical_organisation", args=["el-maizal"]),
        reverse("dialogue:demands_csv"),
    ]


@pytest.mark.parametrize("who", ["nora", "bob", "visitor"])
def test_every_list_and_detail_page_runs_a_fixed_number_of_queries(
    client: Client, world: World, django_assert_max_num_queries: Any, who: str
) -> None:
    if who != "visitor":
        client.force_login(getattr(world.d.net, who))
    grow(world, 0, 2)
    counts = {}
    for url in dialogue_pages(world):
        with django_assert_max_num_queries(40, info=url) as small:
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        if response.status_code == 200:
            counts[url] = len(small.captured_queries)
    grow(world, 2, 5)
    for url, count in counts.items():
        with django_assert_max_num_queries(count, info=url):
            response = client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        assert response.status_code == 200, url


def test_corrections_and_reminders_are_shown_in_words(client: Client, world: World) -> None:
    actions.correction_propose(
        actor=world.d.net.carol, body=world.d.hidrolara, changes={"contact_phone": "0251-1"}
    )
    client.force_login(world.d.net.nora)
    page = client.get(reverse("dialogue:corrections")).content.decode()
    assert "<dt>Teléfono de la oficina</dt>" in page and "contact_phone" not in page
    due = world.public.due_on
    assert due is not None
    actions.reminders_send(today=due - timedelta(days=1))
    page = client.get(reverse("dialogue:demand", args=[world.public.pk])).content.decode()
    assert "(Por vencer)" in page and "(before)" not in page


def test_a_transfer_links_only_the_demands_its_author_may_see(client: Client, world: World) -> None:
    net = world.d.net
    other = file_demand(
        world.d, owner=net.zamora, actor=net.ernesto, visibility="unit", title="Ajeno"
    )
    client.force_login(net.bob)
    data = {
        "owner": net.maizal.pk,
        "title": "Acueducto de Sarare",
        "kind": "service",
        "service": "water",
        "from_body": world.d.hidrolara.pk,
        "started_on": "2026-01-05",
        "visibility": "unit",
    }
    url = reverse("dialogue:transfer_new")
    response = client.post(url, {**data, "demands": f"{world.private.pk}, {other.pk}"})
    assert response.status_code == 200  # ernesto's private demand is unknown to bob
    assert not CompetenceTransfer.objects.filter(title="Acueducto de Sarare").exists()
    response = client.post(url, {**data, "demands": f"{world.private.pk}, {world.public.pk}"})
    assert response.status_code == 302
    transfer = CompetenceTransfer.objects.get(title="Acueducto de Sarare")
    assert sorted(d.pk for d in transfer.demands.all()) == sorted(
        [world.private.pk, world.public.pk]
    )
    # The demand's page names the private transfer to its members only.
    page = reverse("dialogue:demand", args=[world.public.pk])
    assert "Acueducto de Sarare" in client.get(page).content.decode()
    client.force_login(net.oscar)
    assert "Acueducto de Sarare" not in client.get(page).content.decode()
