from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.core.concurrency import StaleWriteError
from puente.intake import domain
from puente.intake.models import Contact, IntakeDraft
from tests.factories import make_case, make_contact, make_user


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_record_contact_needs_only_channel_and_reason(advocate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        contact = domain.record_contact(by=advocate, data={"channel": "sms", "reason": "tip"})
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.channel, contact.reason, contact.taken_by) == ("sms", "tip", advocate)
    assert contact.direction == "inbound" and contact.signaler_type == "unknown"
    assert contact.anonymous is False  # a form left unticked: the name was not withheld
    assert abs(contact.started_at - timezone.now()) < timedelta(minutes=5)
    assert contact.phone == "" and contact.case is None and contact.version == 1
    entry = AuditEntry.objects.get(
        action="create", object_type="contact", object_id=str(contact.pk)
    )
    assert entry.actor == advocate
    assert {"field": "channel", "old": None, "new": "sms"} in entry.changes


def test_missing_channel_and_reason_are_named(advocate):
    with pytest.raises(ValidationError) as exc:
        domain.record_contact(by=advocate, data={"phone": "713 555 0142"})
    assert set(_errors(exc)) == {"channel", "reason"}
    assert _errors(exc)["reason"] == ["Choose a reason for contact."]
    assert Contact.objects.count() == 0


def test_phone_is_normalised_and_kept_as_typed(advocate):
    contact = domain.record_contact(
        by=advocate, data={"channel": "phone", "reason": "tip", "phone": "(713) 555-0142"}
    )
    contact.refresh_from_db()
    assert contact.phone == "+17135550142"
    assert contact.phone_raw == "(713) 555-0142"


def test_bad_phone_is_a_field_error(advocate):
    with pytest.raises(ValidationError) as exc:
        domain.record_contact(
            by=advocate, data={"channel": "phone", "reason": "tip", "phone": "12"}
        )
    assert list(_errors(exc)) == ["phone"]


def test_unknown_picklist_code_is_refused(advocate):
    with pytest.raises(ValidationError) as exc:
        domain.record_contact(by=advocate, data={"channel": "pigeon", "reason": "tip"})
    assert "pigeon" in _errors(exc)["channel"][0]


def test_subdivision_must_belong_to_country(advocate):
    with pytest.raises(ValidationError) as exc:
        domain.record_contact(
            by=advocate,
            data={"channel": "phone", "reason": "tip", "country": "US", "subdivision": "MX-JAL"},
        )
    assert list(_errors(exc)) == ["subdivision"]


def test_legacy_mexico_city_code_is_stored_as_cmx(advocate):
    contact = domain.record_contact(
        by=advocate,
        data={"channel": "phone", "reason": "tip", "country": "mx", "subdivision": "MX-DIF"},
    )
    contact.refresh_from_db()
    assert (contact.country, contact.subdivision) == ("MX", "MX-CMX")


def test_contact_cannot_end_before_it_started(advocate):
    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        domain.record_contact(
            by=advocate,
            data={
                "channel": "phone",
                "reason": "tip",
                "started_at": start,
                "ended_at": start - timedelta(minutes=1),
            },
        )
    assert list(_errors(exc)) == ["ended_at"]


def test_naive_form_time_is_read_in_hotline_time_zone(advocate, settings):
    settings.TIME_ZONE = "America/Chicago"
    contact = domain.record_contact(
        by=advocate,
        data={
            "channel": "phone",
            "reason": "tip",
            "started_at": "2026-01-15T09:30",
        },
    )
    contact.refresh_from_db()
    assert contact.started_at.isoformat() == "2026-01-15T15:30:00+00:00"


def test_interpreter_language_only_with_interpreter(advocate):
    with pytest.raises(ValidationError) as exc:
        domain.record_contact(
            by=advocate,
            data={
                "channel": "phone",
                "reason": "tip",
                "interpreter_language": "vie",
            },
        )
    assert list(_errors(exc)) == ["interpreter_language"]
    contact = domain.record_contact(
        by=advocate,
        data={
            "channel": "phone",
            "reason": "tip",
            "interpreter_used": "on",
            "interpreter_language": "vie",
        },
    )
    assert contact.interpreter_used is True and contact.interpreter_language == "vie"


def test_recording_deletes_the_draft_and_reindexes(
    advocate, monkeypatch, django_capture_on_commit_callbacks
):
    reindexed = []
    monkeypatch.setattr("puente.search.indexing.reindex_contact", reindexed.append)
    draft = domain.save_draft(owner=advocate, data={"channel": "chat", "summary": "half typed"})
    with django_capture_on_commit_callbacks(execute=True):
        contact = domain.record_contact(
            by=advocate, data={"channel": "chat", "reason": "tip"}, draft_key=str(draft.key)
        )
    assert not IntakeDraft.objects.filter(pk=draft.pk).exists()
    assert reindexed == [contact.pk]


def test_recording_does_not_delete_someone_elses_draft(advocate):
    other = make_user(Role.ADVOCATE)
    draft = domain.save_draft(owner=other, data={"channel": "chat"})
    domain.record_contact(
        by=advocate, data={"channel": "chat", "reason": "tip"}, draft_key=str(draft.key)
    )
    assert IntakeDraft.objects.filter(pk=draft.pk).exists()


def test_case_reference_links_the_contact(advocate):
    case = make_case(created_by=advocate)
    contact = domain.record_contact(
        by=advocate,
        data={
            "channel": "phone",
            "reason": "tip",
            "case_reference": case.reference.lower(),
        },
    )
    contact.refresh_from_db()
    assert contact.case == case


def test_unknown_or_restricted_case_reference_is_refused(advocate):
    with pytest.raises(ValidationError) as exc:
        domain.record_contact(
            by=advocate,
            data={"channel": "phone", "reason": "tip", "case_reference": "US-1999-000001"},
        )
    assert list(_errors(exc)) == ["case_reference"]
    hidden = make_case(created_by=make_user(Role.SUPERVISOR), restricted=True)
    with pytest.raises(ValidationError) as exc:
        domain.record_contact(
            by=advocate,
            data={"channel": "phone", "reason": "tip", "case_reference": hidden.reference},
        )
    assert list(_errors(exc)) == ["case_reference"]
    assert Contact.objects.count() == 0


def test_roles_without_contact_create_cannot_record(analyst):
    with pytest.raises(PermissionDenied):
        domain.record_contact(by=analyst, data={"channel": "phone", "reason": "tip"})


def test_update_contact_checks_version_and_audits(advocate):
    contact = make_contact(taken_by=advocate, phone="+17135550142")
    data = {
        "channel": "phone",
        "reason": "crisis",
        "phone": "+17135550142",
        "country": "US",
        "subdivision": "US-TX",
        "city": "Houston",
        "started_at": contact.started_at,
        "signaler_type": "community_member",
        "summary": contact.summary,
    }
    updated = domain.update_contact(contact=contact, by=advocate, data=data, version=1)
    assert updated.version == 2
    contact.refresh_from_db()
    assert contact.reason == "crisis"
    entry = AuditEntry.objects.get(action="change", object_id=str(contact.pk))
    assert {"field": "reason", "old": "tip", "new": "crisis"} in entry.changes
    with pytest.raises(StaleWriteError) as exc:
        domain.update_contact(
            contact=contact, by=advocate, data={**data, "reason": "tip"}, version=1
        )
    assert "This contact was changed by" in exc.value.messages[0]
    assert exc.value.current_version == 2
    contact.refresh_from_db()
    assert (contact.reason, contact.version) == ("crisis", 2)


def test_open_case_from_contact(advocate, django_capture_on_commit_callbacks):
    contact = make_contact(taken_by=advocate, imminent_danger=True, summary="Locked in at night.")
    with django_capture_on_commit_callbacks(execute=True):
        case = domain.open_case_from_contact(contact=contact, by=advocate)
    contact.refresh_from_db()
    assert contact.case == case
    assert case.summary == "Locked in at night." and case.imminent_danger is True
    assert case.owner == advocate and case.reference.startswith("US-")
    assert AuditEntry.objects.filter(
        action="create", object_type="case", object_ref=case.reference
    ).exists()
    assert AuditEntry.objects.filter(
        action="change", object_type="contact", object_id=str(contact.pk)
    ).exists()
    with pytest.raises(ValidationError):
        domain.open_case_from_contact(contact=contact, by=advocate)


def test_link_needs_edit_rights_on_the_case(advocate, liaison):
    contact = make_contact(taken_by=advocate)
    restricted = make_case(created_by=make_user(Role.SUPERVISOR), restricted=True)
    with pytest.raises(PermissionDenied):
        domain.link_contact_to_case(contact=contact, case=restricted, by=advocate)
    open_case = make_case(created_by=advocate)
    # A liaison edits cases but not contacts.
    with pytest.raises(PermissionDenied):
        domain.link_contact_to_case(contact=contact, case=open_case, by=liaison)
    domain.link_contact_to_case(contact=contact, case=open_case, by=advocate)
    contact.refresh_from_db()
    assert contact.case == open_case and contact.version == 2


def test_moving_a_contact_out_of_a_restricted_case_needs_the_right_to_lift_restriction(
    advocate, supervisor
):
    secret = make_case(created_by=supervisor)
    cases.restrict_case(case=secret, by=supervisor)
    contact = make_contact(taken_by=advocate, case=secret)
    # The advocate broke the glass, so may edit the restricted case…
    cases.break_glass(case=secret, user=advocate, reason="Caller is on the line and in danger")
    elsewhere = make_case(created_by=advocate)
    # …but moving its contact to an open case would show it to every case reader.
    with pytest.raises(PermissionDenied):
        domain.link_contact_to_case(contact=contact, case=elsewhere, by=advocate)
    contact.refresh_from_db()
    assert contact.case == secret
    assert AuditEntry.objects.filter(
        action="access_denied", actor=advocate, object_ref=secret.reference
    ).exists()
    # A supervisor, who may lift the restriction, may move it.
    domain.link_contact_to_case(contact=contact, case=elsewhere, by=supervisor)
    contact.refresh_from_db()
    assert contact.case == elsewhere


def test_drafts_belong_to_their_owner(advocate):
    other = make_user(Role.ADVOCATE)
    mine = domain.save_draft(
        owner=advocate, data={"phone": "713", "city": "Waco", "csrfmiddlewaretoken": "x"}
    )
    assert mine.data == {"phone": "713", "city": "Waco"}
    # Another advocate sending my key gets a draft of their own, mine untouched.
    theirs = domain.save_draft(
        owner=other, data={"phone": "999", "city": "Tyler"}, key=str(mine.key)
    )
    assert theirs.key != mine.key
    mine.refresh_from_db()
    assert mine.data == {"phone": "713", "city": "Waco"}
    again = domain.save_draft(owner=advocate, data={"phone": "7135550142"}, key=str(mine.key))
    assert again.pk == mine.pk and again.data == {"phone": "7135550142"}
    assert domain.discard_draft(owner=other, key=mine.key) is False
    assert domain.discard_draft(owner=advocate, key=mine.key) is True
