"""Cases, locations and potential victims for the release tests, made in bulk (a table
needs dozens of cases before anything reaches k)."""

from __future__ import annotations

import itertools
from datetime import datetime

from django.utils import timezone

from puente.cases.models import Case, CaseLocation, Person

_seq = itertools.count(1)


def add_cases(
    n: int,
    *,
    state: str = "US-TX",
    forms: list[str] | None = None,
    exploitation_type: str = "not_specified",
    opened: datetime | None = None,
    victims: int = 0,
    gender: str = "Feminine",
    age_band: str = "21-23",
    citizenship: list[str] | None = None,
    kind: str = "Exploitation",
    **fields,
) -> list[Case]:
    opened = opened or timezone.make_aware(datetime(2026, 2, 10, 12))
    cases = Case.objects.bulk_create(
        Case(
            reference=f"US-2026-{900000 + next(_seq)}",
            forms_of_exploitation=forms or [],
            exploitation_type=exploitation_type,
            **fields,
        )
        for _ in range(n)
    )
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(created_at=opened)
    CaseLocation.objects.bulk_create(
        CaseLocation(case=case, kind=kind, country=state[:2], subdivision=state) for case in cases
    )
    Person.objects.bulk_create(
        Person(
            case=case,
            roles=["potential_victim"],
            first_name="Rosa",
            last_name="Secreta",
            gender=gender,
            age_band=age_band,
            citizenship=citizenship or ["MX"],
        )
        for case in cases
        for _ in range(victims)
    )
    return cases
