"""Cases on the Human Trafficking Case Data Standard (HTCDS 2.0).

A case is a potential trafficking situation: it may hold several potential victims
and exploiters, many contacts and months of work. The field-by-field mapping to
HTCDS names is in docs/htcds-mapping.md; keep the two in step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from puente.core import choices as c
from puente.core.fields import NarrativeField
from puente.core.sql import is_not


class CaseCounter(models.Model):
    """Hands out the per-hotline, per-year case number behind US-2026-000123."""

    prefix = models.CharField(max_length=2)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="case_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = models.CharField(_("short title"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=c.CaseStatus.choices, default=c.CaseStatus.NEW
    )
    closing_reason = models.CharField(
        _("closing reason"), max_length=24, choices=c.ClosingReason.choices, blank=True
    )
    closing_note = NarrativeField(_("closing note"), blank=True)
    summary = NarrativeField(_("summary"), blank=True)
    exploitation_type = models.CharField(
        _("type of trafficking"),
        max_length=16,
        choices=c.ExploitationType.choices,
        default=c.ExploitationType.NOT_SPECIFIED,
    )
    # Multiselects are lists of codes from puente.core.choices.
    forms_of_exploitation = models.JSONField(
        _("forms of exploitation (HTCDS)"), default=list, blank=True
    )
    mx_forms_of_exploitation = models.JSONField(
        _("forms of exploitation (Ley General, art. 10)"), default=list, blank=True
    )
    venues = models.JSONField(_("venues / industries"), default=list, blank=True)
    methods_of_control = models.JSONField(_("methods of control"), default=list, blank=True)
    methods_of_recruitment = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    # The hotline's own recruitment categories (hotline_categories, PUENTE_COUNTRY), each
    # mapped onto an HTCDS code that the domain adds to methods_of_recruitment.
    hotline_recruitment_methods = models.JSONField(
        _("methods of recruitment (this hotline's categories)"), default=list, blank=True
    )
    types_of_sex_exploitation = models.JSONField(
        _("types of sexual exploitation"), default=list, blank=True
    )
    forced_labour_industries = models.JSONField(
        _("forced labor industries (ISIC)"), default=list, blank=True
    )
    recruitment_websites_and_apps = models.JSONField(
        _("recruitment websites and apps"), default=list, blank=True
    )
    exploitation_websites_and_apps = models.JSONField(
        _("exploitation websites and apps"), default=list, blank=True
    )
    level_of_indicators = models.CharField(
        _("level of indicators"), max_length=10, choices=c.IndicatorLevel.choices, blank=True
    )
    imminent_danger = models.BooleanField(_("imminent danger"), default=False)
    restricted = models.BooleanField(_("restricted"), default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cases",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Optimistic concurrency: every save must name the version it was read at.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # Home queues: open cases, imminent danger first, newest first.
            models.Index(
                fields=["-imminent_danger", "-updated_at"],
                name="case_open_queue_idx",
                condition=~Q(status="closed"),
            ),
            models.Index(fields=["owner", "status"], name="case_owner_status_idx"),
            # The ids of open cases alone: the team view joins overdue tasks to them
            # without reading a case row.
            models.Index(fields=["id"], name="case_open_ids_idx", condition=~Q(status="closed")),
            models.Index(fields=["status", "-created_at"], name="case_status_created_idx"),
            # The team view (cases/team.py): open cases counted per owner, and those with
            # none, from the index alone (status in it too, so SQLite reads no row) — a
            # national hotline's closed cases are never read.
            models.Index(
                fields=["owner", "imminent_danger", "status"],
                name="case_open_by_owner_idx",
                condition=~Q(status="closed"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closing_reason__gt="") | ~Q(status="closed"),
                name="closed_case_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != c.CaseStatus.CLOSED


def open_cases_q(via: str = "") -> Q:
    """Open cases (every status but closed; `via` reaches the case from another model,
    e.g. "case__"), in the words of the open-case partial indexes' own condition."""
    return is_not(f"{via}status", c.CaseStatus.CLOSED)


class CaseAccess(models.Model):
    """Staff named on a restricted case: only they (and its owner) open it freely."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_list")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_access_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id}"


class BreakGlass(models.Model):
    """Someone not named on a restricted case opened it, giving a reason. Supervisors
    review these; the grant lasts for the working shift only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["case", "user", "-expires_at"], name="break_glass_idx")]
        constraints = [
            # Whoever broke the glass is not the one who says it was justified.
            models.CheckConstraint(
                condition=models.Q(reviewed_by__isnull=True)
                | ~models.Q(reviewed_by=models.F("user")),
                name="break_glass_reviewed_by_someone_else",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class CaseLocation(models.Model):
    """HTCDS hte_ (historic trafficking events): where recruitment, transit and
    exploitation happened."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="locations")
    kind = models.CharField(_("kind"), max_length=14, choices=c.LocationKind.choices)
    country = models.CharField(_("country"), max_length=2)
    subdivision = models.CharField(_("state / federal entity"), max_length=6, blank=True)
    city = models.CharField(_("city / municipality"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["country", "subdivision"], name="case_location_region_idx")]

    def __str__(self) -> str:
        return ", ".join(p for p in [self.city, self.subdivision, self.country] if p)


class Person(models.Model):
    """A person (or business) in a case, in one or more roles (a victim who calls for
    herself is both potential victim and signaler): HTCDS prs_, vic_ and per_."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    # PersonRole codes, at least one, in PersonRole order (domain.persons keeps it so).
    roles = models.JSONField(_("roles in case"), default=list, blank=True)
    is_business = models.BooleanField(_("is a business"), default=False)
    salutation = models.CharField(_("salutation"), max_length=40, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    alias = models.CharField(_("alias / business name"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    birthdate = models.DateField(_("date of birth"), null=True, blank=True)
    age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, choices=c.AgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=24, choices=c.Gender.choices, blank=True)
    citizenship = models.JSONField(_("citizenship"), default=list, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    primary_language = models.CharField(
        _("primary language"), max_length=3, choices=c.Language.choices, blank=True
    )
    trafficking_status = models.CharField(
        _("trafficking status"), max_length=32, choices=c.TraffickingStatus.choices, blank=True
    )
    trafficking_status_decided_by = models.CharField(
        _("trafficking status decided by"),
        max_length=40,
        choices=c.TraffickingStatusDecisionMakingOrg.choices,
        blank=True,
    )
    # con_Consent: None until asked; the person's agreement to the hotline keeping and
    # using their data.
    consent = models.BooleanField(_("consent to data use"), null=True, blank=True)
    relationship_to_trafficker = models.CharField(
        _("relationship to exploiter"),
        max_length=12,
        choices=c.RelationshipToTrafficker.choices,
        blank=True,
    )
    roles_in_process = models.JSONField(
        _("role in the trafficking process"), default=list, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = " ".join(p for p in [self.first_name, self.last_name] if p)
        if self.alias and name:
            return f"{name} (“{self.alias}”)"
        return name or self.alias or str(_("Unnamed person"))

    @property
    def role(self) -> str:
        """The first of the person's roles, for callers that show one (API v1 `role`)."""
        return self.roles[0] if self.roles else ""

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    @property
    def is_minor(self) -> bool:
        if self.age is not None:
            return self.age < 18
        return self.age_band in {"0-8", "9-17", "minor"}


class Identifier(models.Model):
    """A phone, email, handle, address, vehicle or ad attached to a person in a case.
    `normalised` is what links recur on (E.164 for phones, lower-case for the rest)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="identifiers")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="identifiers"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=c.IdentifierKind.choices)
    value = models.CharField(_("value"), max_length=300)
    normalised = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # Every lookup of an identifier (the phone screen-pop, "appears in N other
            # cases", the network view) is by kind and normalised value; with the case id in
            # the index, the distinct cases holding one are counted without reading a row
            # (puente/networks/recurrence.py).
            models.Index(fields=["kind", "normalised", "case"], name="identifier_lookup_idx")
        ]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_date", "id"]
        indexes = [
            models.Index(
                fields=["assignee", "due_date"],
                name="task_open_by_assignee_idx",
                condition=Q(done_at__isnull=True),
            ),
            # The team view's overdue tasks per assignee, with their case, from the index
            # alone (cases/team.py).
            models.Index(
                fields=["assignee", "due_date", "case"],
                name="task_overdue_idx",
                condition=Q(done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CaseNote(models.Model):
    """HTCDS cco_CaseComment. Append-only: a correction is a new note."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "-created_at"], name="case_note_idx")]

    def __str__(self) -> str:
        return self.body[:60]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("Case notes are append-only.")
        super().save(*args, **kwargs)
