"""/api/v1/directory: the same search as the directory page, as JSON (for the telephony
bridge's agent desktop and the partner hotline's tools)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as FieldErrors

from puente.accounts.api_auth import require_api_perm
from puente.core import choices as c
from puente.core.api import Codes, Text, errors, limit_param
from puente.core.permissions import Perm
from puente.directory import choices as dc
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
    kind: Annotated[str, Codes(dc.ProviderKind)]
    services: list[Annotated[str, Codes(dc.Service)]]
    languages: list[Annotated[str, Codes(c.Language)]]
    populations: list[Annotated[str, Codes(dc.Population)]]
    hours: str
    open_24_7: bool
    phone: str
    email: str
    website: str
    address: str
    city: str
    postal_code: str
    country: Annotated[str, Codes(dc.Country)]
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


class ProviderSearchOut(Schema):
    near: PlaceOut | None
    results: list[MatchOut]


class ProviderSearchIn(Schema):
    need: Annotated[str, Codes(dc.Service, blank=True)] = Field(
        "", description="A service the caller needs."
    )
    language: Annotated[str, Codes(c.Language, blank=True)] = Field(
        "", description="A language spoken."
    )
    population: Annotated[str, Codes(dc.Population, blank=True)] = Field(
        "", description="Who is served."
    )
    near: Annotated[
        str, Text(120, description="A ZIP code, a city or a state to rank by distance.")
    ] = ""
    country: Annotated[str, Text(2, description="Only providers in this country (US or MX).")] = ""
    limit: int = limit_param(default=20, maximum=100)


def _refuse(field: str, message: str) -> FieldErrors:
    return FieldErrors([{"loc": ["query", field], "msg": message, "type": "value_error"}])


@router.get("/providers", response={200: ProviderSearchOut, **errors()})
def search_providers(request, params: Query[ProviderSearchIn]):
    require_api_perm(request, Perm.DIRECTORY_VIEW)
    need, language, population = params.need, params.language, params.population
    near, country = params.near, params.country.upper()
    problems = check_search_codes(
        need=need, language=language, population=population, country=country
    )
    if problems:
        raise FieldErrors(
            [{"loc": ["query"], "msg": problem, "type": "value_error"} for problem in problems]
        )
    place = None
    if near:
        place = locate(text=near, country=country or None)
        if place is None:
            raise _refuse("near", f"Cannot place “{near}”: try a ZIP code, a city or a state.")
    matches = queries.find_providers(
        need=need or None,
        language=language or None,
        population=population or None,
        near=place,
        country=country or None,
        limit=params.limit,
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
