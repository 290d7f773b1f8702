"""Pages of the registry's imports and exports: CSV import with a dry run; CSV, GeoJSON and
Popolo JSON exports that honour the directory's filters (q, estado, nivel, estatus, ambito,
comuna). Exports are public, like the registry; they are streamed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from comuna.core.errors import PermissionDeniedError
from comuna.registry import exports, imports, queries
from comuna.registry.views import filters_from

BOM = "\ufeff"  # spreadsheet programs then read the accents right
BATCH = 500  # lines per streamed chunk
ERRORS_SHOWN = 500
PLANNED_SHOWN = 100


def _batched(pieces: Iterable[str], size: int = BATCH) -> Iterator[str]:
    batch: list[str] = []
    for piece in pieces:
        batch.append(piece)
        if len(batch) >= size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _download(pieces: Iterable[str], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_batched(pieces), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def export_communes_csv(request: HttpRequest) -> StreamingHttpResponse:
    lines = exports.communes_csv(queries.communes(filters_from(request)))
    return _download(chain([BOM], lines), "text/csv; charset=utf-8", "comunas.csv")


@require_GET
def export_councils_csv(request: HttpRequest) -> StreamingHttpResponse:
    lines = exports.councils_csv(queries.councils(filters_from(request)))
    return _download(chain([BOM], lines), "text/csv; charset=utf-8", "consejos-comunales.csv")


@require_GET
def export_communes_geojson(request: HttpRequest) -> StreamingHttpResponse:
    pieces = exports.geojson_lines(queries.communes(filters_from(request)))
    return _download(pieces, "application/geo+json", "comunas.geojson")


@require_GET
def export_councils_geojson(request: HttpRequest) -> StreamingHttpResponse:
    pieces = exports.geojson_lines(queries.councils(filters_from(request)))
    return _download(pieces, "application/geo+json", "consejos-comunales.geojson")


@require_GET
def export_popolo(request: HttpRequest) -> StreamingHttpResponse:
    pieces = exports.popolo_lines(exports.popolo_sources(filters_from(request)))
    return _download(pieces, "application/json", "red-popolo.json")


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("The file holds"),
        choices=[
            ("communes", gettext_lazy("Communes")),
            ("councils", gettext_lazy("Communal councils")),
        ],
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8, separated by commas or semicolons; at most 10 MB and 20,000 rows."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and create nothing"),
        required=False,
        initial=True,
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s MB: split it into smaller files.")
                % {"limit": imports.MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _planned_with_links(report: imports.ImportReport) -> list[tuple[imports.PlannedRow, str]]:
    """The first rows of the report, each with the link to the unit once it is created."""
    name = "registry:commune" if report.kind == "communes" else "registry:council"
    slugs = report.slugs if report.created else []
    return [
        (row, reverse(name, args=[slugs[index]]) if index < len(slugs) else "")
        for index, row in enumerate(report.planned[:PLANNED_SHOWN])
    ]


@login_required
@require_http_methods(["GET", "POST"])
def import_registry(request: HttpRequest) -> HttpResponse:
    if not imports.may_import(request.user):
        raise PermissionDeniedError(
            _("Only coordinators of the network or of a commune may import into the registry.")
        )
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    report = None
    if form.is_bound and form.is_valid():
        try:
            report = imports.import_csv(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                data=form.cleaned_data["file"].read(imports.MAX_BYTES + 1),
                dry_run=form.cleaned_data["dry_run"],
            )
        except PermissionDeniedError as err:
            form.add_error("kind", err.message)
        else:
            if report.created:
                form = ImportForm(initial={"kind": form.cleaned_data["kind"]})  # dry run again
    context = {
        "form": form,
        "report": report,
        "errors_shown": report.errors[:ERRORS_SHOWN] if report else [],
        "planned_shown": _planned_with_links(report) if report else [],
        "columns": [
            (_("Communes"), imports.COLUMNS["communes"]),
            (_("Communal councils"), imports.COLUMNS["councils"]),
        ],
    }
    return render(request, "registry/import.html", context)
