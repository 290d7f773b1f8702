"""`request_start`, the "start" of the report's page and API: it starts the report's planned
work order, refuses those who do not triage, and names the missing order."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from comuna.core.errors import DomainError
from comuna.public_services import actions
from tests.public_services.conftest import Services


def test_it_starts_the_planned_work_order(services: Services) -> None:
    item = services.report()
    order = actions.request_assign(actor=services.net.bob, request=item, crew=services.crew)
    started = actions.request_start(actor=services.net.bob, request=item, note="Vamos")
    assert started.pk == order.pk and started.status == "in_progress"
    item.refresh_from_db()
    assert item.step == "in_progress"


def test_it_needs_a_planned_work_order(services: Services) -> None:
    item = services.report()
    with pytest.raises(DomainError) as err:
        actions.request_start(actor=services.net.bob, request=item)
    assert err.value.code == "bad_status"


def test_it_refuses_the_outsider_before_looking_for_the_order(services: Services) -> None:
    item = services.report()
    with pytest.raises(PermissionDenied):
        actions.request_start(actor=services.net.oscar, request=item)
