"""The generator's planted networks (puente/sampledata/synthetic.py): persons who recur
across unrelated cases, written differently each time, with a ground truth to score the
matching against."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from puente.cases.models import Identifier, Person
from puente.sampledata import synthetic
from puente.sampledata.synthetic import generate

pytestmark = pytest.mark.django_db


def test_planted_persons_recur_across_cases_written_differently():
    summary = generate(contacts=3000, years=3, seed=11, batch_size=3000, country="MX")
    by_number: dict[int, list[Person]] = {}
    persons = Person.objects.in_bulk(list(summary.planted))
    for person_id, number in summary.planted.items():
        by_number.setdefault(number, []).append(persons[person_id])
    recurring = [group for group in by_number.values() if len(group) > 1]
    assert len(recurring) >= 5
    phones = dict(
        Identifier.objects.filter(person_id__in=summary.planted, kind="phone").values_list(
            "person_id", "normalised"
        )
    )
    spellings = set()
    for group in recurring:
        # Unrelated cases: never twice in one.
        assert len({p.case_id for p in group}) == len(group)
        for person in group:
            # Each occurrence keeps a strong trace: the date of birth or the phone.
            assert person.birthdate or person.pk in phones
            assert person.roles == ["exploiter"]
        spellings |= {(p.first_name, p.last_name) for p in group}
        assert len({phones[p.pk] for p in group if p.pk in phones}) <= 1
    names = [f"{first} {last}" for first, last in spellings]
    assert any(n.isascii() for n in names) and not all(n.isascii() for n in names)
    # One surname and two.
    assert {len(last.split()) for _first, last in spellings} >= {1, 2}


def test_planting_leaves_every_other_row_as_it_was(monkeypatch):
    """Planted persons draw from their own random generator: with or without them, every
    other person is the same (ids aside)."""

    def persons(planted) -> list[tuple]:
        return list(
            Person.objects.exclude(pk__in=planted)
            .order_by("pk")
            .values_list("first_name", "last_name", "alias", "age", "roles")
        )

    monkeypatch.setattr(synthetic, "PLANT_SHARE", 0.0)
    without = generate(contacts=800, years=2, seed=5, batch_size=800, country="US")
    assert not without.planted
    before = persons([])
    Person.objects.all().delete()
    monkeypatch.undo()
    planted = generate(contacts=800, years=2, seed=5, batch_size=800, country="US")
    assert planted.planted
    assert persons(planted.planted) == before


def test_generate_writes_the_ground_truth(tmp_path):
    path = tmp_path / "planted.json"
    out = StringIO()
    call_command("generate", "--contacts", "1500", "--years", "2", "--truth", str(path), stdout=out)
    truth = json.loads(path.read_text())
    assert truth
    assert set(map(int, truth)) <= set(Person.objects.values_list("pk", flat=True))
    assert "ground truth in" in out.getvalue()
