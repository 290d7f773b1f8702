"""Pages of the assemblies (the event side): the list and page of an assembly, delegations,
participants and the credentials desk with check-in by number or QR code, printable badges,
the agenda and speakers lists, the projector, working groups, motions with amendments and
forwarding, minutes, the declaration and the resolutions board. Thin views: reads through
`queries`, writes through `actions`; every page works without JavaScript."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from comuna.assemblies import actions, queries, queries_voting
from comuna.assemblies.forms import (
    AddSpeakerForm,
    AgendaItemForm,
    AmendmentDecisionForm,
    AmendmentForm,
    ApproveForm,
    AssemblyEditForm,
    AssemblyFilterForm,
    AssemblyForm,
    CheckInForm,
    ConvenorForm,
    CredentialForm,
    DeclarationForm,
    DelegateForm,
    DelegationForm,
    EndorseForm,
    ForwardForm,
    MinutesForm,
    MotionForm,
    ParticipantFilterForm,
    ParticipantForm,
    ReportForm,
    ResolutionForm,
    ResolutionUpdateForm,
    RevisionForm,
    SessionForm,
    SpeakForm,
    StatusForm,
    SupportForm,
    TransitionForm,
    WorkingGroupForm,
)
from comuna.assemblies.models import (
    Assembly,
    AssemblyStatus,
    DeclarationStatus,
    MinutesStatus,
    Motion,
    MotionState,
    ParticipantKind,
    SpeakerStatus,
)
from comuna.assemblies.pages import form_page
from comuna.core import access
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.forms import add_domain_error, post_data
from comuna.core.fragments import cached_fragment
from comuna.core.models import Organisation
from comuna.core.pagination import is_htmx, paginate

BADGES_PER_PAGE = 12
PROJECTOR_POLL_SECONDS = 3


# Helpers ------------------------------------------------------------------------------------


def _assembly(request: HttpRequest, slug: str) -> tuple[Assembly, queries.AssemblyPermissions]:
    assembly = queries.assembly_get(user=request.user, slug=slug)
    return assembly, queries.permissions(request.user, assembly)


def _run(request: HttpRequest, slug: str) -> Assembly:
    """The assembly, for a page that only its coordinators use (404 unseen, 403 otherwise)."""
    assembly = queries.assembly_get(user=request.user, slug=slug)
    if not queries.can_run(request.user, assembly):
        raise PermissionDeniedError(
            _("Only a coordinator of the convening organisation may do this.")
        )
    return assembly


def _organisation(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug.strip(), archived_at__isnull=True).first()


def _done(request: HttpRequest, message: str, to: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(to)


# Assemblies ---------------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    form = AssemblyFilterForm(request.GET or None)
    scope = status = ""
    if form.is_valid():
        scope = form.cleaned_data["ambito"]
        status = form.cleaned_data["estado"]
    page, query = paginate(request, queries.assemblies(request.user, scope=scope, status=status))
    return render(
        request,
        "assemblies/home.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "can_convene": bool(queries.convening_choices(request.user)),
            "received": queries.motions_received(request.user).exists()
            if request.user.is_authenticated
            else False,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assembly_new(request: HttpRequest) -> HttpResponse:
    owners = queries.convening_choices(request.user)
    if not owners:
        raise PermissionDeniedError(
            _("Only a coordinator of the convening organisation may convene an assembly.")
        )
    form = AssemblyForm(post_data(request), owners=[(o.pk, o.name) for o in owners])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = next(o for o in owners if o.pk == data.pop("owner"))
        try:
            assembly = actions.assembly_create(actor=request.user, owner=owner, **data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(
                request,
                _("The assembly was created."),
                reverse("assemblies:assembly", args=[assembly.slug]),
            )
    return form_page(request, form, title=_("Convene an assembly"), back=reverse("assemblies:home"))


@require_GET
@vary_on_headers("HX-Request")
def assembly(request: HttpRequest, slug: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    context = {
        "assembly": item,
        "perms": perms,
        "quorum": queries.quorum(item),
        "attendance": queries.attendance(item),
    }
    if is_htmx(request) and request.GET.get("parte") == "presencia":
        return render(request, "assemblies/assembly.html#presence", context)
    context.update(
        {
            "convenors": list(queries.convenors(item)),
            "sessions": list(queries.sessions(item)),
            "status_form": StatusForm(initial={"status": item.status}) if perms.run else None,
            "status_moves": [
                (value, AssemblyStatus(value).label)
                for value in sorted(actions.STATUS_MOVES[AssemblyStatus(item.status)])
            ],
            "agenda_minutes": queries.agenda_minutes(item),
        }
    )
    return render(request, "assemblies/assembly.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def assembly_edit(request: HttpRequest, slug: str) -> HttpResponse:
    item = _run(request, slug)
    initial = {
        name: getattr(item, name)
        for name in (
            "title",
            "scope",
            "starts_on",
            "ends_on",
            "venue",
            "description",
            "quorum_share",
            "speaking_seconds",
            "visibility",
        )
    }
    form = AssemblyEditForm(post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.assembly_update(actor=request.user, assembly=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(
                request, _("The assembly was saved."), reverse("assemblies:assembly", args=[slug])
            )
    back = reverse("assemblies:assembly", args=[slug])
    return form_page(request, form, title=_("Edit the assembly"), back=back, assembly=item)


@login_required
@require_POST
def assembly_status(request: HttpRequest, slug: str) -> HttpResponse:
    item = _run(request, slug)
    form = StatusForm(request.POST)
    back = reverse("assemblies:assembly", args=[slug])
    if not form.is_valid():
        messages.error(request, _("Choose one of the options shown."))
        return redirect(back)
    try:
        actions.assembly_set_status(
            actor=request.user, assembly=item, status=form.cleaned_data["status"]
        )
    except DomainError as err:
        messages.error(request, err.message)
        return redirect(back)
    return _done(request, _("The status of the assembly was changed."), back)


@login_required
@require_http_methods(["GET", "POST"])
def convenor_new(request: HttpRequest, slug: str) -> HttpResponse:
    item = _run(request, slug)
    form = ConvenorForm(post_data(request))
    back = reverse("assemblies:assembly", args=[slug])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organisation = None
        if data["organisation"]:
            organisation = _organisation(data["organisation"])
            if organisation is None:
                form.add_error("organisation", _("No organisation has this short name."))
        elif not data["name"].strip():
            form.add_error("name", _("Give a registered organisation or a name."))
        if not form.errors:
            try:
                actions.convenor_add(
                    actor=request.user,
                    assembly=item,
                    organisation=organisation,
                    name=data["name"],
                    country=data["country"],
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return _done(request, _("The convenor was added."), back)
    return form_page(request, form, title=_("Add a convenor"), back=back, assembly=item)


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, slug: str) -> HttpResponse:
    item = _run(request, slug)
    form = SessionForm(post_data(request))
    back = reverse("assemblies:assembly", args=[slug])
    if request.method == "POST" and form.is_valid():
        try:
            actions.session_add(actor=request.user, assembly=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(request, _("The session was added."), back)
    return form_page(request, form, title=_("Add a session"), back=back, assembly=item)


# Delegations and participants ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def delegations(request: HttpRequest, slug: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    form = None
    if perms.run:
        form = DelegationForm(post_data(request))
        if request.method == "POST" and form.is_valid():
            organisation = _organisation(form.cleaned_data["organisation"])
            if organisation is None:
                form.add_error("organisation", _("No organisation has this short name."))
            else:
                try:
                    actions.delegation_invite(
                        actor=request.user,
                        assembly=item,
                        organisation=organisation,
                        quota=form.cleaned_data["quota"],
                        instructions=form.cleaned_data["instructions"],
                    )
                except DomainError as err:
                    add_domain_error(form, err)
                else:
                    return _done(
                        request,
                        _("The delegation was invited."),
                        reverse("assemblies:delegations", args=[slug]),
                    )
    elif request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        raise PermissionDeniedError(
            _("Only a coordinator of the convening organisation may do this.")
        )
    page, query = paginate(request, queries.delegations(item), per_page=50)
    return render(
        request,
        "assemblies/delegations.html",
        {"assembly": item, "perms": perms, "page": page, "query": query, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def delegation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item, perms = _assembly(request, slug)
    found = queries.delegation_get(assembly=item, pk=pk)
    manages = perms.run or found.pk in perms.delegations
    form = DelegateForm(post_data(request)) if manages else None
    if request.method == "POST":
        if form is None:
            if not request.user.is_authenticated:
                return redirect(f"{reverse('core:login')}?next={request.path}")
            raise PermissionDeniedError(
                _("Only the delegation's organisation or the assembly's coordinators may do this.")
            )
        if form.is_valid():
            try:
                actions.delegate_register(actor=request.user, delegation=found, **form.cleaned_data)
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return _done(
                    request,
                    _("The delegate was registered; the credentials desk will check the mandate."),
                    reverse("assemblies:delegation", args=[slug, pk]),
                )
    delegates = list(queries.participants(item).filter(delegation=found))
    return render(
        request,
        "assemblies/delegation.html",
        {
            "assembly": item,
            "perms": perms,
            "delegation": found,
            "delegates": delegates,
            "manages": manages,
            "form": form,
            "full": len(delegates) >= found.quota,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
def participants(request: HttpRequest, slug: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    form = ParticipantFilterForm(request.GET or None)
    filters: dict[str, str] = {}
    if form.is_valid():
        filters = {
            "q": form.cleaned_data["q"],
            "kind": form.cleaned_data["tipo"],
            "credential": form.cleaned_data["credencial"],
            "present": form.cleaned_data["presente"],
        }
    page, query = paginate(request, queries.participants(item, **filters), per_page=50)
    return render(
        request,
        "assemblies/participants.html",
        {"assembly": item, "perms": perms, "page": page, "query": query, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_new(request: HttpRequest, slug: str) -> HttpResponse:
    item = _run(request, slug)
    form = ParticipantForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            found = actions.participant_add(actor=request.user, assembly=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(
                request,
                _("The participant was added."),
                reverse("assemblies:participant", args=[slug, found.pk]),
            )
    back = reverse("assemblies:participants", args=[slug])
    return form_page(request, form, title=_("Add a guest or an observer"), back=back, assembly=item)


@require_http_methods(["GET", "POST"])
def participant(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item, perms = _assembly(request, slug)
    found = queries.participant_get(assembly=item, pk=pk)
    form = CredentialForm(post_data(request)) if perms.run else None
    if request.method == "POST":
        if form is None:
            if not request.user.is_authenticated:
                return redirect(f"{reverse('core:login')}?next={request.path}")
            raise PermissionDeniedError(
                _("Only a coordinator of the convening organisation may do this.")
            )
        if form.is_valid():
            try:
                actions.credential_decide(
                    actor=request.user,
                    participant=found,
                    accept=form.cleaned_data["decision"] == "accept",
                    note=form.cleaned_data["note"],
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return _done(
                    request,
                    _("The credentials desk's decision was recorded."),
                    reverse("assemblies:participant", args=[slug, pk]),
                )
    return render(
        request,
        "assemblies/participant.html",
        {
            "assembly": item,
            "perms": perms,
            "participant": found,
            "mandate_visible": queries.can_see_mandate(request.user, item, found),
            "form": form,
            "groups": list(found.working_groups.all()),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def participant_check_out(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _run(request, slug)
    found = queries.participant_get(assembly=item, pk=pk)
    actions.participant_check_out(actor=request.user, participant=found)
    return _done(
        request,
        _("%(name)s left the hall.") % {"name": found.name},
        request.POST.get("next") or reverse("assemblies:desk", args=[slug]),
    )


def _badge_url(request: HttpRequest, item: Assembly, code: str) -> str:
    return request.build_absolute_uri(
        reverse("assemblies:desk", args=[item.slug]) + f"?codigo={code}"
    )


@vary_on_headers("HX-Request")
@login_required
@require_http_methods(["GET", "POST"])
def desk(request: HttpRequest, slug: str) -> HttpResponse:
    """The credentials desk: check in by number, or by the badge's QR code (which opens this
    page with ?codigo=...). A GET with a code shows who it is; a POST checks them in."""
    item = _run(request, slug)
    found = None
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                found = actions.participant_check_in(
                    actor=request.user, assembly=item, code=form.cleaned_data["codigo"]
                )
            except DomainError as err:
                form.add_error("codigo", err.message)
            else:
                messages.success(
                    request,
                    _("%(name)s (%(number)s) is checked in.")
                    % {"name": found.name, "number": found.number},
                )
                return redirect("assemblies:desk", slug=slug)
    else:
        form = CheckInForm(request.GET if request.GET.get("codigo") else None)
        if form.is_bound and form.is_valid():
            found = queries.participant_find(item, form.cleaned_data["codigo"])
            if found is None:
                form.add_error("codigo", _("No participant has this number or badge code."))
    context = {
        "assembly": item,
        "form": form,
        "found": found,
        "quorum": queries.quorum(item),
        "attendance": queries.attendance(item),
        "recent": list(
            queries.participants(item, present="yes").order_by("-checked_in_at", "-id")[:10]
        ),
        "today": timezone.localdate(),
        "poll_seconds": 10,
    }
    if is_htmx(request) and request.method == "GET" and request.GET.get("parte") == "presencia":
        return render(request, "assemblies/desk.html#presence", context)
    return render(request, "assemblies/desk.html", context, status=400 if form.errors else 200)


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, omitsize=False)


@login_required
@require_GET
def badges(request: HttpRequest, slug: str) -> HttpResponse:
    """Printable badges with a QR code each, a page of twelve at a time."""
    item = _run(request, slug)
    form = ParticipantFilterForm(request.GET or None)
    filters: dict[str, str] = {}
    if form.is_valid():
        filters = {
            "q": form.cleaned_data["q"],
            "kind": form.cleaned_data["tipo"],
            "credential": form.cleaned_data["credencial"],
        }
    page, query = paginate(request, queries.participants(item, **filters), BADGES_PER_PAGE)
    cards = [
        {"participant": p, "qr": mark_safe(_qr_svg(_badge_url(request, item, p.badge_code)))}  # noqa: S308 - segno's own SVG
        for p in page.object_list
    ]
    return render(
        request,
        "assemblies/badges.html",
        {"assembly": item, "page": page, "query": query, "cards": cards, "form": form},
    )


# Agenda, speakers, projector ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def agenda(request: HttpRequest, slug: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    nodes = queries.agenda_flat(item)
    form = None
    if perms.run:
        form = AgendaItemForm(
            post_data(request), parents=[(n.item.pk, f"{n.number}. {n.item.title}") for n in nodes]
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            parent_pk = data.pop("parent")
            parent = next((n.item for n in nodes if n.item.pk == parent_pk), None)
            try:
                actions.agenda_item_add(actor=request.user, assembly=item, parent=parent, **data)
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return _done(
                    request,
                    _("The item was added to the agenda."),
                    reverse("assemblies:agenda", args=[slug]),
                )
    elif request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        raise PermissionDeniedError(
            _("Only a coordinator of the convening organisation may do this.")
        )
    return render(
        request,
        "assemblies/agenda.html",
        {
            "assembly": item,
            "perms": perms,
            "nodes": nodes,
            "form": form,
            "total_minutes": queries.agenda_minutes(item, nodes),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def agenda_current(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _run(request, slug)
    target = queries.item_get(assembly=item, pk=pk)
    try:
        actions.agenda_item_set_current(actor=request.user, assembly=item, item=target)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The plenary is now on this item."))
    return redirect("assemblies:item", slug=slug, pk=pk)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def agenda_item(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An agenda item and its speakers list: participants ask for the floor; who runs the
    assembly adds speakers and gives the floor to the next one."""
    item, perms = _assembly(request, slug)
    target = queries.item_get(assembly=item, pk=pk)
    speak_form = SpeakForm(post_data(request)) if perms.participant is not None else None
    add_form = AddSpeakerForm(post_data(request)) if perms.run else None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        which = request.POST.get("accion", "")
        try:
            if which == "pedir" and speak_form is not None and speak_form.is_valid():
                actions.speaker_add(
                    actor=request.user, item=target, stance=speak_form.cleaned_data["stance"]
                )
                return _done(
                    request,
                    _("You are on the speakers list."),
                    reverse("assemblies:item", args=[slug, pk]),
                )
            if which == "agregar" and add_form is not None and add_form.is_valid():
                speaker = queries.participant_find(item, add_form.cleaned_data["number"])
                if speaker is None:
                    add_form.add_error("number", _("No participant has this number."))
                else:
                    actions.speaker_add(
                        actor=request.user,
                        item=target,
                        participant=speaker,
                        stance=add_form.cleaned_data["stance"],
                    )
                    return _done(
                        request,
                        _("%(name)s is on the speakers list.") % {"name": speaker.name},
                        reverse("assemblies:item", args=[slug, pk]),
                    )
            elif which == "siguiente" and perms.run:
                actions.speaker_next(actor=request.user, item=target)
                return redirect("assemblies:item", slug=slug, pk=pk)
            elif which == "retirar":
                turn = request.POST.get("turno", "")
                entry = queries.speaker_get(assembly=item, pk=int(turn) if turn.isdigit() else 0)
                actions.speaker_withdraw(actor=request.user, entry=entry)
                return _done(
                    request,
                    _("The speaker was withdrawn from the list."),
                    reverse("assemblies:item", args=[slug, pk]),
                )
            elif which not in {"pedir", "agregar"}:
                raise PermissionDeniedError(
                    _("Only a coordinator of the convening organisation may do this.")
                )
            elif (which == "pedir" and speak_form is None) or (
                which == "agregar" and add_form is None
            ):
                raise PermissionDeniedError(_("Only participants may ask for the floor."))
        except DomainError as err:
            messages.error(request, err.message)
            return redirect("assemblies:item", slug=slug, pk=pk)
    entries = list(queries.speakers(target))
    context = {
        "assembly": item,
        "perms": perms,
        "item": target,
        "entries": entries,
        "speaking": next((e for e in entries if e.status == SpeakerStatus.SPEAKING), None),
        "waiting": [e for e in entries if e.status == SpeakerStatus.WAITING],
        "speak_form": speak_form,
        "add_form": add_form,
        "own_waiting": [
            e
            for e in entries
            if perms.participant
            and e.participant_id == perms.participant.pk
            and e.status == SpeakerStatus.WAITING
        ],
    }
    bound_errors = any(f is not None and f.is_bound and f.errors for f in (speak_form, add_form))
    return render(request, "assemblies/item.html", context, status=400 if bound_errors else 200)


def _projector_version(item: Assembly) -> str:
    """Changes whenever the projector's content may change: the assembly's version (bumped
    by every action on it), the voting part's own version, the language."""
    extra = queries_voting.projector_version(item)
    raw = f"{item.pk}:{item.version}:{extra}:{get_language()}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _projector_context(item: Assembly, version: str) -> dict[str, Any]:
    current = item.current_item
    speaker = queries.current_speaker(current)
    ends_at = None
    if speaker is not None and speaker.started_at is not None:
        ends_at = speaker.started_at + timedelta(seconds=speaker.seconds)
    waiting = (
        list(queries.speakers(current).filter(status=SpeakerStatus.WAITING)[:5])
        if current is not None
        else []
    )
    results = queries_voting.projector_results(item)
    return {
        "assembly": item,
        "current": current,
        "speaker": speaker,
        "ends_at": ends_at,
        "waiting": waiting,
        "quorum": queries.quorum(item),
        "results": results,
        "has_results": results is not None,
        "poll_seconds": PROJECTOR_POLL_SECONDS,
        "version": version,
    }


@require_GET
@vary_on_headers("HX-Request")
def projector(request: HttpRequest, slug: str) -> HttpResponse:
    """The big screen: current item, speaker and timer, quorum, live results.

    htmx polls the panel with the version it shows (`?parte=panel&v=...`): when nothing
    changed the answer is 204 No Content (htmx leaves the screen alone) after one small
    query; a client that sends If-None-Match with the panel's ETag gets 304. Without
    JavaScript the page reloads itself (a meta refresh inside <noscript>)."""
    item = queries.assembly_get(user=request.user, slug=slug)
    version = _projector_version(item)
    etag = f'"{version}"'
    panel = request.GET.get("parte") == "panel"
    if panel and request.GET.get("v") == version:
        response = HttpResponse(status=204)
        response["ETag"] = etag
        return response
    if panel and request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    # The panel is the same for everyone who may see the assembly: rendered once per version
    # and process, so hundreds of screens polling cost a few small queries each.
    panel_html = cached_fragment(
        f"assemblies:projector:{item.pk}:{version}",
        lambda: render_to_string(
            "assemblies/projector.html#panel", _projector_context(item, version)
        ),
    )
    if panel:
        response = HttpResponse(panel_html)
    else:
        response = render(
            request, "assemblies/projector.html", {"assembly": item, "panel_html": panel_html}
        )
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


# Working groups -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def working_groups(request: HttpRequest, slug: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    form = WorkingGroupForm(post_data(request)) if perms.run else None
    if request.method == "POST":
        if form is None:
            if not request.user.is_authenticated:
                return redirect(f"{reverse('core:login')}?next={request.path}")
            raise PermissionDeniedError(
                _("Only a coordinator of the convening organisation may do this.")
            )
        if form.is_valid():
            data = dict(form.cleaned_data)
            people: dict[str, Any] = {}
            for role in ("facilitator", "rapporteur"):
                code = data.pop(role)
                people[role] = queries.participant_find(item, code) if code else None
                if code and people[role] is None:
                    form.add_error(role, _("No participant has this number."))
            if not form.errors:
                try:
                    group = actions.working_group_create(
                        actor=request.user, assembly=item, **data, **people
                    )
                except DomainError as err:
                    add_domain_error(form, err)
                else:
                    return _done(
                        request,
                        _("The working group was created."),
                        reverse("assemblies:group", args=[slug, group.slug]),
                    )
    page, query = paginate(request, queries.working_groups(item), per_page=50)
    return render(
        request,
        "assemblies/groups.html",
        {"assembly": item, "perms": perms, "page": page, "query": query, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def working_group(request: HttpRequest, slug: str, group: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    found = queries.working_group_get(assembly=item, slug=group)
    own = perms.participant
    may_report = perms.run or (
        own is not None and own.pk in {found.rapporteur_id, found.facilitator_id}
    )
    form = ReportForm(post_data(request), initial={"report": found.report}) if may_report else None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        back = reverse("assemblies:group", args=[slug, group])
        if request.POST.get("accion") == "unirme":
            try:
                actions.working_group_join(actor=request.user, group=found)
            except DomainError as err:
                messages.error(request, err.message)
                return redirect(back)
            return _done(request, _("You joined the working group."), back)
        if request.POST.get("accion") == "agregar":
            if not perms.run:
                raise PermissionDeniedError(
                    _("Only a coordinator of the convening organisation may do this.")
                )
            member = queries.participant_find(item, request.POST.get("numero", ""))
            if member is None:
                messages.error(request, _("No participant has this number."))
                return redirect(back)
            try:
                actions.working_group_join(actor=request.user, group=found, participant=member)
            except DomainError as err:
                messages.error(request, err.message)
                return redirect(back)
            return _done(
                request,
                _("%(name)s joined the working group.") % {"name": member.name},
                back,
            )
        if form is None:
            raise PermissionDeniedError(
                _("Only the rapporteur or the facilitator may write the report.")
            )
        if form.is_valid():
            try:
                actions.working_group_report(
                    actor=request.user, group=found, report=form.cleaned_data["report"]
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return _done(request, _("The report was saved."), back)
    members = list(queries.working_group_members(found)[:500])
    return render(
        request,
        "assemblies/group.html",
        {
            "assembly": item,
            "perms": perms,
            "group": found,
            "members": members,
            "is_member": own is not None and any(m.pk == own.pk for m in members),
            "motions": list(queries.motions(item, group=found.slug)[:200]),
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


# Motions --------------------------------------------------------------------------------------


@require_GET
def motions(request: HttpRequest, slug: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    state = request.GET.get("estado", "")
    group = request.GET.get("mesa", "")
    page, query = paginate(request, queries.motions(item, state=state, group=group), 50)
    return render(
        request,
        "assemblies/motions.html",
        {
            "assembly": item,
            "perms": perms,
            "page": page,
            "query": query,
            "states": queries.motion_states(),
            "groups": list(item.working_groups.order_by("topic").values_list("slug", "topic")),
            "state": state,
            "group": group,
        },
    )


def _behalf_choices(request: HttpRequest, item: Assembly) -> list[tuple[str, str]]:
    """Who the user may submit a motion as: themselves (a delegate), a working group they
    belong to, an invited organisation they speak for."""
    perms = queries.permissions(request.user, item)
    choices: list[tuple[str, str]] = []
    own = perms.participant
    if own is not None and own.kind == ParticipantKind.DELEGATE:
        choices.append(("", _("Myself, as a delegate")))
        for slug, topic in own.working_groups.values_list("slug", "topic"):
            choices.append((f"mesa:{slug}", _("Working group: %(topic)s") % {"topic": topic}))
    choices.extend(
        (f"org:{d.organisation.slug}", d.organisation.name)
        for d in queries.delegations(item)
        if d.pk in perms.delegations
    )
    if perms.run:
        if not choices or choices[0][0] != "":
            choices.insert(0, ("", _("The convening organisation")))
        for slug, topic in item.working_groups.values_list("slug", "topic"):
            key = f"mesa:{slug}"
            if all(c[0] != key for c in choices):
                choices.append((key, _("Working group: %(topic)s") % {"topic": topic}))
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def motion_new(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.assembly_get(user=request.user, slug=slug)
    behalf = _behalf_choices(request, item)
    if not behalf:
        raise PermissionDeniedError(_("Only delegates may submit motions."))
    form = MotionForm(post_data(request), behalf=behalf)
    if request.method == "POST" and form.is_valid():
        choice = form.cleaned_data["on_behalf"] or ""
        group = origin = None
        if choice.startswith("mesa:"):
            group = queries.working_group_get(assembly=item, slug=choice[5:])
        elif choice.startswith("org:"):
            origin = _organisation(choice[4:])
        try:
            motion = actions.motion_create(
                actor=request.user,
                assembly=item,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                working_group=group,
                origin=origin,
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(
                request,
                _("The motion was submitted."),
                reverse("assemblies:motion", args=[motion.pk]),
            )
    back = reverse("assemblies:motions", args=[slug])
    return form_page(request, form, title=_("Submit a motion"), back=back, assembly=item)


def _motion_context(request: HttpRequest, motion: Motion) -> dict[str, Any]:
    user = request.user
    runs = queries.can_run_motion(user, motion)
    perms = queries.permissions(user, motion.assembly) if motion.assembly else None
    own = perms.participant if perms else None
    amendments = list(queries.amendments(motion))
    paragraphs = motion.paragraphs()
    by_paragraph: dict[int, list[Any]] = {}
    for amendment in amendments:
        by_paragraph.setdefault(amendment.paragraph, []).append(amendment)
    states = {s.code: s for s in MotionState.objects.all()}
    next_states = [
        (code, states[code].label) for code in motion.state.next_codes or [] if code in states
    ]
    if not runs:
        next_states = [
            (code, label)
            for code, label in next_states
            if own is not None
            and own.pk == motion.submitter_id
            and code in {"submitted", "withdrawn"}
        ]
    return {
        "motion": motion,
        "assembly": motion.assembly,
        "perms": perms,
        "runs": runs,
        "paragraphs": [
            {"number": index, "text": text, "amendments": by_paragraph.get(index, [])}
            for index, text in enumerate(paragraphs, start=1)
        ],
        "amendments": [
            {"amendment": a, "diff": queries.diff_html(a.original, a.proposed)} for a in amendments
        ],
        "supports": list(queries.supports(motion)),
        "events": list(queries.motion_events(motion)),
        "forwards": list(queries.forwards(motion)),
        "chain": queries.forward_chain(motion),
        "next_states": next_states,
        "amendable": motion.state.code in actions.AMENDABLE,
        "can_amend": motion.state.code in actions.AMENDABLE
        and (runs or (own is not None and own.kind == ParticipantKind.DELEGATE)),
        "can_support": not motion.state.is_final
        and (own is not None or bool(_support_choices(request, motion))),
        "results": queries_voting.motion_results(motion),
    }


def _support_choices(request: HttpRequest, motion: Motion) -> list[tuple[str, str]]:
    viewer = access.viewer_for(request.user)
    if not viewer.in_network:
        return []
    return [
        (str(o.pk), o.name)
        for o in Organisation.objects.filter(
            pk__in=viewer.organisations_with(["coordinator", "spokesperson"])
        ).order_by("name")
    ]


@require_GET
def motion(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.motion_get(user=request.user, pk=pk)
    return render(request, "assemblies/motion.html", _motion_context(request, found))


@login_required
@require_POST
def motion_transition(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.motion_get(user=request.user, pk=pk)
    states = [(s.code, s.label) for s in MotionState.objects.all()]
    form = TransitionForm(request.POST, states=states)
    back = reverse("assemblies:motion", args=[pk])
    if not form.is_valid():
        messages.error(request, _("Choose one of the options shown."))
        return redirect(back)
    try:
        actions.motion_transition(
            actor=request.user,
            motion=found,
            state_code=form.cleaned_data["state"],
            note=form.cleaned_data["note"],
        )
    except DomainError as err:
        messages.error(request, err.message)
        return redirect(back)
    return _done(request, _("The motion changed state."), back)


@login_required
@require_POST
def motion_support(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.motion_get(user=request.user, pk=pk)
    back = reverse("assemblies:motion", args=[pk])
    choices = _support_choices(request, found)
    form = SupportForm(request.POST, behalf=[("", ""), *choices])
    organisation = None
    if form.is_valid() and form.cleaned_data["organisation"]:
        organisation = Organisation.objects.filter(
            pk=int(form.cleaned_data["organisation"])
        ).first()
    elif not form.is_valid():
        messages.error(request, _("Choose one of the options shown."))
        return redirect(back)
    try:
        actions.motion_support(actor=request.user, motion=found, organisation=organisation)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect(back)
    return _done(request, _("Your support was recorded."), back)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.motion_get(user=request.user, pk=pk)
    context = _motion_context(request, found)
    if not context["can_amend"]:
        if not context["amendable"]:
            messages.error(request, _("This motion can no longer be amended."))
            return redirect("assemblies:motion", pk=pk)
        raise PermissionDeniedError(_("Only delegates may propose amendments."))
    paragraphs = found.paragraphs()
    initial = {}
    chosen = request.GET.get("parrafo", "")
    if chosen.isdigit() and 1 <= int(chosen) <= len(paragraphs):
        initial = {"paragraph": int(chosen), "proposed": paragraphs[int(chosen) - 1]}
    form = AmendmentForm(post_data(request), paragraphs=paragraphs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.amendment_propose(actor=request.user, motion=found, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(
                request,
                _("The amendment was proposed."),
                reverse("assemblies:motion", args=[pk]),
            )
    return form_page(
        request,
        form,
        title=_("Amend motion %(number)s") % {"number": found.number},
        back=reverse("assemblies:motion", args=[pk]),
        assembly=found.assembly,
        intro=_("An amendment gives a new wording for one paragraph."),
    )


@login_required
@require_POST
def amendment_decide(request: HttpRequest, pk: int, amendment: int) -> HttpResponse:
    found = queries.motion_get(user=request.user, pk=pk)
    target = queries.amendment_get(motion=found, pk=amendment)
    form = AmendmentDecisionForm(request.POST)
    back = reverse("assemblies:motion", args=[pk])
    if not form.is_valid():
        messages.error(request, _("Choose one of the options shown."))
        return redirect(back)
    try:
        actions.amendment_decide(actor=request.user, amendment=target, **form.cleaned_data)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect(back)
    return _done(request, _("The decision on the amendment was recorded."), back)


@login_required
@require_http_methods(["GET", "POST"])
def motion_forward(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.motion_get(user=request.user, pk=pk)
    if not queries.can_run_motion(request.user, found):
        raise PermissionDeniedError(
            _("Only a coordinator of the convening organisation may do this.")
        )
    targets = queries.forward_targets(request.user, found)
    form = ForwardForm(post_data(request), targets=[(a.slug, a.title) for a in targets])
    if request.method == "POST" and form.is_valid():
        to_assembly = next((a for a in targets if a.slug == form.cleaned_data["to_assembly"]), None)
        to_body = None
        if form.cleaned_data["to_body"]:
            to_body = _organisation(form.cleaned_data["to_body"])
            if to_body is None:
                form.add_error("to_body", _("No organisation has this short name."))
        if not form.errors:
            try:
                copy = actions.motion_forward(
                    actor=request.user,
                    motion=found,
                    to_assembly=to_assembly,
                    to_body=to_body,
                    note=form.cleaned_data["note"],
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                return _done(
                    request,
                    _("The motion was sent; it keeps its origin."),
                    reverse("assemblies:motion", args=[copy.pk]),
                )
    return form_page(
        request,
        form,
        title=_("Send motion %(number)s to another body") % {"number": found.number},
        back=reverse("assemblies:motion", args=[pk]),
        assembly=found.assembly,
        intro=_(
            "Up to a higher body (a council's motion to the communal parliament) or down to "
            "the units (a decision to carry out)."
        ),
    )


@login_required
@require_GET
def motions_received(request: HttpRequest) -> HttpResponse:
    page, query = paginate(request, queries.motions_received(request.user), 50)
    return render(request, "assemblies/received.html", {"page": page, "query": query})


# Minutes, declaration, resolutions ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, slug: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    found = queries.minutes_of(item)
    back = reverse("assemblies:minutes", args=[slug])
    edit_form = approve_form = None
    if perms.run and found is not None and found.status == MinutesStatus.DRAFT:
        edit_form = MinutesForm(
            request.POST if request.POST.get("accion") == "editar" else None,
            initial={"text": found.text},
        )
        approve_form = ApproveForm(
            request.POST if request.POST.get("accion") == "aprobar" else None
        )
    if request.method == "POST":
        if not perms.run:
            if not request.user.is_authenticated:
                return redirect(f"{reverse('core:login')}?next={request.path}")
            raise PermissionDeniedError(
                _("Only a coordinator of the convening organisation may do this.")
            )
        which = request.POST.get("accion")
        try:
            if which == "generar":
                actions.minutes_generate(actor=request.user, assembly=item)
                return _done(request, _("The minutes were generated from the record."), back)
            if which == "editar" and edit_form is not None and found is not None:
                if edit_form.is_valid():
                    actions.minutes_edit(
                        actor=request.user, minutes=found, text=edit_form.cleaned_data["text"]
                    )
                    return _done(request, _("The minutes were saved."), back)
            elif which == "aprobar" and approve_form is not None and found is not None:
                if approve_form.is_valid():
                    actions.minutes_approve(
                        actor=request.user, minutes=found, basis=approve_form.cleaned_data["basis"]
                    )
                    return _done(request, _("The minutes are approved."), back)
            else:
                messages.error(request, _("Choose one of the options shown."))
                return redirect(back)
        except DomainError as err:
            messages.error(request, err.message)
            return redirect(back)
    bound_errors = any(f is not None and f.is_bound and f.errors for f in (edit_form, approve_form))
    return render(
        request,
        "assemblies/minutes.html",
        {
            "assembly": item,
            "perms": perms,
            "minutes": found,
            "edit_form": edit_form,
            "approve_form": approve_form,
            "print": request.GET.get("imprimir") == "1",
        },
        status=400 if bound_errors else 200,
    )


@require_http_methods(["GET", "POST"])
def declaration(request: HttpRequest, slug: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    found = queries.declaration_of(item)
    back = reverse("assemblies:declaration", args=[slug])
    which = request.POST.get("accion", "")
    draft_form = revise_form = endorse_form = None
    organisations = (
        queries.endorsable_organisations(request.user, found) if found is not None else []
    )
    if found is None and perms.run:
        draft_form = DeclarationForm(request.POST if which == "redactar" else None)
    if found is not None and perms.run and found.status == DeclarationStatus.DRAFT:
        last = found.versions.order_by("-number").first()
        revise_form = RevisionForm(
            request.POST if which == "revisar" else None,
            initial={"text": last.text if last else ""},
        )
    if found is not None and organisations:
        endorse_form = EndorseForm(
            request.POST if which == "respaldar" else None,
            organisations=[(o.pk, o.name) for o in organisations],
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        try:
            if which == "redactar" and draft_form is not None:
                if draft_form.is_valid():
                    actions.declaration_draft(
                        actor=request.user, assembly=item, **draft_form.cleaned_data
                    )
                    return _done(request, _("The declaration was drafted."), back)
            elif which == "revisar" and revise_form is not None and found is not None:
                if revise_form.is_valid():
                    actions.declaration_revise(
                        actor=request.user, declaration=found, **revise_form.cleaned_data
                    )
                    return _done(request, _("A new version was saved."), back)
            elif which == "publicar" and perms.run and found is not None:
                actions.declaration_publish(actor=request.user, declaration=found)
                return _done(request, _("The declaration is published."), back)
            elif which == "respaldar" and endorse_form is not None and found is not None:
                if endorse_form.is_valid():
                    organisation = next(
                        o
                        for o in organisations
                        if o.pk == endorse_form.cleaned_data["organisation"]
                    )
                    actions.declaration_endorse(
                        actor=request.user, declaration=found, organisation=organisation
                    )
                    return _done(request, _("The endorsement was recorded."), back)
            else:
                raise PermissionDeniedError(_("You may see this, but you may not change it."))
        except DomainError as err:
            for form in (draft_form, revise_form, endorse_form):
                if form is not None and form.is_bound:
                    add_domain_error(form, err)
                    break
            else:
                messages.error(request, err.message)
                return redirect(back)
    versions = queries.declaration_versions(found) if found is not None else []
    history = []
    for index, after in enumerate(versions):
        before = versions[index - 1] if index else None
        history.append(
            {
                "version": after,
                "diff": queries.diff_html(before.text, after.text) if before else None,
            }
        )
    bound_errors = any(
        f is not None and f.is_bound and f.errors for f in (draft_form, revise_form, endorse_form)
    )
    return render(
        request,
        "assemblies/declaration.html",
        {
            "assembly": item,
            "perms": perms,
            "declaration": found,
            "current": versions[-1] if versions else None,
            "history": list(reversed(history)),
            "endorsements": list(queries.endorsements(found)) if found is not None else [],
            "adopted": list(queries.adopted_motions(item)) if found is None else [],
            "draft_form": draft_form,
            "revise_form": revise_form,
            "endorse_form": endorse_form,
        },
        status=400 if bound_errors else 200,
    )


@require_http_methods(["GET", "POST"])
def resolutions(request: HttpRequest, slug: str) -> HttpResponse:
    item, perms = _assembly(request, slug)
    form = None
    if perms.run:
        form = ResolutionForm(
            post_data(request),
            motions=[(m.pk, f"{m.number} {m.title}") for m in queries.adopted_motions(item)],
        )
    if request.method == "POST":
        if form is None:
            if not request.user.is_authenticated:
                return redirect(f"{reverse('core:login')}?next={request.path}")
            raise PermissionDeniedError(
                _("Only a coordinator of the convening organisation may do this.")
            )
        if form.is_valid():
            data = dict(form.cleaned_data)
            responsible = _organisation(data.pop("responsible"))
            motion_pk = data.pop("motion")
            chosen = (
                Motion.objects.filter(assembly=item, pk=motion_pk).first() if motion_pk else None
            )
            if responsible is None:
                form.add_error("responsible", _("No organisation has this short name."))
            else:
                try:
                    actions.resolution_create(
                        actor=request.user,
                        assembly=item,
                        responsible=responsible,
                        motion=chosen,
                        **data,
                    )
                except DomainError as err:
                    add_domain_error(form, err)
                else:
                    return _done(
                        request,
                        _("The resolution was added to the board."),
                        reverse("assemblies:resolutions", args=[slug]),
                    )
    columns = queries.resolution_board(item)
    return render(
        request,
        "assemblies/resolutions.html",
        {
            "assembly": item,
            "perms": perms,
            "columns": columns,
            "followable": {
                r.pk
                for column in columns
                for r in column.items
                if perms.run or access.can_change(request.user, owner_id=r.responsible_id)
            },
            "form": form,
            "today": timezone.localdate(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def resolution(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = queries.assembly_get(user=request.user, slug=slug)
    found = queries.resolution_get(assembly=item, pk=pk)
    if not queries.can_follow_up(request.user, found):
        raise PermissionDeniedError(
            _("Only the assembly's coordinators or the responsible organisation may do this.")
        )
    form = ResolutionUpdateForm(post_data(request), initial={"status": found.status})
    back = reverse("assemblies:resolutions", args=[slug])
    if request.method == "POST" and form.is_valid():
        try:
            actions.resolution_update(actor=request.user, resolution=found, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            return _done(request, _("The follow-up was recorded."), back)
    return form_page(
        request,
        form,
        title=_("Follow up: %(title)s") % {"title": found.title},
        back=back,
        assembly=item,
    )
