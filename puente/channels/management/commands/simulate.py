"""`puente simulate`: a call, a text or a WhatsApp message, as the provider would send it.

    puente simulate call +17135550142
    puente simulate end CA0123… --duration 95         (the call's hang-up)
    puente simulate sms +17135550142 "I need help"
    puente simulate whatsapp +525512345678 "AYUDA"
    [--url http://127.0.0.1:8000] [--to +18883737888]

Signed with the configured TWILIO_AUTH_TOKEN (in the demo, its own demo token), so the
running server accepts it exactly as it would accept Twilio.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from puente.channels.simulate import simulate_call, simulate_call_end, simulate_message
from puente.core import choices as c


class Command(BaseCommand):
    help = "Send a correctly signed call, SMS or WhatsApp webhook to a running Puente."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["call", "end", "sms", "whatsapp"])
        parser.add_argument("address", help="The caller's or texter's number (or a call id).")
        parser.add_argument("text", nargs="?", default="", help="The message (sms, whatsapp).")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The server.")
        parser.add_argument("--to", default="", help="The hotline number called or texted.")
        parser.add_argument("--duration", type=int, default=60, help="Seconds (end).")
        parser.add_argument("--country", default=None, help="The demo's country (US, MX).")

    def handle(self, *args, **options):
        token = settings.TWILIO_AUTH_TOKEN
        if not token:
            raise CommandError("No TWILIO_AUTH_TOKEN: the server could not verify the webhook.")
        what, url = options["what"], options["url"]
        try:
            if what == "call":
                sent = simulate_call(
                    base_url=url, caller=options["address"], token=token, to=options["to"]
                )
            elif what == "end":
                sent = simulate_call_end(
                    base_url=url,
                    call_sid=options["address"],
                    duration=options["duration"],
                    token=token,
                )
            else:
                if not options["text"]:
                    raise CommandError(
                        f"What does the {what} say? puente simulate {what} NUMBER TEXT"
                    )
                channel = c.Channel.WHATSAPP if what == "whatsapp" else c.Channel.SMS
                sent = simulate_message(
                    base_url=url,
                    channel=channel,
                    sender=options["address"],
                    body=options["text"],
                    token=token,
                    to=options["to"],
                )
        except OSError as exc:
            raise CommandError(f"Could not reach {url}: {exc}. Is Puente running?") from exc
        self.stdout.write(f"POST {sent.url} → HTTP {sent.status}")
        if "CallSid" in sent.params:
            self.stdout.write(f"Call id: {sent.params['CallSid']}")
            if what == "call":
                self.stdout.write(
                    f"Hang up with: puente simulate end {sent.params['CallSid']} --duration 90"
                )
        if sent.body:
            self.stdout.write(sent.body)
        if sent.status >= 400:
            raise CommandError(f"The server refused the webhook (HTTP {sent.status}).")
