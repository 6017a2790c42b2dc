"""Registering partner hotlines and their keys: administrators' work, always audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.core.permissions import Perm
from puente.federation import keys
from puente.federation.models import PartnerHotline, PartnerKey


def _require_admin(by: User | None) -> None:
    # `by` is None for the command line, run by whoever holds the server.
    if by is not None and not by.can(Perm.PARTNER_MANAGE):
        raise PermissionDenied("needs partner.manage")


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
    partner.save()
    record_event(
        action="partner_change",
        actor=by,
        actor_name="" if by else "command line",
        obj=partner,
        request=request,
        changes=[{"field": "partner", "old": None, "new": f"{partner.name} {partner.base_url}"}],
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
    record_event(
        action="partner_change",
        actor=by,
        actor_name="" if by else "command line",
        obj=partner,
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
        record_event(
            action="partner_change",
            actor=by,
            actor_name="" if by else "command line",
            obj=key.partner,
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
        record_event(
            action="partner_change",
            actor=by,
            actor_name="" if by else "command line",
            obj=partner,
            request=request,
            changes=[{"field": "active", "old": not active, "new": active}],
        )
    return partner
