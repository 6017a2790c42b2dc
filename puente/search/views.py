from django.shortcuts import render

from puente.audit.domain import record_event
from puente.core.permissions import Perm, require_perm
from puente.search.queries import search


@require_perm(Perm.SEARCH)
def results(request):
    query = request.GET.get("q", "").strip()[:200]
    found = search(user=request.user, query=query)
    if query:
        # What was searched for is itself sensitive (a name, a number): it goes in the trail.
        record_event(
            action="search", actor=request.user, object_type="search", reason=query, request=request
        )
    context = {"results": found, "search_query": query}
    # htmx (search as you type, or a box elsewhere) swaps in only the results.
    template = (
        "search/_results.html" if request.headers.get("HX-Request") else "search/results.html"
    )
    return render(request, template, context)
