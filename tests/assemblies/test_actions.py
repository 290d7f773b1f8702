"""Actions of the assemblies (event side): who may do what, the domain rules, and what is
written (audit events included)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from comuna.assemblies import actions, queries
from comuna.assemblies.models import (
    Assembly,
    MotionEvent,
    MotionState,
    Participant,
    SpeakerEntry,
)
from comuna.core.errors import DomainError
from comuna.core.models import AuditEvent
from tests.assemblies.conftest import Gathering, person_of


def error_code(call: object) -> str:
    try:
        call()  # type: ignore[operator]
    except DomainError as err:
        return err.code
    raise AssertionError("no DomainError")


# Assemblies ---------------------------------------------------------------------------------


def test_a_coordinator_convenes_an_assembly_with_the_convenor_listed(gathering: Gathering) -> None:
    assert [c.name for c in gathering.assembly.convenors.all()] == ["Comuna El Maizal"]
    assert AuditEvent.objects.filter(verb="assembly.create").count() == 1


def test_the_outsider_cannot_convene_an_assembly(gathering: Gathering) -> None:
    with pytest.raises(PermissionDenied):
        actions.assembly_create(
            actor=gathering.net.oscar,
            owner=gathering.net.maizal,
            title="Otra",
            scope="national",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 1, 2),
        )


def test_an_assembly_cannot_end_before_it_starts(gathering: Gathering) -> None:
    with pytest.raises(DomainError) as err:
        actions.assembly_create(
            actor=gathering.net.bob,
            owner=gathering.net.maizal,
            title="Al revés",
            scope="regional",
            starts_on=date(2026, 1, 2),
            ends_on=date(2026, 1, 1),
        )
    assert "ends_on" in err.value.fields


def test_a_movement_outside_the_registry_convenes_too(gathering: Gathering) -> None:
    actions.convenor_add(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        name="Movimiento Campesino Nacional",
        country="Venezuela",
    )
    assert gathering.assembly.convenors.count() == 2
    assert (
        error_code(
            lambda: actions.convenor_add(
                actor=gathering.net.bob,
                assembly=gathering.assembly,
                name="Movimiento Campesino Nacional",
            )
        )
        == "duplicate"
    )


def test_the_status_moves_only_along_the_allowed_steps(gathering: Gathering) -> None:
    assert (
        error_code(
            lambda: actions.assembly_set_status(
                actor=gathering.net.bob, assembly=gathering.assembly, status="draft"
            )
        )
        == "invalid_move"
    )
    actions.assembly_set_status(
        actor=gathering.net.bob, assembly=gathering.assembly, status="closed"
    )
    assert (
        error_code(
            lambda: actions.participant_check_in(
                actor=gathering.net.bob, assembly=gathering.assembly, code=gathering.carol.number
            )
        )
        == "closed"
    )


def test_a_session_must_end_after_it_starts(gathering: Gathering) -> None:
    start = timezone.now()
    with pytest.raises(DomainError):
        actions.session_add(
            actor=gathering.net.bob,
            assembly=gathering.assembly,
            title="Plenaria",
            starts_at=start,
            ends_at=start,
        )


# Delegations, credentials, check-in --------------------------------------------------------


def test_a_delegation_cannot_exceed_its_quota(gathering: Gathering) -> None:
    zamora = gathering.zamora_delegation
    actions.delegate_register(actor=gathering.net.ernesto, delegation=zamora, name="Pedro Pérez")
    assert (
        error_code(
            lambda: actions.delegate_register(
                actor=gathering.net.ernesto, delegation=zamora, name="Otra Persona"
            )
        )
        == "quota_full"
    )


def test_the_delegations_organisation_registers_its_delegates_but_not_others(
    gathering: Gathering,
) -> None:
    actions.delegate_register(
        actor=gathering.net.ernesto, delegation=gathering.zamora_delegation, name="Pedro Pérez"
    )
    with pytest.raises(PermissionDenied):
        actions.delegate_register(
            actor=gathering.net.ernesto, delegation=gathering.maizal_delegation, name="Intruso"
        )
    with pytest.raises(PermissionDenied):
        actions.delegate_register(
            actor=gathering.net.oscar, delegation=gathering.zamora_delegation, name="Intruso"
        )


def test_an_expired_mandate_is_refused_at_registration(gathering: Gathering) -> None:
    assert (
        error_code(
            lambda: actions.delegate_register(
                actor=gathering.net.ernesto,
                delegation=gathering.zamora_delegation,
                name="Pedro Pérez",
                mandate_valid_until=timezone.localdate() - timedelta(days=1),
            )
        )
        == "expired"
    )


def test_a_pending_credential_cannot_check_in(gathering: Gathering) -> None:
    pedro = actions.delegate_register(
        actor=gathering.net.ernesto, delegation=gathering.zamora_delegation, name="Pedro Pérez"
    )
    assert (
        error_code(
            lambda: actions.participant_check_in(
                actor=gathering.net.bob, assembly=gathering.assembly, code=pedro.number
            )
        )
        == "credential_pending"
    )


def test_a_refused_credential_says_why_at_check_in(gathering: Gathering) -> None:
    pedro = actions.delegate_register(
        actor=gathering.net.ernesto, delegation=gathering.zamora_delegation, name="Pedro Pérez"
    )
    with pytest.raises(DomainError):
        actions.credential_decide(actor=gathering.net.bob, participant=pedro, accept=False)
    actions.credential_decide(
        actor=gathering.net.bob, participant=pedro, accept=False, note="Acta sin firmas"
    )
    with pytest.raises(DomainError) as err:
        actions.participant_check_in(
            actor=gathering.net.bob, assembly=gathering.assembly, code=pedro.number
        )
    assert err.value.code == "credential_refused"
    assert "Acta sin firmas" in err.value.message


def test_check_in_by_badge_code_marks_present(gathering: Gathering) -> None:
    carol = gathering.carol
    actions.participant_check_in(
        actor=gathering.net.bob, assembly=gathering.assembly, code=carol.badge_code
    )
    carol.refresh_from_db()
    assert carol.present and carol.checked_in_at is not None
    assert queries.quorum(gathering.assembly).present == 3


def test_checking_in_twice_changes_nothing(gathering: Gathering) -> None:
    before = gathering.alice.checked_in_at
    again = actions.participant_check_in(
        actor=gathering.net.bob, assembly=gathering.assembly, code=gathering.alice.number.lower()
    )
    assert again.checked_in_at == before


def test_an_unknown_code_is_refused(gathering: Gathering) -> None:
    assert (
        error_code(
            lambda: actions.participant_check_in(
                actor=gathering.net.bob, assembly=gathering.assembly, code="X999"
            )
        )
        == "not_found"
    )


def test_an_expired_mandate_cannot_check_in(gathering: Gathering) -> None:
    Participant.objects.filter(pk=gathering.carol.pk).update(
        mandate_valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert (
        error_code(
            lambda: actions.participant_check_in(
                actor=gathering.net.bob, assembly=gathering.assembly, code=gathering.carol.number
            )
        )
        == "expired"
    )


def test_only_who_runs_the_assembly_checks_people_in(gathering: Gathering) -> None:
    for user in (gathering.net.alice, gathering.net.oscar, gathering.net.dora):
        with pytest.raises(PermissionDenied):
            actions.participant_check_in(
                actor=user, assembly=gathering.assembly, code=gathering.carol.number
            )


def test_the_database_refuses_a_second_participant_with_the_same_number(
    gathering: Gathering,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            assembly=gathering.assembly,
            name="Doble",
            kind="guest",
            number=gathering.guest.number,
            badge_code="otro-codigo",
        )


def test_presence_bumps_the_projector_version(gathering: Gathering) -> None:
    before = Assembly.objects.get(pk=gathering.assembly.pk).version
    actions.participant_check_out(actor=gathering.net.bob, participant=gathering.alice)
    assert Assembly.objects.get(pk=gathering.assembly.pk).version == before + 1


# Agenda and speakers -----------------------------------------------------------------------


def test_the_agenda_is_a_numbered_tree_with_durations(gathering: Gathering) -> None:
    bob = gathering.net.bob
    opening = actions.agenda_item_add(
        actor=bob, assembly=gathering.assembly, title="Instalación", duration_minutes=30
    )
    groups = actions.agenda_item_add(actor=bob, assembly=gathering.assembly, title="Mesas")
    actions.agenda_item_add(
        actor=bob,
        assembly=gathering.assembly,
        title="Producción",
        parent=groups,
        duration_minutes=90,
    )
    actions.agenda_item_add(
        actor=bob, assembly=gathering.assembly, title="Tierras", parent=groups, duration_minutes=60
    )
    numbers = [(n.number, n.item.title) for n in queries.agenda_flat(gathering.assembly)]
    assert numbers == [
        ("1", "Instalación"),
        ("2", "Mesas"),
        ("2.1", "Producción"),
        ("2.2", "Tierras"),
    ]
    assert queries.agenda_minutes(gathering.assembly) == 30 + 150
    assert opening.position == 1


def test_a_participant_asks_for_the_floor_once_and_speakers_follow_their_order(
    gathering: Gathering,
) -> None:
    item = actions.agenda_item_add(
        actor=gathering.net.bob, assembly=gathering.assembly, title="Debate"
    )
    first = actions.speaker_add(actor=gathering.net.alice, item=item, stance="for")
    assert (
        error_code(lambda: actions.speaker_add(actor=gathering.net.alice, item=item)) == "duplicate"
    )
    second = actions.speaker_add(
        actor=gathering.net.bob, item=item, participant=gathering.ernesto, stance="against"
    )
    assert actions.speaker_next(actor=gathering.net.bob, item=item) == first
    assert actions.speaker_next(actor=gathering.net.bob, item=item) == second
    first.refresh_from_db()
    assert first.status == "done" and first.ended_at is not None
    assert SpeakerEntry.objects.filter(item=item, status="speaking").count() == 1


def test_an_absent_participant_cannot_ask_for_the_floor(gathering: Gathering) -> None:
    item = actions.agenda_item_add(
        actor=gathering.net.bob, assembly=gathering.assembly, title="Debate"
    )
    assert (
        error_code(lambda: actions.speaker_add(actor=gathering.net.carol, item=item))
        == "not_present"
    )


def test_a_participant_cannot_put_someone_else_on_the_list(gathering: Gathering) -> None:
    item = actions.agenda_item_add(
        actor=gathering.net.bob, assembly=gathering.assembly, title="Debate"
    )
    with pytest.raises(PermissionDenied):
        actions.speaker_add(actor=gathering.net.alice, item=item, participant=gathering.ernesto)
    with pytest.raises(PermissionDenied):
        actions.speaker_add(actor=gathering.net.oscar, item=item)


def test_moving_to_an_item_finishes_the_previous_one(gathering: Gathering) -> None:
    bob = gathering.net.bob
    one = actions.agenda_item_add(actor=bob, assembly=gathering.assembly, title="Uno")
    two = actions.agenda_item_add(actor=bob, assembly=gathering.assembly, title="Dos")
    actions.agenda_item_set_current(actor=bob, assembly=gathering.assembly, item=one)
    actions.speaker_add(actor=gathering.net.alice, item=one)
    actions.speaker_next(actor=bob, item=one)
    actions.agenda_item_set_current(actor=bob, assembly=gathering.assembly, item=two)
    one.refresh_from_db()
    assert one.status == "done"
    assert not SpeakerEntry.objects.filter(item=one, status="speaking").exists()
    assert Assembly.objects.get(pk=gathering.assembly.pk).current_item == two


# Working groups ----------------------------------------------------------------------------


def test_a_working_group_has_members_a_report_and_motions(gathering: Gathering) -> None:
    group = actions.working_group_create(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        topic="Producción",
        facilitator=gathering.alice,
        rapporteur=gathering.ernesto,
    )
    actions.working_group_join(actor=gathering.net.carol, group=group)
    assert set(group.members.all()) == {gathering.alice, gathering.ernesto, gathering.carol}
    with pytest.raises(PermissionDenied):
        actions.working_group_report(actor=gathering.net.carol, group=group, report="x")
    actions.working_group_report(actor=gathering.net.ernesto, group=group, report="Informe.")
    motion = actions.motion_create(
        actor=gathering.net.carol,
        assembly=gathering.assembly,
        title="Semillas",
        text="Crear un banco de semillas.",
        working_group=group,
    )
    assert motion.working_group == group and motion.origin_id == gathering.net.maizal.pk
    with pytest.raises(PermissionDenied):
        actions.motion_create(
            actor=gathering.net.oscar,
            assembly=gathering.assembly,
            title="x",
            text="y",
            working_group=group,
        )


def test_joining_another_group_leaves_the_first(gathering: Gathering) -> None:
    one = actions.working_group_create(actor=None, assembly=gathering.assembly, topic="Uno")
    two = actions.working_group_create(actor=None, assembly=gathering.assembly, topic="Dos")
    actions.working_group_join(actor=gathering.net.alice, group=one)
    actions.working_group_join(actor=gathering.net.alice, group=two)
    assert list(gathering.alice.working_groups.all()) == [two]


# Motions -----------------------------------------------------------------------------------


def motion_of(g: Gathering) -> object:
    return actions.motion_create(
        actor=g.net.alice,
        assembly=g.assembly,
        title="Plan de siembra",
        text="Primer párrafo.\n\nSegundo párrafo con maíz.\n\nTercer párrafo.",
    )


def test_a_delegate_submits_a_motion_with_her_commune_as_origin(gathering: Gathering) -> None:
    motion = motion_of(gathering)
    assert motion.origin_id == gathering.net.maizal.pk  # type: ignore[attr-defined]
    assert motion.state.code == "submitted"  # type: ignore[attr-defined]
    assert motion.number == "M-001"  # type: ignore[attr-defined]
    assert motion.supports.count() == 1  # type: ignore[attr-defined]


def test_a_guest_cannot_submit_a_motion(gathering: Gathering) -> None:
    with pytest.raises(PermissionDenied):
        actions.motion_create(
            actor=gathering.net.oscar, assembly=gathering.assembly, title="x", text="y"
        )


def test_an_invited_unit_submits_through_its_coordinator(gathering: Gathering) -> None:
    motion = actions.motion_create(
        actor=gathering.net.ernesto,
        assembly=gathering.assembly,
        title="Propuesta de Zamora",
        text="Texto.",
        origin=gathering.net.zamora,
    )
    assert motion.origin_id == gathering.net.zamora.pk
    with pytest.raises(PermissionDenied):
        actions.motion_create(
            actor=gathering.net.ernesto,
            assembly=gathering.assembly,
            title="x",
            text="y",
            origin=gathering.net.maizal,
        )


def test_the_workflow_allows_only_its_moves_and_keeps_a_history(gathering: Gathering) -> None:
    motion = motion_of(gathering)
    bob = gathering.net.bob
    assert (
        error_code(lambda: actions.motion_transition(actor=bob, motion=motion, state_code="draft"))
        == "invalid_move"
    )
    actions.motion_transition(actor=bob, motion=motion, state_code="admitted")
    actions.motion_transition(actor=bob, motion=motion, state_code="debated")
    actions.motion_transition(actor=bob, motion=motion, state_code="adopted", note="Mayoría")
    codes = list(MotionEvent.objects.filter(motion=motion).values_list("to_state__code", flat=True))
    assert codes == ["submitted", "admitted", "debated", "adopted"]
    motion.refresh_from_db()  # type: ignore[attr-defined]
    assert motion.decided_at is not None  # type: ignore[attr-defined]


def test_the_workflow_is_data(gathering: Gathering) -> None:
    MotionState.objects.create(code="in_committee", name="En comisión", position=25)
    submitted = MotionState.objects.get(code="submitted")
    submitted.next_codes = [*submitted.next_codes, "in_committee"]
    submitted.save()
    motion = motion_of(gathering)
    actions.motion_transition(actor=gathering.net.bob, motion=motion, state_code="in_committee")
    assert motion.state.label == "En comisión"  # type: ignore[attr-defined]


def test_the_submitter_may_withdraw_but_not_adopt(gathering: Gathering) -> None:
    motion = motion_of(gathering)
    with pytest.raises(PermissionDenied):
        actions.motion_transition(actor=gathering.net.alice, motion=motion, state_code="admitted")
    actions.motion_transition(actor=gathering.net.alice, motion=motion, state_code="withdrawn")


def test_supports_are_counted_once(gathering: Gathering) -> None:
    motion = motion_of(gathering)
    actions.motion_support(actor=gathering.net.ernesto, motion=motion)
    assert (
        error_code(lambda: actions.motion_support(actor=gathering.net.ernesto, motion=motion))
        == "duplicate"
    )
    actions.motion_support(
        actor=gathering.net.ernesto, motion=motion, organisation=gathering.net.zamora
    )
    assert motion.supports.count() == 3  # type: ignore[attr-defined]
    with pytest.raises(PermissionDenied):
        actions.motion_support(actor=gathering.net.oscar, motion=motion)


def test_an_accepted_amendment_replaces_its_paragraph(gathering: Gathering) -> None:
    motion = motion_of(gathering)
    amendment = actions.amendment_propose(
        actor=gathering.net.ernesto,
        motion=motion,
        paragraph=2,
        proposed="Segundo párrafo con maíz y caraota.",
        rationale="Diversificar.",
    )
    assert amendment.original == "Segundo párrafo con maíz."
    diff = str(queries.diff_html(amendment.original, amendment.proposed))
    assert "<ins>" in diff and "caraota" in diff
    actions.amendment_decide(actor=gathering.net.bob, amendment=amendment, status="accepted")
    motion.refresh_from_db()  # type: ignore[attr-defined]
    assert motion.paragraphs()[1] == "Segundo párrafo con maíz y caraota."  # type: ignore[attr-defined]


def test_an_amendment_to_a_changed_paragraph_is_refused_as_stale(gathering: Gathering) -> None:
    motion = motion_of(gathering)
    first = actions.amendment_propose(
        actor=gathering.net.ernesto, motion=motion, paragraph=2, proposed="Otra redacción."
    )
    second = actions.amendment_propose(
        actor=gathering.net.alice, motion=motion, paragraph=2, proposed="Tercera redacción."
    )
    actions.amendment_decide(actor=gathering.net.bob, amendment=first, status="accepted")
    assert (
        error_code(
            lambda: actions.amendment_decide(
                actor=gathering.net.bob, amendment=second, status="accepted"
            )
        )
        == "stale"
    )


def test_amendments_are_refused_for_a_bad_paragraph_a_guest_or_a_decided_motion(
    gathering: Gathering,
) -> None:
    motion = motion_of(gathering)
    with pytest.raises(DomainError) as err:
        actions.amendment_propose(
            actor=gathering.net.alice, motion=motion, paragraph=9, proposed="x"
        )
    assert "paragraph" in err.value.fields
    with pytest.raises(PermissionDenied):
        actions.amendment_propose(
            actor=gathering.net.oscar, motion=motion, paragraph=1, proposed="x"
        )
    actions.motion_transition(actor=gathering.net.bob, motion=motion, state_code="rejected")
    assert (
        error_code(
            lambda: actions.amendment_propose(
                actor=gathering.net.alice, motion=motion, paragraph=1, proposed="x"
            )
        )
        == "not_amendable"
    )


def test_the_proposer_may_withdraw_an_amendment_but_not_accept_it(gathering: Gathering) -> None:
    motion = motion_of(gathering)
    amendment = actions.amendment_propose(
        actor=gathering.net.ernesto, motion=motion, paragraph=1, proposed="Nuevo."
    )
    with pytest.raises(PermissionDenied):
        actions.amendment_decide(
            actor=gathering.net.ernesto, amendment=amendment, status="accepted"
        )
    actions.amendment_decide(actor=gathering.net.ernesto, amendment=amendment, status="withdrawn")


def test_a_councils_motion_goes_up_to_the_commune_parliament_keeping_its_origin(
    gathering: Gathering,
) -> None:
    net = gathering.net
    today = timezone.localdate()
    citizens = actions.assembly_create(
        actor=net.bob,
        owner=net.delicias,
        title="Asamblea de ciudadanos de Las Delicias",
        scope="citizens_assembly",
        starts_on=today,
        ends_on=today,
    )
    parliament = actions.assembly_create(
        actor=net.bob,
        owner=net.maizal,
        title="Parlamento comunal de El Maizal",
        scope="commune_parliament",
        starts_on=today,
        ends_on=today,
    )
    motion = actions.motion_create(
        actor=net.bob,
        assembly=citizens,
        title="Tanque de agua",
        text="Pedimos un tanque.",
        origin=None,
    )
    assert motion.origin_id == net.delicias.pk
    up = actions.motion_forward(actor=net.bob, motion=motion, to_assembly=parliament)
    assert up.origin_id == net.delicias.pk and up.forwarded_from == motion
    assert up.assembly == parliament and up.state.code == "submitted"
    motion.refresh_from_db()
    assert motion.state.code == "referred"
    assert queries.forward_chain(up) == [motion]
    assert (
        error_code(
            lambda: actions.motion_forward(actor=net.bob, motion=motion, to_assembly=parliament)
        )
        == "duplicate"
    )


def test_a_national_decision_goes_down_to_a_unit_and_stays_adopted(gathering: Gathering) -> None:
    motion = motion_of(gathering)
    bob = gathering.net.bob
    actions.motion_transition(actor=bob, motion=motion, state_code="admitted")
    actions.motion_transition(actor=bob, motion=motion, state_code="adopted")
    down = actions.motion_forward(actor=bob, motion=motion, to_body=gathering.net.delicias)
    assert down.assembly is None and down.body_id == gathering.net.delicias.pk
    motion.refresh_from_db()  # type: ignore[attr-defined]
    assert motion.state.code == "adopted"  # type: ignore[attr-defined]
    assert down in queries.motions_received(gathering.net.carol)
    assert down not in queries.motions_received(gathering.net.ernesto)
    with pytest.raises(PermissionDenied):
        actions.motion_forward(
            actor=gathering.net.alice, motion=motion, to_body=gathering.net.zamora
        )


# Minutes, declaration, resolutions ---------------------------------------------------------


def adopt(g: Gathering) -> object:
    motion = motion_of(g)
    actions.motion_transition(actor=g.net.bob, motion=motion, state_code="admitted")
    actions.motion_transition(actor=g.net.bob, motion=motion, state_code="adopted")
    return motion


def test_minutes_are_generated_from_the_record_edited_and_approved(gathering: Gathering) -> None:
    item = actions.agenda_item_add(actor=None, assembly=gathering.assembly, title="Debate general")
    actions.speaker_add(actor=gathering.net.alice, item=item, stance="for")
    actions.speaker_next(actor=gathering.net.bob, item=item)
    adopt(gathering)
    minutes = actions.minutes_generate(actor=gathering.net.bob, assembly=gathering.assembly)
    for expected in ("Asamblea de prueba", "Debate general", "Alicia Prueba", "Plan de siembra"):
        assert expected in minutes.text
    actions.minutes_edit(actor=gathering.net.bob, minutes=minutes, text=minutes.text + "\nNota.")
    with pytest.raises(PermissionDenied):
        actions.minutes_edit(actor=gathering.net.alice, minutes=minutes, text="x")
    actions.minutes_approve(
        actor=gathering.net.bob, minutes=minutes, basis="Votación 2: 120 a favor"
    )
    assert (
        error_code(lambda: actions.minutes_edit(actor=gathering.net.bob, minutes=minutes, text="y"))
        == "approved"
    )
    with pytest.raises(DomainError):
        actions.minutes_generate(actor=gathering.net.bob, assembly=gathering.assembly)


def test_the_declaration_is_drafted_from_adopted_motions_with_versions_and_endorsements(
    gathering: Gathering,
) -> None:
    bob = gathering.net.bob
    assert (
        error_code(
            lambda: actions.declaration_draft(
                actor=bob, assembly=gathering.assembly, title="Declaración"
            )
        )
        == "nothing_adopted"
    )
    adopt(gathering)
    declaration = actions.declaration_draft(
        actor=bob, assembly=gathering.assembly, title="Declaración de Sarare", preamble="Reunidos."
    )
    first = declaration.versions.get()
    assert "Plan de siembra" in first.text and first.text.startswith("Reunidos.")
    assert (
        error_code(
            lambda: actions.declaration_revise(actor=bob, declaration=declaration, text=first.text)
        )
        == "unchanged"
    )
    second = actions.declaration_revise(
        actor=bob, declaration=declaration, text=first.text + "\n\n¡Comuna o nada!", note="Cierre"
    )
    assert second.number == 2
    actions.declaration_endorse(
        actor=gathering.net.ernesto, declaration=declaration, organisation=gathering.net.zamora
    )
    with pytest.raises(DomainError):
        actions.declaration_endorse(
            actor=gathering.net.ernesto, declaration=declaration, organisation=gathering.net.zamora
        )
    with pytest.raises(PermissionDenied):
        actions.declaration_endorse(
            actor=gathering.net.oscar, declaration=declaration, organisation=gathering.net.zamora
        )
    actions.declaration_publish(actor=bob, declaration=declaration)
    assert (
        error_code(
            lambda: actions.declaration_revise(actor=bob, declaration=declaration, text="otro")
        )
        == "published"
    )


def test_resolutions_are_followed_up_by_the_responsible_organisation(gathering: Gathering) -> None:
    motion = adopt(gathering)
    resolution = actions.resolution_create(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        title="Banco de semillas",
        responsible=gathering.net.zamora,
        due_on=timezone.localdate() + timedelta(days=60),
        motion=motion,  # type: ignore[arg-type]
    )
    actions.resolution_update(
        actor=gathering.net.ernesto, resolution=resolution, status="in_progress"
    )
    with pytest.raises(PermissionDenied):
        actions.resolution_update(actor=gathering.net.oscar, resolution=resolution, status="done")
    board = {
        c.status: [r.title for r in c.items] for c in queries.resolution_board(gathering.assembly)
    }
    assert board["in_progress"] == ["Banco de semillas"]


def test_a_person_is_a_participant_once(gathering: Gathering) -> None:
    with pytest.raises(DomainError):
        actions.participant_add(
            actor=gathering.net.bob,
            assembly=gathering.assembly,
            kind="observer",
            person=person_of(gathering.net.alice),
        )
