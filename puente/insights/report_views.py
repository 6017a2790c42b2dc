"""The periodic reports' pages. Thin: read the form, call `puente.insights.reports.domain`,
show the result. Every page needs `insights.view`; the list behind a figure and every
download are audited by the domain.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from puente.audit.domain import record_event
from puente.core.forms import apply_domain_errors
from puente.core.permissions import Perm, require_perm
from puente.insights.models import ReportRun
from puente.insights.report_forms import ReportForm
from puente.insights.reports import domain, queries, tasks
from puente.insights.reports.choices import FileFormat, ReportKind, RunStatus
from puente.insights.reports.definitions import current_definitions


def _start_month() -> int:
    return current_definitions().fiscal_start(settings.PUENTE_COUNTRY)


@require_http_methods(["GET", "POST"])
@require_perm(Perm.INSIGHTS_VIEW)
def reports(request):
    """Which reports are due, the form to generate one for any period, recent reports."""
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, start_month=_start_month())
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = domain.request_report(
                    by=request.user,
                    kind=data["kind"],
                    period=data["period"],
                    language=data["language"],
                    formats=data["formats"],
                    request=request,
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                tasks.queue_generation(run)
                messages.success(request, _("The report is being generated."))
                return redirect("insights:report", run_id=run.pk)
    else:
        period = queries.last_complete_period(kind=ReportKind.MONTHLY)
        form = ReportForm(
            start_month=_start_month(),
            initial={
                "kind": ReportKind.MONTHLY,
                "period_start": period.start,
                "period_end": period.end,
                # The hotline's language: the one its reports are filed in.
                "language": settings.LANGUAGE_CODE,
                "formats": list(FileFormat.values),
            },
        )
    return render(
        request,
        "insights/reports.html",
        {
            "form": form,
            "due": queries.due_reports(),
            "runs": queries.recent_runs(),
            "hotline_language": settings.LANGUAGE_CODE,
        },
        status=status,
    )


@require_GET
@require_perm(Perm.INSIGHTS_VIEW)
def report(request, run_id: int):
    """One report: its progress while it is generated, then its figures (each one a link
    to the records behind it) and its files."""
    run = get_object_or_404(ReportRun.objects.select_related("requested_by"), pk=run_id)
    record_event(
        action="view",
        actor=request.user,
        obj=run,
        object_ref=run.period,
        request=request,
    )
    document = None
    if run.status == RunStatus.DONE:
        # The figures under labels in the reader's language; the files keep the report's.
        document = domain.build_document(run, language=translation.get_language()[:2])
    return render(request, "insights/report.html", {"run": run, "document": document})


@require_GET
@require_perm(Perm.INSIGHTS_VIEW)
def report_progress(request, run_id: int):
    """What the report page polls while the report is generated. Once it is finished the
    page reloads itself (htmx's HX-Refresh) to show the figures or the failure."""
    run = get_object_or_404(ReportRun, pk=run_id)
    response = render(request, "insights/report_progress.html", {"run": run})
    if run.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_GET
@require_perm(Perm.INSIGHTS_VIEW)
def report_figure(request, run_id: int, row: str):
    """The records behind one figure, as this reader may see them."""
    run = get_object_or_404(ReportRun, pk=run_id, status=RunStatus.DONE)
    stored = domain.stored_row(run, row)
    if stored is None:
        raise Http404
    found = domain.open_figure_list(
        run=run, row=stored, by=request.user, page_number=request.GET.get("page"), request=request
    )
    return render(
        request,
        "insights/report_figure.html",
        {
            "run": run,
            "row": stored,
            "row_label": stored.label(translation.get_language()[:2]),
            "reported": domain.stored_value(run, row),
            "found": found,
        },
    )


@require_GET
@require_perm(Perm.INSIGHTS_VIEW)
def report_download(request, run_id: int, fmt: str):
    run = get_object_or_404(ReportRun, pk=run_id, status=RunStatus.DONE)
    try:
        path = domain.record_download(run=run, fmt=fmt, by=request.user, request=request)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=domain.download_name(run, fmt),
        content_type=domain.CONTENT_TYPES[fmt],
    )
