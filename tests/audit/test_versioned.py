"""Every versioned record refuses a save read at an older version the same way: one
StaleWriteError naming who saved first (from the audit trail), nothing written, nothing
audited for the refused save."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.audit.versioned import last_change
from puente.cases import domain as cases
from puente.core.concurrency import StaleWriteError
from puente.directory import domain as directory
from puente.intake import domain as intake
from puente.referrals import domain as referrals
from tests.directory.conftest import make_provider
from tests.factories import make_case, make_contact, make_user
from tests.referrals.conftest import make_referral, make_report


@dataclass(frozen=True)
class Kind:
    """One kind of versioned record: how to make one, and how to change its text field
    as `by`, naming the version read."""

    name: str
    role: str
    make: Callable
    change: Callable  # (record, version, by, text) -> None
    read: Callable  # record -> the text field as stored


def _contact_data(contact, summary: str) -> dict:
    return {
        "channel": contact.channel,
        "reason": contact.reason,
        "started_at": contact.started_at,
        "signaler_type": contact.signaler_type,
        "country": contact.country,
        "subdivision": contact.subdivision,
        "city": contact.city,
        "summary": summary,
    }


KINDS = [
    Kind(
        "case",
        Role.ADVOCATE,
        make=lambda by: make_case(created_by=by, title="Original"),
        change=lambda r, v, by, text: cases.update_case(
            case_id=r.pk, expected_version=v, changes={"title": text}, by=by
        ),
        read=lambda r: type(r).objects.get(pk=r.pk).title,
    ),
    Kind(
        "person",
        Role.ADVOCATE,
        make=lambda by: cases.add_person(
            case=make_case(created_by=by), by=by, role="potential_victim", first_name="Original"
        ),
        change=lambda r, v, by, text: cases.update_person(
            person_id=r.pk, expected_version=v, changes={"first_name": text}, by=by
        ),
        read=lambda r: type(r).objects.get(pk=r.pk).first_name,
    ),
    Kind(
        "provider",
        Role.ADMINISTRATOR,
        make=lambda by: make_provider(by=by, name="Original"),
        change=lambda r, v, by, text: directory.update_provider(
            provider_id=r.pk, expected_version=v, changes={"name": text}, by=by
        ),
        read=lambda r: type(r).objects.get(pk=r.pk).name,
    ),
    Kind(
        "referral",
        Role.ADVOCATE,
        make=lambda by: make_referral(case=make_case(created_by=by), by=by, notes="Original"),
        change=lambda r, v, by, text: referrals.update_referral(
            referral_id=r.pk, expected_version=v, changes={"notes": text}, by=by
        ),
        read=lambda r: type(r).objects.get(pk=r.pk).notes,
    ),
    Kind(
        "report",
        Role.ADVOCATE,
        make=lambda by: make_report(case=make_case(created_by=by), by=by),
        change=lambda r, v, by, text: referrals.update_authority_report(
            report_id=r.pk, expected_version=v, changes={"reference_number": text}, by=by
        ),
        read=lambda r: type(r).objects.get(pk=r.pk).reference_number,
    ),
    Kind(
        "contact",
        Role.ADVOCATE,
        make=lambda by: make_contact(taken_by=by, summary="Original"),
        change=lambda r, v, by, text: intake.update_contact(
            contact=r, version=v, by=by, data=_contact_data(r, text)
        ),
        read=lambda r: type(r).objects.get(pk=r.pk).summary,
    ),
]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_a_save_read_at_an_older_version_is_refused_the_same_way(kind, db):
    me = make_user(kind.role)
    colleague = make_user(kind.role, first_name="Bea", last_name="Bravo")
    record = kind.make(me)
    # Both read version 1; the colleague saves first.
    kind.change(record, 1, colleague, "Theirs")
    changes_before = AuditEntry.objects.filter(action="change").count()

    with pytest.raises(StaleWriteError) as refused:
        kind.change(record, 1, me, "Mine")

    error = refused.value
    assert isinstance(error, ValidationError) and error.code == "stale"
    assert (error.changed_by, error.current_version) == ("Bea Bravo", 2)
    assert error.record.pk == record.pk and error.record.version == 2
    assert "Bea Bravo" in error.messages[0] and "after you opened it" in error.messages[0]
    assert kind.read(record) == "Theirs"
    assert AuditEntry.objects.filter(action="change").count() == changes_before


def test_the_refusal_is_a_whole_sentence_per_kind_of_record_in_spanish(advocate):
    case = make_case(created_by=advocate)
    person = cases.add_person(case=case, by=advocate, role="potential_victim", first_name="Rosa")
    with translation.override("es"):
        about_case = StaleWriteError(record=case, changed_by="Bea", changed_at=None).messages[0]
        about_person = StaleWriteError(record=person, changed_by="Bea", changed_at=None).messages[0]
    assert about_case.startswith("Bea cambió este caso el ")
    assert about_person.startswith("Bea cambió los datos de esta persona el ")


def test_a_record_without_a_sentence_of_its_own_gets_the_generic_one():
    thing = SimpleNamespace(version=3, _meta=SimpleNamespace(label_lower="elsewhere.thing"))
    error = StaleWriteError(record=thing, changed_by="Bea", changed_at=None)
    assert error.messages[0].startswith("This record was changed by Bea at ?")
    assert error.current_version == 3


def test_who_saved_last_comes_from_the_audit_trail(advocate):
    colleague = make_user(Role.ADVOCATE, first_name="Bea", last_name="Bravo")
    case = make_case(created_by=advocate)
    assert last_change(obj=case).by == advocate.display_name
    cases.update_case(case_id=case.pk, expected_version=1, changes={"title": "x"}, by=colleague)
    latest = AuditEntry.objects.filter(object_id=str(case.pk), action="change").get()
    assert (last_change(obj=case).by, last_change(obj=case).at) == ("Bea Bravo", latest.at)
