from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain
from puente.cases.access import can_open_case, openable_cases
from puente.cases.models import BreakGlass, Case, CaseAccess, CaseNote, Identifier
from puente.core.concurrency import StaleWriteError
from tests.factories import make_case, make_user

pytestmark = pytest.mark.django_db


def _changes(case, action="change"):
    entry = AuditEntry.objects.filter(
        object_type="case", object_id=str(case.pk), action=action
    ).first()
    return entry


def test_reference_format_and_sequential(advocate):
    year = timezone.localtime().year
    first = make_case(created_by=advocate)
    second = make_case(created_by=advocate)
    assert re.fullmatch(r"US-\d{4}-\d{6}", first.reference)
    assert first.reference == f"US-{year}-000001"
    assert second.reference == f"US-{year}-000002"


def test_reference_uses_hotline_country(settings, advocate):
    settings.PUENTE_COUNTRY = "MX"
    case = make_case(created_by=advocate)
    assert case.reference.startswith("MX-")
    assert case.reference.endswith("-000001")


def test_open_case_refuses_unknown_codes(advocate):
    with pytest.raises(ValidationError) as err:
        make_case(created_by=advocate, venues=["construction", "moon_base"])
    assert "venues" in err.value.message_dict
    assert "moon_base" in err.value.message_dict["venues"][0]
    assert Case.objects.count() == 0


def test_update_case_writes_bumps_version_and_audits_field_old_new(advocate):
    case = make_case(created_by=advocate, title="Warehouse")
    updated = domain.update_case(
        case_id=case.pk,
        expected_version=1,
        by=advocate,
        changes={
            "title": "Warehouse on 5th",
            "methods_of_control": ["DebtBondage", "DebtBondage"],
            "summary": "",
        },
    )
    assert updated.version == 2
    stored = Case.objects.get(pk=case.pk)
    assert stored.title == "Warehouse on 5th"
    assert stored.methods_of_control == ["DebtBondage"]
    entry = _changes(case)
    assert {"field": "title", "old": "Warehouse", "new": "Warehouse on 5th"} in entry.changes
    assert {"field": "methods_of_control", "old": [], "new": ["DebtBondage"]} in entry.changes
    # Unchanged fields are not reported as changes.
    assert all(change["field"] != "summary" for change in entry.changes)
    assert entry.actor_id == advocate.pk


def test_update_case_validates_every_multiselect(advocate):
    case = make_case(created_by=advocate)
    with pytest.raises(ValidationError) as err:
        domain.update_case(
            case_id=case.pk,
            expected_version=1,
            by=advocate,
            changes={
                "forms_of_exploitation": ["Nope"],
                "mx_forms_of_exploitation": ["esclavitud", "x"],
                "venues": ["bad"],
                "methods_of_control": ["bad"],
                "methods_of_recruitment": ["bad"],
            },
        )
    assert set(err.value.message_dict) == {
        "forms_of_exploitation",
        "mx_forms_of_exploitation",
        "venues",
        "methods_of_control",
        "methods_of_recruitment",
    }
    assert Case.objects.get(pk=case.pk).version == 1


def test_stale_update_is_refused_and_names_who_changed_it(advocate):
    other = make_user(Role.ADVOCATE, first_name="Bea", last_name="Bravo")
    case = make_case(created_by=advocate)
    # Two people read version 1.
    domain.update_case(case_id=case.pk, expected_version=1, by=other, changes={"title": "First"})
    with pytest.raises(StaleWriteError) as err:
        domain.update_case(
            case_id=case.pk, expected_version=1, by=advocate, changes={"title": "Second"}
        )
    assert isinstance(err.value, ValidationError)
    assert "Bea Bravo" in err.value.messages[0]
    assert err.value.changed_by == "Bea Bravo"
    assert err.value.current_version == 2
    stored = Case.objects.get(pk=case.pk)
    assert stored.title == "First" and stored.version == 2


def test_conditional_update_loses_race(advocate, monkeypatch):
    """Even if the version check passes on read, the UPDATE itself is conditional."""
    case = make_case(created_by=advocate)
    real_update = Case.objects.filter

    def racing_filter(*args, **kwargs):
        if "version" in kwargs:
            Case.objects.filter(pk=case.pk).update(version=5)
        return real_update(*args, **kwargs)

    monkeypatch.setattr(Case.objects, "filter", racing_filter)
    with pytest.raises(StaleWriteError):
        domain.update_case(case_id=case.pk, expected_version=1, by=advocate, changes={"title": "x"})


def test_analyst_and_administrator_cannot_update(analyst, administrator, advocate):
    case = make_case(created_by=advocate)
    for user in (analyst, administrator):
        with pytest.raises(PermissionDenied):
            domain.update_case(case_id=case.pk, expected_version=1, by=user, changes={"title": "x"})


def test_update_person_is_versioned(advocate):
    case = make_case(created_by=advocate)
    person = domain.add_person(
        case=case,
        by=advocate,
        role="potential_victim",
        first_name="Rosa",
        citizenship=["mx", "GT"],
        roles_in_process=[],
    )
    assert person.citizenship == ["MX", "GT"]
    domain.update_person(person_id=person.pk, expected_version=1, by=advocate, changes={"age": 16})
    with pytest.raises(StaleWriteError):
        domain.update_person(
            person_id=person.pk, expected_version=1, by=advocate, changes={"age": 30}
        )
    person.refresh_from_db()
    assert person.age == 16 and person.version == 2 and person.is_minor
    entry = AuditEntry.objects.filter(object_type="person", action="change").first()
    assert entry.changes == [{"field": "age", "old": None, "new": 16}]
    assert entry.object_ref == case.reference


def test_business_exploiter_needs_a_name(advocate):
    case = make_case(created_by=advocate)
    with pytest.raises(ValidationError) as err:
        domain.add_person(case=case, by=advocate, role="exploiter", is_business=True)
    assert "alias" in err.value.message_dict
    business = domain.add_person(
        case=case, by=advocate, role="exploiter", is_business=True, alias="Sunrise Nails LLC"
    )
    assert business.display_name == "Sunrise Nails LLC"


@pytest.mark.parametrize(
    ("kind", "value", "normalised"),
    [
        ("phone", "(713) 555-0142", "+17135550142"),
        ("phone", "+52 1 55 1234 5678", "+525512345678"),
        ("email", "  Boss@Example.COM ", "boss@example.com"),
        ("social", "@NightClub_Jobs", "@nightclub_jobs"),
        ("address", "  12   Elm St,  Houston ", "12 elm st, houston"),
        ("address", "Calle REFORMA 10", "calle reforma 10"),
        ("vehicle", "Nissan  NP300 ABC-1234", "nissan np300 abc-1234"),
        ("online_ad", "https://Ads.Example/Tijuana/12345", "https://ads.example/tijuana/12345"),
        ("business", "Sunrise  Nails LLC", "sunrise nails llc"),
    ],
)
def test_identifier_normalisation(advocate, kind, value, normalised):
    case = make_case(created_by=advocate)
    identifier = domain.add_identifier(case=case, kind=kind, value=value, by=advocate)
    assert Identifier.objects.get(pk=identifier.pk).normalised == normalised


def test_bad_phone_identifier_refused(advocate):
    case = make_case(created_by=advocate)
    with pytest.raises(ValidationError) as err:
        domain.add_identifier(case=case, kind="phone", value="12", by=advocate)
    assert "value" in err.value.message_dict
    assert Identifier.objects.count() == 0


def test_location_checks_country_and_subdivision(advocate):
    case = make_case(created_by=advocate)
    location = domain.add_location(
        case=case, kind="Exploitation", country="mx", subdivision="MX-DIF", by=advocate
    )
    assert (location.country, location.subdivision) == ("MX", "MX-CMX")
    with pytest.raises(ValidationError) as err:
        domain.add_location(
            case=case, kind="Recruitment", country="US", subdivision="MX-JAL", by=advocate
        )
    assert "subdivision" in err.value.message_dict


def test_tasks_and_notes(advocate):
    case = make_case(created_by=advocate)
    task = domain.add_task(case=case, title="Call shelter", assignee=advocate, by=advocate)
    domain.complete_task(task=task, by=advocate)
    first_done = task.done_at
    domain.complete_task(task=task, by=advocate)  # second click changes nothing
    assert task.done_at == first_done
    assert AuditEntry.objects.filter(object_type="task", action="change").count() == 1
    note = domain.add_note(case=case, body="Spoke with caller.", by=advocate)
    note.body = "rewritten"
    with pytest.raises(RuntimeError):
        note.save()
    assert CaseNote.objects.get(pk=note.pk).body == "Spoke with caller."
    with pytest.raises(ValidationError):
        domain.add_note(case=case, body="   ", by=advocate)


def test_restricted_case_hidden_until_break_glass(advocate, supervisor):
    case = make_case(created_by=supervisor)
    domain.restrict_case(case=case, by=supervisor)
    assert CaseAccess.objects.filter(case=case, user=supervisor).exists()
    assert not can_open_case(advocate, case)
    assert case not in openable_cases(advocate)
    with pytest.raises(ValidationError):
        domain.break_glass(case=case, user=advocate, reason="need it")
    event = domain.break_glass(case=case, user=advocate, reason="Caller in danger, needs history")
    assert (
        timedelta(hours=11, minutes=59)
        < event.expires_at - event.at
        <= timedelta(hours=12, seconds=1)
    )
    assert can_open_case(advocate, case)
    entry = AuditEntry.objects.filter(action="break_glass").get()
    assert entry.reason == "Caller in danger, needs history" and entry.object_ref == case.reference
    BreakGlass.objects.filter(pk=event.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not can_open_case(advocate, case)


def test_only_supervisors_restrict_and_grant(advocate, supervisor):
    case = make_case(created_by=advocate)
    with pytest.raises(PermissionDenied):
        domain.restrict_case(case=case, by=advocate)
    domain.restrict_case(case=case, by=supervisor)
    other = make_user(Role.ADVOCATE)
    domain.grant_access(case=case, user=other, by=supervisor)
    assert can_open_case(other, case)
    domain.revoke_access(case=case, user=other, by=supervisor)
    assert not can_open_case(other, case)
    changes = [
        e.changes[0]["field"]
        for e in AuditEntry.objects.filter(object_type="case", action="change")
    ]
    assert changes.count("access_list") == 2 and "restricted" in changes


def test_review_break_glass(advocate, supervisor):
    case = make_case(created_by=supervisor)
    domain.restrict_case(case=case, by=supervisor)
    event = domain.break_glass(case=case, user=advocate, reason="Caller in danger right now")
    with pytest.raises(PermissionDenied):
        domain.review_break_glass(event=event, by=advocate)
    domain.review_break_glass(event=event, by=supervisor)
    event.refresh_from_db()
    assert event.reviewed_by == supervisor and event.reviewed_at is not None


def test_writes_reindex_on_commit(advocate, django_capture_on_commit_callbacks, monkeypatch):
    seen = []
    monkeypatch.setattr("puente.search.indexing.reindex_case", seen.append)
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(created_by=advocate)
        domain.add_note(case=case, body="x", by=advocate)
    assert seen == [case.pk, case.pk]


def test_a_case_opened_earlier_is_numbered_and_dated_then_but_audited_now(advocate):
    opened = timezone.now() - timedelta(days=800)
    case = domain.open_case(by=advocate, title="Written up from a paper file", opened_at=opened)
    year = timezone.localtime(opened).year
    assert case.reference == f"US-{year}-000001"
    case.refresh_from_db()
    assert case.created_at == opened
    entry = AuditEntry.objects.get(action="create", object_id=str(case.pk))
    assert entry.at > opened + timedelta(days=799)
