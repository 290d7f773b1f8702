"""Schedules: sectors, weekly slots, exceptions, announcements, what happened, compliance."""

# ruff: noqa: F811 - the shared fixtures are imported, then named as test arguments

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from comuna.core.errors import DomainError
from comuna.core.models import AuditEvent
from comuna.public_services import actions_operations as ops
from comuna.public_services import queries_operations as queries
from comuna.public_services.models_operations import (
    Announcement,
    Outcome,
    Schedule,
    ScheduleException,
    ScheduleSlot,
    ServiceKind,
    SlotReport,
)
from comuna.registry.models import CommunalCouncil
from tests.public_services.test_operations_cast import (  # noqa: F401 - fixtures
    Ops,
    _fresh_geography_caches,
    last_weekday,
    network,
    ops_cast,
)

pytestmark = pytest.mark.django_db


def test_expand_applies_weekly_slots_and_exceptions(ops_cast: Ops) -> None:
    water = ops_cast.water
    monday = last_weekday(0, ops_cast.today) - timedelta(weeks=1)
    thursday = monday + timedelta(days=3)
    # The action refuses past days: the exceptions are built directly.
    water.exceptions.create(day=thursday, cancelled=True, reason="Bomba dañada")
    water.exceptions.create(
        day=monday + timedelta(days=1), start=time(14), end=time(16), reason="x"
    )
    found = queries.expand(
        water, list(water.slots.all()), water.exceptions.all(), monday, monday + timedelta(days=6)
    )
    assert [(o.day.weekday(), o.start, o.cancelled, o.changed) for o in found] == [
        (0, time(6), False, False),
        (1, time(14), False, True),
        (3, time(6), True, False),
    ]


def test_expand_respects_the_period_of_the_schedule(ops_cast: Ops) -> None:
    water = ops_cast.water
    start = water.valid_from - timedelta(days=14)
    found = queries.expand(water, list(water.slots.all()), [], start, water.valid_from)
    assert all(o.day >= water.valid_from for o in found)


def test_a_sector_needs_councils_or_an_area(ops_cast: Ops) -> None:
    with pytest.raises(DomainError) as err:
        ops.sector_create(actor=ops_cast.net.bob, owner=ops_cast.net.maizal, name="Vacío")
    assert "councils" in err.value.fields


def test_a_sector_takes_only_councils_of_its_commune(ops_cast: Ops) -> None:
    from comuna.registry import actions as registry_actions
    from tests.public_services.test_operations_cast import parish

    other = registry_actions.council_register(
        actor=ops_cast.net.ernesto,
        name="Consejo Comunal Ajeno",
        registry_code="CC-BAR-0009",
        parish=parish("Sarare", "VE-K"),
        scope="rural",
        commune=ops_cast.net.zamora,
    )
    with pytest.raises(DomainError) as err:
        ops.sector_create(
            actor=ops_cast.net.bob, owner=ops_cast.net.maizal, name="Mixto", councils=[other]
        )
    assert "councils" in err.value.fields


def test_a_sector_with_a_drawn_area_is_kept_with_its_bounding_box(ops_cast: Ops) -> None:
    area = {
        "type": "Polygon",
        "coordinates": [
            [[-69.17, 9.77], [-69.15, 9.77], [-69.15, 9.79], [-69.17, 9.79], [-69.17, 9.77]]
        ],
    }
    sector = ops.sector_create(
        actor=ops_cast.net.bob, owner=ops_cast.net.maizal, name="Casco", area=area
    )
    assert sector.area is not None
    assert sector.min_lon == pytest.approx(-69.17)
    with pytest.raises(DomainError) as err:
        ops.sector_create(
            actor=ops_cast.net.bob,
            owner=ops_cast.net.maizal,
            name="Fuera",
            area={"type": "Polygon", "coordinates": [[[0, 50], [1, 50], [1, 51], [0, 50]]]},
        )
    assert "area" in err.value.fields


def test_outsiders_and_members_may_not_create_sectors(ops_cast: Ops) -> None:
    for user in (ops_cast.net.oscar, ops_cast.net.carol, ops_cast.net.ernesto):
        with pytest.raises(PermissionDenied):
            ops.sector_create(
                actor=user, owner=ops_cast.net.maizal, name="Sur", councils=[ops_cast.cedral]
            )


def test_the_spokesperson_publishes_a_schedule_with_an_audit_event(ops_cast: Ops) -> None:
    schedule = ops.schedule_create(
        actor=ops_cast.net.alice,
        sector=ops_cast.sector,
        service=ServiceKind.WASTE,
        title="Recolección",
        slots=[(1, time(7), time(9)), (4, time(7), time(9))],
    )
    assert schedule.slots.count() == 2
    assert AuditEvent.objects.filter(verb="schedule.create", subject_id=str(schedule.pk)).exists()


@pytest.mark.parametrize(
    ("slots", "field"),
    [
        ([], "slots"),
        ([(0, time(12), time(6))], "slots"),
        ([(7, time(6), time(7))], "slots"),
        ([(0, time(6), time(10)), (0, time(9), time(11))], "slots"),
    ],
)
def test_bad_slots_are_refused_naming_the_field(
    ops_cast: Ops, slots: list[tuple[int, time, time]], field: str
) -> None:
    with pytest.raises(DomainError) as err:
        ops.schedule_create(
            actor=ops_cast.net.bob,
            sector=ops_cast.sector,
            service=ServiceKind.WATER,
            title="Malo",
            slots=slots,
        )
    assert field in err.value.fields


def test_the_database_refuses_a_slot_that_ends_before_it_starts(ops_cast: Ops) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ScheduleSlot.objects.create(schedule=ops_cast.water, weekday=2, start=time(10), end=time(9))


def test_an_exception_is_announced_in_the_sector(ops_cast: Ops) -> None:
    day = ops_cast.today + timedelta(days=3)
    ops.schedule_exception_set(
        actor=ops_cast.net.bob,
        schedule=ops_cast.water,
        day=day,
        cancelled=True,
        reason="Mantenimiento del pozo",
    )
    notice = Announcement.objects.get(sector=ops_cast.sector)
    assert day.strftime("%d/%m/%Y") in notice.title
    assert notice.text == "Mantenimiento del pozo"


def test_an_exception_for_a_past_day_is_refused(ops_cast: Ops) -> None:
    with pytest.raises(DomainError) as err:
        ops.schedule_exception_set(
            actor=ops_cast.net.bob,
            schedule=ops_cast.water,
            day=ops_cast.today - timedelta(days=1),
            cancelled=True,
            reason="Tarde",
        )
    assert "day" in err.value.fields


def test_an_exception_with_hours_needs_an_end_after_the_start(ops_cast: Ops) -> None:
    with pytest.raises(DomainError) as err:
        ops.schedule_exception_set(
            actor=ops_cast.net.bob,
            schedule=ops_cast.water,
            day=ops_cast.today + timedelta(days=1),
            cancelled=False,
            start=time(10),
            end=time(9),
            reason="Cambio",
        )
    assert "end" in err.value.fields


def test_replacing_the_hours_keeps_the_past_and_announces_the_change(ops_cast: Ops) -> None:
    from_day = ops_cast.today + timedelta(days=2)
    new = ops.schedule_replace(
        actor=ops_cast.net.bob,
        schedule=ops_cast.water,
        from_day=from_day,
        slots=[(2, time(5), time(9))],
    )
    old = Schedule.objects.get(pk=ops_cast.water.pk)
    assert old.valid_to == from_day - timedelta(days=1)
    assert new.valid_from == from_day
    assert list(new.slots.values_list("weekday", flat=True)) == [2]
    assert Announcement.objects.filter(schedule=new).exists()


def test_a_council_spokesperson_records_that_the_water_came(ops_cast: Ops) -> None:
    monday = last_weekday(0, ops_cast.today)
    report = ops.slot_report(
        actor=ops_cast.vera,
        schedule=ops_cast.water,
        day=monday,
        start=time(6),
        outcome=Outcome.KEPT,
    )
    assert report.end == time(12)
    again = ops.slot_report(
        actor=ops_cast.vera,
        schedule=ops_cast.water,
        day=monday,
        start=time(6),
        outcome=Outcome.NOT_KEPT,
        note="Corrección: no llegó",
    )
    assert again.pk == report.pk
    assert SlotReport.objects.get().outcome == Outcome.NOT_KEPT


def test_members_and_outsiders_may_not_record_what_happened(ops_cast: Ops) -> None:
    monday = last_weekday(0, ops_cast.today)
    for user in (ops_cast.net.carol, ops_cast.net.oscar, ops_cast.net.dora):
        with pytest.raises(PermissionDenied):
            ops.slot_report(
                actor=user,
                schedule=ops_cast.water,
                day=monday,
                start=time(6),
                outcome=Outcome.KEPT,
            )


def test_a_council_spokesperson_of_another_sector_may_not_record(ops_cast: Ops) -> None:
    delicias = CommunalCouncil.objects.get(pk=ops_cast.net.delicias.pk)
    other = ops.sector_create(
        actor=ops_cast.net.bob, owner=ops_cast.net.maizal, name="Sur", councils=[delicias]
    )
    schedule = ops.schedule_create(
        actor=ops_cast.net.bob,
        sector=other,
        service=ServiceKind.WATER,
        title="Sur",
        slots=[(0, time(6), time(12))],
        valid_from=ops_cast.today - timedelta(weeks=2),
    )
    with pytest.raises(PermissionDenied):
        ops.slot_report(
            actor=ops_cast.vera,
            schedule=schedule,
            day=last_weekday(0, ops_cast.today),
            start=time(6),
            outcome=Outcome.KEPT,
        )


@pytest.mark.parametrize("case", ["future", "not_planned", "too_old"])
def test_reports_of_occurrences_that_were_not_due_are_refused(ops_cast: Ops, case: str) -> None:
    today = ops_cast.today
    day, start = {
        "future": (today + timedelta(days=7), time(6)),
        "not_planned": (last_weekday(1, today), time(6)),
        "too_old": (today - timedelta(days=90), time(6)),
    }[case]
    with pytest.raises(DomainError):
        ops.slot_report(
            actor=ops_cast.net.bob,
            schedule=ops_cast.water,
            day=day,
            start=start,
            outcome=Outcome.KEPT,
        )


def test_compliance_counts_planned_kept_and_unreported_occurrences(ops_cast: Ops) -> None:
    today = ops_cast.today
    since = today - timedelta(days=14)
    planned = queries.planned_between(
        Schedule.objects.prefetch_related("slots", "exceptions").get(pk=ops_cast.water.pk),
        since,
        today,
    )
    assert len(planned) in {3, 4, 5}  # two a week, and today's may not have ended yet
    first, second = planned[0], planned[1]
    ops.slot_report(
        actor=ops_cast.net.bob,
        schedule=ops_cast.water,
        day=first.day,
        start=first.start,
        outcome=Outcome.KEPT,
    )
    ops.slot_report(
        actor=ops_cast.net.bob,
        schedule=ops_cast.water,
        day=second.day,
        start=second.start,
        outcome=Outcome.NOT_KEPT,
    )
    [row] = queries.compliance_by_sector(organisation_ids=[ops_cast.net.maizal.pk], since=since)
    assert row.sector_name == "Sector Norte"
    assert row.commune_name == "Comuna El Maizal"
    assert row.service == ServiceKind.WATER
    assert row.planned == len(planned)
    assert (row.kept, row.not_kept, row.partial) == (1, 1, 0)
    assert row.unreported == len(planned) - 2
    assert row.share_kept == pytest.approx(1 / len(planned))


def test_compliance_leaves_out_other_communes_and_private_schedules(ops_cast: Ops) -> None:
    since = ops_cast.today - timedelta(days=14)
    assert (
        queries.compliance_by_sector(organisation_ids=[ops_cast.net.zamora.pk], since=since) == []
    )
    assert len(queries.compliance_by_sector(organisation_ids=None, since=since)) == 1
    Schedule.objects.filter(pk=ops_cast.water.pk).update(visibility="unit")
    assert queries.compliance_by_sector(organisation_ids=None, since=since) == []


def test_compliance_of_the_network_reads_a_fixed_number_of_queries(
    ops_cast: Ops, django_assert_max_num_queries: object
) -> None:
    for n in range(5):
        ops.schedule_create(
            actor=ops_cast.net.bob,
            sector=ops_cast.sector,
            service=ServiceKind.WASTE,
            title=f"Ruta {n}",
            slots=[(n, time(7), time(8))],
            valid_from=ops_cast.today - timedelta(weeks=3),
        )
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        rows = queries.compliance_by_sector(
            organisation_ids=[ops_cast.net.maizal.pk], since=ops_cast.today - timedelta(weeks=8)
        )
    assert {r.service for r in rows} == {ServiceKind.WATER, ServiceKind.WASTE}


def test_a_cancelled_day_is_not_counted_as_planned(ops_cast: Ops) -> None:
    monday = last_weekday(0, ops_cast.today)
    water = ops_cast.water
    since = monday
    before = queries.compliance_by_sector(organisation_ids=None, since=since)[0].planned
    water.exceptions.create(day=monday, cancelled=True, reason="Sin bombeo")
    after = queries.compliance_by_sector(organisation_ids=None, since=since)[0].planned
    assert after == before - 1


def test_weekly_compliance_gives_one_row_per_week(ops_cast: Ops) -> None:
    water = Schedule.objects.prefetch_related("slots", "exceptions").get(pk=ops_cast.water.pk)
    weeks = queries.weekly_compliance(water, [], 4, ops_cast.today)
    assert len(weeks) == 4
    assert weeks[0].week.weekday() == 0
    assert sum(w.planned for w in weeks[:-1]) == 6  # two a week in the three full weeks


def test_describe_slots_names_the_weekdays(ops_cast: Ops) -> None:
    from django.utils.translation import override

    with override("en"):
        text = ops.describe_slots([(3, time(14), time(18)), (0, time(6), time(12))])
    assert text == "Monday 06:00-12:00; Thursday 14:00-18:00"


def test_the_counted_planned_occurrences_match_the_expanded_ones(ops_cast: Ops) -> None:
    import random
    from datetime import datetime

    from django.utils import timezone

    rng = random.Random(7)
    water = Schedule.objects.prefetch_related("slots", "exceptions").get(pk=ops_cast.water.pk)
    slots = list(water.slots.all())
    tz = timezone.get_current_timezone()
    for _round in range(200):
        first = ops_cast.today - timedelta(days=rng.randint(0, 60))
        last = first + timedelta(days=rng.randint(0, 40))
        now = datetime.combine(
            first + timedelta(days=rng.randint(0, 45)), time(rng.randint(0, 23)), tzinfo=tz
        )
        exceptions = [
            ScheduleException(
                schedule=water,
                day=first + timedelta(days=rng.randint(0, 40)),
                cancelled=rng.random() < 0.5,
                start=time(14),
                end=time(16),
            )
            for _ in range(rng.randint(0, 3))
        ]
        exceptions = list({e.day: e for e in exceptions}.values())
        for e in exceptions:
            if e.cancelled:
                e.start = e.end = None
        expanded = [
            o
            for o in queries.expand(water, slots, exceptions, first, last)
            if not o.cancelled and o.ends_at() <= now
        ]
        counted = queries.planned_count(water, slots, exceptions, first, last, now)
        assert counted == len(expanded), (first, last, now, exceptions)
