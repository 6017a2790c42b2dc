from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases.models import Case, CaseAccess
from puente.intake.models import Contact
from puente.screening.domain import record_screening
from puente.screening.models import Screening
from tests.factories import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db


def test_contact_screening_stores_level_reasons_and_sets_contact_level(advocate):
    contact = make_contact(taken_by=advocate)
    screening = record_screening(
        by=advocate,
        contact=contact,
        indicators=["labour_no_pay", "withholds_documents", "takes_earnings"],
    )
    screening.refresh_from_db()
    assert screening.legal_frame == "us_tvpa"  # PUENTE_COUNTRY=US in tests
    assert screening.indicators == ["labour_no_pay", "takes_earnings", "withholds_documents"]
    assert screening.computed_level == "high"
    assert screening.reasons == [
        "Labor or services obtained through force, fraud or coercion: every element of labor trafficking is indicated."
    ]
    assert screening.screened_by == advocate
    assert Contact.objects.get(pk=contact.pk).level_of_indicators == "high"
    entry = AuditEntry.objects.get(action="create", object_type="screening")
    assert entry.object_id == str(screening.pk) and entry.actor == advocate
    assert {"field": "computed_level", "old": None, "new": "high"} in entry.changes


def test_legal_frame_defaults_to_mexico_on_a_mexican_hotline(settings, advocate):
    settings.PUENTE_COUNTRY = "MX"
    contact = make_contact(
        taken_by=advocate, country="MX", subdivision="MX-JAL", city="Guadalajara"
    )
    screening = record_screening(
        by=advocate, contact=contact, indicators=["commercial_sex_third_party"]
    )
    assert (screening.legal_frame, screening.computed_level) == ("mx_lgt", "moderate")


def test_case_screening_sets_level_and_adds_methods_of_control(advocate):
    case = make_case(created_by=advocate, methods_of_control=["Other", "DebtBondage"])
    record_screening(
        by=advocate,
        case=case,
        indicators=["debt_bondage", "physical_abuse", "commercial_sex_third_party"],
    )
    stored = Case.objects.get(pk=case.pk)
    assert stored.level_of_indicators == "high"
    # Union, keeping what was there and its order; no duplicate DebtBondage.
    assert stored.methods_of_control == ["Other", "DebtBondage", "PhysicalAbuse"]
    entry = AuditEntry.objects.get(action="create", object_type="screening")
    assert entry.object_ref == case.reference
    assert {
        "field": "case.methods_of_control",
        "old": ["Other", "DebtBondage"],
        "new": ["Other", "DebtBondage", "PhysicalAbuse"],
    } in entry.changes


def test_override_sets_effective_level_and_is_audited_with_reason(advocate):
    contact = make_contact(taken_by=advocate)
    case = make_case(created_by=advocate)
    screening = record_screening(
        by=advocate,
        contact=contact,
        case=case,
        indicators=["irregular_status"],
        override_level="moderate",
        override_reason="Caller described a locked dormitory twice.",
    )
    assert (screening.computed_level, screening.level) == ("low", "moderate")
    assert Contact.objects.get(pk=contact.pk).level_of_indicators == "moderate"
    assert Case.objects.get(pk=case.pk).level_of_indicators == "moderate"
    override = AuditEntry.objects.get(action="override")
    assert override.reason == "Caller described a locked dormitory twice."
    assert override.changes == [{"field": "level", "old": "low", "new": "moderate"}]
    assert override.object_id == str(screening.pk)


@pytest.mark.parametrize("reason", ["", "   ", "too short"])
def test_override_without_a_written_reason_is_refused(advocate, reason):
    contact = make_contact(taken_by=advocate)
    with pytest.raises(ValidationError) as exc:
        record_screening(
            by=advocate,
            contact=contact,
            indicators=[],
            override_level="high",
            override_reason=reason,
        )
    assert "override_reason" in exc.value.message_dict
    assert not Screening.objects.exists()
    assert Contact.objects.get(pk=contact.pk).level_of_indicators == ""
    assert not AuditEntry.objects.filter(
        action__in=["create", "override"], object_type="screening"
    ).exists()


def test_unknown_indicator_is_refused(advocate):
    contact = make_contact(taken_by=advocate)
    with pytest.raises(ValidationError) as exc:
        record_screening(by=advocate, contact=contact, indicators=["physical_abuse", "made_up"])
    assert "made_up" in str(exc.value.message_dict["indicators"])
    assert not Screening.objects.exists()


def test_needs_a_contact_or_a_case(advocate):
    with pytest.raises(ValidationError):
        record_screening(by=advocate, indicators=["physical_abuse"])


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.ANALYST, Role.LIAISON])
def test_roles_without_screening_permission_are_refused(role):
    contact = make_contact()
    with pytest.raises(PermissionDenied):
        record_screening(by=make_user(role), contact=contact, indicators=["physical_abuse"])
    assert not Screening.objects.exists()


def test_restricted_case_needs_edit_access(advocate, supervisor):
    case = make_case(created_by=supervisor, restricted=True)
    contact = make_contact(taken_by=supervisor, case=case)
    with pytest.raises(PermissionDenied):
        record_screening(by=advocate, case=case, indicators=["physical_abuse"])
    with pytest.raises(PermissionDenied):
        record_screening(by=advocate, contact=contact, indicators=["physical_abuse"])
    assert not Screening.objects.exists()
    CaseAccess.objects.create(case=case, user=advocate, granted_by=supervisor)
    record_screening(by=advocate, contact=contact, indicators=["physical_abuse"])
    assert Contact.objects.get(pk=contact.pk).level_of_indicators == "low"
