"""Who is calling the API: a signed-in browser session (MFA already enforced by
middleware) or an integration's API key (`Authorization: Bearer pk_…`).

An API key acts for its `acting_user` and only within its scopes: a key for the
telephony bridge's phone lookup cannot read case narratives.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from puente.accounts.models import ApiKey
from puente.core.permissions import Refused, refuse


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token.startswith(ApiKey.PREFIX):
            return None
        key = (
            ApiKey.objects.select_related("acting_user")
            .filter(key_hash=ApiKey.digest(token), revoked_at__isnull=True)
            .first()
        )
        if key is None or not key.acting_user.is_active:
            return None
        now = timezone.now()
        # Record use at most once a minute: a lookup per ring must not become a write per ring.
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        request.user = key.acting_user
        request.api_key = key
        request.puente_via = "api"
        return key


class StaffSessionAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            request.api_key = None
            request.puente_via = "api"
        return user


api_auth = [ApiKeyAuth(), StaffSessionAuth()]


def api_can(request, perm: str) -> bool:
    user = request.user
    if not user.is_authenticated or not user.can(perm):
        return False
    key = getattr(request, "api_key", None)
    return key is None or perm in key.scopes


def require_api_perm(request, perm: str) -> None:
    """403 with a plain reason when the caller (or its key's scopes) lacks `perm`."""
    if not api_can(request, perm):
        refuse(request=request, perm=perm, object_type="api")
        user = request.user
        why_not = user.why_not(perm) if user.is_authenticated else ""
        raise Refused(why_not or f"This needs the permission “{perm}”.")
