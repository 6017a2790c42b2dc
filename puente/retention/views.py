from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from puente.core.forms import apply_domain_errors
from puente.core.permissions import Perm, require_perm
from puente.retention import domain, queries
from puente.retention.forms import RuleForm
from puente.retention.rules import DEFAULT_FOR, MINIMUM_DAYS, Category


@require_http_methods(["GET", "POST"])
@require_perm(Perm.RETENTION_MANAGE)
def rules(request):
    """How long each kind of record is kept: one form per category, saved one at a time.
    The page shows counts and settings only, never a record."""
    current = domain.current_rules()
    forms = {
        rule.category: RuleForm(
            prefix=rule.category,
            initial={"keep_for": rule.keep_for, "unit": rule.unit, "enabled": rule.enabled},
        )
        for rule in current
    }
    status = 200
    if request.method == "POST":
        status = 400
        category = request.POST.get("category", "")
        rule = next((r for r in current if r.category == category), None)
        if rule is None:
            messages.error(request, _("Choose which rule to save."))
        else:
            form = forms[category] = RuleForm(request.POST, prefix=category)
            if form.is_valid():
                try:
                    domain.update_rule(
                        rule=rule, by=request.user, request=request, **form.cleaned_data
                    )
                except ValidationError as exc:
                    apply_domain_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("Retention rule for “%(records)s” saved.")
                        % {"records": Category(category).label},
                    )
                    return redirect("retention:rules")
    rows = [
        {
            "rule": rule,
            "form": forms[rule.category],
            "default": DEFAULT_FOR[rule.category],
            "minimum_days": MINIMUM_DAYS[rule.category],
        }
        for rule in current
    ]
    return render(
        request,
        "retention/rules.html",
        {"rows": rows, "runs": queries.recent_runs(), "labels": dict(Category.choices)},
        status=status,
    )
