"""The release pages' forms. They only read fields; the rules (k's minimum, ε's bounds,
the budget, the period) are in puente.sharing.releases and come back as its errors."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.federation.models import PartnerHotline
from puente.sharing import releases
from puente.sharing.models.releases import ReleaseMethod

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReleaseForm(forms.Form):
    table = forms.ChoiceField(label=_("Table"))
    period_start = forms.DateField(label=_("From"), widget=_DATE)
    period_end = forms.DateField(label=_("To"), widget=_DATE, help_text=_("Both days included."))
    recipient = forms.ModelChoiceField(
        label=_("Partner hotline"),
        queryset=PartnerHotline.objects.filter(active=True).order_by("name"),
        required=False,
        empty_label=_("None: for publication"),
    )
    publication_name = forms.CharField(
        label=_("Publication"),
        max_length=200,
        required=False,
        help_text=_("Where it will be published, when it is not for a partner hotline."),
    )
    method = forms.ChoiceField(
        label=_("Protection"),
        choices=ReleaseMethod.choices,
        initial=ReleaseMethod.SUPPRESSION,
        widget=forms.RadioSelect,
    )
    epsilon = forms.FloatField(
        label=_("Epsilon (ε)"),
        required=False,
        help_text=_("Only with differential privacy. Smaller is more private and noisier."),
    )
    k = forms.IntegerField(
        label=_("Smallest count published (k)"),
        min_value=1,
        help_text=_("No published number describes fewer people than this."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["table"].choices = releases.table_choices()
        self.fields["k"].initial = releases.default_k()
        low, high = releases.epsilon_bounds()
        self.fields["epsilon"].widget.attrs.update({"min": low, "max": high, "step": "any"})
        self.fields["epsilon"].help_text = _(
            "Only with differential privacy, between %(low)s and %(high)s. Smaller is more "
            "private and noisier."
        ) % {"low": f"{low:g}", "high": f"{high:g}"}


class MicrodataForm(forms.Form):
    period_start = forms.DateField(label=_("From"), widget=_DATE)
    period_end = forms.DateField(label=_("To"), widget=_DATE, help_text=_("Both days included."))
    k = forms.IntegerField(label=_("Smallest group (k)"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["k"].initial = releases.default_k()
