"""The demo's stand-in for the provider's sending side: webhooks are checked exactly as
Twilio's (the demo signs them with `puente simulate`), but a message Puente sends goes
nowhere. It is kept in the log and, a moment later, reported delivered — as Twilio's
status callback would — so a reply in the demo shows "Delivered" like a real one."""

from __future__ import annotations

import logging
import threading
import uuid

from django.db import close_old_connections
from django.utils.module_loading import import_string

from puente.channels.providers.base import MessageUpdate, OutgoingMessage
from puente.channels.providers.twilio import TwilioProvider

logger = logging.getLogger("puente.channels")

DELIVERY_DELAY_SECONDS = 1.0


def _report_delivered(sid: str) -> None:
    # The domain imports the providers: named by path, looked up when the report is due.
    record_message_status = import_string("puente.channels.domain.record_message_status")
    try:
        record_message_status(
            update=MessageUpdate(message_sid=sid, status="delivered", error_code="")
        )
    except Exception:
        logger.exception("The demo's delivery report for %s failed", sid)
    finally:
        close_old_connections()


class DemoProvider(TwilioProvider):
    name = "demo"

    def send_message(self, message: OutgoingMessage) -> str:
        sid = "SM" + uuid.uuid4().hex
        logger.warning(
            "Demo: a %s message to %s was not sent (no provider in the demo): %s",
            message.channel,
            message.to_address,
            message.body[:80],
        )
        timer = threading.Timer(DELIVERY_DELAY_SECONDS, _report_delivered, args=[sid])
        timer.daemon = True
        timer.start()
        return sid
