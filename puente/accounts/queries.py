"""Reads about staff accounts and API keys."""

from __future__ import annotations

from django.db.models import QuerySet

from puente.accounts.models import ApiKey, User
from puente.core.permissions import Perm


def api_keys() -> QuerySet[ApiKey]:
    """Every key, newest first, with the person each acts for (one query for a listing)."""
    return ApiKey.objects.select_related("acting_user").order_by("-created_at", "-id")


def may_administer(*, user: User) -> bool | None:
    """True (the home page's administration links) or None (not for this person)."""
    return True if user.can(Perm.USER_MANAGE) else None
