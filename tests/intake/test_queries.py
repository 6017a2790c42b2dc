from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from puente.accounts.roles import Role
from puente.cases.models import Identifier
from puente.intake.queries import phone_history, recent_contacts
from tests.factories import make_case, make_contact, make_user

NUMBER = "+17135550142"


def test_not_a_number_finds_nothing(advocate):
    history = phone_history(user=advocate, phone="71")
    assert history.number == "" and not history.found


def test_unknown_number(advocate):
    make_contact(phone="+17135559999")
    history = phone_history(user=advocate, phone="(713) 555-0142")
    assert history.number == NUMBER and history.contacts == [] and history.cases == []


def test_earlier_contacts_newest_first_with_their_cases(advocate):
    now = timezone.now()
    case = make_case(created_by=advocate, title="Warehouse")
    old = make_contact(phone=NUMBER, started_at=now - timedelta(days=30), summary="first call")
    new = make_contact(
        phone=NUMBER, started_at=now - timedelta(days=1), case=case, summary="second call"
    )
    make_contact(phone="+17135559999")
    history = phone_history(user=advocate, phone="713.555.0142")
    assert [c.id for c in history.contacts] == [new.id, old.id]
    assert history.contacts[0].case_reference == case.reference
    assert [(k.reference, k.title, k.openable, k.via_identifier) for k in history.cases] == [
        (case.reference, "Warehouse", True, False)
    ]


def test_cases_found_through_identifiers(advocate):
    case = make_case(created_by=advocate, summary="Ad lists this number")
    Identifier.objects.create(case=case, kind="phone", value="(713) 555-0142", normalised=NUMBER)
    Identifier.objects.create(
        case=make_case(created_by=advocate), kind="email", value=NUMBER, normalised=NUMBER
    )
    history = phone_history(user=advocate, phone="+1 713 555 0142")
    assert history.contacts == []
    assert [(k.reference, k.summary, k.via_identifier) for k in history.cases] == [
        (case.reference, "Ad lists this number", True)
    ]


def test_restricted_case_shows_only_that_it_exists(advocate):
    owner = make_user(Role.SUPERVISOR)
    secret = make_case(
        created_by=owner, restricted=True, title="Secret title", summary="Secret summary"
    )
    Identifier.objects.create(case=secret, kind="phone", value=NUMBER, normalised=NUMBER)
    make_contact(phone=NUMBER, case=secret, summary="Secret contact")
    visible = make_contact(phone=NUMBER, summary="Ordinary contact")

    history = phone_history(user=advocate, phone=NUMBER)
    assert [c.id for c in history.contacts] == [visible.id]
    [known] = history.cases
    assert (known.reference, known.status, known.restricted, known.openable) == (
        secret.reference,
        "new",
        True,
        False,
    )
    assert known.title == "" and known.summary == "" and not known.via_identifier

    # Its owner sees everything.
    owners_view = phone_history(user=owner, phone=NUMBER)
    assert len(owners_view.contacts) == 2
    assert owners_view.cases[0].summary == "Secret summary"


def _lookup_queries(user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        history = phone_history(user=user, phone=NUMBER)
    return len(ctx.captured_queries), history


def test_lookup_query_count_does_not_grow(advocate):
    supervisor = make_user(Role.SUPERVISOR)
    make_contact(phone=NUMBER, case=make_case(created_by=advocate))
    one, history = _lookup_queries(advocate)
    assert len(history.contacts) == 1 and len(history.cases) == 1
    # The contacts and the cases: nothing restricted, so the grants are never read.
    assert one == 2

    make_contact(phone=NUMBER, case=make_case(created_by=advocate))
    make_contact(phone=NUMBER)
    for _ in range(3):
        make_contact(phone=NUMBER, case=make_case(created_by=supervisor, restricted=True))
    Identifier.objects.create(
        case=make_case(created_by=advocate), kind="phone", value=NUMBER, normalised=NUMBER
    )
    many, history = _lookup_queries(advocate)
    assert len(history.contacts) == 3 and len(history.cases) == 6
    assert sum(not case.openable for case in history.cases) == 3
    # Restricted cases someone else owns: the advocate's grants, read once for all three.
    assert many == 3


def test_lookup_is_limited_and_says_so(advocate):
    for days in range(4):
        make_contact(phone=NUMBER, started_at=timezone.now() - timedelta(days=days))
    history = phone_history(user=advocate, phone=NUMBER, limit=3)
    assert len(history.contacts) == 3 and history.more_contacts


def test_recent_contacts_hide_restricted_case_contacts(advocate):
    hidden = make_contact(case=make_case(created_by=make_user(Role.SUPERVISOR), restricted=True))
    shown = make_contact()
    assert list(recent_contacts(user=advocate)) == [shown]
    assert hidden.pk not in [c.pk for c in recent_contacts(user=advocate)]
