"""Sample data for the linkage part: a proposed match between two persons of two cases,
for the permission matrix and the Spanish walk (tests/test_permission_matrix.py,
tests/core/test_spanish_everywhere.py) as well as this part's own tests."""

from __future__ import annotations

from puente.cases.models import Person
from puente.networks.models import PersonLink

EVIDENCE = [
    {"comparison": "given_name", "level": "exact", "weight": 4.7},
    {"comparison": "surnames", "level": "first", "weight": 3.6},
    {"comparison": "birth", "level": "exact", "weight": 14.4},
    {"comparison": "identifiers", "level": "one_rare", "weight": 10.6},
    {"comparison": "alias", "level": "null", "weight": 0.0},
    {"comparison": "gender", "level": "exact", "weight": 0.9},
]


def sample_link() -> PersonLink:
    """A proposed match between two named persons of two unrestricted cases already in
    the database (the demo's, or a test's world); made if none is there yet."""
    existing = PersonLink.objects.order_by("pk").first()
    if existing:
        return existing
    first = Person.objects.exclude(last_name="").filter(case__restricted=False).order_by("pk")[0]
    second = (
        Person.objects.exclude(last_name="")
        .filter(case__restricted=False)
        .exclude(case=first.case)
        .order_by("pk")[0]
    )
    a, b = sorted([first, second], key=lambda p: p.pk)
    return PersonLink.objects.create(
        person_a=a, person_b=b, match_weight=12.3, match_probability=0.9998, evidence=EVIDENCE
    )
