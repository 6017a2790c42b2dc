"""A screening is about one person, and it reaches the case: listed there, filling the
case's HTCDS fields, and following its contact into a case (issue 11, screening 1 and 4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from puente.audit.models import AuditEntry
from puente.cases.models import Case, Person
from puente.intake.domain import link_contact_to_case, open_case_from_contact
from puente.screening.domain import correct_case_findings, record_screening
from puente.screening.models import Screening
from tests.factories import make_case, make_contact

pytestmark = pytest.mark.django_db


def victim(case, **fields):
    return Person.objects.create(case=case, roles=["potential_victim"], **fields)


def test_an_adult_in_commercial_sex_is_not_high_because_another_person_is_a_child(advocate):
    case = make_case(created_by=advocate)
    adult = victim(case, age=30)
    screening = record_screening(
        by=advocate,
        case=case,
        person=adult,
        indicators=["commercial_sex_third_party", "illegal_adoption"],
    )
    assert screening.computed_level == "low"
    assert screening.person == adult


def test_the_persons_own_age_makes_the_minor_rule_apply(advocate):
    case = make_case(created_by=advocate)
    girl = victim(case, age_band="9-17")
    screening = record_screening(
        by=advocate, case=case, person=girl, indicators=["commercial_sex_third_party"]
    )
    assert screening.computed_level == "high"
    assert screening.conclusions[0]["law"] == "TVPA, 22 U.S.C. 7102(11)(A)"
    assert screening.conclusions[0]["exploitation"] == ["commercial_sex_third_party"]


def test_only_a_potential_victim_of_the_same_case_is_screened(advocate):
    case, other = make_case(created_by=advocate), make_case(created_by=advocate)
    exploiter = Person.objects.create(case=case, roles=["exploiter"])
    with pytest.raises(ValidationError):
        record_screening(by=advocate, case=case, person=exploiter, indicators=["labour_no_pay"])
    with pytest.raises(ValidationError):
        record_screening(by=advocate, case=case, person=victim(other), indicators=["labour_no_pay"])
    assert not Screening.objects.exists()


def test_a_screening_fills_the_cases_htcds_fields_and_keeps_the_advocates(advocate):
    case = make_case(created_by=advocate, methods_of_control=["Other"])
    record_screening(
        by=advocate,
        case=case,
        indicators=["labour_no_pay", "debt_bondage", "takes_earnings"],
        legal_frame="mx_lgt",
    )
    case.refresh_from_db()
    assert case.level_of_indicators == "high"
    assert case.methods_of_control == ["Other", "DebtBondage", "TakesEarnings"]
    assert case.forms_of_exploitation == ["ForcedLabour"]
    assert case.mx_forms_of_exploitation == ["condicion_siervo", "explotacion_laboral"]
    assert case.exploitation_type == "labour"


def test_screening_a_contact_already_in_a_case_screens_for_that_case(advocate):
    case = make_case(created_by=advocate)
    contact = make_contact(taken_by=advocate, case=case)
    screening = record_screening(
        by=advocate, contact=contact, indicators=["commercial_sex_third_party", "physical_abuse"]
    )
    assert screening.case_id == case.pk
    case.refresh_from_db()
    assert (case.level_of_indicators, case.methods_of_control) == ("high", ["PhysicalAbuse"])


def test_a_case_opened_from_a_screened_contact_brings_its_screenings(advocate, advocate_client):
    contact = make_contact(taken_by=advocate)
    screening = record_screening(
        by=advocate, contact=contact, indicators=["labour_no_pay", "contract_switching"]
    )
    case = open_case_from_contact(contact=contact, by=advocate)
    screening.refresh_from_db()
    case.refresh_from_db()
    assert screening.case_id == case.pk
    assert case.level_of_indicators == "high"
    assert case.methods_of_control == ["FalsePromises"]
    assert case.forms_of_exploitation == ["ForcedLabour"]
    assert case.mx_forms_of_exploitation == ["explotacion_laboral"]
    assert AuditEntry.objects.filter(
        object_type="screening", object_id=str(screening.pk), action="change"
    ).exists()
    page = advocate_client.get(reverse("cases:detail", kwargs={"reference": case.reference}))
    html = page.content.decode()
    assert 'data-testid="screening"' in html
    assert "Not screened yet." not in html
    assert "TVPA, 22 U.S.C. 7102(11)(B)" in html


def test_filing_a_screened_contact_in_a_case_never_lowers_the_cases_level(advocate):
    case = make_case(created_by=advocate, level_of_indicators="high")
    contact = make_contact(taken_by=advocate)
    record_screening(by=advocate, contact=contact, indicators=["irregular_status"])
    link_contact_to_case(contact=contact, case=case, by=advocate)
    case.refresh_from_db()
    assert case.level_of_indicators == "high"
    assert Screening.objects.get(contact=contact).case_id == case.pk


def test_a_correction_of_the_findings_is_audited_with_who_and_why(advocate):
    case = make_case(created_by=advocate)
    record_screening(by=advocate, case=case, indicators=["labour_no_pay", "takes_earnings"])
    case.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        correct_case_findings(
            case=case,
            by=advocate,
            expected_version=case.version,
            changes={"forms_of_exploitation": []},
            reason="",
        )
    assert "reason" in refused.value.message_dict
    corrected = correct_case_findings(
        case=case,
        by=advocate,
        expected_version=case.version,
        changes={"forms_of_exploitation": ["Servitude"]},
        reason="She lives in the employer's house and works for her keep.",
    )
    assert corrected.forms_of_exploitation == ["Servitude"]
    entry = AuditEntry.objects.filter(object_type="case", object_id=str(case.pk)).latest("id")
    assert entry.actor_id == advocate.pk
    assert entry.reason == "She lives in the employer's house and works for her keep."
    assert Case.objects.get(pk=case.pk).version == case.version + 1
