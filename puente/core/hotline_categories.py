"""A hotline's own categories, as configuration on top of the shared codes.

Each hotline counts things its own way (Mexico's Línea Nacional classifies reports as
trata / situación de riesgo / otros delitos / información, and recruitment by "oferta de
trabajo falsa" or "enamoramiento"). Those lists are data, one JSON file per country in
the app that owns the field (`<app>/hotline_categories/<PUENTE_COUNTRY>.json`), each
category labelled in English and Spanish and mapped onto one shared code (HTCDS where
HTCDS names the value), so reports and the exchange keep speaking the standard.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import get_language


@dataclass(frozen=True)
class HotlineCategory:
    code: str
    label_en: str
    label_es: str
    maps_to: str

    @property
    def label(self) -> str:
        return self.label_es if (get_language() or "").startswith("es") else self.label_en


@dataclass(frozen=True)
class HotlineCategories:
    items: tuple[HotlineCategory, ...]

    @property
    def values(self) -> list[str]:
        return [item.code for item in self.items]

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(code, label in the current language), for forms."""
        return [(item.code, item.label) for item in self.items]

    def maps_to(self, codes: Iterable[str]) -> list[str]:
        """The shared codes the given categories stand for, de-duplicated in order."""
        by_code = {item.code: item.maps_to for item in self.items}
        return list(dict.fromkeys(by_code[code] for code in codes if code in by_code))

    def label_for(self, code: str) -> str:
        return next((item.label for item in self.items if item.code == code), code)


def read_categories(
    *, path: Path, key: str, allowed: Iterable[str], country: str
) -> HotlineCategories:
    """The list `key` of `path`; a category mapped to a code outside `allowed`, or
    without both labels, stops start-up rather than being stored wrongly."""
    if not path.exists():
        return HotlineCategories(items=())
    data = json.loads(path.read_text(encoding="utf-8"))
    allowed_codes = set(allowed)
    items = []
    for entry in data.get(key, []):
        if entry.get("maps_to") not in allowed_codes:
            raise ImproperlyConfigured(
                f"{path}: {key} {entry.get('code')!r} maps to unknown code {entry.get('maps_to')!r}"
            )
        if not entry.get("en") or not entry.get("es"):
            raise ImproperlyConfigured(f"{path}: {key} {entry.get('code')!r} needs en and es")
        items.append(
            HotlineCategory(
                code=entry["code"],
                label_en=entry["en"],
                label_es=entry["es"],
                maps_to=entry["maps_to"],
            )
        )
    return HotlineCategories(items=tuple(items))


@cache
def _cached(directory: str, key: str, allowed: tuple[str, ...], country: str) -> HotlineCategories:
    return read_categories(
        path=Path(directory) / f"{country}.json", key=key, allowed=allowed, country=country
    )


def hotline_categories(
    *, directory: Path, key: str, allowed: Iterable[str], country: str | None = None
) -> HotlineCategories:
    """This deployment's categories (PUENTE_COUNTRY unless `country` is given)."""
    return _cached(str(directory), key, tuple(allowed), country or settings.PUENTE_COUNTRY)
