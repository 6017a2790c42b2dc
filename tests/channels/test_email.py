"""E-mail arriving as contacts: the signed inbound-mail webhook (Mailgun's shape) and
`puente fetchmail` against an IMAP stand-in; attachments kept safely (too big or of a
type not allowed refused, the rest stored under random names and only downloaded)."""

from __future__ import annotations

import hashlib
import hmac
import stat
import time
from email.message import EmailMessage
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from puente.accounts.roles import Role, permissions_for
from puente.audit.models import AuditEntry
from puente.channels.models import Attachment, InboundEmail, WebhookRefusal
from puente.core.permissions import Perm
from puente.intake.domain import purge_contacts
from puente.intake.models import Contact
from tests.channels.conftest import EMAIL_SECRET
from tests.channels.imap_standin import IMAPStandIn, Mailbox
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user

pytestmark = pytest.mark.django_db

WEBHOOK = "/channels/email/inbound/mime"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(40)
PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(100)
PAGE = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def an_email(*, message_id: str = "<tip-1@example.org>", big: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = "Neighbour <neighbour@example.org>"
    message["To"] = "tips@hotline.example.org"
    message["Subject"] = "Workers locked in at night"
    message["Message-ID"] = message_id
    message["Date"] = "Mon, 30 Nov 2026 08:00:00 -0600"
    message.set_content("I saw a van bring workers to the warehouse on Elm St every night.")
    message.add_attachment(
        PDF + (bytes(5000) if big else b""), "application", "pdf", filename="statement.pdf"
    )
    message.add_attachment(PNG, "image", "png", filename="../../etc/van.png")
    message.add_attachment(PROGRAM, "image", "jpeg", filename="photo.jpg")
    message.add_attachment(PAGE, "text", "plain", filename="notes.txt")
    return bytes(message)


def mailgun_fields(raw: bytes, *, secret: str = EMAIL_SECRET, age: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()) - age)
    token = "a" * 50
    signature = hmac.new(
        secret.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
        "body-mime": raw.decode(),
    }


def test_the_webhook_turns_an_email_into_a_contact_keeping_only_safe_attachments(settings):
    response = Client().post(WEBHOOK, mailgun_fields(an_email()))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert response.json() == {**response.json(), "attachments_kept": 2, "attachments_refused": 2}
    contact = Contact.objects.get()
    assert contact.channel == "email" and contact.taken_by is None
    assert contact.summary.startswith("Workers locked in at night\n\nI saw a van")
    email = InboundEmail.objects.get()
    assert email.from_address == "neighbour@example.org" and email.source == "webhook"
    assert {(r["filename"], r["reason"]) for r in email.refused_attachments} == {
        ("photo.jpg", "type_not_allowed"),
        ("notes.txt", "type_not_allowed"),
    }
    kept = {a.filename: a for a in Attachment.objects.all()}
    assert set(kept) == {"statement.pdf", "van.png"}
    assert kept["statement.pdf"].content_type == "application/pdf"
    assert kept["van.png"].content_type == "image/png"
    for attachment in kept.values():
        path = settings.PUENTE_ATTACHMENT_DIR / attachment.stored_name
        assert len(attachment.stored_name) == 64 and "van" not in attachment.stored_name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (settings.PUENTE_ATTACHMENT_DIR / kept["van.png"].stored_name).read_bytes() == PNG


def test_an_oversized_attachment_is_refused_and_the_rest_kept(settings):
    settings.PUENTE_ATTACHMENT_MAX_BYTES = 1000
    Client().post(WEBHOOK, mailgun_fields(an_email(big=True)))
    email = InboundEmail.objects.get()
    assert ("statement.pdf", "too_large") in {
        (r["filename"], r["reason"]) for r in email.refused_attachments
    }
    assert [a.filename for a in Attachment.objects.all()] == ["van.png"]


def test_the_same_email_twice_is_stored_once():
    Client().post(WEBHOOK, mailgun_fields(an_email()))
    again = Client().post(WEBHOOK, mailgun_fields(an_email()))
    assert again.json()["status"] == "duplicate"
    assert Contact.objects.count() == 1 and Attachment.objects.count() == 2


@pytest.mark.parametrize("fields", [{"secret": "not-the-secret-" * 3}, {"age": 3600}])
def test_a_forged_or_stale_email_webhook_is_refused_and_stores_nothing(fields, settings):
    response = Client().post(WEBHOOK, mailgun_fields(an_email(), **fields))
    assert response.status_code == 403
    assert Contact.objects.count() == 0 and Attachment.objects.count() == 0
    assert (
        not any(settings.PUENTE_ATTACHMENT_DIR.glob("*"))
        if settings.PUENTE_ATTACHMENT_DIR.exists()
        else True
    )
    assert WebhookRefusal.objects.get().last_endpoint == "email"


def test_attachments_are_only_downloaded_by_who_may_read_the_contact(advocate):
    Client().post(WEBHOOK, mailgun_fields(an_email()))
    attachment = Attachment.objects.get(filename="statement.pdf")
    url = f"/channels/attachments/{attachment.key}/"
    response = signed_in_client(advocate).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="statement.pdf"'
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF
    entry = AuditEntry.objects.filter(action="export").get()
    assert entry.object_type == "contact" and entry.object_id == str(attachment.contact_id)
    assert entry.actor == advocate

    without = next(r for r in Role if Perm.CONTACT_VIEW not in permissions_for(r))
    assert signed_in_client(make_user(without)).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # sign in first

    # Filed in a restricted case: only those named on it.
    from puente.cases import domain as cases
    from puente.intake.domain import link_contact_to_case

    owner = make_user(Role.ADVOCATE)
    supervisor = make_user(Role.SUPERVISOR)
    case = make_case(created_by=owner, title="Van on Elm St")
    link_contact_to_case(contact=attachment.contact, case=case, by=owner)
    cases.restrict_case(case=case, by=supervisor)
    assert signed_in_client(advocate).get(url).status_code == 403
    assert signed_in_client(owner).get(url).status_code == 200


def test_purging_the_contact_removes_its_attachments_from_the_disk(
    settings, django_capture_on_commit_callbacks
):
    Client().post(WEBHOOK, mailgun_fields(an_email()))
    paths = [settings.PUENTE_ATTACHMENT_DIR / a.stored_name for a in Attachment.objects.all()]
    assert all(path.exists() for path in paths)
    contact = Contact.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        deleted = purge_contacts(contact_ids=[contact.pk])
    assert set(deleted) >= {"contact", "inboundemail", "attachment"}
    assert not any(path.exists() for path in paths)
    assert not InboundEmail.objects.exists()


# --- IMAP -----------------------------------------------------------------------------


@pytest.fixture
def mailbox(settings):
    box = Mailbox(user="tips@hotline.example.org", password='imap pass "quoted"')
    box.messages = {
        1: an_email(message_id="<tip-1@example.org>"),
        2: an_email(message_id="<tip-2@example.org>", big=True),
        3: an_email(message_id="<tip-1@example.org>"),  # the same e-mail, delivered twice
    }
    with IMAPStandIn(box) as server:
        settings.PUENTE_IMAP_HOST = "127.0.0.1"
        settings.PUENTE_IMAP_PORT = server.port
        settings.PUENTE_IMAP_SSL = False
        settings.PUENTE_IMAP_USER = box.user
        settings.PUENTE_IMAP_PASSWORD = box.password
        settings.PUENTE_IMAP_FOLDER = "INBOX"
        yield box


def test_fetchmail_stores_each_unread_email_once_and_marks_it_read(mailbox, settings):
    settings.PUENTE_ATTACHMENT_MAX_BYTES = 1000
    out = StringIO()
    call_command("fetchmail", stdout=out)
    assert "2 new e-mails stored, 1 already stored, 0 failed" in out.getvalue()
    assert "attachments: 3 kept, 5 refused" in out.getvalue()
    assert mailbox.seen == {1, 2, 3}
    assert Contact.objects.filter(channel="email").count() == 2
    assert set(InboundEmail.objects.values_list("source", flat=True)) == {"imap"}
    # Fetched without marking read first (BODY.PEEK): a crash leaves it unread.
    assert all("BODY.PEEK[]" in c for c in mailbox.commands if c.upper().startswith("UID FETCH"))
    # Nothing unread: nothing new. Marked unread again by hand: still stored once.
    call_command("fetchmail", stdout=StringIO())
    mailbox.seen.clear()
    call_command("fetchmail", stdout=StringIO())
    assert Contact.objects.count() == 2 and Attachment.objects.count() == 3


def test_fetchmail_with_a_wrong_password_says_so(mailbox, settings):
    settings.PUENTE_IMAP_PASSWORD = "wrong"
    with pytest.raises(CommandError, match="Could not fetch mail"):
        call_command("fetchmail", stdout=StringIO())
    assert Contact.objects.count() == 0
