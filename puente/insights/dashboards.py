"""The dashboards: which charts each one shows, their numbers and their words.

Numbers and words are kept apart. `read_figures` asks the database (a handful of GROUP BY
queries per dashboard, `puente.insights.queries`) and returns codes and counts only;
that is what is cached, for a few minutes, so an analyst refreshing a dashboard does not
scan two million contacts again, and English and Spanish readers share one answer.
`build_charts` then names every code with its translated label, in the reader's
language, and lays the numbers out for the chart, the table under it and the CSV file:
all three come from the same `Chart`, so they cannot disagree.

No chart lists a record or names a person: a dashboard shows counts of codes only.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from puente.core import choices as c
from puente.core import sandbox
from puente.core.geography import country_name, subdivision_choices, subdivision_name
from puente.core.permissions import Perm
from puente.federation import choices as fc
from puente.insights import queries
from puente.insights.queries import InsightFilter, Period
from puente.intake.models import NOT_YET_RECORDED
from puente.referrals import choices as rc

Kind = Literal["time", "bar", "map"]

# How long a dashboard's numbers are reused before the database is asked again. The page
# says when its numbers were read, so nobody mistakes them for this second's.
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: Promise
    description: Promise

    @property
    def url_name(self) -> str:
        return (
            "insights:dashboards" if self.slug == "contacts" else f"insights:dashboard_{self.slug}"
        )

    @property
    def pages_beside(self) -> tuple[DashboardPage, ...]:
        """The pages other apps add beside the dashboards, for the tabs (the template
        shows each to those who hold its permission)."""
        return tuple(_PAGES_BESIDE)


@dataclass(frozen=True)
class DashboardPage:
    """A page of figures an app above insights adds beside the dashboards (the sharing
    app's combined cross-border trends): a tab after the dashboards' own and a line in the
    home page's list, for whoever holds `perm` — which its view must require too."""

    url_name: str
    title: Promise
    description: Promise
    perm: str


_PAGES_BESIDE: list[DashboardPage] = []


def add_dashboard_page(page: DashboardPage) -> None:
    """Show `page` beside the dashboards (called from the adding app's ready())."""
    if page.url_name not in {p.url_name for p in _PAGES_BESIDE}:
        _PAGES_BESIDE.append(page)


DASHBOARDS = (
    Dashboard(
        "contacts",
        _("Contacts"),
        _("Calls, texts, chats, web tips and emails over time: by channel, who reached out "
          "and why."),
    ),
    Dashboard(
        "cases",
        _("Cases"),
        _("Cases opened: type of trafficking, forms of exploitation (HTCDS), venue or "
          "industry (Polaris typology), level of indicators and status."),
    ),
    Dashboard(
        "places",
        _("Places"),
        _("Cases by U.S. state and Mexican state, and by country."),
    ),
    Dashboard(
        "people",
        _("Potential victims"),
        _("Potential victims in the cases opened: age band, gender and citizenship."),
    ),
    Dashboard(
        "referrals",
        _("Referrals and reports"),
        _("Referrals to services, reports to law enforcement and child welfare, and "
          "cross-border referrals, with their status and outcome."),
    ),
)  # fmt: skip
DASHBOARDS_BY_SLUG = {d.slug: d for d in DASHBOARDS}

# Every chart, by dashboard: its name in links, files and the audit trail, and its title.
CHART_BY_DASHBOARD: dict[str, dict[str, Promise]] = {
    "contacts": {
        "contacts-by-channel": _("Contacts by channel"),
        "contacts-by-signaler": _("Contacts by who reached out"),
        "contacts-by-reason": _("Contacts by reason for contact"),
    },
    "cases": {
        "cases-by-type": _("Cases by type of trafficking"),
        "cases-by-form": _("Cases by form of exploitation (HTCDS)"),
        "cases-by-venue": _("Cases by venue or industry (Polaris typology)"),
        "cases-by-mx-form": _("Cases by form of exploitation (Ley General, art. 10)"),
        "cases-by-level": _("Cases by level of indicators"),
        "cases-by-status": _("Cases by status"),
    },
    "places": {
        "cases-map-us": _("Cases by U.S. state"),
        "cases-map-mx": _("Cases by Mexican state"),
        "cases-by-country": _("Cases by country"),
    },
    "people": {
        "victims-by-age": _("Potential victims by age band"),
        "victims-by-gender": _("Potential victims by gender"),
        "victims-by-citizenship": _("Potential victims by citizenship"),
    },
    "referrals": {
        "referrals-by-status": _("Referrals to services by status"),
        "referrals-by-outcome": _("Referrals to services by outcome"),
        "reports-by-outcome": _("Reports to law enforcement and child welfare by outcome"),
        "reports-by-agency": _("Reports by type of agency"),
        "cross-border-by-status": _("Cross-border referrals by status"),
    },
}
CHART_TITLES: dict[str, Promise] = {
    slug: title for charts in CHART_BY_DASHBOARD.values() for slug, title in charts.items()
}

NOT_RECORDED = pgettext_lazy("chart", "Not recorded")
NOT_ASSESSED = pgettext_lazy("level of indicators", "Not assessed")
NO_OUTCOME_YET = pgettext_lazy("referral outcome", "No outcome yet")


# --- reading the numbers --------------------------------------------------------------------


def _contacts(f: InsightFilter, period: Period, db: str) -> dict[str, Any]:
    return {"mix": queries.contacts_over_time_by_kind(f, period=period, using=db)}


def _cases(f: InsightFilter, period: Period, db: str) -> dict[str, Any]:
    cases = queries.cases_in(f, using=db)
    figures = {
        "mix": queries.count_grouped(cases, "exploitation_type", "level_of_indicators", "status"),
        "forms": queries.count_list_elements(cases, "forms_of_exploitation", with_empty=True),
        "venues": queries.count_list_elements(cases, "venues", with_empty=True),
    }
    if shows_mexican_forms():
        figures["mx_forms"] = queries.count_list_elements(
            cases, "mx_forms_of_exploitation", with_empty=True
        )
    return figures


def _places(f: InsightFilter, period: Period, db: str) -> dict[str, Any]:
    return {
        "subdivisions": queries.cases_by_subdivision(f, using=db),
        "countries": queries.cases_by_country(f, using=db),
        "cases": queries.cases_in(f, using=db).count(),
    }


def _people(f: InsightFilter, period: Period, db: str) -> dict[str, Any]:
    return {
        "mix": queries.potential_victims_by_age_band_and_gender(f, using=db),
        "citizenship": queries.potential_victims_by_citizenship(f, using=db),
    }


def _referrals(f: InsightFilter, period: Period, db: str) -> dict[str, Any]:
    return {
        "referrals": queries.count_grouped(queries.referrals_in(f, using=db), "status", "outcome"),
        "reports": queries.count_grouped(
            queries.reports_to_authorities_in(f, using=db), "outcome", "agency_type"
        ),
        "cross_border": queries.cross_border_referrals_by_status(f, using=db),
    }


_READERS: dict[str, Callable[[InsightFilter, Period, str], dict[str, Any]]] = {
    "contacts": _contacts,
    "cases": _cases,
    "places": _places,
    "people": _people,
    "referrals": _referrals,
}


def shows_mexican_forms() -> bool:
    """Mexico's Ley General forms of exploitation get their own chart on a Mexican
    hotline, where advocates record them on every case."""
    return settings.PUENTE_COUNTRY == "MX"


def _cache_key(dashboard: str, f: InsightFilter, period: Period, db: str) -> str:
    described = repr((dashboard, asdict(f), period, db, settings.PUENTE_COUNTRY))
    return "insights:dashboard:" + hashlib.sha256(described.encode()).hexdigest()


@dataclass(frozen=True)
class Figures:
    dashboard: str
    period: Period
    numbers: dict[str, Any]
    read_at: datetime  # when the database was asked


def read_figures(
    *, dashboard: str, f: InsightFilter, today: date, using: str | None = None
) -> Figures:
    """The codes and counts one dashboard shows, from the cache when they were read less
    than CACHE_SECONDS ago with the same filter."""
    db = using or queries.analysis_database()
    period = queries.period_for(f, today=today)
    # The sandbox's figures are its own: a practice call's page must not fill the cache
    # real dashboards read (puente/core/sandbox.py).
    key = _cache_key(dashboard, f, period, f"{db}@sandbox" if sandbox.active() else db)
    cached = cache.get(key)
    if cached is not None:
        return cached
    figures = Figures(
        dashboard=dashboard,
        period=period,
        numbers=_READERS[dashboard](f, period, db),
        read_at=timezone.now(),
    )
    cache.set(key, figures, CACHE_SECONDS)
    return figures


# --- laying them out ----------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    code: str
    name: str
    values: list[int]


@dataclass
class Chart:
    """One chart, its table and its CSV: rows (`categories`) by columns (`series`)."""

    slug: str
    title: str
    kind: Kind
    # What one unit is ("Contacts", "Cases"): the axis, the tooltip, a lone column.
    unit: str
    # The first column's heading: "Month", "Venue or industry", "State".
    category_heading: str
    category_codes: list[str]
    categories: list[str]
    series: list[Series]
    # How to read it, when a count is not obvious ("A case with two venues counts under each.").
    note: str = ""
    # For a map: which base map ("US", "MX").
    map_name: str = ""
    # For the CSV: the codes of the rows as written in a file (ISO months, state codes).
    csv_categories: list[str] = field(default_factory=list)

    @property
    def has_total_column(self) -> bool:
        return len(self.series) > 1

    @property
    def is_empty(self) -> bool:
        return not any(any(s.values) for s in self.series)

    def rows(self) -> list[tuple[str, list[int], int]]:
        """(label, a count per series, their total) for each category."""
        columns = [s.values for s in self.series]
        return [
            (label, [column[i] for column in columns], sum(column[i] for column in columns))
            for i, label in enumerate(self.categories)
        ]

    def totals(self) -> list[int]:
        return [sum(s.values) for s in self.series]

    def headings(self) -> list[str]:
        columns = [s.name for s in self.series]
        if self.has_total_column:
            columns.append(gettext("Total"))
        return [self.category_heading, *columns]

    def csv_rows(self) -> list[list[str | int]]:
        """The table as a spreadsheet reads it: codes of periods as ISO dates, every
        label translated, a total row."""
        labels = self.csv_categories or self.categories
        out: list[list[str | int]] = [list(self.headings())]
        for label, (_shown, values, total) in zip(labels, self.rows(), strict=True):
            out.append([label, *values, *([total] if self.has_total_column else [])])
        totals = self.totals()
        out.append([gettext("Total"), *totals, *([sum(totals)] if self.has_total_column else [])])
        return out

    def as_data(self) -> dict[str, Any]:
        """What the browser draws from (embedded with json_script: never inline code)."""
        data: dict[str, Any] = {
            "kind": self.kind,
            "title": self.title,
            "unit": self.unit,
            "categories": self.categories,
            "series": [{"name": s.name, "code": s.code, "data": s.values} for s in self.series],
            # Read out after the chart's own numbers (the browser adds them to the title).
            "more": gettext("All the numbers are in the table under the chart."),
        }
        if self.kind == "map":
            data["map"] = self.map_name
            data["regions"] = [
                {"name": code, "label": label, "value": value}
                for code, label, value in zip(
                    self.category_codes, self.categories, self.series[0].values, strict=True
                )
            ]
        return data


def _label(choices: type[models.TextChoices], code: str, *, blank: Promise) -> str:
    return str(blank) if not code else c.label_for(choices, code)


def _ordered(
    counts: dict[str, int],
    choices: type[models.TextChoices] | None,
    *,
    blank: Promise | None = None,
    all_codes: bool = True,
    by_count: bool = False,
) -> list[str]:
    """The codes a chart shows, in the order a reader expects: a picklist's own order
    (every code, zeros too, when `all_codes`), or most frequent first for long lists. A
    code the picklist does not know (bad data) is shown too, never dropped; "" (not
    recorded) goes last."""
    known = [str(code) for code in choices.values] if choices is not None else []
    present = [code for code, n in counts.items() if n and code]
    if by_count:
        codes = sorted(present, key=lambda code: (-counts[code], code))
    else:
        codes = [code for code in known if all_codes or counts.get(code)]
        codes += sorted(code for code in present if code not in known)
    if blank is not None and counts.get(""):
        codes.append("")
    return codes


def _bar(
    *,
    slug: str,
    title: str,
    unit: str,
    heading: str,
    counts: dict[str, int],
    codes: list[str],
    label: Callable[[str], str],
    note: str = "",
) -> Chart:
    labels = [label(code) for code in codes]
    return Chart(
        slug=slug,
        title=title,
        kind="bar",
        unit=unit,
        category_heading=heading,
        category_codes=codes,
        categories=labels,
        series=[Series(code="", name=unit, values=[counts.get(code, 0) for code in codes])],
        note=note,
    )


def _periods(present: Iterable[date], f: InsightFilter, period: Period, today: date) -> list[date]:
    """Every period from the filter's start (or the first one with data) to its end (or
    today), empty ones included, so a quiet month shows as a dip, not a gap."""

    def first_of(day: date) -> date:
        return day.replace(day=1) if period == "month" else day.replace(month=1, day=1)

    present = sorted(present)
    end = first_of(f.end or today)
    if f.start is not None:
        start = first_of(f.start)
    elif present:
        start = present[0]
    else:
        start = end
    periods = []
    current = start
    while current <= end:
        periods.append(current)
        if period == "month":
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        else:
            current = date(current.year + 1, 1, 1)
    return periods


def period_label(day: date, period: Period) -> str:
    # The locale's own month-and-year ("March 2025", "marzo de 2025"), never a pattern of
    # our own (core/formats).
    return formats.date_format(day, "YEAR_MONTH_FORMAT" if period == "month" else "Y")


def _time(
    *,
    slug: str,
    title: str,
    unit: str,
    counts: dict[tuple[date, str], int],
    choices: type[models.TextChoices],
    blank: Promise | None,
    periods: list[date],
    period: Period,
) -> Chart:
    by_code: dict[str, int] = defaultdict(int)
    for (_day, code), n in counts.items():
        by_code[code] += n
    codes = _ordered(by_code, choices, blank=blank, all_codes=False)
    series = [
        Series(
            code=code,
            name=str(blank) if (not code and blank is not None) else c.label_for(choices, code),
            values=[counts.get((day, code), 0) for day in periods],
        )
        for code in codes
    ]
    return Chart(
        slug=slug,
        title=title,
        kind="time",
        unit=unit,
        category_heading=str(
            pgettext_lazy("chart", "Month") if period == "month" else pgettext_lazy("chart", "Year")
        ),
        category_codes=[day.isoformat() for day in periods],
        categories=[period_label(day, period) for day in periods],
        series=series,
        csv_categories=[
            day.strftime("%Y-%m") if period == "month" else str(day.year) for day in periods
        ],
    )


def _sum_by(counts: dict[tuple, int], *positions: int) -> dict[Any, int]:
    """Counts already grouped by the database, added up over the other positions (the
    contacts of each month and channel, whatever their reason): a few hundred grouped
    rows at most, never the records."""
    out: dict[Any, int] = defaultdict(int)
    for key, n in counts.items():
        picked = tuple(key[p] for p in positions)
        out[picked if len(picked) > 1 else picked[0]] += n
    return dict(out)


def _contact_charts(figures: Figures, f: InsightFilter, today: date) -> list[Chart]:
    mix = figures.numbers["mix"]
    periods = _periods({key[0] for key in mix}, f, figures.period, today)
    kinds: list[tuple[str, int, type[models.TextChoices], Promise | None]] = [
        ("contacts-by-channel", 1, c.Channel, None),
        ("contacts-by-signaler", 2, c.SignalerType, None),
        ("contacts-by-reason", 3, c.ReasonForContact, NOT_YET_RECORDED),
    ]
    return [
        _time(
            slug=slug,
            title=str(CHART_TITLES[slug]),
            unit=gettext("Contacts"),
            counts=_sum_by(mix, 0, position),
            choices=choices,
            blank=blank,
            periods=periods,
            period=figures.period,
        )
        for slug, position, choices, blank in kinds
    ]


def _case_charts(figures: Figures) -> list[Chart]:
    numbers = figures.numbers
    unit = gettext("Cases")
    types = _sum_by(numbers["mix"], 0)
    levels = _sum_by(numbers["mix"], 1)
    statuses = _sum_by(numbers["mix"], 2)
    each = gettext(
        "A case recorded with several counts under each; the total can exceed the cases."
    )
    charts = [
        _bar(
            slug="cases-by-type",
            title=str(CHART_TITLES["cases-by-type"]),
            unit=unit,
            heading=gettext("Type of trafficking"),
            counts=types,
            codes=_ordered(types, c.ExploitationType),
            label=lambda code: c.label_for(c.ExploitationType, code),
        ),
        _bar(
            slug="cases-by-form",
            title=str(CHART_TITLES["cases-by-form"]),
            unit=unit,
            heading=gettext("Form of exploitation"),
            counts=numbers["forms"],
            codes=_ordered(
                numbers["forms"], c.TypeOfExploitation, blank=NOT_RECORDED, by_count=True
            ),
            label=lambda code: _label(c.TypeOfExploitation, code, blank=NOT_RECORDED),
            note=each,
        ),
        _bar(
            slug="cases-by-venue",
            title=str(CHART_TITLES["cases-by-venue"]),
            unit=unit,
            heading=gettext("Venue or industry"),
            counts=numbers["venues"],
            codes=_ordered(numbers["venues"], c.Venue, blank=NOT_RECORDED, by_count=True),
            label=lambda code: _label(c.Venue, code, blank=NOT_RECORDED),
            note=each,
        ),
    ]
    if "mx_forms" in numbers:
        charts.append(
            _bar(
                slug="cases-by-mx-form",
                title=str(CHART_TITLES["cases-by-mx-form"]),
                unit=unit,
                heading=gettext("Form of exploitation"),
                counts=numbers["mx_forms"],
                codes=_ordered(
                    numbers["mx_forms"], c.MexicoExploitationForm, blank=NOT_RECORDED, by_count=True
                ),
                label=lambda code: _label(c.MexicoExploitationForm, code, blank=NOT_RECORDED),
                note=each,
            )
        )
    charts += [
        _bar(
            slug="cases-by-level",
            title=str(CHART_TITLES["cases-by-level"]),
            unit=unit,
            heading=gettext("Level of indicators"),
            counts=levels,
            codes=_ordered(levels, c.IndicatorLevel, blank=NOT_ASSESSED),
            label=lambda code: _label(c.IndicatorLevel, code, blank=NOT_ASSESSED),
        ),
        _bar(
            slug="cases-by-status",
            title=str(CHART_TITLES["cases-by-status"]),
            unit=unit,
            heading=pgettext("case status", "Status"),
            counts=statuses,
            codes=_ordered(statuses, c.CaseStatus),
            label=lambda code: c.label_for(c.CaseStatus, code),
        ),
    ]  # fmt: skip
    return charts


MAPS = (("US", "cases-map-us"), ("MX", "cases-map-mx"))


def _place_charts(figures: Figures) -> list[Chart]:
    numbers = figures.numbers
    unit = gettext("Cases")
    charts = []
    for country, slug in MAPS:
        codes = [code for code, _name in subdivision_choices(country)]
        counts = numbers["subdivisions"]
        charts.append(
            Chart(
                slug=slug,
                title=str(CHART_TITLES[slug]),
                kind="map",
                unit=unit,
                category_heading=pgettext("place", "State"),
                category_codes=codes,
                categories=[subdivision_name(code) for code in codes],
                series=[Series(code="", name=unit, values=[counts.get(code, 0) for code in codes])],
                note=gettext(
                    "Each case counts once in every state where it has a location (recruitment, "
                    "transit, exploitation or now)."
                ),
                map_name=country,
                csv_categories=codes,
            )
        )
    countries = numbers["countries"]
    charts.append(
        _bar(
            slug="cases-by-country",
            title=str(CHART_TITLES["cases-by-country"]),
            unit=unit,
            heading=gettext("Country"),
            counts=countries,
            codes=_ordered(countries, None, by_count=True),
            label=country_name,
            note=gettext("Each case counts once in every country where it has a location."),
        )
    )
    return charts


def _people_charts(figures: Figures) -> list[Chart]:
    numbers = figures.numbers
    unit = gettext("Potential victims")
    bands = _sum_by(numbers["mix"], 0)
    genders = _sum_by(numbers["mix"], 1)
    citizenship = numbers["citizenship"]
    return [
        _bar(
            slug="victims-by-age",
            title=str(CHART_TITLES["victims-by-age"]),
            unit=unit,
            heading=gettext("Age band"),
            counts=bands,
            codes=_ordered(bands, c.AgeBand, all_codes=False),
            label=lambda code: c.label_for(c.AgeBand, code),
            note=gettext("An exact age is counted in its band."),
        ),
        _bar(
            slug="victims-by-gender",
            title=str(CHART_TITLES["victims-by-gender"]),
            unit=unit,
            heading=gettext("Gender"),
            counts=genders,
            codes=_ordered(genders, c.Gender, blank=NOT_RECORDED),
            label=lambda code: _label(c.Gender, code, blank=NOT_RECORDED),
        ),
        _bar(
            slug="victims-by-citizenship",
            title=str(CHART_TITLES["victims-by-citizenship"]),
            unit=unit,
            heading=gettext("Citizenship"),
            counts=citizenship,
            codes=_ordered(citizenship, None, blank=NOT_RECORDED, by_count=True),
            label=lambda code: country_name(code) if code else str(NOT_RECORDED),
            note=gettext("A person with two citizenships counts under each."),
        ),
    ]


def _referral_charts(figures: Figures) -> list[Chart]:
    numbers = figures.numbers
    referral_statuses = _sum_by(numbers["referrals"], 0)
    referral_outcomes = _sum_by(numbers["referrals"], 1)
    report_outcomes = _sum_by(numbers["reports"], 0)
    agencies = _sum_by(numbers["reports"], 1)
    referrals = gettext("Referrals")
    reports = gettext("Reports")
    cross_border = numbers["cross_border"]
    statuses = [str(code) for code in fc.ReferralStatus.values]
    statuses += sorted({s for _d, s in cross_border} - set(statuses))
    return [
        _bar(
            slug="referrals-by-status",
            title=str(CHART_TITLES["referrals-by-status"]),
            unit=referrals,
            heading=pgettext("referral status", "Status"),
            counts=referral_statuses,
            codes=_ordered(referral_statuses, rc.ReferralStatus),
            label=lambda code: c.label_for(rc.ReferralStatus, code),
        ),
        _bar(
            slug="referrals-by-outcome",
            title=str(CHART_TITLES["referrals-by-outcome"]),
            unit=referrals,
            heading=pgettext("referral outcome", "Outcome"),
            counts=referral_outcomes,
            codes=_ordered(referral_outcomes, rc.ReferralOutcome, blank=NO_OUTCOME_YET),
            label=lambda code: _label(rc.ReferralOutcome, code, blank=NO_OUTCOME_YET),
        ),
        _bar(
            slug="reports-by-outcome",
            title=str(CHART_TITLES["reports-by-outcome"]),
            unit=reports,
            heading=pgettext("report outcome", "Outcome"),
            counts=report_outcomes,
            codes=_ordered(report_outcomes, rc.ReportOutcome),
            label=lambda code: c.label_for(rc.ReportOutcome, code),
            note=gettext("Reports made: not those waiting for a supervisor, nor declined ones."),
        ),
        _bar(
            slug="reports-by-agency",
            title=str(CHART_TITLES["reports-by-agency"]),
            unit=reports,
            heading=gettext("Type of agency"),
            counts=agencies,
            codes=_ordered(agencies, rc.AgencyType),
            label=lambda code: c.label_for(rc.AgencyType, code),
        ),
        Chart(
            slug="cross-border-by-status",
            title=str(CHART_TITLES["cross-border-by-status"]),
            kind="bar",
            unit=gettext("Cross-border referrals"),
            category_heading=gettext("Status"),
            category_codes=statuses,
            categories=[c.label_for(fc.ReferralStatus, code) for code in statuses],
            series=[
                Series(
                    code=direction,
                    name=c.label_for(fc.Direction, direction),
                    values=[cross_border.get((direction, status), 0) for status in statuses],
                )
                for direction in fc.Direction.values
            ],
            note=gettext("Sent ones count once a supervisor let them leave."),
        ),
    ]


@dataclass(frozen=True)
class Headline:
    label: str
    value: int


def headlines(figures: Figures) -> list[Headline]:
    """The totals at the top of a dashboard."""
    numbers = figures.numbers
    if figures.dashboard == "contacts":
        return [Headline(gettext("Contacts"), sum(numbers["mix"].values()))]
    if figures.dashboard == "cases":
        return [Headline(gettext("Cases opened"), sum(numbers["mix"].values()))]
    if figures.dashboard == "places":
        return [Headline(gettext("Cases opened"), numbers["cases"])]
    if figures.dashboard == "people":
        return [Headline(gettext("Potential victims"), sum(numbers["mix"].values()))]
    return [
        Headline(gettext("Referrals to services"), sum(numbers["referrals"].values())),
        Headline(gettext("Reports to authorities"), sum(numbers["reports"].values())),
        Headline(gettext("Cross-border referrals"), sum(numbers["cross_border"].values())),
    ]


def build_charts(figures: Figures, f: InsightFilter, *, today: date) -> list[Chart]:
    """The dashboard's charts, in the reader's language."""
    if figures.dashboard == "contacts":
        return _contact_charts(figures, f, today)
    if figures.dashboard == "cases":
        return _case_charts(figures)
    if figures.dashboard == "places":
        return _place_charts(figures)
    if figures.dashboard == "people":
        return _people_charts(figures)
    return _referral_charts(figures)


DASHBOARD_OF_CHART = {slug: board for board, slugs in CHART_BY_DASHBOARD.items() for slug in slugs}


@dataclass(frozen=True)
class DashboardLink:
    title: str
    description: str
    url_name: str


def home_dashboards(*, user: Any) -> list[DashboardLink] | None:
    """The home page's links to the dashboards, for those who may open them (else None)."""
    if not user.can(Perm.INSIGHTS_VIEW):
        return None
    return [
        DashboardLink(
            title=str(board.title), description=str(board.description), url_name=board.url_name
        )
        for board in DASHBOARDS
    ] + [
        DashboardLink(
            title=str(page.title), description=str(page.description), url_name=page.url_name
        )
        for page in _PAGES_BESIDE
        if user.can(page.perm)
    ]
