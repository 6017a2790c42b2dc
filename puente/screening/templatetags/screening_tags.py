"""The screening part of the case page, loaded by the page itself so the cases app need
not know this one: `{% case_screenings case %}` in screening/_case_section.html."""

from typing import Any

from django import template

from puente.cases.models import Case
from puente.screening.models import Screening

register = template.Library()


@register.inclusion_tag("screening/_section.html", takes_context=True)
def case_screenings(context: template.Context, case: Case) -> dict[str, Any]:
    """The case's screenings, newest first, in one query. Only rendered on a case page the
    user may open; screening is offered to whoever may change the case."""
    return {
        "case": case,
        "screenings": list(
            Screening.objects.filter(case=case).select_related("screened_by", "person")
        ),
        "can_screen": bool(context.get("can_edit")),
    }
