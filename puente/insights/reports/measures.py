"""What a report row can count, and what it may narrow by.

A row of a report (see `definitions`) names one measure — contacts, cases, potential
victims, referrals, reports to the authorities, cross-border referrals, referral
partners added or in the directory — and, per filter, the codes it counts. Each measure
here says where its records come from (the dashboards' base queries in
`puente.insights.queries`, so a report and a chart always count the same records), which
filters a row may use and which codes each accepts, which date a record counts on, how
to reach its case (for the restricted-case rule of the list behind a figure) and what
that list shows: references, dates and labelled codes, never a name.

Filter kinds: `code` (a single-valued field; "" means "not recorded"), `list` (a list of
codes in a JSON field: the record counts when its list holds any of the codes; "" means
an empty list), `flag` (true or false). In a list of countries, "$country" stands for
the hotline's own country (`PUENTE_COUNTRY`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.db.models import Q, QuerySet, TextChoices
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from puente.core import choices as c
from puente.core.geography import country_name
from puente.directory import choices as dc
from puente.directory.models import Provider
from puente.federation import choices as fc
from puente.insights import queries
from puente.insights.queries import InsightFilter
from puente.referrals import choices as rc

FilterKind = Literal["code", "list", "flag"]
HOTLINE_COUNTRY = "$country"
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Filter:
    """One thing a row may narrow by: `path` is the field (or annotation) it reads."""

    path: str
    kind: FilterKind
    choices: type[TextChoices] | None = None  # None on a country list: ISO 3166-1 codes
    blank: bool = False  # "" is a code ("not recorded")

    def allowed(self) -> set[str] | None:
        """The codes a row may name here (None: any ISO country code)."""
        if self.choices is None:
            return None
        codes = set(self.choices.values)
        return codes | {""} if self.blank or self.kind == "list" else codes

    def label(self, code: str) -> str:
        if self.choices is None:
            return country_name(code) or code
        return c.label_for(self.choices, code)


@dataclass(frozen=True)
class Column:
    header: str | Promise
    value: Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class Measure:
    code: str
    label: str | Promise
    records: Callable[[InsightFilter, str], QuerySet[Any]]
    filters: Mapping[str, Filter]
    # The list behind a figure: the fields read, its columns, newest first by `order`.
    values: tuple[str, ...]
    columns: tuple[Column, ...]
    order: tuple[str, ...]
    # The path to the record's case ("" for a case itself; None: records of no case).
    case_path: str | None = "case"
    annotate: Callable[[QuerySet[Any]], QuerySet[Any]] = field(default=lambda qs: qs)


def _when(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date()
    return formats.date_format(moment, "SHORT_DATE_FORMAT")


def _label(choices: type[TextChoices], key: str) -> Callable[[Mapping[str, Any]], str]:
    def read(row: Mapping[str, Any]) -> str:
        code = row.get(key) or ""
        return c.label_for(choices, code) if code else str(NOT_RECORDED)

    return read


def _text(key: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda row: str(row.get(key) or "")


def _date(key: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda row: _when(row.get(key))


def _countries(key: str) -> Callable[[Mapping[str, Any]], str]:
    def read(row: Mapping[str, Any]) -> str:
        codes = row.get(key) or []
        if not isinstance(codes, list) or not codes:
            return str(NOT_RECORDED)
        return ", ".join(country_name(code) or code for code in codes)

    return read


def _flag(key: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda row: str(_("Yes") if row.get(key) else _("No"))


NOT_RECORDED = _("Not recorded")
CASE_REFERENCE = Column(_("Case"), _text("case__reference"))


# --- Referral partners: the directory has no dashboard query of its own ------------------


def providers_added(f: InsightFilter, using: str) -> QuerySet[Provider]:
    """Listings added to the directory in the period (whenever since deactivated)."""
    since, until = queries.day_bounds(f)
    qs = Provider.objects.using(using).order_by()
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def providers_in_directory(f: InsightFilter, using: str) -> QuerySet[Provider]:
    """Listings in the directory at the end of the period: added by then and still
    active. A listing deactivated since is not counted: the directory keeps no history
    of when it was."""
    _since, until = queries.day_bounds(f)
    qs = Provider.objects.using(using).filter(active=True).order_by()
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def _with_age_band(qs: QuerySet[Any]) -> QuerySet[Any]:
    # The same band the dashboards draw: an exact age without a band is put in its band.
    return qs.annotate(_age_band=queries.age_band_expression())


MEASURES: dict[str, Measure] = {
    m.code: m
    for m in (
        Measure(
            code="contacts",
            label=_("Contacts"),
            records=lambda f, db: queries.contacts_in(f, using=db),
            filters={
                "channel": Filter("channel", "code", c.Channel),
                "reason": Filter("reason", "code", c.ReasonForContact, blank=True),
                "signaler_type": Filter("signaler_type", "code", c.SignalerType),
                "level_of_indicators": Filter(
                    "level_of_indicators", "code", c.IndicatorLevel, blank=True
                ),
                "imminent_danger": Filter("imminent_danger", "flag"),
                "anonymous": Filter("anonymous", "flag"),
            },
            values=("pk", "started_at", "channel", "reason", "signaler_type", "case__reference"),
            columns=(
                Column(_("Contact"), lambda row: f"#{row['pk']}"),
                Column(_("Started"), _date("started_at")),
                Column(_("Channel"), _label(c.Channel, "channel")),
                Column(_("Reason for contact"), _label(c.ReasonForContact, "reason")),
                Column(_("Signaler"), _label(c.SignalerType, "signaler_type")),
                CASE_REFERENCE,
            ),
            order=("-started_at", "-pk"),
        ),
        Measure(
            code="cases",
            label=_("Cases opened"),
            records=lambda f, db: queries.cases_in(f, using=db),
            filters={
                "exploitation_type": Filter("exploitation_type", "code", c.ExploitationType),
                "forms_of_exploitation": Filter(
                    "forms_of_exploitation", "list", c.TypeOfExploitation
                ),
                "mx_forms_of_exploitation": Filter(
                    "mx_forms_of_exploitation", "list", c.MexicoExploitationForm
                ),
                "venues": Filter("venues", "list", c.Venue),
                "status": Filter("status", "code", c.CaseStatus),
                "level_of_indicators": Filter(
                    "level_of_indicators", "code", c.IndicatorLevel, blank=True
                ),
                "imminent_danger": Filter("imminent_danger", "flag"),
            },
            values=("pk", "reference", "created_at", "status", "exploitation_type"),
            columns=(
                Column(_("Case"), _text("reference")),
                Column(_("Opened"), _date("created_at")),
                Column(_("Status"), _label(c.CaseStatus, "status")),
                Column(_("Type of trafficking"), _label(c.ExploitationType, "exploitation_type")),
            ),
            order=("-created_at", "-pk"),
            case_path="",
        ),
        Measure(
            code="potential_victims",
            label=_("Potential victims"),
            records=lambda f, db: queries.potential_victims_in(f, using=db),
            annotate=_with_age_band,
            filters={
                "age_band": Filter("_age_band", "code", c.AgeBand),
                "gender": Filter("gender", "code", c.Gender, blank=True),
                "citizenship": Filter("citizenship", "list"),
                "trafficking_status": Filter(
                    "trafficking_status", "code", c.TraffickingStatus, blank=True
                ),
            },
            values=(
                "pk",
                "case__reference",
                "case__created_at",
                "_age_band",
                "gender",
                "citizenship",
            ),
            columns=(
                CASE_REFERENCE,
                Column(_("Case opened"), _date("case__created_at")),
                Column(_("Age band"), _label(c.AgeBand, "_age_band")),
                Column(_("Gender"), _label(c.Gender, "gender")),
                Column(_("Citizenship"), _countries("citizenship")),
            ),
            order=("-case__created_at", "-pk"),
        ),
        Measure(
            code="referrals",
            label=_("Referrals to service providers"),
            records=lambda f, db: queries.referrals_in(f, using=db),
            filters={
                "service": Filter("service", "code", dc.Service),
                "status": Filter("status", "code", rc.ReferralStatus),
                "outcome": Filter("outcome", "code", rc.ReferralOutcome, blank=True),
                "consent_given": Filter("consent_given", "flag"),
                "case_imminent_danger": Filter("case__imminent_danger", "flag"),
            },
            values=("pk", "case__reference", "referred_on", "service", "status", "outcome"),
            columns=(
                CASE_REFERENCE,
                Column(_("Referred on"), _date("referred_on")),
                Column(_("Service"), _label(dc.Service, "service")),
                Column(
                    pgettext_lazy("referral status", "Status"), _label(rc.ReferralStatus, "status")
                ),
                Column(
                    pgettext_lazy("referral outcome", "Outcome"),
                    _label(rc.ReferralOutcome, "outcome"),
                ),
            ),
            order=("-referred_on", "-pk"),
        ),
        Measure(
            code="reports_to_authorities",
            label=_("Reports to law enforcement or child welfare"),
            records=lambda f, db: queries.reports_to_authorities_in(f, using=db),
            filters={
                "agency_type": Filter("agency_type", "code", rc.AgencyType),
                "outcome": Filter("outcome", "code", rc.ReportOutcome),
                "method": Filter("method", "code", rc.ReportMethod),
                "mandatory_duty": Filter("mandatory_duty", "code", rc.MandatoryDuty, blank=True),
                "consent_given": Filter("consent_given", "flag"),
                "case_imminent_danger": Filter("case__imminent_danger", "flag"),
            },
            values=("pk", "case__reference", "reported_on", "agency_type", "outcome"),
            columns=(
                CASE_REFERENCE,
                Column(_("Reported on"), _date("reported_on")),
                Column(_("Type of agency"), _label(rc.AgencyType, "agency_type")),
                Column(
                    pgettext_lazy("report outcome", "Outcome"), _label(rc.ReportOutcome, "outcome")
                ),
            ),
            order=("-reported_on", "-pk"),
        ),
        Measure(
            code="cross_border_referrals",
            label=_("Cross-border referrals"),
            records=lambda f, db: queries.cross_border_referrals_in(f, using=db),
            filters={
                "direction": Filter("direction", "code", fc.Direction),
                "status": Filter("status", "code", fc.ReferralStatus),
                "urgency": Filter("urgency", "code", fc.Urgency),
            },
            values=("pk", "created_at", "direction", "status", "urgency", "case__reference"),
            columns=(
                Column(pgettext_lazy("referral", "Sent"), _date("created_at")),
                Column(_("Direction"), _label(fc.Direction, "direction")),
                Column(pgettext_lazy("referral", "Status"), _label(fc.ReferralStatus, "status")),
                Column(_("Urgency"), _label(fc.Urgency, "urgency")),
                CASE_REFERENCE,
            ),
            order=("-created_at", "-pk"),
        ),
        Measure(
            code="providers_added",
            label=_("Referral partners added to the directory"),
            records=providers_added,
            filters={
                "kind": Filter("kind", "code", dc.ProviderKind),
                "country": Filter("country", "code", dc.Country),
                "active": Filter("active", "flag"),
            },
            values=("pk", "name", "created_at", "kind", "country", "active"),
            columns=(
                Column(_("Referral partner"), _text("name")),
                Column(_("Added"), _date("created_at")),
                Column(_("Kind of organization"), _label(dc.ProviderKind, "kind")),
                Column(_("Country"), _label(dc.Country, "country")),
                Column(_("Still in the directory"), _flag("active")),
            ),
            order=("-created_at", "-pk"),
            case_path=None,
        ),
        Measure(
            code="providers_in_directory",
            label=_("Referral partners in the directory"),
            records=providers_in_directory,
            filters={
                "kind": Filter("kind", "code", dc.ProviderKind),
                "country": Filter("country", "code", dc.Country),
            },
            values=("pk", "name", "created_at", "kind", "country"),
            columns=(
                Column(_("Referral partner"), _text("name")),
                Column(_("Added"), _date("created_at")),
                Column(_("Kind of organization"), _label(dc.ProviderKind, "kind")),
                Column(_("Country"), _label(dc.Country, "country")),
            ),
            order=("name", "pk"),
            case_path=None,
        ),
    )
}


# --- A row's filters as a query ---------------------------------------------------------


def resolve_codes(codes: Iterable[str]) -> list[str]:
    """A row's codes as stored: "$country" becomes the hotline's own country."""
    return [settings.PUENTE_COUNTRY if code == HOTLINE_COUNTRY else code for code in codes]


def _filter_q(flt: Filter, value: Any) -> Q:
    if flt.kind == "flag":
        return Q(**{flt.path: bool(value)})
    codes = resolve_codes(value)
    if flt.kind == "code":
        return Q(**{f"{flt.path}__in": codes})
    q = Q()
    for code in codes:
        if code == "":
            q |= Q(**{flt.path: []}) | Q(**{f"{flt.path}__isnull": True})
        else:
            q |= queries.list_holds_q(flt.path, code)
    return q


def conditions_q(measure: Measure, conditions: Mapping[str, Any]) -> Q:
    """Every condition must hold; within one, any of its codes."""
    q = Q()
    for name, value in conditions.items():
        q &= _filter_q(measure.filters[name], value)
    return q


def row_q(measure: Measure, *, where: Mapping[str, Any], unless: Mapping[str, Any]) -> Q:
    """The records a row counts among the measure's: matching `where`, and not matching
    `unless` (when given)."""
    q = conditions_q(measure, where)
    if unless:
        q &= ~conditions_q(measure, unless)
    return q


def code_problems(measure: Measure, conditions: Mapping[str, Any], *, where: str) -> list[str]:
    """What is wrong with a row's conditions: an unknown filter, a code the filter does
    not know, a flag that is not true or false."""
    problems = []
    for name, value in conditions.items():
        flt = measure.filters.get(name)
        if flt is None:
            known = ", ".join(sorted(measure.filters))
            problems.append(f"{where}: {measure.code} cannot be filtered by {name!r} ({known})")
            continue
        if flt.kind == "flag":
            if not isinstance(value, bool):
                problems.append(f"{where}: {name} must be true or false, not {value!r}")
            continue
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            problems.append(f"{where}: {name} must be a list of codes, not {value!r}")
            continue
        allowed = flt.allowed()
        for code in value:
            if allowed is None:
                ok = code in ("", HOTLINE_COUNTRY) or bool(COUNTRY_CODE.match(code))
            else:
                ok = code in allowed
            if not ok:
                problems.append(f"{where}: {name} has no code {code!r}")
    return problems
