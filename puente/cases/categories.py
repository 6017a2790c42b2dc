"""This hotline's own recruitment categories (`hotline_categories/<PUENTE_COUNTRY>.json`),
each mapped onto an HTCDS vic_MethodOfRecruitment code."""

from __future__ import annotations

from pathlib import Path

from django.db import models

from puente.core import choices as c
from puente.core.hotline_categories import HotlineCategories, hotline_categories

DIRECTORY = Path(__file__).resolve().parent / "hotline_categories"


def recruitment_categories(*, country: str | None = None) -> HotlineCategories:
    return hotline_categories(
        directory=DIRECTORY,
        key="recruitment_methods",
        allowed=c.MethodOfRecruitment.values,
        country=country,
    )


def recruitment_codes() -> type[models.TextChoices]:
    """The categories as a TextChoices of their codes, for the API's schema (which
    documents codes, never labels)."""
    return models.TextChoices(  # type: ignore[return-value,call-overload]
        "HotlineRecruitmentMethod", [(code, code) for code in recruitment_categories().values]
    )
