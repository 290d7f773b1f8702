"""Demands through the actions: due dates from the calendar, states derived by date,
co-signing, escalation, bad input refused clearly, and statistics that agree with the
demands."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.models import AuditEvent, Organisation, OrganisationKind
from comuna.dialogue import actions, counters, queries
from comuna.dialogue.models import (
    BodyMonth,
    BodyStats,
    Demand,
    DemandCosigner,
    DemandEvent,
    DemandStatus,
    EventKind,
)
from tests.dialogue.conftest import Directory, file_demand

pytestmark = pytest.mark.django_db
CARACAS = ZoneInfo("America/Caracas")


class TestDueDates:
    def test_the_due_date_counts_business_days_over_christmas(self, directory: Directory) -> None:
        # Hidrolara answers in 15 business days. From Monday 22 December 2025: 24, 25 and 31
        # December and 1 January are holidays, weekends are not counted.
        demand = file_demand(directory, on=date(2025, 12, 22))
        assert demand.status == DemandStatus.FILED
        assert demand.business_days == 15
        assert demand.due_on == date(2026, 1, 16)

    def test_carnival_is_not_a_business_day(self, directory: Directory) -> None:
        # Easter 2026 is 5 April: Carnival is Monday 16 and Tuesday 17 February.
        demand = file_demand(directory, body=directory.alcaldia, on=date(2026, 2, 12))
        assert demand.due_on == date(2026, 3, 2)

    def test_a_decreed_bridge_day_moves_the_due_date(self, directory: Directory) -> None:
        actions.holiday_set(
            actor=directory.net.nora, day=date(2026, 1, 2), change="added", name="Día puente"
        )
        demand = file_demand(directory, on=date(2025, 12, 22))
        assert demand.due_on == date(2026, 1, 19)

    def test_a_holiday_worked_that_year_counts_again(self, directory: Directory) -> None:
        actions.holiday_set(actor=directory.net.nora, day=date(2025, 12, 31), change="removed")
        demand = file_demand(directory, on=date(2025, 12, 22))
        assert demand.due_on == date(2026, 1, 15)

    def test_only_network_coordinators_edit_the_calendar(self, directory: Directory) -> None:
        with pytest.raises(PermissionDeniedError):
            actions.holiday_set(
                actor=directory.net.bob, day=date(2026, 1, 2), change="added", name="Puente"
            )

    def test_an_added_holiday_needs_a_name(self, directory: Directory) -> None:
        with pytest.raises(DomainError) as err:
            actions.holiday_set(actor=directory.net.nora, day=date(2026, 1, 2), change="added")
        assert "name" in err.value.fields


class TestStates:
    def test_overdue_starts_the_day_after_the_due_date(self, directory: Directory) -> None:
        demand = file_demand(directory, on=date(2025, 12, 22))
        due = demand.due_on
        assert due is not None
        assert demand.state_on(due) == "filed"
        assert demand.state_on(due + timedelta(days=1)) == "overdue"
        assert demand.state_on(due + timedelta(days=30)) == "overdue"
        assert demand.state_on(due + timedelta(days=31)) == "very_overdue"

    def test_it_is_counted_by_the_date_in_caracas_not_by_the_second(
        self, directory: Directory
    ) -> None:
        demand = file_demand(directory, on=date(2025, 12, 22))
        due = demand.due_on
        assert due is not None
        last_second = datetime(due.year, due.month, due.day, 23, 59, 59, tzinfo=CARACAS)
        # 23:59:59 in Caracas is already the next day in UTC: still on time.
        assert last_second.astimezone(ZoneInfo("UTC")).date() == due + timedelta(days=1)
        with mock.patch("django.utils.timezone.now", return_value=last_second):
            assert demand.state_on() == "filed"
        with mock.patch(
            "django.utils.timezone.now", return_value=last_second + timedelta(seconds=1)
        ):
            assert demand.state_on() == "overdue"

    def test_the_list_filter_agrees_with_the_derived_state(self, directory: Directory) -> None:
        demand = file_demand(directory, on=date(2025, 12, 22))
        due = demand.due_on
        assert due is not None
        user = directory.net.bob

        def ids(state: str, today: date) -> list[int]:
            found = queries.demands(user, queries.DemandFilters(state=state), today)
            return [d.pk for d in found]

        assert ids("filed", due) == [demand.pk] and ids("overdue", due) == []
        day_after = due + timedelta(days=1)
        assert ids("filed", day_after) == [] and ids("overdue", day_after) == [demand.pk]
        later = due + timedelta(days=31)
        assert ids("overdue", later) == [] and ids("very_overdue", later) == [demand.pk]

    def test_answered_demands_are_never_overdue(self, directory: Directory) -> None:
        demand = file_demand(directory, on=date(2025, 12, 22))
        actions.demand_answer(
            actor=directory.net.bob, demand=demand, text="Se reparó.", on=date(2026, 2, 2)
        )
        demand.refresh_from_db()
        assert demand.state_on(date(2026, 6, 1)) == "answered"
        assert demand.answered_late
        assert demand.answer_days == (date(2026, 2, 2) - date(2025, 12, 22)).days


class TestLifecycle:
    def test_a_draft_is_filed_later(self, directory: Directory) -> None:
        draft = actions.demand_create(
            actor=directory.net.alice,
            owner=directory.net.maizal,
            body=directory.corpoelec,
            topic="electricity",
            title="Transformador",
            text="Se quemó el transformador del sector.",
            file=False,
        )
        assert draft.status == DemandStatus.DRAFT and draft.due_on is None
        actions.demand_file(actor=directory.net.alice, demand=draft, on=date(2026, 3, 2))
        draft.refresh_from_db()
        assert draft.status == DemandStatus.FILED and draft.filed_on == date(2026, 3, 2)
        with pytest.raises(DomainError):
            actions.demand_file(actor=directory.net.alice, demand=draft)

    def test_acknowledge_answer_resolve(self, directory: Directory) -> None:
        demand = file_demand(directory, on=date(2026, 3, 2))
        actions.demand_acknowledge(
            actor=directory.net.bob, demand=demand, on=date(2026, 3, 4), reference="OF-2026-118"
        )
        actions.demand_answer(
            actor=directory.net.bob, demand=demand, text="Cuadrilla asignada.", on=date(2026, 3, 9)
        )
        actions.demand_resolve(actor=directory.net.bob, demand=demand, on=date(2026, 3, 20))
        demand.refresh_from_db()
        assert demand.status == DemandStatus.RESOLVED
        kinds = list(DemandEvent.objects.filter(demand=demand).values_list("kind", flat=True))
        assert kinds == ["created", "filed", "acknowledged", "answered", "resolved"]
        verbs = set(
            AuditEvent.objects.filter(subject_id=str(demand.pk)).values_list("verb", flat=True)
        )
        assert {"demand.file", "demand.acknowledge", "demand.answer", "demand.resolve"} <= verbs

    def test_a_withdrawn_demand_keeps_its_reason(self, directory: Directory) -> None:
        demand = file_demand(directory, on=date(2026, 3, 2))
        actions.demand_withdraw(
            actor=directory.net.alice, demand=demand, reason="Se resolvió en la comunidad."
        )
        demand.refresh_from_db()
        assert demand.status == DemandStatus.WITHDRAWN
        assert demand.close_reason == "Se resolvió en la comunidad."
        assert Demand.objects.filter(pk=demand.pk).exists()

    def test_escalation_files_a_new_demand_to_the_higher_body(self, directory: Directory) -> None:
        demand = file_demand(directory, on=date(2026, 1, 5))
        movement = actions.movement_ensure(actor=directory.net.bob, name="Movimiento de Pobladores")
        actions.demand_cosign(actor=directory.net.bob, demand=demand, organisation=movement)
        higher = actions.demand_escalate(
            actor=directory.net.bob, demand=demand, on=date(2026, 3, 2), reason="Sin respuesta."
        )
        demand.refresh_from_db()
        assert demand.status == DemandStatus.ESCALATED
        assert higher.body == directory.hidroven and higher.escalated_from == demand
        assert higher.status == DemandStatus.FILED and higher.filed_on == date(2026, 3, 2)
        assert higher.due_on == date(2026, 3, 30)  # 20 business days at Hidroven
        assert list(higher.cosigners.all()) == [movement]
        received = DemandEvent.objects.get(demand=higher, kind=EventKind.RECEIVED)
        assert received.details["from"] == "hidrolara"

    def test_there_is_nowhere_to_escalate_from_the_top(self, directory: Directory) -> None:
        demand = file_demand(directory, body=directory.corpoelec, topic="electricity")
        with pytest.raises(DomainError) as err:
            actions.demand_escalate(actor=directory.net.bob, demand=demand)
        assert "to_body" in err.value.fields

    def test_escalation_goes_up_not_sideways(self, directory: Directory) -> None:
        demand = file_demand(directory)
        with pytest.raises(DomainError):
            actions.demand_escalate(
                actor=directory.net.bob, demand=demand, to_body=directory.corpoelec
            )


class TestBadInput:
    def test_an_answer_before_filing_is_refused(self, directory: Directory) -> None:
        draft = actions.demand_create(
            actor=directory.net.bob,
            owner=directory.net.maizal,
            body=directory.hidrolara,
            topic="water",
            title="Borrador",
            text="Texto",
            file=False,
        )
        with pytest.raises(DomainError) as err:
            actions.demand_answer(actor=directory.net.bob, demand=draft, text="Respuesta")
        assert err.value.code == "not_filed"
        assert "presentarse" in err.value.message  # Spanish first: the message is translated

    def test_an_answer_dated_before_the_filing_is_refused(self, directory: Directory) -> None:
        demand = file_demand(directory, on=date(2026, 3, 2))
        with pytest.raises(DomainError) as err:
            actions.demand_answer(
                actor=directory.net.bob, demand=demand, text="Respuesta", on=date(2026, 3, 1)
            )
        assert "on" in err.value.fields

    def test_a_filing_date_in_the_future_is_refused(self, directory: Directory) -> None:
        with pytest.raises(DomainError) as err:
            file_demand(directory, on=timezone.localdate() + timedelta(days=1))
        assert "filed_on" in err.value.fields
        assert not Demand.objects.exists()  # nothing half-written

    def test_an_empty_text_and_an_unknown_topic_are_refused(self, directory: Directory) -> None:
        with pytest.raises(DomainError) as err:
            actions.demand_create(
                actor=directory.net.bob,
                owner=directory.net.maizal,
                body=directory.hidrolara,
                topic="weather",
                title="T",
                text="x",
            )
        assert "topic" in err.value.fields
        with pytest.raises(DomainError) as err:
            actions.demand_create(
                actor=directory.net.bob,
                owner=directory.net.maizal,
                body=directory.hidrolara,
                topic="water",
                title="T",
                text="  ",
            )
        assert "text" in err.value.fields

    def test_a_member_cannot_file_for_the_commune(self, directory: Directory) -> None:
        with pytest.raises(PermissionDeniedError):
            file_demand(directory, actor=directory.net.carol)

    def test_oversight_reads_but_does_not_act(self, directory: Directory) -> None:
        demand = file_demand(directory)
        with pytest.raises(PermissionDeniedError):
            actions.demand_withdraw(actor=directory.net.dora, demand=demand, reason="No")

    def test_an_attachment_must_be_a_small_pdf_or_image(
        self, directory: Directory, media: object
    ) -> None:
        demand = file_demand(directory)
        text = SimpleUploadedFile(
            "carta.pdf", b"MZ not a pdf at all", content_type="application/pdf"
        )
        with pytest.raises(DomainError) as err:
            actions.demand_attach(actor=directory.net.bob, demand=demand, upload=text)
        assert "file" in err.value.fields
        big = SimpleUploadedFile("carta.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024))
        with pytest.raises(DomainError):
            actions.demand_attach(actor=directory.net.bob, demand=demand, upload=big)
        pdf = SimpleUploadedFile("Carta a Hidrolara.pdf", b"%PDF-1.4\n%%EOF\n")
        attachment = actions.demand_attach(actor=directory.net.bob, demand=demand, upload=pdf)
        assert attachment.content_type == "application/pdf"
        assert attachment.name == "Carta_a_Hidrolara.pdf"


class TestCosigning:
    def test_another_commune_cosigns_through_its_coordinator(self, directory: Directory) -> None:
        demand = file_demand(directory)
        actions.demand_cosign(
            actor=directory.net.ernesto, demand=demand, organisation=directory.net.zamora
        )
        assert [o.pk for o in demand.cosigners.all()] == [directory.net.zamora.pk]

    def test_nobody_signs_for_an_organisation_they_do_not_speak_for(
        self, directory: Directory
    ) -> None:
        demand = file_demand(directory)
        with pytest.raises(PermissionDeniedError):
            actions.demand_cosign(
                actor=directory.net.bob, demand=demand, organisation=directory.net.zamora
            )
        with pytest.raises(PermissionDeniedError):
            actions.demand_cosign(
                actor=directory.net.oscar, demand=demand, organisation=directory.net.zamora
            )

    def test_an_organisation_signs_once(self, directory: Directory) -> None:
        demand = file_demand(directory)
        actions.demand_cosign(
            actor=directory.net.ernesto, demand=demand, organisation=directory.net.zamora
        )
        with pytest.raises(DomainError):
            actions.demand_cosign(
                actor=directory.net.ernesto, demand=demand, organisation=directory.net.zamora
            )
        assert DemandCosigner.objects.count() == 1

    def test_the_filer_adds_a_movement_outside_the_registry(self, directory: Directory) -> None:
        demand = file_demand(directory)
        movement = actions.movement_ensure(actor=directory.net.bob, name="Frente Campesino")
        assert movement.kind == OrganisationKind.MOVEMENT
        again = actions.movement_ensure(actor=directory.net.alice, name="frente campesino")
        assert again == movement
        actions.demand_cosign(actor=directory.net.alice, demand=demand, organisation=movement)
        # But another commune may not put its name under somebody else's demand.
        other = file_demand(directory, owner=directory.net.zamora, actor=directory.net.ernesto)
        with pytest.raises(PermissionDeniedError):
            actions.demand_cosign(actor=directory.net.bob, demand=other, organisation=movement)

    def test_the_filer_is_not_a_cosigner_and_bodies_do_not_sign(self, directory: Directory) -> None:
        demand = file_demand(directory)
        with pytest.raises(DomainError):
            actions.demand_cosign(
                actor=directory.net.bob, demand=demand, organisation=directory.net.maizal
            )
        with pytest.raises((DomainError, PermissionDeniedError)):
            actions.demand_cosign(
                actor=directory.net.nora, demand=demand, organisation=directory.hidroven
            )

    def test_cosigners_see_a_private_demand(self, directory: Directory) -> None:
        demand = file_demand(directory, visibility="unit")
        movement_org = Organisation.objects.get(pk=directory.net.zamora.pk)
        assert not queries.demand_visible_to(directory.net.ernesto, demand)
        demand.visibility = "public"
        demand.save()
        actions.demand_cosign(actor=directory.net.ernesto, demand=demand, organisation=movement_org)
        demand.visibility = "unit"
        demand.save()
        assert queries.demand_visible_to(directory.net.ernesto, demand)


class TestStatistics:
    def test_counters_follow_the_actions_and_agree_with_a_rebuild(
        self, directory: Directory
    ) -> None:
        bob = directory.net.bob
        on_time = file_demand(directory, on=date(2026, 3, 2))
        actions.demand_answer(actor=bob, demand=on_time, text="Listo", on=date(2026, 3, 5))
        late = file_demand(directory, on=date(2026, 1, 5))
        actions.demand_answer(actor=bob, demand=late, text="Tarde", on=date(2026, 3, 5))
        actions.demand_resolve(actor=bob, demand=late, on=date(2026, 3, 6))
        escalated = file_demand(directory, on=date(2026, 1, 5))
        actions.demand_escalate(actor=bob, demand=escalated, on=date(2026, 3, 2))
        withdrawn_early = file_demand(directory, on=date(2026, 3, 2))
        actions.demand_withdraw(actor=bob, demand=withdrawn_early, reason="x", on=date(2026, 3, 3))
        file_demand(directory, on=date(2026, 1, 5))  # open and overdue

        row = BodyStats.objects.get(body=directory.hidrolara)
        assert (row.received, row.pending, row.answered, row.answered_late) == (5, 1, 2, 1)
        assert (row.closed_late, row.escalated, row.withdrawn, row.resolved) == (1, 1, 1, 1)
        assert row.median_days == ((date(2026, 3, 5) - date(2026, 1, 5)).days + 3) / 2

        figures = queries.body_figures(directory.hidrolara, date(2026, 6, 1))
        assert figures.overdue == 1 and figures.very_overdue == 1
        assert figures.settled == 4  # two answered, one escalated late, one open overdue
        assert figures.late == 3
        assert not figures.ranked

        expected = counters.expected()
        for body_id, values in expected.items():
            stored = BodyStats.objects.filter(body_id=body_id).values(*values).get()
            assert stored == values
        months = {
            (m.body_id, m.month): (m.received, m.answered, m.answered_late)
            for m in BodyMonth.objects.all()
        }
        counters.rebuild()
        rebuilt = {
            (m.body_id, m.month): (m.received, m.answered, m.answered_late)
            for m in BodyMonth.objects.all()
        }
        assert {k: v for k, v in months.items() if v != (0, 0, 0)} == rebuilt
        assert BodyStats.objects.get(body=directory.hidrolara).median_days == row.median_days

    def test_the_stuck_report_ranks_only_bodies_with_enough_demands(
        self, directory: Directory
    ) -> None:
        bob = directory.net.bob
        for _n in range(10):
            file_demand(directory, on=date(2026, 1, 5))
        quick = file_demand(directory, body=directory.corpoelec, on=date(2026, 3, 2))
        actions.demand_answer(actor=bob, demand=quick, text="Listo", on=date(2026, 3, 3))
        report = queries.stuck_report(date(2026, 6, 1))
        assert [r.slug for r in report.ranked] == ["hidrolara"]
        assert report.unranked == 1
        assert report.totals.overdue == 10 and report.never_acknowledged == 10
        assert report.by_topic[0].topic == "water"
        low, high = report.ranked[0].figures.interval
        assert 0.69 < low < 0.73 and high == pytest.approx(1.0)


def test_a_commitment_is_closed_once_even_from_a_stale_copy(directory: Directory) -> None:
    from comuna.dialogue.models import Commitment, CommitmentStatus

    bob = directory.net.bob
    table = actions.table_create(
        actor=bob,
        owner=directory.net.maizal,
        title="Mesa del agua",
        held_at=datetime(2026, 1, 10, 9, 0, tzinfo=ZoneInfo("America/Caracas")),
    )
    commitment = actions.commitment_add(
        actor=bob,
        table=table,
        responsible=directory.hidrolara,
        what="Bomba",
        due_on=date(2026, 2, 1),
    )
    stale = Commitment.objects.get(pk=commitment.pk)
    done = actions.commitment_fulfil(actor=bob, commitment=commitment, on=date(2026, 1, 20))
    assert done.status == CommitmentStatus.DONE
    with pytest.raises(DomainError):
        actions.commitment_break(actor=bob, commitment=stale, note="Nunca llegó")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DONE
    verbs = list(
        AuditEvent.objects.filter(verb__startswith="commitment.").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["commitment.add", "commitment.fulfil"]
