"""Pages of polls, elections and exports. Thin views: they read through queries_voting, write
through actions_voting, and every page works without JavaScript (htmx only refreshes the
live parts).

- /asambleas/<slug>/votaciones/ — polls and elections, results, exports;
- /asambleas/<slug>/votar/ — the delegate's phone page: the open votes, one tap per choice;
- /asambleas/<slug>/votaciones/<n>/ — a poll: rule, quorum, result, legal basis, roll;
- /asambleas/<slug>/elecciones/<n>/ — an election: candidates, ballot, count and STV rounds;
- exports: popolo.json, sesiones.ics, asistencia.csv, resultados.csv, a poll's roll CSV.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from comuna.assemblies import actions_voting, exports_voting, queries, queries_voting
from comuna.assemblies.forms_voting import (
    BallotForm,
    CancelForm,
    CandidateForm,
    CloseElectionForm,
    ElectionForm,
    PaperResultsForm,
    PollForm,
)
from comuna.assemblies.models import Amendment, Assembly, Motion, Participant
from comuna.assemblies.models_voting import (
    Choice,
    Election,
    MajorityRule,
    Poll,
    PollMode,
    PollStatus,
)
from comuna.assemblies.pages import form_page
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.forms import add_domain_error, post_data
from comuna.core.pagination import is_htmx, paginate

BALLOT_POLL_SECONDS = 10


# Helpers --------------------------------------------------------------------------------------


def _assembly(request: HttpRequest, slug: str) -> Assembly:
    return queries.assembly_get(user=request.user, slug=slug)


def _run(request: HttpRequest, slug: str) -> Assembly:
    """For pages only who runs the assembly uses: 404 unseen, 403 seen."""
    assembly = _assembly(request, slug)
    if not queries.can_run(request.user, assembly):
        raise PermissionDeniedError(_("Only the people who run this assembly may do this."))
    return assembly


def _refused(request: HttpRequest, err: DomainError, to: str) -> HttpResponse:
    messages.error(request, err.message)
    return redirect(to)


def _poll_url(poll: Poll) -> str:
    return reverse("assemblies:poll", args=[poll.assembly.slug, poll.number])


def _election_url(election: Election) -> str:
    return reverse("assemblies:election", args=[election.assembly.slug, election.number])


# Lists ----------------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def votes(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(request, slug)
    perms = queries.permissions(request.user, assembly)
    polls, poll_query = paginate(request, queries_voting.polls(assembly))
    elections = Paginator(queries_voting.elections(assembly), settings.PAGE_SIZE).get_page(
        request.GET.get("elecciones")
    )
    context = {
        "assembly": assembly,
        "perms": perms,
        "polls": polls,
        "query": poll_query,
        "elections": elections,
        "quorum": queries.quorum(assembly),
    }
    if is_htmx(request):
        return render(request, "assemblies/voting/votes.html#poll_list", context)
    return render(request, "assemblies/voting/votes.html", context)


@require_GET
def refusals(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _run(request, slug)
    page, query = paginate(request, queries_voting.refusals(assembly))
    return render(
        request,
        "assemblies/voting/refusals.html",
        {"assembly": assembly, "page": page, "query": query},
    )


# Polls ----------------------------------------------------------------------------------------


def _motion_choices(assembly: Assembly) -> list[tuple[str, str]]:
    rows = (
        Motion.objects.filter(
            assembly=assembly, state__code__in=sorted(actions_voting.VOTABLE_STATES)
        )
        .order_by("id")
        .values_list("pk", "number", "title")[:300]
    )
    return [(str(pk), f"{number} {title}") for pk, number, title in rows]


def _amendment_choices(assembly: Assembly) -> list[tuple[str, str]]:
    rows = (
        Amendment.objects.filter(motion__assembly=assembly, status="submitted")
        .order_by("motion_id", "number")
        .values_list("pk", "motion__number", "number", "paragraph")[:300]
    )
    return [
        (
            str(pk),
            _("Motion %(motion)s, amendment %(number)s (paragraph %(paragraph)s)")
            % {"motion": motion, "number": number, "paragraph": paragraph},
        )
        for pk, motion, number, paragraph in rows
    ]


@login_required
@require_http_methods(["GET", "POST"])
def poll_new(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _run(request, slug)
    initial = {}
    if request.GET.get("mocion"):
        initial["motion"] = request.GET["mocion"]
    form = PollForm(
        post_data(request),
        initial=initial,
        motions=_motion_choices(assembly),
        amendments=_amendment_choices(assembly),
    )
    if form.is_valid():
        data = form.cleaned_data
        motion = (
            Motion.objects.filter(assembly=assembly, pk=int(data["motion"])).first()
            if data.get("motion")
            else None
        )
        amendment = (
            Amendment.objects.filter(motion__assembly=assembly, pk=int(data["amendment"])).first()
            if data.get("amendment")
            else None
        )
        try:
            poll = actions_voting.poll_create(
                actor=request.user,
                assembly=assembly,
                title=data["title"],
                decision_type=data["decision_type"],
                motion=motion,
                amendment=amendment,
                secret=data["secret"],
                weighted=data["weighted"],
                mode=data["mode"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The poll is ready. Open it when the vote starts."))
            return redirect(_poll_url(poll))
    return form_page(
        request,
        form,
        assembly=assembly,
        title=_("New poll"),
        back=reverse("assemblies:votes", args=[slug]),
        submit=_("Create the poll"),
        intro=_(
            "Simple majority: more yes than no. Absolute majority: more yes than half of all "
            "voting members. Two thirds: yes at least twice no. Abstentions are never votes "
            "cast. The quorum is checked when the poll opens and when it closes."
        ),
    )


@require_GET
@vary_on_headers("HX-Request")
def poll(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly = _assembly(request, slug)
    found = queries_voting.poll_get(assembly=assembly, number=number)
    perms = queries.permissions(request.user, assembly)
    page, query = paginate(request, queries_voting.roll(found))
    live = None
    if found.status == PollStatus.OPEN and not found.secret and found.mode == PollMode.ELECTRONIC:
        live = queries_voting.ballot_counts(found)
    context = {
        "assembly": assembly,
        "poll": found,
        "perms": perms,
        "page": page,
        "query": query,
        "live": live,
        "rule_explained": queries_voting.rule_explained(found.rule),
        "rule_label": MajorityRule(found.rule).label,
        "quorum": queries.quorum(assembly),
        "voted": queries_voting.has_voted(found, perms.participant),
        "choices": Choice.choices,
        "poll_seconds": BALLOT_POLL_SECONDS,
        "paper_form": PaperResultsForm() if found.mode == PollMode.PAPER else None,
    }
    if is_htmx(request) and request.GET.get("parte") == "estado":
        return render(request, "assemblies/voting/poll.html#state", context)
    return render(request, "assemblies/voting/poll.html", context)


def _poll_step(request: HttpRequest, slug: str, number: int, step: str) -> HttpResponse:
    assembly = _run(request, slug)
    found = queries_voting.poll_get(assembly=assembly, number=number)
    try:
        if step == "open":
            actions_voting.poll_open(actor=request.user, poll=found)
            messages.success(request, _("The poll is open: delegates can vote now."))
        else:
            closed = actions_voting.poll_close(actor=request.user, poll=found)
            messages.success(
                request,
                _("The poll is closed: %(verdict)s.") % {"verdict": closed.get_verdict_display()},
            )
    except DomainError as err:
        return _refused(request, err, _poll_url(found))
    return redirect(_poll_url(found))


@login_required
@require_POST
def poll_open(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _poll_step(request, slug, number, "open")


@login_required
@require_POST
def poll_close(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _poll_step(request, slug, number, "close")


@login_required
@require_http_methods(["GET", "POST"])
def poll_cancel(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly = _run(request, slug)
    found = queries_voting.poll_get(assembly=assembly, number=number)
    form = CancelForm(post_data(request))
    if form.is_valid():
        try:
            actions_voting.poll_cancel(
                actor=request.user, poll=found, reason=form.cleaned_data["reason"]
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The poll is cancelled."))
            return redirect(_poll_url(found))
    return form_page(
        request,
        form,
        assembly=assembly,
        title=_("Cancel poll %(number)s") % {"number": found.number},
        back=_poll_url(found),
        submit=_("Cancel the poll"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def poll_paper(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly = _run(request, slug)
    found = queries_voting.poll_get(assembly=assembly, number=number)
    form = PaperResultsForm(post_data(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            closed = actions_voting.poll_record_paper(
                actor=request.user,
                poll=found,
                yes=data["yes"],
                no=data["no"],
                abstain=data["abstain"],
                voters=data.get("voters"),
                tellers=data["tellers"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(
                request,
                _("The tellers' results are in: %(verdict)s.")
                % {"verdict": closed.get_verdict_display()},
            )
            return redirect(_poll_url(found))
    return form_page(
        request,
        form,
        assembly=assembly,
        title=_("Tellers' results of poll %(number)s") % {"number": found.number},
        back=_poll_url(found),
        submit=_("Record the results and close the poll"),
        intro=found.title,
    )


@require_GET
def poll_roll_csv(request: HttpRequest, slug: str, number: int) -> StreamingHttpResponse:
    found = queries_voting.poll_get(assembly=_assembly(request, slug), number=number)
    response = StreamingHttpResponse(
        exports_voting.roll_csv(found), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="votacion-{found.number}.csv"'
    return response


# The delegate's ballot page -------------------------------------------------------------------


@login_required
@require_GET
@vary_on_headers("HX-Request")
def ballot(request: HttpRequest, slug: str) -> HttpResponse:
    """The open polls and elections, one tap per choice (refreshed by htmx every few
    seconds; without JavaScript the page has a reload link)."""
    assembly = _assembly(request, slug)
    found = queries_voting.open_votes(request.user, assembly)
    context = {
        "assembly": assembly,
        "open": found,
        "participant": found.participant,
        "may_vote": queries.may_vote(found.participant),
        "choices": Choice.choices,
        "poll_seconds": BALLOT_POLL_SECONDS,
    }
    if is_htmx(request) and request.GET.get("parte") == "abiertas":
        return render(request, "assemblies/voting/ballot.html#open_votes", context)
    return render(request, "assemblies/voting/ballot.html", context)


@login_required
@require_POST
def poll_cast(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly = _assembly(request, slug)
    found = queries_voting.poll_get(assembly=assembly, number=number)
    back = reverse("assemblies:ballot", args=[slug])
    choice = request.POST.get("choice", "")
    try:
        actions_voting.vote_cast(actor=request.user, poll=found, choice=choice)
    except DomainError as err:
        return _refused(request, err, back)
    if found.secret:
        messages.success(
            request, _("Your vote in poll %(number)s is recorded.") % {"number": found.number}
        )
    else:
        messages.success(
            request,
            _("Your vote “%(choice)s” in poll %(number)s is recorded.")
            % {"choice": Choice(choice).label, "number": found.number},
        )
    return redirect(back)


# Elections ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def election_new(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _run(request, slug)
    form = ElectionForm(post_data(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            election = actions_voting.election_create(
                actor=request.user,
                assembly=assembly,
                title=data["title"],
                method=data["method"],
                seats=data["seats"],
                min_women=data["min_women"],
                min_men=data["min_men"],
                mode=data["mode"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The election is ready: add the candidates."))
            return redirect(_election_url(election))
    return form_page(
        request,
        form,
        assembly=assembly,
        title=_("New election"),
        back=reverse("assemblies:votes", args=[slug]),
        submit=_("Create the election"),
    )


@require_GET
def election(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly = _assembly(request, slug)
    found = queries_voting.election_get(assembly=assembly, number=number)
    perms = queries.permissions(request.user, assembly)
    page, query = paginate(request, queries_voting.election_roll(found))
    return render(
        request,
        "assemblies/voting/election.html",
        {
            "assembly": assembly,
            "election": found,
            "perms": perms,
            "candidates": queries_voting.candidates(found),
            "result": queries_voting.election_result(found),
            "method_explained": queries_voting.method_explained(found.method),
            "voted": queries_voting.has_voted_election(found, perms.participant),
            "page": page,
            "query": query,
            "quorum": queries.quorum(assembly),
            "close_form": CloseElectionForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate_new(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly = _run(request, slug)
    found = queries_voting.election_get(assembly=assembly, number=number)
    form = CandidateForm(post_data(request))
    if form.is_valid():
        data = form.cleaned_data
        participant = None
        if data.get("participant"):
            participant = Participant.objects.filter(
                assembly=assembly, number__iexact=data["participant"].strip()
            ).first()
            if participant is None:
                form.add_error("participant", _("No participant has this number."))
        if not form.errors:
            try:
                candidate = actions_voting.candidate_add(
                    actor=request.user,
                    election=found,
                    participant=participant,
                    name=data.get("name", ""),
                    gender=data.get("gender", ""),
                    organisation=data.get("organisation", ""),
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("%(name)s is a candidate.") % {"name": candidate.name})
                if "otro" in request.POST:
                    return redirect("assemblies:candidate_new", slug=slug, number=number)
                return redirect(_election_url(found))
    return form_page(
        request,
        form,
        assembly=assembly,
        title=_("Add a candidate to “%(title)s”") % {"title": found.title},
        back=_election_url(found),
        submit=_("Add the candidate"),
    )


def _election_step(request: HttpRequest, slug: str, number: int, step: str) -> HttpResponse:
    assembly = _run(request, slug)
    found = queries_voting.election_get(assembly=assembly, number=number)
    try:
        if step == "open":
            actions_voting.election_open(actor=request.user, election=found)
            messages.success(request, _("The election is open: delegates can vote now."))
        else:
            form = CloseElectionForm(request.POST)
            tellers = form.cleaned_data["tellers"] if form.is_valid() else ""
            actions_voting.election_close(actor=request.user, election=found, tellers=tellers)
            messages.success(request, _("The election is closed and counted."))
    except DomainError as err:
        return _refused(request, err, _election_url(found))
    return redirect(_election_url(found))


@login_required
@require_POST
def election_open(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _election_step(request, slug, number, "open")


@login_required
@require_POST
def election_close(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return _election_step(request, slug, number, "close")


@login_required
@require_http_methods(["GET", "POST"])
def election_cancel(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    assembly = _run(request, slug)
    found = queries_voting.election_get(assembly=assembly, number=number)
    form = CancelForm(post_data(request))
    if form.is_valid():
        try:
            actions_voting.election_cancel(
                actor=request.user, election=found, reason=form.cleaned_data["reason"]
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The election is cancelled."))
            return redirect(_election_url(found))
    return form_page(
        request,
        form,
        assembly=assembly,
        title=_("Cancel election %(number)s") % {"number": found.number},
        back=_election_url(found),
        submit=_("Cancel the election"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_ballot(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """The delegate's ballot (a number per candidate, or ticks for approval), or with
    ?papel=1 the tellers' form for one paper ballot."""
    assembly = _assembly(request, slug)
    found = queries_voting.election_get(assembly=assembly, number=number)
    paper = found.mode == PollMode.PAPER
    if paper and not queries.can_run(request.user, assembly):
        raise PermissionDeniedError(_("Only the tellers enter the paper ballots."))
    candidates = queries_voting.candidates(found)
    form = BallotForm(post_data(request), method=found.method, candidates=candidates, paper=paper)
    if form.is_valid():
        try:
            if paper:
                actions_voting.paper_ballot_enter(
                    actor=request.user,
                    election=found,
                    ranking=form.ranking(),
                    copies=form.cleaned_data["copies"],
                )
            else:
                actions_voting.ballot_cast(
                    actor=request.user, election=found, ranking=form.ranking()
                )
        except DomainError as err:
            if err.code in ("bad_ballot", "too_many") or "copies" in err.fields:
                add_domain_error(form, err)
            else:
                return _refused(request, err, reverse("assemblies:ballot", args=[slug]))
        else:
            if paper:
                messages.success(request, _("The paper ballot is entered."))
                return redirect("assemblies:election_ballot", slug=slug, number=number)
            messages.success(
                request,
                _("Your ballot in “%(title)s” is recorded.") % {"title": found.title},
            )
            return redirect("assemblies:ballot", slug=slug)
    return render(
        request,
        "assemblies/voting/election_ballot.html",
        {
            "assembly": assembly,
            "election": found,
            "form": form,
            "paper": paper,
            "method_explained": queries_voting.method_explained(found.method),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# Exports --------------------------------------------------------------------------------------


@require_GET
def popolo(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(request, slug)
    data = exports_voting.popolo(assembly, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{assembly.slug}-popolo.json"'
    return response


@require_GET
def sessions_ics(request: HttpRequest, slug: str) -> HttpResponse:
    assembly = _assembly(request, slug)
    url = request.build_absolute_uri(reverse("assemblies:assembly", args=[slug]))
    text = exports_voting.sessions_ical(assembly, url=url, host=request.get_host() or "comuna")
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{assembly.slug}.ics"'
    return response


@require_GET
def attendance_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    assembly = _assembly(request, slug)
    response = StreamingHttpResponse(
        exports_voting.attendance_csv(assembly), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{assembly.slug}-asistencia.csv"'
    return response


@require_GET
def results_csv(request: HttpRequest, slug: str) -> StreamingHttpResponse:
    assembly = _assembly(request, slug)
    response = StreamingHttpResponse(
        exports_voting.results_csv(assembly), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{assembly.slug}-resultados.csv"'
    return response
