"""Pages of the productive network: the catalogue, productive units and their micro-projects,
supply cycles from opening to closing (offers and needs, allocation with its progress,
proposals, agreement, deliveries), unmet needs with the nearest possible suppliers, the
supply-chain map, and the CSV and ValueFlows exports. Forms write through the actions."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from comuna.core import access
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.forms import add_domain_error, form_page, post_data
from comuna.core.models import Organisation, OrganisationKind
from comuna.core.pagination import is_htmx, paginate
from comuna.production import actions, exports, imports, maps, queries
from comuna.production.forms import (
    ApproveForm,
    CloseForm,
    CorrectForm,
    CycleForm,
    DeliveryForm,
    EventForm,
    FlowForm,
    ImportForm,
    IntentForm,
    JoinForm,
    MemberForm,
    ProductiveUnitForm,
    ProjectForm,
    ResourceForm,
)
from comuna.production.models import (
    CycleStatus,
    Decision,
    Intent,
    IntentKind,
    ProductiveUnit,
    ProjectStatus,
    Proposal,
    Unit,
    UnitForm,
)


def _resource_choices() -> list[tuple[int, str]]:
    return [(r.pk, r.name) for r in queries.resources()]


def _unit_choices() -> list[tuple[int, str]]:
    return [(u.pk, f"{u.name} ({u.symbol})") for u in queries.units()]


def _csv(rows: Any, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Home and catalogue ------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    cycles = queries.cycles(request.user)
    return render(
        request,
        "production/home.html",
        {
            "open_cycles": list(cycles.exclude(status=CycleStatus.CLOSED)[:10]),
            "unit_count": queries.productive_units().count(),
            "can_open": bool(_cycle_owners(request)),
        },
    )


def catalogue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "production/catalogue.html",
        {
            "page": paginate(request, queries.resources(), per_page=100)[0],
            "units": list(queries.units()),
            "can_edit": actions.can_manage_catalogue(request.user),
        },
    )


@login_required
def resource_new(request: HttpRequest) -> HttpResponse:
    if not actions.can_manage_catalogue(request.user):
        raise PermissionDeniedError(
            _("Only a coordinator of the network may change the catalogue.")
        )
    form = ResourceForm(post_data(request), units=_unit_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.resource_define(
                actor=request.user,
                slug=data["slug"],
                name=data["name"],
                category=data["category"],
                unit=get_object_or_404(Unit, pk=data["unit"]),
                description=data["description"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The resource was added to the catalogue."))
            return redirect("production:catalogue")
    return form_page(
        request,
        form,
        title=_("New resource"),
        back=reverse("production:catalogue"),
        submit=_("Add"),
    )


# Productive units --------------------------------------------------------------------------------


@vary_on_headers("HX-Request")
def units(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    form_filter = request.GET.get("forma", "")
    found = queries.productive_units(
        q=q,
        form=form_filter if form_filter in UnitForm.values else "",
        commune=request.GET.get("comuna", "").strip()[:120],
    )
    if request.GET.get("formato") == "csv":
        return _csv(exports.units_csv(found), "unidades-productivas.csv")
    page, query = paginate(request, found)
    context = {
        "page": page,
        "query": query,
        "q": q,
        "forms": UnitForm.choices,
        "form_filter": form_filter,
        "can_register": bool(_unit_parents(request)),
    }
    template = "production/units.html#results" if is_htmx(request) else "production/units.html"
    return render(request, template, context)


def _unit_parents(request: HttpRequest) -> list[Organisation]:
    return [
        a
        for a in queries.writable_agents(request.user)
        if a.kind in (OrganisationKind.COUNCIL, OrganisationKind.COMMUNE)
    ]


@login_required
def unit_new(request: HttpRequest) -> HttpResponse:
    parents = _unit_parents(request)
    if not parents:
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of a council or commune register its units.")
        )
    form = ProductiveUnitForm(
        post_data(request),
        parents=[(p.pk, p.name) for p in parents],
        resources=_resource_choices(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = next(p for p in parents if p.pk == data["parent"])
        try:
            unit = actions.productive_unit_register(
                actor=request.user,
                parent=parent,
                name=data["name"],
                form=data["form"],
                sector=data["sector"],
                place=data["place"],
                lat=data["lat"],
                lon=data["lon"],
                makes=list(queries.resources().filter(pk__in=data["makes"])),
                description=data["description"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The productive unit was registered."))
            return redirect("production:unit", slug=unit.slug)
    return form_page(
        request,
        form,
        title=_("Register a productive unit"),
        back=reverse("production:units"),
        submit=_("Register"),
    )


def unit(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.productive_unit_get(slug=slug)
    activity = queries.unit_activity(request.user, item)
    return render(
        request,
        "production/unit.html",
        {
            "unit": item,
            "activity": activity,
            "members": queries.unit_members(request.user, item),
            "can_change": access.can_change(request.user, owner_id=item.pk),
            "can_coordinate": access.can_coordinate(request.user, owner_id=item.pk),
            "project_statuses": ProjectStatus.choices,
        },
    )


def _unit_to_change(request: HttpRequest, slug: str) -> ProductiveUnit:
    item = queries.productive_unit_get(slug=slug)
    access.require_change(request.user, owner_id=item.pk)
    return item


@login_required
def unit_edit(request: HttpRequest, slug: str) -> HttpResponse:
    item = _unit_to_change(request, slug)
    form = ProductiveUnitForm(
        post_data(request),
        parents=[(item.parent_id, item.parent.name if item.parent else "")],
        resources=_resource_choices(),
        initial={
            "parent": item.parent_id,
            "name": item.name,
            "form": item.form,
            "sector": item.sector,
            "place": item.place,
            "lat": item.lat,
            "lon": item.lon,
            "makes": [r.pk for r in item.makes.all()],
            "description": item.description,
        },
    )
    form.fields["parent"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("parent")
        makes = list(queries.resources().filter(pk__in=data.pop("makes")))
        try:
            actions.productive_unit_update(actor=request.user, unit=item, makes=makes, **data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The productive unit was updated."))
            return redirect("production:unit", slug=item.slug)
    return form_page(
        request,
        form,
        title=_("Edit %(unit)s") % {"unit": item.name},
        back=reverse("production:unit", args=[item.slug]),
    )


@login_required
@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    project = queries.project_get(user=request.user, pk=pk)
    try:
        actions.project_set_status(
            actor=request.user, project=project, status=request.POST.get("status", "")
        )
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The status of the micro-project was changed."))
    return redirect("production:unit", slug=project.unit.slug)


@login_required
def member_new(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.productive_unit_get(slug=slug)
    access.require_coordinator(request.user, owner_id=item.pk)
    people = list(actions.commune_people(item)[:500])
    form = MemberForm(post_data(request), people=[(p.pk, p.public_name) for p in people])
    if request.method == "POST" and form.is_valid():
        person = next(p for p in people if p.pk == form.cleaned_data["person"])
        try:
            actions.productive_unit_member_add(
                actor=request.user, unit=item, person=person, role=form.cleaned_data["role"]
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("%(person)s joined the unit.") % {"person": person})
            return redirect("production:unit", slug=item.slug)
    return form_page(
        request,
        form,
        title=_("Add a member to %(unit)s") % {"unit": item.name},
        back=reverse("production:unit", args=[item.slug]),
        submit=_("Add"),
    )


@login_required
def project_new(request: HttpRequest, slug: str) -> HttpResponse:
    item = _unit_to_change(request, slug)
    form = ProjectForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.project_create(actor=request.user, unit=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The micro-project was added."))
            return redirect("production:unit", slug=item.slug)
    return form_page(
        request,
        form,
        title=_("New micro-project of %(unit)s") % {"unit": item.name},
        back=reverse("production:unit", args=[item.slug]),
    )


@login_required
def flow_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = queries.project_get(user=request.user, pk=pk)
    access.require_change(request.user, owner_id=project.owner_id)
    form = FlowForm(post_data(request), resources=_resource_choices(), units=_unit_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.project_flow_add(
                actor=request.user,
                project=project,
                direction=data["direction"],
                resource=get_object_or_404(queries.resources(), pk=data["resource"]),
                quantity=data["quantity"],
                unit=get_object_or_404(Unit, pk=data["unit"]),
                period=data["period"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The input or output was added."))
            return redirect("production:unit", slug=project.unit.slug)
    return form_page(
        request,
        form,
        title=_("Input or output of %(project)s") % {"project": project.name},
        back=reverse("production:unit", args=[project.unit.slug]),
    )


@login_required
def event_new(request: HttpRequest, slug: str) -> HttpResponse:
    item = _unit_to_change(request, slug)
    form = EventForm(post_data(request), resources=_resource_choices(), units=_unit_choices())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        other = None
        if data["receiver"]:
            other = queries.agent_by_slug(data["receiver"])
            if other is None:
                form.add_error("receiver", _("No productive unit, council or commune has it."))
        if not form.errors:
            action = data["action"]
            producing = action == "produce"
            try:
                actions.event_record(
                    actor=request.user,
                    action=action,
                    resource=get_object_or_404(queries.resources(), pk=data["resource"]),
                    quantity=data["quantity"],
                    unit=get_object_or_404(Unit, pk=data["unit"]),
                    provider=None if producing else item,
                    receiver=item if producing else other,
                    note=data["note"],
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The event was recorded."))
                return redirect("production:unit", slug=item.slug)
    return form_page(
        request,
        form,
        title=_("Record an economic event of %(unit)s") % {"unit": item.name},
        back=reverse("production:unit", args=[item.slug]),
    )


@login_required
def event_correct(request: HttpRequest, pk: int) -> HttpResponse:
    event = queries.event_get(user=request.user, pk=pk)
    actions.require_event_recorder(request.user, event.provider, event.receiver)
    form = CorrectForm(post_data(request), initial={"quantity": event.quantity})
    back = reverse("production:home")
    agent = event.provider or event.receiver
    if agent is not None and agent.kind == OrganisationKind.PRODUCTIVE_UNIT:
        back = reverse("production:unit", args=[agent.slug])
    if request.method == "POST" and form.is_valid():
        try:
            actions.event_correct(
                actor=request.user,
                event=event,
                quantity=form.cleaned_data["quantity"],
                note=form.cleaned_data["note"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The correction was recorded; the original stays."))
            return redirect(back)
    return form_page(
        request, form, title=_("Correct an event: %(event)s") % {"event": event}, back=back
    )


# Cycles ------------------------------------------------------------------------------------------


def _cycle_owners(request: HttpRequest) -> list[Organisation]:
    viewer = access.viewer_for(request.user)
    if not viewer.signed_in:
        return []
    ids = viewer.organisations_with({"coordinator"})
    kinds = (OrganisationKind.COMMUNE, OrganisationKind.NETWORK)
    if viewer.is_staff:
        return list(Organisation.objects.filter(kind__in=kinds).order_by("kind", "name")[:500])
    return list(Organisation.objects.filter(pk__in=ids, kind__in=kinds).order_by("kind", "name"))


def cycles(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("estado", "")
    found = queries.cycles(request.user, status=status if status in CycleStatus.values else "")
    page, query = paginate(request, found)
    return render(
        request,
        "production/cycles.html",
        {
            "page": page,
            "query": query,
            "statuses": CycleStatus.choices,
            "status": status,
            "can_open": bool(_cycle_owners(request)),
        },
    )


@login_required
def cycle_new(request: HttpRequest) -> HttpResponse:
    owners = _cycle_owners(request)
    if not owners:
        raise PermissionDeniedError(
            _("Only coordinators of a commune or of the network open supply cycles.")
        )
    today = timezone.localdate()
    form = CycleForm(
        post_data(request),
        owners=[(o.pk, o.name) for o in owners],
        initial={
            "opens_on": today,
            "collect_until": today + timedelta(days=14),
            "deliver_by": today + timedelta(days=45),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = next(o for o in owners if o.pk == data.pop("owner"))
        try:
            cycle = actions.cycle_open(actor=request.user, owner=owner, **data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The cycle is open: units may now post offers and needs."))
            return redirect("production:cycle", pk=cycle.pk)
    return form_page(
        request,
        form,
        title=_("Open a supply cycle"),
        back=reverse("production:cycles"),
        submit=_("Open the cycle"),
    )


def _status_context(cycle: Any) -> dict[str, Any]:
    return {"cycle": cycle, "running": queries.allocation_running(cycle)}


@vary_on_headers("HX-Request")
def cycle(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.cycle_get(user=request.user, pk=pk)
    if is_htmx(request) and request.GET.get("parte") == "estado":
        return render(request, "production/cycle.html#status", _status_context(item))
    perms = queries.cycle_perms(request.user, item)
    intents = queries.cycle_intents(item)
    page, query = paginate(request, intents)
    proposal_page = Paginator(
        queries.cycle_proposals(item) if item.allocation_run else Proposal.objects.none(), 50
    ).get_page(request.GET.get("pp"))
    commitment_page = Paginator(queries.cycle_commitments(item), 50).get_page(request.GET.get("pc"))
    agent_ids = {a.pk for a in perms.acts_for}
    proposals = list(proposal_page.object_list)
    for proposal in proposals:
        proposal.sides = queries.sides_for(agent_ids, proposal)
    return render(
        request,
        "production/cycle.html",
        {
            **_status_context(item),
            "perms": perms,
            "page": page,
            "query": query,
            "roll_up": queries.cycle_roll_up(item),
            "participants": list(item.participants.select_related("unit").order_by("unit__name")),
            "proposals": proposals,
            "counts": queries.proposal_counts(item) if item.allocation_run else {},
            "shortfall_count": queries.cycle_shortfalls(item).count(),
            "agreement": getattr(item, "agreement", None)
            if item.status in (CycleStatus.DELIVERING, CycleStatus.CLOSED)
            else None,
            "proposal_page": proposal_page,
            "commitment_page": commitment_page,
            "commitments": list(commitment_page.object_list),
            "steps": _steps(item),
            "agent_ids": agent_ids,
        },
    )


def _steps(cycle: Any) -> list[tuple[str, bool, bool]]:
    """(label, done, current) for the cycle's stages."""
    order = [
        CycleStatus.COLLECTING,
        CycleStatus.ALLOCATED,
        CycleStatus.DELIVERING,
        CycleStatus.CLOSED,
    ]
    labels = [
        _("Offers and needs"),
        _("Allocation and agreement"),
        _("Deliveries"),
        pgettext("cycle", "Closed"),
    ]
    at = order.index(cycle.status)
    return [(label, n < at, n == at) for n, label in enumerate(labels)]


def _cycle_for_change(request: HttpRequest, pk: int) -> Any:
    return queries.cycle_get(user=request.user, pk=pk)


@login_required
def cycle_join(request: HttpRequest, pk: int) -> HttpResponse:
    item = _cycle_for_change(request, pk)
    perms = queries.cycle_perms(request.user, item)
    if not perms.units_to_join:
        raise PermissionDeniedError(_("You have no productive unit that may join this cycle."))
    form = JoinForm(post_data(request), units=[(u.pk, u.name) for u in perms.units_to_join])
    if request.method == "POST" and form.is_valid():
        chosen = next(u for u in perms.units_to_join if u.pk == form.cleaned_data["unit"])
        try:
            actions.cycle_join(actor=request.user, cycle=item, unit=chosen)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("%(unit)s joined the cycle.") % {"unit": chosen.name})
            return redirect("production:cycle", pk=item.pk)
    return form_page(
        request,
        form,
        title=_("Join the cycle %(cycle)s") % {"cycle": item.name},
        back=reverse("production:cycle", args=[item.pk]),
        submit=_("Join"),
    )


@login_required
def intent_new(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    item = _cycle_for_change(request, pk)
    if kind not in IntentKind.values:
        raise Http404
    perms = queries.cycle_perms(request.user, item)
    if not perms.post:
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of an agent of this cycle post offers and needs.")
        )
    form = IntentForm(
        post_data(request),
        owners=[(a.pk, a.name) for a in perms.agents],
        resources=_resource_choices(),
        units=_unit_choices(),
        initial={"priority": 5},
    )
    if kind == IntentKind.OFFER:
        del form.fields["priority"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = next(a for a in perms.agents if a.pk == data["owner"])
        try:
            actions.intent_post(
                actor=request.user,
                kind=kind,
                owner=owner,
                cycle=item,
                resource=get_object_or_404(queries.resources(), pk=data["resource"]),
                quantity=data["quantity"],
                unit=get_object_or_404(Unit, pk=data["unit"]),
                priority=data.get("priority") or 5,
                terms=data["terms"],
                reference_price=data["reference_price"],
                available_from=data["available_from"],
                available_until=data["available_until"],
                place=data["place"],
                recurrence=data["recurrence"],
                note=data["note"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(
                request,
                _("The offer was posted.")
                if kind == IntentKind.OFFER
                else _("The need was posted."),
            )
            return redirect("production:cycle", pk=item.pk)
    title = _("Post an offer") if kind == IntentKind.OFFER else _("Post a need")
    return form_page(
        request,
        form,
        title=title,
        back=reverse("production:cycle", args=[item.pk]),
        submit=_("Post"),
    )


@login_required
@require_POST
def intent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    intent = get_object_or_404(Intent.objects.select_related("cycle"), pk=pk)
    if intent.cycle is None:
        raise Http404
    queries.cycle_get(user=request.user, pk=intent.cycle.pk)
    try:
        actions.intent_withdraw(actor=request.user, intent=intent)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("It was withdrawn."))
    return redirect("production:cycle", pk=intent.cycle.pk)


@login_required
def cycle_import(request: HttpRequest, pk: int) -> HttpResponse:
    item = _cycle_for_change(request, pk)
    if not queries.cycle_perms(request.user, item).post:
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of an agent of this cycle post offers and needs.")
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read() if isinstance(upload, UploadedFile) else b""
        report = imports.intents_import(actor=request.user, cycle=item, data=data)
        if report.ok:
            messages.success(
                request,
                ngettext(
                    "%(n)s offer or need was imported.",
                    "%(n)s offers and needs were imported.",
                    len(report.created),
                )
                % {"n": len(report.created)},
            )
            return redirect("production:cycle", pk=item.pk)
    return render(
        request, "production/import.html", {"form": form, "cycle": item, "report": report}
    )


def cycle_intents_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    item = queries.cycle_get(user=request.user, pk=pk)
    return _csv(
        exports.intents_csv(queries.cycle_intents(item, include_withdrawn=True)),
        f"ciclo-{item.pk}-ofertas-y-necesidades.csv",
    )


def cycle_proposals_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    item = queries.cycle_get(user=request.user, pk=pk)
    return _csv(
        exports.proposals_csv(queries.cycle_proposals(item)), f"ciclo-{item.pk}-propuestas.csv"
    )


@login_required
@require_POST
def cycle_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    item = _cycle_for_change(request, pk)
    try:
        actions.cycle_allocate_request(actor=request.user, cycle=item)
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("The allocation is running; this page shows its progress."))
    return redirect("production:cycle", pk=item.pk)


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = queries.proposal_get(user=request.user, pk=pk)
    decision = request.POST.get("decision", "")
    side = request.POST.get("side", "")
    if decision not in (Decision.ACCEPTED, Decision.DECLINED):
        messages.error(request, _("Choose accept or decline."))
    else:
        try:
            actions.proposal_decide(
                actor=request.user, proposal=proposal, decision=decision, side=side
            )
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("Your answer was recorded."))
    return redirect(reverse("production:cycle", args=[proposal.cycle.pk]) + "#propuestas")


@login_required
def cycle_approve(request: HttpRequest, pk: int) -> HttpResponse:
    item = _cycle_for_change(request, pk)
    access.require_coordinator(request.user, owner_id=item.owner_id)
    form = ApproveForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.agreement_approve(
                actor=request.user, cycle=item, decision=form.cleaned_data["decision"]
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The agreement was approved: deliveries may start."))
            return redirect("production:cycle", pk=item.pk)
    counts = queries.proposal_counts(item)
    intro = _("Proposals accepted by both sides become commitments: %(accepted)s of %(total)s.") % {
        "accepted": counts["accepted"],
        "total": counts["total"],
    }
    return form_page(
        request,
        form,
        title=_("Approve the agreement of %(cycle)s") % {"cycle": item.name},
        back=reverse("production:cycle", args=[item.pk]),
        submit=_("Approve"),
        intro=intro,
    )


@login_required
def cycle_close(request: HttpRequest, pk: int) -> HttpResponse:
    item = _cycle_for_change(request, pk)
    access.require_coordinator(request.user, owner_id=item.owner_id)
    form = CloseForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.cycle_close(actor=request.user, cycle=item, note=form.cleaned_data["note"])
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The cycle is closed."))
            return redirect("production:cycle", pk=item.pk)
    return form_page(
        request,
        form,
        title=_("Close the cycle %(cycle)s") % {"cycle": item.name},
        back=reverse("production:cycle", args=[item.pk]),
        submit=_("Close"),
    )


@login_required
def commitment_deliver(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = queries.commitment_get(user=request.user, pk=pk)
    cycle_pk = commitment.agreement.cycle.pk
    actions.require_event_recorder(request.user, commitment.provider, commitment.receiver)
    left = commitment.quantity - queries.commitment_delivered(commitment)
    form = DeliveryForm(
        post_data(request),
        units=_unit_choices(),
        initial={"quantity": left, "unit": commitment.unit_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.event_record(
                actor=request.user,
                action=data["action"],
                resource=commitment.resource,
                quantity=data["quantity"],
                unit=get_object_or_404(Unit, pk=data["unit"]),
                commitment=commitment,
                note=data["note"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The delivery was recorded."))
            return redirect(reverse("production:cycle", args=[cycle_pk]) + "#compromisos")
    intro = _("%(provider)s delivers %(quantity)s %(unit)s of %(resource)s to %(receiver)s.") % {
        "provider": commitment.provider.name,
        "quantity": f"{commitment.quantity.normalize():f}",
        "unit": commitment.unit.symbol,
        "resource": commitment.resource.name,
        "receiver": commitment.receiver.name,
    }
    return form_page(
        request,
        form,
        title=_("Record a delivery"),
        back=reverse("production:cycle", args=[cycle_pk]),
        intro=intro,
    )


def cycle_unmet(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.cycle_get(user=request.user, pk=pk)
    page, query = paginate(request, queries.cycle_shortfalls(item))
    shortfalls = list(page.object_list)
    suppliers = queries.nearest_suppliers(request.user, shortfalls)
    rows = [(s, suppliers.get(s.pk, [])) for s in shortfalls]
    return render(
        request,
        "production/unmet.html",
        {
            "cycle": item,
            "page": page,
            "query": query,
            "rows": rows,
            "scarce": item.allocation_summary.get("scarce", [])[:15],
        },
    )


def supply_map(request: HttpRequest) -> HttpResponse:
    item = None
    if request.GET.get("ciclo", "").isdigit():
        item = queries.cycle_get(user=request.user, pk=int(request.GET["ciclo"]))
    lines = maps.flow_lines(request.user, cycle=item)
    title = (
        _("Flows of the cycle %(cycle)s") % {"cycle": item.name}
        if item is not None
        else _("Flows between communes")
    )
    return render(
        request,
        "production/map.html",
        {
            "cycle": item,
            "lines": lines[:200],
            "svg": maps.render_flow_map(lines[:500], title=title),
            "title": title,
        },
    )


def _jsonld(document: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
        content_type="application/ld+json; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def valueflows_network(request: HttpRequest) -> HttpResponse:
    base = request.build_absolute_uri("/")
    return _jsonld(exports.valueflows(request.user, base_url=base), "red-valueflows.jsonld")


def valueflows_commune(request: HttpRequest, slug: str) -> HttpResponse:
    commune = get_object_or_404(Organisation, slug=slug, kind=OrganisationKind.COMMUNE)
    base = request.build_absolute_uri("/")
    return _jsonld(
        exports.valueflows(request.user, base_url=base, commune=commune),
        f"{commune.slug}-valueflows.jsonld",
    )
