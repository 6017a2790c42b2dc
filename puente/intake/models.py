from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from puente.core import choices as c
from puente.core.fields import NarrativeField

# What a contact's reason reads as before an advocate has recorded one.
NOT_YET_RECORDED = _("Not yet recorded")


class Contact(models.Model):
    """One signal: a call, text, chat, web form, email or visit. Distinct from a case:
    many contacts are not about trafficking, and one case gathers many contacts."""

    channel = models.CharField(_("channel"), max_length=12, choices=c.Channel.choices)
    direction = models.CharField(
        _("direction"), max_length=8, choices=c.Direction.choices, default=c.Direction.INBOUND
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    signaler_type = models.CharField(
        _("signaler"),
        max_length=20,
        choices=c.SignalerType.choices,
        default=c.SignalerType.UNKNOWN,
    )
    # Whether the signaler withheld their name, apart from who they are: an anonymous
    # caller may still say she is the victim.
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # This hotline's own report category (intake/hotline_categories/<country>.json); it
    # sets `reason`, the shared code it maps to.
    hotline_category = models.CharField(_("hotline category"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=3, choices=c.Language.choices, default=c.Language.ENGLISH
    )
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    interpreter_language = models.CharField(
        _("interpreter language"), max_length=3, choices=c.Language.choices, blank=True
    )
    phone_raw = models.CharField(_("phone number as given"), max_length=40, blank=True)
    phone = models.CharField(_("phone number"), max_length=16, blank=True)  # E.164
    country = models.CharField(_("country"), max_length=2, blank=True)
    subdivision = models.CharField(_("state / federal entity"), max_length=6, blank=True)
    city = models.CharField(_("city / municipality"), max_length=120, blank=True)
    reason = models.CharField(
        _("reason for contact"), max_length=20, choices=c.ReasonForContact.choices
    )
    summary = NarrativeField(_("narrative summary"), blank=True)
    imminent_danger = models.BooleanField(_("imminent danger"), default=False)
    level_of_indicators = models.CharField(
        _("level of indicators"), max_length=10, choices=c.IndicatorLevel.choices, blank=True
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="contacts_taken",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            # The screen-pop: every earlier contact for this number, newest first.
            models.Index(fields=["phone", "-started_at"], name="contact_phone_idx"),
            # "This number appears in N other cases" (puente/networks): the cases a number's
            # contacts were filed in, from the index alone, not one table visit per contact.
            models.Index(
                fields=["phone", "case"],
                name="contact_phone_case_idx",
                condition=models.Q(case__isnull=False),
            ),
            models.Index(fields=["case", "-started_at"], name="contact_case_idx"),
            models.Index(fields=["-started_at"], name="contact_started_idx"),
            models.Index(fields=["taken_by", "-started_at"], name="contact_taken_by_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def reason_display(self) -> str:
        """The reason for contact as advocates read it. A contact that arrived by itself
        (a call, a text, an e-mail, a tip) has none until an advocate records it, and a
        list must say so rather than show a blank cell."""
        return self.get_reason_display() if self.reason else str(NOT_YET_RECORDED)


class IntakeDraft(models.Model):
    """An unfinished intake, saved as the advocate types, so a reload, a crash or a
    closed tab loses nothing. Deleted when the contact is recorded."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="draft_owner_idx")]

    def __str__(self) -> str:
        return f"draft {self.key}"
