"""A supervisor approves a cross-border referral before it leaves: nothing is written to
the outbox until then; a declined referral never leaves; nobody approves their own
request; a hotline can switch the step off; every step is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.federation import domain
from puente.federation.models import CrossBorderReferral, OutboxMessage
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user


@pytest.fixture(autouse=True)
def approval_on(settings):
    settings.PUENTE_APPROVE_CROSS_BORDER = True  # the default, off in the other tests here


@pytest.fixture
def us_case(liaison):
    case = make_case(created_by=liaison, title="Domestic worker")
    person = cases.add_person(
        case=case, by=liaison, role="potential_victim", first_name="Lucía", gender="Feminine"
    )
    return case, person


def _send(case, partner, by, person=None, **overrides):
    values = dict(
        case=case,
        partner=partner.hotline,
        by=by,
        person=person,
        consent_given=True,
        consent_method="verbal",
        fields=["prs_Gender"],
        summary="Needs a shelter in Monterrey.",
    )
    values.update(overrides)
    return domain.send_referral(**values)


def _audited(referral) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="crossborderreferral", object_id=str(referral.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_referral_waits_for_approval_then_leaves(us_case, partner, liaison, supervisor, own_key):
    case, person = us_case
    referral = _send(case, partner, liaison, person)
    assert referral.approval == "pending"
    assert OutboxMessage.objects.count() == 0  # nothing leaves before approval

    decided = domain.decide_referral(referral_id=referral.pk, by=supervisor, approve=True)
    assert (decided.approval, decided.approval_decided_by) == ("approved", supervisor)
    [message] = OutboxMessage.objects.all()
    assert message.referral_id == referral.pk and message.message_type == "referral.offer"
    assert _audited(referral) == ["create", "change"]
    assert AuditEntry.objects.filter(action="share", object_ref=case.reference).count() == 1


def test_a_declined_referral_never_leaves_and_keeps_the_reason(
    us_case, partner, liaison, supervisor, own_key
):
    case, person = us_case
    referral = _send(case, partner, liaison, person)
    with pytest.raises(ValidationError) as err:
        domain.decide_referral(referral_id=referral.pk, by=supervisor, approve=False)
    assert "reason" in err.value.message_dict
    domain.decide_referral(
        referral_id=referral.pk, by=supervisor, approve=False, reason="Consent is not clear."
    )
    referral.refresh_from_db()
    assert (referral.approval, referral.approval_reason) == ("declined", "Consent is not clear.")
    assert OutboxMessage.objects.count() == 0
    # Declined is final: a later approval is refused and still nothing leaves.
    with pytest.raises(ValidationError):
        domain.decide_referral(referral_id=referral.pk, by=supervisor, approve=True)
    assert OutboxMessage.objects.count() == 0
    assert _audited(referral) == ["create", "change"]


def test_nobody_approves_their_own_request(us_case, partner, supervisor, own_key):
    case, person = us_case
    referral = _send(case, partner, supervisor, person)
    with pytest.raises(ValidationError) as err:
        domain.decide_referral(referral_id=referral.pk, by=supervisor, approve=True)
    assert "Another supervisor" in err.value.message_dict["reason"][0]
    assert CrossBorderReferral.objects.get().approval == "pending"
    assert OutboxMessage.objects.count() == 0


def test_switched_off_the_referral_leaves_at_once(settings, us_case, partner, liaison, own_key):
    settings.PUENTE_APPROVE_CROSS_BORDER = False
    case, person = us_case
    referral = _send(case, partner, liaison, person)
    assert referral.approval == ""
    assert OutboxMessage.objects.filter(referral=referral).count() == 1


def test_guardian_consent_with_a_family_exploiter_needs_a_reason(
    us_case, partner, liaison, own_key
):
    case, _person = us_case
    # The girl's relationship to her exploiter: her family.
    person = cases.add_person(
        case=case,
        by=liaison,
        role="potential_victim",
        first_name="Sofía",
        age=15,
        relationship_to_trafficker="Familial",
    )
    with pytest.raises(ValidationError) as err:
        _send(case, partner, liaison, person, consent_method="guardian")
    assert "family member" in err.value.message_dict["consent_note"][0]
    referral = _send(
        case,
        partner,
        liaison,
        person,
        consent_method="guardian",
        consent_note="Her aunt, not the uncle who recruited her, is her legal guardian.",
    )
    assert referral.approval == "pending"


def test_supervisors_see_waiting_referrals_and_decide_on_the_page(
    us_case, partner, liaison, supervisor, own_key
):
    case, person = us_case
    referral = _send(case, partner, liaison, person)
    client = signed_in_client(supervisor)
    home = client.get(reverse("core:home")).content.decode()
    assert 'data-testid="cross-border-to-approve"' in home and case.reference in home
    page = client.get(f"/exchange/referrals/{referral.pk}/approval/").content.decode()
    assert "Needs a shelter in Monterrey." in page and 'data-testid="decision-form"' in page
    response = client.post(
        f"/exchange/referrals/{referral.pk}/approval/", {"decision": "approve", "reason": ""}
    )
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(referral=referral).count() == 1
    assert (
        'data-testid="cross-border-to-approve"'
        not in client.get(reverse("core:home")).content.decode()
    )
    # The liaison who asked cannot decide (no permission), and the advocate neither.
    for role in (Role.LIAISON, Role.ADVOCATE):
        refused = signed_in_client(make_user(role)).get(
            f"/exchange/referrals/{referral.pk}/approval/"
        )
        assert refused.status_code == 403
