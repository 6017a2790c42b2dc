"""Cross-border referrals as the two liaisons work them: consent first, only the fields
ticked, every step numbered and sent back, late updates never turning the clock back."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.federation import domain
from puente.federation.models import CrossBorderReferral, OutboxMessage
from tests.factories import make_case, make_user
from tests.federation.conftest import deliver, encode, offer_document, signed


@pytest.fixture
def us_case(liaison):
    case = make_case(
        created_by=liaison,
        title="Domestic worker",
        forms_of_exploitation=["ForcedLabour"],
        methods_of_control=["WithholdsDocuments"],
    )
    person = cases.add_person(
        case=case,
        by=liaison,
        role="potential_victim",
        first_name="Lucía",
        gender="Feminine",
        age_band="24-26",
        citizenship=["MX"],
        primary_language="spa",
    )
    cases.add_location(
        case=case, by=liaison, kind="current", country="MX", subdivision="MX-NLE", city="Monterrey"
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
        fields=["prs_Gender", "ext_AgeBroad", "vic_TypeOfExploitation", "ext_CurrentLocation"],
        summary="Needs a shelter in Monterrey; speaks Spanish.",
    )
    values.update(overrides)
    return domain.send_referral(**values)


def test_a_referral_shares_only_the_ticked_fields_and_is_queued_with_its_action(
    us_case, partner, liaison, own_key
):
    case, person = us_case
    referral = _send(case, partner, liaison, person)
    assert referral.shared == {
        "prs_Gender": "Feminine",
        "ext_AgeBroad": "24-26",
        "vic_TypeOfExploitation": ["ForcedLabour"],
        "ext_CurrentLocation": {"country": "MX", "subdivision": "MX-NLE", "city": "Monterrey"},
    }
    message = OutboxMessage.objects.get()
    sent = json.loads(message.body)
    assert sent["type"] == "referral.offer" and sent["schema_version"] == 3
    assert "prs_FirstName" not in sent["body"]["subject"]  # not ticked, not sent
    assert "Lucía" not in message.body
    share = AuditEntry.objects.get(action="share")
    assert share.object_ref == case.reference


def test_no_consent_no_referral(us_case, partner, liaison, own_key):
    case, person = us_case
    with pytest.raises(ValidationError) as error:
        _send(case, partner, liaison, person, consent_given=False)
    assert "consent_given" in error.value.message_dict
    assert not CrossBorderReferral.objects.exists() and not OutboxMessage.objects.exists()


def test_without_a_signing_key_the_liaison_is_told_before_anything_is_written(
    us_case, partner, liaison, settings
):
    settings.PUENTE_SIGNING_KEY = ""
    case, person = us_case
    with pytest.raises(ValidationError) as error:
        _send(case, partner, liaison, person)
    assert "no signing key" in str(error.value)


def test_an_analyst_cannot_send(us_case, partner, own_key):
    case, person = us_case
    with pytest.raises(PermissionDenied):
        _send(case, partner, make_user(Role.ANALYST), person)


def _receive_offer(partner, **kwargs):
    document = offer_document(**kwargs)
    assert (
        deliver(
            signed(encode(document), partner.private_key, message_id=document["message_id"])
        ).status_code
        == 202
    )
    return CrossBorderReferral.objects.get(
        exchange_id=document["exchange_id"], direction="incoming"
    )


def test_the_receiving_liaison_accepts_opens_a_case_and_reports_progress(partner, liaison, own_key):
    referral = _receive_offer(partner)
    domain.update_status(referral=referral, status="accepted", by=liaison)
    case = domain.open_local_case(referral=referral, by=liaison)
    assert case.forms_of_exploitation == ["ForcedLabour"]
    assert case.summary.startswith("Mujer de 24 años")
    victim = case.persons.get()
    assert (victim.gender, victim.age_band, victim.citizenship) == ("Feminine", "24-26", ["MX"])
    assert case.locations.get().subdivision == "US-TX"
    update = domain.update_status(
        referral=referral, status="in_contact", by=liaison, note="Spoke with her"
    )
    assert (update.seq, update.partner_case_reference) == (2, case.reference)
    statuses = [json.loads(m.body)["body"] for m in OutboxMessage.objects.order_by("id")]
    assert [(s["seq"], s["status"]) for s in statuses] == [(1, "accepted"), (2, "in_contact")]


def test_a_referral_that_shares_nothing_personal_still_opens_a_case_with_its_person(
    partner, liaison, own_key
):
    referral = _receive_offer(
        partner, subject={"ext_ServicesNeeded": ["legal"]}, summary="Necesita asesoría."
    )
    domain.update_status(referral=referral, status="accepted", by=liaison)
    case = domain.open_local_case(referral=referral, by=liaison)
    victim = case.persons.get()
    assert victim.role == "potential_victim"
    assert "MX-2026-000007" in victim.notes


def test_declining_needs_a_reason_and_ends_the_referral(partner, liaison, own_key):
    referral = _receive_offer(partner)
    with pytest.raises(ValidationError) as error:
        domain.update_status(referral=referral, status="declined", by=liaison)
    assert "reason" in error.value.message_dict
    domain.update_status(referral=referral, status="declined", reason="outside_area", by=liaison)
    referral.refresh_from_db()
    assert domain.next_statuses(referral) == ()
    with pytest.raises(ValidationError):
        domain.open_local_case(referral=referral, by=liaison)


def test_a_status_cannot_skip_the_workflow(partner, liaison, own_key):
    referral = _receive_offer(partner)
    with pytest.raises(ValidationError) as error:
        domain.update_status(
            referral=referral, status="closed", outcome="services_received", by=liaison
        )
    assert "cannot become" in str(error.value)


def test_closing_needs_an_outcome(partner, liaison, own_key):
    referral = _receive_offer(partner)
    domain.update_status(referral=referral, status="accepted", by=liaison)
    with pytest.raises(ValidationError) as error:
        domain.update_status(referral=referral, status="closed", by=liaison)
    assert "outcome" in error.value.message_dict


def _status_document(exchange_id, seq, status, **extra):
    import uuid

    return {
        "schema": "puente-exchange",
        "schema_version": 1,
        "type": "referral.status",
        "message_id": str(uuid.uuid4()),
        "exchange_id": str(exchange_id),
        "sent_at": "2026-11-28T12:00:00+00:00",
        "from": {"hotline": "Línea Nacional", "country": "MX"},
        "body": {
            "seq": seq,
            "status": status,
            "at": f"2026-11-28T12:0{seq}:00+00:00",
            "by": "Línea",
            **extra,
        },
    }


def test_status_updates_that_arrive_out_of_order_keep_the_latest_and_the_full_history(
    us_case, partner, liaison, own_key
):
    case, person = us_case
    referral = _send(case, partner, liaison, person)
    for seq, status in [(2, "in_contact"), (1, "accepted"), (3, "services_connected")]:
        document = _status_document(referral.exchange_id, seq, status)
        response = deliver(
            signed(encode(document), partner.private_key, message_id=document["message_id"])
        )
        assert response.status_code == 202
    referral.refresh_from_db()
    assert (referral.status, referral.status_seq) == ("services_connected", 3)
    assert list(referral.updates.values_list("seq", "status")) == [
        (1, "accepted"),
        (2, "in_contact"),
        (3, "services_connected"),
    ]


def test_a_status_for_a_referral_never_sent_is_refused(partner, own_key):
    import uuid

    document = _status_document(uuid.uuid4(), 1, "accepted")
    response = deliver(
        signed(encode(document), partner.private_key, message_id=document["message_id"])
    )
    assert (response.status_code, response.json()["error"]) == (422, "unknown_exchange")


def _deliver_status(partner, exchange_id, seq, status, **extra):
    document = _status_document(exchange_id, seq, status, **extra)
    return deliver(signed(encode(document), partner.private_key, message_id=document["message_id"]))


def test_a_newer_update_never_reopens_a_closed_referral(us_case, partner, liaison, own_key):
    case, person = us_case
    referral = _send(case, partner, liaison, person)
    assert _deliver_status(partner, referral.exchange_id, 1, "accepted").status_code == 202
    closed = _deliver_status(
        partner, referral.exchange_id, 2, "closed", outcome="services_received"
    )
    assert closed.status_code == 202
    reopened = _deliver_status(partner, referral.exchange_id, 3, "accepted")
    assert (reopened.status_code, reopened.json()["error"]) == (409, "invalid_transition")
    referral.refresh_from_db()
    assert (referral.status, referral.status_seq) == ("closed", 2)
    # Refused whole: the update is not in the history either.
    assert list(referral.updates.values_list("seq", "status")) == [(1, "accepted"), (2, "closed")]
    assert any(r.startswith("invalid_transition") for r in _audit_refusals())


def test_a_declined_referral_cannot_be_accepted_later(us_case, partner, liaison, own_key):
    case, person = us_case
    referral = _send(case, partner, liaison, person)
    _deliver_status(partner, referral.exchange_id, 1, "declined", reason="no_capacity")
    answer = _deliver_status(partner, referral.exchange_id, 2, "accepted")
    assert answer.json()["error"] == "invalid_transition"
    referral.refresh_from_db()
    assert referral.status == "declined"


def test_an_update_may_skip_a_step_that_has_not_arrived_yet(us_case, partner, liaison, own_key):
    case, person = us_case
    referral = _send(case, partner, liaison, person)
    assert _deliver_status(partner, referral.exchange_id, 2, "in_contact").status_code == 202
    referral.refresh_from_db()
    assert referral.status == "in_contact"


@pytest.mark.parametrize(
    ("status", "reachable"),
    [
        ("sent", {"accepted", "declined", "in_contact", "services_connected", "closed"}),
        ("accepted", {"in_contact", "services_connected", "closed"}),
        ("services_connected", {"closed"}),
        ("closed", set()),
        ("declined", set()),
    ],
)
def test_reachable_statuses_follow_the_workflow_forwards_only(status, reachable):
    assert domain.reachable_statuses(status) == reachable
    assert status not in domain.reachable_statuses(status)


def _audit_refusals():
    return list(
        AuditEntry.objects.filter(action="exchange_refused").values_list("reason", flat=True)
    )
