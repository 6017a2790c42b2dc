"""The data steps of screening migration 0003, on the database under test (CI runs
SQLite and PostgreSQL): screenings reach their contact's case, and `UsesChildren` put
in by the old minor indicators is taken out (issue 11, screening 4 and 5)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection

from puente.cases.models import Case
from puente.screening.models import Screening
from tests.factories import make_case, make_contact

pytestmark = pytest.mark.django_db

migration = importlib.import_module(
    "puente.screening.migrations.0003_person_conclusions_uses_children"
)


def old_screening(**fields):
    defaults = dict(legal_frame="us_tvpa", computed_level="high", reasons=["…"])
    return Screening.objects.create(**(defaults | fields))


def test_a_contacts_screening_is_attached_to_the_contacts_case(advocate):
    case = make_case(created_by=advocate)
    filed = old_screening(contact=make_contact(taken_by=advocate, case=case))
    loose = old_screening(contact=make_contact(taken_by=advocate))
    migration.attach_to_contact_case(apps, connection.schema_editor())
    filed.refresh_from_db()
    loose.refresh_from_db()
    assert (filed.case_id, loose.case_id) == (case.pk, None)


def test_uses_children_put_in_by_a_minor_indicator_is_removed_and_an_advocates_kept(advocate):
    misused = make_case(created_by=advocate, methods_of_control=["TakesEarnings", "UsesChildren"])
    old_screening(case=misused, indicators=["minor_commercial_sex", "takes_earnings"])
    via_contact = make_case(created_by=advocate, methods_of_control=["UsesChildren"])
    old_screening(
        contact=make_contact(taken_by=advocate, case=via_contact),
        indicators=["minor_criminal_activity"],
    )
    chosen = make_case(created_by=advocate, methods_of_control=["UsesChildren"])
    old_screening(case=chosen, indicators=["labour_no_pay"])
    migration.drop_misused_uses_children(apps, connection.schema_editor())
    assert Case.objects.get(pk=misused.pk).methods_of_control == ["TakesEarnings"]
    assert Case.objects.get(pk=via_contact.pk).methods_of_control == []
    assert Case.objects.get(pk=chosen.pk).methods_of_control == ["UsesChildren"]


def test_the_demo_data_never_uses_uses_children_for_a_minor():
    from pathlib import Path

    import puente.sampledata

    data = Path(puente.sampledata.__file__).parent / "data"
    assert all("UsesChildren" not in p.read_text() for p in data.glob("*.json"))
