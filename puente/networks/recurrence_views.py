"""What recurs within the hotline: the "appears in N other cases" hints that the intake
screen and the case page load (intake and cases sit below networks and never import it:
their templates ask for these partials by URL name), and the network view with its table
and CSV. Thin: the rules are in recurrence.py and recurrence_graph.py.

Permissions: the intake hint is part of the phone screen-pop and needs what it needs
(phone.lookup: whoever may ask "who is calling?" may hear "this number is in 3 cases");
the case page's hints need case.view and the case itself (case_for); the network view,
its table and CSV need network.view — the analysts' exception (accounts/roles.py).
"""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from puente.audit.domain import record_event
from puente.cases.access import case_for
from puente.core import choices as c
from puente.core.permissions import Perm, require_perm
from puente.networks import recurrence, recurrence_graph
from puente.networks.recurrence_forms import GraphFilterForm


@require_GET
@require_perm(Perm.PHONE_LOOKUP)
def appearances(request):
    """The intake hint: in how many cases the number (or identifier) being typed appears."""
    kind = request.GET.get("kind") or c.IdentifierKind.PHONE
    value = request.GET.get("value", "")
    found = recurrence.appearances(kind=kind, value_or_normalised=value, user=request.user)
    recurrence.record_lookup(user=request.user, found=found, request=request, where="intake")
    return render(request, "networks/recurrence/_appearances.html", {"found": found})


@require_GET
@require_perm(Perm.CASE_VIEW)
def case_appearances(request, reference):
    """The case page's hints, one per identifier, swapped in beside each (out of band)."""
    case = case_for(user=request.user, reference=reference, request=request)
    found = recurrence.appearances_for_case(case=case, user=request.user)
    if found:
        recurrence.record_case_lookup(
            user=request.user, case=case, found=found.values(), request=request
        )
    return render(
        request,
        "networks/recurrence/_case_appearances.html",
        {"case": case, "found": sorted(found.items())},
    )


def _filters(request) -> tuple[GraphFilterForm, recurrence_graph.GraphFilters]:
    form = GraphFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, recurrence_graph.GraphFilters(
            kind=data["kind"] or "",
            min_cases=data["min_cases"] or 2,
            since=data["since"],
            until=data["until"],
        )
    return form, recurrence_graph.GraphFilters()


def _focused(request, net: recurrence_graph.Network):
    query = request.GET.get("q", "").strip()
    component = None
    if query:
        component = recurrence_graph.find_component(net=net, query=query)
    else:
        try:
            rank = int(request.GET.get("component") or (1 if net.components else 0))
        except ValueError:
            rank = 0
        if 1 <= rank <= len(net.components):
            component = net.components[rank - 1]
    if component is None:
        return query, None
    graph = recurrence_graph.focus(
        net=net,
        component=component,
        case_url=lambda reference: reverse("cases:detail", kwargs={"reference": reference}),
    )
    return query, graph


def _query_without(request, *drop: str) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k not in drop and v])


@require_GET
@require_perm(Perm.NETWORK_VIEW)
def graph(request):
    form, filters = _filters(request)
    net = recurrence_graph.network(user=request.user, filters=filters)
    query, focused = _focused(request, net)
    record_event(
        action="view",
        actor=request.user,
        object_type="network",
        object_ref=f"component {focused.component.rank}" if focused else "",
        changes=[{"field": "search", "old": None, "new": query}] if query else [],
        reason=filters.as_text(),
        request=request,
    )
    shown = settings.PUENTE_NETWORK_COMPONENTS_SHOWN
    return render(
        request,
        "networks/recurrence/graph.html",
        {
            "form": form,
            "query": query,
            "components": net.components[:shown],
            "component_count": len(net.components),
            "focused": focused,
            "graph_data": focused.as_json() if focused else None,
            "filter_query": _query_without(request, "component", "q"),
            "focus_query": _query_without(request),
            "reads_cases": net.reader.reads_cases,
        },
    )


@require_GET
@require_perm(Perm.NETWORK_VIEW)
def graph_csv(request):
    """The component on screen as a table, one row per node (the same as the page's)."""
    _form, filters = _filters(request)
    net = recurrence_graph.network(user=request.user, filters=filters)
    query, focused = _focused(request, net)
    nodes = focused.nodes if focused else []
    record_event(
        action="export",
        actor=request.user,
        object_type="network",
        object_ref=f"component {focused.component.rank}" if focused else "",
        changes=[{"field": "search", "old": None, "new": query}] if query else [],
        reason=f"{filters.as_text()} nodes={len(nodes)}",
        request=request,
    )
    # Built whole (a component is cut at PUENTE_NETWORK_GRAPH_MAX_NODES) while the
    # request's language is active.
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel then reads the file as UTF-8 (accents intact)
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Node"),
            _("Kind"),
            _("Details"),
            _("Cases"),
            _("Cases you may not open"),
            _("Degree"),
            _("Betweenness"),
            _("Component"),
        ]
    )
    for node in nodes:
        identifier = node.kind == recurrence_graph.IDENTIFIER
        writer.writerow(
            [
                node.label,
                node.kind_label,
                node.detail,
                node.cases if identifier else "",
                node.hidden_cases if identifier else "",
                node.degree,
                f"{node.betweenness:.4f}",
                node.component,
            ]
        )
    stamp = timezone.localdate().isoformat()
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="network-{stamp}.csv"'
    return response
