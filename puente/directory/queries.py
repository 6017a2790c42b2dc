"""Reads of the directory: the ranked provider search used by the search page, the API
and (later) the case page's "find a referral".

How `find_providers` stays fast at 10,000+ providers (see bench/bench_directory.py):
filters are `EXISTS` lookups on the indexed `ProviderTag` table; distance is prefiltered
in SQL with a latitude/longitude bounding box (indexed), widened step by step only when
too few matches lie inside it; only the few columns ranking needs are read for the
candidates, and whole rows only for the page of results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from puente.directory.choices import CRISIS_SERVICES
from puente.directory.geocode import Place
from puente.directory.models import STALE_AFTER, Provider, ProviderTag

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
# Bounding boxes tried in turn (half-width in km); then the whole country.
SEARCH_RADII_KM = (80.0, 500.0)
# Ranking: a provider that serves the caller's state counts as if it were this much
# nearer (a statewide legal-aid office 300 km away beats a county office next door that
# will not take the case). For a crisis need, a provider open 24/7 counts as 30% and
# 20 km nearer: a shelter that answers tonight beats one across the street that opens
# on Monday, but not one in the next state.
COVERAGE_FACTOR = 0.5
ALWAYS_OPEN_FACTOR = 0.7
ALWAYS_OPEN_BONUS_KM = 20.0
# A listing not checked for a year is still shown (it may be the only one) but flagged
# and pushed down a little.
STALE_FACTOR = 1.25

_RANK_COLUMNS = (
    "pk",
    "latitude",
    "longitude",
    "subdivision",
    "coverage_text",
    "open_24_7",
    "last_verified",
    "name",
)
# The nearest this many matches in a box are ranked exactly; farther ones could only
# win through a boost, and a city dense enough to fill the cap has enough near ones.
CANDIDATE_CAP = 200
# Searches whose filters match at most this many providers (in all the directory) rank
# every match; broader ones prefilter by bounding box.
DIRECT_RANK_MAX = 1500


@dataclass(frozen=True)
class ProviderMatch:
    provider: Provider
    distance_km: float | None
    covers_place: bool
    open_now_always: bool
    stale: bool
    score: float

    @property
    def distance_mi(self) -> float | None:
        return None if self.distance_km is None else self.distance_km / KM_PER_MILE


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) holding every point within `radius_km`.
    (No provider sits across the antimeridian: U.S. and Mexico only.)"""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    dlon = min(180.0, math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def _tagged(kind: str, code: str) -> Exists:
    # A correlated EXISTS: the database walks the (latitude, longitude) index for the
    # bounding box and probes the tag index once per provider in it. (`pk IN (…)` would
    # make SQLite start from every tagged provider in the country instead.)
    return Exists(ProviderTag.objects.filter(provider=OuterRef("pk"), kind=kind, code=code))


def filtered_providers(
    *,
    need: str | None = None,
    language: str | None = None,
    population: str | None = None,
    country: str | None = None,
) -> QuerySet[Provider]:
    # No ORDER BY (the model's default): candidates are ranked in Python.
    qs = Provider.objects.filter(active=True).order_by()
    if country:
        qs = qs.filter(country=country)
    K = ProviderTag.Kind
    for kind, code in ((K.SERVICE, need), (K.LANGUAGE, language), (K.POPULATION, population)):
        if code:
            qs = qs.filter(_tagged(kind, code))
    return qs


def find_providers(
    *,
    need: str | None = None,
    language: str | None = None,
    population: str | None = None,
    near: Place | None = None,
    country: str | None = None,
    limit: int = 20,
    within_km: float | None = None,
) -> list[ProviderMatch]:
    """Active providers that offer `need`, speak `language` and serve `population`,
    best first: nearest to `near` (great-circle distance), those covering its state and
    (for a crisis need) those open 24/7 boosted, stale listings flagged and demoted.
    With `within_km` (and `near`), only those that close — or that list `near`'s state
    in their coverage, wherever they are (a statewide line serves the caller anywhere
    in it)."""
    if near is None:
        within_km = None
    crisis = bool(need and need in CRISIS_SERVICES)
    stale_before = timezone.localdate() - STALE_AFTER
    K = ProviderTag.Kind
    wanted = [
        (kind, code)
        for kind, code in ((K.SERVICE, need), (K.LANGUAGE, language), (K.POPULATION, population))
        if code
    ]
    ids = _matching_ids(wanted) if wanted else None
    if ids is not None and len(ids) <= DIRECT_RANK_MAX:
        # Few enough matches anywhere: read them all at once and rank them in Python,
        # rather than widening boxes around a place with none of them nearby.
        if not ids:
            return []
        qs = Provider.objects.filter(pk__in=ids, active=True).order_by()
        if country:
            qs = qs.filter(country=country)
        rows = list(_with_coverage_text(qs).values_list(*_RANK_COLUMNS))
        if near is None:
            rows.sort(key=lambda r: (crisis and not r[5], r[7]))
            distances: dict[int, float] = {}
        else:
            distances = {
                r[0]: haversine_km(near.latitude, near.longitude, r[1], r[2])
                for r in rows
                if r[1] is not None
            }
    else:
        columns = _with_coverage_text(
            filtered_providers(need=need, language=language, population=population, country=country)
        )
        if near is None:
            # Nothing to measure from: 24/7 first for a crisis, then by name.
            ordering = ["-open_24_7"] if crisis else []
            rows = list(columns.order_by(*ordering, "name").values_list(*_RANK_COLUMNS)[:limit])
            distances = {}
        else:
            rows, distances = _candidates_near(columns, near=near, limit=limit, within_km=within_km)

    scored: list[tuple[float, str, int, float | None, bool, bool, bool]] = []
    for pk, _lat, _lon, subdivision, coverage_text, always, last_verified, name in rows:
        stale = last_verified is None or last_verified < stale_before
        covers = _covers(near, subdivision, coverage_text)
        distance = distances.get(pk)
        if within_km is not None and not (
            (distance is not None and distance <= within_km) or _lists_coverage(near, coverage_text)
        ):
            continue
        if near is None:
            score = float(len(scored))  # keep the SQL order
        else:
            # Unplaced providers that cover the state rank after every placed one nearby.
            score = distance if distance is not None else 5000.0
            if covers:
                score *= COVERAGE_FACTOR
            if stale:
                score *= STALE_FACTOR
            if crisis and always:
                score = score * ALWAYS_OPEN_FACTOR - ALWAYS_OPEN_BONUS_KM
        scored.append((score, name, pk, distance, covers, always, stale))
    scored.sort(key=lambda s: (s[0], s[1], s[2]))
    top = scored[:limit]
    providers = Provider.objects.in_bulk([s[2] for s in top])
    return [
        ProviderMatch(
            provider=providers[pk],
            distance_km=distance,
            covers_place=covers,
            open_now_always=always,
            stale=stale,
            score=score,
        )
        for score, _name, pk, distance, covers, always, stale in top
        if pk in providers
    ]


def _with_coverage_text(qs: QuerySet[Provider]) -> QuerySet[Provider]:
    return qs.annotate(coverage_text=Cast("coverage", output_field=TextField()))


def _matching_ids(wanted: Sequence[tuple[str, str]]) -> list[int] | None:
    """Ids of providers holding every (kind, code) in `wanted` (one pass over the tag
    index, grouped), or None when one filter alone matches more than DIRECT_RANK_MAX
    (counted in the index, without reading the ids)."""
    if len(wanted) == 1:
        kind, code = wanted[0]
        if ProviderTag.objects.filter(kind=kind, code=code).count() > DIRECT_RANK_MAX:
            return None
    either = Q()
    for kind, code in wanted:
        either |= Q(kind=kind, code=code)
    return list(
        ProviderTag.objects.filter(either)
        .values("provider_id")
        .annotate(hits=Count("pk"))
        .filter(hits=len(wanted))
        .values_list("provider_id", flat=True)
    )


def _covers(near: Place | None, subdivision: str, coverage_text: str | None) -> bool:
    # The coverage list is read as its JSON text: a quoted ISO code cannot occur inside
    # another one, and not decoding hundreds of small JSON lists per search is the point.
    if near is None or not near.subdivision:
        return False
    if coverage_text and coverage_text.strip() not in ("", "[]"):
        return f'"{near.subdivision}"' in coverage_text
    return subdivision == near.subdivision


def _lists_coverage(near: Place | None, coverage_text: str | None) -> bool:
    """The provider names `near`'s state in its coverage list (not merely sits in it)."""
    if near is None or not near.subdivision or not coverage_text:
        return False
    return f'"{near.subdivision}"' in coverage_text


def _candidates_near(
    columns: QuerySet[Provider], *, near: Place, limit: int, within_km: float | None = None
) -> tuple[list[tuple], dict[int, float]]:
    """Rows to rank and their distances: the nearest matches (by a flat-earth estimate
    in SQL, at most CANDIDATE_CAP) inside a bounding box wide enough to hold `limit`
    providers truly within its radius, plus every match that covers the caller's state
    wherever it sits (a statewide service may be based far away)."""
    rows: dict[int, tuple] = {}
    distances: dict[int, float] = {}

    def measure(batch: Iterable[tuple]) -> None:
        for row in batch:
            pk, lat, lon = row[0], row[1], row[2]
            rows[pk] = row
            if lat is not None and pk not in distances:
                distances[pk] = haversine_km(near.latitude, near.longitude, lat, lon)

    if near.subdivision:
        covering = columns.filter(_tagged(ProviderTag.Kind.COVERAGE, near.subdivision))
        measure(covering.values_list(*_RANK_COLUMNS))
    # Squared flat-earth distance: only orders the candidates, in plain SQL arithmetic
    # that SQLite and PostgreSQL both run; the exact distance is computed below.
    shrink = math.cos(math.radians(near.latitude))
    flat = ExpressionWrapper(
        (F("latitude") - Value(near.latitude)) * (F("latitude") - Value(near.latitude))
        + (F("longitude") - Value(near.longitude))
        * (F("longitude") - Value(near.longitude))
        * Value(shrink * shrink),
        output_field=FloatField(),
    )
    # Asked for a distance: one box that holds it (nothing beyond it is wanted).
    radii = (within_km,) if within_km is not None else (*SEARCH_RADII_KM, None)
    for radius in radii:
        if radius is None:
            found = columns.filter(latitude__isnull=False)
        else:
            min_lat, max_lat, min_lon, max_lon = bounding_box(near.latitude, near.longitude, radius)
            found = columns.filter(
                latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)
            )
        batch = list(
            found.annotate(flat=flat).order_by("flat").values_list(*_RANK_COLUMNS)[:CANDIDATE_CAP]
        )
        measure(batch)
        within = sum(1 for row in batch if radius is None or distances[row[0]] <= radius)
        if within >= limit:
            break
    return list(rows.values()), distances


def provider_page(*, provider_id: int) -> Provider | None:
    return Provider.objects.filter(pk=provider_id).first()


def providers_for_admin(*, text: str = "", country: str = "") -> QuerySet[Provider]:
    qs = Provider.objects.all()
    if country:
        qs = qs.filter(country=country)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(city__icontains=text) | Q(external_id=text))
    return qs.order_by("name")
