"""Reads about staff accounts and API keys."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.models import ApiKey, FailedSignIn, User
from puente.accounts.roles import ROLE_PERMISSIONS, Role
from puente.core.permissions import Perm


def api_keys() -> QuerySet[ApiKey]:
    """Every key, newest first, with the person each acts for (one query for a listing)."""
    return ApiKey.objects.select_related("acting_user").order_by("-created_at", "-id")


def may_administer(*, user: User) -> bool | None:
    """True (the home page's administration links) or None (not for this person)."""
    return True if user.can(Perm.USER_MANAGE) else None


def valid_address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


# What supervisors watch about accounts: who cannot sign in right now, and who was given
# a role that reads case files lately (an administrator cannot grant it unseen).
RECENT_GRANT_DAYS = 30
WATCH_LENGTH = 20


@dataclass(frozen=True)
class PausedAddress:
    address: str
    failures: int
    last_at: datetime


@dataclass
class AccountWatch:
    locked: list[User] = field(default_factory=list)
    paused_addresses: list[PausedAddress] = field(default_factory=list)
    case_access_granted: list[User] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.locked or self.paused_addresses or self.case_access_granted)


def roles_reading_cases() -> list[str]:
    return [role for role, perms in ROLE_PERMISSIONS.items() if Perm.CASE_VIEW in perms]


def account_watch(*, user: User) -> AccountWatch | None:
    """The home page's sign-in and access section, for those who may lift a lockout."""
    if not user.can(Perm.ACCOUNT_UNLOCK):
        return None
    now = timezone.now()
    window = now - timedelta(minutes=settings.PUENTE_LOCKOUT_MINUTES)
    paused = (
        FailedSignIn.objects.filter(at__gte=window, address__isnull=False)
        .values("address")
        .annotate(failures=Count("id"), last_at=Max("at"))
        .filter(failures__gte=settings.PUENTE_LOCKOUT_ADDRESS_ATTEMPTS)
        .order_by("-last_at")[:WATCH_LENGTH]
    )
    watch = AccountWatch(
        locked=list(
            User.objects.filter(locked_until__gt=now).order_by("-locked_until")[:WATCH_LENGTH]
        ),
        paused_addresses=[
            PausedAddress(
                address=str(row["address"]), failures=row["failures"], last_at=row["last_at"]
            )
            for row in paused
        ],
        case_access_granted=list(
            User.objects.filter(
                role__in=roles_reading_cases(),
                is_active=True,
                role_since__gte=now - timedelta(days=RECENT_GRANT_DAYS),
            )
            .select_related("role_given_by")
            .order_by("-role_since")[:WATCH_LENGTH]
        ),
    )
    return None if watch.empty else watch


# --- Staff administration (/staff/) --------------------------------------------------


def staff_listing(*, role: str = "", active: bool | None = True) -> QuerySet[User]:
    """Staff for the administrators' list, annotated `mfa_enrolled` (a confirmed
    authenticator): one query however many accounts."""
    from_devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    qs = User.objects.annotate(mfa_enrolled=Exists(from_devices))
    if role:
        qs = qs.filter(role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("first_name", "last_name", "username")


def staff_member(*, user_id: int) -> User | None:
    return (
        User.objects.annotate(
            mfa_enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .select_related("role_given_by")
        .filter(pk=user_id)
        .first()
    )


def active_administrators() -> int:
    return User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).count()
