"""`puente fetchmail`: polls the hotline's IMAP mailbox. Each unread message becomes a
contact (`domain.receive_email`, once per Message-ID) and is then marked read (\\Seen) —
only after it is stored, so a crash in between means it is fetched again, and the
Message-ID keeps it from being stored twice."""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from puente.channels.domain import receive_email

logger = logging.getLogger("puente.channels")


@dataclass
class FetchReport:
    seen: int = 0
    new: int = 0
    duplicates: int = 0
    failed: int = 0
    attachments_kept: int = 0
    attachments_refused: int = 0


def connect() -> imaplib.IMAP4:
    host, port = settings.PUENTE_IMAP_HOST, settings.PUENTE_IMAP_PORT
    if settings.PUENTE_IMAP_SSL:
        return imaplib.IMAP4_SSL(host, port, ssl_context=ssl.create_default_context(), timeout=30)
    return imaplib.IMAP4(host, port, timeout=30)


def fetch_mailbox(*, connect_to: Callable[[], imaplib.IMAP4] = connect) -> FetchReport:
    report = FetchReport()
    imap = connect_to()
    try:
        imap.login(settings.PUENTE_IMAP_USER, settings.PUENTE_IMAP_PASSWORD)
        status, _data = imap.select(settings.PUENTE_IMAP_FOLDER)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {settings.PUENTE_IMAP_FOLDER}")
        status, found = imap.uid("SEARCH", "UNSEEN")
        uids = found[0].split() if status == "OK" and found and found[0] else []
        for uid in uids:
            report.seen += 1
            status, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next(
                (part[1] for part in parts or [] if isinstance(part, tuple) and len(part) > 1),
                None,
            )
            if status != "OK" or not isinstance(raw, bytes):
                report.failed += 1
                logger.warning("Could not fetch message %s", uid)
                continue
            try:
                received = receive_email(raw=raw, source="imap")
            except Exception:
                report.failed += 1
                logger.exception("Could not store message %s; it stays unread", uid)
                continue
            if received.new:
                report.new += 1
                report.attachments_kept += received.kept
                report.attachments_refused += received.refused
            else:
                report.duplicates += 1
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return report
