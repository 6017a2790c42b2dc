from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from puente.core import choices as c
from puente.training.models.knowledge import Topic

ACTION_PREVIEW, ACTION_DRAFT, ACTION_PUBLISH = "preview", "draft", "publish"


class ArticleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the articles"), required=False, max_length=200)
    topic = forms.ChoiceField(
        label=_("Topic"), required=False, choices=[("", _("Every topic")), *Topic.choices]
    )


class ArticleForm(forms.Form):
    slug = forms.SlugField(
        label=_("Short name (in the address)"),
        max_length=80,
        help_text=_("Lower-case letters, digits and hyphens; it cannot be changed later."),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    reasons = forms.MultipleChoiceField(
        label=_("Suggest for these reasons for contact"),
        choices=c.ReasonForContact.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    signaler_types = forms.MultipleChoiceField(
        label=_("Suggest for these signaler types"),
        choices=c.SignalerType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_es = forms.CharField(label=_("Title (Spanish)"), max_length=200)
    summary_en = forms.CharField(label=_("Summary (English)"), max_length=300, required=False)
    summary_es = forms.CharField(label=_("Summary (Spanish)"), max_length=300, required=False)
    body_en = forms.CharField(
        label=_("Text (English)"),
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Paragraphs separated by a blank line; ## for a heading, - for a list item, **bold**."
        ),
    )
    body_es = forms.CharField(label=_("Text (Spanish)"), widget=forms.Textarea(attrs={"rows": 18}))
    sources = forms.CharField(
        label=_("Sources"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: the law, guide or report each statement rests on."),
    )
    change_note = forms.CharField(label=_("What changed"), max_length=300)

    def __init__(self, *args, new: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["slug"]
