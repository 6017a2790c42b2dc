"""`puente simulate` against a running server: a correctly signed webhook, accepted as
Twilio's would be, creating the contact (and, with the wrong token, refused)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from puente.channels.models import Call, Conversation
from puente.intake.models import Contact

pytestmark = pytest.mark.django_db(transaction=True)


def test_simulate_a_call_then_its_end(live_server):
    out = StringIO()
    call_command("simulate", "call", "+17135550142", "--url", live_server.url, stdout=out)
    assert "HTTP 200" in out.getvalue() and "<Gather" in out.getvalue()
    contact = Contact.objects.get()
    assert contact.channel == "phone" and contact.phone == "+17135550142"
    call = Call.objects.get()
    assert call.to_number == "+18883737888"
    call_command(
        "simulate", "end", call.call_sid, "--duration", "42", "--url", live_server.url, stdout=out
    )
    contact.refresh_from_db()
    assert (contact.ended_at - contact.started_at).total_seconds() == 42


def test_simulate_sms_and_whatsapp(live_server):
    out = StringIO()
    call_command("simulate", "sms", "+17135550142", "AYUDA", "--url", live_server.url, stdout=out)
    assert "Si estás en peligro inmediato" in out.getvalue()
    call_command(
        "simulate", "whatsapp", "+525512345678", "Hola", "--url", live_server.url, stdout=out
    )
    channels = sorted(Conversation.objects.values_list("channel", "address"))
    assert channels == [("sms", "+17135550142"), ("whatsapp", "+525512345678")]


def test_a_webhook_signed_with_another_token_is_refused(live_server):
    from puente.channels.simulate import simulate_call

    sent = simulate_call(base_url=live_server.url, caller="+17135550142", token="e" * 32)
    assert sent.status == 403
    assert Contact.objects.count() == 0


def test_simulate_without_a_server_says_so():
    with pytest.raises(CommandError, match="Is Puente running"):
        call_command(
            "simulate", "call", "+17135550142", "--url", "http://127.0.0.1:9", stdout=StringIO()
        )
