"""Pages of polls and elections: the delegate's one-tap ballot (without JavaScript), running
a poll, the tellers' paper results, a ranked ballot by numbers, the projector's results,
refusals shown as messages, a fixed number of queries, and the outsider refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from comuna.assemblies import actions, actions_voting
from comuna.assemblies.models import Participant
from comuna.assemblies.models_voting import Election, Poll, RollEntry, VoteRefusal
from comuna.core.models import Visibility
from tests.assemblies.conftest import Gathering

BASE = "/asambleas/asamblea-de-prueba"


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def open_poll(g: Gathering, **kwargs: Any) -> Poll:
    options: dict[str, Any] = {"title": "¿Aprobamos el plan?", "decision_type": "ordinary"}
    options.update(kwargs)
    poll = actions_voting.poll_create(actor=g.net.bob, assembly=g.assembly, **options)
    return actions_voting.poll_open(actor=g.net.bob, poll=poll)


def text(response: Any) -> str:
    return response.content.decode()


def test_a_delegate_votes_with_one_tap_and_sees_it_recorded(
    client: Client, gathering: Gathering
) -> None:
    open_poll(gathering)
    signed_in(client, gathering.net.alice)
    page = client.get(f"{BASE}/votar/")
    assert page.status_code == 200
    html = text(page)
    assert f'action="{BASE}/votaciones/1/votar/"' in html
    assert 'name="choice" value="yes"' in html and 'value="abstain"' in html
    done = client.post(f"{BASE}/votaciones/1/votar/", {"choice": "no"}, follow=True)
    assert done.redirect_chain[-1][0] == f"{BASE}/votar/"
    assert RollEntry.objects.get(participant=gathering.alice).choice == "no"
    assert 'name="choice"' not in text(done)  # voted: no more buttons for this poll
    again = client.post(f"{BASE}/votaciones/1/votar/", {"choice": "yes"}, follow=True)
    assert "once" in text(again) or "sola vez" in text(again)
    assert VoteRefusal.objects.filter(reason="already_voted").count() == 1


def test_the_ballot_partial_refreshes_for_htmx(client: Client, gathering: Gathering) -> None:
    open_poll(gathering)
    signed_in(client, gathering.net.alice)
    partial = client.get(f"{BASE}/votar/", {"parte": "abiertas"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert text(partial).lstrip().startswith('<div id="open-votes"')


def test_a_guest_is_told_they_have_no_vote(client: Client, gathering: Gathering) -> None:
    from tests.assemblies.conftest import person_of

    guest = actions.participant_add(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        kind="guest",
        person=person_of(gathering.net.oscar),
    )
    actions.participant_check_in(
        actor=gathering.net.bob, assembly=gathering.assembly, code=guest.number
    )
    open_poll(gathering)
    signed_in(client, gathering.net.oscar)
    shown = text(client.get(f"{BASE}/votar/"))
    assert "no vote" in shown or "no voto" in shown
    refused = client.post(f"{BASE}/votaciones/1/votar/", {"choice": "yes"}, follow=True)
    assert refused.status_code == 200
    assert VoteRefusal.objects.filter(reason="no_vote", participant=guest).count() == 1
    assert not RollEntry.objects.exists()


def test_an_expired_mandate_is_refused_on_the_page(client: Client, gathering: Gathering) -> None:
    open_poll(gathering)
    yesterday = timezone.localdate() - timedelta(days=1)
    Participant.objects.filter(pk=gathering.alice.pk).update(mandate_valid_until=yesterday)
    signed_in(client, gathering.net.alice)
    refused = client.post(f"{BASE}/votaciones/1/votar/", {"choice": "yes"}, follow=True)
    assert yesterday.strftime("%d/%m/%Y") in text(refused)


def test_the_coordinator_creates_opens_and_closes_a_poll(
    client: Client, gathering: Gathering
) -> None:
    signed_in(client, gathering.net.bob)
    form = client.get(f"{BASE}/votaciones/nueva/")
    assert form.status_code == 200
    assert "Two thirds" in text(form) or "Dos tercios" in text(form)
    bad = client.post(f"{BASE}/votaciones/nueva/", {"title": "", "decision_type": "x"})
    assert bad.status_code == 400
    created = client.post(
        f"{BASE}/votaciones/nueva/",
        {"title": "¿Reglamento?", "decision_type": "rules", "mode": "electronic"},
    )
    assert created.status_code == 302 and created["Location"] == f"{BASE}/votaciones/1/"
    assert client.post(f"{BASE}/votaciones/1/abrir/").status_code == 302
    actions_voting.vote_cast(actor=gathering.net.alice, poll=Poll.objects.get(), choice="yes")
    actions_voting.vote_cast(actor=gathering.net.ernesto, poll=Poll.objects.get(), choice="no")
    client.post(f"{BASE}/votaciones/1/cerrar/")
    page = text(client.get(f"{BASE}/votaciones/1/"))
    poll = Poll.objects.get()
    assert poll.verdict == "rejected"  # 1 yes is not twice 1 no
    assert poll.legal_basis in page
    assert gathering.ernesto.name in page


def test_opening_without_quorum_shows_the_reason(client: Client, gathering: Gathering) -> None:
    actions.participant_check_out(actor=gathering.net.bob, participant=gathering.ernesto)
    actions_voting.poll_create(
        actor=gathering.net.bob, assembly=gathering.assembly, title="¿Sí?", decision_type="ordinary"
    )
    signed_in(client, gathering.net.bob)
    shown = client.post(f"{BASE}/votaciones/1/abrir/", follow=True)
    assert "quorum" in text(shown).lower() or "quórum" in text(shown).lower()
    assert Poll.objects.get().status == "draft"


def test_tellers_enter_paper_results_with_field_errors(
    client: Client, gathering: Gathering
) -> None:
    open_poll(gathering, mode="paper")
    signed_in(client, gathering.net.bob)
    bad = client.post(f"{BASE}/votaciones/1/escrutinio/", {"yes": "-1", "no": "", "abstain": "0"})
    assert bad.status_code == 400
    too_many = client.post(
        f"{BASE}/votaciones/1/escrutinio/",
        {"yes": "9", "no": "0", "abstain": "0", "tellers": "Ana"},
    )
    assert too_many.status_code == 400
    ok = client.post(
        f"{BASE}/votaciones/1/escrutinio/",
        {"yes": "2", "no": "1", "abstain": "0", "tellers": "Ana"},
    )
    assert ok.status_code == 302
    assert Poll.objects.get().verdict == "adopted"


def test_a_ranked_ballot_by_numbers_is_counted_by_stv(client: Client, gathering: Gathering) -> None:
    bob = gathering.net.bob
    election = actions_voting.election_create(
        actor=bob, assembly=gathering.assembly, title="Vocería", method="stv", seats=1
    )
    ana = actions_voting.candidate_add(actor=bob, election=election, name="Ana", gender="female")
    beto = actions_voting.candidate_add(actor=bob, election=election, name="Beto", gender="male")
    actions_voting.election_open(actor=bob, election=election)
    signed_in(client, gathering.net.alice)
    form = client.get(f"{BASE}/elecciones/1/papeleta/")
    assert form.status_code == 200 and f'name="c{ana.pk}"' in text(form)
    repeated = client.post(
        f"{BASE}/elecciones/1/papeleta/", {f"c{ana.pk}": "1", f"c{beto.pk}": "1"}
    )
    assert repeated.status_code == 400
    gap = client.post(f"{BASE}/elecciones/1/papeleta/", {f"c{ana.pk}": "2"})
    assert gap.status_code == 400
    done = client.post(f"{BASE}/elecciones/1/papeleta/", {f"c{ana.pk}": "2", f"c{beto.pk}": "1"})
    assert done.status_code == 302
    actions_voting.ballot_cast(actor=gathering.net.ernesto, election=election, ranking=[[beto.pk]])
    client.logout()
    signed_in(client, bob)
    client.post(f"{BASE}/elecciones/1/cerrar/", {"tellers": ""})
    election = Election.objects.get()
    assert election.winners == ["Beto"]
    page = text(client.get(f"{BASE}/elecciones/1/"))
    assert "Beto" in page
    assert "2007" in page  # the Scottish rules are named on the page


def test_the_projector_shows_the_last_result(client: Client, gathering: Gathering) -> None:
    poll = open_poll(gathering)
    live = text(client.get(f"{BASE}/proyector/"))
    assert "Poll 1" in live or "Votación 1" in live
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    actions_voting.poll_close(actor=gathering.net.bob, poll=poll)
    shown = text(client.get(f"{BASE}/proyector/"))
    assert "Adopted" in shown or "Aprobad" in shown
    assert shown.count('<svg viewBox="0 0 100 4"') == 3


def test_the_projector_poll_sees_each_vote(
    client: Client, gathering: Gathering, django_capture_on_commit_callbacks: Any
) -> None:
    poll = open_poll(gathering)
    page = text(client.get(f"{BASE}/proyector/"))
    version = page.split("parte=panel&amp;v=")[1].split('"')[0]
    unchanged = client.get(f"{BASE}/proyector/", {"parte": "panel", "v": version})
    assert unchanged.status_code == 204
    # The count of votes is kept a second per process; the vote's commit makes it recount.
    with django_capture_on_commit_callbacks(execute=True):
        actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    changed = client.get(f"{BASE}/proyector/", {"parte": "panel", "v": version})
    assert changed.status_code == 200
    assert "Sí</th>" in text(changed) or "Yes</th>" in text(changed)


def test_the_outsider_is_refused(client: Client, gathering: Gathering) -> None:
    open_poll(gathering)
    election = actions_voting.election_create(
        actor=gathering.net.bob,
        assembly=gathering.assembly,
        title="Vocería",
        method="approval",
        seats=1,
    )
    signed_in(client, gathering.net.oscar)
    for url in (
        f"{BASE}/votaciones/nueva/",
        f"{BASE}/elecciones/nueva/",
        f"{BASE}/votos-rechazados/",
        f"{BASE}/votaciones/1/escrutinio/",
        f"{BASE}/elecciones/{election.number}/candidatos/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{BASE}/votaciones/1/cerrar/").status_code == 403
    refused = client.post(f"{BASE}/votaciones/1/votar/", {"choice": "yes"})
    assert refused.status_code == 302 and not RollEntry.objects.exists()
    gathering.assembly.visibility = Visibility.RESTRICTED
    gathering.assembly.save(update_fields=["visibility"])
    for url in (
        f"{BASE}/votaciones/",
        f"{BASE}/votaciones/1/",
        f"{BASE}/votar/",
        f"{BASE}/elecciones/1/",
        f"{BASE}/popolo.json",
        f"{BASE}/asistencia.csv",
        f"{BASE}/resultados.csv",
        f"{BASE}/sesiones.ics",
    ):
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_sign_in_to_vote(
    client: Client, gathering: Gathering
) -> None:
    assert client.get(f"{BASE}/votar/").status_code == 302
    assert client.get(f"{BASE}/votaciones/").status_code == 200


@pytest.mark.parametrize("url", ["votaciones/", "votaciones/1/"])
def test_pages_run_a_fixed_number_of_queries(
    client: Client, gathering: Gathering, django_assert_max_num_queries: Any, url: str
) -> None:
    poll = open_poll(gathering)
    signed_in(client, gathering.net.bob)

    def add_polls(n: int) -> None:
        for _ in range(n):
            actions_voting.poll_create(
                actor=gathering.net.bob,
                assembly=gathering.assembly,
                title="¿Sí?",
                decision_type="ordinary",
            )

    add_polls(2)
    actions_voting.vote_cast(actor=gathering.net.alice, poll=poll, choice="yes")
    with django_assert_max_num_queries(30) as small:
        assert client.get(f"{BASE}/{url}").status_code == 200
    add_polls(10)
    actions_voting.vote_cast(actor=gathering.net.ernesto, poll=poll, choice="no")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"{BASE}/{url}").status_code == 200
