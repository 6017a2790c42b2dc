"""Registering partner hotlines and their keys: administrators' work, always audited."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.core.permissions import Perm
from puente.federation import keys
from puente.federation.models import PartnerHotline, PartnerKey


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback  # 127.0.0.0/8 and ::1
    except ValueError:
        return False


def insecure_url_reason(url: str, *, demo: bool | None = None) -> str:
    """Why referrals must not be sent to `url` from this deployment, or "" when they may.

    Referrals carry survivors' details: only https:// leaves this machine. Plain
    http:// is allowed in the demo and to loopback addresses (127.0.0.0/8, ::1,
    localhost), where nothing crosses a network."""
    demo = getattr(settings, "PUENTE_DEMO", False) if demo is None else demo
    parts = urlsplit((url or "").strip())
    scheme = parts.scheme.lower()
    if scheme == "https":
        return ""
    if scheme == "http":
        if demo or _is_loopback(parts.hostname or ""):
            return ""
        return _(
            "%(url)s is plain HTTP: referrals would cross the network unencrypted. Use the "
            "partner's https:// address (http:// is allowed only in the demo and on loopback "
            "addresses: 127.0.0.0/8, ::1, localhost)."
        ) % {"url": url}
    return _("%(url)s is not an https:// address.") % {"url": url}


def insecure_partner_urls(settings: Any) -> list[str]:
    """`puente serve`'s check (registered with puente.core.checks): a partner registered
    with a plain-HTTP address, before this rule or in a demo database, stops the start."""
    demo = bool(getattr(settings, "PUENTE_DEMO", False))
    try:
        registered = list(PartnerHotline.objects.order_by("name"))
    except DatabaseError:  # not migrated yet: `serve` says so next, and there are no partners
        return []
    return [
        f"Partner hotline “{partner.name}”: {reason} "
        "Register its https:// address (`puente partners add`, or the Partner hotlines page)."
        for partner in registered
        if (reason := insecure_url_reason(partner.base_url, demo=demo))
    ]


def _require_admin(by: User | None) -> None:
    # `by` is None for the command line, run by whoever holds the server.
    if by is not None and not by.can(Perm.PARTNER_MANAGE):
        raise PermissionDenied("needs partner.manage")


def _record_partner_change(
    *,
    partner: PartnerHotline,
    by: User | None,
    request: HttpRequest | None,
    changes: list[dict[str, Any]] | None = None,
    reason: str = "",
) -> None:
    """Every change to a partner or its keys, in the trail; from `puente partners` (no
    person signed in) it is named as the command line's."""
    record_event(
        action="partner_change",
        actor=by,
        actor_name="" if by else "command line",
        obj=partner,
        request=request,
        changes=changes or [],
        reason=reason,
    )


@transaction.atomic
def register_partner(
    *,
    name: str,
    country: str,
    base_url: str,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> PartnerHotline:
    _require_admin(by)
    partner = PartnerHotline(name=name.strip(), country=country.upper(), base_url=base_url.strip())
    partner.full_clean(exclude=["delivery_lease_until"])
    reason = insecure_url_reason(partner.base_url)
    if reason:
        raise ValidationError({"base_url": [reason]})
    partner.save()
    _record_partner_change(
        partner=partner,
        by=by,
        request=request,
        changes=[{"field": "partner", "old": None, "new": f"{partner.name} {partner.base_url}"}],
    )
    return partner


@transaction.atomic
def change_base_url(
    *,
    partner: PartnerHotline,
    base_url: str,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> PartnerHotline:
    """Move a partner to a new address (the way out for one registered over plain HTTP)."""
    _require_admin(by)
    old = partner.base_url
    partner.base_url = base_url.strip()
    partner.full_clean(exclude=["delivery_lease_until"])
    reason = insecure_url_reason(partner.base_url)
    if reason:
        partner.base_url = old
        raise ValidationError({"base_url": [reason]})
    if partner.base_url != old:
        partner.save(update_fields=["base_url"])
        _record_partner_change(
            partner=partner,
            by=by,
            request=request,
            changes=[{"field": "base_url", "old": old, "new": partner.base_url}],
        )
    return partner


@transaction.atomic
def add_key(
    *,
    partner: PartnerHotline,
    public_key: str,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> PartnerKey:
    _require_admin(by)
    public = keys.parse_public_key(public_key)
    key_id = keys.key_id_for(public)
    if PartnerKey.objects.filter(key_id=key_id).exists():
        raise ValidationError({"public_key": _("This key is already registered.")})
    key = PartnerKey.objects.create(partner=partner, key_id=key_id, public_key=public_key.strip())
    _record_partner_change(
        partner=partner,
        by=by,
        request=request,
        changes=[{"field": "key", "old": None, "new": key_id}],
    )
    return key


@transaction.atomic
def revoke_key(
    *, key: PartnerKey, by: User | None = None, request: HttpRequest | None = None
) -> PartnerKey:
    _require_admin(by)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        _record_partner_change(
            partner=key.partner,
            by=by,
            request=request,
            reason="key revoked",
            changes=[{"field": "key", "old": key.key_id, "new": "revoked"}],
        )
    return key


@transaction.atomic
def set_active(
    *,
    partner: PartnerHotline,
    active: bool,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> PartnerHotline:
    _require_admin(by)
    if partner.active != active:
        partner.active = active
        partner.save(update_fields=["active"])
        _record_partner_change(
            partner=partner,
            by=by,
            request=request,
            changes=[{"field": "active", "old": not active, "new": active}],
        )
    return partner
