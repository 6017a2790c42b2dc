"""The release pages: the log, the form that builds a draft, the preview that shows the
protected table (and why each hidden cell is hidden) before it is confirmed, the CSV
download, and the CTDC-layout microdata file. Thin: the rules and the audit are in
puente.sharing.releases. Every page needs release.manage."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from puente.core.forms import apply_domain_errors
from puente.core.permissions import Perm, require_perm
from puente.sharing import releases
from puente.sharing.models.releases import Release, ReleaseStatus
from puente.sharing.release_forms import MicrodataForm, ReleaseForm


class _Echo:
    """csv.writer writes into this and hands each line back, to be streamed."""

    def write(self, value: str) -> str:
        return value


def _csv_response(rows: Iterator[list[str]], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        # A byte-order mark first: Excel then reads the file as UTF-8 (accents intact).
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@require_perm(Perm.RELEASE_MANAGE)
def releases_log(request):
    """What has been released, to whom, when, by whom and how; this year's budgets."""
    year = timezone.localdate().year
    return render(
        request,
        "sharing/releases/list.html",
        {
            "releases": releases.release_log(),
            "tables": releases.TABLES,
            "budgets": releases.budget_overview(year=year),
            "year": year,
            "microdata_form": MicrodataForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@require_perm(Perm.RELEASE_MANAGE)
def release_new(request):
    status = 200
    if request.method == "POST":
        form = ReleaseForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                draft = releases.prepare_release(
                    by=request.user,
                    table=data["table"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    recipient=data["recipient"],
                    publication_name=data["publication_name"],
                    method=data["method"],
                    epsilon=data["epsilon"],
                    k=data["k"],
                    request=request,
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                return redirect("sharing:release", release_id=draft.pk)
    else:
        today = timezone.localdate()
        form = ReleaseForm(
            initial={"period_start": today.replace(month=1, day=1), "period_end": today}
        )
    return render(request, "sharing/releases/new.html", {"form": form}, status=status)


@require_GET
@require_perm(Perm.RELEASE_MANAGE)
def release(request, release_id):
    """A release's protected table: the preview of a draft (with its confirm button), or
    what left."""
    item = get_object_or_404(
        Release.objects.select_related("recipient", "released_by"), pk=release_id
    )
    definition = releases.TABLES.get(item.table)
    return render(
        request,
        "sharing/releases/detail.html",
        {
            "release": item,
            "definition": definition,
            "dimension_names": [releases.dimension_name(d) for d in item.dimensions],
            "cells": releases.cell_rows(item),
            "margins": releases.margin_rows(item),
            "folded": [
                (releases.dimension_name(d), [releases.dimension_label(d, v) for v in values])
                for d, values in item.folded.items()
            ],
            "is_draft": item.status == ReleaseStatus.DRAFT,
        },
    )


@require_POST
@require_perm(Perm.RELEASE_MANAGE)
def release_confirm(request, release_id):
    item = get_object_or_404(Release, pk=release_id)
    try:
        releases.confirm_release(release=item, by=request.user, request=request)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if item.recipient_id:
            messages.success(
                request,
                _("The table has been released and is on its way to %(partner)s.")
                % {"partner": item.recipient},
            )
        else:
            messages.success(request, _("The table has been released."))
    return redirect("sharing:release", release_id=item.pk)


@require_GET
@require_perm(Perm.RELEASE_MANAGE)
def release_csv(request, release_id):
    item = get_object_or_404(Release, pk=release_id)
    try:
        releases.record_download(release=item, by=request.user, request=request)
    except ValidationError as exc:
        raise Http404 from exc
    rows = releases.csv_rows(item, language=translation.get_language()[:2])
    return _csv_response(rows, releases.download_name(item))


@require_http_methods(["GET", "POST"])
@require_perm(Perm.RELEASE_MANAGE)
def microdata(request):
    """The k-anonymised case-level file in the CTDC dataset's layout."""
    form = MicrodataForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rows = releases.export_microdata(
                by=request.user,
                period_start=data["period_start"],
                period_end=data["period_end"],
                k=data["k"],
                request=request,
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            name = f"ctdc_{data['period_start']}_{data['period_end']}.csv"
            return _csv_response(iter(rows), name)
    status = 400 if request.method == "POST" else 200
    return render(request, "sharing/releases/microdata.html", {"form": form}, status=status)
