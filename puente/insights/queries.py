"""The rows behind every figure on the dashboards and in the periodic reports, and the
grouped counts the charts draw.

One filter (`InsightFilter`) narrows every figure the same way, so a number on a chart,
in a report and in the list behind it always agree:

- **When**: each record counts on its own date — a contact when it started, a case when
  it was opened, a referral on the day it was made, a report to the authorities on the
  day it was reported, a cross-border referral when it was sent (or received), a
  potential victim when their case was opened. `start` and `end` are whole days in the
  hotline's time zone, both included; None leaves that side open ("all years").
- **Where**: a contact by where the signaler was; a case by any of its locations
  (recruitment, transit, exploitation, now), so a case from Oaxaca exploited in Texas
  counts in both; referrals, reports and potential victims by their case's locations.
- **What**: the case's type of trafficking (`ExploitationType`) and/or an HTCDS form of
  exploitation; a contact, referral or potential victim by its case's, so with a type
  chosen a contact never filed in a case is not counted.

Restricted cases are counted like any other: they are cases. Nothing here returns a
name; the list behind a number (the reports' job) decides who may open which record.

Every function takes `using`, the database alias to read from: analysis may run on a
read replica (`analysis_database()`), never slowing the phones. Counts are GROUP BY
queries in the database; list-valued fields (a case's venues, a person's citizenships)
are unnested in SQL (`json_each` on SQLite, `jsonb_array_elements_text` on PostgreSQL).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.db import connections
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models import Case as SqlCase
from django.db.models.functions import Coalesce, NullIf, TruncMonth, TruncYear
from django.db.models.functions.datetime import TruncBase
from django.utils import timezone

from puente.cases.models import Case, CaseLocation, Person
from puente.cases.queries import persons_with_role_q
from puente.core import choices as c
from puente.core.analysis_db import analysis_database
from puente.federation.models import CrossBorderReferral
from puente.intake.models import Contact
from puente.referrals.approval import LEFT
from puente.referrals.models import AuthorityReport, Referral

# code -> number of records, codes as stored ("" where none was recorded).
Counts = dict[str, int]
Period = Literal["month", "year"]


@dataclass(frozen=True)
class InsightFilter:
    """What a dashboard or a report counts. Empty fields do not filter."""

    # Whole days in the hotline's time zone, both included; None: open on that side.
    start: date | None = None
    end: date | None = None
    # ISO 3166-1 alpha-2 ("US", "MX"), as contacts and case locations store it.
    country: str = ""
    # ISO 3166-2 ("US-TX", "MX-CMX"), as stored; implies its country.
    subdivision: str = ""
    # A case's overall type (`choices.ExploitationType`).
    exploitation_type: str = ""
    # One HTCDS form of exploitation (`choices.TypeOfExploitation`).
    form_of_exploitation: str = ""

    @property
    def has_case_criteria(self) -> bool:
        """Does the filter narrow by something only a case says (its type)?"""
        return bool(self.exploitation_type or self.form_of_exploitation)

    @property
    def has_place(self) -> bool:
        return bool(self.country or self.subdivision)


def _alias(using: str | None) -> str:
    return using or analysis_database()


def day_bounds(f: InsightFilter) -> tuple[datetime | None, datetime | None]:
    """The filter's days as an instant range [from, until) in the hotline's time zone."""
    tz = timezone.get_default_timezone()
    since = datetime.combine(f.start, time.min, tzinfo=tz) if f.start else None
    until = datetime.combine(f.end + timedelta(days=1), time.min, tzinfo=tz) if f.end else None
    return since, until


def _instant_q(field: str, f: InsightFilter) -> Q:
    since, until = day_bounds(f)
    q = Q()
    if since is not None:
        q &= Q(**{f"{field}__gte": since})
    if until is not None:
        q &= Q(**{f"{field}__lt": until})
    return q


def _day_q(field: str, f: InsightFilter) -> Q:
    q = Q()
    if f.start is not None:
        q &= Q(**{f"{field}__gte": f.start})
    if f.end is not None:
        q &= Q(**{f"{field}__lte": f.end})
    return q


def _place_q(f: InsightFilter, prefix: str = "") -> Q:
    q = Q()
    if f.subdivision:
        q &= Q(**{f"{prefix}subdivision": f.subdivision})
    if f.country:
        q &= Q(**{f"{prefix}country": f.country})
    return q


def list_holds_q(field: str, code: str) -> Q:
    # Neither database's JSON containment is portable (see cases.queries.persons_with_role_q):
    # the quoted code is matched in the list's text; no code is a quoted part of another.
    return Q(**{f"{field}__icontains": f'"{code}"'})


def _case_type_q(f: InsightFilter, prefix: str = "") -> Q:
    q = Q()
    if f.exploitation_type:
        q &= Q(**{f"{prefix}exploitation_type": f.exploitation_type})
    if f.form_of_exploitation:
        q &= list_holds_q(f"{prefix}forms_of_exploitation", f.form_of_exploitation)
    return q


def _case_place_q(f: InsightFilter, outer: str = "pk") -> Q:
    """Cases with a location in the filter's place (one EXISTS, so a case with two
    locations there is still one case)."""
    if not f.has_place:
        return Q()
    located = CaseLocation.objects.filter(_place_q(f), case=OuterRef(outer))
    return Q(Exists(located))


def _cases_matching(f: InsightFilter, using: str) -> QuerySet[Case]:
    """Cases of the filter's place and type, whatever their date: what contacts,
    referrals and reports are narrowed to through their case."""
    return Case.objects.using(using).filter(_case_type_q(f), _case_place_q(f)).order_by()


def _through_case(qs: QuerySet, f: InsightFilter, using: str) -> QuerySet:
    if not (f.has_place or f.has_case_criteria):
        return qs
    return qs.filter(case__in=_cases_matching(f, using).values("pk"))


# --- the rows behind each figure ----------------------------------------------------------


def contacts_in(f: InsightFilter, *, using: str | None = None) -> QuerySet[Contact]:
    """Contacts that started in the period, from the place, about a case of the type."""
    db = _alias(using)
    qs = Contact.objects.using(db).filter(_instant_q("started_at", f), _place_q(f)).order_by()
    if f.has_case_criteria:
        qs = qs.filter(case__in=_cases_matching(f, db).values("pk"))
    return qs


def cases_in(f: InsightFilter, *, using: str | None = None) -> QuerySet[Case]:
    """Cases opened in the period, with a location in the place, of the type."""
    db = _alias(using)
    return (
        Case.objects.using(db)
        .filter(_instant_q("created_at", f), _case_type_q(f), _case_place_q(f))
        .order_by()
    )


def referrals_in(f: InsightFilter, *, using: str | None = None) -> QuerySet[Referral]:
    """Referrals to service providers made in the period, from cases of the place and type."""
    db = _alias(using)
    qs = Referral.objects.using(db).filter(_day_q("referred_on", f)).order_by()
    return _through_case(qs, f, db)


def reports_to_authorities_in(
    f: InsightFilter, *, using: str | None = None, made_only: bool = True
) -> QuerySet[AuthorityReport]:
    """Reports to law enforcement or child welfare made in the period. By default only
    those that left the hotline: not one waiting for a supervisor, nor one declined."""
    db = _alias(using)
    qs = AuthorityReport.objects.using(db).filter(_day_q("reported_on", f)).order_by()
    if made_only:
        qs = qs.filter(approval__in=LEFT)
    return _through_case(qs, f, db)


def cross_border_referrals_in(
    f: InsightFilter, *, using: str | None = None, direction: str = ""
) -> QuerySet[CrossBorderReferral]:
    """Referrals sent to or received from a partner hotline in the period; sent ones only
    once a supervisor let them leave. Place and type through the local case: an incoming
    referral no liaison has opened a case for yet counts only without those criteria."""
    db = _alias(using)
    qs = (
        CrossBorderReferral.objects.using(db)
        .filter(_instant_q("created_at", f), approval__in=LEFT)
        .order_by()
    )
    if direction:
        qs = qs.filter(direction=direction)
    return _through_case(qs, f, db)


def _narrows_cases(f: InsightFilter) -> bool:
    return not (f.start is None and f.end is None and not (f.has_place or f.has_case_criteria))


def _in_counted_cases(qs: QuerySet, f: InsightFilter, db: str) -> QuerySet:
    """Rows of a case's own table (persons, locations) whose case `cases_in` counts. With
    nothing to narrow by ("all years", everywhere, any type), every case counts: no
    subquery, so the database reads the one table."""
    if not _narrows_cases(f):
        return qs
    return qs.filter(case__in=cases_in(f, using=db).values("pk"))


def _victim_q() -> Q:
    return persons_with_role_q(c.PersonRole.POTENTIAL_VICTIM)


def potential_victims_in(f: InsightFilter, *, using: str | None = None) -> QuerySet[Person]:
    """Persons holding the potential-victim role in the cases counted by `cases_in`."""
    db = _alias(using)
    return _in_counted_cases(Person.objects.using(db).filter(_victim_q()), f, db).order_by()


def _victims_counted(f: InsightFilter, db: str) -> tuple[QuerySet[Person], Q | None]:
    """The persons the demographic counts read, and the test that makes one a potential
    victim when it must be made inside the count. Narrowed to some cases, everyone in
    them is read and the role is tested in the count (`COUNT(*) FILTER (…)`), so the
    database plans the read from the cases, whose numbers it knows, rather than from a
    text match on the roles it can only guess at (a guess that made it loop over every
    person: 2 s at a million). Over every case, no join: the role is a plain filter."""
    if _narrows_cases(f):
        return _in_counted_cases(Person.objects.using(db), f, db).order_by(), _victim_q()
    return Person.objects.using(db).filter(_victim_q()).order_by(), None


# --- grouped counts ------------------------------------------------------------------------


def count_by(qs: QuerySet, field: str) -> Counts:
    """Records per value of a single-valued field, counted by the database."""
    rows = qs.order_by().values(field).annotate(n=Count("pk")).values_list(field, "n")
    return {(code or ""): n for code, n in rows}


def count_grouped(qs: QuerySet, *fields: str) -> dict[tuple[str, ...], int]:
    """Records per combination of values of several fields, in one GROUP BY: a dashboard
    reads its status, level and type charts from one pass over the cases, not three."""
    rows = qs.order_by().values(*fields).annotate(n=Count("pk")).values_list(*fields, "n")
    return {tuple((v or "") for v in row[:-1]): row[-1] for row in rows}


def count_list_elements(
    qs: QuerySet, field: str, *, with_empty: bool = False, only: Q | None = None
) -> Counts:
    """Records per code of a list-valued (JSON) field, in one query: a case with venues
    ["bars", "hotels"] counts once under each. With `with_empty`, records whose list holds
    nothing count under "" ("not recorded" on a chart). `only` counts just the records it
    matches, tested inside the count rather than in WHERE (see `_victims_counted`)."""
    db = qs.db
    inner = qs.order_by().annotate(_row=F("pk"), _items=F(field))
    row = 'sub."_row"'
    if only is not None:
        inner = inner.annotate(_counted=ExpressionWrapper(only, output_field=BooleanField()))
        row = 'CASE WHEN sub."_counted" THEN sub."_row" END'
    inner_sql, params = inner.values(*inner.query.annotations).query.get_compiler(db).as_sql()
    vendor = connections[db].vendor
    # LEFT JOIN keeps a record with an empty list as one row whose code is NULL.
    join = "LEFT JOIN" if with_empty else "JOIN"
    if vendor == "postgresql":
        # Each record's own codes made distinct beside it (LATERAL), so the count is a
        # plain COUNT: no sort of every (code, record) pair as COUNT(DISTINCT) needs.
        counted = 'COUNT(*) FILTER (WHERE sub."_counted")' if only is not None else "COUNT(*)"
        sql = (
            f"SELECT e.code, {counted} FROM ({inner_sql}) sub {join} LATERAL "
            "(SELECT DISTINCT value AS code FROM jsonb_array_elements_text(CASE WHEN "
            "jsonb_typeof(sub.\"_items\") = 'array' THEN sub.\"_items\" ELSE '[]'::jsonb END)) "
            "AS e ON TRUE GROUP BY e.code"
        )
    elif vendor == "sqlite":
        sql = (
            f"SELECT e.value, COUNT(DISTINCT {row}) FROM ({inner_sql}) sub {join} "
            'json_each(CASE WHEN json_type(sub."_items") = \'array\' THEN sub."_items" '
            "ELSE '[]' END) e GROUP BY e.value"
        )
    else:  # pragma: no cover — Puente runs on SQLite and PostgreSQL only
        raise NotImplementedError(vendor)
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        return {("" if code is None else str(code)): n for code, n in cursor.fetchall() if n}


class _NativeOnSqlite(TruncBase):
    """A month or year in the hotline's time zone, computed by SQLite itself. Django's
    SQLite truncation calls a Python function once per row: 11.8 s for the contacts
    dashboard over all years at 2,000,000 contacts, against 3.5 s this way. SQLite's
    'localtime' is the C library's, which follows the process's TZ, and Django sets TZ to
    TIME_ZONE when it starts (and again when a test changes the setting). Any other zone
    (none is ever activated today) falls back to Django's own function. The text has the
    form Django's function returns, so the same converter makes it an aware datetime."""

    start_of = ""

    def as_sqlite(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[str | int, ...]]:
        if os.environ.get("TZ") != self.get_tzname():
            return self.as_sql(compiler, connection, **extra_context)
        sql, params = compiler.compile(self.lhs)
        return f"date({sql}, 'localtime', 'start of {self.start_of}') || ' 00:00:00'", tuple(params)


class _Month(_NativeOnSqlite, TruncMonth):
    start_of = "month"


class _Year(_NativeOnSqlite, TruncYear):
    start_of = "year"


def _trunc(field: str, period: Period) -> TruncBase:
    return (_Month if period == "month" else _Year)(field)


def _as_date(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.date()
    return moment


def count_over_time(
    qs: QuerySet, *, date_field: str, by: str, period: Period = "month"
) -> list[tuple[date, str, int]]:
    """Records per period (first day of the month or year, hotline time zone) and value
    of `by`, oldest first."""
    rows = (
        qs.order_by()
        .annotate(_period=_trunc(date_field, period))
        .values("_period", by)
        .annotate(n=Count("pk"))
        .values_list("_period", by, "n")
        .order_by("_period", by)
    )
    return [(_as_date(moment), code or "", n) for moment, code, n in rows]


def period_for(f: InsightFilter, *, today: date) -> Period:
    """Months while they stay readable on a chart (up to three years), years beyond."""
    if f.start is None:
        return "year"
    return "month" if ((f.end or today) - f.start).days <= 3 * 366 else "year"


# Contacts ---------------------------------------------------------------------------------

CONTACT_DIMENSIONS = ("channel", "signaler_type", "reason")


def contacts_over_time(
    f: InsightFilter, *, by: str, period: Period = "month", using: str | None = None
) -> list[tuple[date, str, int]]:
    """Contacts per period and channel, signaler type or reason for contact."""
    if by not in CONTACT_DIMENSIONS:
        raise ValueError(by)
    return count_over_time(
        contacts_in(f, using=using), date_field="started_at", by=by, period=period
    )


def contacts_over_time_by_kind(
    f: InsightFilter, *, period: Period = "month", using: str | None = None
) -> dict[tuple[date, str, str, str], int]:
    """(period, channel, signaler type, reason) -> contacts: the three contact charts
    from one pass over the period's contacts."""
    rows = (
        contacts_in(f, using=using)
        .annotate(_period=_trunc("started_at", period))
        .values("_period", *CONTACT_DIMENSIONS)
        .annotate(n=Count("pk"))
        .values_list("_period", *CONTACT_DIMENSIONS, "n")
    )
    return {
        (_as_date(moment), channel or "", signaler or "", reason or ""): n
        for moment, channel, signaler, reason, n in rows
    }


def contacts_by(f: InsightFilter, *, by: str, using: str | None = None) -> Counts:
    if by not in CONTACT_DIMENSIONS:
        raise ValueError(by)
    return count_by(contacts_in(f, using=using), by)


# Cases ------------------------------------------------------------------------------------


def cases_by_exploitation_type(f: InsightFilter, *, using: str | None = None) -> Counts:
    return count_by(cases_in(f, using=using), "exploitation_type")


def cases_by_form_of_exploitation(f: InsightFilter, *, using: str | None = None) -> Counts:
    """HTCDS forms of exploitation: a case with two forms counts under each."""
    return count_list_elements(cases_in(f, using=using), "forms_of_exploitation")


def cases_by_mx_form_of_exploitation(f: InsightFilter, *, using: str | None = None) -> Counts:
    """Forms of exploitation under Mexico's Ley General (art. 10)."""
    return count_list_elements(cases_in(f, using=using), "mx_forms_of_exploitation")


def cases_by_venue(f: InsightFilter, *, using: str | None = None) -> Counts:
    """Venue / industry on the Polaris typology: a case with two venues counts under each."""
    return count_list_elements(cases_in(f, using=using), "venues")


def cases_by_level_of_indicators(f: InsightFilter, *, using: str | None = None) -> Counts:
    return count_by(cases_in(f, using=using), "level_of_indicators")


def cases_by_status(f: InsightFilter, *, using: str | None = None) -> Counts:
    return count_by(cases_in(f, using=using), "status")


def cases_by_subdivision(f: InsightFilter, *, using: str | None = None) -> Counts:
    """Cases per state (ISO 3166-2 code) of any of their locations, each case once per
    state however many locations it has there. A case with no state recorded is not
    on the map."""
    db = _alias(using)
    rows = (
        _in_counted_cases(CaseLocation.objects.using(db), f, db)
        .exclude(subdivision="")
        .order_by()
        .values("subdivision")
        .annotate(n=Count("case", distinct=True))
        .values_list("subdivision", "n")
    )
    return dict(rows)


def cases_by_country(f: InsightFilter, *, using: str | None = None) -> Counts:
    """Cases per country (ISO 3166-1) of any of their locations, each case once per country."""
    db = _alias(using)
    rows = (
        _in_counted_cases(CaseLocation.objects.using(db), f, db)
        .exclude(country="")
        .order_by()
        .values("country")
        .annotate(n=Count("case", distinct=True))
        .values_list("country", "n")
    )
    return dict(rows)


# Potential victims ------------------------------------------------------------------------

# An exact age without a band is put in its band by the database (CTDC's broad groups, as
# in `choices.AgeBand`), so a person counts once whichever of the two was recorded.
_AGE_BANDS = (
    (8, c.AgeBand.AGE_0_8),
    (17, c.AgeBand.AGE_9_17),
    (20, c.AgeBand.AGE_18_20),
    (23, c.AgeBand.AGE_21_23),
    (26, c.AgeBand.AGE_24_26),
    (29, c.AgeBand.AGE_27_29),
    (38, c.AgeBand.AGE_30_38),
    (47, c.AgeBand.AGE_39_47),
)


def age_band_expression() -> Coalesce:
    from_age = SqlCase(
        *(When(age__lte=high, then=Value(str(band))) for high, band in _AGE_BANDS),
        When(age__isnull=False, then=Value(str(c.AgeBand.AGE_48_PLUS))),
        default=Value(str(c.AgeBand.UNKNOWN)),
    )
    return Coalesce(NullIf(F("age_band"), Value("")), from_age)


def potential_victims_by_age_band_and_gender(
    f: InsightFilter, *, using: str | None = None
) -> dict[tuple[str, str], int]:
    """(age band, gender) -> potential victims, in one pass."""
    persons, only = _victims_counted(f, _alias(using))
    rows = (
        persons.annotate(_band=age_band_expression())
        .values("_band", "gender")
        .annotate(n=Count("pk", filter=only))
        .values_list("_band", "gender", "n")
    )
    return {(band, gender or ""): n for band, gender, n in rows if n}


def potential_victims_by_age_band(f: InsightFilter, *, using: str | None = None) -> Counts:
    counts: Counts = {}
    for (band, _gender), n in potential_victims_by_age_band_and_gender(f, using=using).items():
        counts[band] = counts.get(band, 0) + n
    return counts


def potential_victims_by_gender(f: InsightFilter, *, using: str | None = None) -> Counts:
    counts: Counts = {}
    for (_band, gender), n in potential_victims_by_age_band_and_gender(f, using=using).items():
        counts[gender] = counts.get(gender, 0) + n
    return counts


def potential_victims_by_citizenship(f: InsightFilter, *, using: str | None = None) -> Counts:
    """Citizenship (ISO 3166-1 alpha-2): a person with two counts under each; "" for
    those with none recorded."""
    persons, only = _victims_counted(f, _alias(using))
    return count_list_elements(persons, "citizenship", with_empty=True, only=only)


# Referrals, reports, cross-border ---------------------------------------------------------


def referrals_by(f: InsightFilter, *, by: str, using: str | None = None) -> Counts:
    if by not in ("status", "outcome", "service"):
        raise ValueError(by)
    return count_by(referrals_in(f, using=using), by)


def reports_to_authorities_by(f: InsightFilter, *, by: str, using: str | None = None) -> Counts:
    if by not in ("outcome", "agency_type"):
        raise ValueError(by)
    return count_by(reports_to_authorities_in(f, using=using), by)


def cross_border_referrals_by_status(
    f: InsightFilter, *, using: str | None = None
) -> dict[tuple[str, str], int]:
    """(direction, status) -> referrals."""
    rows = (
        cross_border_referrals_in(f, using=using)
        .values("direction", "status")
        .annotate(n=Count("pk"))
        .values_list("direction", "status", "n")
    )
    return {(direction, status): n for direction, status, n in rows}
