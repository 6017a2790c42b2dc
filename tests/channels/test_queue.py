"""The home page's live queue lists the first QUEUE_ROWS waiting calls its reader may
read: a call whose contact sits in a restricted case the reader may not open is left
out and the next one takes its place, never a shorter list."""

from __future__ import annotations

import pytest

from puente.accounts.roles import Role
from puente.channels.live_views import QUEUE_ROWS, queue_for
from puente.channels.models import Call
from puente.core import choices as c
from puente.intake.domain import record_inbound_contact
from puente.intake.models import Contact
from tests.factories import make_case, make_user


def _ringing(n: int) -> Contact:
    contact = record_inbound_contact(channel=c.Channel.PHONE, via="test", phone=f"+1713555{n:04d}")
    Call.objects.create(call_sid=f"CA{n:032x}", contact=contact, status="ringing")
    return contact


@pytest.mark.django_db
def test_a_call_the_reader_may_not_see_gives_its_place_to_the_next():
    owner, reader = make_user(Role.ADVOCATE), make_user(Role.ADVOCATE)
    secret = make_case(created_by=owner, title="Restricted matter")
    secret.restricted = True
    secret.save()
    hidden = _ringing(0)  # the oldest call: first in line
    Contact.objects.filter(pk=hidden.pk).update(case=secret)
    waiting = [_ringing(n) for n in range(1, QUEUE_ROWS + 3)]

    listed = [call.contact_id for call in queue_for(user=reader).calls]
    assert listed == [contact.pk for contact in waiting[:QUEUE_ROWS]]
    assert [call.contact_id for call in queue_for(user=owner).calls][0] == hidden.pk
