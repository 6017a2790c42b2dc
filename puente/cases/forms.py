"""Case forms. They only parse and show input; the rules are in `puente.cases.domain`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.accounts.forms import StaffChoiceField
from puente.cases import domain
from puente.cases.categories import recruitment_categories
from puente.cases.models import Case
from puente.core import choices as c
from puente.core.fields import max_length_of
from puente.core.forms import FastSelects
from puente.core.geography import country_choices, subdivision_choices
from puente.core.permissions import Perm


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


def _countries_blank():
    return _blank(country_choices())


def _subdivisions():
    # The two hotlines' countries; elsewhere a city and description are enough.
    return [
        ("", "—"),
        (_("United States"), subdivision_choices("US")),
        (_("Mexico"), subdivision_choices("MX")),
    ]


def _multi(label, choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class CaseForm(FastSelects, forms.Form):
    # Limits are the model's, as the domain's full_clean and the API's schema read them.
    title = forms.CharField(
        label=_("Short title"), max_length=max_length_of(Case, "title"), required=False
    )
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea,
        max_length=max_length_of(Case, "summary"),
        required=False,
    )
    exploitation_type = forms.ChoiceField(
        label=_("Type of trafficking"),
        choices=c.ExploitationType.choices,
        initial=c.ExploitationType.NOT_SPECIFIED,
    )
    forms_of_exploitation = _multi(_("Forms of exploitation (HTCDS)"), c.TypeOfExploitation)
    mx_forms_of_exploitation = _multi(
        _("Forms of exploitation (Ley General, art. 10)"), c.MexicoExploitationForm
    )
    venues = _multi(_("Venues / industries"), c.Venue)
    methods_of_control = _multi(_("Methods of control"), c.MethodOfControl)
    methods_of_recruitment = _multi(_("Methods of recruitment"), c.MethodOfRecruitment)
    hotline_recruitment_methods = forms.MultipleChoiceField(
        label=_("Methods of recruitment (this hotline's categories)"),
        choices=lambda: recruitment_categories().choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recruitment_websites_and_apps = _multi(_("Recruitment websites and apps"), c.WebsiteOrApp)
    exploitation_websites_and_apps = _multi(_("Exploitation websites and apps"), c.WebsiteOrApp)
    types_of_sex_exploitation = _multi(_("Types of sexual exploitation"), c.TypeOfSexExploitation)
    forced_labour_industries = _multi(
        _("Forced labor industries (ISIC sections)"), c.ForcedLabourIndustry
    )
    level_of_indicators = forms.ChoiceField(
        label=_("Level of indicators"), choices=_blank(c.IndicatorLevel.choices), required=False
    )
    imminent_danger = forms.BooleanField(label=_("Imminent danger"), required=False)

    FIELDS = [
        "title",
        "summary",
        "exploitation_type",
        "forms_of_exploitation",
        "mx_forms_of_exploitation",
        "venues",
        "methods_of_control",
        "methods_of_recruitment",
        "hotline_recruitment_methods",
        "recruitment_websites_and_apps",
        "exploitation_websites_and_apps",
        "types_of_sex_exploitation",
        "forced_labour_industries",
        "level_of_indicators",
        "imminent_danger",
    ]

    def __init__(self, *args: Any, mexican_frame: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not mexican_frame:
            # Mexico's legal frame belongs to Mexican deployments and to cases that
            # involve Mexico (`queries.shows_mexican_frame`).
            del self.fields["mx_forms_of_exploitation"]


class CaseEditForm(CaseForm):
    owner = StaffChoiceField(duty=Perm.CASE_EDIT, label=_("Case owner"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    FIELDS = [*CaseForm.FIELDS, "owner"]


class StatusForm(FastSelects, forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("case status", "Status"), choices=c.CaseStatus.choices
    )
    closing_reason = forms.ChoiceField(
        label=_("Closing reason"), choices=_blank(c.ClosingReason.choices), required=False
    )
    closing_note = forms.CharField(
        label=_("Closing note"),
        widget=forms.Textarea,
        max_length=max_length_of(Case, "closing_note"),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PersonForm(FastSelects, forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles in case"),
        choices=c.PersonRole.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A victim who calls for herself is both potential victim and signaler."),
    )
    is_business = forms.BooleanField(
        label=_("This exploiter is a business"),
        required=False,
        help_text=_("Put the business name in “alias / business name”."),
    )
    salutation = forms.CharField(label=_("Salutation"), max_length=40, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    alias = forms.CharField(label=_("Alias / business name"), max_length=200, required=False)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    birthdate = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=120, required=False)
    age_band = forms.ChoiceField(
        label=_("Age band (if the age is not known)"),
        choices=_blank(c.AgeBand.choices),
        required=False,
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=_blank(c.Gender.choices), required=False)
    citizenship = forms.MultipleChoiceField(
        label=_("Citizenship"),
        choices=country_choices,
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose more than one."),
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=_countries_blank, required=False
    )
    primary_language = forms.ChoiceField(
        label=_("Primary language"), choices=_blank(c.Language.choices), required=False
    )
    trafficking_status = forms.ChoiceField(
        label=_("Trafficking status"), choices=_blank(c.TraffickingStatus.choices), required=False
    )
    trafficking_status_decided_by = forms.ChoiceField(
        label=_("Trafficking status decided by"),
        choices=_blank(c.TraffickingStatusDecisionMakingOrg.choices),
        required=False,
    )
    consent = forms.NullBooleanField(
        label=_("Consents to the hotline keeping and using their data"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Not asked")), ("true", _("Yes")), ("false", _("No"))]
        ),
    )
    relationship_to_trafficker = forms.ChoiceField(
        label=_("Relationship to exploiter"),
        choices=_blank(c.RelationshipToTrafficker.choices),
        required=False,
    )
    roles_in_process = _multi(_("Role in the trafficking process"), c.RoleInProcess)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)

    FIELDS = list(domain.PERSON_FIELDS)


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class IdentifierForm(FastSelects, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=c.IdentifierKind.choices)
    # A row left empty is skipped, whatever kind is selected.
    value = forms.CharField(label=_("Value"), max_length=300, required=False)


IdentifierFormSet = forms.formset_factory(IdentifierForm, extra=2, max_num=20)


class LocationForm(FastSelects, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=c.LocationKind.choices)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    subdivision = forms.ChoiceField(
        label=_("State / federal entity"), choices=_subdivisions, required=False
    )
    city = forms.CharField(label=_("City / municipality"), max_length=120, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class TaskForm(FastSelects, forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    assignee = StaffChoiceField(duty=Perm.CASE_EDIT, label=_("Assigned to"), required=False)
    due_date = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class NoteForm(FastSelects, forms.Form):
    body = forms.CharField(label=_("Note"), widget=forms.Textarea)


class BreakGlassForm(FastSelects, forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this case?"),
        widget=forms.Textarea,
        min_length=10,
        help_text=_("Your reason is recorded in the audit trail and reviewed by a supervisor."),
    )


class AccessForm(FastSelects, forms.Form):
    user = StaffChoiceField(duty=Perm.CASE_VIEW, label=_("Staff member"))


class CaseFilterForm(FastSelects, forms.Form):
    status = forms.ChoiceField(
        label=pgettext_lazy("case status", "Status"),
        choices=[("", _("Any")), *c.CaseStatus.choices],
        required=False,
    )
    imminent_danger = forms.BooleanField(label=_("Imminent danger only"), required=False)
    mine = forms.BooleanField(label=_("My cases"), required=False)
    restricted = forms.BooleanField(label=_("Restricted only"), required=False)
