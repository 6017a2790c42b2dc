"""Contacts that arrive by themselves (a call ringing, a text, a tip): "Take the call"
completes the contact the call created instead of recording a second one, and until an
advocate records a reason every page says "Not yet recorded" rather than show a blank."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases.domain import restrict_case
from puente.core import choices as c
from puente.intake import domain
from puente.intake.models import Contact, IntakeDraft
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user

NUMBER = "+17135550142"
NEW = "/intake/new/"


def ringing_call(**fields) -> Contact:
    """What the voice webhook leaves: an inbound phone contact nobody has recorded."""
    contact = domain.record_inbound_contact(
        channel=c.Channel.PHONE,
        via="twilio",
        phone=NUMBER,
        started_at=timezone.now() - timedelta(minutes=3),
    )
    if fields:
        Contact.objects.filter(pk=contact.pk).update(**fields)
        contact.refresh_from_db()
    return contact


def form_for(call: Contact | None, **fields) -> dict:
    data = {
        "phone": "(713) 555-0142",
        "channel": "phone",
        "direction": "inbound",
        "reason": "tip",
        "signaler_type": "community_member",
        "language": "eng",
        "country": "US",
        "subdivision": "US-TX",
        "city": "Houston",
        "summary": "Caller saw workers locked in a restaurant at night.",
        "draft_key": "6f1c9c1e-1a47-4a52-9d55-0d5b4c1f2e11",
    }
    if call is not None:
        data["call"] = str(call.pk)
    data.update(fields)
    return data


# --- Take the call: one call, one contact -----------------------------------------------


def test_the_form_opened_from_a_taken_call_names_the_call_and_its_start(advocate):
    call = ringing_call()
    domain.take_inbound_contact(contact_id=call.pk, by=advocate)
    page = signed_in_client(advocate).get(f"{NEW}?channel=phone&phone={NUMBER}&call={call.pk}")
    html = page.content.decode()
    assert f'name="call" value="{call.pk}"' in html
    started = timezone.localtime(call.started_at).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{started}"' in html


def test_saving_completes_the_calls_contact_instead_of_adding_one(advocate):
    call = ringing_call()
    domain.take_inbound_contact(contact_id=call.pk, by=advocate)
    before = Contact.objects.count()
    response = signed_in_client(advocate).post(NEW, form_for(call))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", args=[call.pk])
    assert Contact.objects.count() == before
    call.refresh_from_db()
    assert call.taken_by == advocate
    assert call.reason == "tip"
    assert call.city == "Houston"
    assert call.summary.startswith("Caller saw workers")
    assert call.version == 2
    change = AuditEntry.objects.filter(
        actor=advocate, action="change", object_type="contact", object_id=str(call.pk)
    )
    assert change.exists()


def test_a_call_not_yet_taken_becomes_the_savers(advocate):
    call = ringing_call()
    signed_in_client(advocate).post(NEW, form_for(call))
    call.refresh_from_db()
    assert call.taken_by == advocate and call.reason == "tip"


def test_the_end_the_provider_reported_is_kept_when_the_form_leaves_it_blank(advocate):
    ended = timezone.now() - timedelta(minutes=1)
    call = ringing_call(ended_at=ended)
    started = timezone.localtime(call.started_at).strftime("%Y-%m-%dT%H:%M")
    domain.complete_inbound_contact(
        contact_id=call.pk, by=advocate, data=form_for(None, started_at=started)
    )
    call.refresh_from_db()
    assert call.ended_at == ended


def test_the_draft_goes_once_the_call_is_recorded(advocate):
    call = ringing_call()
    data = form_for(call)
    draft = domain.save_draft(owner=advocate, data=data, key=data["draft_key"])
    assert draft is not None
    signed_in_client(advocate).post(NEW, data)
    assert not IntakeDraft.objects.filter(pk=draft.pk).exists()


def test_a_call_another_advocate_took_is_not_completed_and_nothing_typed_is_lost(advocate):
    colleague = make_user(Role.ADVOCATE)
    call = ringing_call()
    domain.take_inbound_contact(contact_id=call.pk, by=colleague)
    client = signed_in_client(advocate)
    # The form does not offer to complete a call someone else took…
    page = client.get(f"{NEW}?channel=phone&call={call.pk}")
    assert 'name="call"' not in page.content.decode()
    # …and a save naming it is refused without writing, the form shown again as typed.
    before = Contact.objects.count()
    response = client.post(NEW, form_for(call))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Another advocate has taken this call." in html
    assert "Caller saw workers locked in a restaurant" in html
    assert 'name="call"' not in html
    assert Contact.objects.count() == before
    call.refresh_from_db()
    assert call.taken_by == colleague and call.reason == ""
    # Saving again records what was written as a contact of its own.
    response = client.post(NEW, form_for(None))
    assert response.status_code == 302
    assert Contact.objects.count() == before + 1


def test_a_recorded_contact_is_never_overwritten_through_call(advocate):
    call = ringing_call()
    domain.complete_inbound_contact(contact_id=call.pk, by=advocate, data=form_for(None))
    with pytest.raises(ValidationError) as refused:
        domain.complete_inbound_contact(
            contact_id=call.pk, by=advocate, data=form_for(None, summary="Something else.")
        )
    assert refused.value.message_dict["call"] == ["This contact has already been recorded."]
    call.refresh_from_db()
    assert call.summary.startswith("Caller saw workers")


def test_a_contact_the_advocate_may_not_see_is_not_offered(advocate, supervisor):
    call = ringing_call()
    case = make_case(created_by=supervisor)
    restrict_case(case=case, by=supervisor)
    Contact.objects.filter(pk=call.pk).update(case=case)
    client = signed_in_client(advocate)
    page = client.get(f"{NEW}?call={call.pk}")
    assert 'name="call"' not in page.content.decode()
    # Naming it anyway changes nothing, and says nothing of who has it.
    response = client.post(NEW, form_for(call))
    assert response.status_code == 200
    assert "This contact has already been recorded." in response.content.decode()
    call.refresh_from_db()
    assert call.reason == "" and call.taken_by is None


# --- "Not yet recorded" --------------------------------------------------------------------


@pytest.fixture
def unrecorded(advocate):
    case = make_case(created_by=advocate)
    contact = domain.record_inbound_contact(
        channel=c.Channel.WEBFORM, via="webform", summary="A tip about a farm near Fresno."
    )
    Contact.objects.filter(pk=contact.pk).update(case=case)
    contact.refresh_from_db()
    return contact


def _reason_cells(html: str) -> list[str]:
    return re.findall(r'data-label="Reason for contact">([^<]*)</td>', html)


def test_contact_page_and_list_say_not_yet_recorded(advocate, unrecorded):
    client = signed_in_client(advocate)
    detail = client.get(reverse("intake:detail", args=[unrecorded.pk])).content.decode()
    assert re.search(r"Reason for contact</dt><dd>Not yet recorded</dd>", detail)
    listing = client.get(reverse("intake:list")).content.decode()
    assert "Not yet recorded" in _reason_cells(listing)


def test_search_results_say_not_yet_recorded(advocate, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        domain.record_inbound_contact(
            channel=c.Channel.WEBFORM, via="webform", summary="A tip about a farm near Fresno."
        )
    page = signed_in_client(advocate).get("/search/?q=Fresno")
    assert page.status_code == 200
    assert "Not yet recorded" in _reason_cells(page.content.decode())


def test_case_timeline_and_home_say_not_yet_recorded(advocate, unrecorded):
    client = signed_in_client(advocate)
    case_page = client.get(reverse("cases:detail", args=[unrecorded.case.reference]))
    assert "Web tip form · Not yet recorded" in case_page.content.decode()
    # Home lists the advocate's own recent contacts.
    Contact.objects.filter(pk=unrecorded.pk).update(taken_by=advocate)
    home = client.get(reverse("core:home")).content.decode()
    assert "Not yet recorded" in _reason_cells(home)


def test_the_phone_lookup_and_api_read_an_unrecorded_reason(advocate):
    ringing_call()
    client = signed_in_client(advocate)
    lookup = client.get(reverse("intake:phone_lookup"), {"phone": NUMBER}).content.decode()
    assert "Not yet recorded" in lookup
    api = client.get("/api/v1/contacts")
    assert api.status_code == 200, api.content
    assert api.json()["items"][0]["reason"] == ""


def test_spanish_reads_aun_sin_registrar(advocate, unrecorded):
    with translation.override("es"):
        assert unrecorded.reason_display == "Aún sin registrar"


def test_a_case_opened_from_an_unrecorded_tip_gets_a_title(advocate, unrecorded):
    Contact.objects.filter(pk=unrecorded.pk).update(case=None, city="Fresno")
    unrecorded.refresh_from_db()
    assert domain.case_title_for(unrecorded) == "Web tip form · Fresno"
