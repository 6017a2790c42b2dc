"""The dashboards (/insights/dashboards/…) and each chart's numbers as a CSV file. Thin:
the numbers are read in `puente.insights.dashboards` (which asks `queries`), the filter
is `forms.DashboardFilterForm`.

Opening a dashboard is a "view" in the audit trail and a CSV download an "export", each
naming the dashboard or chart and the filter it was made with (the entry's reason, read
back in words by `dashboard_hooks`): the figures are counts, never a record, but who looked
at what, and when, is part of the trail as for every other page of hotline data."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_GET

from puente.audit.domain import record_event
from puente.core.permissions import Perm, require_perm
from puente.insights import dashboards
from puente.insights.forms import DashboardFilterForm, default_start, filter_query

MAP_FILES = {"US": "insights/maps/us-states.svg", "MX": "insights/maps/mx-states.svg"}
# What the tabs keep of the query string: the filter, never anything else.
FILTER_FIELDS = (
    "start",
    "end",
    "all_years",
    "country",
    "state",
    "exploitation_type",
    "form_of_exploitation",
)


def _filter_form(request, today) -> DashboardFilterForm:
    data = request.GET.copy()
    # Nothing chosen yet: the last twelve months, written into the form so the reader
    # sees which dates the figures are for.
    if not any(data.get(name) for name in ("start", "end", "all_years")):
        data["start"] = default_start(today).isoformat()
        data["end"] = today.isoformat()
    return DashboardFilterForm(data, today=today)


def _querystring(form: DashboardFilterForm) -> str:
    query = QueryDict(mutable=True)
    for name in FILTER_FIELDS:
        value = form.data.get(name)
        if value:
            query[name] = value
    return query.urlencode()


def _dashboard_url(slug: str) -> str:
    return reverse("insights:dashboards" if slug == "contacts" else f"insights:dashboard_{slug}")


@require_GET
@require_perm(Perm.INSIGHTS_VIEW)
def dashboard(request, dashboard: str):
    board = dashboards.DASHBOARDS_BY_SLUG[dashboard]
    today = timezone.localdate()
    form = _filter_form(request, today)
    querystring = _querystring(form)
    context = {
        "board": board,
        "form": form,
        "querystring": querystring,
        "tabs": [
            {"board": b, "url": _dashboard_url(b.slug), "current": b.slug == dashboard}
            for b in dashboards.DASHBOARDS
        ],
    }
    if not form.is_valid():
        return render(request, "insights/dashboard.html", context, status=400)
    f = form.insight_filter()
    figures = dashboards.read_figures(dashboard=dashboard, f=f, today=today)
    record_event(
        action="view",
        actor=request.user,
        object_type="dashboard",
        reason=f"dashboard={dashboard}&{filter_query(f)}",
        request=request,
    )
    charts = dashboards.build_charts(figures, f, today=today)
    context.update(
        {
            "filter": f,
            "figures": figures,
            "headlines": dashboards.headlines(figures),
            "charts": [_chart_context(chart) for chart in charts],
        }
    )
    return render(request, "insights/dashboard.html", context)


def _number(n: int) -> str:
    return formats.number_format(n, force_grouping=True)


def _chart_context(chart: dashboards.Chart) -> dict:
    """A chart as its template shows it: its data for the browser, and its table with
    every number in the reader's locale and every cell named for a phone's stacked rows."""
    names = [s.name for s in chart.series]
    totals = chart.totals()
    return {
        "chart": chart,
        "data": chart.as_data(),
        "data_id": f"chart-data-{chart.slug}",
        "map_url": static(MAP_FILES[chart.map_name]) if chart.map_name else "",
        "rows": [
            (label, list(zip(names, map(_number, values), strict=True)), _number(total))
            for label, values, total in chart.rows()
        ],
        "totals": list(zip(names, map(_number, totals), strict=True)),
        "grand_total": _number(sum(totals)),
    }


class _Echo:
    """csv.writer writes into this and hands each line back, to be streamed."""

    def write(self, value: str) -> str:
        return value


@require_GET
@require_perm(Perm.INSIGHTS_VIEW)
def dashboard_csv(request, chart: str):
    board = dashboards.DASHBOARD_OF_CHART.get(chart)
    if board is None:
        raise Http404
    today = timezone.localdate()
    form = _filter_form(request, today)
    if not form.is_valid():
        errors = "\n".join(str(e) for field in form.errors.values() for e in field)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    f = form.insight_filter()
    figures = dashboards.read_figures(dashboard=board, f=f, today=today)
    found = [c for c in dashboards.build_charts(figures, f, today=today) if c.slug == chart]
    if not found:
        raise Http404  # a chart this hotline does not show (Mexico's legal frame in the U.S.)
    record_event(
        action="export",
        actor=request.user,
        object_type="dashboard",
        reason=f"chart={chart}&{filter_query(f)}",
        request=request,
    )
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        # A byte-order mark first: Excel then reads the file as UTF-8 (accents intact).
        yield "\ufeff"
        for row in found[0].csv_rows():
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    span = "_".join(d.isoformat() for d in (f.start, f.end) if d) or "all-years"
    response["Content-Disposition"] = f'attachment; filename="{chart}_{span}.csv"'
    return response
