"""Directory forms: they parse and show input; the rules are in
`puente.directory.domain`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from puente.core import choices as core_choices
from puente.core.forms import FastSelects
from puente.core.geography import subdivision_choices
from puente.directory import choices as dc
from puente.directory import domain
from puente.directory.queries import KM_PER_MILE

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _blank(choices, label="—") -> list[tuple[str, str]]:
    return [("", label), *choices]


def _subdivisions():
    return [
        (_("United States"), subdivision_choices("US")),
        (_("Mexico"), subdivision_choices("MX")),
    ]


def _multi(label, choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


def check_search_codes(*, need: str, language: str, population: str, country: str) -> list[str]:
    """Plain-language problems with the codes of a search (for the API's 422)."""
    problems = []
    for name, value, choices in (
        ("need", need, dc.Service),
        ("language", language, core_choices.Language),
        ("population", population, dc.Population),
        ("country", country, dc.Country),
    ):
        if value and value not in choices.values:
            problems.append(f"Unknown {name} “{value}”.")
    return problems


# How far to look, in the deployment country's own unit: miles in the U.S., kilometres
# in Mexico (value, unit); "any" drops the limit. The default is a drive an advocate
# would suggest to someone without a car of their own.
DISTANCES = {"US": ([10, 25, 50, 100, 250], "mi"), "MX": ([15, 40, 80, 160, 400], "km")}
DEFAULT_DISTANCE = {"US": 50, "MX": 80}
ANY_DISTANCE = "any"


def distance_unit() -> str:
    return DISTANCES.get(settings.PUENTE_COUNTRY, DISTANCES["US"])[1]


def distance_steps() -> list[int]:
    return DISTANCES.get(settings.PUENTE_COUNTRY, DISTANCES["US"])[0]


def default_distance() -> str:
    return str(DEFAULT_DISTANCE.get(settings.PUENTE_COUNTRY, 50))


def distance_label(value: int) -> str:
    if distance_unit() == "mi":
        return ngettext("%(count)d mile", "%(count)d miles", value) % {"count": value}
    return gettext("%(count)d km") % {"count": value}


def distance_km(value: str) -> float | None:
    """The chosen distance in kilometres; None for any distance."""
    if not value or value == ANY_DISTANCE:
        return None
    number = float(value)
    return number * KM_PER_MILE if distance_unit() == "mi" else number


def _distance_choices() -> list[tuple[str, str]]:
    return [(str(v), distance_label(v)) for v in distance_steps()] + [
        (ANY_DISTANCE, gettext("Any distance"))
    ]


class SearchForm(FastSelects, forms.Form):
    need = forms.ChoiceField(
        label=_("Need"), choices=_blank(dc.Service.choices, _("Any service")), required=False
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=_blank(core_choices.Language.choices, _("Any language")),
        required=False,
    )
    population = forms.ChoiceField(
        label=_("Population"),
        choices=_blank(dc.Population.choices, _("Anyone")),
        required=False,
    )
    near = forms.CharField(
        label=_("Near"),
        max_length=120,
        required=False,
        help_text=_("ZIP code, city, municipality or state (“77002”, “Houston, TX”, “Tapachula”)."),
    )
    within = forms.ChoiceField(label=_("Within"), choices=_distance_choices, required=False)
    country = forms.ChoiceField(
        label=_("Country"), choices=_blank(dc.Country.choices, _("Both")), required=False
    )
    case = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)

    # What a search is made of: carried to a provider's page and back, so the place
    # typed and the filters chosen are still there.
    QUERY_KEYS = ("need", "language", "population", "near", "within", "country", "case")


class ProviderForm(FastSelects, forms.Form):
    # Not required here: the domain names a missing name together with every other
    # problem, rather than the form stopping at the first.
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind of organization"), choices=dc.ProviderKind.choices)
    services = _multi(_("Services"), dc.Service)
    languages = _multi(_("Languages"), core_choices.Language)
    populations = _multi(_("Populations served"), dc.Population)
    hours = forms.CharField(label=_("Hours"), max_length=200, required=False)
    open_24_7 = forms.BooleanField(label=_("Open 24 hours, 7 days"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    city = forms.CharField(label=_("City / municipality"), max_length=120, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=dc.Country.choices)
    subdivision = forms.ChoiceField(
        label=_("State / federal entity"),
        choices=lambda: [("", "—"), *_subdivisions()],
        required=False,
    )
    latitude = forms.FloatField(
        label=_("Latitude"),
        required=False,
        help_text=_("Leave latitude and longitude empty to place it from the postal code or city."),
    )
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    coverage = forms.MultipleChoiceField(
        label=_("Coverage"),
        choices=_subdivisions,
        required=False,
        help_text=_(
            "The states / federal entities it serves; none means only its own. "
            "Hold Ctrl (or ⌘) to choose more than one."
        ),
    )
    last_verified = forms.DateField(
        label=_("Last verified"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    active = forms.BooleanField(label=_("Active (shown in searches)"), required=False, initial=True)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)
    external_id = forms.CharField(label=_("External ID"), max_length=64, required=False)

    # The domain's editable fields, with the optional external ID last on the form.
    FIELDS = [*(f for f in domain.PROVIDER_FIELDS if f != "external_id"), "external_id"]


class ProviderEditForm(ProviderForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ImportForm(FastSelects, forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("The file is larger than 5 MB."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            # Spreadsheets save "CSV" as UTF-8 or, on Windows, as Windows-1252.
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError(gettext("Save the file as CSV in UTF-8."))
