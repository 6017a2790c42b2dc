"""The public site's rules: an anonymous tip becomes a contact in the advocates' queue,
and a network address sending too many is refused. The count lives only in the cache
(never the database), keyed by a hash of the address, and forgets itself within the hour."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from puente.channels import events
from puente.channels.domain import screen_pop
from puente.core import choices as c
from puente.intake.domain import record_inbound_contact
from puente.intake.models import Contact


@dataclass(frozen=True)
class Tip:
    account: str
    reach_me: str = ""
    phone: str = ""
    language: str = c.Language.ENGLISH


def over_limit(*, scope: str, who: str, limit: int, window_seconds: int) -> bool:
    """Count one more request from `who` in this window; True once past `limit`. `who`
    is hashed before it is a key: even the cache holds no address."""
    if not who:
        return False
    window = int(time.time()) // window_seconds
    key = f"rate:{scope}:{window}:{hashlib.sha256(who.encode()).hexdigest()[:32]}"
    if cache.add(key, 1, timeout=window_seconds + 60):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window_seconds + 60)
            count = 1
    return count > limit


def submit_tip(*, tip: Tip) -> Contact:
    """An anonymous tip: a web-form contact holding the account (and how to reach the
    person, if they chose to say), in the advocates' queue. No address is kept."""
    account = tip.account.strip()
    if not account:
        raise ValidationError({"account": _("Tell us what happened.")})
    if len(account) > settings.PUENTE_TIP_MAX_CHARS:
        raise ValidationError(
            {
                "account": _("Please keep it under %(limit)s characters.")
                % {"limit": settings.PUENTE_TIP_MAX_CHARS}
            }
        )
    summary = account
    if tip.reach_me.strip():
        summary += "\n\n" + _("How to reach the person who wrote: %(how)s") % {
            "how": tip.reach_me.strip()[:500]
        }
    with transaction.atomic():
        contact = record_inbound_contact(
            channel=c.Channel.WEBFORM,
            via="webform",
            phone=tip.phone.strip()[:40],
            language=tip.language,
            summary=summary,
        )
        events.publish(events.CONTACT_WAITING, screen_pop(contact))
    return contact
