"""Roles and what each may do: the one place that answers "may this person do that?".
The permission codes themselves (`Perm`) are the shared vocabulary in `puente/core/permissions.py`.

Permissions are plain codes rather than Django model permissions because they describe
hotline work (open a restricted case, override a screening), not table rows.
An administrator runs the system but does not read case files: least privilege
means the person who can create accounts cannot also quietly read survivors' stories.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from puente.core.permissions import Perm


class Role(models.TextChoices):
    ADVOCATE = "advocate", _("Hotline advocate")
    SUPERVISOR = "supervisor", _("Supervisor")
    LIAISON = "liaison", _("Cross-border liaison")
    ANALYST = "analyst", _("Data analyst")
    ADMINISTRATOR = "administrator", _("Administrator")
    # A new advocate learning the work: the knowledge base and practice calls in the
    # sandbox, and no case file until an administrator gives the advocate role.
    TRAINEE = "trainee", _("Trainee")


_ADVOCATE = {
    Perm.CONTACT_VIEW,
    Perm.CONTACT_CREATE,
    Perm.CONTACT_EDIT,
    Perm.CASE_VIEW,
    Perm.CASE_CREATE,
    Perm.CASE_EDIT,
    Perm.CASE_BREAK_GLASS,
    Perm.SCREENING_RECORD,
    Perm.PHONE_LOOKUP,
    Perm.SEARCH,
    Perm.DIRECTORY_VIEW,
    Perm.REFERRAL_RECORD,
    # The knowledge base holds guidance, not case data: everyone on the phones reads it.
    Perm.KNOWLEDGE_VIEW,
    # Practice calls touch only the sandbox; advocates refresh a protocol there too.
    Perm.PRACTICE_TAKE,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADVOCATE: frozenset(_ADVOCATE),
    Role.SUPERVISOR: frozenset(
        _ADVOCATE
        | {
            Perm.CASE_RESTRICT,
            Perm.CASE_REOPEN,
            Perm.AUDIT_VIEW,
            Perm.EXCHANGE_SEND,
            Perm.EXCHANGE_RECEIVE,
            # What leaves the hotline without consent, or across the border, leaves with
            # a supervisor's approval.
            Perm.REPORT_APPROVE,
            Perm.EXCHANGE_APPROVE,
            # A locked-out advocate mid-shift should not wait for the administrator.
            Perm.ACCOUNT_UNLOCK,
            # Who carries how much, what is overdue, what nobody is working.
            Perm.TEAM_VIEW,
            Perm.INSIGHTS_VIEW,
            # Case files leave the hotline, and other organisations' cases come in, on a
            # supervisor's word: an export holds names, an import writes cases.
            Perm.HTCDS_EXPORT,
            Perm.HTCDS_IMPORT,
            # Releases are counts, protected before they leave (puente/sharing); the
            # supervisor answers for what the hotline publishes, as for its reports.
            Perm.RELEASE_MANAGE,
            Perm.NETWORK_VIEW,
            Perm.LINK_REVIEW,
            Perm.IDENTIFIER_MATCH,
            # Quality review: a sample of the team's contacts read against the rubric, with
            # feedback the advocate sees.
            Perm.QUALITY_REVIEW,
            # Each trainee's practice calls, and the scenarios required before live calls.
            Perm.TRAINING_SUPERVISE,
        }
    ),
    Role.LIAISON: frozenset(
        {
            Perm.CONTACT_VIEW,
            Perm.CASE_VIEW,
            Perm.CASE_EDIT,
            Perm.CASE_BREAK_GLASS,
            Perm.PHONE_LOOKUP,
            Perm.SEARCH,
            Perm.DIRECTORY_VIEW,
            Perm.REFERRAL_RECORD,
            Perm.EXCHANGE_SEND,
            Perm.EXCHANGE_RECEIVE,
            # Traffickers across the border: the liaison follows up what the partner shares.
            Perm.NETWORK_VIEW,
            Perm.IDENTIFIER_MATCH,
            Perm.KNOWLEDGE_VIEW,
        }
    ),
    # Analysts produce the hotline's statistics and change nothing. They work from counts:
    # the dashboards and the periodic reports (insights.view), and the list behind a
    # report's figure, which shows references, dates and codes, never a name, and leaves
    # out what a restricted case holds. None of that needs a case file, a contact's
    # narrative or the search across them, so an analyst no longer reads them
    # (contact.view, case.view and search were dropped with the dashboards, issue 14): the
    # fewer people who can read a survivor's story, the fewer ways it can leak. The
    # directory of services stays (no one's personal data; the reports count it). The one
    # exception is network analysis (issue 16): finding who recurs across cases means
    # reading identifiers and the names of the persons proposed as one, so the network view
    # and the review of proposed matches stay — permission-filtered and audited there.
    Role.ANALYST: frozenset(
        {
            Perm.DIRECTORY_VIEW,
            Perm.INSIGHTS_VIEW,
            Perm.NETWORK_VIEW,
            Perm.LINK_REVIEW,
            # Releases (puente/sharing) are counts, protected (k, suppression, noise)
            # before they leave; the k-anonymised microdata holds no name or narrative.
            Perm.RELEASE_MANAGE,
        }
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Perm.AUDIT_VIEW,
            Perm.PROTOCOL_EDIT,
            Perm.USER_MANAGE,
            Perm.ACCOUNT_UNLOCK,
            Perm.APIKEY_MANAGE,
            Perm.DIRECTORY_MANAGE,
            Perm.PARTNER_MANAGE,
            Perm.RETENTION_MANAGE,
            # The knowledge base is the hotline's guidance, kept like its protocols.
            Perm.KNOWLEDGE_VIEW,
            Perm.KNOWLEDGE_EDIT,
            # Staffing: the team view's counts per advocate. Without case.view the page
            # shows no case references or titles (see puente/cases/team.py).
            Perm.TEAM_VIEW,
        }
    ),
    # Practice only: what a trainee records lives in the sandbox database, where the
    # trainee acts as an advocate (puente/training/sandbox.py); real case data stays shut.
    Role.TRAINEE: frozenset({Perm.KNOWLEDGE_VIEW, Perm.PRACTICE_TAKE}),
}

# What an API key may be scoped to: the machine-facing subset.
API_SCOPES: dict[str, str] = {
    Perm.PHONE_LOOKUP: "phone lookup",
    Perm.CONTACT_VIEW: "read contacts",
    Perm.CONTACT_CREATE: "create contacts",
    Perm.CASE_VIEW: "read cases",
    Perm.CASE_CREATE: "create cases",
    Perm.CASE_EDIT: "edit cases",
    Perm.DIRECTORY_VIEW: "search the service directory",
}


def permissions_for(role: str | None) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role or "", frozenset())
