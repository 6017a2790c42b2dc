"""Model fields more than one app uses."""

from __future__ import annotations

from functools import partialmethod

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.encoding import force_str
from django.utils.functional import cached_property
from django.utils.hashable import make_hashable

# About ten pages of typed narrative: far more than any summary of a call or a case, far
# less than a runaway paste or a hostile integration would store (megabytes in a row
# every list, export and search index then carries).
NARRATIVE_MAX_LENGTH = 20_000


class NarrativeField(models.TextField):
    """Free text an advocate writes (a summary, a closing note), bounded. Django checks a
    TextField's `max_length` only in forms; the validator makes `full_clean` — and so every
    domain function that saves one — refuse a longer text too, and the API documents and
    enforces the same number (`puente.core.api.max_length_of`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", NARRATIVE_MAX_LENGTH)
        super().__init__(*args, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(self.max_length)]


def max_length_of(model: type[models.Model], field: str) -> int:
    """A model field's limit: the one number the API, the forms and `full_clean` use."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if not limit:
        raise LookupError(f"{model.__name__}.{field} has no max_length")
    return limit


def _choice_label_getter(field: models.Field):
    """`get_FOO_display` reading a table of the field's labels made once. Django's own
    rebuilds the table on every call and hashes each lazy label for it, translating every
    label of the list to show one: a team page of 160 advocates' roles was 1,300
    translations; a contact list's reasons, several thousand."""
    labels: dict | None = None

    def get_display(instance):
        nonlocal labels
        if labels is None:
            labels = {make_hashable(value): label for value, label in field.flatchoices}
        value = getattr(instance, field.attname)
        return force_str(labels.get(make_hashable(value), value), strings_only=True)

    return get_display


def read_choice_labels_once(model: type[models.Model]) -> None:
    """Give `model`'s picklist fields the quicker `get_FOO_display` (same result: the
    label in the active language, the stored value when it is not in the list). Only
    the methods Django generated are replaced, never one a model defines itself."""
    for field in model._meta.concrete_fields:
        if not field.choices or callable(field.choices):
            continue
        name = f"get_{field.name}_display"
        if isinstance(model.__dict__.get(name), partialmethod):
            setattr(model, name, _choice_label_getter(field))
