""" "Appears in N other cases": what is counted (case identifiers, and for a phone the
contacts filed in cases), and who sees which of those cases (a restricted case the reader
may not open is counted, never named; an analyst sees references, no titles, no links)."""

from __future__ import annotations

import pytest

from puente.accounts.roles import Role
from puente.cases import domain as cases
from puente.channels.domain import receive_email
from puente.intake import domain as intake
from puente.networks.recurrence import appearances, appearances_for_case
from tests.factories import make_user
from tests.networks.recurrence_data import ADDRESS, PHONE, recurring_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return recurring_world()


def _refs(found):
    return [seen.reference for seen in found.shown]


def test_a_phone_counts_identifiers_and_contacts_filed_in_cases_but_not_the_case_itself(world):
    found = appearances(
        kind="phone", value_or_normalised=PHONE, user=world.owner, exclude_case=world.warehouse
    )
    assert found.normalised == PHONE
    # The salon and the farm record it; the caller's case holds two contacts from it (one
    # case, counted once); the contact filed in no case counts nothing.
    assert found.total == 3
    assert found.hidden == 0  # the owner may open her restricted case
    # Newest first, the restricted one last.
    assert _refs(found) == [world.caller.reference, world.salon.reference, world.farm.reference]
    assert all(seen.openable for seen in found.shown)
    assert [seen.title for seen in found.shown] == [
        "Caller's case",
        "Nail salon",
        "Restricted farm",
    ]


def test_any_written_form_of_the_number_is_the_same_identifier(world):
    for typed in ("(713) 555-0142", "713.555.0142", "+1 713 555 0142"):
        found = appearances(kind="phone", value_or_normalised=typed, user=world.owner)
        assert (found.normalised, found.total) == (PHONE, 4)


def test_a_restricted_case_the_reader_may_not_open_is_counted_never_named(world):
    outsider = make_user(Role.ADVOCATE)
    found = appearances(
        kind="phone", value_or_normalised=PHONE, user=outsider, exclude_case=world.warehouse
    )
    assert (found.total, found.hidden, found.more) == (3, 1, 0)
    assert _refs(found) == [world.caller.reference, world.salon.reference]
    assert world.farm.reference not in repr(found)


def test_supervisors_see_restricted_cases_only_when_named_on_them(world):
    named = appearances(kind="phone", value_or_normalised=PHONE, user=world.restrictor)
    assert (named.total, named.hidden) == (4, 0)
    other = make_user(Role.SUPERVISOR)
    found = appearances(kind="phone", value_or_normalised=PHONE, user=other)
    assert (found.total, found.hidden) == (4, 1)
    cases.grant_access(case=world.farm, user=other, by=world.restrictor)
    assert appearances(kind="phone", value_or_normalised=PHONE, user=other).hidden == 0


def test_an_analyst_sees_references_of_unrestricted_cases_without_titles_or_links(world):
    analyst = make_user(Role.ANALYST)
    found = appearances(
        kind="phone", value_or_normalised=PHONE, user=analyst, exclude_case=world.warehouse
    )
    assert (found.total, found.hidden) == (3, 1)
    assert _refs(found) == [world.caller.reference, world.salon.reference]
    assert [(s.title, s.openable) for s in found.shown] == [("", False), ("", False)]


def test_someone_without_case_or_network_access_gets_the_count_alone(world):
    administrator = make_user(Role.ADMINISTRATOR)
    found = appearances(kind="phone", value_or_normalised=PHONE, user=administrator)
    assert (found.total, found.hidden, found.shown) == (4, 4, [])


def test_other_kinds_count_case_identifiers_only(world):
    found = appearances(
        kind="address", value_or_normalised=" 1200  Main St, Houston", user=world.owner
    )
    assert found.normalised == ADDRESS
    assert found.total == 2
    assert sorted(_refs(found)) == sorted([world.salon.reference, world.parlor.reference])


def test_a_new_or_incomplete_identifier_appears_nowhere(world):
    assert (
        appearances(kind="phone", value_or_normalised="+17135550100", user=world.owner).total == 0
    )
    half = appearances(kind="phone", value_or_normalised="713 55", user=world.owner)
    assert (half.valid, half.total) == (False, 0)
    assert appearances(kind="nonsense", value_or_normalised="x", user=world.owner).valid is False
    assert (
        appearances(kind="email", value_or_normalised="not-an-email", user=world.owner).valid
        is False
    )


def test_only_so_many_cases_are_named_and_the_rest_counted(world):
    found = appearances(kind="phone", value_or_normalised=PHONE, user=world.owner, shown=2)
    assert (found.total, len(found.shown), found.more, found.hidden) == (4, 2, 2, 0)


def test_each_identifier_of_a_case_with_its_appearances(world):
    found = appearances_for_case(case=world.salon, user=world.owner)
    by_kind = {a.kind: a for a in found.values()}
    assert len(found) == 2
    assert by_kind["phone"].total == 3
    assert _refs(by_kind["address"]) == [world.parlor.reference]
    assert appearances_for_case(case=world.unrelated, user=world.owner)
    assert [
        a.total for a in appearances_for_case(case=world.unrelated, user=world.owner).values()
    ] == [0]


def test_an_email_address_counts_the_cases_its_emails_were_filed_in(world):
    """An e-mail to the hotline is a contact; filed in a case, that case holds the sender's
    address, whatever case the address was written in."""
    raw = (
        b"From: Recruiter <Jobs.Abroad@Example.org>\r\nTo: help@hotline.example\r\n"
        b"Subject: trabajo\r\nMessage-ID: <recurring-1@example.org>\r\n"
        b"Date: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\nWork in Houston, good pay.\r\n"
    )
    received = receive_email(raw=raw, source="webhook")
    intake.link_contact_to_case(contact=received.email.contact, case=world.salon, by=world.owner)
    cases.add_identifier(
        case=world.farm, kind="email", value="jobs.abroad@example.org", by=world.owner
    )
    found = appearances(
        kind="email", value_or_normalised="JOBS.ABROAD@example.org", user=world.owner
    )
    assert found.normalised == "jobs.abroad@example.org"
    assert found.total == 2
    assert sorted(_refs(found)) == sorted([world.salon.reference, world.farm.reference])
