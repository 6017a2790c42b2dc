"""The service directory's picklists: stored as codes, labelled here, translated.

Languages are not here: providers use `puente.core.choices.Language` (ISO 639-2), the
same list as a caller's primary language, so "speaks the caller's language" is a plain
code comparison.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProviderKind(models.TextChoices):
    SERVICE_NGO = "service_ngo", _("Service provider (NGO)")
    SHELTER = "shelter", _("Shelter operator")
    LEGAL_AID = "legal_aid", _("Legal aid")
    GOVERNMENT = "government", _("Government agency")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    CHILD_WELFARE = "child_welfare", _("Child welfare")
    HEALTH = "health", _("Health provider")
    HOTLINE = "hotline", _("Hotline")
    FAITH_BASED = "faith_based", _("Faith-based organization")
    CONSULATE = "consulate", _("Consulate")
    OTHER = "other", pgettext_lazy("provider kind", "Other")


class Service(models.TextChoices):
    SHELTER = "shelter_emergency_housing", _("Shelter / emergency housing")
    LEGAL = "legal", _("Legal services")
    IMMIGRATION_LEGAL = "immigration_legal", _("Immigration legal services")
    MEDICAL = "medical", _("Medical care")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    CASE_MANAGEMENT = "case_management", _("Case management")
    LABOUR_RIGHTS = "labour_rights", _("Labor rights")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement response")
    CHILD_WELFARE = "child_welfare", _("Child welfare / protection")
    HOTLINE = "hotline", _("Crisis hotline")
    TRANSPORTATION = "transportation", _("Transportation")
    INTERPRETATION = "interpretation", _("Interpretation")
    SUBSTANCE_USE = "substance_use", _("Substance use treatment")
    EDUCATION_EMPLOYMENT = "education_employment", _("Education and employment")
    BASIC_NEEDS = "basic_needs", _("Food, clothing and basic needs")
    REPATRIATION = "repatriation", _("Repatriation / return assistance")


class Population(models.TextChoices):
    ADULTS = "adults", _("Adults")
    MINORS = "minors", _("Minors")
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    LGBTQ = "lgbtq", _("LGBTQ+ people")
    FOREIGN_NATIONALS = "foreign_nationals", _("Foreign nationals")
    FAMILIES = "families", _("Families")
    INDIGENOUS = "indigenous", _("Indigenous people")
    DISABILITIES = "disabilities", _("People with disabilities")


class Country(models.TextChoices):
    """The two hotlines' countries: the directory holds providers in both."""

    US = "US", _("United States")
    MX = "MX", _("Mexico")


# Needs where a survivor may be in danger tonight: a provider that answers at 3 a.m.
# is worth more than a slightly nearer one that opens on Monday.
CRISIS_SERVICES = frozenset(
    {Service.SHELTER, Service.LAW_ENFORCEMENT, Service.HOTLINE, Service.MEDICAL}
)
