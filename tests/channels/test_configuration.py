"""What `puente serve` refuses about the channels' configuration, and the retention of a
thread with its contact."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from puente.channels.configuration import channel_configuration_reasons
from puente.channels.models import Conversation, Message
from puente.core.checks import insecure_configuration_reasons
from puente.intake.domain import purge_contacts
from tests.channels.conftest import post_signed, sms_params

GOOD = dict(
    PUENTE_CHANNEL_PROVIDER="twilio",
    TWILIO_AUTH_TOKEN="0123456789abcdef0123456789abcdef",
    TWILIO_ACCOUNT_SID="AC" + "0" * 32,
    PUENTE_PUBLIC_URL="https://hotline.example.org",
    TWILIO_API_URL="https://api.twilio.com",
    PUENTE_INBOUND_EMAIL_SECRET="",
    PUENTE_IMAP_HOST="",
    PUENTE_IMAP_SSL=True,
)


def reasons(**changes) -> list[str]:
    return channel_configuration_reasons(SimpleNamespace(**{**GOOD, **changes}))


def test_a_sound_configuration_has_no_reasons():
    assert reasons() == []
    assert reasons(PUENTE_CHANNEL_PROVIDER="none", TWILIO_AUTH_TOKEN="") == []


@pytest.mark.parametrize(
    "changes,names",
    [
        ({"TWILIO_AUTH_TOKEN": ""}, "TWILIO_AUTH_TOKEN"),
        ({"TWILIO_ACCOUNT_SID": ""}, "TWILIO_ACCOUNT_SID"),
        ({"PUENTE_PUBLIC_URL": "http://hotline.example.org"}, "PUENTE_PUBLIC_URL"),
        ({"TWILIO_API_URL": "http://127.0.0.1:9000"}, "TWILIO_API_URL"),
        ({"PUENTE_INBOUND_EMAIL_SECRET": "short"}, "PUENTE_INBOUND_EMAIL_SECRET"),
        ({"PUENTE_IMAP_HOST": "imap.example.org", "PUENTE_IMAP_SSL": False}, "PUENTE_IMAP_SSL"),
    ],
)
def test_each_unsafe_setting_is_named(changes, names):
    [reason] = reasons(**changes)
    assert names in reason


@pytest.mark.django_db  # another app's check reads its partners
def test_serve_runs_the_channels_check(settings):
    settings.PUENTE_CHANNEL_PROVIDER = "twilio"
    settings.TWILIO_AUTH_TOKEN = ""
    assert any("TWILIO_AUTH_TOKEN" in r for r in insecure_configuration_reasons(settings))


@pytest.mark.django_db
def test_a_thread_goes_with_its_contact():
    post_signed("/channels/twilio/messaging/", sms_params("hello", sid="SM" + "1" * 32))
    post_signed("/channels/twilio/messaging/", sms_params("HELP", sid="SM" + "2" * 32))
    thread = Conversation.objects.get()
    deleted = purge_contacts(contact_ids=[thread.contact_id])
    assert len(deleted["message"]) == 3 and deleted["conversation"] == [str(thread.pk)]
    assert not Conversation.objects.exists() and not Message.objects.exists()
