"""The advocates' live pages: the queue on home, the screen-pop of a ringing call, the
thread page (text, WhatsApp and web chat) and the advocate's available/away switch.

Views stay thin: the rules are in `domain` and `chat`, the reads in `queries`. What the
live stream (`live.py`) announces by id, the page fetches here, through the same
permission checks as any page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from puente.accounts import gates
from puente.accounts.models import User
from puente.channels import chat, domain, queries
from puente.channels.live import is_available
from puente.channels.models import Availability, Call, Conversation, ThreadState
from puente.core import choices as c
from puente.core.middleware import keeps_session_idle
from puente.core.permissions import Perm, Refused, require_perm
from puente.core.phones import format_phone
from puente.intake.domain import look_up_caller, take_inbound_contact
from puente.intake.models import Contact
from puente.intake.queries import contact_for, visible_contacts

# Tips and e-mails nobody has taken yet stay in the queue this long.
NEW_CONTACTS_DAYS = 14
QUEUE_ROWS = 25


@dataclass
class Queue:
    calls: list[Call]
    threads: list[Conversation]
    chats: list[Conversation]
    new_contacts: list[Contact]
    mine: list[Conversation]
    available: bool
    may_answer: bool

    @property
    def waiting(self) -> int:
        return len(self.calls) + len(self.threads) + len(self.chats) + len(self.new_contacts)


def _readable_waiting(user: User, *waiting: QuerySet) -> list[list]:
    """For each queryset of waiting items, its first QUEUE_ROWS whose contact `user` may
    read. What waits is a handful of rows (calls ringing now, open threads nobody has
    claimed): read those first, then ask once about just their contacts — a subquery over
    every contact the reader may see would walk millions of rows on each page. Only when
    a contact the reader may not see hid a row is a longer stretch read to fill the list."""
    for length in (QUEUE_ROWS, QUEUE_ROWS * 4):
        lists = [list(rows[:length]) for rows in waiting]
        ids = {row.contact_id for rows in lists for row in rows}
        readable = set(visible_contacts(user).filter(pk__in=ids).values_list("pk", flat=True))
        if len(readable) == len(ids):
            break
    return [[row for row in rows if row.contact_id in readable][:QUEUE_ROWS] for rows in lists]


def queue_for(*, user: User) -> Queue | None:
    """What is waiting for an advocate, oldest first; None for someone who reads no
    contacts (the section is not shown)."""
    if not user.can(Perm.CONTACT_VIEW):
        return None
    unclaimed = queries.unclaimed_threads()
    calls, threads, chats, mine = _readable_waiting(
        user,
        queries.waiting_calls(),
        unclaimed.exclude(channel=c.Channel.CHAT),
        unclaimed.filter(channel=c.Channel.CHAT),
        queries.threads_claimed_by(user=user),
    )
    since = timezone.now() - timedelta(days=NEW_CONTACTS_DAYS)
    new_contacts = list(
        visible_contacts(user)
        .filter(
            channel__in=[c.Channel.WEBFORM, c.Channel.EMAIL],
            taken_by__isnull=True,
            case__isnull=True,
            started_at__gte=since,
        )
        .order_by("started_at")[:QUEUE_ROWS]
    )
    return Queue(
        calls=calls,
        threads=threads,
        chats=chats,
        new_contacts=new_contacts,
        mine=mine,
        available=is_available(user),
        may_answer=user.can(Perm.CONTACT_EDIT),
    )


@require_GET
@require_perm(Perm.CONTACT_VIEW)
@keeps_session_idle
def queue(request) -> HttpResponse:
    """The queue section alone, for the live page to refresh."""
    return render(request, "channels/_queue.html", {"data": queue_for(user=request.user)})


@require_POST
@require_perm(Perm.CONTACT_VIEW)
def set_availability(request) -> HttpResponse:
    available = request.POST.get("available") == "1"
    Availability.objects.update_or_create(user=request.user, defaults={"available": available})
    if request.headers.get("HX-Request"):
        return render(request, "channels/_queue.html", {"data": queue_for(user=request.user)})
    return redirect("core:home")


def _waiting_call(request, contact_id: int) -> Call:
    call = Call.objects.select_related("contact").filter(contact_id=contact_id).first()
    if call is None:
        raise Http404
    contact_for(user=request.user, contact_id=contact_id, request=request)
    return call


@require_GET
@require_perm(Perm.CONTACT_CREATE)
@keeps_session_idle
def call_pop(request, contact_id: int) -> HttpResponse:
    """The screen-pop: the caller's number and what this advocate may see of what the
    hotline knows about it (intake's phone lookup, audited like any lookup)."""
    call = _waiting_call(request, contact_id)
    contact = call.contact
    history = (
        look_up_caller(user=request.user, phone=contact.phone, request=request)
        if contact.phone
        else None
    )
    if history is not None:
        # The ringing call is itself a contact from this number, not an earlier one.
        history = replace(
            history, contacts=[row for row in history.contacts if row.id != contact.pk]
        )
    return render(
        request,
        "channels/_pop.html",
        {
            "call": call,
            "contact": contact,
            "number": format_phone(contact.phone) if contact.phone else "",
            "history": history,
            "taken": contact.taken_by_id is not None,
        },
    )


@require_POST
@require_perm(Perm.CONTACT_CREATE)
def take_call(request, contact_id: int) -> HttpResponse:
    """Take a ringing call: the in-progress contact is this advocate's, and the new-contact
    form opens with what is known (number, channel, language), naming the call."""
    call = _waiting_call(request, contact_id)
    contact = call.contact
    if not take_inbound_contact(contact_id=contact.pk, by=request.user):
        contact.refresh_from_db()
        if contact.taken_by_id != request.user.pk:
            messages.error(request, _("Another advocate has taken this call."))
            return redirect("core:home")
    query = {"channel": c.Channel.PHONE.value, "language": contact.language, "call": contact.pk}
    if contact.phone:
        query["phone"] = contact.phone
    return redirect(f"{reverse('intake:new')}?{urlencode(query)}")


# --- Threads ----------------------------------------------------------------------------


def _thread_context(request, thread: Conversation) -> dict:
    thread_messages = list(thread.messages.select_related("sent_by").order_by("created_at", "id"))
    mine = thread.claimed_by_id == request.user.pk
    colleagues: list[User] = []
    if thread.state == ThreadState.OPEN and (mine or request.user.can(Perm.CASE_RESTRICT)):
        staff = list(
            User.objects.filter(is_active=True)
            .exclude(pk=request.user.pk)
            .order_by("first_name", "last_name", "username")
        )
        # Someone held back from live calls (practice to pass) is no one to hand it to;
        # asked of everyone at once, not one query per colleague.
        gates.prime(staff)
        colleagues = [u for u in staff if u.can(Perm.CONTACT_EDIT)]
    return {
        "thread": thread,
        "contact": thread.contact,
        "thread_messages": thread_messages,
        "mine": mine,
        "is_open": thread.state == ThreadState.OPEN,
        "may_answer": request.user.can(Perm.CONTACT_EDIT),
        "colleagues": colleagues,
        "number": format_phone(thread.address)
        if thread.channel != c.Channel.CHAT and thread.address.startswith("+")
        else "",
        "outbound": c.Direction.OUTBOUND,
    }


@require_GET
@require_perm(Perm.CONTACT_VIEW)
def thread_page(request, thread_id: int) -> HttpResponse:
    thread = queries.thread_for(user=request.user, thread_id=thread_id, request=request)
    return render(request, "channels/thread.html", _thread_context(request, thread))


@require_GET
@require_perm(Perm.CONTACT_VIEW)
@keeps_session_idle
def thread_messages(request, thread_id: int) -> HttpResponse:
    """The thread's messages and controls alone, for the live page to refresh."""
    thread = queries.thread_for(user=request.user, thread_id=thread_id, request=request)
    return render(request, "channels/_thread_body.html", _thread_context(request, thread))


@require_POST
@require_perm(Perm.CONTACT_EDIT)
def thread_action(request, thread_id: int, action: str) -> HttpResponse:
    thread = queries.thread_for(user=request.user, thread_id=thread_id, request=request)
    user = request.user
    try:
        if action == "claim":
            domain.claim_thread(thread=thread, by=user, request=request)
        elif action == "release":
            domain.release_thread(thread=thread, by=user, request=request)
        elif action == "transfer":
            to = User.objects.filter(pk=request.POST.get("to") or 0, is_active=True).first()
            if to is None:
                raise ValidationError(_("Choose who takes the conversation."))
            domain.transfer_thread(thread=thread, by=user, to=to, request=request)
        elif action == "close":
            domain.close_thread(thread=thread, by=user, request=request)
        elif action == "reply":
            body = request.POST.get("body", "")
            if thread.channel == c.Channel.CHAT:
                chat.send_chat_reply(thread=thread, body=body, by=user, request=request)
            else:
                domain.send_reply(thread=thread, body=body, by=user, request=request)
        else:
            raise Http404
    except Refused as exc:
        messages.error(request, str(exc.reason))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("channels:thread", thread_id=thread.pk)
