"""Channel rules: a call, a text or an e-mail arriving becomes a contact in the
advocates' queue, matched to what the hotline already knows; a text thread is answered
by the one advocate who claimed it; replies go out through the provider, once.

Webhooks, the `simulate` and `fetchmail` commands and the pages all come through here.
Every function is a transaction that writes its audit entry on the contact it concerns
(object type "contact": intake's rule decides who may read it, and a retention purge of
the contact forgets it).
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.channels import attachments, events
from puente.channels.mail import parse_email
from puente.channels.models import (
    Attachment,
    Call,
    Conversation,
    InboundEmail,
    Message,
    MessageStatus,
    OptOut,
    ThreadState,
)
from puente.channels.providers import current_provider
from puente.channels.providers.base import (
    CallUpdate,
    ChannelProvider,
    InboundCall,
    InboundMessage,
    MessageUpdate,
    OutgoingMessage,
    ProviderError,
)
from puente.channels.queries import known_about_email, known_about_number, opted_out
from puente.core import choices as c
from puente.core.permissions import Perm, Refused
from puente.core.phones import format_phone
from puente.intake.domain import (
    close_inbound_contact,
    record_inbound_contact,
    take_inbound_contact,
)
from puente.intake.models import Contact

logger = logging.getLogger("puente.channels")

MAX_BODY = 1600  # Twilio's limit for one message, however many segments it takes

# Twilio's standard keywords (its Messaging Service default opt-out handling), and the
# Spanish ones Mexican texters use. A whole message of one keyword, any case or accents.
OPT_OUT_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE", "ALTO"}
)
OPT_IN_WORDS = frozenset({"START", "UNSTOP", "YES"})
HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})
SPANISH_WORDS = frozenset({"ALTO", "AYUDA"})
ENGLISH_WORDS = frozenset({"STOP", "HELP"})

# A call's last statuses (Twilio's CallStatus): the contact ends.
FINAL_CALL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})
# Delivery statuses only move forward: a late "sent" never undoes "delivered".
_STATUS_RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.READ: 4,
    MessageStatus.UNDELIVERED: 5,
    MessageStatus.FAILED: 5,
}
# "accepted" and "scheduled" are Twilio's words for queued.
_PROVIDER_STATUS = {"accepted": MessageStatus.QUEUED, "scheduled": MessageStatus.QUEUED}

# A worker killed between taking a message and recording the answer leaves it "sending";
# after this long it goes back to the queue.
SENDING_LEASE = timedelta(minutes=5)


def _ui_language(language: str) -> str:
    return "es" if language == c.Language.SPANISH else "en"


def _default_language() -> str:
    return c.Language.SPANISH if settings.LANGUAGE_CODE == "es" else c.Language.ENGLISH


def keyword_of(body: str) -> str:
    """The message as a keyword: upper case, no accents, no surrounding punctuation."""
    folded = unicodedata.normalize("NFKD", body.strip())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return folded.strip(" \t\r\n.!¡?¿,;:\"'").upper()


# --- Events ----------------------------------------------------------------------------


def screen_pop(contact: Contact) -> dict[str, object]:
    """What the advocates' pages need to show a waiting contact: ids, the number as it is
    read aloud, and how much is known (each page asks, per reader, what it may show)."""
    known = known_about_number(number=contact.phone, excluding_contact=contact.pk)
    return {
        "contact_id": contact.pk,
        "channel": contact.channel,
        "number": format_phone(contact.phone) if contact.phone else "",
        "language": contact.language,
        "started_at": contact.started_at.isoformat(),
        "earlier_contacts": known.earlier_contacts,
        "case_ids": known.case_ids,
    }


# --- Voice -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedCall:
    call: Call
    new: bool  # False: the provider retried a webhook already handled


def receive_call(*, inbound: InboundCall, via: str) -> ReceivedCall:
    """A call rings: an in-progress contact (no advocate yet) and a screen-pop for the
    advocates on duty. The provider retrying the same call stores nothing twice."""
    if not inbound.call_sid:
        raise ValidationError("A call without an id.")
    existing = Call.objects.select_related("contact").filter(call_sid=inbound.call_sid).first()
    if existing is not None:
        return ReceivedCall(call=existing, new=False)
    try:
        with transaction.atomic():
            contact = record_inbound_contact(
                channel=c.Channel.PHONE, via=via, phone=inbound.from_number
            )
            call = Call.objects.create(
                call_sid=inbound.call_sid,
                contact=contact,
                from_number=inbound.from_number[:40],
                to_number=inbound.to_number[:40],
                status=inbound.status[:20],
            )
            events.publish(events.CALL_WAITING, screen_pop(contact))
    except IntegrityError:
        # The same call's webhook, retried, committed first.
        return ReceivedCall(
            call=Call.objects.select_related("contact").get(call_sid=inbound.call_sid), new=False
        )
    return ReceivedCall(call=call, new=True)


def choose_call_language(*, call_sid: str, language: str, via: str) -> Call | None:
    """The caller pressed a key for a language: the contact is in that language (which
    advocates the call should go to)."""
    call = Call.objects.select_related("contact").filter(call_sid=call_sid).first()
    if call is None:
        return None
    with transaction.atomic():
        contact = Contact.objects.select_for_update(of=("self",)).get(pk=call.contact_id)
        if contact.language != language:
            record_event(
                action="change",
                actor_name=f"channel:{via}",
                obj=contact,
                changes=[{"field": "language", "old": contact.language, "new": language}],
                via="channel",
            )
            Contact.objects.filter(pk=contact.pk).update(
                language=language, version=F("version") + 1, updated_at=timezone.now()
            )
    return call


def record_call_status(*, update: CallUpdate, via: str) -> Call | None:
    """A status callback: a call that ended (hung up, unanswered, failed) closes its
    contact with its duration. Repeated or late callbacks change nothing more."""
    with transaction.atomic():
        call = (
            Call.objects.select_for_update(of=("self",))
            .select_related("contact")
            .filter(call_sid=update.call_sid)
            .first()
        )
        if call is None or call.status in FINAL_CALL_STATUSES:
            return call
        call.status = update.status[:20]
        if update.duration_seconds is not None:
            call.duration_seconds = update.duration_seconds
        call.save(update_fields=["status", "duration_seconds", "updated_at"])
        if update.status in FINAL_CALL_STATUSES:
            seconds = update.duration_seconds or 0
            close_inbound_contact(
                contact_id=call.contact_id,
                ended_at=call.contact.started_at + timedelta(seconds=seconds),
                via=via,
            )
            events.publish(
                events.CONTACT_CLOSED,
                {
                    "contact_id": call.contact_id,
                    "channel": c.Channel.PHONE.value,
                    "status": update.status,
                    "duration_seconds": seconds,
                },
            )
    return call


# --- Text threads: inbound -------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMessage:
    message: Message
    thread: Conversation
    new: bool  # False: a retried webhook, already stored
    reply: str  # the automatic answer to send back at once ("" for none)


def _open_thread(*, inbound: InboundMessage, language: str, via: str) -> Conversation:
    """The sender's open thread, or a new one with a new contact. Two first texts arriving
    together open one thread (the partial unique constraint decides)."""
    found = Conversation.objects.filter(
        channel=inbound.channel,
        address=inbound.from_address,
        hotline_address=inbound.to_address,
        state=ThreadState.OPEN,
    ).first()
    if found is not None:
        return found
    now = timezone.now()
    try:
        with transaction.atomic():
            contact = record_inbound_contact(
                channel=inbound.channel,
                via=via,
                started_at=now,
                phone=inbound.from_address,
                language=language,
            )
            thread = Conversation.objects.create(
                channel=inbound.channel,
                address=inbound.from_address[:40],
                hotline_address=inbound.to_address[:40],
                contact=contact,
                language=language,
                opened_at=now,
                last_message_at=now,
            )
    except IntegrityError:
        return Conversation.objects.get(
            channel=inbound.channel,
            address=inbound.from_address,
            hotline_address=inbound.to_address,
            state=ThreadState.OPEN,
        )
    events.publish(events.CONTACT_WAITING, {**screen_pop(contact), "thread_id": thread.pk})
    return thread


def _automatic_answer(*, keyword: str, thread: Conversation) -> str:
    """HELP, STOP and START answered in the thread's language; STOP recorded so nothing
    more is sent to the sender on this channel (until START)."""
    hotline = settings.PUENTE_HOTLINE_NAME
    if keyword in OPT_OUT_WORDS:
        OptOut.objects.get_or_create(
            channel=thread.channel,
            address=thread.address,
            defaults={"opted_out_at": timezone.now()},
        )
        text = gettext_lazy(
            "You will not receive more messages from %(hotline)s. Reply START to receive "
            "messages again."
        )
    elif keyword in OPT_IN_WORDS:
        deleted, _rows = OptOut.objects.filter(
            channel=thread.channel, address=thread.address
        ).delete()
        if not deleted:
            return ""  # "yes" in a conversation is just a word
        text = gettext_lazy(
            "You will receive messages from %(hotline)s again. Reply HELP for help."
        )
    elif keyword in HELP_WORDS:
        text = gettext_lazy(
            "%(hotline)s: an advocate will answer you here. If you are in immediate danger, "
            "call 911. Reply STOP to stop receiving messages."
        )
    else:
        return ""
    with translation.override(_ui_language(thread.language)):
        return str(text) % {"hotline": hotline}


def receive_message(*, inbound: InboundMessage, via: str) -> ReceivedMessage:
    """A text or WhatsApp message arrives: appended to the sender's open thread (a new
    thread, and a new contact, if none is open); keywords answered at once. The provider
    retrying the same message stores nothing twice."""
    if not inbound.message_sid:
        raise ValidationError("A message without an id.")
    existing = (
        Message.objects.select_related("conversation")
        .filter(provider_sid=inbound.message_sid)
        .first()
    )
    if existing is not None:
        return ReceivedMessage(existing, existing.conversation, new=False, reply="")
    keyword = keyword_of(inbound.body)
    language = (
        c.Language.SPANISH
        if keyword in SPANISH_WORDS
        else c.Language.ENGLISH
        if keyword in ENGLISH_WORDS
        else ""
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            thread = _open_thread(
                inbound=inbound, language=language or _default_language(), via=via
            )
            if language and thread.language != language:
                # Whoever answers AYUDA in Spanish is answered in Spanish from then on.
                thread.language = language
            message = Message.objects.create(
                conversation=thread,
                direction=c.Direction.INBOUND,
                body=inbound.body[:MAX_BODY],
                provider_sid=inbound.message_sid,
                status=MessageStatus.RECEIVED,
                media_count=inbound.media_count,
                created_at=now,
                status_at=now,
            )
            thread.last_message_at = now
            thread.save(update_fields=["language", "last_message_at"])
            reply = _automatic_answer(keyword=keyword, thread=thread)
            if reply:
                Message.objects.create(
                    conversation=thread,
                    direction=c.Direction.OUTBOUND,
                    body=reply,
                    status=MessageStatus.SENT,
                    automatic=True,
                    created_at=now,
                    sent_at=now,
                    status_at=now,
                )
            announce_message(thread=thread, message_id=message.pk, direction=message.direction)
    except IntegrityError:
        existing = Message.objects.select_related("conversation").get(
            provider_sid=inbound.message_sid
        )
        return ReceivedMessage(existing, existing.conversation, new=False, reply="")
    return ReceivedMessage(message, thread, new=True, reply=reply)


def record_message_status(*, update: MessageUpdate) -> Message | None:
    """A delivery report: the message's status moves forward (never back), with the
    provider's error code when it failed."""
    status = _PROVIDER_STATUS.get(update.status, update.status)
    if status not in _STATUS_RANK:
        return None
    now = timezone.now()
    lower = [s for s, rank in _STATUS_RANK.items() if rank < _STATUS_RANK[MessageStatus(status)]]
    changed = Message.objects.filter(provider_sid=update.message_sid, status__in=lower).update(
        status=status, error_code=update.error_code[:12], status_at=now
    )
    message = (
        Message.objects.select_related("conversation")
        .filter(provider_sid=update.message_sid)
        .first()
    )
    if changed and message is not None:
        announce_message(
            thread=message.conversation,
            message_id=message.pk,
            direction=message.direction,
            status=message.status,
        )
    return message


# --- Text threads: who answers ---------------------------------------------------------


class ThreadRefused(Refused):
    """Not yours to answer (someone else claimed it, or nobody did), closed, or the
    person opted out. The reason names who holds it."""


def _owner_name(user: User | None) -> str:
    if user is None:
        return _("nobody")
    return user.get_full_name() or user.get_username()


def _may_answer(by: User) -> None:
    if not by.can(Perm.CONTACT_EDIT):
        raise PermissionDenied


def _audit_thread(
    *,
    thread: Conversation,
    by: User,
    what: str,
    old: object,
    new: object,
    request: HttpRequest | None,
) -> None:
    record_event(
        action="change",
        actor=by,
        obj=thread.contact,
        changes=[{"field": what, "old": old, "new": new}],
        request=request,
    )


def _claimed_event(thread_id: int, contact_id: int, user_id: int | None) -> None:
    events.publish(
        events.THREAD_CLAIMED,
        {"thread_id": thread_id, "contact_id": contact_id, "claimed_by": user_id},
    )


def claim_thread(
    *, thread: Conversation, by: User, request: HttpRequest | None = None
) -> Conversation:
    """Take a thread to answer it. One conditional UPDATE (… WHERE claimed_by IS NULL):
    of two advocates claiming at once exactly one wins; the other is told who has it."""
    _may_answer(by)
    now = timezone.now()
    with transaction.atomic():
        won = Conversation.objects.filter(
            pk=thread.pk, state=ThreadState.OPEN, claimed_by__isnull=True
        ).update(claimed_by=by, claimed_at=now)
        current = Conversation.objects.select_related("claimed_by", "contact").get(pk=thread.pk)
        if not won:
            if current.claimed_by_id == by.pk:
                return current
            if current.state != ThreadState.OPEN:
                raise ThreadRefused(_("This conversation is closed."))
            raise ThreadRefused(
                _("%(name)s is already answering this conversation.")
                % {"name": _owner_name(current.claimed_by)}
            )
        take_inbound_contact(contact_id=current.contact_id, by=by)
        _audit_thread(
            thread=current, by=by, what="claimed_by", old=None, new=by.pk, request=request
        )
        _claimed_event(current.pk, current.contact_id, by.pk)
    return current


def _holder_or_supervisor(*, thread: Conversation, by: User) -> Q:
    """Who may let go of a thread or pass it on: whoever holds it, or a supervisor (an
    advocate gone home mid-conversation)."""
    if by.can(Perm.CASE_RESTRICT):
        return Q(claimed_by__isnull=False)
    return Q(claimed_by=by)


def _refuse_not_holder(thread_id: int) -> ThreadRefused:
    current = Conversation.objects.select_related("claimed_by").get(pk=thread_id)
    if current.claimed_by_id is None:
        return ThreadRefused(_("Nobody is answering this conversation: claim it first."))
    return ThreadRefused(
        _("%(name)s is answering this conversation.") % {"name": _owner_name(current.claimed_by)}
    )


def release_thread(
    *, thread: Conversation, by: User, request: HttpRequest | None = None
) -> Conversation:
    """Let go of a thread: back in the queue for anyone to claim."""
    _may_answer(by)
    with transaction.atomic():
        current = Conversation.objects.select_for_update(of=("self",)).get(pk=thread.pk)
        released = Conversation.objects.filter(
            Q(pk=thread.pk), _holder_or_supervisor(thread=thread, by=by)
        ).update(claimed_by=None, claimed_at=None)
        if not released:
            raise _refuse_not_holder(thread.pk)
        _audit_thread(
            thread=current,
            by=by,
            what="claimed_by",
            old=current.claimed_by_id,
            new=None,
            request=request,
        )
        _claimed_event(current.pk, current.contact_id, None)
        current.refresh_from_db()
    return current


def transfer_thread(
    *, thread: Conversation, by: User, to: User, request: HttpRequest | None = None
) -> Conversation:
    """Pass a thread to another advocate, who answers it from now on."""
    _may_answer(by)
    if not to.is_active or not to.can(Perm.CONTACT_EDIT):
        raise ThreadRefused(_("%(name)s cannot answer conversations.") % {"name": _owner_name(to)})
    with transaction.atomic():
        current = Conversation.objects.select_for_update(of=("self",)).get(pk=thread.pk)
        moved = Conversation.objects.filter(
            Q(pk=thread.pk, state=ThreadState.OPEN), _holder_or_supervisor(thread=thread, by=by)
        ).update(claimed_by=to, claimed_at=timezone.now())
        if not moved:
            raise _refuse_not_holder(thread.pk)
        _audit_thread(
            thread=current,
            by=by,
            what="claimed_by",
            old=current.claimed_by_id,
            new=to.pk,
            request=request,
        )
        _claimed_event(current.pk, current.contact_id, to.pk)
        current.refresh_from_db()
    return current


def transcript(thread: Conversation) -> str:
    """The thread as text, for the contact's summary (and so for search)."""
    lines = [
        str(_("Conversation by %(channel)s")) % {"channel": c.label_for(c.Channel, thread.channel)}
    ]
    for message in thread.messages.order_by("created_at", "id"):
        when = timezone.localtime(message.created_at).strftime("%Y-%m-%d %H:%M")
        who = _("Texter") if message.direction == c.Direction.INBOUND else _("Hotline")
        lines.append(f"[{when}] {who}: {message.body}")
    return "\n".join(lines)


def close_thread(
    *, thread: Conversation, by: User, request: HttpRequest | None = None
) -> Conversation:
    """End a conversation: its contact ends now and keeps the transcript. The sender's
    next text opens a new thread (and a new contact)."""
    _may_answer(by)
    with transaction.atomic():
        current = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("claimed_by")
            .get(pk=thread.pk)
        )
        if current.state != ThreadState.OPEN:
            return current
        if current.claimed_by_id not in (None, by.pk) and not by.can(Perm.CASE_RESTRICT):
            raise _refuse_not_holder(current.pk)
        now = timezone.now()
        with translation.override(_ui_language(current.language)):
            text = transcript(current)
        current.state = ThreadState.CLOSED
        current.closed_at = now
        current.save(update_fields=["state", "closed_at"])
        close_inbound_contact(
            contact_id=current.contact_id, ended_at=now, via="thread", append_text=text
        )
        _audit_thread(
            thread=current,
            by=by,
            what="thread",
            old=ThreadState.OPEN,
            new=ThreadState.CLOSED,
            request=request,
        )
        events.publish(
            events.CONTACT_CLOSED,
            {"contact_id": current.contact_id, "thread_id": current.pk, "channel": current.channel},
        )
    return current


# --- Text threads: outgoing ------------------------------------------------------------


def reply_text(body: str) -> str:
    """What an advocate typed as a reply, checked: not empty, not longer than one
    message may be."""
    text = body.strip()
    if not text:
        raise ValidationError({"body": _("Write a reply first.")})
    if len(text) > MAX_BODY:
        raise ValidationError(
            {"body": _("A reply can be at most %(limit)s characters.") % {"limit": MAX_BODY}}
        )
    return text


def thread_to_answer(*, thread: Conversation, by: User) -> Conversation:
    """The thread, locked for this transaction, if `by` may answer it now: open, and
    claimed by them (two advocates never answer one person at once)."""
    current = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "contact")
        .get(pk=thread.pk)
    )
    if current.state != ThreadState.OPEN:
        raise ThreadRefused(_("This conversation is closed."))
    if current.claimed_by_id != by.pk:
        if current.claimed_by_id is None:
            raise ThreadRefused(_("Claim this conversation before you reply."))
        raise ThreadRefused(
            _("%(name)s is answering this conversation.")
            % {"name": _owner_name(current.claimed_by)}
        )
    return current


def write_reply(
    *,
    thread: Conversation,
    text: str,
    by: User,
    request: HttpRequest | None = None,
    **message_fields: Any,
) -> Message:
    """The reply stored on the thread, audited and announced to the live pages; how it
    travels (the provider, or the chat page) is the caller's."""
    now = message_fields.pop("created_at", None) or timezone.now()
    message = Message.objects.create(
        conversation=thread,
        direction=c.Direction.OUTBOUND,
        body=text,
        sent_by=by,
        created_at=now,
        **message_fields,
    )
    thread.last_message_at = now
    thread.save(update_fields=["last_message_at"])
    record_event(
        action="change",
        actor=by,
        obj=thread.contact,
        changes=[{"field": "reply", "old": None, "new": text}],
        request=request,
    )
    announce_message(
        thread=thread, message_id=message.pk, direction=message.direction, status=message.status
    )
    return message


def send_reply(
    *, thread: Conversation, body: str, by: User, request: HttpRequest | None = None
) -> Message:
    """An advocate's reply: written (queued) in this transaction, sent by the worker once
    it commits (`deliver_message`), so an outage delays it and never loses it. Only the
    advocate who claimed the thread may reply."""
    _may_answer(by)
    text = reply_text(body)
    with transaction.atomic():
        current = thread_to_answer(thread=thread, by=by)
        if opted_out(channel=current.channel, address=current.address):
            raise ThreadRefused(_("This person texted STOP: no more messages can be sent to them."))
        now = timezone.now()
        message = write_reply(
            thread=current,
            text=text,
            by=by,
            request=request,
            status=MessageStatus.QUEUED,
            created_at=now,
            next_attempt_at=now,
        )
        message_id = message.pk
        transaction.on_commit(lambda: schedule_sending(message_id))
    return message


def schedule_sending(message_id: int, *, at: datetime | None = None) -> None:
    # The task module imports this one: the task is named by path, looked up when needed.
    task = import_string("puente.channels.tasks.send_message")
    (task.using(run_after=at) if at else task).enqueue(message_id)


def _backoff(attempts: int) -> timedelta:
    base = settings.PUENTE_EXCHANGE_BACKOFF_MS / 1000
    cap = settings.PUENTE_EXCHANGE_BACKOFF_MAX_MS / 1000
    return timedelta(seconds=min(cap, base * (2 ** max(0, attempts - 1))))


def status_callback_url() -> str:
    """Where the provider reports delivery: only with a public address to give it."""
    base = settings.PUENTE_PUBLIC_URL
    return f"{base}/channels/twilio/messaging/status/" if base else ""


def deliver_message(*, message_id: int, provider: ChannelProvider | None = None) -> str:
    """Send one queued message through the provider. Taking it is a conditional UPDATE
    (queued → sending), so two workers never send the same message; an outage puts it
    back in the queue with a backoff; a refusal marks it failed with the provider's
    code. Returns what happened, for the worker's log."""
    provider = provider or current_provider()
    if provider is None:
        return "no provider configured; the message waits"
    now = timezone.now()
    taken = Message.objects.filter(
        pk=message_id,
        direction=c.Direction.OUTBOUND,
        status=MessageStatus.QUEUED,
        next_attempt_at__lte=now,
    ).update(status=MessageStatus.SENDING, status_at=now, attempts=F("attempts") + 1)
    if not taken:
        return "not due, or another worker has it"
    message = Message.objects.select_related("conversation").get(pk=message_id)
    thread = message.conversation
    if opted_out(channel=thread.channel, address=thread.address):
        Message.objects.filter(pk=message_id).update(
            status=MessageStatus.BLOCKED, status_at=timezone.now(), next_attempt_at=None
        )
        return "blocked: opted out"
    try:
        sid = provider.send_message(
            OutgoingMessage(
                channel=thread.channel,
                to_address=thread.address,
                from_address=thread.hotline_address,
                body=message.body,
                status_callback=status_callback_url(),
            )
        )
    except ProviderError as exc:
        logger.warning("Sending message %s failed: %s", message_id, exc.detail)
        final = not exc.transient or message.attempts >= settings.PUENTE_CHANNEL_MAX_ATTEMPTS
        retry_at = None if final else timezone.now() + _backoff(message.attempts)
        Message.objects.filter(pk=message_id).update(
            status=MessageStatus.FAILED if final else MessageStatus.QUEUED,
            error=exc.detail[:500],
            error_code=exc.code[:12],
            status_at=timezone.now(),
            next_attempt_at=retry_at,
        )
        if retry_at is not None:
            schedule_sending(message_id, at=retry_at)
        _publish_status(message_id)
        return f"failed: {exc.detail}"
    sent_at = timezone.now()
    # A delivery report may have arrived before this line (fast providers): keep it.
    Message.objects.filter(pk=message_id, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT, status_at=sent_at
    )
    Message.objects.filter(pk=message_id).update(
        provider_sid=sid, sent_at=sent_at, error="", error_code="", next_attempt_at=None
    )
    _publish_status(message_id)
    return f"sent {sid}"


def announce_message(
    *, thread: Conversation, message_id: int, direction: str, status: str | None = None
) -> None:
    """Tell the live pages of a message in `thread`: a new one (with who holds the thread)
    or, given `status`, a change in its delivery."""
    payload: dict[str, object] = {
        "thread_id": thread.pk,
        "contact_id": thread.contact_id,
        "message_id": message_id,
        "direction": direction,
    }
    if status is None:
        payload["claimed_by"] = thread.claimed_by_id
    else:
        payload["status"] = status
    events.publish(events.THREAD_MESSAGE, payload)


def _publish_status(message_id: int) -> None:
    message = Message.objects.select_related("conversation").get(pk=message_id)
    announce_message(
        thread=message.conversation,
        message_id=message.pk,
        direction=message.direction,
        status=message.status,
    )


def send_due_messages(*, provider: ChannelProvider | None = None, limit: int = 200) -> int:
    """Send every queued message whose time has come, and put back those a killed worker
    left "sending". The worker runs this every minute (settings.PUENTE_SCHEDULE), so no
    message is stranded whatever happened to its own task."""
    now = timezone.now()
    Message.objects.filter(
        direction=c.Direction.OUTBOUND,
        status=MessageStatus.SENDING,
        status_at__lt=now - SENDING_LEASE,
    ).update(status=MessageStatus.QUEUED, next_attempt_at=now)
    due = list(
        Message.objects.filter(
            direction=c.Direction.OUTBOUND, status=MessageStatus.QUEUED, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for message_id in due:
        if deliver_message(message_id=message_id, provider=provider).startswith("sent"):
            sent += 1
    return sent


# --- E-mail ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedEmail:
    email: InboundEmail
    new: bool  # False: this Message-ID was already stored
    kept: int
    refused: int


def receive_email(*, raw: bytes, source: str) -> ReceivedEmail:
    """An e-mail becomes a contact (channel email) holding its subject and text, with its
    attachments kept safely (`attachments`: size limit, sniffed type, random name outside
    the web root) and those refused listed. Stored once per Message-ID."""
    parsed = parse_email(raw)
    existing = InboundEmail.objects.filter(message_id=parsed.message_id).first()
    if existing is not None:
        return ReceivedEmail(existing, new=False, kept=0, refused=0)
    stored: list[attachments.Kept] = []
    refused: list[attachments.Refusal] = []
    for part in parsed.attachments:
        verdict = attachments.check(
            filename=part.filename, declared_type=part.declared_type, data=part.data
        )
        if isinstance(verdict, attachments.Refusal):
            refused.append(verdict)
        else:
            stored.append(
                attachments.store(filename=part.filename, content_type=verdict, data=part.data)
            )
    summary = f"{parsed.subject}\n\n{parsed.text}" if parsed.subject else parsed.text
    now = timezone.now()
    try:
        with transaction.atomic():
            contact = record_inbound_contact(
                channel=c.Channel.EMAIL, via=source, started_at=now, summary=summary
            )
            email = InboundEmail.objects.create(
                contact=contact,
                message_id=parsed.message_id,
                from_address=parsed.from_address,
                to_address=parsed.to_address,
                subject=parsed.subject,
                received_at=now,
                source=source,
                refused_attachments=[r.as_json() for r in refused],
            )
            Attachment.objects.bulk_create(
                Attachment(
                    contact=contact,
                    email=email,
                    filename=kept.filename,
                    content_type=kept.content_type,
                    size=kept.size,
                    sha256=kept.sha256,
                    stored_name=kept.stored_name,
                )
                for kept in stored
            )
            known = known_about_email(address=parsed.from_address)
            events.publish(
                events.CONTACT_WAITING,
                {
                    "contact_id": contact.pk,
                    "channel": c.Channel.EMAIL.value,
                    "started_at": now.isoformat(),
                    "earlier_contacts": known.earlier_contacts,
                    "case_ids": known.case_ids,
                },
            )
    except IntegrityError:
        # The same message, fetched by another process a moment earlier: drop our files.
        for kept in stored:
            attachments.discard(kept.stored_name)
        return ReceivedEmail(
            InboundEmail.objects.get(message_id=parsed.message_id), new=False, kept=0, refused=0
        )
    except BaseException:
        for kept in stored:
            attachments.discard(kept.stored_name)
        raise
    return ReceivedEmail(email, new=True, kept=len(stored), refused=len(refused))


def record_attachment_download(
    *, attachment: Attachment, by: User, request: HttpRequest | None = None
) -> None:
    """A file leaving the system is an export: audited on its contact."""
    record_event(
        action="export",
        actor=by,
        object_type="contact",
        object_id=attachment.contact_id,
        changes=[{"field": "attachment", "old": None, "new": attachment.filename}],
        reason=f"attachment {attachment.key} ({attachment.content_type}, {attachment.size} bytes)",
        request=request,
    )
