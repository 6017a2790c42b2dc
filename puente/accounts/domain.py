"""Signing in, the second factor, lockout, staff accounts and API keys.

Every outcome that matters to an investigation (a sign-in, a failure, a lockout, a
recovery code spent, a key issued) is written to the audit trail here, so no view or
command can forget to.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from puente.accounts.models import ApiKey, FailedSignIn, User
from puente.accounts.roles import API_SCOPES, Role
from puente.audit.domain import field_changes, record_event
from puente.audit.models import AuditAction, AuditEntry
from puente.core.http import client_address
from puente.core.permissions import Perm

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"
TOTP_DEVICE_NAME = "authenticator app"


class SignIn(enum.Enum):
    OK = "ok"
    INVALID = "invalid"
    LOCKED = "locked"  # this account: too many failures in a row
    PAUSED = "paused"  # this network address: too many failures, whatever the account


@dataclass(frozen=True)
class SignInResult:
    outcome: SignIn
    user: User | None = None


def _lockout_window() -> timedelta:
    return timedelta(minutes=settings.PUENTE_LOCKOUT_MINUTES)


# --- Throttling by address ------------------------------------------------------------
# The account lockout stops guessing one account's password; it does nothing against a
# few tries at each of many accounts (password spraying). Failures are also counted per
# network address, whatever the account, and an address past the limit is paused for
# the lockout window. A supervisor can lift either (`unlock_user`, `release_address`).


def _note_failure(*, request: HttpRequest | None) -> None:
    now = timezone.now()
    address = client_address(request)
    FailedSignIn.objects.filter(at__lt=now - _lockout_window()).delete()
    FailedSignIn.objects.create(at=now, address=address)
    if address and _failures_from(address, now=now) == settings.PUENTE_LOCKOUT_ADDRESS_ATTEMPTS:
        record_event(
            action=AuditAction.LOCKED_OUT,
            object_type="address",
            object_ref=address,
            reason=f"{settings.PUENTE_LOCKOUT_ADDRESS_ATTEMPTS} failed sign-ins from this "
            f"address in {settings.PUENTE_LOCKOUT_MINUTES} minutes; paused",
            request=request,
        )


def _failures_from(address: str, *, now: datetime) -> int:
    return FailedSignIn.objects.filter(address=address, at__gte=now - _lockout_window()).count()


def address_paused(*, request: HttpRequest | None) -> bool:
    address = client_address(request)
    if not address:
        return False
    return _failures_from(address, now=timezone.now()) >= settings.PUENTE_LOCKOUT_ADDRESS_ATTEMPTS


def release_address(*, address: str, by: User, request: HttpRequest | None = None) -> int:
    """Lift the pause on a network address (say, the hotline's own office after a
    morning of mistyped passwords). Returns how many failures were forgotten."""
    with transaction.atomic():
        forgotten, _rows = FailedSignIn.objects.filter(address=address).delete()
        record_event(
            action=AuditAction.CHANGE,
            actor=by,
            object_type="address",
            object_ref=address,
            reason=f"sign-in pause lifted ({forgotten} failures forgotten)",
            request=request,
        )
    return forgotten


def _unknown_name_is_locked(username: str) -> bool:
    """An unknown username is refused with the "locked" message after as many failures
    as a real account would be, so the lockout message itself never tells an attacker
    which usernames exist."""
    since = timezone.now() - _lockout_window()
    failures = AuditEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED,
        actor__isnull=True,
        actor_name=username[:150],
        at__gte=since,
    ).count()
    # +1: this attempt, not yet recorded, is the one that would lock a real account.
    return failures + 1 >= settings.PUENTE_LOCKOUT_ATTEMPTS


def register_failure(
    *, user: User, request: HttpRequest | None = None, action: str, reason: str = ""
) -> bool:
    """Count one failed password or second-factor attempt against `user`; lock the
    account once the limit is reached. Returns True when this failure locked it."""
    with transaction.atomic():
        locked_user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if locked_user.locked_until and locked_user.locked_until <= now:
            # The previous lock has run out: the person gets a fresh set of attempts.
            locked_user.failed_logins = 0
            locked_user.locked_until = None
        locked_user.failed_logins += 1
        _note_failure(request=request)
        record_event(
            action=action,
            actor=user if action != AuditAction.LOGIN_FAILED else None,
            actor_name=user.username,
            obj=user,
            reason=reason,
            request=request,
        )
        just_locked = False
        if (
            locked_user.failed_logins >= settings.PUENTE_LOCKOUT_ATTEMPTS
            and not locked_user.is_locked
        ):
            locked_user.locked_until = now + _lockout_window()
            just_locked = True
            record_event(
                action=AuditAction.LOCKED_OUT,
                actor_name=user.username,
                obj=user,
                reason=f"{locked_user.failed_logins} failed attempts; locked until "
                f"{locked_user.locked_until.isoformat()}",
                request=request,
            )
        locked_user.save(update_fields=["failed_logins", "locked_until"])
    user.failed_logins = locked_user.failed_logins
    user.locked_until = locked_user.locked_until
    return just_locked


def clear_failures(*, user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins = 0
        user.locked_until = None


def needs_second_factor(user: User) -> bool:
    return settings.PUENTE_MFA_REQUIRED and has_confirmed_device(user)


def has_confirmed_device(user: User) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def fully_signed_in(user: Any) -> bool:
    """Past the password and, where the hotline requires it, the second factor. A user
    whose second factor nobody checked (django_otp's middleware sets `is_verified`) is
    not: confidential by default."""
    if user is None or not user.is_authenticated:
        return False
    if not settings.PUENTE_MFA_REQUIRED:
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def check_password_sign_in(
    *, username: str, password: str, request: HttpRequest | None = None
) -> SignInResult:
    """The password step. Does not start a session: the view does that with
    `django.contrib.auth.login` when the outcome is OK."""
    username = username.strip()
    if address_paused(request=request):
        # Not even the password is checked: the pause itself is in the trail, and each
        # further try from there would only flood it.
        return SignInResult(SignIn.PAUSED)
    user = User.objects.filter(username=username).first()
    if user is None:
        # Hash anyway so an unknown name costs as long as a wrong password.
        User().set_password(password)
        locked = _unknown_name_is_locked(username)
        _note_failure(request=request)
        record_event(
            action=AuditAction.LOGIN_FAILED,
            actor_name=username[:150],
            object_type="user",
            reason="unknown username",
            request=request,
        )
        return SignInResult(SignIn.LOCKED if locked else SignIn.INVALID)
    if user.is_locked:
        user.check_password(password)
        _note_failure(request=request)
        record_event(
            action=AuditAction.LOGIN_FAILED,
            actor_name=username,
            obj=user,
            reason="account locked",
            request=request,
        )
        return SignInResult(SignIn.LOCKED, user)
    if not user.check_password(password) or not user.is_active:
        locked = register_failure(
            user=user,
            request=request,
            action=AuditAction.LOGIN_FAILED,
            reason="wrong password" if user.is_active else "account deactivated",
        )
        return SignInResult(SignIn.LOCKED if locked else SignIn.INVALID, user)
    if not needs_second_factor(user):
        # With a second factor still to pass, the counter is only cleared once that
        # succeeds: otherwise a stolen password would buy unlimited code guesses.
        clear_failures(user=user)
    record_event(
        action=AuditAction.LOGIN, actor=user, obj=user, reason="password accepted", request=request
    )
    return SignInResult(SignIn.OK, user)


def record_sign_out(*, user: User, request: HttpRequest | None = None) -> None:
    record_event(action=AuditAction.LOGOUT, actor=user, obj=user, request=request)


# --- Second factor -------------------------------------------------------------------------


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up. Reused across page loads so the QR
    code the person already scanned stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def confirm_totp_device(
    *, user: User, device: TOTPDevice, token: str, request: HttpRequest | None = None
) -> list[str] | None:
    """Confirm the authenticator with a current code. Returns the new recovery codes (to
    be shown once) or None when the code is wrong."""
    token = _normalise(token)
    with transaction.atomic():
        if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
            record_event(
                action=AuditAction.MFA_FAILED,
                actor=user,
                obj=user,
                reason="enrolment code rejected",
                request=request,
            )
            return None
        # One authenticator per person: an older confirmed one would be a second way in.
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user=user)
        clear_failures(user=user)
        record_event(
            action=AuditAction.MFA_ENROLLED,
            actor=user,
            obj=user,
            reason=f"authenticator app; {len(codes)} recovery codes issued",
            request=request,
        )
    return codes


def regenerate_recovery_codes(*, user: User, request: HttpRequest | None = None) -> list[str]:
    with transaction.atomic():
        codes = _replace_recovery_codes(user=user)
        record_event(
            action=AuditAction.RECOVERY_CODES_RENEWED,
            actor=user,
            obj=user,
            reason=f"{len(codes)} new codes; earlier codes no longer work",
            request=request,
        )
    return codes


def remaining_recovery_codes(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _replace_recovery_codes(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _normalise(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


def verify_second_factor(
    *, user: User, token: str, request: HttpRequest | None = None
) -> Device | None:
    """Check a 6-digit authenticator code or a recovery code. Returns the device that
    accepted it (a spent recovery code is deleted), or None. Failures count toward the
    same lockout as wrong passwords."""
    token = _normalise(token)
    matched = None
    if token:
        with transaction.atomic():
            for device in devices_for_user(user, confirmed=True, for_verify=True):
                is_totp = isinstance(device, TOTPDevice)
                if is_totp != token.isdigit():
                    continue
                if device.verify_token(token):
                    matched = device
                    break
    if matched is None:
        register_failure(
            user=user,
            request=request,
            action=AuditAction.MFA_FAILED,
            reason="second-factor code rejected",
        )
        return None
    clear_failures(user=user)
    if isinstance(matched, StaticDevice):
        left = matched.token_set.count()
        record_event(
            action=AuditAction.RECOVERY_CODE_USED,
            actor=user,
            obj=user,
            reason=f"{left} recovery codes left",
            request=request,
        )
    else:
        record_event(
            action=AuditAction.MFA_VERIFIED,
            actor=user,
            obj=user,
            reason="authenticator app",
            request=request,
        )
    return matched


# --- Staff accounts ------------------------------------------------------------------------


def unlock_user(*, user: User, by: User | None = None, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins = 0
        user.locked_until = None
        record_event(
            action=AuditAction.CHANGE,
            actor=by,
            obj=user,
            changes=field_changes(before, {"failed_logins": 0, "locked_until": None}),
            reason="account unlocked",
            request=request,
        )


def reset_second_factor(
    *, user: User, by: User | None = None, request: HttpRequest | None = None
) -> None:
    """For a person who lost their phone: remove every device so the next sign-in
    enrols afresh. Whoever does this must have checked who is asking."""
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        for device in devices:
            device.delete()
        removed = len(devices)
        record_event(
            action=AuditAction.CHANGE,
            actor=by,
            obj=user,
            reason=f"two-step verification reset ({removed} devices removed)",
            request=request,
        )


# Every change to an account goes through these functions, whichever page or command
# makes it, so each is in the chained trail with before and after. Nobody changes their
# own role or access: an administrator cannot quietly give themselves case files.
STAFF_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "language",
    "role",
    "is_active",
    "is_staff",
)
# What decides what an account may open.
ACCESS_FIELDS = frozenset({"role", "is_active", "is_staff"})


def _staff_values(user: User) -> dict[str, Any]:
    return {field: getattr(user, field) for field in STAFF_FIELDS}


def create_staff(
    *,
    by: User | None,
    username: str,
    role: str,
    password: str | None,
    request: HttpRequest | None = None,
    via: str = "",
    **fields: Any,
) -> User:
    """A staff account. `password` None: the person sets one through a reset."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("A username is required.")})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("That username is already taken.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown account fields: %(names)s") % {"names": sorted(unknown)})
    candidate = User(username=username, role=role, **fields)
    if password is not None:
        password_validation.validate_password(password, user=candidate)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            role=role,
            role_since=timezone.now(),
            role_given_by=by,
            **fields,
        )
        record_event(
            action=AuditAction.CREATE,
            actor=by,
            obj=user,
            object_ref=user.username,
            changes=field_changes({f: None for f in STAFF_FIELDS}, _staff_values(user)),
            reason="staff account created",
            request=request,
            via=via,
        )
    return user


def change_staff(
    *, user: User, by: User, changes: dict[str, Any], request: HttpRequest | None = None
) -> User:
    """Change an account's details, role or access, audited field by field."""
    unknown = set(changes) - set(STAFF_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown account fields: %(names)s") % {"names": sorted(unknown)})
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        before = _staff_values(current)
        after = {**before, **changes}
        diff = field_changes(before, after)
        changed = {d["field"] for d in diff}
        if changed & ACCESS_FIELDS and by.pk == current.pk:
            raise ValidationError(
                _("You cannot change your own role or access: another administrator must.")
            )
        if "role" in changed and after["role"] not in Role.values:
            raise ValidationError({"role": _("Choose a role.")})
        if _removes_an_administrator(before, after):
            _refuse_if_last_administrator(current)
        if not diff:
            return current
        for field in changed:
            setattr(current, field, after[field])
        update = sorted(changed)
        if "role" in changed:
            current.role_since = timezone.now()
            current.role_given_by = by
            update += ["role_since", "role_given_by"]
        current.full_clean(exclude=["password"], validate_unique=True)
        current.save(update_fields=update)
        record_event(
            action=AuditAction.CHANGE,
            actor=by,
            obj=current,
            object_ref=current.username,
            changes=diff,
            request=request,
        )
    return current


def _is_active_administrator(values: dict[str, Any]) -> bool:
    return bool(values["is_active"]) and values["role"] == Role.ADMINISTRATOR


def _removes_an_administrator(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return _is_active_administrator(before) and not _is_active_administrator(after)


def _refuse_if_last_administrator(current: User) -> None:
    # Locked for the transaction, so two administrators demoting each other at the same
    # moment cannot both succeed and leave the hotline with nobody to manage accounts.
    others = list(
        User.objects.select_for_update()
        .filter(role=Role.ADMINISTRATOR, is_active=True)
        .exclude(pk=current.pk)
        .values_list("pk", flat=True)
    )
    if not others:
        raise ValidationError(
            _(
                "%(name)s is the last active administrator: give another person the "
                "administrator role first."
            )
            % {"name": current.display_name},
            code="last_administrator",
        )


def set_staff_password(
    *, user: User, by: User | None, password: str | None, request: HttpRequest | None = None
) -> None:
    """Set (or, with None, disable) an account's password. The trail says who and when,
    never anything about the password itself."""
    if password is not None:
        password_validation.validate_password(password, user=user)
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password"])
        own = by is not None and by.pk == user.pk
        record_event(
            action=AuditAction.CHANGE,
            actor=by,
            obj=user,
            object_ref=user.username,
            changes=[{"field": "password", "old": "…", "new": "…"}],
            reason=(
                "password disabled"
                if password is None
                else "password changed by its owner"
                if own
                else "password reset by an administrator"
            ),
            request=request,
        )


def create_administrator(*, username: str, email: str, password: str, via: str = "cli") -> User:
    """An administrator account for running the system. Deliberately not a superuser:
    administrators manage accounts and keys but do not read case files."""
    return create_staff(
        by=None,
        username=username,
        role=Role.ADMINISTRATOR,
        password=password,
        email=email,
        is_staff=True,
        via=via,
    )


# --- API keys ------------------------------------------------------------------------------


def create_api_key(
    *, name: str, user: User, scopes: list[str], by: User | None = None, via: str = "cli"
) -> tuple[ApiKey, str]:
    """Issue a key. Returns the key row and the raw key, which exists nowhere else: show
    it once and forget it."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A key needs a name saying what uses it.")})
    scopes = sorted(set(scopes))
    if not scopes:
        raise ValidationError({"scopes": _("Give the key at least one scope.")})
    unknown = [s for s in scopes if s not in API_SCOPES]
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scope(s): %(scopes)s.") % {"scopes": ", ".join(unknown)}}
        )
    # A scope the acting person does not hold could never be used: refuse it now rather
    # than let an integration fail mysteriously later.
    not_held = [s for s in scopes if not user.can(s)]
    if not_held:
        raise ValidationError(
            {
                "scopes": _("%(user)s does not hold: %(scopes)s.")
                % {"user": user.username, "scopes": ", ".join(not_held)}
            }
        )
    raw = ApiKey.generate_raw()
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name,
            key_prefix=raw[:10],
            key_hash=ApiKey.digest(raw),
            scopes=scopes,
            acting_user=user,
        )
        record_event(
            action=AuditAction.API_KEY,
            actor=by,
            obj=key,
            object_ref=key.key_prefix,
            changes=[{"field": "scopes", "old": None, "new": scopes}],
            reason=f"created “{name}” acting for {user.username}",
            via=via,
        )
    return key, raw


def revoke_api_key(
    *, key_id: int, by: User | None = None, via: str = "cli", request: HttpRequest | None = None
) -> ApiKey:
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().get(pk=key_id)
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            record_event(
                action=AuditAction.API_KEY,
                actor=by,
                obj=key,
                object_ref=key.key_prefix,
                changes=[{"field": "revoked_at", "old": None, "new": key.revoked_at.isoformat()}],
                reason=f"revoked “{key.name}”",
                via=via,
                request=request,
            )
    return key


# --- Staff administration in Puente's own pages (/staff/) ------------------------------
# Each action an administrator takes on an account: permission checked here as well as on
# the page (a command or a future API gets the same rule), audited through the functions
# above. Accounts are deactivated, never deleted: the audit trail names them.
# A first password, or a forgotten one, is set by the person themselves through a
# one-time link the administrator hands over: the administrator never knows it, and
# nothing needs e-mail. The link is Django's password-reset token — it stops working
# once a password is set (it is derived from the stored hash) or after
# PASSWORD_RESET_TIMEOUT — and is never stored or written to the trail.


@dataclass(frozen=True)
class PasswordLink:
    """What the one-time link is built from (`accounts:set_password`)."""

    uidb64: str
    token: str

    @property
    def valid_days(self) -> int:
        return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def _require_user_manage(by: User | None) -> User:
    if by is None or not by.can(Perm.USER_MANAGE):
        raise PermissionDenied(f"needs {Perm.USER_MANAGE}")
    return by


def _password_link(user: User) -> PasswordLink:
    return PasswordLink(
        uidb64=urlsafe_base64_encode(force_bytes(user.pk)),
        token=default_token_generator.make_token(user),
    )


def add_staff_member(
    *,
    by: User,
    username: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "",
    request: HttpRequest | None = None,
) -> tuple[User, PasswordLink]:
    """A new account with no usable password, and the one-time link with which its owner
    sets one (then enrols two-step verification at their first sign-in)."""
    _require_user_manage(by)
    if language not in ("", "en", "es"):
        raise ValidationError({"language": _("Choose English or Spanish.")})
    user = create_staff(
        by=by,
        username=username,
        role=role,
        password=None,
        request=request,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        language=language,
    )
    return user, _password_link(user)


def change_staff_role(
    *, user: User, by: User, role: str, request: HttpRequest | None = None
) -> User:
    _require_user_manage(by)
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role.")})
    return change_staff(user=user, by=by, changes={"role": role}, request=request)


def deactivate_staff(*, user: User, by: User, request: HttpRequest | None = None) -> User:
    """The person can no longer sign in (their open sessions end at their next request);
    everything they did stays in the trail under their name."""
    _require_user_manage(by)
    if user.pk == by.pk:
        raise ValidationError(
            _("You cannot deactivate your own account: another administrator must.")
        )
    return change_staff(user=user, by=by, changes={"is_active": False}, request=request)


def reactivate_staff(*, user: User, by: User, request: HttpRequest | None = None) -> User:
    _require_user_manage(by)
    return change_staff(user=user, by=by, changes={"is_active": True}, request=request)


def issue_password_link(
    *, user: User, by: User, request: HttpRequest | None = None
) -> PasswordLink:
    """Reset a password: the current one stops working at once (it may be known to
    someone else) and a new one-time link replaces any earlier link."""
    _require_user_manage(by)
    if user.pk == by.pk:
        raise ValidationError(
            _("Reset your own password from another administrator's account, not your own.")
        )
    if not user.is_active:
        raise ValidationError(_("Reactivate the account before resetting its password."))
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        record_event(
            action=AuditAction.CHANGE,
            actor=by,
            obj=user,
            object_ref=user.username,
            changes=[{"field": "password", "old": "…", "new": "…"}],
            reason="password reset by an administrator: one-time link issued",
            request=request,
        )
    return _password_link(user)


def set_password_from_link(
    *, user: User, password: str, request: HttpRequest | None = None
) -> None:
    """The owner of the account sets their password from the one-time link (the caller
    has checked the link). Clears a lockout: the person has just proved who they are to
    an administrator."""
    if not user.is_active:
        raise PermissionDenied("account deactivated")
    password_validation.validate_password(password, user=user)
    with transaction.atomic():
        user.set_password(password)
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["password", "failed_logins", "locked_until"])
        record_event(
            action=AuditAction.CHANGE,
            actor=user,
            obj=user,
            object_ref=user.username,
            changes=[{"field": "password", "old": "…", "new": "…"}],
            reason="password set by its owner from a one-time link",
            request=request,
        )


def reset_staff_second_factor(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """The person lost their phone: they enrol an authenticator again at their next
    sign-in (an open session is sent to enrol at its next page)."""
    _require_user_manage(by)
    if user.pk == by.pk:
        raise ValidationError(
            _(
                "You cannot reset your own two-step verification: use a recovery code, "
                "or ask another administrator."
            )
        )
    reset_second_factor(user=user, by=by, request=request)


def unlock_staff(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    if not by.can(Perm.ACCOUNT_UNLOCK):
        raise PermissionDenied(f"needs {Perm.ACCOUNT_UNLOCK}")
    unlock_user(user=user, by=by, request=request)
