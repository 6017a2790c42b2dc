"""Refusing a save because someone else saved first.

Every versioned record (a case, a person, a listing, a referral, a report, a contact)
carries a `version`; a change names the version it was read at, and a change read at an
older version is refused with `StaleWriteError`. The write itself lives beside the audit
trail (`puente.audit.versioned`), which knows who saved last; the form flow that shows a
refusal lives in `puente.core.forms.refuse_stale_save`; the API answers 409 from one
handler in `puente.api`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol, cast

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

# Whole sentences per kind of record rather than one sentence with a noun slot: Spanish
# needs the noun's gender ("este caso", "esta persona", "esta canalización"). Keyed by
# model label, so core names no other app's code; a record not listed gets the generic one.
STALE_MESSAGES = {
    "cases.case": _(
        "This case was changed by %(name)s at %(when)s, after you opened it. "
        "Your changes were not saved: compare them with the current values and save again."
    ),
    "cases.person": _(
        "This person was changed by %(name)s at %(when)s, after you opened it. "
        "Your changes were not saved: compare them with the current values and save again."
    ),
    "directory.provider": _(
        "This listing was changed by %(name)s at %(when)s, after you opened it. "
        "Your changes were not saved: compare them with the current values and save again."
    ),
    "referrals.referral": _(
        "This referral was changed by %(name)s at %(when)s, after you opened it. "
        "Your changes were not saved: compare them with the current values and save again."
    ),
    "referrals.authorityreport": _(
        "This report was changed by %(name)s at %(when)s, after you opened it. "
        "Your changes were not saved: compare them with the current values and save again."
    ),
    "intake.contact": _(
        "This contact was changed by %(name)s at %(when)s, after you opened it. "
        "Your changes were not saved: compare them with the current values and save again."
    ),
}
STALE_MESSAGE = _(
    "This record was changed by %(name)s at %(when)s, after you opened it. "
    "Your changes were not saved: compare them with the current values and save again."
)


class _Versioned(Protocol):
    version: int


class StaleWriteError(ValidationError):
    """Someone saved `record` after the caller read it. Nothing was written: the caller
    must look at the current values (`record`, at `current_version`) and decide again.
    `changed_by` and `changed_at` name the last save, from the audit trail."""

    def __init__(
        self, *, record: models.Model, changed_by: str, changed_at: datetime | None
    ) -> None:
        # Any: the handler that catches this knows which model it was saving.
        self.record: Any = record
        # Every versioned model has this column; models.Model itself does not declare it.
        self.current_version: int = cast(_Versioned, record).version
        self.changed_by = changed_by
        self.changed_at = changed_at
        when = date_format(timezone.localtime(changed_at), "DATETIME_FORMAT") if changed_at else "?"
        super().__init__(
            STALE_MESSAGES.get(record._meta.label_lower, STALE_MESSAGE),
            code="stale",
            params={"name": changed_by, "when": when},
        )
