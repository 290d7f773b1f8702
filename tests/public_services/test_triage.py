"""Triage and crews through the actions: verify, assign (a work order), start, materials,
resolve, reject, duplicate, move, reopen; the reporter's e-mails on commit; the
questionnaire that reopens; who may do it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from comuna.core.errors import DomainError
from comuna.core.models import AuditEvent
from comuna.public_services import actions, queries
from comuna.public_services.models import (
    MaterialUse,
    RequestUpdate,
    ServiceRequest,
    ServiceType,
    WorkOrder,
)
from tests.public_services.conftest import Services


def test_a_report_follows_the_steps_to_closure(
    services: Services, django_capture_on_commit_callbacks: Any
) -> None:
    bob = services.net.bob
    with django_capture_on_commit_callbacks(execute=True):
        item = services.report()
        actions.request_verify(actor=bob, request=item)
        order = actions.request_assign(
            actor=bob, request=item, crew=services.crew, instructions="Llevar tubo"
        )
        actions.work_order_start(actor=bob, order=order, note="La cuadrilla va en camino.")
        actions.material_record(
            actor=bob, order=order, material="Tubo PVC", quantity="2,5", unit="m"
        )
        actions.work_order_note(actor=bob, order=order, text="Se cambió la unión.")
        actions.request_resolve(actor=bob, request=item, note="Tubería reparada.")
    item.refresh_from_db()
    order.refresh_from_db()
    assert (item.status, item.step) == ("closed", "resolved")
    assert item.closed_at is not None and item.status_notes == "Tubería reparada."
    assert order.status == "done" and order.finished_at is not None
    assert MaterialUse.objects.get().quantity == Decimal("2.500")
    kinds = list(RequestUpdate.objects.filter(request=item).values_list("kind", flat=True))
    assert kinds == ["received", "verified", "assigned", "in_progress", "resolved"]
    # The reporter left an e-mail: one message per public update, with the tracking link.
    assert len(mail.outbox) == 5
    assert mail.outbox[-1].to == ["vecina@example.org"]
    assert f"/servicios/seguimiento/{item.token}/" in mail.outbox[-1].body
    assert AuditEvent.objects.filter(verb="request.resolve", subject_id=str(item.pk)).exists()


def test_no_e_mail_without_a_contact_address(
    services: Services, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        item = services.report(contact_email="")
        actions.request_verify(actor=services.net.bob, request=item)
    assert mail.outbox == []


def test_the_questionnaire_no_reopens_the_report(services: Services) -> None:
    bob = services.net.bob
    item = services.report()
    actions.request_assign(actor=bob, request=item, crew=services.crew)
    actions.request_resolve(actor=bob, request=item)
    actions.questionnaire_answer(token=item.token, fixed=False, comment="Sigue saliendo agua.")
    item.refresh_from_db()
    assert (item.status, item.step) == ("open", "assigned")
    assert WorkOrder.objects.filter(request=item, status="planned").count() == 1
    assert RequestUpdate.objects.filter(request=item).last().text == "Sigue saliendo agua."  # type: ignore[union-attr]


def test_the_questionnaire_yes_keeps_it_closed(services: Services) -> None:
    item = services.report()
    actions.request_resolve(actor=services.net.bob, request=item)
    actions.questionnaire_answer(token=item.token, fixed=True)
    item.refresh_from_db()
    assert item.status == "closed"
    assert RequestUpdate.objects.filter(request=item, kind="confirmed").exists()


def test_the_questionnaire_waits_for_the_closing(services: Services) -> None:
    item = services.report()
    with pytest.raises(DomainError):
        actions.questionnaire_answer(token=item.token, fixed=False)
    with pytest.raises(DomainError):
        actions.questionnaire_answer(token="no-such-token", fixed=True)


def test_a_rejected_report_is_not_reopened_by_the_questionnaire(services: Services) -> None:
    item = services.report()
    actions.request_reject(actor=services.net.bob, request=item, reason="Es de Hidrolara.")
    actions.questionnaire_answer(token=item.token, fixed=False)
    item.refresh_from_db()
    assert item.step == "rejected"


def test_rejecting_needs_a_reason(services: Services) -> None:
    item = services.report()
    with pytest.raises(DomainError) as err:
        actions.request_reject(actor=services.net.bob, request=item, reason="  ")
    assert "reason" in err.value.fields


def test_marking_a_duplicate_points_at_the_original(services: Services) -> None:
    original = services.report()
    copy = services.report(description="La misma fuga, otra vecina.")
    actions.request_mark_duplicate(actor=services.net.bob, request=copy, original=original)
    copy.refresh_from_db()
    assert (copy.step, copy.status, copy.duplicate_of_id) == ("duplicate", "closed", original.pk)
    with pytest.raises(DomainError):
        actions.request_mark_duplicate(actor=services.net.bob, request=original, original=original)


def test_a_closed_report_cannot_be_triaged_again_but_can_be_reopened(services: Services) -> None:
    bob = services.net.bob
    item = services.report()
    actions.request_resolve(actor=bob, request=item)
    with pytest.raises(DomainError):
        actions.request_resolve(actor=bob, request=item)
    with pytest.raises(DomainError):
        actions.request_assign(actor=bob, request=item, crew=services.crew)
    actions.request_reopen(actor=bob, request=item, reason="Volvió a salir agua.")
    item.refresh_from_db()
    assert item.status == "open" and item.step == "verified"


def test_only_a_crew_of_the_responsible_commune_can_be_assigned(services: Services) -> None:
    other = actions.crew_create(
        actor=services.net.ernesto,
        owner=services.net.zamora,
        name="Cuadrilla Zamora",
        group="water",
    )
    item = services.report()
    with pytest.raises(DomainError):
        actions.request_assign(actor=services.net.bob, request=item, crew=other)


@pytest.mark.parametrize("who", ["oscar", "carol", "dora", "ernesto"])
def test_only_coordinators_and_spokespeople_of_the_commune_triage(
    services: Services, who: str
) -> None:
    item = services.report()
    with pytest.raises(PermissionDenied):
        actions.request_verify(actor=getattr(services.net, who), request=item)
    item.refresh_from_db()
    assert item.step == "received"


def test_the_spokesperson_and_the_network_coordinator_triage(services: Services) -> None:
    item = services.report()
    actions.request_verify(actor=services.net.alice, request=item)
    actions.request_note(actor=services.net.nora, request=item, text="Revisado por la red.")
    assert RequestUpdate.objects.filter(request=item).count() == 3


def test_the_parish_queue_is_sorted_by_the_network_coordinators(services: Services) -> None:
    item = services.report(lat=10.1, lon=-69.9, description="Fuga lejos de toda comuna")
    with pytest.raises(PermissionDenied):
        actions.request_verify(actor=services.net.bob, request=item)
    actions.request_move(actor=services.net.nora, request=item, commune=services.net.maizal)
    item.refresh_from_db()
    assert item.commune_id == services.net.maizal.pk and item.routing == "chosen"
    actions.request_verify(actor=services.net.bob, request=item)


def test_the_contact_is_for_coordinators_and_oversight(services: Services) -> None:
    item = services.report()
    net = services.net
    assert actions.can_see_contact(net.bob, item) and actions.can_see_contact(net.dora, item)
    assert not actions.can_see_contact(net.carol, item)
    assert not actions.can_see_contact(net.oscar, item)
    assert not actions.can_see_contact(None, item)


def test_materials_need_a_positive_quantity(services: Services) -> None:
    item = services.report()
    order = actions.request_assign(actor=services.net.bob, request=item, crew=services.crew)
    for quantity in ("0", "-1", "abc", "NaN"):
        with pytest.raises(DomainError):
            actions.material_record(
                actor=services.net.bob, order=order, material="Tubo", quantity=quantity, unit="m"
            )


def test_the_database_keeps_the_status_in_step_with_the_step(services: Services) -> None:
    item = services.report()
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRequest.objects.filter(pk=item.pk).update(step="resolved")


def test_one_open_work_order_per_report(services: Services) -> None:
    item = services.report()
    actions.request_assign(actor=services.net.bob, request=item, crew=services.crew)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.create(request=item, crew=services.crew)
    # Assigning again hands the job over: the first order is cancelled.
    crew2 = actions.crew_create(
        actor=services.net.bob, owner=services.net.maizal, name="Otra", group="water"
    )
    actions.request_assign(actor=services.net.bob, request=item, crew=crew2)
    assert list(
        WorkOrder.objects.filter(request=item).order_by("pk").values_list("status", flat=True)
    ) == [
        "cancelled",
        "planned",
    ]


def test_the_catalogue_installs_once_and_a_commune_can_change_its_own(services: Services) -> None:
    assert actions.catalogue_install(actor=services.net.nora, owner=None) == []
    maizal = services.net.maizal
    own = actions.service_adopt(actor=services.net.bob, commune=maizal, code="alumbrado")
    actions.service_update(actor=services.net.bob, service=own, active=False, target_hours=24)
    offered = {s.code for s in queries.services_for(maizal.pk)}
    assert "alumbrado" not in offered and "fuga" in offered
    assert "alumbrado" in {s.code for s in queries.services_for(services.net.zamora.pk)}
    adopted = actions.service_adopt(actor=services.net.bob, commune=maizal, code="fuga")
    assert adopted.attributes.count() == 1
    actions.attribute_add(
        actor=services.net.bob,
        service=adopted,
        code="calle",
        description="¿En qué calle?",
        required=True,
    )
    with pytest.raises(DomainError):
        services.report(service=adopted)
    with pytest.raises(PermissionDenied):
        actions.service_adopt(actor=services.net.oscar, commune=maizal, code="basura")
    with pytest.raises(PermissionDenied):
        actions.catalogue_install(actor=services.net.bob, owner=None)
    assert ServiceType.objects.filter(owner=maizal).count() == 2


def test_the_inbox_lists_overdue_first(services: Services) -> None:
    from datetime import timedelta

    from django.utils import timezone

    fresh = services.report()
    late = services.report(description="Fuga vieja")
    ServiceRequest.objects.filter(pk=late.pk).update(expected_at=timezone.now() - timedelta(days=2))
    found = list(queries.inbox(services.net.bob, queries.RequestFilters(status="open")))
    assert [r.pk for r in found] == [late.pk, fresh.pk]
    assert list(queries.inbox(services.net.ernesto, queries.RequestFilters())) == []
