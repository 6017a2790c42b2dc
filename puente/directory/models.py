"""The service directory: providers a hotline refers survivors to, in both countries.

Multiselects (services, languages, populations, coverage) are JSON lists of codes, as in
cases. Search does not read them: `ProviderTag` holds one indexed row per (kind, code)
so a filter is an index lookup on SQLite and PostgreSQL alike (JSON containment is not
portable, and scanning 10,000 JSON lists per query is not fast). The domain functions
keep the tags in step with the lists; nothing else writes them.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.core import choices as core_choices
from puente.directory import choices as dc

# A listing nobody has checked for a year may have moved, closed or changed its
# number: advocates see it flagged before they give it to a survivor.
STALE_AFTER = timedelta(days=365)


class Provider(models.Model):
    external_id = models.CharField(
        _("external ID"),
        max_length=64,
        blank=True,
        help_text=_("The identifier in the system this listing was imported from."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind of organization"),
        max_length=20,
        choices=dc.ProviderKind.choices,
        default=dc.ProviderKind.SERVICE_NGO,
    )
    services = models.JSONField(_("services"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    populations = models.JSONField(_("populations served"), default=list, blank=True)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    open_24_7 = models.BooleanField(_("open 24/7"), default=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city / municipality"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=dc.Country.choices)
    subdivision = models.CharField(_("state / federal entity"), max_length=6, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    coverage = models.JSONField(
        _("coverage"),
        default=list,
        blank=True,
        help_text=_("States / federal entities served; empty means only its own."),
    )
    last_verified = models.DateField(_("last verified"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # Optimistic concurrency, as for cases: every save names the version it was read at.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        indexes = [
            models.Index(fields=["country", "active"], name="provider_country_active_idx"),
            # A bounding box is a range on latitude then a range on longitude: one B-tree
            # on both narrows the latitude band and filters longitude inside the index.
            models.Index(fields=["latitude", "longitude"], name="provider_latlon_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="provider_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="provider_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_coverage(self) -> list[str]:
        """Where it serves: its coverage list, or its own state when the list is empty."""
        if self.coverage:
            return list(self.coverage)
        return [self.subdivision] if self.subdivision else []

    @property
    def is_stale(self) -> bool:
        return is_stale(self.last_verified)

    @property
    def language_labels(self) -> list[str]:
        return core_choices.labels_for(core_choices.Language, self.languages)

    @property
    def service_labels(self) -> list[str]:
        return core_choices.labels_for(dc.Service, self.services)

    @property
    def population_labels(self) -> list[str]:
        return core_choices.labels_for(dc.Population, self.populations)


def is_stale(last_verified: date | None, *, today: date | None = None) -> bool:
    if last_verified is None:
        return True
    return last_verified < (today or timezone.localdate()) - STALE_AFTER


class ProviderTag(models.Model):
    """One searchable code of a provider: a service, language, population or a state in
    its explicit coverage list (its own state needs no tag: it is a column). Written
    only by `puente.directory.domain`."""

    class Kind(models.TextChoices):
        SERVICE = "s", _("service")
        LANGUAGE = "l", _("language")
        POPULATION = "p", _("population")
        COVERAGE = "c", _("coverage")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=1, choices=Kind.choices)
    code = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["kind", "code", "provider"], name="provider_tag_idx")]
        constraints = [
            models.UniqueConstraint(fields=["provider", "kind", "code"], name="provider_tag_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.kind}={self.code}"


class ImportBatch(models.Model):
    """An uploaded CSV between its preview and its commit. The text lives here, on the
    server, keyed by an unguessable token and tied to the uploader: what is committed
    is exactly what was previewed, and nobody can swap rows in between."""

    token = models.CharField(max_length=43, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.filename or 'import'} ({self.created_at:%Y-%m-%d %H:%M})"
