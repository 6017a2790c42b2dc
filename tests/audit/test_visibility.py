"""The audit page shows an entry's content (its diffs and reason) only to someone who may
read that record at that moment (issue 10, item 1); everyone else sees who, what kind of
action, when and on which reference. Which content was shown is itself on the trail."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from puente.accounts.roles import Role
from puente.audit.domain import record_event
from puente.audit.models import AuditEntry
from puente.audit.visibility import add_content_reader, readable_entry_ids
from puente.cases import domain as cases
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

URL = "/audit/"
NOTE = "Rosa is hiding at the flat of her cousin on Elm Street"
HIDDEN = "Not shown: you may not read this record now."


def shown_ids() -> list[int]:
    """The ids of the entries whose content the newest audit page showed, as it recorded."""
    view = AuditEntry.objects.filter(action="view", object_type="audit").latest("id")
    return next((c["new"] for c in view.changes if c["field"] == "content_shown"), [])


def row(page, entry: AuditEntry) -> str:
    match = re.search(rf'data-entry-id="{entry.pk}".*?</tr>', page.text, re.S)
    assert match, entry
    return match.group(0)


@pytest.fixture
def restricted(db):
    """A restricted case owned by an advocate, with a note written on it."""
    owner = make_user(Role.ADVOCATE)
    case = make_case(created_by=owner, title="Warehouse")
    restricter = make_user(Role.SUPERVISOR)  # named on it by restricting it
    cases.restrict_case(case=case, by=restricter)
    cases.add_note(case=case, body=NOTE, by=owner)
    entry = AuditEntry.objects.filter(object_type="casenote", action="create").latest("id")
    case.restricter = restricter
    return case, entry


@pytest.mark.django_db
def test_a_supervisor_not_named_on_a_restricted_case_sees_the_entry_but_not_the_note(
    restricted,
):
    case, entry = restricted
    outsider = make_user(Role.SUPERVISOR)
    page = signed_in_client(outsider).get(URL, {"obj": case.reference})
    line = row(page, entry)
    assert case.reference in line and entry.actor.display_name in line and "Created" in line
    assert NOTE not in page.text and HIDDEN in line
    assert entry.pk not in shown_ids()


@pytest.mark.django_db
def test_the_content_shows_once_they_are_named_or_break_the_glass(restricted):
    case, entry = restricted
    named, glass = make_user(Role.SUPERVISOR), make_user(Role.SUPERVISOR)
    cases.grant_access(case=case, user=named, by=case.restricter)
    page = signed_in_client(named).get(URL, {"obj": case.reference})
    assert NOTE in row(page, entry) and entry.pk in shown_ids()

    client = signed_in_client(glass)
    assert NOTE not in client.get(URL, {"obj": case.reference}).text
    cases.break_glass(case=case, user=glass, reason="Caller in danger on the line now")
    assert NOTE in row(client.get(URL, {"obj": case.reference}), entry)
    assert entry.pk in shown_ids()


@pytest.mark.django_db
def test_an_administrator_never_reads_case_content(restricted):
    case, entry = restricted
    open_case = make_case(title="Open")
    record_event(action="change", actor_name="ana", obj=open_case, reason="Caller named Maria")
    page = signed_in_client(make_user(Role.ADMINISTRATOR)).get(URL)
    assert NOTE not in page.text and "Caller named Maria" not in page.text
    assert case.reference in page.text and open_case.reference in page.text
    assert shown_ids() == []


@pytest.mark.django_db
def test_contacts_follow_can_view_contact():
    owner = make_user(Role.ADVOCATE)
    case = make_case(created_by=owner)
    filed = make_contact(taken_by=owner, case=case)
    loose = make_contact(taken_by=owner)
    for contact, words in ((filed, "filed summary"), (loose, "loose summary")):
        record_event(
            action="change",
            actor=owner,
            obj=contact,
            changes=[{"field": "summary", "old": "", "new": words}],
        )
    cases.restrict_case(case=case, by=make_user(Role.SUPERVISOR))
    page = signed_in_client(make_user(Role.SUPERVISOR)).get(URL, {"action": "change"})
    assert "loose summary" in page.text and "filed summary" not in page.text
    assert "loose summary" not in signed_in_client(make_user(Role.ADMINISTRATOR)).get(URL).text


@pytest.mark.django_db
def test_account_entries_are_for_whoever_manages_accounts():
    user = make_user(Role.ADVOCATE)
    record_event(
        action="change",
        actor_name="admin",
        obj=user,
        changes=[{"field": "role", "old": "advocate", "new": "supervisor"}],
    )
    assert (
        "Hotline advocate → Supervisor"
        in signed_in_client(make_user(Role.ADMINISTRATOR)).get(URL).text
    )
    assert (
        "Hotline advocate → Supervisor"
        not in signed_in_client(make_user(Role.SUPERVISOR)).get(URL).text
    )


@pytest.mark.django_db
def test_search_terms_are_not_for_administrators(supervisor_client):
    record_event(action="search", actor_name="ana", object_type="search", reason="Rosa Elm")
    assert "Rosa Elm" in supervisor_client.get(URL).text
    assert "Rosa Elm" not in signed_in_client(make_user(Role.ADMINISTRATOR)).get(URL).text


@pytest.mark.django_db
def test_an_object_type_nobody_registered_shows_no_content(supervisor_client):
    entry = record_event(
        action="change", actor_name="ana", object_type="brand_new_kind", reason="secret"
    )
    page = supervisor_client.get(URL)
    assert "secret" not in page.text and HIDDEN in row(page, entry)


@pytest.mark.django_db
def test_a_reader_answers_only_for_the_entries_it_was_given(supervisor):
    asked = record_event(action="change", actor_name="a", object_type="test_kind", reason="x")
    other = record_event(action="change", actor_name="a", object_type="brand_new", reason="y")
    add_content_reader(
        object_types=["test_kind"], may_read=lambda viewer, entries: [asked.pk, other.pk]
    )
    assert readable_entry_ids(viewer=supervisor, entries=[asked, other]) == {asked.pk}
    with pytest.raises(ValueError, match="already have a reader"):
        add_content_reader(object_types=["test_kind"], may_read=lambda viewer, entries: [])


@pytest.mark.django_db
def test_query_count_is_constant_however_many_entries_of_each_kind(supervisor_client, supervisor):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            supervisor_client.get(URL)
        return len(ctx.captured_queries)

    def one_of_each() -> None:
        owner = make_user(Role.ADVOCATE)
        case = make_case(created_by=owner)
        cases.add_note(case=case, body="a note", by=owner)
        contact = make_contact(taken_by=owner, case=case)
        record_event(action="change", actor=owner, obj=contact, reason="why")
        record_event(action="search", actor=owner, object_type="search", reason="terms")

    one_of_each()
    one = count_queries()
    one_of_each()
    one_of_each()
    assert count_queries() == one
