"""What arrives through the channels, beside the contact it becomes.

A call, a text thread or an e-mail is always one `intake.Contact` (what advocates list,
search, file in a case and purge); the rows here hold what only a channel has — the
provider's ids (so a retried webhook stores nothing twice), a thread's messages and their
delivery status, who is answering a thread, an e-mail's attachments — and go with their
contact when retention deletes it (every foreign key to the contact cascades).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core import choices as c


class ThreadState(models.TextChoices):
    OPEN = "open", pgettext_lazy("text thread", "Open")
    CLOSED = "closed", pgettext_lazy("text thread", "Closed")


class MessageStatus(models.TextChoices):
    """Twilio's message statuses, the ones a hotline cares about, plus what an inbound
    message is once stored."""

    QUEUED = "queued", pgettext_lazy("message status", "Queued")
    SENDING = "sending", pgettext_lazy("message status", "Sending")
    SENT = "sent", pgettext_lazy("message status", "Sent")
    DELIVERED = "delivered", pgettext_lazy("message status", "Delivered")
    READ = "read", pgettext_lazy("message status", "Read")
    UNDELIVERED = "undelivered", pgettext_lazy("message status", "Not delivered")
    FAILED = "failed", pgettext_lazy("message status", "Failed")
    RECEIVED = "received", pgettext_lazy("message status", "Received")
    # Never sent: the person had opted out (STOP) by the time its turn came.
    BLOCKED = "blocked", pgettext_lazy("message status", "Not sent: opted out")


class Call(models.Model):
    """One inbound call, by the provider's call id: its contact, the language the caller
    chose and how it ended."""

    call_sid = models.CharField(_("call id"), max_length=64, unique=True)
    contact = models.OneToOneField(
        "intake.Contact", on_delete=models.CASCADE, related_name="call", verbose_name=_("contact")
    )
    from_number = models.CharField(_("caller"), max_length=40, blank=True)
    to_number = models.CharField(_("number called"), max_length=40, blank=True)
    status = models.CharField(_("call status"), max_length=20, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        # The queue asks for the calls still ringing, by status, oldest first.
        indexes = [models.Index(fields=["status", "created_at"], name="call_waiting_idx")]

    def __str__(self) -> str:
        return f"call {self.call_sid}"


class Conversation(models.Model):
    """A two-way text thread (SMS or WhatsApp) between one sender and the hotline; one
    contact. Only the advocate who has claimed it answers it."""

    channel = models.CharField(_("channel"), max_length=12, choices=c.Channel.choices)
    # The sender in E.164 (WhatsApp's "whatsapp:" prefix is the channel, not the number).
    address = models.CharField(_("sender"), max_length=40)
    hotline_address = models.CharField(_("hotline number"), max_length=40)
    contact = models.OneToOneField(
        "intake.Contact",
        on_delete=models.CASCADE,
        related_name="conversation",
        verbose_name=_("contact"),
    )
    language = models.CharField(
        _("language"), max_length=3, choices=c.Language.choices, default=c.Language.ENGLISH
    )
    state = models.CharField(
        _("state"), max_length=8, choices=ThreadState.choices, default=ThreadState.OPEN
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="threads_claimed",
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"))
    last_message_at = models.DateTimeField(_("last message"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at"]
        verbose_name = _("text thread")
        verbose_name_plural = _("text threads")
        constraints = [
            # Two webhooks for one sender's first texts, arriving at once, open one thread.
            models.UniqueConstraint(
                fields=["channel", "address", "hotline_address"],
                condition=Q(state="open"),
                name="one_open_thread_per_sender",
            )
        ]
        indexes = [
            models.Index(fields=["state", "claimed_by"], name="thread_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"thread {self.pk} ({self.channel})"


class Message(models.Model):
    """One text in a thread, either way. An inbound message is stored once by its
    provider id; an outgoing one is written (queued) before it is sent, so an outage
    delays it and never loses it."""

    INBOUND = c.Direction.INBOUND
    OUTBOUND = c.Direction.OUTBOUND

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(_("direction"), max_length=8, choices=c.Direction.choices)
    body = models.TextField(_("message"), max_length=1600)
    provider_sid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus.choices)
    error_code = models.CharField(_("error code"), max_length=12, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    media_count = models.PositiveSmallIntegerField(default=0)
    # An automatic answer (HELP, STOP), not an advocate's.
    automatic = models.BooleanField(default=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("written"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    status_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        indexes = [
            models.Index(fields=["conversation", "created_at"], name="message_thread_idx"),
            # The sender's queue: outgoing messages still to go.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="queued", direction="outbound"),
                name="message_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} ({self.direction}, {self.status})"


class OptOut(models.Model):
    """An address that texted STOP (or another opt-out word): nothing more is sent to it
    on that channel until it texts START. The provider blocks too; ours agrees."""

    channel = models.CharField(max_length=12, choices=c.Channel.choices)
    address = models.CharField(max_length=40)
    opted_out_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="one_opt_out_per_address")
        ]

    def __str__(self) -> str:
        return f"opt-out {self.channel} {self.address}"


class InboundEmail(models.Model):
    """An e-mail that became a contact, by its Message-ID (fetched twice, stored once)."""

    contact = models.OneToOneField(
        "intake.Contact", on_delete=models.CASCADE, related_name="email", verbose_name=_("contact")
    )
    message_id = models.CharField(max_length=500, unique=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    to_address = models.CharField(_("to"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"))
    source = models.CharField(max_length=10)  # "webhook" or "imap"
    # What was refused (too big, a type not allowed), so the advocate knows it existed.
    refused_attachments = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        # "This address appears in N other cases" (puente/networks): e-mails from one
        # sender, whatever the case of the address.
        indexes = [models.Index(Lower("from_address"), name="inbound_email_from_idx")]

    def __str__(self) -> str:
        return f"email {self.pk}"


class Attachment(models.Model):
    """A file that came with a contact, kept outside the web root under a random name and
    only ever downloaded (never shown inline), by someone who may read the contact."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact = models.ForeignKey(
        "intake.Contact", on_delete=models.CASCADE, related_name="attachments"
    )
    email = models.ForeignKey(
        InboundEmail, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(_("file name"), max_length=200)
    # What the bytes are (sniffed), not what the sender said they were.
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    stored_name = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class WebhookRefusal(models.Model):
    """Webhook requests refused before anyone was proven to have sent them (unsigned,
    forged), counted per source address and hour: a flood is one row, and the audit
    trail gets one entry per source and hour, never one per request."""

    source = models.CharField(max_length=45)
    hour = models.DateTimeField()
    refused = models.PositiveIntegerField(default=0)
    last_endpoint = models.CharField(max_length=40, blank=True)
    last_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-hour", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "hour"], name="one_refusal_row_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.hour:%Y-%m-%d %H}: {self.refused}"


class Availability(models.Model):
    """Whether an advocate is taking contacts now. Only advocates available get the
    screen-pop of a ringing call; someone who never said is available (signed in with
    Puente open is on duty), and "away" holds until they switch back."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="channel_availability",
        verbose_name=_("advocate"),
    )
    available = models.BooleanField(_("available"), default=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")

    def __str__(self) -> str:
        return f"{self.user_id}: {'available' if self.available else 'away'}"


class LiveEvent(models.Model):
    """A live event on its way to every server process (PUENTE_EVENTS_BACKEND=database):
    written once when it is published, read by each process's poller, deleted after a few
    minutes. For several server processes on one SQLite file, which has no LISTEN/NOTIFY."""

    # Big: the pollers read "everything after the last id I saw".
    id = models.BigAutoField(primary_key=True)
    published_at = models.DateTimeField(db_index=True)
    # `channels.events.Event.encode()`: kind, ids and the least a screen needs, never names.
    body = models.TextField()

    def __str__(self) -> str:
        return f"live event {self.pk}"
