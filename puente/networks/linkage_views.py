"""The review queue of proposed matches between persons: both persons side by side, the
match probability and each comparison's weight, confirm or reject; and "run matching
now". Thin: the rules and the audit are in puente.networks.linkage. Every page needs
link.review (supervisors and analysts); analysts hold no case.view, so a case reference
is shown as text to them and as a link to those who may open the case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from puente.audit.domain import record_event
from puente.cases.access import OpenableCases
from puente.cases.models import Person
from puente.core.permissions import Perm, require_perm
from puente.networks import linkage, linkage_tasks
from puente.networks.models.linkage import LinkStatus, PersonLink

PAGE_SIZE = 25


@dataclass
class Side:
    person: Person
    reference: str
    may_open: bool


@dataclass
class Row:
    link: PersonLink
    a: Side
    b: Side
    evidence: list[tuple[str, str, float]]
    percent: str


def _status(request) -> str:
    value = request.GET.get("status", LinkStatus.PROPOSED)
    return value if value in LinkStatus.values else LinkStatus.PROPOSED


@require_GET
@require_perm(Perm.LINK_REVIEW)
def links(request):
    status = _status(request)
    queue = linkage.review_queue(user=request.user, status=status)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    openable = OpenableCases(request.user)
    rows = []
    for link in page.object_list:
        sides = []
        for person in (link.person_a, link.person_b):
            case = person.case
            sides.append(
                Side(
                    person=person,
                    reference=case.reference,
                    may_open=openable.may_open(
                        case.pk, restricted=case.restricted, owner_id=case.owner_id
                    ),
                )
            )
        rows.append(
            Row(
                link=link,
                a=sides[0],
                b=sides[1],
                evidence=linkage.evidence_rows(link.evidence),
                percent=f"{link.match_probability * 100:.1f}",
            )
        )
    hidden = linkage.hidden_count(user=request.user, status=status)
    shown: list[Any] = [[r.link.person_a_id, r.link.person_b_id] for r in rows]
    if shown or hidden:
        # Names of persons were shown: who looked, at whom, is in the audit trail.
        record_event(
            action="view",
            actor=request.user,
            object_type="personlink_queue",
            object_ref=status,
            changes=[
                {"field": "status", "new": status},
                {"field": "persons", "new": shown},
                {"field": "hidden", "new": hidden},
            ],
            request=request,
        )
    return render(
        request,
        "networks/linkage/links.html",
        {
            "rows": rows,
            "page": page,
            "status": status,
            "statuses": LinkStatus.choices,
            "hidden": hidden,
            "is_proposed": status == LinkStatus.PROPOSED,
            "run": linkage.latest_run(),
            "running": linkage.run_in_progress() is not None,
            "page_query": urlencode({"status": status}),
        },
    )


def _back(request) -> str:
    status = request.POST.get("status", LinkStatus.PROPOSED)
    if status not in LinkStatus.values:
        status = LinkStatus.PROPOSED
    query = {"status": status}
    if page := request.POST.get("page", "").strip():
        if page.isdigit():
            query["page"] = page
    return f"{reverse('networks:links')}?{urlencode(query)}"


@require_POST
@require_perm(Perm.LINK_REVIEW)
def link_decide(request, link_id):
    decision = request.POST.get("decision", "")
    status = {"confirm": LinkStatus.CONFIRMED, "reject": LinkStatus.REJECTED}.get(decision)
    # A pair this person may not see is answered as one that is gone: never confirmed
    # to exist.
    link = linkage.visible_links(user=request.user).filter(pk=link_id).first()
    if link is None:
        messages.error(request, _("This proposed match is not there any more."))
        return redirect(_back(request))
    if status is None:
        messages.error(request, _("Choose confirm or reject."))
        return redirect(_back(request))
    try:
        linkage.decide_link(
            link_id=link.pk,
            status=status,
            by=request.user,
            note=request.POST.get("note", "").strip(),
            request=request,
        )
    except ValidationError as exc:
        messages.warning(request, " ".join(exc.messages))
    else:
        if status == LinkStatus.CONFIRMED:
            messages.success(request, _("Confirmed: the two records are the same person."))
        else:
            messages.success(
                request, _("Rejected: the two records are different persons; never proposed again.")
            )
    return redirect(_back(request))


@require_POST
@require_perm(Perm.LINK_REVIEW)
def link_run(request):
    try:
        run = linkage.start_run(by=request.user, request=request)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        linkage_tasks.queue_run(run.pk)
        messages.success(
            request, _("Matching has started; reload this page in a few minutes for its proposals.")
        )
    return redirect("networks:links")
