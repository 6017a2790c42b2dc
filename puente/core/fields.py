"""Model fields more than one app uses."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property

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
