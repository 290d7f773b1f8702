"""Reminders before and after the due date: once each, safe to run twice, e-mailed to the
filing organisation's coordinators and spokespeople."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail

from comuna.core import actions as core_actions
from comuna.core.models import Person
from comuna.dialogue import actions
from comuna.dialogue.models import DemandEvent, DemandReminder
from tests.dialogue.conftest import Directory, file_demand

pytestmark = pytest.mark.django_db


def test_reminders_go_once_before_after_and_long_after(
    directory: Directory, django_capture_on_commit_callbacks: Any
) -> None:
    bob = Person.objects.get(user=directory.net.bob)
    core_actions.person_update(actor=None, person=bob, email="bob@example.org")
    demand = file_demand(directory, on=date(2026, 3, 2))
    due = demand.due_on
    assert due is not None

    def send(today: date) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return actions.reminders_send(today=today).as_dict()

    assert send(due - timedelta(days=2)) == {"before": 1, "overdue": 0, "very_overdue": 0}
    assert send(due - timedelta(days=1))["before"] == 0
    assert send(due + timedelta(days=1))["overdue"] == 1
    assert send(due + timedelta(days=31))["very_overdue"] == 1
    assert send(due + timedelta(days=40)) == {
        "before": 0,
        "overdue": 0,
        "very_overdue": 0,
    }
    assert DemandReminder.objects.count() == 3
    assert DemandEvent.objects.filter(demand=demand, kind="reminder").count() == 3
    assert len(mail.outbox) == 3 and mail.outbox[0].to == ["bob@example.org"]
    assert "Reparación del acueducto de Sarare" in mail.outbox[1].subject


def test_answered_demands_get_no_reminder(directory: Directory) -> None:
    demand = file_demand(directory, on=date(2026, 3, 2))
    actions.demand_answer(actor=directory.net.bob, demand=demand, text="Listo")
    assert actions.reminders_send(today=date(2026, 6, 1)).as_dict()["overdue"] == 0


def test_the_daily_task_is_registered(directory: Directory) -> None:
    from comuna.core.scheduler import PERIODIC
    from comuna.dialogue import tasks

    assert "dialogue.send_reminders" in PERIODIC
    file_demand(directory, on=date(2026, 1, 5))
    result = tasks.send_reminders.call()
    assert result["very_overdue"] == 1
