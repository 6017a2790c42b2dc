from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Account locked")
    LOGOUT = "logout", _("Logged out")
    MFA_ENROLLED = "mfa_enrolled", _("Enrolled MFA")
    MFA_VERIFIED = "mfa_verified", _("Passed MFA")
    MFA_FAILED = "mfa_failed", _("Failed MFA code")
    RECOVERY_CODE_USED = "recovery_code_used", _("Used a recovery code")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Renewed recovery codes")
    VIEW = "view", pgettext_lazy("audit action", "Viewed")
    CREATE = "create", pgettext_lazy("audit action", "Created")
    CHANGE = "change", pgettext_lazy("audit action", "Changed")
    DELETE = "delete", pgettext_lazy("audit action", "Deleted")
    EXPORT = "export", pgettext_lazy("audit action", "Exported")
    SEARCH = "search", pgettext_lazy("audit action", "Searched")
    LOOKUP = "lookup", _("Phone lookup")
    BREAK_GLASS = "break_glass", _("Broke the glass on a restricted case")
    ACCESS_DENIED = "access_denied", _("Access refused")
    OVERRIDE = "override", _("Overrode a screening level")
    API_KEY = "api_key", _("API key change")
    SHARE = "share", _("Shared with a partner hotline")
    EXCHANGE_RECEIVED = "exchange_received", _("Message received from a partner hotline")
    EXCHANGE_REFUSED = "exchange_refused", _("Message from a partner refused")
    PARTNER_CHANGE = "partner_change", _("Partner hotline or key change")


class AuditEntry(models.Model):
    """One line of the append-only audit trail.

    Each entry carries the SHA-256 of its own content and of the entry before it, so
    removing, reordering or editing any entry breaks the chain from that point on and
    `puente audit verify` names it. Entries are never updated or deleted by the app.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    # Kept verbatim so the trail still names the person after an account is renamed.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=24, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    object_ref = models.CharField(max_length=60, blank=True)
    changes = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=20, blank=True)  # web, api, cli, worker
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
            models.Index(fields=["action", "-id"], name="audit_action_idx"),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type} {self.object_ref or self.object_id}".strip()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Audit entries are append-only.")


class ChainHead(models.Model):
    """The newest link of the audit chain, one row (id 1). `audit verify` checks that
    the entry it names is there, so removing the newest entries shows.

    On PostgreSQL an entry is appended with a single statement: updating this row
    computes the new hash from the one it holds (the database's SHA-256) and the entry
    is inserted from what the update returns. Row locking serialises the writers, and a
    writer that waited sees the hash its predecessor committed, so the chain never
    forks. SQLite has one writer at a time anyway and hashes in Python
    (puente.audit.domain).
    """

    id = models.PositiveSmallIntegerField(primary_key=True)
    # The hash before the newest: PostgreSQL's UPDATE … RETURNING gives only new values,
    # and the entry being inserted needs its predecessor's.
    previous = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return self.hash
