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
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from puente.directory.choices import CRISIS_SERVICES
from puente.directory.geocode import Place
from puente.directory.models import STALE_AFTER, Provider, ProviderTag

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344
# Bounding boxes tried in turn (half-width in km); then the whole country.
SEARCH_RADII_KM = (80.0, 300.0, 1200.0)
# Ranking: a provider that serves the caller's state counts as if it were this much
# nearer (a statewide legal-aid office 300 km away beats a county office next door that
# will not take the case), and one open 24/7 when the need is a crisis one likewise.
COVERAGE_FACTOR = 0.5
ALWAYS_OPEN_FACTOR = 0.7
# A listing not checked for a year is still shown (it may be the only one) but flagged
# and pushed down a little.
STALE_FACTOR = 1.25

_RANK_COLUMNS = (
    "pk",
    "latitude",
    "longitude",
    "subdivision",
    "coverage",
    "open_24_7",
    "last_verified",
    "name",
)


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


def _tagged(kind: str, code: str):
    return Exists(ProviderTag.objects.filter(provider=OuterRef("pk"), kind=kind, code=code))


def filtered_providers(
    *,
    need: str | None = None,
    language: str | None = None,
    population: str | None = None,
    country: str | None = None,
) -> QuerySet[Provider]:
    qs = Provider.objects.filter(active=True)
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
) -> list[ProviderMatch]:
    """Active providers that offer `need`, speak `language` and serve `population`,
    best first: nearest to `near` (great-circle distance), those covering its state and
    (for a crisis need) those open 24/7 boosted, stale listings flagged and demoted."""
    base = filtered_providers(need=need, language=language, population=population, country=country)
    crisis = bool(need and need in CRISIS_SERVICES)
    stale_before = timezone.localdate() - STALE_AFTER

    if near is None:
        # Nothing to measure from: 24/7 first for a crisis, checked listings first, by name.
        ordering = ["-open_24_7"] if crisis else []
        rows = list(base.order_by(*ordering, "name").values(*_RANK_COLUMNS)[:limit])
    else:
        rows = _candidates_near(base, near=near, limit=limit)

    scored = []
    for row in rows:
        stale = row["last_verified"] is None or row["last_verified"] < stale_before
        covers = bool(near and near.subdivision) and near.subdivision in (
            row["coverage"] or ([row["subdivision"]] if row["subdivision"] else [])
        )
        distance = None
        if near is not None and row["latitude"] is not None:
            distance = haversine_km(
                near.latitude, near.longitude, row["latitude"], row["longitude"]
            )
        if near is None:
            score = float(len(scored))  # keep the SQL order
        else:
            # Unplaced providers that cover the state rank after every placed one nearby.
            score = distance if distance is not None else 5000.0
            if covers:
                score *= COVERAGE_FACTOR
            if crisis and row["open_24_7"]:
                score *= ALWAYS_OPEN_FACTOR
            if stale:
                score *= STALE_FACTOR
        scored.append((score, row["name"], row["pk"], distance, covers, row["open_24_7"], stale))
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


def _candidates_near(base: QuerySet[Provider], *, near: Place, limit: int) -> list[dict]:
    """Rows to rank: every match within a bounding box wide enough to hold `limit`
    providers truly within its radius, plus every match that covers the caller's state
    wherever it sits (a statewide service may be based far away)."""
    rows: dict[int, dict] = {}
    if near.subdivision:
        covering = base.filter(_tagged(ProviderTag.Kind.COVERAGE, near.subdivision))
        rows.update({r["pk"]: r for r in covering.values(*_RANK_COLUMNS)})
    for radius in (*SEARCH_RADII_KM, None):
        if radius is None:
            found = base.filter(latitude__isnull=False)
        else:
            min_lat, max_lat, min_lon, max_lon = bounding_box(near.latitude, near.longitude, radius)
            found = base.filter(
                latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)
            )
        batch = list(found.values(*_RANK_COLUMNS))
        rows.update({r["pk"]: r for r in batch})
        within = sum(
            1
            for r in batch
            if radius is None
            or haversine_km(near.latitude, near.longitude, r["latitude"], r["longitude"]) <= radius
        )
        if within >= limit:
            break
    return list(rows.values())


def provider_page(*, provider_id: int) -> Provider | None:
    return Provider.objects.filter(pk=provider_id).first()


def providers_for_admin(*, text: str = "", country: str = "") -> QuerySet[Provider]:
    qs = Provider.objects.all()
    if country:
        qs = qs.filter(country=country)
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(city__icontains=text) | Q(external_id=text))
    return qs.order_by("name")
