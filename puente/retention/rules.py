"""How long each kind of record is kept, as data: the categories, the shipped defaults
with the reason for each, the shortest keep an administrator may set, and the one
function that turns a rule into the moment before which records go (`cutoff`).

Administrators change the rules on the Retention page (`puente.retention.views`); the
stored rule (`RetentionRule`) starts from the default below the first time it is read.
tests/retention/test_rules.py proves the properties: a longer keep never purges more,
and nothing younger than its rule is ever due.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    DRAFTS = "drafts", _("Unfinished intake drafts")
    UNLINKED_CONTACTS = "unlinked_contacts", _("Contacts never linked to a case")
    CLOSED_CASES = "closed_cases", _("Closed cases")
    EXCHANGE_PAYLOADS = "exchange_payloads", _("Messages exchanged with partner hotlines")
    REFUSAL_SUMMARIES = "refusal_summaries", _("Summaries of refused partner requests")


class Unit(models.TextChoices):
    DAYS = "days", _("days")
    MONTHS = "months", _("months")


@dataclass(frozen=True)
class Default:
    category: str
    keep_for: int
    unit: str
    # What the time counts from, shown beside the rule (the clock differs per category).
    counted_from: str | Promise


# The shipped defaults. Each says why; a hotline's own legal duties come first, which is
# why every one of them is an administrator's setting and not a constant.
DEFAULTS: tuple[Default, ...] = (
    # A draft is an intake the advocate never finished. It is worth keeping only while the
    # call it belongs to can still be written up (a shift, a weekend, a holiday); after a
    # month no one will finish it, and it holds what a caller said without the review a
    # recorded contact gets.
    Default(Category.DRAFTS, 30, Unit.DAYS, _("since last saved")),
    # A contact that never became part of a case (a wrong number, a request for
    # information, a tip that led nowhere) is kept long enough for a returning caller to
    # be recognised by the screen-pop and for three years of annual reports to be
    # checked against it. Kept longer it is only a list of people who once called.
    Default(Category.UNLINKED_CONTACTS, 36, Unit.MONTHS, _("after the contact")),
    # A closed case may be needed again: the survivor applies for a T visa or continued
    # presence, a prosecutor or civil lawyer asks, the situation returns. Seven years
    # after closing is the common record-keeping period for case files; check local law
    # (a U.S. civil claim under 18 U.S.C. 1595 may be brought up to ten years later) and
    # lengthen it here if the hotline must.
    Default(Category.CLOSED_CASES, 84, Unit.MONTHS, _("after closing")),
    # What crossed the border is the survivor's data in transit. Once delivered, the
    # referral itself keeps what each side needs; the raw message is kept 90 days only
    # to settle a disputed or repeated delivery with the partner. (The federation app
    # clears only finished messages: one still queued for a partner is never touched.)
    Default(Category.EXCHANGE_PAYLOADS, 90, Unit.DAYS, _("after it was sent or received")),
    # A refused partner request is kept for security review (who tried what, from
    # where); a year covers the yearly review. It may quote what the sender sent.
    Default(Category.REFUSAL_SUMMARIES, 12, Unit.MONTHS, _("after the refusal")),
)
DEFAULT_FOR: dict[str, Default] = {d.category: d for d in DEFAULTS}

# The shortest keep an administrator may set, in days: a draft younger than a day may
# belong to a call still going on; anything else shorter than a month is more likely a
# slip of the keyboard than a policy, and a purge cannot be undone.
MINIMUM_DAYS: dict[str, int] = {
    Category.DRAFTS: 1,
    Category.UNLINKED_CONTACTS: 30,
    Category.CLOSED_CASES: 30,
    Category.EXCHANGE_PAYLOADS: 30,
    Category.REFUSAL_SUMMARIES: 30,
}
# The longest: 30 years. Past that "keep" means "keep forever": switch the rule off.
MAXIMUM_DAYS = 30 * 366


def _months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` earlier; a day the month lacks (31 March minus
    one month) becomes that month's last day."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def cutoff(*, now: datetime, keep_for: int, unit: str) -> datetime:
    """Records whose clock (last saved, started, closed, delivered…) is before this
    moment are due. `keep_for` is at least 1."""
    if keep_for < 1:
        raise ValueError("keep_for must be at least 1")
    if unit == Unit.MONTHS:
        return _months_before(now, keep_for)
    if unit == Unit.DAYS:
        return now - timedelta(days=keep_for)
    raise ValueError(f"unknown unit {unit!r}")


def length_in_days(*, keep_for: int, unit: str) -> int:
    """The shortest the keep can be, in whole days (a month counts as 28)."""
    return keep_for * (28 if unit == Unit.MONTHS else 1)
