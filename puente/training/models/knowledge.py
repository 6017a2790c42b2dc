"""The training app's knowledge models: an article and its versions.

Every save is a new, immutable ArticleVersion (who, when, a change note); the article
points at the version readers see (`published`). A version saved after the published
one and not published is a draft. Nothing is ever overwritten, so the history is
complete and any older text can be restored (as a new version)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    PROTOCOL = "protocol", _("Call protocol")
    CALLER = "caller", _("Caller type")
    SAFETY = "safety", _("Safety planning")
    LAW_US = "law_us", _("Law: United States")
    LAW_MX = "law_mx", _("Law: Mexico")
    REPORTING = "reporting", _("Mandatory reporting")
    REFERRAL = "referral", _("Referral across the border")
    INTERPRETERS = "interpreters", _("Working with interpreters")


class Article(models.Model):
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    # Suggested on the intake screen for a contact with one of these reasons for contact
    # or signaler types (codes of puente.core.choices); empty: never suggested.
    reasons = models.JSONField(_("reasons for contact"), default=list, blank=True)
    signaler_types = models.JSONField(_("signaler types"), default=list, blank=True)
    published = models.ForeignKey(
        "training.ArticleVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published version"),
    )
    # The published version's words in both languages, folded by puente.search's rule
    # (lower case, no accents) and separated by single spaces, with a leading space so
    # " word" finds a word's start on either database.
    search_text = models.TextField(default="", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class ArticleVersion(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    summary_es = models.CharField(_("summary (Spanish)"), max_length=300, blank=True)
    body_en = models.TextField(_("text (English)"))
    body_es = models.TextField(_("text (Spanish)"))
    # One source a line: a statute, a public guide, a report.
    sources = models.TextField(_("sources"))
    change_note = models.CharField(_("change note"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The version this one copied when it was a restore.
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article.slug} v{self.number}"

    @property
    def spanish(self) -> bool:
        return (get_language() or "en").startswith("es")

    @property
    def title(self) -> str:
        return self.title_es if self.spanish else self.title_en

    @property
    def summary(self) -> str:
        return self.summary_es if self.spanish else self.summary_en

    @property
    def body(self) -> str:
        return self.body_es if self.spanish else self.body_en

    @property
    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]
