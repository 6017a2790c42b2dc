"""Web chat: a visitor of the public site writes to the hotline with no account and no
name. The chat is a text thread (channel "chat") like an SMS one — claimed, transferred and
closed by advocates the same way — whose sender is known only by a random token in the
visitor's cookie, of which the table keeps a hash. No address, no name, no IP.

A visitor's message carries an id made in their browser, so a message re-sent after a
dropped connection is stored once. Advocates' answers need no provider: they are "sent"
when written and "delivered" once the visitor's page has fetched them.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.channels import events
from puente.channels.domain import (
    MAX_BODY,
    _may_answer,
    _ui_language,
    announce_message,
    reply_text,
    screen_pop,
    thread_to_answer,
    transcript,
    write_reply,
)
from puente.channels.live import chat_key
from puente.channels.models import Conversation, Message, MessageStatus, ThreadState
from puente.core import choices as c
from puente.intake.domain import close_inbound_contact, record_inbound_contact

# What a chat's thread records as the hotline's side (there is no number).
HOTLINE_ADDRESS = "web"


def new_chat_token() -> str:
    return secrets.token_urlsafe(32)


def open_chat(*, token: str) -> Conversation | None:
    return (
        Conversation.objects.select_related("contact", "claimed_by")
        .filter(channel=c.Channel.CHAT, address=chat_key(token), state=ThreadState.OPEN)
        .first()
    )


def start_chat(*, token: str, language: str) -> Conversation:
    """The visitor's chat (a new one, with its contact, in the advocates' queue)."""
    existing = open_chat(token=token)
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            contact = record_inbound_contact(
                channel=c.Channel.CHAT, via="chat", started_at=now, language=language
            )
            thread = Conversation.objects.create(
                channel=c.Channel.CHAT,
                address=chat_key(token),
                hotline_address=HOTLINE_ADDRESS,
                contact=contact,
                language=language,
                opened_at=now,
                last_message_at=now,
            )
            events.publish(events.CONTACT_WAITING, {**screen_pop(contact), "thread_id": thread.pk})
    except IntegrityError:  # the same visitor's two tabs, at once
        found = open_chat(token=token)
        if found is None:
            raise
        return found
    return thread


def _message_key(thread: Conversation, client_id: str) -> str:
    return "chat:" + hashlib.sha256(f"{thread.address}:{client_id}".encode()).hexdigest()[:58]


def post_visitor_message(*, thread: Conversation, client_id: str, body: str) -> Message:
    """The visitor's message, stored once per `client_id` (a retry returns the first)."""
    text = body.strip()
    client_id = client_id.strip()
    if not text:
        raise ValidationError(_("Write a message first."))
    if len(text) > MAX_BODY:
        raise ValidationError(
            _("A message can be at most %(limit)s characters.") % {"limit": MAX_BODY}
        )
    if not (8 <= len(client_id) <= 64):
        raise ValidationError("A message id is required.")
    if thread.state != ThreadState.OPEN:
        raise ValidationError(_("This chat has ended."))
    key = _message_key(thread, client_id)
    existing = Message.objects.filter(provider_sid=key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=thread,
                direction=c.Direction.INBOUND,
                body=text,
                provider_sid=key,
                status=MessageStatus.RECEIVED,
                created_at=now,
                status_at=now,
            )
            Conversation.objects.filter(pk=thread.pk).update(last_message_at=now)
            announce_message(thread=thread, message_id=message.pk, direction=message.direction)
    except IntegrityError:
        return Message.objects.get(provider_sid=key)
    return message


def visitor_transcript(*, thread: Conversation, after: int = 0) -> list[Message]:
    """The chat's messages after id `after`, for the visitor's page; the advocate's
    answers it fetches count as delivered."""
    messages = list(thread.messages.filter(pk__gt=after).order_by("created_at", "id"))
    delivered = [
        m.pk
        for m in messages
        if m.direction == c.Direction.OUTBOUND and m.status == MessageStatus.SENT
    ]
    if delivered:
        now = timezone.now()
        Message.objects.filter(pk__in=delivered, status=MessageStatus.SENT).update(
            status=MessageStatus.DELIVERED, status_at=now
        )
        for message in messages:
            if message.pk in delivered:
                message.status = MessageStatus.DELIVERED
        for message_id in delivered:
            announce_message(
                thread=thread,
                message_id=message_id,
                direction=c.Direction.OUTBOUND.value,
                status=MessageStatus.DELIVERED.value,
            )
    return messages


def send_chat_reply(
    *, thread: Conversation, body: str, by: User, request: HttpRequest | None = None
) -> Message:
    """An advocate's answer in a chat: shown to the visitor at once (no provider)."""
    _may_answer(by)
    text = reply_text(body)
    with transaction.atomic():
        current = thread_to_answer(thread=thread, by=by)
        now = timezone.now()
        return write_reply(
            thread=current,
            text=text,
            by=by,
            request=request,
            status=MessageStatus.SENT,
            created_at=now,
            sent_at=now,
            status_at=now,
        )


def end_chat_by_visitor(*, thread: Conversation) -> Conversation:
    """The visitor ended the chat: its contact ends now and keeps the transcript."""
    with transaction.atomic():
        current = Conversation.objects.select_for_update(of=("self",)).get(pk=thread.pk)
        if current.state != ThreadState.OPEN:
            return current
        now = timezone.now()
        with translation.override(_ui_language(current.language)):
            text = transcript(current)
        current.state = ThreadState.CLOSED
        current.closed_at = now
        current.save(update_fields=["state", "closed_at"])
        close_inbound_contact(
            contact_id=current.contact_id, ended_at=now, via="chat", append_text=text
        )
        events.publish(
            events.CONTACT_CLOSED,
            {"contact_id": current.contact_id, "thread_id": current.pk, "channel": current.channel},
        )
    return current
