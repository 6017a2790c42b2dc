"""What the case rules share: permission checks, picklist cleaning, and marking a
case changed (it moves up the queues, and is re-indexed for search once committed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Choices
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.cases.access import check_case_access
from puente.cases.models import Case
from puente.cases.signals import case_changed
from puente.core.geography import is_country


def _reindex_on_commit(case_id: int) -> None:
    transaction.on_commit(lambda: case_changed.send(sender=Case, case_id=case_id))


def _touch(case_id: int) -> None:
    # Work on a case's people, tasks or notes moves it up the queues, without
    # counting as an edit of the case record (no version bump).
    Case.objects.filter(pk=case_id).update(updated_at=timezone.now())


def _require(user: User | None, perm: str) -> None:
    if user is None or not user.can(perm):
        raise PermissionDenied(f"needs {perm}")


def _require_edit(user: User, case: Case, request: HttpRequest | None) -> None:
    # The pages and the API ask first (`case_for`); this keeps the rule for any caller.
    check_case_access(user=user, case=case, edit=True, request=request)


def clean_codes(*, field: str, values: Any, choices: type[Choices]) -> list[str]:
    """A multiselect's codes, de-duplicated in order; unknown codes refused by name."""
    if values in (None, ""):
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ValidationError({field: _("Expected a list of codes.")}, code="invalid")
    valid = set(choices.values)
    bad = [str(v) for v in values if v not in valid]
    if bad:
        raise ValidationError(
            {field: _("Not a valid choice: %(codes)s.") % {"codes": ", ".join(bad)}},
            code="invalid_choice",
        )
    return list(dict.fromkeys(values))


def clean_countries(*, field: str, values: Any) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str) or not isinstance(values, (list, tuple)):
        raise ValidationError({field: _("Expected a list of country codes.")}, code="invalid")
    codes = [str(v).upper() for v in values]
    bad = [v for v in codes if not is_country(v)]
    if bad:
        raise ValidationError(
            {field: _("Not a country code: %(codes)s.") % {"codes": ", ".join(bad)}},
            code="invalid_choice",
        )
    return list(dict.fromkeys(codes))


_T = TypeVar("_T")


def _collect(errors: dict[str, list], fn: Callable[..., _T], **kwargs: Any) -> _T | None:
    try:
        return fn(**kwargs)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None
