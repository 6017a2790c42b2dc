"""The new-contact form. It only renders fields and reads typed values; the rules live
in `puente.intake.domain.clean_contact_data`, shared with the API, whose field errors
are put back on the form."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core import choices as c
from puente.core import geography
from puente.core.fields import max_length_of
from puente.core.forms import FastSelects, apply_domain_errors
from puente.intake import domain
from puente.intake.models import Contact

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
BLANK = [("", "—")]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class ContactForm(FastSelects, forms.Form):
    # Fields are listed in tab order: the number first (caller ID or what the caller
    # says), then what the advocate picks while listening, then the narrative.
    # Limits are the model's, as the domain's full_clean and the API's schema read them.
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=max_length_of(Contact, "phone_raw"),
        widget=forms.TextInput(attrs={"accesskey": "p", "inputmode": "tel", "autocomplete": "off"}),
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=BLANK + list(c.Channel.choices),
        widget=forms.Select(attrs={"accesskey": "c", "required": True}),
    )
    direction = forms.ChoiceField(
        label=pgettext_lazy("contact direction", "Direction"),
        required=False,
        choices=c.Direction.choices,
    )
    reason = forms.ChoiceField(
        label=_("Reason for contact"),
        required=False,
        choices=BLANK + list(c.ReasonForContact.choices),
        widget=forms.Select(attrs={"accesskey": "r", "required": True}),
    )
    signaler_type = forms.ChoiceField(
        label=_("Signaler"),
        required=False,
        choices=c.SignalerType.choices,
    )
    anonymous = forms.BooleanField(label=_("Anonymous: the signaler gave no name"), required=False)
    hotline_category = forms.ChoiceField(
        label=_("Category (this hotline's)"),
        required=False,
        choices=lambda: BLANK + domain.report_categories().choices,
        help_text=_("Sets the reason for contact it belongs to."),
    )
    language = forms.ChoiceField(label=_("Language"), required=False, choices=c.Language.choices)
    interpreter_used = forms.BooleanField(label=_("Interpreter used"), required=False)
    interpreter_language = forms.ChoiceField(
        label=_("Interpreter language"),
        required=False,
        choices=BLANK + list(c.Language.choices),
    )
    started_at = forms.DateTimeField(
        label=_("Started"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"],
        widget=DateTimeLocalInput(),
    )
    ended_at = forms.DateTimeField(
        label=_("Ended"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"],
        widget=DateTimeLocalInput(),
    )
    # Shown only once the domain finds the contact longer than domain.LONG_CONTACT.
    long_contact_confirmed = forms.BooleanField(
        label=_("Yes, this contact really lasted that long"), required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    subdivision = forms.ChoiceField(label=_("State / federal entity"), required=False)
    city = forms.CharField(
        label=_("City / municipality"), required=False, max_length=max_length_of(Contact, "city")
    )
    # Required here, on the advocate's page: a contact saved without what was said is a
    # record no one can use (an integration logging a call through the API may leave it).
    summary = forms.CharField(
        label=_("Narrative summary"),
        required=True,
        error_messages={
            "required": _(
                "Write the narrative: what the signaler said and what you did. "
                "A contact is not saved without it."
            )
        },
        max_length=max_length_of(Contact, "summary"),
        widget=forms.Textarea(attrs={"accesskey": "m", "rows": 6, "required": True}),
    )
    imminent_danger = forms.BooleanField(
        label=_("Someone is in imminent danger"),
        required=False,
        widget=forms.CheckboxInput(attrs={"accesskey": "d"}),
    )
    case_reference = forms.CharField(
        label=_("Link to existing case (reference)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = BLANK + geography.country_choices()
        self.fields["subdivision"].choices = subdivision_options(self.chosen_country())
        self.fields["case_reference"].widget.attrs["placeholder"] = (
            f"{settings.PUENTE_COUNTRY}-2026-000123"
        )
        # The lookup runs as the number is typed, so the advocate sees who is calling
        # before asking; the state list follows the country.
        self.fields["phone"].widget.attrs.update(
            {
                "hx-get": reverse("intake:phone_lookup"),
                # `input` also fires on paste and autofill, not only on typed keys.
                "hx-trigger": "input changed delay:300ms, change",
                "hx-target": "#lookup-panel",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
            }
        )
        self.fields["country"].widget.attrs.update(
            {
                "hx-get": reverse("intake:subdivisions"),
                "hx-trigger": "change",
                "hx-target": "#id_subdivision",
                "hx-swap": "outerHTML",
            }
        )

    @property
    def asks_long_contact(self) -> bool:
        """Whether to show the "it really lasted that long" box: when the rule asked
        for it, and while it stays ticked."""
        return self.is_bound and (
            "long_contact_confirmed" in self.errors or bool(self.data.get("long_contact_confirmed"))
        )

    def add_domain_errors(self, error) -> None:
        # Read before the errors are applied: a field in error leaves cleaned_data.
        started = getattr(self, "cleaned_data", {}).get("started_at")
        ended = getattr(self, "cleaned_data", {}).get("ended_at")
        apply_domain_errors(self, error)
        if "long_contact_confirmed" in self.errors and started and ended:
            label = _("Yes, this contact really lasted %(hours)s hours") % {
                "hours": domain.long_contact_hours(started=started, ended=ended)
            }
            # The bound field was made (and its label read) while the form was cleaned.
            self.fields["long_contact_confirmed"].label = label
            self["long_contact_confirmed"].label = label

    def set_focus(self) -> None:
        """Where the cursor starts: the first field in error; else the number, unless the
        screen-pop already filled it, then the next thing to pick."""
        source = self.data if self.is_bound else self.initial
        if self.is_bound and self.errors:
            name = next((n for n in self.fields if n in self.errors), "phone")
        elif not source.get("phone"):
            name = "phone"
        else:
            name = "reason" if source.get("channel") else "channel"
        self.fields[name].widget.attrs["autofocus"] = True

    def chosen_country(self) -> str:
        source = self.data if self.is_bound else self.initial
        return (source.get("country") or "").upper()

    def domain_data(self) -> dict:
        """What the domain function reads: the parsed values, or the text as typed when
        the form could not parse it (so the domain names the field)."""
        data = {name: self.data.get(name, "") for name in self.fields}
        data.update({k: v for k, v in self.cleaned_data.items() if v not in (None, "")})
        return data


def subdivision_options(country: str) -> list[tuple[str, str]]:
    return BLANK + geography.subdivision_choices(country) if country else BLANK
