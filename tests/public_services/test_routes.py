"""Route planning: vehicles, plans, stops, distance matrices, solving in a task."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from comuna.core.errors import DomainError
from comuna.core.models import AuditEvent
from comuna.public_services import actions_operations as ops
from comuna.public_services.models_operations import (
    CapacityUnit,
    PlannedRoute,
    PlanPurpose,
    PlanStatus,
    RoutePlan,
    RouteVisit,
    VehicleKind,
)
from tests.public_services.test_operations_cast import (  # noqa: F401 - fixtures
    Ops,
    _fresh_geography_caches,
    network,
    ops_cast,
)

pytestmark = pytest.mark.django_db


def solve(plan: RoutePlan, actor: Any, capture: Any) -> RoutePlan:
    with capture(execute=True):
        ops.route_plan_solve_request(actor=actor, plan=plan)
    plan.refresh_from_db()
    return plan


def test_a_vehicle_needs_a_positive_capacity_and_a_shift(ops_cast: Ops) -> None:
    def make(**changes: Any) -> None:
        values: dict[str, Any] = {
            "actor": ops_cast.net.bob,
            "owner": ops_cast.net.maizal,
            "name": "Cisterna",
            "kind": VehicleKind.TANKER,
            "capacity": "8000",
            "capacity_unit": CapacityUnit.LITRE,
            "shift_start": time(7),
            "shift_end": time(15),
        }
        values.update(changes)
        ops.vehicle_create(**values)

    for changes, field in [
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-3"}, "capacity"),
        ({"capacity": "mucho"}, "capacity"),
        ({"shift_end": time(6)}, "shift_end"),
        ({"kind": "bicycle"}, "kind"),
        ({"name": "Camión 1"}, "name"),
    ]:
        with pytest.raises(DomainError) as err:
            make(**changes)
        assert field in err.value.fields
    make()


def test_the_outsider_may_not_create_vehicles_or_plans(ops_cast: Ops) -> None:
    with pytest.raises(PermissionDenied):
        ops.vehicle_create(
            actor=ops_cast.net.oscar,
            owner=ops_cast.net.maizal,
            name="Robado",
            kind=VehicleKind.TANKER,
            capacity=1,
            capacity_unit=CapacityUnit.LITRE,
            shift_start=time(7),
            shift_end=time(8),
        )
    with pytest.raises(PermissionDenied):
        ops.route_plan_solve_request(actor=ops_cast.net.carol, plan=ops_cast.plan)


def test_a_plan_takes_only_its_commune_vehicles(ops_cast: Ops) -> None:
    other = ops.vehicle_create(
        actor=ops_cast.net.ernesto,
        owner=ops_cast.net.zamora,
        name="Camión de Zamora",
        kind=VehicleKind.RUBBISH_TRUCK,
        capacity=5,
        capacity_unit=CapacityUnit.CUBIC_METRE,
        shift_start=time(6),
        shift_end=time(12),
    )
    with pytest.raises(DomainError) as err:
        ops.route_plan_create(
            actor=ops_cast.net.bob,
            owner=ops_cast.net.maizal,
            name="Mezcla",
            purpose=PlanPurpose.COLLECTION,
            day=ops_cast.today,
            depot_name="Galpón",
            depot_lat=9.78,
            depot_lon=-69.16,
            vehicles=[other],
        )
    assert "vehicles" in err.value.fields


def test_a_depot_outside_venezuela_is_refused(ops_cast: Ops) -> None:
    with pytest.raises(DomainError) as err:
        ops.route_plan_create(
            actor=ops_cast.net.bob,
            owner=ops_cast.net.maizal,
            name="Lejos",
            purpose=PlanPurpose.COLLECTION,
            day=ops_cast.today,
            depot_name="Madrid",
            depot_lat=40.4,
            depot_lon=-3.7,
            vehicles=[ops_cast.truck],
        )
    assert "depot_latitude" in err.value.fields


def test_solving_stores_routes_that_serve_every_stop_once(
    ops_cast: Ops, django_capture_on_commit_callbacks: Any
) -> None:
    plan = solve(ops_cast.plan, ops_cast.net.bob, django_capture_on_commit_callbacks)
    assert plan.status == PlanStatus.SOLVED
    assert plan.feasible is True
    visits = RouteVisit.objects.filter(route__plan=plan)
    assert sorted(visits.values_list("stop__position", flat=True)) == [1, 2, 3, 4, 5]
    for route in PlannedRoute.objects.filter(plan=plan).select_related("vehicle"):
        capacity = ops.to_litres(route.vehicle.capacity, route.vehicle.capacity_unit)
        assert ops.to_litres(route.load, plan.unit) <= capacity
        assert route.start_s >= 6 * 3600 and route.end_s <= 14 * 3600
        assert route.distance_km > 0
    assert plan.distance_km == sum(r.distance_km for r in plan.routes.all())
    assert plan.progress["iterations"] > 0
    assert plan.progress_version >= 3  # queued, solving, (progress...), solved
    assert AuditEvent.objects.filter(verb="route_plan.solved", subject_id=str(plan.pk)).exists()


def test_the_total_load_is_the_sum_of_the_stops_in_the_plan_unit(
    ops_cast: Ops, django_capture_on_commit_callbacks: Any
) -> None:
    plan = solve(ops_cast.plan, ops_cast.net.bob, django_capture_on_commit_callbacks)
    assert sum(r.load for r in plan.routes.all()) == Decimal("8.2")


def test_a_stop_larger_than_every_vehicle_is_refused_before_solving(ops_cast: Ops) -> None:
    ops.route_stops_add(
        actor=ops_cast.net.bob,
        plan=ops_cast.plan,
        stops=[ops.StopInput(name="Vertedero", latitude=9.78, longitude=-69.15, quantity="50")],
    )
    with pytest.raises(DomainError) as err:
        ops.route_plan_solve_request(actor=ops_cast.net.bob, plan=ops_cast.plan)
    assert err.value.code == "over_capacity"
    assert RoutePlan.objects.get(pk=ops_cast.plan.pk).status == PlanStatus.DRAFT


def test_time_windows_are_kept_in_the_routes(
    ops_cast: Ops, django_capture_on_commit_callbacks: Any
) -> None:
    ops.route_stops_add(
        actor=ops_cast.net.bob,
        plan=ops_cast.plan,
        stops=[
            ops.StopInput(
                name="Entrega tardía",
                latitude=9.79,
                longitude=-69.16,
                quantity="0.5",
                window_start=time(11),
                window_end=time(12),
            )
        ],
    )
    plan = solve(ops_cast.plan, ops_cast.net.bob, django_capture_on_commit_callbacks)
    visit = RouteVisit.objects.get(route__plan=plan, stop__name="Entrega tardía")
    assert 11 * 3600 <= visit.start_s <= 12 * 3600
    assert visit.arrival_s <= visit.start_s <= visit.departure_s


def test_adding_a_stop_drops_the_routes_found_before(
    ops_cast: Ops, django_capture_on_commit_callbacks: Any
) -> None:
    plan = solve(ops_cast.plan, ops_cast.net.bob, django_capture_on_commit_callbacks)
    assert plan.routes.exists()
    ops.route_stops_add(
        actor=ops_cast.net.bob,
        plan=plan,
        stops=[ops.StopInput(name="Nueva", latitude=9.77, longitude=-69.16, quantity=1)],
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
    assert not plan.routes.exists()


def test_removing_a_stop_renumbers_the_later_ones(ops_cast: Ops) -> None:
    second = ops_cast.plan.stops.get(position=2)
    ops.route_stop_remove(actor=ops_cast.net.bob, stop=second)
    assert list(ops_cast.plan.stops.order_by("position").values_list("position", "name")) == [
        (1, "Plaza Bolívar de Sarare"),
        (2, "Escuela Las Delicias"),
        (3, "Ambulatorio"),
        (4, "Cancha El Cedral"),
    ]


def test_a_plan_that_is_being_solved_cannot_be_changed(ops_cast: Ops) -> None:
    RoutePlan.objects.filter(pk=ops_cast.plan.pk).update(status=PlanStatus.SOLVING)
    with pytest.raises(DomainError) as err:
        ops.route_stops_add(
            actor=ops_cast.net.bob,
            plan=ops_cast.plan,
            stops=[ops.StopInput(name="X", latitude=9.77, longitude=-69.16, quantity=1)],
        )
    assert err.value.code == "plan_solving"


def test_solving_twice_does_nothing_the_second_time(
    ops_cast: Ops, django_capture_on_commit_callbacks: Any
) -> None:
    plan = solve(ops_cast.plan, ops_cast.net.bob, django_capture_on_commit_callbacks)
    assert ops.route_plan_solve(plan_id=plan.pk) is None  # no longer queued


MATRIX = """,depot,a,b,c,d,e
depot,0,1,2,3,4,5
a,1,0,1,2,3,4
b,2,1,0,1,2,3
c,3,2,1,0,1,2
d,4,3,2,1,0,1
e,5,4,3,2,1,0
"""


def test_an_uploaded_distance_matrix_is_used_for_the_distances(
    ops_cast: Ops, django_capture_on_commit_callbacks: Any
) -> None:
    plan = ops.route_matrix_set(
        actor=ops_cast.net.bob, plan=ops_cast.plan, content=MATRIX.encode(), filename="m.csv"
    )
    assert plan.distance_matrix[0] == [0, 1, 2, 3, 4, 5]
    plan = solve(plan, ops_cast.net.bob, django_capture_on_commit_callbacks)
    # Every route goes out and comes back along the line: twice its farthest stop.
    for route in plan.routes.all():
        farthest = max(v.stop.position for v in route.visits.select_related("stop"))
        assert route.distance_km == Decimal(2 * farthest)


def test_a_semicolon_matrix_with_decimal_commas_and_no_labels_is_read(ops_cast: Ops) -> None:
    rows = [
        ";".join(f"{abs(i - j) * 1.5:.1f}".replace(".", ",") for j in range(6)) for i in range(6)
    ]
    matrix, errors = ops.parse_matrix("\n".join(rows), 6)
    assert errors == []
    assert matrix is not None and matrix[0][2] == 3.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,1\n1,0\n", "3"),  # two rows for a plan of six
        (MATRIX.replace("depot,0,1,2,3,4,5", "depot,0,1,x,3,4,5"), "x"),
        (MATRIX.replace("a,1,0,1,2,3,4", "a,1,0,1,2,3"), "5"),
        (MATRIX.replace("b,2,1,0,1,2,3", "b,2,1,0,-1,2,3"), "-"),
        ("", ""),
    ],
)
def test_a_bad_matrix_is_refused_with_a_row_report_and_nothing_changes(
    ops_cast: Ops, text: str, expected: str
) -> None:
    with pytest.raises(DomainError) as err:
        ops.route_matrix_set(actor=ops_cast.net.bob, plan=ops_cast.plan, content=text.encode())
    assert err.value.code in {"matrix_invalid", "invalid"}
    assert err.value.fields["matrix"]
    assert RoutePlan.objects.get(pk=ops_cast.plan.pk).distance_matrix is None


def test_a_matrix_that_is_not_utf8_is_refused(ops_cast: Ops) -> None:
    with pytest.raises(DomainError) as err:
        ops.route_matrix_set(actor=ops_cast.net.bob, plan=ops_cast.plan, content=b"\xff\xfe\x00a")
    assert "matrix" in err.value.fields


def test_the_row_report_is_cut_after_twenty_errors() -> None:
    text = "\n".join(",".join(["x"] * 30) for _ in range(30))
    matrix, errors = ops.parse_matrix(text, 30)
    assert matrix is None
    assert len(errors) == 21


def test_adding_stops_drops_an_uploaded_matrix(ops_cast: Ops) -> None:
    ops.route_matrix_set(actor=ops_cast.net.bob, plan=ops_cast.plan, content=MATRIX.encode())
    ops.route_stops_add(
        actor=ops_cast.net.bob,
        plan=ops_cast.plan,
        stops=[ops.StopInput(name="Otra", latitude=9.77, longitude=-69.16, quantity=1)],
    )
    assert RoutePlan.objects.get(pk=ops_cast.plan.pk).distance_matrix is None


def test_collection_points_of_the_commune_become_stops(ops_cast: Ops) -> None:
    from comuna.public_services import actions as ps_actions

    for n in range(3):
        ps_actions.asset_create(
            actor=ops_cast.net.bob,
            owner=ops_cast.net.maizal,
            kind="collection_point",
            name=f"Contenedor {n}",
            geometry={"type": "Point", "coordinates": [-69.16 + n / 100, 9.78]},
        )
    added = ops.route_stops_from_collection_points(
        actor=ops_cast.net.bob, plan=ops_cast.plan, quantity="1.1"
    )
    assert len(added) == 3
    assert all(s.asset_id is not None for s in added)
    with pytest.raises(DomainError):  # all of them are stops already
        ops.route_stops_from_collection_points(
            actor=ops_cast.net.bob, plan=ops_cast.plan, quantity="1.1"
        )


def test_clock_shows_hours_and_minutes() -> None:
    assert ops.clock(6 * 3600 + 5 * 60) == "06:05"
    assert ops.clock(25 * 3600) == "01:00 (+1d)"


def test_a_plan_left_solving_by_a_stopped_worker_can_be_solved_again(
    ops_cast: Ops, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    long_ago = timezone.now() - timedelta(hours=1)
    RoutePlan.objects.filter(pk=ops_cast.plan.pk).update(
        status=PlanStatus.SOLVING, updated_at=long_ago
    )
    plan = solve(ops_cast.plan, ops_cast.net.bob, django_capture_on_commit_callbacks)
    assert plan.status == PlanStatus.SOLVED
