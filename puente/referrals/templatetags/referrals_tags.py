"""The referrals part of the case page, loaded by the page itself so the case views need
not know this app: `{% case_referrals case %}` in referrals/_case_section.html."""

from django import template

from puente.core.permissions import Perm
from puente.referrals import queries

register = template.Library()


@register.inclusion_tag("referrals/_section.html", takes_context=True)
def case_referrals(context, case):
    """The case's referrals and reports, in two queries (a third asks for a minor when
    no report answers the prompt yet). Only rendered on a case page
    the user may open; `can_edit` is the case page's own answer to "may edit this
    case", so recording needs no further query."""
    user = context["user"]
    data = queries.referrals_for_case(case=case)
    return {
        "prompt": queries.report_prompt(case=case, reports=data.reports),
        "case": case,
        "referrals": data.referrals,
        "reports": data.reports,
        "can_record": bool(context.get("can_edit")) and user.can(Perm.REFERRAL_RECORD),
        "can_search_directory": user.can(Perm.DIRECTORY_VIEW),
        "can_approve": user.can(Perm.REPORT_APPROVE),
    }
