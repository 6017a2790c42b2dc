"""Reading an inbound e-mail (RFC 5322 bytes, from IMAP or the inbound-mail webhook) into
what a contact needs: who, the subject, the text, and the attached files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime

from django.utils import timezone
from django.utils.html import strip_tags


@dataclass(frozen=True)
class RawAttachment:
    filename: str
    declared_type: str
    data: bytes


@dataclass
class ParsedEmail:
    message_id: str
    from_address: str
    to_address: str
    subject: str
    text: str
    sent_at: datetime | None
    attachments: list[RawAttachment] = field(default_factory=list)


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message.get(name, "") or "").strip()
    except (ValueError, TypeError, IndexError):  # a malformed header is no header
        return ""


def _sent_at(message: EmailMessage) -> datetime | None:
    try:
        moment = parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else timezone.make_aware(moment)


def _payload(part: Message) -> bytes:
    """A leaf part's bytes, transfer encoding (base64, quoted-printable) undone."""
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def parse_email(raw: bytes) -> ParsedEmail:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        try:
            content = body.get_content()
        except (LookupError, ValueError):  # an unknown charset
            content = _payload(body).decode("utf-8", "replace")
        text = strip_tags(content) if body.get_content_subtype() == "html" else str(content)
    attachments = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        disposition = part.get_content_disposition()
        if (
            disposition == "attachment"
            or part.get_filename()
            or part.get_content_maintype() != "text"
        ):
            attachments.append(
                RawAttachment(
                    filename=part.get_filename() or "",
                    declared_type=part.get_content_type(),
                    data=_payload(part),
                )
            )
    # Without a Message-ID the bytes themselves identify it (fetched twice, stored once).
    message_id = _header(message, "Message-ID") or f"sha256:{hashlib.sha256(raw).hexdigest()}"
    return ParsedEmail(
        message_id=message_id[:500],
        from_address=parseaddr(_header(message, "From"))[1][:320],
        to_address=parseaddr(_header(message, "To"))[1][:320],
        subject=_header(message, "Subject")[:500],
        text=text.strip(),
        sent_at=_sent_at(message),
        attachments=attachments,
    )
