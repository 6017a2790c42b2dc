"""The status workflow: only the edges in the table, closing needs a reason, reopening is
a supervisor's decision."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from puente.cases import domain
from puente.cases.models import Case
from puente.core.choices import CaseStatus, ClosingReason
from tests.factories import make_case

pytestmark = pytest.mark.django_db

STATUSES = list(CaseStatus.values)


def test_table_shape():
    assert ("closed", "active") in domain.TRANSITIONS
    assert ("referred", "active") in domain.TRANSITIONS
    assert ("monitoring", "active") in domain.TRANSITIONS
    assert ("new", "monitoring") not in domain.TRANSITIONS
    assert ("closed", "referred") not in domain.TRANSITIONS
    assert all(old != new for old, new in domain.TRANSITIONS)


def test_allowed_transitions_depend_on_role(advocate, supervisor):
    assert domain.allowed_transitions(status="closed", user=advocate) == []
    assert domain.allowed_transitions(status="closed", user=supervisor) == ["active"]
    assert domain.allowed_transitions(status="new", user=advocate) == [
        "active",
        "referred",
        "closed",
    ]


def test_refused_edge_has_clear_message(advocate):
    case = make_case(created_by=advocate)
    with pytest.raises(ValidationError) as err:
        domain.change_status(case_id=case.pk, expected_version=1, status="monitoring", by=advocate)
    assert err.value.message_dict["status"] == ["A case cannot go from “New” to “Monitoring”."]


def test_closing_needs_reason_and_reopen_needs_supervisor(advocate, supervisor):
    case = make_case(created_by=advocate)
    with pytest.raises(ValidationError) as err:
        domain.change_status(case_id=case.pk, expected_version=1, status="closed", by=advocate)
    assert "closing_reason" in err.value.message_dict
    closed = domain.change_status(
        case_id=case.pk,
        expected_version=1,
        status="closed",
        closing_reason="declined",
        closing_note="Caller declined.",
        by=advocate,
    )
    assert closed.closed_at is not None and closed.closing_reason == "declined"
    with pytest.raises(ValidationError) as err:
        domain.change_status(case_id=case.pk, expected_version=2, status="active", by=advocate)
    assert err.value.message_dict["status"] == ["Only a supervisor can reopen a closed case."]
    reopened = domain.change_status(
        case_id=case.pk, expected_version=2, status="active", by=supervisor
    )
    assert (reopened.status, reopened.closing_reason, reopened.closed_at) == ("active", "", None)


@settings(
    max_examples=25,
    # The project's profile (tests/conftest.py), plus: one case per example is made inside
    # the test, and the users may be shared across examples.
    suppress_health_check=[
        *settings.default.suppress_health_check,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(STATUSES), st.sampled_from(["", *ClosingReason.values]), st.booleans()
        ),
        min_size=1,
        max_size=8,
    )
)
def test_random_sequences_take_only_allowed_edges(advocate, supervisor, steps):
    case = make_case(created_by=advocate)
    for target, reason, as_supervisor in steps:
        user = supervisor if as_supervisor else advocate
        before = Case.objects.get(pk=case.pk)
        try:
            domain.change_status(
                case_id=case.pk,
                expected_version=before.version,
                status=target,
                closing_reason=reason,
                by=user,
            )
        except ValidationError:
            after = Case.objects.get(pk=case.pk)
            assert (after.status, after.version) == (before.status, before.version)
        else:
            after = Case.objects.get(pk=case.pk)
            if target != before.status:
                perm = domain.TRANSITIONS[(before.status, target)]
                assert user.can(perm)
            assert after.status == target
        if after.status == "closed":
            assert after.closing_reason in ClosingReason.values
            assert after.closed_at is not None
        else:
            assert after.closing_reason == ""
