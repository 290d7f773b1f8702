"""API of schedules and routes: reads scoped to the caller, writes with tokens, errors in the
uniform body, idempotent POSTs."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from comuna.core import actions as core_actions
from comuna.public_services.models_operations import (
    PlanStatus,
    RoutePlan,
    Sector,
    SlotReport,
)
from tests.public_services.test_operations_cast import (  # noqa: F401 - fixtures
    Ops,
    _fresh_geography_caches,
    last_weekday,
    network,
    ops_cast,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/public-services"


def token_for(user: Any) -> dict[str, str]:
    _token, raw = core_actions.token_create(actor=user, name="api")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(path: str, body: dict[str, Any], **headers: str) -> Any:
    return Client().post(
        f"{API}{path}", json.dumps(body), content_type="application/json", **headers
    )


def test_sectors_of_a_commune_are_listed_with_their_councils(
    ops_cast: Ops, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        response = Client().get(f"{API}/sectors", {"commune": "el-maizal"})
    data = response.json()
    assert data["count"] == 1
    assert data["items"][0]["councils"] == ["el-cedral", "las-delicias"]
    assert data["items"][0]["calendar"].endswith("/calendario.ics")


def test_a_sector_detail_has_its_schedules_and_slots(ops_cast: Ops) -> None:
    data = Client().get(f"{API}/sectors/{ops_cast.sector.pk}").json()
    [schedule] = data["schedules"]
    assert schedule["service"] == "water"
    assert [s["weekday"] for s in schedule["slots"]] == [0, 3]
    assert schedule["slots"][0]["start"] == "06:00:00"


def test_the_next_occurrences_come_in_time_order(ops_cast: Ops) -> None:
    data = Client().get(f"{API}/sectors/{ops_cast.sector.pk}/occurrences", {"days": 14}).json()
    assert len(data) >= 4
    assert [row["starts_at"] for row in data] == sorted(row["starts_at"] for row in data)
    assert data[0]["starts_at"].endswith("-04:00")  # America/Caracas
    bad = Client().get(f"{API}/sectors/{ops_cast.sector.pk}/occurrences", {"days": 400})
    assert bad.status_code == 422
    assert set(bad.json()) == {"detail", "code", "fields"}


def test_locate_finds_the_sector_by_council_or_by_the_nearest_council(ops_cast: Ops) -> None:
    by_council = Client().get(
        f"{API}/sectors/locate", {"commune": "el-maizal", "council": "el-cedral"}
    )
    assert [s["name"] for s in by_council.json()] == ["Sector Norte"]
    near = Client().get(
        f"{API}/sectors/locate", {"commune": "el-maizal", "lat": 9.771, "lon": -69.169}
    )
    assert [s["name"] for s in near.json()] == ["Sector Norte"]
    neither = Client().get(f"{API}/sectors/locate", {"commune": "el-maizal"})
    assert neither.status_code == 422
    assert "council" in neither.json()["fields"]


def test_a_spokesperson_reports_with_a_token_and_the_retry_creates_nothing(ops_cast: Ops) -> None:
    monday = last_weekday(0, ops_cast.today)
    body = {"day": monday.isoformat(), "start": "06:00", "outcome": "partial", "note": "Poca"}
    auth = token_for(ops_cast.vera)
    first = post(f"/schedules/{ops_cast.water.pk}/reports", body, HTTP_IDEMPOTENCY_KEY="k1", **auth)
    assert first.status_code == 201, first.content
    again = post(f"/schedules/{ops_cast.water.pk}/reports", body, HTTP_IDEMPOTENCY_KEY="k1", **auth)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert SlotReport.objects.count() == 1


def test_reports_need_a_token_and_refuse_the_outsider(ops_cast: Ops) -> None:
    monday = last_weekday(0, ops_cast.today)
    body = {"day": monday.isoformat(), "start": "06:00", "outcome": "kept"}
    assert post(f"/schedules/{ops_cast.water.pk}/reports", body).status_code == 401
    refused = post(f"/schedules/{ops_cast.water.pk}/reports", body, **token_for(ops_cast.net.oscar))
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


def test_a_report_of_a_future_day_is_422_naming_the_field(ops_cast: Ops) -> None:
    body = {
        "day": (ops_cast.today + timedelta(days=9)).isoformat(),
        "start": "06:00",
        "outcome": "kept",
    }
    response = post(f"/schedules/{ops_cast.water.pk}/reports", body, **token_for(ops_cast.net.bob))
    assert response.status_code == 422
    assert "day" in response.json()["fields"]
    junk = post(
        f"/schedules/{ops_cast.water.pk}/reports", {"day": "ayer"}, **token_for(ops_cast.net.bob)
    )
    assert junk.status_code == 422
    assert junk.json()["code"] == "validation_error"


def test_sectors_and_schedules_are_created_through_the_api(ops_cast: Ops) -> None:
    auth = token_for(ops_cast.net.bob)
    created = post(
        "/sectors",
        {"commune": "el-maizal", "name": "Sector Sur", "councils": ["el-cedral"]},
        **auth,
    )
    assert created.status_code == 201, created.content
    sector_id = created.json()["id"]
    schedule = post(
        f"/sectors/{sector_id}/schedules",
        {
            "service": "waste",
            "title": "Camión",
            "slots": [{"weekday": 2, "start": "07:00", "end": "09:00"}],
        },
        **auth,
    )
    assert schedule.status_code == 201, schedule.content
    unknown = post(
        "/sectors", {"commune": "el-maizal", "name": "X", "councils": ["no-existe"]}, **auth
    )
    assert unknown.status_code == 422
    assert (
        post(
            "/sectors",
            {"commune": "el-maizal", "name": "Y", "councils": ["el-cedral"]},
            **token_for(ops_cast.net.oscar),
        ).status_code
        == 403
    )
    assert Sector.objects.filter(name="Y").count() == 0


def test_compliance_is_read_per_commune(ops_cast: Ops) -> None:
    data = Client().get(f"{API}/compliance", {"commune": "el-maizal"}).json()
    assert len(data) == 1
    assert data[0]["sector_name"] == "Sector Norte"
    assert data[0]["planned"] > 0
    assert Client().get(f"{API}/compliance", {"commune": "no-existe"}).status_code == 404


def test_route_plans_are_scoped_to_the_caller(ops_cast: Ops) -> None:
    assert Client().get(f"{API}/route-plans", {"commune": "el-maizal"}).json()["count"] == 0
    mine = Client().get(
        f"{API}/route-plans", {"commune": "el-maizal"}, **token_for(ops_cast.net.carol)
    )
    assert mine.json()["count"] == 1
    assert mine.json()["items"][0]["stops"] == 5
    hidden = Client().get(f"{API}/route-plans/{ops_cast.plan.pk}", **token_for(ops_cast.net.oscar))
    assert hidden.status_code == 404


def test_solving_through_the_api_answers_202_then_the_plan_has_routes(
    ops_cast: Ops, django_capture_on_commit_callbacks: Any
) -> None:
    auth = token_for(ops_cast.net.bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(f"/route-plans/{ops_cast.plan.pk}/solve", {}, **auth)
    assert response.status_code == 202
    assert response.json()["status"] == PlanStatus.QUEUED
    data = Client().get(f"{API}/route-plans/{ops_cast.plan.pk}", **auth).json()
    assert data["status"] == "solved"
    assert sum(len(r["visits"]) for r in data["routes"]) == 5
    assert data["progress"]["version"] >= 3
    refused = post(f"/route-plans/{ops_cast.plan.pk}/solve", {}, **token_for(ops_cast.net.carol))
    assert refused.status_code == 403
    assert RoutePlan.objects.get(pk=ops_cast.plan.pk).status == PlanStatus.SOLVED
