from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts import gates
from puente.accounts.roles import Role, permissions_for


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    language = models.CharField(
        _("interface language"),
        max_length=8,
        choices=[("en", "English"), ("es", "Español")],
        blank=True,
    )
    failed_logins = models.PositiveIntegerField(_("failed sign-in attempts in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    # When the current role was given, and by whom: a role that reads case files is shown
    # to supervisors for a while after it is given (their home page).
    role_since = models.DateTimeField(_("role given"), null=True, blank=True)
    role_given_by = models.ForeignKey(
        "self",
        verbose_name=_("role given by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def can(self, perm: str) -> bool:
        # The role first (no query); a gate only for a permission the role gives.
        if not (self.is_active and perm in permissions_for(self.role)):
            return False
        return not gates.is_withheld(self, perm)

    def role_gives(self, perm: str) -> bool:
        """What the role gives, whatever a gate holds back for now: for what a page shows
        as this person's own work (an advocate sent back to practice keeps their cases)."""
        return self.is_active and perm in permissions_for(self.role)

    def why_not(self, perm: str) -> str:
        """Why `perm` is refused when the role gives it but a gate holds it back (a
        required practice call not yet passed); "" otherwise. Read by the 403 page."""
        if not (self.is_active and perm in permissions_for(self.role)):
            return ""
        return gates.why_withheld(self, perm)

    @property
    def is_locked(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiKey(models.Model):
    """A per-integration key (telephony bridge, partner tooling). Only a SHA-256 digest
    is stored: a database dump must not hand out working keys. Keys are random 256-bit
    tokens, so a fast hash is safe here (no dictionary to attack)."""

    PREFIX = "pk_"

    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list)
    # The key acts on behalf of this staff account, so audit entries name a person
    # responsible for the integration.
    acting_user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_keys")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def digest(raw_key: str) -> str:
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @classmethod
    def generate_raw(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class FailedSignIn(models.Model):
    """One failed password or code, with the address it came from: what the per-address
    throttle counts. Rows older than the lockout window are pruned as new ones arrive,
    so the table holds minutes of history, never a record of who tried what."""

    at = models.DateTimeField()
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["address", "at"], name="failed_signin_address_idx"),
            models.Index(fields=["at"], name="failed_signin_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address or '?'} at {self.at:%Y-%m-%d %H:%M}"


class HeldDraft(models.Model):
    """A form sent after its author's session had ended: what they typed, kept for them
    to put back once signed in again (puente/accounts/kept.py). Never the CSRF token,
    a password or a file. Deleted when put back or discarded, and after
    PUENTE_DRAFT_HOURS."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="held_drafts"
    )
    # The page the form was on, where its author is brought back to put it back, and
    # the address it was sent to (to find that form on the page).
    page = models.CharField(max_length=2000)
    action = models.CharField(max_length=2000)
    # {field name: [values]}: a multiple choice sends several values under one name.
    fields = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="held_draft_user_idx")]

    def __str__(self) -> str:
        return f"held draft {self.pk} for {self.page}"
