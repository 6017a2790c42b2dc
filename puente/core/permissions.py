"""What staff may do, as codes, and the guard every view puts in front of itself.

The codes are the vocabulary every app checks against (`require_perm(Perm.CASE_VIEW)`,
`user.can(Perm.SEARCH)`); which role holds which code is the accounts app's rule
(`puente/accounts/roles.py`). The codes live here, at the bottom of the layout, so that
the audit trail's own page can be guarded without the audit app depending on accounts.

A refusal is announced on `permission_refused`; the audit app records it
(`puente/audit/apps.py`), so every refused page is in the trail without this module
knowing about the trail.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse


class Perm:
    CONTACT_VIEW = "contact.view"
    CONTACT_CREATE = "contact.create"
    CONTACT_EDIT = "contact.edit"
    CASE_VIEW = "case.view"
    CASE_CREATE = "case.create"
    CASE_EDIT = "case.edit"
    CASE_RESTRICT = "case.restrict"  # mark restricted, name who may open it
    CASE_REOPEN = "case.reopen"  # a closed case comes back only with a supervisor's say-so
    CASE_BREAK_GLASS = "case.break_glass"
    SCREENING_RECORD = "screening.record"
    PHONE_LOOKUP = "phone.lookup"
    SEARCH = "search"
    AUDIT_VIEW = "audit.view"
    PROTOCOL_EDIT = "protocol.edit"
    USER_MANAGE = (
        "user.manage"  # staff accounts: add, change role, deactivate, reset password or MFA
    )
    ACCOUNT_UNLOCK = "account.unlock"  # lift a sign-in lockout (an account or an address)
    APIKEY_MANAGE = "apikey.manage"
    DIRECTORY_VIEW = "directory.view"  # search the service directory
    DIRECTORY_MANAGE = "directory.manage"  # add, edit and import providers
    REFERRAL_RECORD = "referral.record"  # refer to a provider, record a report to authorities
    REPORT_APPROVE = "report.approve"  # approve or decline a report made without consent
    EXCHANGE_SEND = "exchange.send"  # send a referral to the partner hotline across the border
    EXCHANGE_RECEIVE = "exchange.receive"  # handle referrals the partner hotline sent us
    EXCHANGE_APPROVE = "exchange.approve"  # approve or decline a referral before it is sent
    PARTNER_MANAGE = "partner.manage"  # register partner hotlines and keys; retry messages
    RETENTION_MANAGE = "retention.manage"  # see and change how long each kind of record is kept
    TEAM_VIEW = "team.view"  # the team view: each advocate's open cases and overdue tasks
    INSIGHTS_VIEW = "insights.view"  # dashboards, the periodic reports, the lists behind a figure
    NETWORK_VIEW = "network.view"  # the network of cases, persons and identifiers
    LINK_REVIEW = "link.review"  # confirm or reject a proposed match between persons
    IDENTIFIER_MATCH = "identifier.match"  # ask the partner hotline which identifiers it shares
    HTCDS_EXPORT = "htcds.export"  # cases the person may open, as HTCDS exchange files
    HTCDS_IMPORT = "htcds.import"  # other organisations' HTCDS files in, and undo an import
    RELEASE_MANAGE = "release.manage"  # build, protect and send aggregate releases
    KNOWLEDGE_VIEW = "knowledge.view"  # read the knowledge base (protocols, law, guidance)
    KNOWLEDGE_EDIT = "knowledge.edit"  # write and publish knowledge-base articles
    QUALITY_REVIEW = "quality.review"  # review a sample of contacts with the rubric
    PRACTICE_TAKE = "practice.take"  # take practice calls in the sandbox
    TRAINING_SUPERVISE = "training.supervise"  # see trainees' progress, require scenarios


class Refused(PermissionDenied):
    """A 403 with a reason the person can read. Whoever raises it has already recorded
    the refusal; pages show the reason on the 403 page (`core.views.permission_denied`),
    the API answers `{"detail": reason}` (one handler, in `puente/api.py`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)


# Sent with `request`, `user`, `perm`, `object_type` ("url" or "api") and `object_ref`
# (the path) whenever a page or an API route refuses someone for lack of a permission.
permission_refused = Signal()

View = TypeVar("View", bound=Callable[..., HttpResponse])


def refuse(*, request: HttpRequest, perm: str, object_type: str = "url") -> None:
    """Announce that `request.user` lacks `perm` here (the audit app records it)."""
    permission_refused.send(
        sender=Perm,
        request=request,
        user=request.user,
        perm=perm,
        object_type=object_type,
        object_ref=request.path[:60],
    )


def require_perm(perm: str) -> Callable[[View], View]:
    """Guard a view: sign in first, then the permission; a refusal is audited and is a 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                # Imported here: auth's views load the user model, which imports this module.
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not request.user.can(perm):
                refuse(request=request, perm=perm)
                # A permission the role gives but that is held back for now says why
                # (`why_not`: accounts' permission gates, e.g. practice calls to pass).
                why_not = getattr(request.user, "why_not", None)
                reason = why_not(perm) if why_not is not None else ""
                if reason:
                    raise Refused(reason)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm  # type: ignore[attr-defined]  # read by the permission-matrix test
        return wrapped  # type: ignore[return-value]

    return decorator
