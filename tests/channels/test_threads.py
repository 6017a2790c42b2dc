"""Answering a text thread: claiming (exactly one of two advocates wins), releasing and
transferring, replies written first and sent by the worker through the provider's REST
API (a stand-in HTTP server that checks the exact request), once, outage or not."""

from __future__ import annotations

import base64
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from puente.accounts.roles import Role
from puente.channels import domain
from puente.channels.models import Conversation, Message
from puente.intake.models import Contact
from tests.channels.conftest import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    HOTLINE_SMS,
    HOTLINE_WHATSAPP,
    post_signed,
    sms_params,
)
from tests.factories import make_user

MESSAGING = "/channels/twilio/messaging/"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def _thread(*, whatsapp: bool = False, sender: str = "+17135550142", sid: str = "SM" + "1" * 32):
    response = post_signed(
        MESSAGING, sms_params("I need help", sender=sender, sid=sid, whatsapp=whatsapp)
    )
    assert response.status_code == 200
    return Conversation.objects.get(address=sender)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# --- claiming -------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_advocate_claims_and_the_next_is_told_who_has_it(advocate):
    other = make_user(Role.ADVOCATE, first_name="Beto", last_name="Barrios")
    thread = _thread()
    claimed = domain.claim_thread(thread=thread, by=advocate)
    assert claimed.claimed_by == advocate and claimed.claimed_at is not None
    assert Contact.objects.get().taken_by == advocate
    with pytest.raises(domain.ThreadRefused) as refused:
        domain.claim_thread(thread=thread, by=other)
    assert str(refused.value) == "Ana Advocate is already answering this conversation."
    # Claiming again what one holds is no error.
    assert domain.claim_thread(thread=thread, by=advocate).claimed_by == advocate


@pytest.mark.django_db
def test_release_and_transfer(advocate, supervisor):
    other = make_user(Role.ADVOCATE, first_name="Beto", last_name="Barrios")
    thread = _thread()
    with pytest.raises(domain.ThreadRefused, match="Nobody is answering"):
        domain.release_thread(thread=thread, by=advocate)
    domain.claim_thread(thread=thread, by=advocate)
    with pytest.raises(domain.ThreadRefused, match="Ana Advocate is answering"):
        domain.release_thread(thread=thread, by=other)
    moved = domain.transfer_thread(thread=thread, by=advocate, to=other)
    assert moved.claimed_by == other
    with pytest.raises(domain.ThreadRefused, match="Beto Barrios is answering"):
        domain.send_reply(thread=thread, body="Hello", by=advocate)
    # A supervisor can free a thread an advocate left behind.
    assert domain.release_thread(thread=thread, by=supervisor).claimed_by is None
    analyst = make_user(Role.ANALYST)
    with pytest.raises(domain.ThreadRefused, match="cannot answer"):
        domain.transfer_thread(thread=thread, by=supervisor, to=analyst)
    with pytest.raises(PermissionDenied):
        domain.claim_thread(thread=thread, by=analyst)


@pytest.mark.django_db(transaction=True)
def test_two_advocates_claiming_at_once_exactly_one_wins():
    first = make_user(Role.ADVOCATE, first_name="Ana", last_name="Uno")
    second = make_user(Role.ADVOCATE, first_name="Beto", last_name="Dos")
    thread = _thread()
    if connection.vendor != "postgresql":
        # SQLite runs one writer at a time: the same race, one after the other.
        results = []
        for user in (first, second):
            try:
                results.append(domain.claim_thread(thread=thread, by=user).claimed_by_id)
            except domain.ThreadRefused as exc:
                results.append(str(exc))
        assert results == [first.pk, "Ana Uno is already answering this conversation."]
        return
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def claim(user):
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            outcomes[user.username] = domain.claim_thread(thread=thread, by=user).claimed_by_id
        except domain.ThreadRefused as exc:
            outcomes[user.username] = str(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=claim, args=(user,)) for user in (first, second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    winner = Conversation.objects.get(pk=thread.pk).claimed_by
    assert winner in (first, second)
    loser = second if winner == first else first
    assert outcomes[winner.username] == winner.pk
    assert outcomes[loser.username] == (
        f"{winner.get_full_name()} is already answering this conversation."
    )


# --- replies --------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_advocate_who_claimed_may_reply(advocate):
    thread = _thread()
    with pytest.raises(domain.ThreadRefused, match="Claim this conversation"):
        domain.send_reply(thread=thread, body="Hello", by=advocate)
    domain.claim_thread(thread=thread, by=advocate)
    with pytest.raises(ValidationError):
        domain.send_reply(thread=thread, body="   ", by=advocate)
    with pytest.raises(ValidationError):
        domain.send_reply(thread=thread, body="x" * 1601, by=advocate)
    assert Message.objects.filter(direction="outbound").count() == 0


@pytest.mark.django_db
def test_an_sms_round_trip_through_the_provider(
    advocate, provider_api, django_capture_on_commit_callbacks
):
    thread = _thread()
    domain.claim_thread(thread=thread, by=advocate)
    with django_capture_on_commit_callbacks(execute=True):
        message = domain.send_reply(
            thread=thread, body="We are here. Are you safe now?", by=advocate
        )
    assert message.status == "queued" and provider_api.requests == []
    # Queued for the worker once the reply committed.
    assert DBTaskResult.objects.filter(task_path="puente.channels.tasks.send_message").count() == 1
    assert domain.deliver_message(message_id=message.pk).startswith("sent")
    [sent] = provider_api.requests
    assert sent.path == MESSAGES_PATH
    assert sent.form == {
        "To": ["+17135550142"],
        "From": [HOTLINE_SMS],
        "Body": ["We are here. Are you safe now?"],
    }
    assert sent.headers["Authorization"] == _basic(ACCOUNT_SID, AUTH_TOKEN)
    message.refresh_from_db()
    assert message.status == "sent" and message.provider_sid == f"SM{1:032x}"
    # Twilio's delivery report comes back on the status webhook.
    report = {"MessageSid": message.provider_sid, "MessageStatus": "delivered"}
    assert post_signed("/channels/twilio/messaging/status/", report).status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"
    # Sending again sends nothing.
    assert not domain.deliver_message(message_id=message.pk).startswith("sent")
    assert len(provider_api.requests) == 1


@pytest.mark.django_db
def test_a_whatsapp_round_trip_through_the_provider(advocate, provider_api, settings):
    thread = _thread(whatsapp=True, sender="+525512345678")
    settings.PUENTE_PUBLIC_URL = "https://hotline.example.org"  # where delivery reports go
    domain.claim_thread(thread=thread, by=advocate)
    message = domain.send_reply(thread=thread, body="Estamos aquí.", by=advocate)
    domain.deliver_message(message_id=message.pk)
    [sent] = provider_api.requests
    assert sent.path == MESSAGES_PATH
    assert sent.form["To"] == ["whatsapp:+525512345678"]
    assert sent.form["From"] == [f"whatsapp:{HOTLINE_WHATSAPP}"]
    assert sent.form["Body"] == ["Estamos aquí."]
    assert sent.form["StatusCallback"] == [
        "https://hotline.example.org/channels/twilio/messaging/status/"
    ]


@pytest.mark.django_db
def test_an_outage_delays_a_reply_and_it_is_sent_once_when_the_provider_returns(
    advocate, provider_api
):
    thread = _thread()
    domain.claim_thread(thread=thread, by=advocate)
    message = domain.send_reply(thread=thread, body="Still there?", by=advocate)
    provider_api.answers = [(503, {"code": 20503, "message": "Service unavailable", "status": 503})]
    assert domain.deliver_message(message_id=message.pk).startswith("failed")
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 1
    assert "503" in message.error and message.next_attempt_at > timezone.now()
    # Not due yet: the sweep leaves it.
    assert domain.send_due_messages() == 0
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert domain.send_due_messages() == 1
    assert domain.send_due_messages() == 0
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2 and message.error == ""
    assert len(provider_api.requests) == 2 and provider_api.sent == 1


@pytest.mark.django_db
def test_an_unreachable_provider_is_an_outage_too(advocate, settings):
    settings.TWILIO_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    thread = _thread()
    domain.claim_thread(thread=thread, by=advocate)
    message = domain.send_reply(thread=thread, body="Hello?", by=advocate)
    domain.deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == "queued" and message.next_attempt_at is not None


@pytest.mark.django_db
def test_a_refused_message_fails_with_the_providers_code(advocate, provider_api):
    thread = _thread()
    domain.claim_thread(thread=thread, by=advocate)
    message = domain.send_reply(thread=thread, body="Hello", by=advocate)
    provider_api.answers = [
        (
            400,
            {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400},
        )
    ]
    domain.deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == "failed" and message.error_code == "21610"
    assert domain.send_due_messages() == 0 and len(provider_api.requests) == 1


@pytest.mark.django_db
def test_after_stop_nothing_more_is_sent(advocate, provider_api):
    thread = _thread()
    domain.claim_thread(thread=thread, by=advocate)
    queued = domain.send_reply(thread=thread, body="Written before the STOP", by=advocate)
    post_signed(MESSAGING, sms_params("STOP", sid="SM" + "2" * 32))
    with pytest.raises(domain.ThreadRefused, match="texted STOP"):
        domain.send_reply(thread=thread, body="Hello", by=advocate)
    assert domain.deliver_message(message_id=queued.pk) == "blocked: opted out"
    queued.refresh_from_db()
    assert queued.status == "blocked" and provider_api.requests == []


@pytest.mark.django_db
def test_closing_a_thread_keeps_the_transcript_on_the_contact_for_search(
    advocate, django_capture_on_commit_callbacks
):
    from puente.search.queries import search

    thread = _thread()
    post_signed(MESSAGING, sms_params("they keep our passports", sid="SM" + "3" * 32))
    domain.claim_thread(thread=thread, by=advocate)
    domain.send_reply(thread=thread, body="You are not alone.", by=advocate)
    with django_capture_on_commit_callbacks(execute=True):
        domain.close_thread(thread=thread, by=advocate)
    contact = Contact.objects.get()
    assert contact.ended_at is not None
    assert "Texter: they keep our passports" in contact.summary
    assert "Hotline: You are not alone." in contact.summary
    found = search(user=advocate, query="passports")
    assert [c.pk for c in found.contacts] == [contact.pk]
    with pytest.raises(domain.ThreadRefused, match="closed"):
        domain.send_reply(thread=thread, body="Hello", by=advocate)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_puente_worker_sends_the_reply_queued_when_it_committed(provider_api):
    from io import StringIO

    from django.core.management import call_command

    advocate = make_user(Role.ADVOCATE)
    thread = _thread()
    domain.claim_thread(thread=thread, by=advocate)
    message = domain.send_reply(thread=thread, body="An advocate is here.", by=advocate)
    call_command("worker", "--batch", stdout=StringIO(), stderr=StringIO())
    message.refresh_from_db()
    assert message.status == "sent"
    assert [r.form["Body"] for r in provider_api.requests] == [["An advocate is here."]]


@pytest.mark.django_db
def test_refusal_counts_older_than_a_year_go():
    from puente.channels.models import WebhookRefusal
    from puente.channels.tasks import purge_old_refusals

    now = timezone.now()
    WebhookRefusal.objects.create(source="192.0.2.1", hour=now - timedelta(days=400), refused=9)
    WebhookRefusal.objects.create(source="192.0.2.1", hour=now - timedelta(days=30), refused=2)
    assert purge_old_refusals.call() == 1
    assert list(WebhookRefusal.objects.values_list("refused", flat=True)) == [2]


@pytest.mark.django_db
def test_a_signed_message_without_an_id_is_a_bad_request():
    params = sms_params("hello", sid="")
    assert post_signed(MESSAGING, params).status_code == 400
    assert Contact.objects.count() == 0
