"""/api/v1/directory: the same search as the directory page, as JSON (for the telephony
bridge's agent desktop and the partner hotline's tools)."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema
from ninja.errors import HttpError

from puente.accounts.api_auth import require_api_perm
from puente.core.permissions import Perm
from puente.directory import queries
from puente.directory.forms import check_search_codes
from puente.directory.geocode import locate

router = Router(tags=["directory"])


class PlaceOut(Schema):
    label: str
    latitude: float
    longitude: float
    country: str
    subdivision: str


class ProviderOut(Schema):
    id: int
    name: str
    kind: str
    services: list[str]
    languages: list[str]
    populations: list[str]
    hours: str
    open_24_7: bool
    phone: str
    email: str
    website: str
    address: str
    city: str
    postal_code: str
    country: str
    subdivision: str
    latitude: float | None
    longitude: float | None
    coverage: list[str]
    last_verified: date | None


class MatchOut(Schema):
    provider: ProviderOut
    distance_km: float | None
    covers_place: bool
    stale: bool


class SearchOut(Schema):
    near: PlaceOut | None
    results: list[MatchOut]


@router.get("/providers", response=SearchOut)
def search_providers(
    request,
    need: str = "",
    language: str = "",
    population: str = "",
    near: str = "",
    country: str = "",
    limit: int = 20,
):
    require_api_perm(request, Perm.DIRECTORY_VIEW)
    problems = check_search_codes(
        need=need, language=language, population=population, country=country.upper()
    )
    if problems:
        raise HttpError(422, " ".join(problems))
    place = None
    if near:
        place = locate(text=near, country=country.upper() or None)
        if place is None:
            raise HttpError(422, f"Cannot place “{near}”: try a ZIP code, a city or a state.")
    matches = queries.find_providers(
        need=need or None,
        language=language or None,
        population=population or None,
        near=place,
        country=country.upper() or None,
        limit=max(1, min(limit, 100)),
    )
    return {
        "near": place,
        "results": [
            {
                "provider": m.provider,
                "distance_km": None if m.distance_km is None else round(m.distance_km, 1),
                "covers_place": m.covers_place,
                "stale": m.stale,
            }
            for m in matches
        ],
    }
