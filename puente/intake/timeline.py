"""A case's contacts on its timeline (registered in `IntakeConfig.ready()`).

The newest contacts filed in the case, by the (case, started) index. A contact is as
open as its case, so whoever reads the case sees that it happened; its narrative and
its link only go to those who may read contacts.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.cases.models import Case
from puente.cases.timeline import TimelineEntry, display_name, shorten
from puente.core.permissions import Perm
from puente.intake.models import Contact

# Each channel's picture in the icon sprite (puente/core/static/puente/icons.svg).
CHANNEL_ICONS = {
    "phone": "phone",
    "sms": "text",
    "whatsapp": "text",
    "chat": "chat",
    "webform": "web",
    "email": "email",
    "in_person": "person",
}


def contact_entries(*, case: Case, user: User, limit: int) -> list[TimelineEntry]:
    may_read = user.can(Perm.CONTACT_VIEW)
    contacts = (
        Contact.objects.filter(case=case)
        .select_related("taken_by")
        .order_by("-started_at", "-id")[:limit]
    )
    return [
        TimelineEntry(
            when=contact.started_at,
            kind="contact",
            icon=CHANNEL_ICONS.get(contact.channel, "contacts"),
            title=_("%(channel)s · %(reason)s")
            % {"channel": contact.get_channel_display(), "reason": contact.reason_display},
            detail=(
                (_("Imminent danger") + " · " if contact.imminent_danger else "")
                + (shorten(contact.summary) if may_read else "")
            ).strip(" ·"),
            url=reverse("intake:detail", args=[contact.pk]) if may_read else "",
            who=display_name(contact.taken_by),
        )
        for contact in contacts
    ]
