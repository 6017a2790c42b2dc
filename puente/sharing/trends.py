"""Trends across the border: our releases travel to the partner hotline over the signed
exchange, the partner's come to us, and each side sees both, side by side.

- Sending (`send_release`): a released table made for a partner goes into the exchange's
  outbox as a `trends.release` message (protocol version 4, docs/federation.md §3.3),
  in the same transaction that records it was sent, after the same checks the partner
  will make — a release that could be refused there never leaves here.
- The monthly schedule (`send_monthly_releases`, run daily by `puente worker`): for each
  active partner and each table of PUENTE_TREND_TABLES, the trailing PUENTE_TREND_MONTHS
  full months, built, protected (small-cell suppression, never DP: a monthly DP release
  would spend the partner's yearly budget on a timetable) and sent once — the database
  holds it to one per partner, table and period, whichever worker runs it.
- Receiving (`read_release_document`, `receive_release`): strict. A count below k — the
  partner's declared k or ours, PUENTE_RELEASE_K — an unknown table, dimension or value
  code, or a malformed field refuses the whole message (`422 invalid_message`, every bad
  field named); an accepted release is stored once (`PartnerRelease`), and the inbox
  audits its receipt.
- The combined view (`combined_trends`): for each shared table, our latest release to the
  partner and the partner's latest to us, for the same period when both have one, every
  number labelled with the hotline it came from and how it was protected.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeGuard

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.core.geography import country_name
from puente.core.permissions import Perm
from puente.federation import choices as fc
from puente.federation import domain as exchange
from puente.federation import schema
from puente.federation.models import OutboxMessage, PartnerHotline
from puente.sharing import releases
from puente.sharing.models.releases import Release, ReleaseMethod, ReleaseStatus
from puente.sharing.models.trends import PartnerRelease, SentRelease

logger = logging.getLogger("puente.sharing")

MESSAGE_TYPE = "trends.release"
# The protocol version that added the message (docs/federation.md §0); it is sent with it.
SINCE_VERSION = 4
DOCUMENT_FIELDS = frozenset(
    {"release_id", "table", "period", "dimensions", "protection", "cells", "margins"}
)
PROTECTION_FIELDS = frozenset({"method", "k", "epsilon", "delta"})
# A refusal names the first problems, not all of a 5,000-cell table's.
MAX_NAMED_PROBLEMS = 20
DEFAULT_TABLES = ("cases_state_type_quarter", "cases_type_month")
TIME_DIMENSIONS = frozenset({"quarter", "month"})


# --- settings ----------------------------------------------------------------------------


def trend_tables() -> list[str]:
    """The tables the monthly schedule sends (PUENTE_TREND_TABLES; empty sends none). A
    code no table has is kept, so the schedule reports it rather than skip it unseen."""
    return list(getattr(settings, "PUENTE_TREND_TABLES", DEFAULT_TABLES))


def trend_months() -> int:
    """How many full months each monthly release covers (PUENTE_TREND_MONTHS): a year by
    default, so its month or quarter column shows the trend."""
    return max(1, int(getattr(settings, "PUENTE_TREND_MONTHS", 12)))


def monthly_period(today: date, *, months: int | None = None) -> tuple[date, date]:
    """The trailing `months` full calendar months before `today`'s month."""
    months = trend_months() if months is None else months
    end = today.replace(day=1) - timedelta(days=1)
    index = end.year * 12 + end.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1), end


# --- reading a release document (the receiving side's rules; the sender runs them too) ---


class _Problems:
    """Collects the named problems of one document, up to MAX_NAMED_PROBLEMS."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        self.more = 0

    def add(self, name: str, problem: str) -> None:
        if len(self.errors) < MAX_NAMED_PROBLEMS:
            self.errors.setdefault(name, problem)
        else:
            self.more += 1
            self.errors["body"] = f"and {self.more} more problem(s)"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)  # type: ignore[arg-type]


def _day(value: object, name: str, problems: _Problems) -> date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(name, "must be a date, YYYY-MM-DD")
    return None


def _protection(value: object, problems: _Problems) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.add("body.protection", "must be an object with method, k, epsilon and delta")
        return {}
    for extra in sorted(set(value) - PROTECTION_FIELDS, key=str):
        problems.add(f"body.protection.{extra}", "is not a field of the schema")
    method = value.get("method")
    if method not in ReleaseMethod.values:
        problems.add("body.protection.method", f"unknown code {method!r}")
    k = value.get("k")
    own_k = releases.default_k()
    if not _is_int(k) or k < 1:
        problems.add("body.protection.k", "must be a positive integer")
        k = None
    elif k < own_k:
        problems.add(
            "body.protection.k",
            f"is {k}; this hotline publishes and accepts nothing protected below k = {own_k}",
        )
    epsilon = value.get("epsilon")
    if method == ReleaseMethod.DP:
        if not _is_number(epsilon) or epsilon <= 0:
            problems.add("body.protection.epsilon", "must be a positive number for dp")
            epsilon = None
    elif epsilon is not None:
        problems.add("body.protection.epsilon", "must be null unless the method is dp")
    delta = value.get("delta")
    if delta is not None and (not _is_number(delta) or not 0 <= delta < 1):
        problems.add("body.protection.delta", "must be null or a number from 0 to below 1")
        delta = None
    return {
        "method": method,
        "k": k,
        "epsilon": float(epsilon) if epsilon is not None else None,
        "delta": float(delta) if delta is not None else None,
    }


def _count(value: object, name: str, *, floor: int, problems: _Problems) -> int | None:
    if value is None:
        return None
    if not _is_int(value):
        problems.add(name, "must be an integer or null")
        return None
    if value < floor:
        problems.add(name, f"is {value}, below k = {floor}: a release never carries it")
    return value


def _cells(
    value: object,
    name: str,
    *,
    dimensions: list[str],
    domains: dict[str, frozenset[str]] | None,
    floor: int,
    margins: bool,
    problems: _Problems,
) -> list[dict[str, Any]]:
    if value is None and margins:
        return []
    if not isinstance(value, list):
        problems.add(name, "must be a list")
        return []
    allowed = set(dimensions) | {"count"} | (set() if margins else {"suppressed"})
    seen: set[tuple] = set()
    clean = []
    for i, cell in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(cell, dict):
            problems.add(where, "must be an object")
            continue
        for extra in sorted(set(cell) - allowed, key=str):
            problems.add(f"{where}.{extra}", "is not a field of the schema")
        named = dimensions if not margins else [d for d in dimensions if d in cell]
        for dimension in named:
            code = cell.get(dimension)
            if not isinstance(code, str):
                problems.add(f"{where}.{dimension}", "is missing or not a code")
            elif domains is not None and code not in domains[dimension]:
                problems.add(f"{where}.{dimension}", f"unknown code {code!r}")
        if "count" not in cell:
            problems.add(f"{where}.count", "is missing")
        count = _count(cell.get("count"), f"{where}.count", floor=floor, problems=problems)
        row: dict[str, Any] = {d: cell.get(d) for d in named}
        row["count"] = count
        if not margins:
            suppressed = cell.get("suppressed")
            if not isinstance(suppressed, bool):
                problems.add(f"{where}.suppressed", "must be true or false")
            elif suppressed != (cell.get("count") is None):
                problems.add(
                    f"{where}.suppressed",
                    "must be true exactly when the count is null",
                )
            row["suppressed"] = cell.get("count") is None
        key = tuple((d, str(row[d])) for d in named)
        if key in seen:
            problems.add(where, "repeats another entry's codes")
        seen.add(key)
        clean.append(row)
    return clean


def read_release_document(body: dict, errors: dict[str, str]) -> dict[str, Any]:
    """Check a release document (the body of a `trends.release` message) as strictly as
    the protocol says (docs/federation.md §3.3): every problem is named in `errors`, and
    any problem refuses the whole message. Returns the clean document."""
    problems = _Problems(errors)
    for extra in sorted(set(body) - DOCUMENT_FIELDS, key=str):
        problems.add(f"body.{extra}", "is not a field of the schema")
    try:
        release_id = str(uuid.UUID(str(body.get("release_id"))))
    except ValueError:
        problems.add("body.release_id", "must be a UUID")
        release_id = ""
    table = body.get("table")
    definition = releases.TABLES.get(table) if isinstance(table, str) else None
    if definition is None:
        problems.add("body.table", f"unknown table {table!r}")
    period = body.get("period")
    start = end = None
    if not isinstance(period, dict) or set(period) != {"start", "end"}:
        problems.add("body.period", "must be an object with start and end")
    else:
        start = _day(period["start"], "body.period.start", problems)
        end = _day(period["end"], "body.period.end", problems)
        if start and end and end < start:
            problems.add("body.period.end", "is before the start")
            end = None
    dimensions = body.get("dimensions")
    if definition is not None and dimensions != list(definition.dimensions):
        problems.add(
            "body.dimensions", f"must be {list(definition.dimensions)} for table {table!r}"
        )
    if not isinstance(dimensions, list) or not all(isinstance(d, str) for d in dimensions):
        dimensions = list(definition.dimensions) if definition else []
    protection = _protection(body.get("protection"), problems)
    floor = max(protection.get("k") or 0, releases.default_k())
    domains = None
    if definition is not None and start and end:
        # Every code a dimension can take in the period, and "other" (folding may put a
        # rare value of any dimension there).
        domains = {
            d: frozenset(releases.dimension_domain(d, start=start, end=end)) | {releases.OTHER}
            for d in definition.dimensions
        }
        dimensions = list(definition.dimensions)
    cells = _cells(
        body.get("cells"),
        "body.cells",
        dimensions=dimensions,
        domains=domains,
        floor=floor,
        margins=False,
        problems=problems,
    )
    margins = _cells(
        body.get("margins"),
        "body.margins",
        dimensions=dimensions,
        domains=domains,
        floor=floor,
        margins=True,
        problems=problems,
    )
    return {
        "release_id": release_id,
        "table": table,
        "period": {"start": start, "end": end},
        "dimensions": dimensions,
        "protection": protection,
        "cells": cells,
        "margins": margins,
    }


def receive_release(*, envelope: schema.Envelope, partner: PartnerHotline) -> PartnerRelease:
    """Store a partner's release (the inbox calls this inside its transaction, once per
    message id). A release id received before is refused: a correction is a new release."""
    body = envelope.body
    if body["release_id"] != envelope.exchange_id:
        raise exchange.ApplyError(
            "invalid_message", "A release travels with its release_id as the exchange_id."
        )
    if PartnerRelease.objects.filter(partner=partner, release_id=body["release_id"]).exists():
        raise exchange.ApplyError(
            "exchange_conflict", "A release with this release_id was already received.", 409
        )
    return PartnerRelease.objects.create(
        partner=partner,
        release_id=body["release_id"],
        message_id=envelope.message_id,
        sender_name=envelope.sender.get("hotline", ""),
        table=body["table"],
        period_start=body["period"]["start"],
        period_end=body["period"]["end"],
        method=body["protection"]["method"],
        k=body["protection"]["k"],
        epsilon=body["protection"]["epsilon"],
        delta=body["protection"]["delta"],
        dimensions=body["dimensions"],
        cells=body["cells"],
        margins=body["margins"],
        sent_at=envelope.sent_at,
    )


# --- sending ------------------------------------------------------------------------------


def send_release(
    *,
    release: Release,
    by: User | None,
    monthly: bool = False,
    request: HttpRequest | None = None,
) -> SentRelease:
    """Put a released table made for a partner on the exchange to that partner. `by` is
    None for the monthly schedule. Refused (ValidationError) when it is not released, has
    no partner, was sent already, or would break the partner's rules."""
    if by is not None and not by.can(Perm.RELEASE_MANAGE):
        raise PermissionDenied
    partner = release.recipient
    if partner is None:
        raise ValidationError(_("Only a release made for a partner hotline can be sent to one."))
    if release.status != ReleaseStatus.RELEASED:
        raise ValidationError(_("Only a released table can be sent."))
    document = releases.release_document(release)
    problems: dict[str, str] = {}
    read_release_document(document, problems)
    if problems:
        # Should never happen (puente.sharing.protection publishes nothing below k); if
        # it does, the numbers stay here and the reason is logged for whoever runs it.
        logger.error("Release %s not sent: %s", release.pk, problems)
        raise ValidationError(
            _("This release does not meet the exchange's rules and was not sent: %(problems)s")
            % {"problems": "; ".join(f"{k} {v}" for k, v in sorted(problems.items()))}
        )
    with transaction.atomic():
        # Locked, so two people pressing Send at once send it once.
        Release.objects.select_for_update().filter(pk=release.pk).first()
        if SentRelease.objects.filter(release=release).exists():
            raise ValidationError(_("This release was already sent."))
        message = exchange.send_message(
            partner=partner, message_type=MESSAGE_TYPE, exchange_id=release.pk, body=document
        )
        sent = SentRelease.objects.create(
            release=release,
            partner=partner,
            table=release.table,
            period_start=release.period_start,
            period_end=release.period_end,
            message_id=message.message_id,
            monthly=monthly,
            sent_by=by,
        )
        record_event(
            action="share",
            actor=by,
            actor_name="" if by is not None else "schedule",
            obj=release,
            object_ref=str(release.pk),
            reason=f"trends release to {partner.name}, message {message.message_id}",
            changes=releases.release_changes(release),
            request=request,
            via="" if request is not None else "system",
        )
    return sent


@dataclass
class MonthlyRun:
    period: tuple[date, date]
    sent: list[SentRelease] = field(default_factory=list)
    already: int = 0  # releases for this period that had been sent before
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # partner, table, why


def send_monthly_releases(
    *,
    today: date | None = None,
    partner: PartnerHotline | None = None,
    by: User | None = None,
    request: HttpRequest | None = None,
) -> MonthlyRun:
    """Build and send the monthly release of each trend table to each active partner (or
    to `partner`), unless it was sent already: run it as often as you like. A table that
    cannot be built or sent is logged and the rest still go."""
    if by is not None and not by.can(Perm.RELEASE_MANAGE):
        raise PermissionDenied
    start, end = monthly_period(today or timezone.localdate())
    run = MonthlyRun(period=(start, end))
    partners = [partner] if partner is not None else PartnerHotline.objects.filter(active=True)
    for recipient in partners:
        for table in trend_tables():
            if table not in releases.TABLES:
                why = f"PUENTE_TREND_TABLES names {table!r}, which is not a table"
                logger.error("Monthly release to %s not sent: %s", recipient, why)
                run.problems.append((str(recipient), table, why))
                continue
            done = SentRelease.objects.filter(
                partner=recipient, table=table, period_start=start, period_end=end, monthly=True
            )
            if done.exists():
                run.already += 1
                continue
            try:
                with transaction.atomic():
                    release = releases.build_release(
                        by=by,
                        table=table,
                        period_start=start,
                        period_end=end,
                        recipient=recipient,
                        method=ReleaseMethod.SUPPRESSION,
                        monthly=True,
                        request=request,
                    )
                    run.sent.append(SentRelease.objects.get(release=release))
            except IntegrityError:
                run.already += 1  # another worker sent it a moment ago
            except ValidationError as problem:
                why = "; ".join(problem.messages)
                logger.warning("Monthly release of %s to %s not sent: %s", table, recipient, why)
                run.problems.append((str(recipient), table, why))
    return run


# --- the combined view --------------------------------------------------------------------


@dataclass
class Source:
    """One hotline's release of a table, as the page labels it."""

    hotline: str
    country: str
    ours: bool
    period_start: date
    period_end: date
    method: str
    k: int
    epsilon: float | None
    protection: str
    status: str  # ours: the partner's acknowledgement; theirs: when it arrived
    cells: list[dict] = field(default_factory=list, repr=False)
    margins: list[dict] = field(default_factory=list, repr=False)


@dataclass
class Figure:
    count: int | None = None
    suppressed: bool = False  # hidden by that hotline's protection
    absent: bool = False  # that hotline's table has no such row
    source: str = ""  # the hotline it came from ("" for the sum of both)
    protection: str = ""

    @property
    def shown(self) -> str:
        if self.absent:
            return "—"
        if self.suppressed or self.count is None:
            return ""
        return formats.number_format(self.count, force_grouping=True)


@dataclass
class Row:
    labels: list[tuple[str, str]]  # (dimension, value), in the reader's language
    figures: list[Figure]
    combined: Figure | None = None


@dataclass
class SharedTable:
    code: str
    title: str
    unit: str
    dimensions: list[str]
    sources: list[Source]
    same_period: bool
    rows: list[Row] = field(default_factory=list)
    total: Row | None = None

    @property
    def combined(self) -> bool:
        """Both hotlines, one period: the counts can be added."""
        return self.same_period and len(self.sources) == 2


@dataclass
class PartnerTrends:
    partner: PartnerHotline
    title: str
    tables: list[SharedTable]


def protection_label(*, method: str, k: int, epsilon: float | None) -> str:
    if method == ReleaseMethod.DP and epsilon is not None:
        return _("Differential privacy (ε = %(epsilon)s), then no count below %(k)s") % {
            "epsilon": formats.number_format(epsilon),
            "k": k,
        }
    return _("No count below %(k)s; small cells suppressed") % {"k": k}


def _pick(ours: list[tuple], theirs: list[tuple]) -> tuple[Any, Any]:
    """(our pick, their pick) from (period_start, period_end, record) lists, newest first:
    the newest period both have, else each side's newest."""
    common = {(s, e) for s, e, _r in ours} & {(s, e) for s, e, _r in theirs}
    if common:
        period = max(common, key=lambda p: (p[1], p[0]))
        return (
            next(r for s, e, r in ours if (s, e) == period),
            next(r for s, e, r in theirs if (s, e) == period),
        )
    return (ours[0][2] if ours else None, theirs[0][2] if theirs else None)


def _sort_key(dimensions: list[str], key: tuple[str, ...], labels: list[str]) -> tuple:
    parts = []
    for dimension, code, label in zip(dimensions, key, labels, strict=True):
        special = code in (releases.OTHER, releases.UNKNOWN)
        parts.append((special, code if dimension in TIME_DIMENSIONS else label.casefold()))
    return tuple(parts)


def _figure(cell: dict | None, source: Source) -> Figure:
    if cell is None:
        return Figure(absent=True, source=source.hotline, protection=source.protection)
    return Figure(
        count=cell.get("count"),
        suppressed=cell.get("count") is None,
        source=source.hotline,
        protection=source.protection,
    )


def _add(figures: list[Figure]) -> Figure:
    """Both hotlines' counts added, only where both published one: a hidden count cannot
    be added, and a row missing on one side may be folded into its "other"."""
    if any(f.absent for f in figures):
        return Figure(absent=True)
    if any(f.count is None for f in figures):
        return Figure(suppressed=True)
    return Figure(count=sum(f.count or 0 for f in figures))


def _shared_table(code: str, sources: list[Source], same_period: bool) -> SharedTable:
    definition = releases.TABLES[code]
    dims = list(definition.dimensions)
    names = [releases.dimension_name(d) for d in dims]
    table = SharedTable(
        code=code,
        title=str(definition.title),
        unit=str(definition.unit),
        dimensions=names,
        sources=sources,
        same_period=same_period,
    )
    by_key = [{tuple(str(c.get(d)) for d in dims): c for c in s.cells} for s in sources]
    keys = list(dict.fromkeys(k for cells in by_key for k in cells))
    rows = []
    for key in keys:
        labels = [releases.dimension_label(d, v) for d, v in zip(dims, key, strict=True)]
        figures = [
            _figure(cells.get(key), source) for cells, source in zip(by_key, sources, strict=True)
        ]
        row = Row(list(zip(names, labels, strict=True)), figures)
        rows.append((_sort_key(dims, key, labels), row))
    table.rows = [row for _key, row in sorted(rows, key=lambda pair: pair[0])]
    # The grand total: the one published total that names no dimension.
    totals = [next((m for m in s.margins if set(m) == {"count"}), None) for s in sources]
    table.total = Row(
        [("", _("Total"))],
        [_figure(m, source) for m, source in zip(totals, sources, strict=True)],
    )
    if table.combined:
        for row in [*table.rows, table.total]:
            row.combined = _add(row.figures)
    return table


def _our_source(sent: SentRelease, states: dict[str, str]) -> Source:
    release = sent.release
    return Source(
        hotline=settings.PUENTE_HOTLINE_NAME,
        country=settings.PUENTE_COUNTRY,
        ours=True,
        period_start=release.period_start,
        period_end=release.period_end,
        method=release.method,
        k=release.k,
        epsilon=release.epsilon,
        protection=protection_label(method=release.method, k=release.k, epsilon=release.epsilon),
        status=states.get(str(sent.message_id), ""),
        cells=release.cells,
        margins=release.margins,
    )


def _their_source(received: PartnerRelease) -> Source:
    return Source(
        hotline=received.partner.name,
        country=received.partner.country,
        ours=False,
        period_start=received.period_start,
        period_end=received.period_end,
        method=received.method,
        k=received.k,
        epsilon=received.epsilon,
        protection=protection_label(method=received.method, k=received.k, epsilon=received.epsilon),
        status=_("Received %(when)s")
        % {
            "when": formats.date_format(
                timezone.localtime(received.received_at), "SHORT_DATETIME_FORMAT"
            )
        },
        cells=received.cells,
        margins=received.margins,
    )


def _delivery_states(sent: list[SentRelease]) -> dict[str, str]:
    labels: dict[str, str] = {
        fc.DeliveryState.DELIVERED: _("Delivered to the partner"),
        fc.DeliveryState.QUEUED: _("Waiting to be delivered"),
        fc.DeliveryState.FAILED: _("Delivery failed"),
    }
    rows = OutboxMessage.objects.filter(message_id__in=[s.message_id for s in sent]).values_list(
        "message_id", "state"
    )
    return {str(message_id): str(labels.get(state, state)) for message_id, state in rows}


def combined_trends(*, partner: PartnerHotline) -> PartnerTrends:
    """The combined view with one partner: every table either side has sent."""
    sent_periods: dict[str, list[tuple]] = {}
    for pk, table, start, end in (
        SentRelease.objects.filter(partner=partner)
        .order_by("-period_end", "-period_start", "-sent_at")
        .values_list("pk", "table", "period_start", "period_end")
    ):
        sent_periods.setdefault(table, []).append((start, end, pk))
    received_periods: dict[str, list[tuple]] = {}
    for pk, table, start, end in (
        PartnerRelease.objects.filter(partner=partner)
        .order_by("-period_end", "-period_start", "-received_at")
        .values_list("pk", "table", "period_start", "period_end")
    ):
        received_periods.setdefault(table, []).append((start, end, pk))
    codes = [c for c in releases.TABLES if c in sent_periods or c in received_periods]
    picks = {
        code: _pick(sent_periods.get(code, []), received_periods.get(code, [])) for code in codes
    }
    sent = SentRelease.objects.select_related("release").in_bulk(
        [p[0] for p in picks.values() if p[0] is not None]
    )
    received = PartnerRelease.objects.select_related("partner").in_bulk(
        [p[1] for p in picks.values() if p[1] is not None]
    )
    states = _delivery_states(list(sent.values()))
    tables = []
    for code in codes:
        ours, theirs = picks[code]
        sources = []
        if ours is not None:
            sources.append(_our_source(sent[ours], states))
        if theirs is not None:
            sources.append(_their_source(received[theirs]))
        same_period = len(sources) == 2 and (
            (sources[0].period_start, sources[0].period_end)
            == (sources[1].period_start, sources[1].period_end)
        )
        tables.append(_shared_table(code, sources, same_period))
    countries = [settings.PUENTE_COUNTRY, partner.country]
    return PartnerTrends(
        partner=partner,
        title=_("%(ours)s and %(theirs)s")
        % {"ours": country_name(countries[0]), "theirs": country_name(countries[1])},
        tables=tables,
    )


def partners_with_trends() -> list[PartnerHotline]:
    """Partners that have sent us a release or been sent one, and active partners (to
    whom the monthly releases go)."""
    return list(
        PartnerHotline.objects.filter(
            Q(active=True)
            | Q(pk__in=SentRelease.objects.values("partner_id"))
            | Q(pk__in=PartnerRelease.objects.values("partner_id"))
        ).order_by("name", "pk")
    )
