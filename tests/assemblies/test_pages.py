"""Pages of the assemblies (event side): who sees what, who may change what, and that every
page answers without errors for the people who use it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from comuna.assemblies import actions
from comuna.assemblies.models import Assembly
from tests.assemblies.conftest import Gathering


def client_for(user: object | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


def pages(g: Gathering) -> list[str]:
    slug = g.assembly.slug
    item = actions.agenda_item_add(actor=None, assembly=g.assembly, title="Apertura")
    group = actions.working_group_create(actor=None, assembly=g.assembly, topic="Producción")
    motion = actions.motion_create(
        actor=None, assembly=g.assembly, title="Moción", text="Uno.\n\nDos."
    )
    return [
        reverse("assemblies:home"),
        reverse("assemblies:assembly", args=[slug]),
        reverse("assemblies:delegations", args=[slug]),
        reverse("assemblies:delegation", args=[slug, g.maizal_delegation.pk]),
        reverse("assemblies:participants", args=[slug]),
        reverse("assemblies:participant", args=[slug, g.alice.pk]),
        reverse("assemblies:agenda", args=[slug]),
        reverse("assemblies:item", args=[slug, item.pk]),
        reverse("assemblies:projector", args=[slug]),
        reverse("assemblies:groups", args=[slug]),
        reverse("assemblies:group", args=[slug, group.slug]),
        reverse("assemblies:motions", args=[slug]),
        reverse("assemblies:motion", args=[motion.pk]),
        reverse("assemblies:minutes", args=[slug]),
        reverse("assemblies:declaration", args=[slug]),
        reverse("assemblies:resolutions", args=[slug]),
    ]


RUN_PAGES = [
    "assemblies:desk",
    "assemblies:badges",
    "assemblies:assembly_edit",
    "assemblies:session_new",
    "assemblies:convenor_new",
    "assemblies:participant_new",
]


def test_every_page_answers_for_the_coordinator(gathering: Gathering) -> None:
    client = client_for(gathering.net.bob)
    for url in pages(gathering):
        assert client.get(url).status_code == 200, url
    for name in RUN_PAGES:
        url = reverse(name, args=[gathering.assembly.slug])
        assert client.get(url).status_code == 200, url


def test_every_public_page_answers_for_an_anonymous_visitor(gathering: Gathering) -> None:
    client = Client()
    for url in pages(gathering):
        assert client.get(url).status_code == 200, url


def test_the_outsider_is_refused_the_pages_that_run_the_assembly(gathering: Gathering) -> None:
    client = client_for(gathering.net.oscar)
    for name in RUN_PAGES:
        url = reverse(name, args=[gathering.assembly.slug])
        assert client.get(url).status_code == 403, url


def test_a_private_assembly_is_not_found_for_the_outsider(gathering: Gathering) -> None:
    Assembly.objects.filter(pk=gathering.assembly.pk).update(visibility="unit")
    client = client_for(gathering.net.oscar)
    home, *inside = pages(gathering)
    assert "Asamblea de prueba" not in client.get(home).content.decode()
    for url in inside:
        assert client.get(url).status_code == 404, url
    member = client_for(gathering.net.carol)
    assert (
        member.get(reverse("assemblies:assembly", args=[gathering.assembly.slug])).status_code
        == 200
    )


@pytest.mark.parametrize("name", ["alice", "ernesto"])
def test_delegates_see_their_pages(gathering: Gathering, name: str) -> None:
    client = client_for(getattr(gathering.net, name))
    for url in pages(gathering):
        assert client.get(url).status_code == 200, url


# Flows through the pages -------------------------------------------------------------------


def test_the_desk_checks_in_from_the_badges_qr_link(gathering: Gathering) -> None:
    client = client_for(gathering.net.bob)
    url = reverse("assemblies:desk", args=[gathering.assembly.slug])
    shown = client.get(url, {"codigo": gathering.carol.badge_code})
    assert shown.status_code == 200 and "Carolina Prueba" in shown.content.decode()
    done = client.post(url, {"codigo": gathering.carol.badge_code})
    assert done.status_code == 302
    gathering.carol.refresh_from_db()
    assert gathering.carol.present


def test_the_desk_shows_a_refusal_next_to_the_field(gathering: Gathering) -> None:
    client = client_for(gathering.net.bob)
    url = reverse("assemblies:desk", args=[gathering.assembly.slug])
    answer = client.post(url, {"codigo": "nadie"})
    assert answer.status_code == 400
    assert answer.context["form"].errors["codigo"]


def test_badges_carry_a_qr_code_that_opens_the_desk(gathering: Gathering) -> None:
    client = client_for(gathering.net.bob)
    page = client.get(reverse("assemblies:badges", args=[gathering.assembly.slug]))
    html = page.content.decode()
    assert html.count("<svg") == 4
    assert "D001" in html


def test_the_projector_panel_answers_204_when_nothing_changed(gathering: Gathering) -> None:
    client = Client()
    url = reverse("assemblies:projector", args=[gathering.assembly.slug])
    first = client.get(url, {"parte": "panel"}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    etag = first["ETag"]
    version = etag.strip('"')
    same = client.get(url, {"parte": "panel", "v": version}, HTTP_HX_REQUEST="true")
    assert same.status_code == 204 and same.content == b""
    assert client.get(url, {"parte": "panel"}, HTTP_IF_NONE_MATCH=etag).status_code == 304
    actions.participant_check_out(actor=None, participant=gathering.alice)
    changed = client.get(url, {"parte": "panel", "v": version}, HTTP_HX_REQUEST="true")
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_projector_is_rendered_once_per_version_for_all_its_screens(
    gathering: Gathering, django_assert_max_num_queries: Any
) -> None:
    url = reverse("assemblies:projector", args=[gathering.assembly.slug])
    first = Client().get(url)
    assert first.status_code == 200 and 'id="panel"' in first.content.decode()
    # Another screen, same version: the panel comes from the cache.
    with django_assert_max_num_queries(4):
        again = Client().get(url, {"parte": "panel"})
    assert again.status_code == 200 and 'id="panel"' in again.content.decode()
    actions.participant_check_out(actor=None, participant=gathering.alice)
    after = Client().get(url, {"parte": "panel"}).content.decode()
    assert after != again.content.decode()


def test_the_projector_page_refreshes_itself_without_javascript(gathering: Gathering) -> None:
    html = Client().get(reverse("assemblies:projector", args=[gathering.assembly.slug]))
    assert '<noscript><meta http-equiv="refresh"' in html.content.decode()


def test_a_delegate_asks_for_the_floor_on_the_item_page(gathering: Gathering) -> None:
    item = actions.agenda_item_add(actor=None, assembly=gathering.assembly, title="Debate")
    client = client_for(gathering.net.alice)
    url = reverse("assemblies:item", args=[gathering.assembly.slug, item.pk])
    assert client.post(url, {"accion": "pedir", "stance": "against"}).status_code == 302
    assert item.speakers.get().stance == "against"
    outsider = client_for(gathering.net.oscar)
    assert outsider.post(url, {"accion": "siguiente"}).status_code == 403


def test_a_motion_is_submitted_and_amended_through_the_pages(gathering: Gathering) -> None:
    client = client_for(gathering.net.alice)
    new = reverse("assemblies:motion_new", args=[gathering.assembly.slug])
    answer = client.post(new, {"title": "Agua", "text": "Uno.\n\nDos.", "on_behalf": ""})
    assert answer.status_code == 302
    motion = gathering.assembly.motions.get()
    amend = reverse("assemblies:amendment_new", args=[motion.pk])
    assert client.post(amend, {"paragraph": "1", "proposed": "Uno y medio."}).status_code == 302
    page = client.get(reverse("assemblies:motion", args=[motion.pk])).content.decode()
    assert "<ins>" in page and "<del>" in page
    empty = client.post(new, {"title": "", "text": ""})
    assert empty.status_code == 400


def test_the_outsider_cannot_submit_a_motion_page(gathering: Gathering) -> None:
    client = client_for(gathering.net.oscar)
    url = reverse("assemblies:motion_new", args=[gathering.assembly.slug])
    assert client.get(url).status_code == 403


def test_minutes_are_generated_and_printable(gathering: Gathering) -> None:
    client = client_for(gathering.net.bob)
    url = reverse("assemblies:minutes", args=[gathering.assembly.slug])
    assert client.post(url, {"accion": "generar"}).status_code == 302
    printed = client.get(url, {"imprimir": "1"}).content.decode()
    assert "Asamblea de prueba" in printed
    outsider = client_for(gathering.net.oscar)
    assert outsider.post(url, {"accion": "generar"}).status_code == 403


def test_bad_input_never_gives_a_500(gathering: Gathering) -> None:
    client = client_for(gathering.net.bob)
    slug = gathering.assembly.slug
    for name, data in [
        ("assemblies:session_new", {"title": "x", "starts_at": "mañana", "ends_at": ""}),
        ("assemblies:delegations", {"organisation": "no-existe", "quota": "-3"}),
        ("assemblies:agenda", {"title": "", "duration_minutes": "9999", "parent": "abc"}),
        ("assemblies:groups", {"topic": "Mesa", "facilitator": "Z99"}),
        ("assemblies:resolutions", {"title": "x", "responsible": "nadie", "motion": "77"}),
        ("assemblies:assembly_edit", {"title": "x", "quorum_share": "7"}),
    ]:
        answer = client.post(reverse(name, args=[slug]), data)
        assert answer.status_code == 400, name


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("assemblies:participants", 12),
        ("assemblies:delegations", 12),
        ("assemblies:motions", 14),
        ("assemblies:groups", 12),
        ("assemblies:badges", 12),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(
    gathering: Gathering, name: str, limit: int, django_assert_max_num_queries: object
) -> None:
    for index in range(6):
        guest = actions.participant_add(
            actor=None, assembly=gathering.assembly, kind="guest", name=f"Invitada {index}"
        )
        actions.motion_create(actor=None, assembly=gathering.assembly, title=f"M{index}", text="x")
        group = actions.working_group_create(
            actor=None, assembly=gathering.assembly, topic=f"Mesa {index}"
        )
        actions.working_group_join(actor=None, group=group, participant=guest)
    client = client_for(gathering.net.bob)
    with django_assert_max_num_queries(limit):  # type: ignore[operator]
        assert client.get(reverse(name, args=[gathering.assembly.slug])).status_code == 200


def test_the_outsider_is_refused_every_write_page(gathering: Gathering) -> None:
    g = gathering
    slug = g.assembly.slug
    item = actions.agenda_item_add(actor=None, assembly=g.assembly, title="Debate")
    group = actions.working_group_create(actor=None, assembly=g.assembly, topic="Tierra")
    motion = actions.motion_create(actor=None, assembly=g.assembly, title="M", text="Uno.")
    amendment = actions.amendment_propose(
        actor=g.net.alice, motion=motion, paragraph=1, proposed="Dos."
    )
    resolution = actions.resolution_create(
        actor=None, assembly=g.assembly, title="R", responsible=g.net.zamora
    )
    posts = [
        (reverse("assemblies:assembly_new"), {}),
        (reverse("assemblies:assembly_edit", args=[slug]), {}),
        (reverse("assemblies:assembly_status", args=[slug]), {"status": "closed"}),
        (reverse("assemblies:convenor_new", args=[slug]), {"name": "X"}),
        (reverse("assemblies:session_new", args=[slug]), {}),
        (reverse("assemblies:delegations", args=[slug]), {"organisation": "el-maizal"}),
        (reverse("assemblies:delegation", args=[slug, g.zamora_delegation.pk]), {"name": "X"}),
        (reverse("assemblies:participant_new", args=[slug]), {"kind": "guest", "name": "X"}),
        (reverse("assemblies:participant", args=[slug, g.carol.pk]), {"decision": "accept"}),
        (reverse("assemblies:check_out", args=[slug, g.alice.pk]), {}),
        (reverse("assemblies:desk", args=[slug]), {"codigo": g.carol.number}),
        (reverse("assemblies:agenda", args=[slug]), {"title": "X"}),
        (reverse("assemblies:agenda_current", args=[slug, item.pk]), {}),
        (reverse("assemblies:item", args=[slug, item.pk]), {"accion": "siguiente"}),
        (reverse("assemblies:item", args=[slug, item.pk]), {"accion": "pedir"}),
        (reverse("assemblies:groups", args=[slug]), {"topic": "X"}),
        (reverse("assemblies:group", args=[slug, group.slug]), {"report": "X"}),
        (reverse("assemblies:motion_new", args=[slug]), {"title": "X", "text": "Y"}),
        (reverse("assemblies:motion_transition", args=[motion.pk]), {"state": "admitted"}),
        (reverse("assemblies:motion_support", args=[motion.pk]), {}),
        (reverse("assemblies:amendment_new", args=[motion.pk]), {"paragraph": "1"}),
        (
            reverse("assemblies:amendment_decide", args=[motion.pk, amendment.pk]),
            {"status": "accepted"},
        ),
        (reverse("assemblies:motion_forward", args=[motion.pk]), {"to_body": "ezequiel-zamora"}),
        (reverse("assemblies:minutes", args=[slug]), {"accion": "generar"}),
        (reverse("assemblies:declaration", args=[slug]), {"accion": "redactar"}),
        (reverse("assemblies:resolutions", args=[slug]), {"title": "X"}),
        (reverse("assemblies:resolution", args=[slug, resolution.pk]), {"status": "done"}),
    ]
    outsider = client_for(g.net.oscar)
    anonymous = Client()
    for url, data in posts:
        assert outsider.post(url, data).status_code == 403, url
        answer = anonymous.post(url, data)
        assert answer.status_code == 302 and "/entrar/" in answer["Location"], url
    motion.refresh_from_db()
    assert motion.state.code == "submitted"
    assert not gathering.assembly.agenda.filter(title="X").exists()


def test_the_coordinator_adds_a_member_to_a_working_group_by_number(gathering: Gathering) -> None:
    group = actions.working_group_create(actor=None, assembly=gathering.assembly, topic="Tierra")
    url = reverse("assemblies:group", args=[gathering.assembly.slug, group.slug])
    client = client_for(gathering.net.bob)
    assert client.post(url, {"accion": "agregar", "numero": "D002"}).status_code == 302
    assert list(group.members.all()) == [gathering.carol]
    assert (
        client_for(gathering.net.alice)
        .post(url, {"accion": "agregar", "numero": "D003"})
        .status_code
        == 403
    )


def test_convenors_are_added_from_the_registry_or_by_name(gathering: Gathering) -> None:
    client = client_for(gathering.net.bob)
    url = reverse("assemblies:convenor_new", args=[gathering.assembly.slug])
    assert client.post(url, {"organisation": "ezequiel-zamora"}).status_code == 302
    assert client.post(url, {"name": "MST", "country": "Brasil"}).status_code == 302
    assert client.post(url, {"name": ""}).status_code == 400
    assert client.post(url, {"organisation": "nadie"}).status_code == 400
    names = list(gathering.assembly.convenors.values_list("name", "country"))
    assert names[1:] == [("Comuna Ezequiel Zamora", ""), ("MST", "Brasil")]
