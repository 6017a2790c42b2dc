"""The provider's webhooks: signed requests are served, unsigned and forged ones refused
(403, nothing stored, counted once per source and hour), retries stored once, TwiML as
Twilio documents it, and the automatic answers to HELP / STOP in both languages."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from puente.audit.models import AuditEntry
from puente.cases.models import Identifier
from puente.channels import events
from puente.channels.models import (
    Call,
    Conversation,
    Message,
    OptOut,
    WebhookRefusal,
)
from puente.intake.models import Contact
from tests.channels.conftest import (
    HOTLINE_WHATSAPP,
    call_params,
    drain,
    post_signed,
    sign,
    sms_params,
)
from tests.factories import make_case, make_contact

pytestmark = pytest.mark.django_db

VOICE = "/channels/twilio/voice/"
LANGUAGE = "/channels/twilio/voice/language/"
VOICE_STATUS = "/channels/twilio/voice/status/"
MESSAGING = "/channels/twilio/messaging/"
MESSAGING_STATUS = "/channels/twilio/messaging/status/"


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    return root


# --- voice ----------------------------------------------------------------------------


def test_a_signed_call_answers_with_a_language_choice_and_creates_a_waiting_contact(
    django_capture_on_commit_callbacks, heard
):
    with django_capture_on_commit_callbacks(execute=True):
        root = twiml(post_signed(VOICE, call_params()))
    gather = root.find("Gather")
    assert gather is not None and gather.get("numDigits") == "1"
    assert gather.get("action") == "http://testserver/channels/twilio/voice/language/"
    said = [(say.get("language"), say.text) for say in gather.findall("Say")]
    assert said == [
        ("en-US", "You have reached the National Human Trafficking Hotline."),
        ("en-US", "To continue in English, press 1."),
        ("es-MX", "Se ha comunicado con National Human Trafficking Hotline."),
        ("es-MX", "Para continuar en español, oprima 2."),
    ]
    contact = Contact.objects.get()
    assert contact.channel == "phone" and contact.phone == "+17135550142"
    assert contact.taken_by is None and contact.ended_at is None and contact.reason == ""
    assert Call.objects.get().contact == contact
    [event] = drain(heard)
    assert event.kind == events.CALL_WAITING
    assert event.payload["contact_id"] == contact.pk
    assert event.payload["number"] == "+1 713-555-0142"
    assert event.payload["earlier_contacts"] == 0


def test_a_call_is_matched_to_what_the_hotline_already_knows(
    advocate, django_capture_on_commit_callbacks, heard
):
    make_contact(phone="+17135550142")
    case = make_case(created_by=advocate, title="Nail salon")
    Identifier.objects.create(
        case=case, kind="phone", value="713 555 0142", normalised="+17135550142"
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(VOICE, call_params())
    [event] = drain(heard)
    assert event.payload["earlier_contacts"] == 1
    assert event.payload["case_ids"] == [case.pk]


def test_a_mexican_deployment_offers_spanish_first(settings):
    settings.LANGUAGE_CODE = "es"
    settings.PUENTE_HOTLINE_NAME = "Línea Nacional contra la Trata de Personas"
    root = twiml(post_signed(VOICE, call_params("+525512345678")))
    said = [(say.get("language"), say.text) for say in root.iter("Say")]
    assert said[0] == ("es-MX", "Se ha comunicado con Línea Nacional contra la Trata de Personas.")
    assert said[1] == ("es-MX", "Para continuar en español, oprima 1.")
    assert said[3] == ("en-US", "To continue in English, press 2.")
    assert Contact.objects.get().language == "spa"


def test_the_chosen_language_is_recorded_and_the_caller_is_queued():
    post_signed(VOICE, call_params())
    root = twiml(post_signed(LANGUAGE, {**call_params(), "Digits": "2"}))
    say = root.find("Say")
    assert say.get("language") == "es-MX" and say.text.startswith("Gracias.")
    assert root.find("Enqueue").text == "advocates"
    contact = Contact.objects.get()
    assert contact.language == "spa" and contact.version == 2


def test_no_key_pressed_keeps_the_deployments_language():
    post_signed(VOICE, call_params())
    root = twiml(post_signed(LANGUAGE, {**call_params(), "Digits": ""}))
    assert root.find("Say").get("language") == "en-US"
    assert Contact.objects.get().language == "eng"


def test_a_retried_call_webhook_stores_nothing_twice():
    post_signed(VOICE, call_params())
    twiml(post_signed(VOICE, call_params()))
    assert Contact.objects.count() == 1 and Call.objects.count() == 1


def test_the_status_callback_closes_the_contact_with_its_duration(
    django_capture_on_commit_callbacks, heard
):
    post_signed(VOICE, call_params())
    drain(heard)
    params = {**call_params(), "CallStatus": "completed", "CallDuration": "95"}
    with django_capture_on_commit_callbacks(execute=True):
        assert post_signed(VOICE_STATUS, params).status_code == 204
    contact = Contact.objects.get()
    assert contact.ended_at - contact.started_at == timedelta(seconds=95)
    call = Call.objects.get()
    assert call.status == "completed" and call.duration_seconds == 95
    [event] = drain(heard)
    assert event.kind == events.CONTACT_CLOSED and event.payload["duration_seconds"] == 95
    # A late or repeated callback changes nothing.
    post_signed(VOICE_STATUS, {**params, "CallDuration": "300"})
    assert Call.objects.get().duration_seconds == 95


@pytest.mark.parametrize("path", [VOICE, LANGUAGE, VOICE_STATUS, MESSAGING, MESSAGING_STATUS])
def test_unsigned_requests_are_refused_and_store_nothing(client, path):
    params = {**call_params(), **sms_params("hello", sid="SM" + "1" * 32)}
    response = client.post(path, params)
    assert response.status_code == 403
    assert Contact.objects.count() == 0 and Message.objects.count() == 0


def test_forged_requests_are_refused_and_counted_once_per_source_and_hour(client):
    forged = sign("http://testserver" + VOICE, call_params(), token="f" * 32)
    for _ in range(5):
        response = client.post(VOICE, call_params(), HTTP_X_TWILIO_SIGNATURE=forged)
        assert response.status_code == 403
    client.post(VOICE, call_params())  # unsigned
    assert Contact.objects.count() == 0 and Call.objects.count() == 0
    row = WebhookRefusal.objects.get()
    assert row.source == "127.0.0.1" and row.refused == 6 and row.last_reason == "unsigned"
    entries = AuditEntry.objects.filter(object_type="webhook")
    assert entries.count() == 1
    assert entries.get().action == "access_denied"


def test_a_signature_for_other_parameters_or_another_address_is_refused():
    params = call_params()
    # A genuine signature, replayed with a changed caller.
    signature = sign("http://testserver" + VOICE, params)
    from django.test import Client

    changed = Client().post(
        VOICE, {**params, "From": "+15555550100"}, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert changed.status_code == 403
    # A genuine signature of the status URL, sent to the call URL.
    assert (
        post_signed(VOICE, params, signed_url="http://testserver" + VOICE_STATUS).status_code == 403
    )
    assert Contact.objects.count() == 0


def test_behind_a_proxy_the_public_address_is_what_is_signed(settings):
    settings.PUENTE_PUBLIC_URL = "https://hotline.example.org"
    public = "https://hotline.example.org" + VOICE
    assert post_signed(VOICE, call_params(), signed_url=public).status_code == 200
    # Signed for the address the server sees itself: not what Twilio called.
    assert post_signed(VOICE, call_params("+17135550100", "CA" + "b" * 32)).status_code == 403
    assert Contact.objects.count() == 1


def test_the_forwarded_scheme_counts_only_when_behind_the_proxy(settings):
    https = "https://testserver" + VOICE
    assert (
        post_signed(
            VOICE, call_params(), signed_url=https, HTTP_X_FORWARDED_PROTO="https"
        ).status_code
        == 403
    )
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert (
        post_signed(
            VOICE, call_params(), signed_url=https, HTTP_X_FORWARDED_PROTO="https"
        ).status_code
        == 200
    )


def test_without_a_provider_the_webhooks_do_not_exist(settings):
    settings.PUENTE_CHANNEL_PROVIDER = "none"
    assert post_signed(VOICE, call_params()).status_code == 404


def test_webhooks_accept_only_post(client):
    assert client.get(VOICE).status_code == 405


# --- messaging ------------------------------------------------------------------------


def test_texts_from_one_sender_form_one_thread_on_one_contact(
    django_capture_on_commit_callbacks, heard
):
    with django_capture_on_commit_callbacks(execute=True):
        root = twiml(post_signed(MESSAGING, sms_params("hi, I need to talk", sid="SM" + "1" * 32)))
        post_signed(MESSAGING, sms_params("they took my passport", sid="SM" + "2" * 32))
    assert list(root) == []  # nothing answered automatically
    thread = Conversation.objects.get()
    assert thread.channel == "sms" and thread.address == "+17135550142"
    assert thread.contact.channel == "sms" and thread.contact.phone == "+17135550142"
    assert [m.body for m in thread.messages.all()] == [
        "hi, I need to talk",
        "they took my passport",
    ]
    assert all(m.direction == "inbound" and m.status == "received" for m in thread.messages.all())
    kinds = [e.kind for e in drain(heard)]
    assert kinds == [events.CONTACT_WAITING, events.THREAD_MESSAGE, events.THREAD_MESSAGE]


def test_whatsapp_arrives_on_the_same_webhook():
    post_signed(
        MESSAGING, sms_params("Hola", sender="+525512345678", sid="SM" + "3" * 32, whatsapp=True)
    )
    thread = Conversation.objects.get()
    assert thread.channel == "whatsapp"
    assert thread.address == "+525512345678" and thread.hotline_address == HOTLINE_WHATSAPP
    assert thread.contact.channel == "whatsapp" and thread.contact.phone == "+525512345678"


def test_a_retried_message_is_stored_once():
    params = sms_params("hello", sid="SM" + "4" * 32)
    post_signed(MESSAGING, params)
    post_signed(MESSAGING, params)
    assert Message.objects.count() == 1 and Contact.objects.count() == 1


def test_a_closed_thread_is_followed_by_a_new_one_on_a_new_contact(advocate):
    from puente.channels import domain

    post_signed(MESSAGING, sms_params("first", sid="SM" + "5" * 32))
    domain.close_thread(thread=Conversation.objects.get(), by=advocate)
    post_signed(MESSAGING, sms_params("again", sid="SM" + "6" * 32))
    assert Conversation.objects.count() == 2 and Contact.objects.count() == 2


@pytest.mark.parametrize(
    "word,language,starts",
    [
        ("HELP", "eng", "National Human Trafficking Hotline: an advocate will answer you here."),
        ("help!", "eng", "National Human Trafficking Hotline: an advocate will answer you here."),
        ("Ayuda", "spa", "National Human Trafficking Hotline: una persona consejera te responderá"),
    ],
)
def test_help_is_answered_in_the_senders_language_and_still_reaches_an_advocate(
    word, language, starts
):
    root = twiml(post_signed(MESSAGING, sms_params(word, sid="SM" + "7" * 32)))
    answer = root.find("Message").text
    assert answer.startswith(starts)
    assert "911" in answer
    thread = Conversation.objects.get()
    assert thread.language == language and thread.state == "open"
    assert [m.direction for m in thread.messages.all()] == ["inbound", "outbound"]
    assert thread.messages.last().automatic


@pytest.mark.parametrize(
    "word,answer",
    [
        ("STOP", "You will not receive more messages from"),
        ("unsubscribe", "You will not receive more messages from"),
        ("Alto.", "Ya no recibirás mensajes de"),
    ],
)
def test_stop_opts_out_with_an_answer_in_the_right_language(word, answer):
    root = twiml(post_signed(MESSAGING, sms_params(word, sid="SM" + "8" * 32)))
    assert root.find("Message").text.startswith(answer)
    assert OptOut.objects.filter(channel="sms", address="+17135550142").exists()


def test_start_opts_back_in_and_yes_alone_is_only_a_word():
    twiml(post_signed(MESSAGING, sms_params("yes", sid="SM" + "a" * 32)))
    assert Message.objects.filter(automatic=True).count() == 0
    post_signed(MESSAGING, sms_params("STOP", sid="SM" + "b" * 32))
    root = twiml(post_signed(MESSAGING, sms_params("START", sid="SM" + "c" * 32)))
    assert root.find("Message").text.startswith("You will receive messages from")
    assert not OptOut.objects.exists()


def test_an_opt_out_on_sms_does_not_silence_whatsapp():
    post_signed(MESSAGING, sms_params("STOP", sid="SM" + "d" * 32))
    assert not OptOut.objects.filter(channel="whatsapp").exists()


def _outgoing(thread, sid, status="sent"):
    from django.utils import timezone

    return Message.objects.create(
        conversation=thread,
        direction="outbound",
        body="We are here.",
        provider_sid=sid,
        status=status,
        created_at=timezone.now(),
    )


def test_delivery_reports_move_forward_only_and_keep_the_error_code():
    post_signed(MESSAGING, sms_params("hello", sid="SM" + "e" * 32))
    thread = Conversation.objects.get()
    delivered = _outgoing(thread, "SM" + "0" * 31 + "1")
    failed = _outgoing(thread, "SM" + "0" * 31 + "2")
    report = {"AccountSid": "x", "MessageSid": delivered.provider_sid, "MessageStatus": "delivered"}
    assert post_signed(MESSAGING_STATUS, report).status_code == 204
    post_signed(MESSAGING_STATUS, {**report, "MessageStatus": "sent"})  # late, out of order
    delivered.refresh_from_db()
    assert delivered.status == "delivered"
    post_signed(
        MESSAGING_STATUS,
        {"MessageSid": failed.provider_sid, "MessageStatus": "undelivered", "ErrorCode": "30003"},
    )
    failed.refresh_from_db()
    assert failed.status == "undelivered" and failed.error_code == "30003"
    # A report about a message we never sent is answered and ignored.
    assert (
        post_signed(MESSAGING_STATUS, {**report, "MessageSid": "SM" + "9" * 32}).status_code == 204
    )


@pytest.mark.parametrize("withheld", ["+266696687", "anonymous", "Restricted"])
def test_a_withheld_number_is_no_number(withheld, django_capture_on_commit_callbacks, heard):
    with django_capture_on_commit_callbacks(execute=True):
        twiml(post_signed(VOICE, call_params(withheld)))
    contact = Contact.objects.get()
    assert contact.phone == "" and contact.phone_raw == ""
    [event] = drain(heard)
    assert event.payload["number"] == "" and event.payload["earlier_contacts"] == 0
