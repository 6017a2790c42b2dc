"""Input that makes sense (issue 12): when a contact happened, how long it lasted, phone
numbers too short for their country, the narrative the page requires (Enter that does
not save half a contact: tests/e2e/test_session_warning.py), drafts that a lookup does not start and that expire, and the
case a contact opens getting a title and a place."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from puente.cases.models import CaseLocation
from puente.core.phones import normalise_phone
from puente.intake import domain, queries
from puente.intake.forms import DATETIME_LOCAL
from puente.intake.models import Contact, IntakeDraft
from puente.intake.tasks import purge_expired_drafts
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

NEW = "/intake/new/"


def _local(moment) -> str:
    return timezone.localtime(moment).strftime(DATETIME_LOCAL)


def _form(**fields) -> dict:
    data = {
        "channel": "phone",
        "reason": "tip",
        "direction": "inbound",
        "signaler_type": "community_member",
        "language": "eng",
        "country": "US",
        "started_at": _local(timezone.now() - timedelta(minutes=30)),
        "summary": "Caller saw workers locked in a warehouse.",
    }
    data.update(fields)
    return data


def _refused(data: dict) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        domain.clean_contact_data(data)
    return refused.value.message_dict


def _api(client, payload):
    return client.post(
        "/api/v1/contacts", data=json.dumps(payload), content_type="application/json"
    )


# --- when: not in the future, not before the hotline, not ending first, not days long ----


def test_a_start_a_minute_ahead_is_clock_skew_but_an_hour_ahead_is_refused():
    base = {"channel": "phone", "reason": "tip"}
    ok = domain.clean_contact_data({**base, "started_at": timezone.now() + timedelta(minutes=1)})
    assert ok["started_at"] > timezone.now()
    errors = _refused({**base, "started_at": timezone.now() + timedelta(hours=1)})
    assert "in the future" in errors["started_at"][0]


def test_an_end_in_the_future_is_refused():
    errors = _refused(
        {
            "channel": "phone",
            "reason": "tip",
            "started_at": timezone.now() - timedelta(minutes=10),
            "ended_at": timezone.now() + timedelta(days=1),
        }
    )
    assert "in the future" in errors["ended_at"][0]


def test_a_start_before_the_hotline_existed_is_refused(settings):
    settings.PUENTE_HOTLINE_FOUNDED = date(2007, 12, 7)
    errors = _refused({"channel": "phone", "reason": "tip", "started_at": "2007-12-06T23:00"})
    assert "12/07/2007" in errors["started_at"][0]
    # Its first day is fine.
    assert (
        domain.clean_contact_data(
            {"channel": "phone", "reason": "tip", "started_at": "2007-12-07T09:00"}
        )["started_at"].year
        == 2007
    )
    # The setting decides.
    settings.PUENTE_HOTLINE_FOUNDED = date(2012, 6, 14)
    assert (
        "06/14/2012"
        in _refused({"channel": "phone", "reason": "tip", "started_at": "2010-01-01T09:00"})[
            "started_at"
        ][0]
    )


def test_an_end_before_the_start_is_refused():
    errors = _refused(
        {
            "channel": "phone",
            "reason": "tip",
            "started_at": "2025-05-01T10:00",
            "ended_at": "2025-05-01T09:00",
        }
    )
    assert errors["ended_at"] == ["A contact cannot end before it started."]


def test_a_call_of_days_is_refused_until_confirmed():
    data = {
        "channel": "phone",
        "reason": "tip",
        "started_at": "2025-05-01T10:00",
        "ended_at": "2025-05-03T10:30",
    }
    errors = _refused(data)
    assert "48 hours" in errors["ended_at"][0]
    assert "long_contact_confirmed" in errors
    cleaned = domain.clean_contact_data({**data, "long_contact_confirmed": "on"})
    assert cleaned["ended_at"] - cleaned["started_at"] == timedelta(hours=48, minutes=30)
    # Four hours exactly is still a (long) call.
    assert domain.clean_contact_data({**data, "ended_at": "2025-05-01T14:00"})


def test_the_page_shows_the_confirmation_box_with_the_error_and_saves_once_ticked(
    advocate_client,
):
    start = timezone.now() - timedelta(hours=30)
    fields = _form(started_at=_local(start), ended_at=_local(start + timedelta(hours=26)))
    page = advocate_client.post(NEW, fields).content.decode()
    assert Contact.objects.count() == 0
    assert "would have lasted 26 hours" in page
    assert "Yes, this contact really lasted 26 hours" in page
    assert 'name="long_contact_confirmed"' in page
    # No box on a fresh form.
    assert 'name="long_contact_confirmed"' not in advocate_client.get(NEW).content.decode()
    saved = advocate_client.post(NEW, {**fields, "long_contact_confirmed": "on"})
    assert saved.status_code == 302 and Contact.objects.count() == 1


def test_the_api_applies_the_same_time_rules(advocate_client):
    future = _api(
        advocate_client,
        {
            "channel": "phone",
            "reason": "tip",
            "started_at": (timezone.now() + timedelta(hours=2)).isoformat(),
        },
    )
    assert future.status_code == 422
    assert "future" in json.dumps(future.json())
    long_call = {
        "channel": "phone",
        "reason": "tip",
        "started_at": "2025-05-01T10:00:00-05:00",
        "ended_at": "2025-05-01T20:00:00-05:00",
    }
    refused = _api(advocate_client, long_call)
    assert refused.status_code == 422 and "10 hours" in json.dumps(refused.json())
    accepted = _api(advocate_client, {**long_call, "long_contact_confirmed": True})
    assert accepted.status_code == 201, accepted.content


# --- phone numbers too short for their country --------------------------------------------


@pytest.mark.parametrize(
    "typed, region, reason",
    [
        ("555-0142", "US", "missing its area code"),
        ("713 555 014", "US", "too short"),
        ("55 1234 567", "MX", "too short"),
        ("713 555 0142 99", "US", "too long"),
    ],
)
def test_a_number_of_the_wrong_length_is_refused_with_the_reason(typed, region, reason):
    with pytest.raises(ValidationError) as refused:
        normalise_phone(typed, default_region=region)
    message = refused.value.messages[0]
    assert reason in message and "10 digits" in message


def test_the_contact_form_and_the_api_refuse_a_short_number(advocate_client):
    page = advocate_client.post(NEW, _form(phone="555-0142")).content.decode()
    assert "missing its area code" in page and Contact.objects.count() == 0
    api = _api(advocate_client, {"channel": "phone", "reason": "tip", "phone": "555-0142"})
    assert api.status_code == 422 and "missing its area code" in json.dumps(api.json())
    # The lookup, built on the same rule, does not call it a number either.
    lookup = advocate_client.get(reverse("intake:phone_lookup"), {"phone": "555-0142"})
    assert "Not a complete phone number yet." in lookup.content.decode()


def test_the_same_rule_holds_for_a_case_identifier(advocate):
    from puente.cases import domain as cases

    case = cases.open_case(by=advocate)
    with pytest.raises(ValidationError) as refused:
        cases.add_identifier(case=case, kind="phone", value="555-0142", by=advocate)
    assert "missing its area code" in str(refused.value)


# --- the narrative, and Enter -----------------------------------------------------------


def test_a_contact_without_its_narrative_is_not_saved_from_the_page(advocate_client):
    response = advocate_client.post(NEW, _form(summary="   ", city="Houston"))
    page = response.content.decode()
    assert response.status_code == 200 and Contact.objects.count() == 0
    assert "Write the narrative" in page
    # What was typed stays on the form.
    assert 'value="Houston"' in page


def test_the_other_rules_are_reported_with_the_missing_narrative(advocate_client):
    page = advocate_client.post(NEW, _form(summary="", phone="555-0142")).content.decode()
    assert "Write the narrative" in page and "missing its area code" in page


# --- drafts: not for a lookup, and they expire ---------------------------------------------


def test_a_phone_lookup_alone_starts_no_draft(advocate, advocate_client):
    response = advocate_client.post(
        reverse("intake:draft_save"),
        {
            "phone": "713 555 0142",
            "country": "US",
            "direction": "inbound",
            "language": "eng",
            "signaler_type": "unknown",
            "anonymous": "on",
            "started_at": _local(timezone.now()),
        },
    )
    assert response.status_code == 200
    assert not IntakeDraft.objects.exists()
    assert 'id="draft-key"' not in response.content.decode()
    # Something typed beyond the number starts one.
    advocate_client.post(reverse("intake:draft_save"), {"phone": "713 555 0142", "reason": "tip"})
    assert IntakeDraft.objects.filter(owner=advocate).count() == 1


def test_drafts_expire_after_the_configured_hours(advocate, settings):
    settings.PUENTE_DRAFT_HOURS = 72
    fresh = domain.save_draft(owner=advocate, data={"summary": "fresh"})
    old = domain.save_draft(owner=advocate, data={"summary": "old"})
    IntakeDraft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(hours=73))
    # Never offered once expired...
    assert list(queries.drafts_of(owner=advocate)) == [fresh]
    assert queries.draft_of(owner=advocate, key=old.key) is None
    # ...and deleted by the worker's hourly job.
    assert purge_expired_drafts.call() == {"intake_drafts": 1, "held_drafts": 0}
    assert list(IntakeDraft.objects.all()) == [fresh]
    settings.PUENTE_DRAFT_HOURS = 1
    IntakeDraft.objects.filter(pk=fresh.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    assert domain.purge_expired_drafts() == 1


def test_the_purge_is_on_the_workers_schedule(settings):
    from django.conf import settings as live

    assert live.PUENTE_SCHEDULE["puente.intake.tasks.purge_expired_drafts"] == 3600


# --- a case opened from a contact ----------------------------------------------------------


def test_a_case_opened_from_a_contact_has_a_title_and_the_contacts_place(advocate):
    contact = make_contact(
        taken_by=advocate, reason="tip", country="US", subdivision="US-TX", city="Houston"
    )
    case = domain.open_case_from_contact(contact=contact, by=advocate)
    assert case.title == "Tip · Houston"
    location = CaseLocation.objects.get(case=case)
    assert (location.kind, location.country, location.subdivision, location.city) == (
        "current",
        "US",
        "US-TX",
        "Houston",
    )


def test_without_a_city_the_title_names_the_state_and_in_spanish(advocate):
    from django.utils import translation

    contact = make_contact(
        taken_by=advocate, reason="tip", city="", subdivision="MX-CHH", country="MX"
    )
    with translation.override("es"):
        case = domain.open_case_from_contact(contact=contact, by=advocate)
    assert case.title == "Denuncia · Chihuahua"
    nowhere = make_contact(taken_by=advocate, reason="crisis", city="", subdivision="", country="")
    case = domain.open_case_from_contact(contact=nowhere, by=advocate)
    assert case.title == "Crisis / emergency"
    assert not CaseLocation.objects.filter(case=case).exists()
