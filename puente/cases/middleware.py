"""A page refused because its case is restricted shows the restricted-case notice, with
the way to break the glass, whichever app's page it was (case, contact, referral,
screening, cross-border send). The refusal was audited where it was raised
(`puente.cases.access.check_case_access`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from puente.cases.access import CaseRefused, can_open_case
from puente.cases.forms import BreakGlassForm
from puente.cases.models import Case
from puente.core.permissions import Perm


def restricted_case_page(
    request: HttpRequest, case: Case, form: BreakGlassForm | None = None, status: int = 403
) -> HttpResponse:
    return render(
        request,
        "cases/restricted.html",
        {
            "case": case,
            "form": form or BreakGlassForm(),
            "can_break_glass": request.user.can(Perm.CASE_BREAK_GLASS),  # type: ignore[union-attr]
        },
        status=status,
    )


class RestrictedCaseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if (
            isinstance(exception, CaseRefused)
            and request.user.is_authenticated
            and not can_open_case(request.user, exception.case)
        ):
            return restricted_case_page(request, exception.case)
        return None
