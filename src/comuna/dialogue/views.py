"""Pages of the dialogue with government: public bodies and their statistics, demands and
their timelines, where demands get stuck, dialogue tables, transfers of competences, the
services communes run, and the forms that write through the actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from comuna.core import access
from comuna.core.errors import DomainError, PermissionDeniedError
from comuna.core.forms import add_domain_error, form_page, post_data
from comuna.core.fragments import cache_public_get, cached_fragment, data_version
from comuna.core.models import Organisation, OrganisationKind
from comuna.core.pagination import is_htmx, paginate
from comuna.dialogue import actions, charts, exports, imports, queries, stats
from comuna.dialogue.forms import (
    AcknowledgeForm,
    AdvanceForm,
    AnswerForm,
    AttachForm,
    BodyFilterForm,
    BodyForm,
    CancelForm,
    CommitmentForm,
    CommitmentUpdateForm,
    CorrectionForm,
    CosignForm,
    DecisionForm,
    DemandFilterForm,
    DemandForm,
    DocumentForm,
    DraftForm,
    EscalateForm,
    FileForm,
    HolidayForm,
    ImportForm,
    ParticipantForm,
    ResolveForm,
    TableForm,
    TableRecordForm,
    TransferFilterForm,
    TransferForm,
    WithdrawForm,
)
from comuna.dialogue.holidays import changes_of, holidays_of
from comuna.dialogue.models import (
    DISPLAY_STATES,
    AttachmentKind,
    BodyLevel,
    BodyType,
    Demand,
    DemandStatus,
    Phase,
    PublicBody,
    Service,
    Topic,
)
from comuna.geography import maps
from comuna.geography.models import State


def _today() -> date:
    return timezone.localdate()


def _files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def _states() -> list[tuple[str, str]]:
    return list(State.objects.order_by("name").values_list("code", "name"))


def _body_by_id(pk: int | None) -> PublicBody | None:
    return PublicBody.objects.filter(pk=pk).first() if pk else None


def _state_by_code(code: str) -> State | None:
    return State.objects.filter(code=code).first() if code else None


def _upload(request: HttpRequest, name: str) -> UploadedFile | None:
    found = request.FILES.get(name)
    return found if isinstance(found, UploadedFile) else None


# Home and statistics ------------------------------------------------------------------------------


@cache_public_get()
def home(request: HttpRequest) -> HttpResponse:
    today = _today()
    return render(
        request,
        "dialogue/home.html",
        {
            "report": queries.stuck_report_cached(today),
            "events": queries.public_events(limit=8),
            "commitments": list(queries.upcoming_commitments(request.user, limit=6)),
            "transfers": queries.transfers_in_progress_count(),
            "today": today,
            "can_file": bool(queries.writable_owners(request.user)),
        },
    )


@cache_public_get()
def stuck(request: HttpRequest) -> HttpResponse:
    today = _today()

    def content() -> str:
        report = queries.stuck_report_cached(today)
        return render_to_string(
            "dialogue/_stuck.html",
            {
                "report": report,
                "chart": charts.month_chart(report.months),
                "min_ranked": stats.MIN_RANKED,
            },
        )

    key = f"dialogue:stuck:{queries.stuck_version(today)}:{get_language()}"
    return render(request, "dialogue/stuck.html", {"content": cached_fragment(key, content)})


def stats_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.stats_csv(_today()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="estadisticas-entes.csv"'
    return response


# Public bodies ------------------------------------------------------------------------------------


@cache_public_get()
@vary_on_headers("HX-Request")
def bodies(request: HttpRequest) -> HttpResponse:
    form = BodyFilterForm(request.GET or None, states=_states())
    level = request.GET.get("nivel", "")
    body_type = request.GET.get("tipo", "")
    filters = queries.BodyFilters(
        q=request.GET.get("q", "").strip()[:100],
        level=level if level in BodyLevel.values else "",
        body_type=body_type if body_type in BodyType.values else "",
        state=request.GET.get("estado", "").strip()[:8],
    )

    def results() -> str:
        page, query = paginate(request, queries.bodies(filters))
        return render_to_string("dialogue/bodies.html#results", {"page": page, "query": query})

    key = f"dialogue:bodies:{request.GET.urlencode()}:{get_language()}:{data_version()}"
    fragment = cached_fragment(key, results)
    if is_htmx(request):
        return HttpResponse(fragment)
    context = {
        "form": form,
        "results": fragment,
        "can_manage": actions.can_manage_directory(request.user),
    }
    return render(request, "dialogue/bodies.html", context)


@cache_public_get()
def body(request: HttpRequest, slug: str) -> HttpResponse:
    brief = queries.body_brief(slug=slug)
    today = _today()
    language = get_language()
    version = data_version()
    signed_in = bool(request.user.is_authenticated)
    can_manage = signed_in and actions.can_manage_directory(request.user)

    def main() -> str:
        item = queries.body_get(slug=slug)
        return render_to_string(
            "dialogue/_body_main.html",
            {
                "body": item,
                "children": list(queries.body_children(item)),
                "figures": queries.body_figures(item, today),
                "chart": charts.month_chart(queries.body_months(item, today)),
                "min_ranked": stats.MIN_RANKED,
                "signed_in": signed_in,
                "can_manage": can_manage,
            },
        )

    def demand_table() -> str:
        filters = queries.DemandFilters(body=slug)
        page, query = paginate(request, queries.demands(request.user, filters, today))
        return render_to_string(
            "dialogue/_demand_table.html",
            {"page": page, "query": query, "today": today, "hide_body": True},
        )

    # The body's facts and statistics are the same for everybody; its list of demands too,
    # for visitors who are not signed in (members may see private demands: not cached).
    key = f"dialogue:body:{brief.pk}:{language}:{version}"
    demands_html = (
        mark_safe(demand_table())  # noqa: S308 - rendered by our own template
        if signed_in
        else cached_fragment(f"{key}:demands:{request.GET.urlencode()}", demand_table)
    )
    return render(
        request,
        "dialogue/body.html",
        {
            "body": brief,
            "main": cached_fragment(f"{key}:main:{int(signed_in)}:{int(can_manage)}", main),
            "demands": demands_html,
        },
    )


def _body_form(request: HttpRequest, initial: dict[str, Any] | None = None) -> BodyForm:
    return BodyForm(
        post_data(request),
        initial=initial,
        bodies=queries.body_choices(),
        states=_states(),
    )


def _body_values(form: BodyForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["parent"] = _body_by_id(data.get("parent"))
    data["state"] = _state_by_code(data.get("state") or "")
    return data


@login_required
@require_http_methods(["GET", "POST"])
def body_new(request: HttpRequest) -> HttpResponse:
    actions.require_directory_manager(request.user)
    form = _body_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            item = actions.body_create(actor=request.user, **_body_values(form))
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The public body was added to the directory."))
            return redirect("dialogue:body", slug=item.slug)
    return form_page(request, form, title=_("Add a public body"), back=reverse("dialogue:bodies"))


@login_required
@require_http_methods(["GET", "POST"])
def body_edit(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.body_get(slug=slug)
    actions.require_directory_manager(request.user)
    initial = {
        "name": item.name,
        "acronym": item.acronym,
        "level": item.level,
        "body_type": item.body_type,
        "parent": item.parent_id,
        "state": item.state.code if item.state else "",
        "response_days": item.response_days,
        "contact_office": item.contact_office,
        "contact_email": item.contact_email,
        "contact_phone": item.contact_phone,
        "address": item.address,
        "website": item.website,
        "description": item.description,
    }
    form = _body_form(request, initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.body_update(actor=request.user, body=item, **_body_values(form))
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The public body was saved."))
            return redirect("dialogue:body", slug=item.slug)
    back = reverse("dialogue:body", args=[item.slug])
    return form_page(request, form, title=_("Edit %(name)s") % {"name": item.name}, back=back)


@login_required
@require_http_methods(["GET", "POST"])
def body_correct(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.body_get(slug=slug)
    form = CorrectionForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note")
        try:
            actions.correction_propose(actor=request.user, body=item, changes=data, note=note)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(
                request, _("Thank you: a coordinator of the network will review the correction.")
            )
            return redirect("dialogue:body", slug=item.slug)
    return form_page(
        request,
        form,
        title=_("Propose a correction to %(name)s") % {"name": item.name},
        back=reverse("dialogue:body", args=[item.slug]),
        submit=_("Propose"),
        intro=_("Fill in only what is wrong or missing. A coordinator of the network decides."),
    )


@login_required
def corrections(request: HttpRequest) -> HttpResponse:
    actions.require_directory_manager(request.user)
    page, query = paginate(request, queries.corrections_pending(), per_page=25)
    return render(
        request,
        "dialogue/corrections.html",
        {"page": page, "query": query, "form": DecisionForm()},
    )


@login_required
@require_POST
def correction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    correction = queries.correction_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.correction_decide(
                actor=request.user,
                correction=correction,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            )
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, _("The correction was decided."))
    return redirect("dialogue:corrections")


@login_required
@require_http_methods(["GET", "POST"])
def bodies_import(request: HttpRequest) -> HttpResponse:
    actions.require_directory_manager(request.user)
    form = ImportForm(post_data(request), _files(request))
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = imports.import_bodies(
            actor=request.user, data=upload.read(), dry_run=form.cleaned_data["dry_run"]
        )
    return render(
        request,
        "dialogue/import.html",
        {"form": form, "report": report, "columns": imports.COLUMNS},
    )


@require_http_methods(["GET", "POST"])
def holidays(request: HttpRequest) -> HttpResponse:
    today = _today()
    try:
        year = int(request.GET.get("anio", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 1900), 2200)
    can_manage = actions.can_manage_directory(request.user)
    form = HolidayForm(post_data(request)) if can_manage else None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage:
            raise PermissionDeniedError(
                _("Only a coordinator of the network may change the calendar.")
            )
        revert = request.POST.get("revert", "")
        if revert:
            try:
                actions.holiday_revert(actor=request.user, day=date.fromisoformat(revert))
            except (ValueError, DomainError) as err:
                messages.error(request, getattr(err, "message", _("Not a date.")))
            else:
                messages.success(request, _("The change was undone."))
            return redirect(f"{reverse('dialogue:holidays')}?anio={year}")
        if form is not None and form.is_valid():
            try:
                actions.holiday_set(actor=request.user, **form.cleaned_data)
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The calendar was changed."))
                day = form.cleaned_data["day"]
                return redirect(f"{reverse('dialogue:holidays')}?anio={day.year}")
    return render(
        request,
        "dialogue/holidays.html",
        {
            "year": year,
            "days": holidays_of(year),
            "changes": changes_of(year),
            "form": form,
            "previous": year - 1,
            "next": year + 1,
        },
    )


# Demands ------------------------------------------------------------------------------------------


def _demand_filters(request: HttpRequest) -> queries.DemandFilters:
    state = request.GET.get("estado", "")
    topic = request.GET.get("tema", "")
    return queries.DemandFilters(
        state=state if state in queries.STATE_FILTERS else "",
        body=request.GET.get("ente", "").strip()[:120],
        organisation=request.GET.get("organizacion", "").strip()[:120],
        topic=topic if topic in Topic.values else "",
        q=request.GET.get("q", "").strip()[:100],
    )


def _state_choices() -> list[tuple[str, Any]]:
    return [("open", _("Waiting for an answer")), *DISPLAY_STATES.items()]


@cache_public_get()
@vary_on_headers("HX-Request")
def demands(request: HttpRequest) -> HttpResponse:
    today = _today()
    filters = _demand_filters(request)

    def filter_form() -> str:
        form = DemandFilterForm(request.GET or None, states=_state_choices())
        return render_to_string("dialogue/_filters.html", {"form": form, "filters": filters})

    def results() -> str:
        page, query = paginate(request, queries.demands(request.user, filters, today))
        return render_to_string(
            "dialogue/demands.html#results",
            {"page": page, "query": query, "export_query": request.GET.urlencode(), "today": today},
        )

    # Visitors who are not signed in all see the same public demands: their list is cached.
    if request.user.is_authenticated:
        fragment = mark_safe(results())  # noqa: S308 - rendered by our own template
    else:
        key = f"dialogue:demands:{request.GET.urlencode()}:{get_language()}:{data_version()}"
        fragment = cached_fragment(key, results)
    if is_htmx(request):
        return HttpResponse(fragment)
    form_key = f"dialogue:demand-filters:{request.GET.urlencode()}:{get_language()}"
    context = {
        "form": cached_fragment(form_key, filter_form),
        "filters": filters,
        "results": fragment,
        "can_file": bool(queries.writable_owners(request.user)),
    }
    return render(request, "dialogue/demands.html", context)


def demands_csv(request: HttpRequest) -> StreamingHttpResponse:
    today = _today()
    qs = queries.demands(request.user, _demand_filters(request), today)
    response = StreamingHttpResponse(
        exports.demands_csv(qs, today, request.build_absolute_uri("/").rstrip("/")),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="planteamientos.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def demand_new(request: HttpRequest) -> HttpResponse:
    owners = queries.writable_owners(request.user)
    if not owners:
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of an organisation of the network file demands.")
        )
    initial: dict[str, Any] = {}
    if request.GET.get("ente"):
        found = (
            PublicBody.objects.filter(slug=request.GET["ente"]).values_list("pk", flat=True).first()
        )
        initial["body"] = found
    form = DemandForm(
        post_data(request),
        _files(request),
        initial=initial,
        owners=[(o.pk, o.name) for o in owners],
        bodies=queries.body_choices(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = next(o for o in owners if o.pk == data["owner"])
        target = _body_by_id(data["body"])
        if target is None:
            form.add_error("body", _("Choose a public body of the directory."))
        else:
            try:
                with transaction.atomic():
                    demand = actions.demand_create(
                        actor=request.user,
                        owner=owner,
                        body=target,
                        topic=data["topic"],
                        title=data["title"],
                        text=data["text"],
                        visibility=data["visibility"],
                        file=not data["draft"],
                        filed_on=data["filed_on"],
                    )
                    upload = _upload(request, "attachment")
                    if upload is not None:
                        actions.demand_attach(
                            actor=request.user,
                            demand=demand,
                            upload=upload,
                            kind=AttachmentKind.DEMAND,
                        )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(
                    request,
                    _("The draft was saved.")
                    if data["draft"]
                    else _("The demand was filed. The body must answer by %(day)s.")
                    % {"day": demand.due_on.strftime("%d/%m/%Y") if demand.due_on else ""},
                )
                return redirect("dialogue:demand", pk=demand.pk)
    return form_page(
        request,
        form,
        title=_("File a demand"),
        back=reverse("dialogue:demands"),
        submit=_("Save"),
        intro=_(
            "The due date is counted in business days from the day of filing, with the "
            "response time of the body and the calendar of national holidays."
        ),
    )


@cache_public_get()
def demand(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.demand_get(user=request.user, pk=pk)
    today = _today()
    return render(
        request,
        "dialogue/demand.html",
        {
            "demand": item,
            "state": item.state_on(today),
            "state_label": item.state_label(today),
            "perms": queries.demand_permissions(request.user, item),
            "events": list(queries.timeline(item)),
            "signatures": list(queries.signatures(item)),
            "attachments": list(queries.attachments(item)),
            "escalations": list(queries.escalations(item)),
            "transfers": list(queries.demand_transfers(request.user, item)),
            "today": today,
        },
    )


def _for_action(request: HttpRequest, pk: int, *, respond: bool = False) -> Demand:
    """The demand, when the user may act for it (or record the body's response): checked
    with the rule alone, without the co-signers and higher bodies the demand's page needs."""
    item = queries.demand_get(user=request.user, pk=pk)
    check = actions.can_record_response if respond else actions.can_act_for_demand
    if not check(request.user, item):
        raise PermissionDeniedError(
            _("You may see this demand, but only its filing organisation may do this.")
        )
    return item


def _back(item: Demand) -> str:
    return reverse("dialogue:demand", args=[item.pk])


@login_required
@require_http_methods(["GET", "POST"])
def demand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _for_action(request, pk)
    if item.status != DemandStatus.DRAFT:
        raise PermissionDeniedError(
            _("Only a draft can be edited; a filed demand stays as it was filed.")
        )
    form = DraftForm(
        post_data(request),
        initial={
            "body": item.body_id,
            "topic": item.topic,
            "title": item.title,
            "text": item.text,
            "visibility": item.visibility,
        },
        bodies=queries.body_choices(),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        target = _body_by_id(data.pop("body"))
        if target is None:
            form.add_error("body", _("Choose a public body of the directory."))
        else:
            try:
                actions.demand_edit(actor=request.user, demand=item, body=target, **data)
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect(_back(item))
    return form_page(request, form, title=_("Edit the draft"), back=_back(item))


@login_required
@require_http_methods(["GET", "POST"])
def demand_file(request: HttpRequest, pk: int) -> HttpResponse:
    item = _for_action(request, pk)
    form = FileForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.demand_file(actor=request.user, demand=item, on=form.cleaned_data["on"])
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The demand was filed."))
            return redirect(_back(item))
    return form_page(
        request,
        form,
        title=_("File “%(title)s”") % {"title": item.title},
        back=_back(item),
        submit=_("File"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    item = _for_action(request, pk, respond=True)
    form = AcknowledgeForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.demand_acknowledge(actor=request.user, demand=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The acknowledgement was recorded."))
            return redirect(_back(item))
    return form_page(
        request,
        form,
        title=_("%(body)s acknowledged receipt") % {"body": item.body.name},
        back=_back(item),
        submit=_("Record"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_answer(request: HttpRequest, pk: int) -> HttpResponse:
    item = _for_action(request, pk, respond=True)
    form = AnswerForm(post_data(request), _files(request))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                actions.demand_answer(
                    actor=request.user,
                    demand=item,
                    text=form.cleaned_data["text"],
                    on=form.cleaned_data["on"],
                )
                upload = _upload(request, "attachment")
                if upload is not None:
                    actions.demand_attach(
                        actor=request.user, demand=item, upload=upload, kind=AttachmentKind.ANSWER
                    )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The answer was recorded."))
            return redirect(_back(item))
    return form_page(
        request,
        form,
        title=_("Record the answer of %(body)s") % {"body": item.body.name},
        back=_back(item),
        submit=_("Record the answer"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    item = _for_action(request, pk)
    form = ResolveForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.demand_resolve(actor=request.user, demand=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The demand was marked resolved."))
            return redirect(_back(item))
    return form_page(
        request, form, title=_("The matter is settled"), back=_back(item), submit=_("Mark resolved")
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    item = _for_action(request, pk)
    perms = queries.demand_permissions(request.user, item)
    if not perms.escalate_to:
        raise PermissionDeniedError(_("This demand cannot be escalated: there is no higher body."))
    form = EscalateForm(post_data(request), bodies=[(b.pk, str(b)) for b in perms.escalate_to])
    if request.method == "POST" and form.is_valid():
        target = next(b for b in perms.escalate_to if b.pk == form.cleaned_data["to_body"])
        try:
            higher = actions.demand_escalate(
                actor=request.user,
                demand=item,
                to_body=target,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(
                request,
                _("The demand was escalated to %(body)s.") % {"body": target.name},
            )
            return redirect("dialogue:demand", pk=higher.pk)
    return form_page(
        request,
        form,
        title=_("Escalate “%(title)s” to a higher body") % {"title": item.title},
        back=_back(item),
        submit=_("Escalate"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = _for_action(request, pk)
    form = WithdrawForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.demand_withdraw(actor=request.user, demand=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The demand was withdrawn."))
            return redirect(_back(item))
    return form_page(
        request, form, title=_("Withdraw the demand"), back=_back(item), submit=_("Withdraw")
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_cosign(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.demand_get(user=request.user, pk=pk)
    perms = queries.demand_permissions(request.user, item)
    if not perms.sign_for and not perms.add_movement:
        raise PermissionDeniedError(
            _("You do not speak for an organisation that could sign this demand.")
        )
    form = CosignForm(post_data(request), organisations=[(o.pk, o.name) for o in perms.sign_for])
    if not perms.add_movement:
        del form.fields["movement"]
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data.get("organisation")
        try:
            with transaction.atomic():
                if chosen:
                    organisation: Organisation = next(o for o in perms.sign_for if o.pk == chosen)
                else:
                    organisation = actions.movement_ensure(
                        actor=request.user, name=form.cleaned_data["movement"]
                    )
                actions.demand_cosign(actor=request.user, demand=item, organisation=organisation)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("%(name)s signs the demand.") % {"name": organisation.name})
            return redirect(_back(item))
    return form_page(
        request,
        form,
        title=_("Co-sign “%(title)s”") % {"title": item.title},
        back=_back(item),
        submit=_("Sign"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def demand_attach(request: HttpRequest, pk: int) -> HttpResponse:
    item = _for_action(request, pk, respond=True)
    form = AttachForm(post_data(request), _files(request))
    if request.method == "POST" and form.is_valid():
        upload = _upload(request, "file")
        if upload is None:
            form.add_error("file", _("Choose a file."))
        else:
            try:
                actions.demand_attach(
                    actor=request.user, demand=item, upload=upload, kind=form.cleaned_data["kind"]
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The document was attached."))
                return redirect(_back(item))
    return form_page(
        request, form, title=_("Attach a document"), back=_back(item), submit=_("Attach")
    )


def _file_response(stored: Any, content_type: str, filename: str) -> FileResponse:
    """A stored upload, for the eyes of who may see its record only (never a shared cache)."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as err:
        raise Http404 from err
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def attachment(request: HttpRequest, pk: int) -> FileResponse:
    found = queries.attachment_get(user=request.user, pk=pk)
    return _file_response(found.file, found.content_type, found.name)


# Dialogue tables ----------------------------------------------------------------------------------


@cache_public_get()
def tables(request: HttpRequest) -> HttpResponse:
    page, query = paginate(
        request, queries.tables(request.user, request.GET.get("organizacion", ""))
    )
    return render(
        request,
        "dialogue/tables.html",
        {
            "page": page,
            "query": query,
            "commitments": list(queries.upcoming_commitments(request.user, limit=20)),
            "today": _today(),
            "can_convene": bool(queries.writable_owners(request.user)),
        },
    )


@cache_public_get()
def table(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.table_get(user=request.user, pk=pk)
    commitments = list(queries.commitments_of(item))
    user = request.user
    return render(
        request,
        "dialogue/table.html",
        {
            "table": item,
            "bodies": list(queries.table_bodies(item)),
            "participants": list(queries.participants(item)),
            "commitments": commitments,
            "changeable": {c.pk for c in commitments if queries.commitment_changeable(user, c)},
            "can_change": access.can_change(user, owner_id=item.owner_id),
            "today": _today(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def table_new(request: HttpRequest) -> HttpResponse:
    owners = queries.writable_owners(request.user)
    if not owners:
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of an organisation convene dialogue tables.")
        )
    form = TableForm(
        post_data(request), owners=[(o.pk, o.name) for o in owners], bodies=queries.body_choices()
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = next(o for o in owners if o.pk == data.pop("owner"))
        chosen = list(PublicBody.objects.filter(pk__in=data.pop("bodies")))
        try:
            item = actions.table_create(actor=request.user, owner=owner, bodies=chosen, **data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The dialogue table was created."))
            return redirect("dialogue:table", pk=item.pk)
    return form_page(
        request, form, title=_("Convene a dialogue table"), back=reverse("dialogue:tables")
    )


def _table_for_change(request: HttpRequest, pk: int) -> Any:
    item = queries.table_get(user=request.user, pk=pk)
    access.require_change(request.user, owner_id=item.owner_id)
    return item


@login_required
@require_http_methods(["GET", "POST"])
def table_record(request: HttpRequest, pk: int) -> HttpResponse:
    item = _table_for_change(request, pk)
    form = TableRecordForm(
        post_data(request), initial={"status": item.status, "minutes": item.minutes}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.table_record(actor=request.user, table=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The minutes were saved."))
            return redirect("dialogue:table", pk=item.pk)
    back = reverse("dialogue:table", args=[item.pk])
    return form_page(
        request, form, title=_("Minutes of “%(title)s”") % {"title": item.title}, back=back
    )


def _table_organisations(item: Any) -> list[tuple[int, str]]:
    found = [(item.owner_id, item.owner.name)]
    found += [(b.pk, str(b)) for b in queries.table_bodies(item)]
    return found


@login_required
@require_http_methods(["GET", "POST"])
def participant_new(request: HttpRequest, pk: int) -> HttpResponse:
    item = _table_for_change(request, pk)
    organisations = _table_organisations(item)
    form = ParticipantForm(post_data(request), organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("organisation")
        org = Organisation.objects.filter(pk=chosen).first() if chosen else None
        try:
            actions.table_participant_add(actor=request.user, table=item, organisation=org, **data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The participant was added."))
            return redirect("dialogue:table", pk=item.pk)
    back = reverse("dialogue:table", args=[item.pk])
    return form_page(request, form, title=_("Add a participant"), back=back)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_new(request: HttpRequest, pk: int) -> HttpResponse:
    item = _table_for_change(request, pk)
    form = CommitmentForm(post_data(request), organisations=_table_organisations(item))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        responsible = Organisation.objects.get(pk=data.pop("responsible"))
        try:
            actions.commitment_add(actor=request.user, table=item, responsible=responsible, **data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The commitment was recorded."))
            return redirect("dialogue:table", pk=item.pk)
    back = reverse("dialogue:table", args=[item.pk])
    return form_page(request, form, title=_("Record a commitment"), back=back)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_update(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = queries.commitment_get(user=request.user, pk=pk)
    if not queries.commitment_changeable(request.user, commitment):
        raise PermissionDeniedError(_("You may see this commitment, but not change it."))
    form = CommitmentUpdateForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == "done":
                actions.commitment_fulfil(
                    actor=request.user, commitment=commitment, on=data["on"], note=data["note"]
                )
            else:
                actions.commitment_break(
                    actor=request.user, commitment=commitment, note=data["note"]
                )
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The commitment was updated."))
            return redirect("dialogue:table", pk=commitment.table_id)
    back = reverse("dialogue:table", args=[commitment.table_id])
    return form_page(
        request, form, title=_("Follow up a commitment"), back=back, intro=commitment.what
    )


# Transfers of competences -------------------------------------------------------------------------


@cache_public_get()
@vary_on_headers("HX-Request")
def transfers(request: HttpRequest) -> HttpResponse:
    form = TransferFilterForm(request.GET or None)
    phase = request.GET.get("fase", "")
    service = request.GET.get("servicio", "")
    filters = queries.TransferFilters(
        phase=phase if phase in dict(form.fields["fase"].choices) else "",  # type: ignore[attr-defined]
        service=service if service in Service.values else "",
        organisation=request.GET.get("organizacion", "").strip()[:120],
    )
    page, query = paginate(request, queries.transfers(request.user, filters))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "can_open": bool(queries.writable_owners(request.user)),
    }
    template = "dialogue/transfers.html#results" if is_htmx(request) else "dialogue/transfers.html"
    return render(request, template, context)


@cache_public_get()
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.transfer_get(user=request.user, pk=pk)
    steps = list(queries.transfer_steps(item))
    reached = {s.phase for s in steps}
    return render(
        request,
        "dialogue/transfer.html",
        {
            "transfer": item,
            "steps": steps,
            "phases": [
                (code, label, code in reached, code == item.phase)
                for code, label in Phase.choices
                if code != Phase.CANCELLED or code in reached
            ],
            "documents": list(queries.transfer_documents(item)),
            "demands": list(queries.transfer_demands(request.user, item)),
            "can_change": access.can_change(request.user, owner_id=item.owner_id),
            "closed": item.phase in (Phase.COMPLETED, Phase.CANCELLED),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request: HttpRequest) -> HttpResponse:
    owners = [
        o
        for o in queries.writable_owners(request.user)
        if o.kind in (OrganisationKind.COMMUNE, OrganisationKind.COUNCIL)
    ]
    if not owners:
        raise PermissionDeniedError(
            _("Only coordinators and spokespeople of a commune or council follow transfers.")
        )
    form = TransferForm(
        post_data(request), owners=[(o.pk, o.name) for o in owners], bodies=queries.body_choices()
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = next(o for o in owners if o.pk == data.pop("owner"))
        from_body = _body_by_id(data.pop("from_body"))
        numbers = data.pop("demands")
        linked = queries.demands_by_ids(request.user, numbers)
        if from_body is None:
            form.add_error("from_body", _("Choose a public body of the directory."))
        elif len(linked) != len(set(numbers)):
            form.add_error("demands", _("Some of these demands do not exist."))
        else:
            try:
                item = actions.transfer_create(
                    actor=request.user, owner=owner, from_body=from_body, demands=linked, **data
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The transfer is being followed from its diagnosis."))
                return redirect("dialogue:transfer", pk=item.pk)
    return form_page(
        request,
        form,
        title=_("Follow a transfer of competences"),
        back=reverse("dialogue:transfers"),
    )


def _transfer_for_change(request: HttpRequest, pk: int) -> Any:
    item = queries.transfer_get(user=request.user, pk=pk)
    access.require_change(request.user, owner_id=item.owner_id)
    return item


@login_required
@require_http_methods(["GET", "POST"])
def transfer_advance(request: HttpRequest, pk: int) -> HttpResponse:
    item = _transfer_for_change(request, pk)
    form = AdvanceForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.transfer_advance(actor=request.user, transfer=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The transfer moved to its next phase."))
            return redirect("dialogue:transfer", pk=item.pk)
    back = reverse("dialogue:transfer", args=[item.pk])
    return form_page(
        request, form, title=_("Next phase of “%(title)s”") % {"title": item.title}, back=back
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = _transfer_for_change(request, pk)
    form = CancelForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.transfer_cancel(actor=request.user, transfer=item, **form.cleaned_data)
        except DomainError as err:
            add_domain_error(form, err)
        else:
            messages.success(request, _("The transfer was recorded as cancelled."))
            return redirect("dialogue:transfer", pk=item.pk)
    back = reverse("dialogue:transfer", args=[item.pk])
    return form_page(
        request, form, title=_("Cancel the transfer"), back=back, submit=_("Cancel the transfer")
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_document(request: HttpRequest, pk: int) -> HttpResponse:
    item = _transfer_for_change(request, pk)
    form = DocumentForm(post_data(request), _files(request))
    if request.method == "POST" and form.is_valid():
        upload = _upload(request, "file")
        if upload is None:
            form.add_error("file", _("Choose a file."))
        else:
            try:
                actions.transfer_attach(
                    actor=request.user,
                    transfer=item,
                    upload=upload,
                    title=form.cleaned_data["title"],
                )
            except DomainError as err:
                add_domain_error(form, err)
            else:
                messages.success(request, _("The document was attached."))
                return redirect("dialogue:transfer", pk=item.pk)
    back = reverse("dialogue:transfer", args=[item.pk])
    return form_page(request, form, title=_("Attach a document"), back=back, submit=_("Attach"))


def document(request: HttpRequest, pk: int) -> FileResponse:
    found = queries.document_get(user=request.user, pk=pk)
    return _file_response(found.file, found.content_type, found.file.name.rsplit("/", 1)[-1])


@cache_public_get()
def services(request: HttpRequest) -> HttpResponse:
    """Which communes and councils run which public services (completed transfers)."""
    rows = queries.managed_services()
    by_org: dict[int, list[queries.ManagedService]] = {}
    for row in rows:
        by_org.setdefault(row.organisation_id, []).append(row)
    points = queries.places_of(list(by_org))
    dots = []
    for org_id, services_run in by_org.items():
        lon, lat = points.get(org_id, (None, None))
        if lon is None or lat is None:
            continue
        first = services_run[0]
        label = f"{first.organisation}: {', '.join(s.service_label for s in services_run)}"
        dots.append(
            maps.dot(
                lon,
                lat,
                label,
                url=reverse("dialogue:organisation", args=[first.slug]),
                radius=3.0 + len(services_run),
            )
        )
    table_rows = [
        {
            "slug": items[0].slug,
            "name": items[0].organisation,
            "services": {s.service: s for s in items},
        }
        for items in by_org.values()
    ]
    return render(
        request,
        "dialogue/services.html",
        {
            "map": maps.state_map(dots=dots),
            "rows": table_rows,
            "service_choices": Service.choices,
            "summary": [
                (label, n)
                for code, label in Service.choices
                if (n := sum(1 for r in rows if r.service == code))
            ],
        },
    )


# Organisations, feeds and calendars ---------------------------------------------------------------


@cache_public_get()
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    org = queries.organisation_get(slug=slug)
    if org.kind == OrganisationKind.PUBLIC_BODY:
        return redirect("dialogue:body", slug=slug)
    today = _today()
    return render(
        request,
        "dialogue/organisation.html",
        {
            "organisation": org,
            "today": today,
            "can_change": access.can_change(request.user, owner_id=org.pk),
            **queries.organisation_summary(request.user, org, today),
        },
    )


def _calendar_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def ical_body(request: HttpRequest, slug: str) -> HttpResponse:
    item = queries.body_get(slug=slug)
    text = exports.calendar_text(
        name=item.name,
        demands=queries.calendar_demands(body=item),
        tables=queries.calendar_tables(body=item),
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    return _calendar_response(text, f"{item.slug}.ics")


def ical_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    org = queries.organisation_get(slug=slug)
    text = exports.calendar_text(
        name=org.name,
        demands=queries.calendar_demands(organisation=org),
        tables=queries.calendar_tables(organisation=org),
        base_url=request.build_absolute_uri("/").rstrip("/"),
    )
    return _calendar_response(text, f"{org.slug}.ics")
