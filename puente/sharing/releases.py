"""Privacy-protected releases: which aggregate tables a release can hold (`TABLES`), how
one is built, protected (`puente.sharing.protection`), released and logged, the
differential-privacy budget each audience has spent, and the k-anonymised case-level
file in the CTDC dataset's layout for data collaboratives.

Every table counts each record once: a case in one state (where it was exploited; else
where the person is now; else where they transited or were recruited), under one type of
exploitation (its one HTCDS form; "multiple" for several; from the case's overall type
when no form is recorded), in one period — so cells add up to the totals, which is what
the protection's guarantee needs.

Settings (read with these defaults when unset): PUENTE_RELEASE_K (11),
PUENTE_RELEASE_EPSILON_MIN (0.1), PUENTE_RELEASE_EPSILON_MAX (2.0),
PUENTE_RELEASE_EPSILON_BUDGET (5.0 per audience per calendar year).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Sum
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.utils.translation import override as language_override

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.cases.models import CaseLocation
from puente.core import choices as c
from puente.core.geography import (
    canonical_subdivision,
    country_choices,
    country_name,
    is_country,
    subdivision_choices,
    subdivision_name,
)
from puente.core.permissions import Perm
from puente.federation.models import PartnerHotline
from puente.insights.queries import (
    InsightFilter,
    age_band_expression,
    cases_in,
    contacts_in,
    count_over_time,
    potential_victims_in,
)
from puente.sharing import protection
from puente.sharing.models.releases import BudgetSpend, Release, ReleaseMethod, ReleaseStatus

__all__ = [
    "TABLES",
    "TableDefinition",
    "build_release",
    "confirm_release",
    "release_changes",
    "dimension_label",
    "prepare_release",
    "release_document",
    "export_microdata",
]

Key = tuple[str, ...]
OTHER = protection.OTHER
UNKNOWN = "unknown"
MULTIPLE = "multiple"
NOT_SPECIFIED = "not_specified"
# The two hotlines' countries: their states are the state dimension's values; a case
# exploited anywhere else counts under "other" (a fixed rule, so it is the same for a
# differentially private table, whose values must not depend on the data).
STATE_COUNTRIES = ("US", "MX")


# --- settings ----------------------------------------------------------------------------


def default_k() -> int:
    return int(getattr(settings, "PUENTE_RELEASE_K", 11))


def epsilon_bounds() -> tuple[float, float]:
    return (
        float(getattr(settings, "PUENTE_RELEASE_EPSILON_MIN", 0.1)),
        float(getattr(settings, "PUENTE_RELEASE_EPSILON_MAX", 2.0)),
    )


def yearly_budget() -> float:
    return float(getattr(settings, "PUENTE_RELEASE_EPSILON_BUDGET", 5.0))


# --- dimensions and their labels --------------------------------------------------------


def _quarter_label(code: str) -> str:
    year, quarter = code.split("-Q")
    return _("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": quarter}


def _month_label(code: str) -> str:
    year, month = code.split("-")
    return formats.date_format(date(int(year), int(month), 1), "YEAR_MONTH_FORMAT")


def _choice_label(choices: type) -> Callable[[str], str]:
    labels = dict(choices.choices)  # type: ignore[attr-defined]
    return lambda code: str(labels.get(code, code))


_TYPE_LABEL = _choice_label(c.TypeOfExploitation)


def _type_label(code: str) -> str:
    if code == MULTIPLE:
        return _("More than one form of exploitation")
    if code == NOT_SPECIFIED:
        return _("Form of exploitation not recorded")
    return _TYPE_LABEL(code)


_LABELLERS: dict[str, Callable[[str], str]] = {
    "state": subdivision_name,
    "type_of_exploitation": _type_label,
    "quarter": _quarter_label,
    "month": _month_label,
    "age_band": _choice_label(c.AgeBand),
    "gender": _choice_label(c.Gender),
    "citizenship": country_name,
    "channel": _choice_label(c.Channel),
}

DIMENSION_NAMES: dict[str, Promise] = {
    "state": gettext_lazy("State"),
    "type_of_exploitation": gettext_lazy("Form of exploitation"),
    "quarter": gettext_lazy("Quarter"),
    "month": gettext_lazy("Month"),
    "age_band": gettext_lazy("Age"),
    "gender": gettext_lazy("Gender"),
    "citizenship": gettext_lazy("Citizenship"),
    "channel": gettext_lazy("Channel"),
}


def dimension_name(dimension: str) -> str:
    return str(DIMENSION_NAMES.get(dimension, dimension))


def dimension_label(dimension: str, code: str) -> str:
    """A value code of a dimension in the reader's language: never the raw code, except
    for a code no list knows (so bad data stays visible rather than blank)."""
    if code == OTHER:
        return _("Other (rare categories)")
    if code in (UNKNOWN, ""):
        return _("Not recorded")
    labeller = _LABELLERS.get(dimension)
    label = labeller(code) if labeller else code
    return label or code


# --- the catalogue ------------------------------------------------------------------------


@dataclass(frozen=True)
class TableDefinition:
    code: str
    title: Promise
    dimensions: tuple[str, ...]
    unit: Promise  # what one count is ("cases", "potential victims", "contacts")
    # (period start, period end) -> {cell key: records}; one record in one cell.
    count: Callable[[date, date], dict[Key, int]]
    description: Promise | str = ""

    def label(self) -> str:
        return str(self.title)


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _month(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def _periods(start: date, end: date, by: str) -> list[str]:
    found: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        code = _quarter(date(year, month, 1)) if by == "quarter" else _month(date(year, month, 1))
        if code not in found:
            found.append(code)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _local_day(moment: datetime | date, tz: tzinfo | None = None) -> date:
    if isinstance(moment, datetime):
        if timezone.is_naive(moment):
            return moment.date()
        return moment.astimezone(tz or timezone.get_current_timezone()).date()
    return moment


_LOCATION_PREFERENCE: dict[str, int] = {
    c.LocationKind.EXPLOITATION.value: 0,
    c.LocationKind.CURRENT.value: 1,
    c.LocationKind.TRANSIT.value: 2,
    c.LocationKind.RECRUITMENT.value: 3,
}


def _state_code(country: str, subdivision: str) -> str:
    code = canonical_subdivision(subdivision)
    if not code:
        return UNKNOWN
    return code if code[:2] in STATE_COUNTRIES else OTHER


_HTCDS_TYPES = frozenset(c.TypeOfExploitation.values)
# No HTCDS form recorded: the case's overall type says what it can.
_TYPE_FROM_OVERALL: dict[str, str] = {
    c.ExploitationType.SEX.value: c.TypeOfExploitation.SEXUAL.value,
    c.ExploitationType.LABOUR.value: c.TypeOfExploitation.FORCED_LABOUR.value,
    c.ExploitationType.SEX_AND_LABOUR.value: MULTIPLE,
    c.ExploitationType.OTHER.value: c.TypeOfExploitation.OTHER.value,
}


def _type_code(forms: object, exploitation_type: str) -> str:
    codes = set(forms) if isinstance(forms, list) else set()
    if len(codes) == 1:
        (code,) = codes
        return code if code in _HTCDS_TYPES else OTHER
    if len(codes) > 1:
        return MULTIPLE
    return _TYPE_FROM_OVERALL.get(exploitation_type, NOT_SPECIFIED)


@dataclass(frozen=True)
class _CaseFacts:
    day: date
    state: str
    type: str


def _cases(start: date, end: date) -> dict[int, _CaseFacts]:
    """Each case opened in the period, once, with the one state and one type it counts
    under."""
    qs = cases_in(InsightFilter(start=start, end=end))
    rows = list(qs.values_list("id", "created_at", "forms_of_exploitation", "exploitation_type"))
    best: dict[int, tuple[int, str]] = {}
    locations = (
        CaseLocation.objects.using(qs.db)
        .filter(case__in=qs.values("pk"))
        .exclude(subdivision="")
        .order_by("id")
        .values_list("case_id", "kind", "country", "subdivision")
    )
    for case_id, kind, country, subdivision in locations.iterator(chunk_size=5000):
        rank = _LOCATION_PREFERENCE.get(kind, 9)
        if case_id not in best or rank < best[case_id][0]:
            best[case_id] = (rank, _state_code(country, subdivision))
    tz = timezone.get_current_timezone()
    return {
        case_id: _CaseFacts(
            day=_local_day(created_at, tz),
            state=best.get(case_id, (9, UNKNOWN))[1],
            type=_type_code(forms, exploitation_type),
        )
        for case_id, created_at, forms, exploitation_type in rows
    }


def _count_cases(*dims: str) -> Callable[[date, date], dict[Key, int]]:
    def count(start: date, end: date) -> dict[Key, int]:
        values: dict[str, Callable[[_CaseFacts], str]] = {
            "state": lambda f: f.state,
            "type_of_exploitation": lambda f: f.type,
            "quarter": lambda f: _quarter(f.day),
            "month": lambda f: _month(f.day),
        }
        return dict(
            Counter(tuple(values[d](facts) for d in dims) for facts in _cases(start, end).values())
        )

    return count


def _count_victims(*dims: str) -> Callable[[date, date], dict[Key, int]]:
    def count(start: date, end: date) -> dict[Key, int]:
        cases = _cases(start, end)
        persons = (
            potential_victims_in(InsightFilter(start=start, end=end))
            .annotate(_band=age_band_expression())
            .values_list("case_id", "_band", "gender", "citizenship")
        )
        counted: Counter[Key] = Counter()
        for case_id, band, gender, citizenship in persons.iterator(chunk_size=5000):
            first = sorted(citizenship)[0] if isinstance(citizenship, list) and citizenship else ""
            values = {
                "age_band": band or c.AgeBand.UNKNOWN,
                "gender": gender or c.Gender.UNKNOWN,
                "citizenship": first.upper() if is_country(first) else UNKNOWN,
                "type_of_exploitation": cases[case_id].type if case_id in cases else NOT_SPECIFIED,
            }
            counted[tuple(str(values[d]) for d in dims)] += 1
        return dict(counted)

    return count


def _count_contacts_by_channel_month(start: date, end: date) -> dict[Key, int]:
    rows = count_over_time(
        contacts_in(InsightFilter(start=start, end=end)),
        date_field="started_at",
        by="channel",
        period="month",
    )
    counted: Counter[Key] = Counter()
    for first_day, channel, n in rows:
        counted[(channel or UNKNOWN, _month(first_day))] += n
    return dict(counted)


def _state_domain() -> list[str]:
    return [code for country in STATE_COUNTRIES for code, _n in subdivision_choices(country)] + [
        OTHER,
        UNKNOWN,
    ]


def dimension_domain(dimension: str, *, start: date, end: date) -> list[str]:
    """Every value a dimension can take in a period, fixed before the data is read: a
    differentially private table is noised over all of them."""
    if dimension == "state":
        return _state_domain()
    if dimension == "type_of_exploitation":
        return [*c.TypeOfExploitation.values, MULTIPLE, NOT_SPECIFIED, OTHER]
    if dimension in ("quarter", "month"):
        return _periods(start, end, dimension)
    if dimension == "age_band":
        return [*c.AgeBand.values, OTHER]
    if dimension == "gender":
        return [*c.Gender.values, OTHER]
    if dimension == "citizenship":
        return [code for code, _name in country_choices()] + [UNKNOWN, OTHER]
    if dimension == "channel":
        return [*c.Channel.values, UNKNOWN, OTHER]
    raise ValueError(dimension)


TABLES: dict[str, TableDefinition] = {
    table.code: table
    for table in (
        TableDefinition(
            code="cases_state_type_quarter",
            title=gettext_lazy("Cases by state, form of exploitation and quarter"),
            dimensions=("state", "type_of_exploitation", "quarter"),
            unit=gettext_lazy("cases"),
            count=_count_cases("state", "type_of_exploitation", "quarter"),
            description=gettext_lazy(
                "Cases opened in the period, each in the state where it was exploited "
                "(else where the person is now, passed through or was recruited)."
            ),
        ),
        TableDefinition(
            code="cases_state_quarter",
            title=gettext_lazy("Cases by state and quarter"),
            dimensions=("state", "quarter"),
            unit=gettext_lazy("cases"),
            count=_count_cases("state", "quarter"),
        ),
        TableDefinition(
            code="cases_type_month",
            title=gettext_lazy("Cases by form of exploitation and month"),
            dimensions=("type_of_exploitation", "month"),
            unit=gettext_lazy("cases"),
            count=_count_cases("type_of_exploitation", "month"),
        ),
        TableDefinition(
            code="victims_type_gender",
            title=gettext_lazy("Potential victims by form of exploitation and gender"),
            dimensions=("type_of_exploitation", "gender"),
            unit=gettext_lazy("potential victims"),
            count=_count_victims("type_of_exploitation", "gender"),
        ),
        TableDefinition(
            code="victims_citizenship_age",
            title=gettext_lazy("Potential victims by citizenship and age"),
            dimensions=("citizenship", "age_band"),
            unit=gettext_lazy("potential victims"),
            count=_count_victims("citizenship", "age_band"),
        ),
        TableDefinition(
            code="contacts_channel_month",
            title=gettext_lazy("Contacts by channel and month"),
            dimensions=("channel", "month"),
            unit=gettext_lazy("contacts"),
            count=_count_contacts_by_channel_month,
        ),
    )
}


def table_choices() -> list[tuple[str, str]]:
    return [(code, table.label()) for code, table in TABLES.items()]


# --- the budget ---------------------------------------------------------------------------

PUBLIC = "public"
# The advisory lock that serialises budget spending on PostgreSQL ("puente budget").
BUDGET_LOCK = 0x70756E7465_62


def budget_account(recipient: PartnerHotline | None) -> str:
    return f"partner:{recipient.pk}" if recipient is not None else PUBLIC


def _spent(account: str, year: int) -> float:
    total = BudgetSpend.objects.filter(account=account, year=year).aggregate(s=Sum("epsilon"))["s"]
    return float(total or 0.0)


def budget_spent(*, recipient: PartnerHotline | None, year: int) -> float:
    """The ε this audience has seen released in the year. A partner also reads what is
    published, so its spending includes the public account's; what is published reaches
    every partner, so the public account's includes the most any partner has spent."""
    public = _spent(PUBLIC, year)
    if recipient is not None:
        return public + _spent(budget_account(recipient), year)
    partners = (
        BudgetSpend.objects.filter(year=year)
        .exclude(account=PUBLIC)
        .values("account")
        .annotate(s=Sum("epsilon"))
        .values_list("s", flat=True)
    )
    return public + max((float(s) for s in partners), default=0.0)


def check_budget(*, recipient: PartnerHotline | None, epsilon: float, year: int) -> None:
    """Refuse (ValidationError on "epsilon") a release that would take the audience over
    its yearly budget."""
    budget = yearly_budget()
    spent = budget_spent(recipient=recipient, year=year)
    if protection.budget_after(spent=[spent], budget=budget, asked=epsilon) < -1e-9:
        raise ValidationError(
            {
                "epsilon": _(
                    "This release would exceed the privacy budget: %(audience)s has "
                    "already been given ε = %(spent)s of %(budget)s for %(year)s, and "
                    "ε = %(asked)s more is asked. Choose a smaller ε, release without "
                    "differential privacy, or wait until next year."
                )
                % {
                    "audience": str(recipient) if recipient else _("the public"),
                    "spent": f"{spent:g}",
                    "budget": f"{budget:g}",
                    "year": year,
                    "asked": f"{epsilon:g}",
                }
            }
        )


# --- building a release ------------------------------------------------------------------


def _check_request(
    *,
    table: str,
    period_start: date,
    period_end: date,
    recipient: PartnerHotline | None,
    publication_name: str,
    method: str,
    epsilon: float | None,
    k: int,
) -> None:
    errors: dict[str, str] = {}
    if table not in TABLES:
        errors["table"] = _("Choose a table from the list.")
    if period_end < period_start:
        errors["period_end"] = _("The period ends before it starts.")
    elif period_end > timezone.localdate():
        errors["period_end"] = _("A release can only cover days that have passed.")
    if recipient is None and not publication_name.strip():
        errors["publication_name"] = _("Choose a partner hotline, or name the publication.")
    if recipient is not None and not recipient.active:
        errors["recipient"] = _("This partner hotline is inactive.")
    if k < default_k():
        errors["k"] = _("k cannot be below this hotline's minimum of %(k)s.") % {"k": default_k()}
    if method == ReleaseMethod.DP:
        low, high = epsilon_bounds()
        if epsilon is None or not math.isfinite(epsilon) or not (low <= epsilon <= high):
            errors["epsilon"] = _("Choose ε between %(low)s and %(high)s.") % {
                "low": f"{low:g}",
                "high": f"{high:g}",
            }
    elif method != ReleaseMethod.SUPPRESSION:
        errors["method"] = _("Choose a protection method.")
    if errors:
        raise ValidationError(errors)


def prepare_release(
    *,
    by: User | None,
    table: str,
    period_start: date,
    period_end: date,
    recipient: PartnerHotline | None,
    publication_name: str = "",
    method: str = "suppression",
    epsilon: float | None = None,
    k: int | None = None,
    request: HttpRequest | None = None,
) -> Release:
    """Count, protect and store a draft release for the analyst to look at: nothing has
    left the hotline and no budget is spent until `confirm_release`. A DP draft is
    refused at once if the budget could not pay for it."""
    if by is not None and not by.can(Perm.RELEASE_MANAGE):
        raise PermissionDenied
    k = default_k() if k is None else int(k)
    if method != ReleaseMethod.DP:
        epsilon = None
    _check_request(
        table=table,
        period_start=period_start,
        period_end=period_end,
        recipient=recipient,
        publication_name=publication_name,
        method=method,
        epsilon=epsilon,
        k=k,
    )
    if epsilon is not None:
        check_budget(recipient=recipient, epsilon=epsilon, year=timezone.localdate().year)
    definition = TABLES[table]
    counts = definition.count(period_start, period_end)
    domains = [
        dimension_domain(d, start=period_start, end=period_end) for d in definition.dimensions
    ]
    # A value outside a dimension's fixed domain (a code no list knows) counts under
    # "other": a rule that does not look at the data, so the noise of a DP table still
    # covers every cell, and the partner, who checks every code against the same
    # domains, never receives one it cannot read.
    known = [set(values) for values in domains]
    remapped: Counter[Key] = Counter()
    for key, n in counts.items():
        remapped[tuple(v if v in known[d] else OTHER for d, v in enumerate(key))] += n
    counts = dict(remapped)
    protected = protection.protect_table(
        counts,
        dimensions=definition.dimensions,
        k=k,
        epsilon=epsilon,
        domains=domains if epsilon is not None else None,
    )
    dims = list(definition.dimensions)
    release = Release.objects.create(
        table=table,
        period_start=period_start,
        period_end=period_end,
        recipient=recipient,
        publication_name=publication_name.strip() if recipient is None else "",
        method=method,
        k=k,
        epsilon=epsilon,
        delta=None,
        dimensions=dims,
        cells=[
            {
                **dict(zip(dims, cell.key, strict=True)),
                "count": cell.count,
                "suppressed": cell.suppressed,
                "reason": cell.reason,
            }
            for cell in protected.cells
        ],
        margins=[{**margin.key, "count": margin.count} for margin in protected.margins],
        cell_count=len(protected.cells),
        suppressed_count=protected.suppressed_count,
        folded=protected.folded,
        created_by=by,
    )
    return release


# How a release made for a partner hotline leaves: set from trend_hooks (trends builds on
# this module, so this one cannot import it).
_send_to_partner: Callable[..., object] | None = None


def send_partner_releases_with(send: Callable[..., object]) -> None:
    global _send_to_partner
    _send_to_partner = send


def confirm_release(
    *,
    release: Release,
    by: User | None,
    monthly: bool = False,
    request: HttpRequest | None = None,
) -> Release:
    """Let a draft leave: spend its ε (refused if the budget no longer allows it), mark it
    released and write it in the audit trail. A release made for a partner hotline leaves
    as it is confirmed: it goes into the exchange in the same transaction (one step, one
    audit entry), so nothing is "released" that was never sent."""
    if by is not None and not by.can(Perm.RELEASE_MANAGE):
        raise PermissionDenied
    with transaction.atomic():
        # Two releases confirmed at once must not both pass the budget check. SQLite
        # transactions begin IMMEDIATE (one writer at a time); on PostgreSQL one
        # transaction-scoped advisory lock serialises every confirmation (they are rare
        # and the lock is held for milliseconds).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BUDGET_LOCK])
        current = Release.objects.select_for_update().get(pk=release.pk)
        if current.status != ReleaseStatus.DRAFT:
            raise ValidationError(_("This release has already been released."))
        year = timezone.localdate().year
        if current.epsilon is not None:
            check_budget(recipient=current.recipient, epsilon=current.epsilon, year=year)
            BudgetSpend.objects.create(
                account=budget_account(current.recipient),
                year=year,
                release=current,
                epsilon=current.epsilon,
            )
        now = timezone.now()
        Release.objects.filter(pk=current.pk).update(
            status=ReleaseStatus.RELEASED, released_by=by, released_at=now
        )
        current.refresh_from_db()
        if current.recipient_id:
            # Sending writes the one `share` entry (with the message id); a release the
            # exchange refuses (no key, partner switched off) is not released either.
            if _send_to_partner is None:
                raise ImproperlyConfigured("puente.sharing.trends has not been loaded")
            _send_to_partner(release=current, by=by, monthly=monthly, request=request)
        else:
            record_event(
                action="export",
                actor=by,
                obj=current,
                object_ref=str(current.pk),
                changes=release_changes(current),
                request=request,
                via="" if request is not None else "worker",
            )
    release.refresh_from_db()
    return current


def release_changes(release: Release) -> list[dict]:
    """What the audit trail records of a release that leaves: what, when, to whom, how
    protected."""
    return [
        {"field": "table", "old": None, "new": release.table},
        {"field": "period", "old": None, "new": f"{release.period_start}/{release.period_end}"},
        {"field": "audience", "old": None, "new": release.audience},
        {"field": "method", "old": None, "new": release.method},
        {"field": "k", "old": None, "new": release.k},
        {"field": "epsilon", "old": None, "new": release.epsilon},
        {"field": "cell_count", "old": None, "new": release.cell_count},
        {"field": "suppressed_count", "old": None, "new": release.suppressed_count},
    ]


def build_release(
    *,
    by: User | None,
    table: str,
    period_start: date,
    period_end: date,
    recipient: PartnerHotline | None,
    publication_name: str = "",
    method: str = "suppression",
    epsilon: float | None = None,
    k: int | None = None,
    monthly: bool = False,
    request: HttpRequest | None = None,
) -> Release:
    """Build, protect, store and release in one step (the monthly release to a partner,
    which is sent as it is released): audited, and for DP the audience's budget spent —
    refused with a ValidationError when it would exceed it."""
    with transaction.atomic():
        draft = prepare_release(
            by=by,
            table=table,
            period_start=period_start,
            period_end=period_end,
            recipient=recipient,
            publication_name=publication_name,
            method=method,
            epsilon=epsilon,
            k=k,
            request=request,
        )
        return confirm_release(release=draft, by=by, monthly=monthly, request=request)


# --- what leaves -------------------------------------------------------------------------


def release_document(release: Release) -> dict:
    """The release as it travels to a partner or is published: codes and counts only."""
    dims = list(release.dimensions)
    return {
        "release_id": str(release.pk),
        "table": release.table,
        "period": {
            "start": release.period_start.isoformat(),
            "end": release.period_end.isoformat(),
        },
        "dimensions": dims,
        "protection": {
            "method": release.method,
            "k": release.k,
            "epsilon": release.epsilon,
            "delta": release.delta,
        },
        "cells": [
            {**{d: cell[d] for d in dims}, "count": cell["count"], "suppressed": cell["suppressed"]}
            for cell in release.cells
        ],
        "margins": [
            {**{d: m[d] for d in dims if d in m}, "count": m["count"]} for m in release.margins
        ],
    }


def cell_rows(release: Release) -> list[dict]:
    """The cells with their labels in the reader's language, for the preview."""
    dims = list(release.dimensions)
    return [
        {
            "labels": [(dimension_name(d), dimension_label(d, cell[d])) for d in dims],
            "count": cell["count"],
            "reason": cell.get("reason", ""),
        }
        for cell in release.cells
    ]


def margin_rows(release: Release) -> list[dict]:
    dims = list(release.dimensions)
    return [
        {
            "labels": [
                (
                    dimension_name(d),
                    dimension_label(d, m[d]) if d in m else pgettext("release total", "All"),
                )
                for d in dims
            ],
            "count": m["count"],
        }
        for m in release.margins
    ]


def csv_rows(release: Release, *, language: str) -> Iterator[list[str]]:
    """The protected table as CSV rows under labels in `language`: one row per cell, then
    the totals; a hidden cell says why."""
    with language_override(language):
        dims = list(release.dimensions)
        yield [*(dimension_name(d) for d in dims), _("Count"), _("Note")]
        for cell in release.cells:
            note = ""
            if cell["count"] is None:
                note = (
                    _("Hidden: fewer than %(k)s") % {"k": release.k}
                    if cell.get("reason") == protection.SMALL
                    else _("Hidden so that a small count cannot be worked out")
                )
            yield [
                *(dimension_label(d, cell[d]) for d in dims),
                "" if cell["count"] is None else str(cell["count"]),
                note,
            ]
        for m in release.margins:
            yield [
                *(
                    dimension_label(d, m[d]) if d in m else pgettext("release total", "All")
                    for d in dims
                ),
                "" if m["count"] is None else str(m["count"]),
                _("Total"),
            ]


def download_name(release: Release) -> str:
    return f"release_{release.table}_{release.period_start}_{release.period_end}.csv"


def record_download(*, release: Release, by: User, request: HttpRequest | None = None) -> None:
    if release.status != ReleaseStatus.RELEASED:
        raise ValidationError(_("Only a released table can be downloaded."))
    record_event(
        action="export",
        actor=by,
        obj=release,
        object_ref=str(release.pk),
        reason="csv",
        request=request,
    )


def release_log() -> Sequence[Release]:
    return list(
        Release.objects.select_related("recipient", "released_by", "created_by").order_by(
            F("released_at").desc(nulls_first=True), "-created_at"
        )[:200]
    )


def budget_overview(*, year: int) -> list[tuple[str, float, float]]:
    """(audience, spent, yearly budget) for the public and every partner, this year."""
    rows = [(str(_("The public")), budget_spent(recipient=None, year=year), yearly_budget())]
    for partner in PartnerHotline.objects.order_by("name"):
        rows.append((str(partner), budget_spent(recipient=partner, year=year), yearly_budget()))
    return rows


def table_for(code: str) -> TableDefinition | None:
    return TABLES.get(code)


# --- the CTDC microdata -------------------------------------------------------------------
#
# One row per potential victim in the cases opened in the period, in the column layout of
# the CTDC's "Global K-anon Dataset" (see docs/reference: htcds.md, "CTDC dataset
# variables"). No name, no narrative, no reference, no date finer than the year; rows in
# no particular order (sorted by their values, so the order says nothing about when a
# case was opened). A value not known is written "-99", the CTDC dataset's mark for a
# missing value; flags are 1/0.
#
# k-anonymity: every combination of the quasi-identifiers (the columns someone could
# know about a person from outside: year, gender, age, majority, citizenship, country of
# exploitation) is shared by at least k rows. Rare values of each are first made "-99"
# across the file; then, for rows still in a group smaller than k, one more of their
# quasi-identifiers is made "-99" at a time (the finest first: age, then citizenship,
# country, gender, majority, year); rows that are still alone once all are "-99" are left
# out. Like CTDC's file, this does not protect against a group of k people who all share
# the same exploitation (homogeneity): the aggregates' suppression is what guards that.

MISSING = "-99"
CTDC_CONTROL = [
    "DebtBondage",
    "TakesEarnings",
    "RestrictsFinancialAccess",
    "Threats",
    "PsychologicalAbuse",
    "PhysicalAbuse",
    "SexualAbuse",
    "FalsePromises",
    "PsychoactiveSubstances",
    "RestrictsMovement",
    "RestrictsMedicalCare",
    "ExcessiveWorkingHours",
    "UsesChildren",
    "ThreatOfLawEnforcement",
    "WithholdsNecessities",
    "WithholdsDocuments",
    "Other",
    "NotSpecified",
]
CTDC_EXPLOITATION = [
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "isSexAndLabour",
    "isForcedMarriage",
    "isForcedMilitary",
    "isOrganRemoval",
    "isSlaveryAndPractices",
]
CTDC_LABOUR = [
    "Agriculture",
    "Aquafarming",
    "Begging",
    "Construction",
    "DomesticWork",
    "Hospitality",
    "IllicitActivities",
    "Manufacturing",
    "MiningOrDrilling",
    "Peddling",
    "Transportation",
    "Other",
    "NotSpecified",
]
CTDC_SEX = ["Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices"]
CTDC_RECRUITER = ["IntimatePartner", "Friend", "Family", "Other", "Unknown"]
CTDC_COLUMNS = [
    "yearOfRegistration",
    "Datasource",
    "gender",
    "ageBroad",
    "majorityStatus",
    "majorityStatusAtExploit",
    "majorityEntry",
    "citizenship",
    *(f"meansOfControl{name}" for name in CTDC_CONTROL),
    "meansOfControlConcatenated",
    *CTDC_EXPLOITATION,
    "typeOfExploitConcatenated",
    *(f"typeOfLabour{name}" for name in CTDC_LABOUR),
    "typeOfLabourConcatenated",
    *(f"typeOfSex{name}" for name in CTDC_SEX),
    "typeOfSexConcatenated",
    "isAbduction",
    "RecruiterRelationship",
    "CountryOfExploitation",
    *(f"recruiterRelation{name}" for name in CTDC_RECRUITER),
]
# The order in which a row's quasi-identifiers are given up: the finest first.
QUASI_IDENTIFIERS = [
    "ageBroad",
    "citizenship",
    "CountryOfExploitation",
    "gender",
    "majorityStatus",
    "yearOfRegistration",
]

_CONTROL_NAMES = {
    "PhysicalThreats": "Threats",
    "ThreatensChildrenFamily": "Threats",
    "ThreatsLawEnforcement": "ThreatOfLawEnforcement",
    "PsychoactiveSubstance": "PsychoactiveSubstances",
}
_LABOUR_FROM_VENUE = {
    "agriculture_animal_husbandry": "Agriculture",
    "forestry_logging": "Agriculture",
    "construction": "Construction",
    "landscaping": "Construction",
    "domestic_work": "DomesticWork",
    "hotels_hospitality": "Hospitality",
    "restaurants_food_service": "Hospitality",
    "illicit_activities": "IllicitActivities",
    "factories_manufacturing": "Manufacturing",
    "peddling_begging": "Peddling",
    "traveling_sales_crews": "Peddling",
}
_LABOUR_FROM_INDUSTRY = {
    "A": "Agriculture",
    "B": "MiningOrDrilling",
    "C": "Manufacturing",
    "F": "Construction",
    "H": "Transportation",
    "I": "Hospitality",
    "T": "DomesticWork",
}
_GENDER = {
    "Feminine": "Female",
    "Masculine": "Male",
    "TransgenderFeminine": "Transgender/NonConforming",
    "TransgenderMasculine": "Transgender/NonConforming",
    "NonConforming": "Transgender/NonConforming",
}
_AGE_BROAD = {
    "0-8": "0--8",
    "9-17": "9--17",
    "18-20": "18--20",
    "21-23": "21--23",
    "24-26": "24--26",
    "27-29": "27--29",
    "30-38": "30--38",
    "39-47": "39--47",
    "48+": "48+",
}
_MINOR_BANDS = {"0-8", "9-17", "minor"}
_RECRUITER = {"Familial": "Family", "Acquainted": "Other", "Unaquainted": "Other"}


def _flags(prefix: str, names: Sequence[str], present: set[str]) -> dict[str, str]:
    return {f"{prefix}{name}": "1" if name in present else "0" for name in names}


def _ctdc_row(case: dict, person: dict) -> dict[str, str]:
    forms = set(case["forms_of_exploitation"] or [])
    kind = case["exploitation_type"]
    labour = "ForcedLabour" in forms or kind in ("labour", "sex_and_labour")
    sexual = "SexualExploitation" in forms or kind in ("sex", "sex_and_labour")
    others = forms - {"ForcedLabour", "SexualExploitation"}
    exploitation = {
        "isForcedLabour": labour,
        "isSexualExploit": sexual,
        "isOtherExploit": bool(others) or kind == "other",
        "isSexAndLabour": labour and sexual,
        "isForcedMarriage": "ForcedMarriage" in forms,
        "isForcedMilitary": any(f.startswith("ForcedMilitary") for f in forms),
        "isOrganRemoval": "OrganRemoval" in forms,
        "isSlaveryAndPractices": "Servitude" in forms,
    }
    control = {_CONTROL_NAMES.get(m, m) for m in case["methods_of_control"] or []}
    control &= set(CTDC_CONTROL)
    if not control:
        control = {"NotSpecified"}
    labour_types = {_LABOUR_FROM_VENUE[v] for v in case["venues"] or [] if v in _LABOUR_FROM_VENUE}
    labour_types |= {
        _LABOUR_FROM_INDUSTRY[i[:1]]
        for i in case["forced_labour_industries"] or []
        if i[:1] in _LABOUR_FROM_INDUSTRY
    }
    if "ForcedBegging" in forms:
        labour_types.add("Begging")
    if labour and not labour_types:
        labour_types = {"NotSpecified"}
    sex_types = set(case["types_of_sex_exploitation"] or []) & set(CTDC_SEX)
    band = person["band"] or ""
    citizenship = sorted(c_ for c_ in person["citizenship"] or [] if is_country(c_))
    recruiter = _RECRUITER.get(person["relationship"] or "", "Unknown")
    row = {
        "yearOfRegistration": str(case["year"]),
        "Datasource": "Hotline",
        "gender": _GENDER.get(person["gender"] or "", MISSING),
        "ageBroad": _AGE_BROAD.get(band, MISSING),
        "majorityStatus": (
            "Minor" if band in _MINOR_BANDS else MISSING if band in ("", "unknown") else "Adult"
        ),
        "majorityStatusAtExploit": MISSING,
        "majorityEntry": MISSING,
        "citizenship": citizenship[0].upper() if citizenship else MISSING,
        **_flags("meansOfControl", CTDC_CONTROL, control),
        "meansOfControlConcatenated": ";".join(n for n in CTDC_CONTROL if n in control),
        **{name: "1" if value else "0" for name, value in exploitation.items()},
        "typeOfExploitConcatenated": ";".join(
            n for n in CTDC_EXPLOITATION if exploitation[n] and n != "isSexAndLabour"
        ),
        **_flags("typeOfLabour", CTDC_LABOUR, labour_types),
        "typeOfLabourConcatenated": ";".join(n for n in CTDC_LABOUR if n in labour_types),
        **_flags("typeOfSex", CTDC_SEX, sex_types),
        "typeOfSexConcatenated": ";".join(n for n in CTDC_SEX if n in sex_types),
        "isAbduction": MISSING,
        "RecruiterRelationship": recruiter,
        "CountryOfExploitation": case["country"] or MISSING,
        **_flags("recruiterRelation", CTDC_RECRUITER, {recruiter}),
    }
    return row


def k_anonymise(rows: list[dict[str, str]], *, k: int) -> list[dict[str, str]]:
    """Generalise, then suppress, until every combination of quasi-identifiers is shared
    by at least k rows (see the section's comment). Returns the rows kept."""
    for qi in QUASI_IDENTIFIERS:
        seen = Counter(row[qi] for row in rows)
        for row in rows:
            if seen[row[qi]] < k:
                row[qi] = MISSING
    for _round in range(len(QUASI_IDENTIFIERS) + 1):
        groups = Counter(tuple(row[qi] for qi in QUASI_IDENTIFIERS) for row in rows)
        small = [row for row in rows if groups[tuple(row[qi] for qi in QUASI_IDENTIFIERS)] < k]
        if not small:
            break
        for row in small:
            for qi in QUASI_IDENTIFIERS:
                if row[qi] != MISSING:
                    row[qi] = MISSING
                    if qi == "ageBroad":
                        continue  # the majority still says something; give up one more
                    break
    groups = Counter(tuple(row[qi] for qi in QUASI_IDENTIFIERS) for row in rows)
    return [row for row in rows if groups[tuple(row[qi] for qi in QUASI_IDENTIFIERS)] >= k]


def microdata_rows(*, period_start: date, period_end: date, k: int) -> list[dict[str, str]]:
    """The potential victims of the cases opened in the period, k-anonymised."""
    qs = cases_in(InsightFilter(start=period_start, end=period_end))
    cases: dict[int, dict] = {}
    for row in qs.values(
        "id",
        "created_at",
        "exploitation_type",
        "forms_of_exploitation",
        "methods_of_control",
        "venues",
        "forced_labour_industries",
        "types_of_sex_exploitation",
    ).iterator(chunk_size=5000):
        case: dict = {**row, "year": _local_day(row["created_at"]).year, "country": "", "rank": 9}
        cases[case["id"]] = case
    locations = (
        CaseLocation.objects.using(qs.db)
        .filter(case__in=qs.values("pk"))
        .exclude(country="")
        .values_list("case_id", "kind", "country")
    )
    for case_id, kind, country in locations.iterator(chunk_size=5000):
        rank = _LOCATION_PREFERENCE.get(kind, 9)
        found = cases.get(case_id)
        if found is not None and rank < found["rank"] and is_country(country):
            found["rank"], found["country"] = rank, country.upper()
    persons = (
        potential_victims_in(InsightFilter(start=period_start, end=period_end))
        .annotate(band=age_band_expression())
        .values("case_id", "band", "gender", "citizenship", "relationship_to_trafficker")
    )
    rows = [
        _ctdc_row(cases[p["case_id"]], {**p, "relationship": p["relationship_to_trafficker"]})
        for p in persons.iterator(chunk_size=5000)
        if p["case_id"] in cases
    ]
    kept = k_anonymise(rows, k=k)
    kept.sort(key=lambda row: [row[column] for column in CTDC_COLUMNS])
    return kept


def export_microdata(
    *,
    by: User,
    period_start: date,
    period_end: date,
    k: int | None = None,
    request: HttpRequest | None = None,
) -> list[list[str]]:
    """The CTDC-layout file as CSV rows (header first), audited as an export."""
    if not by.can(Perm.RELEASE_MANAGE):
        raise PermissionDenied
    k = default_k() if k is None else int(k)
    errors: dict[str, str] = {}
    if period_end < period_start:
        errors["period_end"] = _("The period ends before it starts.")
    if k < default_k():
        errors["k"] = _("k cannot be below this hotline's minimum of %(k)s.") % {"k": default_k()}
    if errors:
        raise ValidationError(errors)
    rows = microdata_rows(period_start=period_start, period_end=period_end, k=k)
    record_event(
        action="export",
        actor=by,
        object_type="ctdc_microdata",
        object_ref=f"{period_start}/{period_end}",
        reason=f"k={k}&rows={len(rows)}",
        request=request,
    )
    return [CTDC_COLUMNS, *([row[column] for column in CTDC_COLUMNS] for row in rows)]
