"""Across the border: the identifier-match pages. Thin: the rules are in
`puente.networks.psi`.

- /networks/matches/ (identifier.match: supervisors, liaisons): start a run, the runs and
  what matched, what partners asked of us, and each partner's policy. A matched
  identifier held only by cases the reader may not open is counted, never shown.
- /networks/matches/policy/<partner>/ (partner.manage: administrators): what may be
  matched with that partner and how often it may ask. The policy is part of the
  agreement with the partner, like its keys, so whoever registers partners sets it;
  supervisors and liaisons read it on the matches page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from puente.audit.domain import record_event
from puente.cases.access import OpenableCases
from puente.core import choices as c
from puente.core.permissions import Perm, require_perm
from puente.federation.models import OutboxMessage, PartnerHotline
from puente.networks import psi
from puente.networks.models.psi import IdentifierMatch, MatchPolicy, MatchRun, ServedMatch
from puente.networks.psi_forms import MatchPolicyForm, StartMatchForm

RUNS_SHOWN = 50


@dataclass
class ShownMatch:
    kind: str
    value: str  # "" when every case holding it is closed to the reader
    cases: list[str] = field(default_factory=list)  # references the reader may open
    hidden: int = 0  # cases holding it the reader may not open


@dataclass
class ShownRun:
    run: MatchRun
    status: str
    kinds: str
    refusal: str
    delivery_error: str
    matches: list[ShownMatch]
    hidden_matches: int


def kind_labels(kinds: list[str]) -> str:
    labels = dict(c.IdentifierKind.choices)
    return ", ".join(str(labels[k]) for k in c.IdentifierKind.values if k in kinds)


def _shown_runs(user, runs: list[MatchRun]) -> list[ShownRun]:
    may = OpenableCases(user)
    matches: dict[int, list[IdentifierMatch]] = {}
    for match in IdentifierMatch.objects.filter(run__in=runs).prefetch_related("cases"):
        matches.setdefault(match.run_id, []).append(match)
    errors = dict(
        OutboxMessage.objects.filter(
            message_id__in=[r.message_id for r in runs if r.message_id], state="failed"
        ).values_list("message_id", "last_error")
    )
    kinds = dict(c.IdentifierKind.choices)
    refusals = dict(psi.Refusal.choices)
    shown = []
    for run in runs:
        rows = []
        hidden_matches = 0
        for match in matches.get(run.pk, []):
            cases = sorted(match.cases.all(), key=lambda case: case.reference)
            open_ = [
                case.reference
                for case in cases
                if may.may_open(case.pk, restricted=case.restricted, owner_id=case.owner_id)
            ]
            if not open_ and cases:
                hidden_matches += 1
                continue
            rows.append(
                ShownMatch(
                    kind=str(kinds.get(match.kind, match.kind)),
                    value=match.normalised,
                    cases=open_,
                    hidden=len(cases) - len(open_),
                )
            )
        shown.append(
            ShownRun(
                run=run,
                status=run.get_status_display(),
                kinds=kind_labels(run.kinds),
                refusal=str(refusals.get(run.refusal, run.refusal)) if run.refusal else "",
                delivery_error=errors.get(run.message_id, "") if run.message_id else "",
                matches=rows,
                hidden_matches=hidden_matches,
            )
        )
    return shown


@require_http_methods(["GET", "POST"])
@require_perm(Perm.IDENTIFIER_MATCH)
def matches(request):
    partners = list(PartnerHotline.objects.filter(active=True).order_by("name"))
    policies = {p.partner_id: p for p in MatchPolicy.objects.filter(partner__in=partners)}
    enabled = [p for p in partners if p.pk in policies and policies[p.pk].enabled]
    kinds = sorted({k for p in enabled for k in policies[p.pk].kinds})
    form = StartMatchForm(
        request.POST or None,
        partners=PartnerHotline.objects.filter(pk__in=[p.pk for p in enabled]).order_by("name"),
        kinds=kinds,
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = psi.start_match(
                partner=form.cleaned_data["partner"],
                kinds=form.cleaned_data["kinds"],
                by=request.user,
                request=request,
            )
        except ValidationError as problem:
            for name, errors in problem.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            note = ngettext(
                "%(n)s identifier is on its way to %(partner)s, blinded.",
                "%(n)s identifiers are on their way to %(partner)s, blinded.",
                run.asked,
            ) % {"n": run.asked, "partner": run.partner.name}
            if run.left_out:
                note += " " + ngettext(
                    "%(n)s older one was left out (the per-request limit).",
                    "%(n)s older ones were left out (the per-request limit).",
                    run.left_out,
                ) % {"n": run.left_out}
            messages.success(request, note)
            return redirect("networks:matches")
    runs = list(
        MatchRun.objects.select_related("partner", "asked_by").order_by("-created_at", "-id")[
            :RUNS_SHOWN
        ]
    )
    served = list(
        ServedMatch.objects.select_related("partner").order_by("-received_at", "-id")[:RUNS_SHOWN]
    )
    refusals = dict(psi.Refusal.choices)
    labels = dict(c.IdentifierKind.choices)
    record_event(
        action="view",
        actor=request.user,
        object_type="identifier_matches",
        reason=", ".join(str(r.run_id)[:8] for r in runs)[:1000],
        request=request,
    )
    return render(
        request,
        "networks/psi/matches.html",
        {
            "form": form,
            "can_start": bool(enabled),
            "runs": _shown_runs(request.user, runs),
            "served": [
                (
                    s,
                    str(refusals.get(s.refusal, s.refusal)) if s.refusal else "",
                    kind_labels(s.kinds),
                )
                for s in served
            ],
            "policies": [
                (
                    partner,
                    policies.get(partner.pk),
                    [
                        str(labels[k])
                        for k in c.IdentifierKind.values
                        if k in policies[partner.pk].kinds
                    ]
                    if partner.pk in policies
                    else [],
                )
                for partner in partners
            ],
            "can_manage": request.user.can(Perm.PARTNER_MANAGE),
        },
    )


@require_http_methods(["GET", "POST"])
@require_perm(Perm.PARTNER_MANAGE)
def policy(request, partner_id: int):
    partner = get_object_or_404(PartnerHotline, pk=partner_id)
    current = psi.policy_for(partner)
    form = MatchPolicyForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in MatchPolicyForm.Meta.fields}
        try:
            psi.change_policy(partner=partner, by=request.user, request=request, **values)
        except ValidationError as problem:
            for name, errors in problem.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("The matching policy for %(partner)s is saved.") % {"partner": partner.name},
            )
            return redirect("networks:match_policy", partner_id=partner.pk)
    return render(
        request,
        "networks/psi/policy.html",
        {
            "partner": partner,
            "form": form,
            "policy": current,
            "left": psi.budget_left(current) if current.pk else None,
            "partners": PartnerHotline.objects.order_by("name"),
        },
    )
