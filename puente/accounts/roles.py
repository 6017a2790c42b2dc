"""Roles and what each may do: the one place that answers "may this person do that?".

Permissions are plain codes rather than Django model permissions because they describe
hotline work (open a restricted case, override a screening), not table rows.
An administrator runs the system but does not read case files: least privilege
means the person who can create accounts cannot also quietly read survivors' stories.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADVOCATE = "advocate", _("Hotline advocate")
    SUPERVISOR = "supervisor", _("Supervisor")
    LIAISON = "liaison", _("Cross-border liaison")
    ANALYST = "analyst", _("Data analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


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
    USER_MANAGE = "user.manage"
    APIKEY_MANAGE = "apikey.manage"
    DIRECTORY_VIEW = "directory.view"  # search the service directory
    DIRECTORY_MANAGE = "directory.manage"  # add, edit and import providers
    REFERRAL_RECORD = "referral.record"  # refer to a provider, record a report to authorities
    EXCHANGE_SEND = "exchange.send"  # send a referral to the partner hotline across the border
    EXCHANGE_RECEIVE = "exchange.receive"  # handle referrals the partner hotline sent us
    PARTNER_MANAGE = "partner.manage"  # register partner hotlines and keys; retry messages


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
        }
    ),
    # Analysts read records to produce statistics; they change nothing.
    Role.ANALYST: frozenset({Perm.CONTACT_VIEW, Perm.CASE_VIEW, Perm.SEARCH, Perm.DIRECTORY_VIEW}),
    Role.ADMINISTRATOR: frozenset(
        {
            Perm.AUDIT_VIEW,
            Perm.PROTOCOL_EDIT,
            Perm.USER_MANAGE,
            Perm.APIKEY_MANAGE,
            Perm.DIRECTORY_MANAGE,
            Perm.PARTNER_MANAGE,
        }
    ),
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
