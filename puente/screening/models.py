from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from puente.core import choices as c


class Screening(models.Model):
    """One structured screening of trafficking indicators about one person, for a contact
    and/or a case.
    The computed level and its reasons are stored as they were shown, so a later change
    to the rules never rewrites what an advocate saw."""

    contact = models.ForeignKey(
        "intake.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="screenings"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="screenings"
    )
    # The person assessed: a potential victim of the case. Optional, for a contact not
    # yet in a case; kept when the person is removed (the screening still happened).
    person = models.ForeignKey(
        "cases.Person",
        verbose_name=_("person screened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="screenings",
    )
    legal_frame = models.CharField(_("legal frame"), max_length=8, choices=c.LegalFrame.choices)
    indicators = models.JSONField(_("indicators present"), default=list)
    computed_level = models.CharField(
        _("computed level"), max_length=10, choices=c.IndicatorLevel.choices
    )
    reasons = models.JSONField(_("reasons"), default=list)
    # Each conclusion at the deciding level: {level, frame, law, reason, exploitation,
    # means} (reason in English source text; exploitation and means are indicator codes).
    conclusions = models.JSONField(_("conclusions"), default=list)
    override_level = models.CharField(
        _("level set by advocate"), max_length=10, choices=c.IndicatorLevel.choices, blank=True
    )
    override_reason = models.TextField(_("reason for the override"), blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["contact", "-created_at"], name="screening_contact_idx"),
            models.Index(fields=["case", "-created_at"], name="screening_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact__isnull=False) | models.Q(case__isnull=False),
                name="screening_has_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(override_level="") | ~models.Q(override_reason=""),
                name="override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.level}"

    @property
    def level(self) -> str:
        return self.override_level or self.computed_level

    @property
    def reasons_display(self) -> list[str]:
        """The stored reasons (English source text) in the reader's language."""
        return [gettext(reason) for reason in self.reasons or []]

    @property
    def conclusions_display(self) -> list[dict[str, str]]:
        """Each conclusion's reason in the reader's language, with the law it rests on.
        Screenings stored before conclusions were kept show their reasons alone."""
        if not self.conclusions:
            return [{"reason": reason, "law": ""} for reason in self.reasons_display]
        return [
            {"reason": gettext(item.get("reason", "")), "law": item.get("law", "")}
            for item in self.conclusions
        ]


class Protocol(models.Model):
    """The steps an advocate follows for a kind of call and caller, in both languages.
    Seeded with the hotline's protocols; administrators edit them. The most specific
    match wins: (reason, signaler type), then (reason, any signaler)."""

    reason = models.CharField(
        _("reason for contact"), max_length=20, choices=c.ReasonForContact.choices
    )
    signaler_type = models.CharField(
        _("signaler"),
        max_length=20,
        choices=c.SignalerType.choices,
        blank=True,
        help_text=_("Leave blank for the protocol that applies to any signaler."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    steps_en = models.TextField(_("steps (English), one per line"))
    steps_es = models.TextField(_("steps (Spanish), one per line"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reason", "signaler_type"], name="protocol_unique")
        ]
        verbose_name = _("protocol")
        verbose_name_plural = _("protocols")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_es if (get_language() or "").startswith("es") else self.title_en

    @property
    def steps(self) -> list[str]:
        text = self.steps_es if (get_language() or "").startswith("es") else self.steps_en
        return [line.strip() for line in text.splitlines() if line.strip()]
