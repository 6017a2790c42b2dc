from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
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

    Each entry carries a keyed hash (HMAC-SHA-256, key `key_id`, never in the database) of
    its own description and of the entry before it, so removing, reordering or editing
    any entry breaks the chain from that point on and `puente audit verify` names it.
    The chain covers a digest of the content (`changes`, `reason`) rather than the
    content itself, so a retention purge can remove the content (`forget_content`) and
    the chain still proves everything else. Entries written before keys existed
    (`key_id` empty) keep their plain SHA-256 over the content. Apart from that purge,
    entries are never updated or deleted by the app.
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
    # The content: what changed and why. NULL changes once purged (`content_removed_at`).
    changes = models.JSONField(default=list, blank=True, null=True)
    reason = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=20, blank=True)  # web, api, cli, worker
    # Keyed digest of the content, which the chain covers in its place ("" on legacy entries).
    content_digest = models.CharField(max_length=64, blank=True)
    # Which audit key signed this entry (puente.audit.keys); "" for legacy (plain SHA-256).
    key_id = models.CharField(max_length=16, blank=True)
    content_removed_at = models.DateTimeField(null=True, blank=True)
    # A legacy entry's hash covers its content, so once that is purged the hash can no
    # longer be recomputed: the purge seals the rest ("key id:HMAC") instead.
    seal = models.CharField(max_length=90, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
            models.Index(fields=["action", "-id"], name="audit_action_idx"),
        ]
        constraints = [
            # Purged means empty: no half-removed content stays behind.
            models.CheckConstraint(
                condition=Q(content_removed_at__isnull=True) | Q(changes__isnull=True, reason=""),
                name="audit_purged_content_is_empty",
            ),
            models.CheckConstraint(
                condition=Q(content_removed_at__isnull=False) | Q(changes__isnull=False),
                name="audit_content_present_until_purged",
            ),
            # A keyed entry's chain link covers its content only through the digest.
            models.CheckConstraint(
                condition=Q(key_id="") | ~Q(content_digest=""),
                name="audit_keyed_entry_has_digest",
            ),
            # A purged legacy entry is provable only through its seal.
            models.CheckConstraint(
                condition=~Q(key_id="") | Q(content_removed_at__isnull=True) | ~Q(seal=""),
                name="audit_purged_legacy_entry_is_sealed",
            ),
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

    @property
    def content_removed(self) -> bool:
        return self.content_removed_at is not None


class ChainHead(models.Model):
    """The newest link of the audit chain, one row (id 1). `audit verify` checks that
    the entry it names is there, so removing the newest entries shows.

    On PostgreSQL an entry is appended with a single statement: updating this row
    computes the new hash from the one it holds (HMAC-SHA-256, built from the database's
    sha256() with the padded key passed in) and the entry
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
    # HMAC("head:" + hash) under key `key_id`: pointing the head back at an older entry
    # (after removing the newest ones) needs the key. "" until the first keyed entry.
    mac = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain head")

    def __str__(self) -> str:
        return self.hash
