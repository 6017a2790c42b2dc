from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.core.permissions import Perm
from puente.training.quality import MAX_SAMPLE


def _reviewed_people(exclude: User) -> list[tuple[str, str]]:
    people = [
        u
        for u in User.objects.filter(is_active=True)
        .exclude(pk=exclude.pk)
        .order_by("last_name", "first_name")
        # The role, not the live-call gate: an advocate sent back to practice still has
        # contacts to review.
        if u.role_gives(Perm.CONTACT_CREATE)
    ]
    return [(str(u.pk), u.get_full_name() or u.get_username()) for u in people]


class SampleForm(forms.Form):
    advocate = forms.TypedChoiceField(label=_("Advocate"), coerce=int)
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    size = forms.IntegerField(
        label=_("Contacts to draw"), min_value=1, max_value=MAX_SAMPLE, initial=5
    )

    def __init__(self, *args, reviewer: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        advocate = self.fields["advocate"]
        assert isinstance(advocate, forms.TypedChoiceField)
        advocate.choices = _reviewed_people(reviewer)
        today = timezone.localdate()
        self.fields["start"].initial = today - timedelta(days=30)
        self.fields["end"].initial = today


class ReviewForm(forms.Form):
    comments = forms.CharField(
        label=_("Feedback for the advocate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, rubric, scores: dict[int, int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(n), str(n)) for n in range(1, rubric.scale_max + 1)]
        self.criteria = list(rubric.criteria.all())
        for criterion in self.criteria:
            self.fields[f"c{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.label,
                help_text=criterion.guidance,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                initial=(scores or {}).get(criterion.pk),
            )

    def score_fields(self):
        return [self[f"c{criterion.pk}"] for criterion in self.criteria]

    def values(self) -> dict[int, int]:
        return {cr.pk: self.cleaned_data[f"c{cr.pk}"] for cr in self.criteria}


class RubricForm(forms.Form):
    scale_max = forms.IntegerField(label=_("Highest score"), min_value=2, max_value=10)
    change_note = forms.CharField(label=_("What changed"), max_length=300)

    def __init__(self, *args, rows: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.row_count = rows
        for i in range(rows):
            self.fields[f"label_en_{i}"] = forms.CharField(
                label=_("Criterion (English)"), max_length=200, required=False
            )
            self.fields[f"label_es_{i}"] = forms.CharField(
                label=_("Criterion (Spanish)"), max_length=200, required=False
            )
            self.fields[f"guidance_en_{i}"] = forms.CharField(
                label=_("What to look for (English)"), max_length=500, required=False
            )
            self.fields[f"guidance_es_{i}"] = forms.CharField(
                label=_("What to look for (Spanish)"), max_length=500, required=False
            )
            self.fields[f"weight_{i}"] = forms.IntegerField(
                label=_("Weight"), min_value=1, max_value=10, required=False, initial=1
            )

    def rows(self):
        return [
            [
                self[f"{name}_{i}"]
                for name in ("label_en", "label_es", "guidance_en", "guidance_es", "weight")
            ]
            for i in range(self.row_count)
        ]

    def criteria(self) -> list[dict]:
        d = self.cleaned_data
        return [
            {
                "label_en": d.get(f"label_en_{i}") or "",
                "label_es": d.get(f"label_es_{i}") or "",
                "guidance_en": d.get(f"guidance_en_{i}") or "",
                "guidance_es": d.get(f"guidance_es_{i}") or "",
                "weight": d.get(f"weight_{i}") or 1,
            }
            for i in range(self.row_count)
        ]

    @classmethod
    def initial_for(cls, rubric) -> dict:
        initial: dict = {"scale_max": rubric.scale_max if rubric else 4}
        for i, cr in enumerate(rubric.criteria.all() if rubric else []):
            initial.update(
                {
                    f"label_en_{i}": cr.label_en,
                    f"label_es_{i}": cr.label_es,
                    f"guidance_en_{i}": cr.guidance_en,
                    f"guidance_es_{i}": cr.guidance_es,
                    f"weight_{i}": cr.weight,
                }
            )
        return initial
