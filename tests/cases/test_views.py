from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain
from puente.cases.models import BreakGlass, Case, CaseNote, Identifier, Person, Task
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db


def _detail(case):
    return reverse("cases:detail", args=[case.reference])


# --- access by role --------------------------------------------------------------


def test_anonymous_redirected_to_login(client, advocate):
    case = make_case(created_by=advocate)
    for url in [
        reverse("cases:list"),
        reverse("cases:new"),
        _detail(case),
        reverse("cases:edit", args=[case.reference]),
        reverse("cases:break_glass_review"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/" in response["Location"] and "next=" in response["Location"]


def test_administrator_has_no_case_access(administrator, advocate):
    case = make_case(created_by=advocate, title="Secret farm")
    client = signed_in_client(administrator)
    for url in [reverse("cases:list"), _detail(case)]:
        response = client.get(url)
        assert response.status_code == 403
        assert b"Secret farm" not in response.content
    assert AuditEntry.objects.filter(action="access_denied", actor=administrator).count() == 2


def test_an_analyst_opens_no_case_file_and_changes_nothing(analyst, advocate):
    # Analysts work from counts (puente/insights): the case file is not theirs to read.
    case = make_case(created_by=advocate, title="Nail salon")
    client = signed_in_client(analyst)
    page = client.get(_detail(case))
    assert page.status_code == 403
    assert "Nail salon" not in page.content.decode()
    assert client.get(reverse("cases:edit", args=[case.reference])).status_code == 403
    response = client.post(reverse("cases:note_add", args=[case.reference]), {"body": "hi"})
    assert response.status_code == 403
    assert CaseNote.objects.count() == 0
    assert client.get(reverse("cases:new")).status_code == 403


# --- list ------------------------------------------------------------------------


def test_list_shows_cases_and_hides_restricted_content(advocate, supervisor, advocate_client):
    make_case(created_by=advocate, title="Open farm case", imminent_danger=True)
    hidden = make_case(created_by=supervisor, title="Hidden diplomat case")
    domain.restrict_case(case=hidden, by=supervisor)
    body = advocate_client.get(reverse("cases:list")).content.decode()
    assert "Open farm case" in body and "Imminent danger" in body
    assert hidden.reference in body
    assert "Hidden diplomat case" not in body
    assert "Content hidden" in body
    assert AuditEntry.objects.filter(
        action="view", object_type="case_list", actor=advocate
    ).exists()


def test_list_filters(advocate, advocate_client):
    mine = make_case(created_by=advocate, title="Mine")
    other = make_case(created_by=make_user(Role.ADVOCATE), title="Theirs", imminent_danger=True)
    domain.change_status(case_id=other.pk, expected_version=1, status="active", by=other.owner)
    body = advocate_client.get(reverse("cases:list"), {"mine": "on"}).content.decode()
    assert "Mine" in body and "Theirs" not in body
    body = advocate_client.get(reverse("cases:list"), {"status": "active"}).content.decode()
    assert "Theirs" in body and "Mine" not in body
    body = advocate_client.get(reverse("cases:list"), {"imminent_danger": "on"}).content.decode()
    assert "Theirs" in body and ">Mine<" not in body
    assert mine.reference not in body


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_constant(advocate, supervisor, advocate_client):
    make_case(created_by=advocate)
    one = _count(advocate_client, reverse("cases:list"))
    for _n in range(2):
        restricted = make_case(created_by=make_user(Role.ADVOCATE))
        domain.restrict_case(case=restricted, by=supervisor)
    three = _count(advocate_client, reverse("cases:list"))
    assert one == three


def test_list_paginates(advocate, advocate_client, monkeypatch):
    monkeypatch.setattr("puente.cases.views.PAGE_SIZE", 2)
    for _n in range(3):
        make_case(created_by=advocate)
    body = advocate_client.get(reverse("cases:list")).content.decode()
    assert body.count('data-testid="case-row"') == 2 and "page=2" in body


# --- new and detail --------------------------------------------------------------


def test_open_case_from_form(advocate, advocate_client):
    response = advocate_client.post(
        reverse("cases:new"),
        {
            "title": "Farm in Yakima",
            "exploitation_type": "labour",
            "venues": ["agriculture_animal_husbandry"],
            "methods_of_control": ["DebtBondage", "WithholdsDocuments"],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(case)
    assert case.title == "Farm in Yakima" and case.owner == advocate
    assert case.methods_of_control == ["DebtBondage", "WithholdsDocuments"]


def _rich_case(advocate, n_persons: int):
    case = make_case(
        created_by=advocate,
        title="Rich",
        methods_of_control=["DebtBondage"],
        mx_forms_of_exploitation=["explotacion_laboral"],
    )
    for i in range(n_persons):
        person = domain.add_person(
            case=case,
            by=advocate,
            role=["potential_victim", "exploiter"][i % 2],
            first_name=f"P{i}",
            citizenship=["MX"],
            age=16 + i,
        )
        domain.add_identifier(
            case=case, person=person, kind="phone", value=f"713555014{i}", by=advocate
        )
        make_contact(case=case, taken_by=advocate)
        domain.add_task(case=case, title=f"Task {i}", assignee=advocate, by=advocate)
        domain.add_note(case=case, body=f"Note {i}", by=advocate)
        domain.add_location(
            case=case, kind="Exploitation", country="US", subdivision="US-WA", by=advocate
        )
    return case


def test_detail_shows_everything_translated(advocate, advocate_client):
    case = _rich_case(advocate, 2)
    body = advocate_client.get(_detail(case)).content.decode()
    assert "Debt bondage" in body
    assert "Labor exploitation (art. 10 IV)" in body
    assert "Potential victim" in body and "Potential exploiter" in body
    assert "+1 713-555-0140" in body and "Mexico" in body and "Washington" in body
    assert body.index("Note 1") < body.index("Note 0")  # newest first
    # The case's contacts are on its timeline.
    assert body.count('data-kind="contact"') == 2
    assert AuditEntry.objects.filter(
        action="view", object_type="case", object_id=str(case.pk)
    ).exists()


def test_detail_in_spanish(advocate, advocate_client):
    case = _rich_case(advocate, 1)
    advocate_client.cookies["puente_language"] = "es"
    body = advocate_client.get(_detail(case)).content.decode()
    assert "México" in body
    assert "Notas" in body


def test_detail_query_count_constant(advocate, advocate_client):
    small = _rich_case(advocate, 1)
    big = _rich_case(advocate, 3)
    assert _count(advocate_client, _detail(small)) == _count(advocate_client, _detail(big))


def test_detail_query_count_constant_for_supervisor(advocate, supervisor):
    client = signed_in_client(supervisor)
    small = _rich_case(advocate, 1)
    big = _rich_case(advocate, 3)
    assert _count(client, _detail(small)) == _count(client, _detail(big))


def test_unknown_reference_404(advocate_client):
    assert advocate_client.get("/cases/US-2026-999999/").status_code == 404


# --- edit and stale saves --------------------------------------------------------


def _edit_data(case, **overrides):
    data = {
        "title": case.title,
        "summary": case.summary,
        "exploitation_type": case.exploitation_type,
        "level_of_indicators": "",
        "owner": case.owner_id or "",
        "version": case.version,
    }
    data.update(overrides)
    return data


def test_edit_saves_and_audits(advocate, advocate_client):
    case = make_case(created_by=advocate, title="Old")
    response = advocate_client.post(
        reverse("cases:edit", args=[case.reference]),
        _edit_data(case, title="New", venues=["construction"]),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.venues, case.version) == ("New", ["construction"], 2)
    entry = AuditEntry.objects.filter(action="change", object_id=str(case.pk)).get()
    assert {"field": "title", "old": "Old", "new": "New"} in entry.changes


def test_stale_edit_rerenders_with_typed_text_and_who(advocate, advocate_client):
    colleague = make_user(Role.ADVOCATE, first_name="Bea", last_name="Bravo")
    case = make_case(created_by=advocate, title="Original")
    form_data = _edit_data(case, title="My careful rewrite", summary="Long typed summary")
    # The colleague saves first.
    domain.update_case(
        case_id=case.pk, expected_version=1, by=colleague, changes={"title": "Theirs"}
    )
    response = advocate_client.post(reverse("cases:edit", args=[case.reference]), form_data)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Bea Bravo" in body and "after you opened it" in body
    assert "My careful rewrite" in body and "Long typed summary" in body
    assert 'data-testid="current-title"' in body and "Theirs" in body
    assert 'name="version" value="2"' in body
    case.refresh_from_db()
    assert (case.title, case.summary, case.version) == ("Theirs", "", 2)


def test_status_change_from_page(advocate, advocate_client):
    case = make_case(created_by=advocate)
    url = reverse("cases:status", args=[case.reference])
    advocate_client.post(url, {"status": "closed", "version": 1})
    case.refresh_from_db()
    assert case.status == "new"
    advocate_client.post(url, {"status": "closed", "closing_reason": "duplicate", "version": 1})
    case.refresh_from_db()
    assert (case.status, case.closing_reason) == ("closed", "duplicate")
    body = advocate_client.get(_detail(case)).content.decode()
    assert "Duplicate of another case" in body
    assert reverse("cases:status", args=[case.reference]) not in body  # advocates cannot reopen


# --- persons ---------------------------------------------------------------------


def test_add_person_with_identifiers(advocate, advocate_client):
    case = make_case(created_by=advocate)
    response = advocate_client.post(
        reverse("cases:person_add", args=[case.reference]),
        {
            "roles": "exploiter",
            "is_business": "on",
            "alias": "Golden Spa LLC",
            "roles_in_process": ["Exploiter"],
            "ids-TOTAL_FORMS": 2,
            "ids-INITIAL_FORMS": 0,
            "ids-MIN_NUM_FORMS": 0,
            "ids-MAX_NUM_FORMS": 20,
            "ids-0-kind": "phone",
            "ids-0-value": "(713) 555-0199",
            "ids-1-kind": "email",
            "ids-1-value": "",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.is_business and person.alias == "Golden Spa LLC"
    assert list(Identifier.objects.values_list("person_id", "normalised")) == [
        (person.pk, "+17135550199")
    ]
    body = advocate_client.get(_detail(case)).content.decode()
    assert "Golden Spa LLC" in body and "(business)" in body


def test_add_person_bad_phone_keeps_form(advocate, advocate_client):
    case = make_case(created_by=advocate)
    response = advocate_client.post(
        reverse("cases:person_add", args=[case.reference]),
        {
            "roles": "potential_victim",
            "first_name": "Lupe",
            "ids-TOTAL_FORMS": 1,
            "ids-INITIAL_FORMS": 0,
            "ids-MIN_NUM_FORMS": 0,
            "ids-MAX_NUM_FORMS": 20,
            "ids-0-kind": "phone",
            "ids-0-value": "12",
        },
    )
    assert response.status_code == 200
    assert "Lupe" in response.content.decode() and "phone number" in response.content.decode()
    assert Person.objects.count() == 0


def test_person_edit_stale(advocate, advocate_client):
    case = make_case(created_by=advocate)
    person = domain.add_person(case=case, by=advocate, role="potential_victim", first_name="Ana")
    domain.update_person(person_id=person.pk, expected_version=1, by=advocate, changes={"age": 20})
    response = advocate_client.post(
        reverse("cases:person_edit", args=[case.reference, person.pk]),
        {
            "roles": "potential_victim",
            "first_name": "Ana María",
            "version": 1,
            "ids-TOTAL_FORMS": 0,
            "ids-INITIAL_FORMS": 0,
            "ids-MIN_NUM_FORMS": 0,
            "ids-MAX_NUM_FORMS": 20,
        },
    )
    assert response.status_code == 409
    assert "Ana María" in response.content.decode()
    person.refresh_from_db()
    assert (person.first_name, person.age) == ("Ana", 20)


# --- tasks and notes (htmx partials) ---------------------------------------------


def test_task_and_note_via_htmx(advocate, advocate_client):
    case = make_case(created_by=advocate)
    response = advocate_client.post(
        reverse("cases:task_add", args=[case.reference]),
        {"title": "Call shelter", "assignee": advocate.pk, "due_date": "2030-01-02"},
        HTTP_HX_REQUEST="true",
    )
    assert 'id="tasks"' in response.content.decode() and "Call shelter" in response.content.decode()
    task = Task.objects.get()
    assert task.assignee == advocate and str(task.due_date) == "2030-01-02"
    advocate_client.post(reverse("cases:task_done", args=[case.reference, task.pk]))
    task.refresh_from_db()
    assert task.done_at is not None
    response = advocate_client.post(
        reverse("cases:note_add", args=[case.reference]),
        {"body": "Shelter has a bed."},
        HTTP_HX_REQUEST="true",
    )
    assert "Shelter has a bed." in response.content.decode()
    assert CaseNote.objects.get().author == advocate


# --- restricted cases and break glass --------------------------------------------


def test_restricted_case_page_then_break_glass(advocate, supervisor, advocate_client):
    case = make_case(created_by=supervisor, title="Witness protection")
    domain.restrict_case(case=case, by=supervisor)
    body = advocate_client.get(_detail(case)).content.decode()
    assert 'data-testid="restricted-notice"' in body
    assert "Witness protection" not in body and supervisor.display_name in body
    # Too short a reason is refused.
    response = advocate_client.post(
        reverse("cases:break_glass", args=[case.reference]), {"reason": "now"}
    )
    assert response.status_code == 400 and BreakGlass.objects.count() == 0
    response = advocate_client.post(
        reverse("cases:break_glass", args=[case.reference]),
        {"reason": "Caller is the victim and is in danger"},
    )
    assert response.status_code == 302
    body = advocate_client.get(_detail(case)).content.decode()
    assert "Witness protection" in body and 'data-testid="break-glass-banner"' in body
    assert AuditEntry.objects.filter(
        action="break_glass", actor=advocate, reason="Caller is the victim and is in danger"
    ).exists()
    # Supervisor reviews it.
    sup = signed_in_client(supervisor)
    review = sup.get(reverse("cases:break_glass_review")).content.decode()
    assert "Caller is the victim and is in danger" in review
    sup.post(reverse("cases:break_glass_review"), {"event": BreakGlass.objects.get().pk})
    assert BreakGlass.objects.get().reviewed_by == supervisor
    assert advocate_client.get(reverse("cases:break_glass_review")).status_code == 403


def test_restricted_case_actions_refused(advocate, supervisor, advocate_client):
    case = make_case(created_by=supervisor)
    domain.restrict_case(case=case, by=supervisor)
    response = advocate_client.post(reverse("cases:note_add", args=[case.reference]), {"body": "x"})
    assert response.status_code == 403 and CaseNote.objects.count() == 0


def test_supervisor_manages_access_list(advocate, supervisor):
    client = signed_in_client(supervisor)
    case = make_case(created_by=advocate)
    client.post(reverse("cases:restrict", args=[case.reference]), {"restricted": "1"})
    case.refresh_from_db()
    assert case.restricted
    colleague = make_user(Role.LIAISON)
    client.post(reverse("cases:access_grant", args=[case.reference]), {"user": colleague.pk})
    body = client.get(_detail(case)).content.decode()
    assert colleague.display_name in body
    client.post(reverse("cases:access_revoke", args=[case.reference, colleague.pk]))
    assert not case.access_list.filter(user=colleague).exists()
    # Advocates cannot restrict.
    response = signed_in_client(advocate).post(
        reverse("cases:restrict", args=[case.reference]), {"restricted": "0"}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.restricted


def test_forms_render_with_current_values(advocate, advocate_client):
    case = make_case(created_by=advocate, title="Farm", venues=["construction"])
    person = domain.add_person(
        case=case,
        by=advocate,
        role="exploiter",
        is_business=True,
        alias="Acme Farms",
        roles_in_process=["RecruiterOrIntermediary"],
    )
    body = advocate_client.get(reverse("cases:edit", args=[case.reference])).content.decode()
    assert 'value="Farm"' in body and 'name="version" value="1"' in body
    assert re.search(r'value="construction"[^>]*checked', body)
    body = advocate_client.get(
        reverse("cases:person_edit", args=[case.reference, person.pk])
    ).content.decode()
    assert 'value="Acme Farms"' in body and "ids-TOTAL_FORMS" in body
    body = advocate_client.get(reverse("cases:person_add", args=[case.reference])).content.decode()
    assert 'name="roles"' in body and "Citizenship" in body
    body = advocate_client.get(reverse("cases:new")).content.decode()
    # A U.S. hotline opening a case: Mexico's legal frame is not offered (yet).
    assert "Ley General, art. 10" not in body
    # The case's edit form is a read of the case, once; the person's form a read of them.
    views = AuditEntry.objects.filter(action="view")
    assert views.filter(object_type="case", object_id=str(case.pk)).count() == 1
    assert views.filter(object_type="person", object_id=str(person.pk)).count() == 1


def test_a_supervisor_cannot_review_their_own_break_glass(supervisor):
    other_supervisor = make_user(Role.SUPERVISOR)
    case = make_case(created_by=other_supervisor)
    domain.restrict_case(case=case, by=other_supervisor)
    domain.break_glass(case=case, user=supervisor, reason="Caller is on the line and in danger")
    event = BreakGlass.objects.get()
    client = signed_in_client(supervisor)
    page = client.get(reverse("cases:break_glass_review")).content.decode()
    assert "Another supervisor reviews your own" in page
    client.post(reverse("cases:break_glass_review"), {"event": event.pk})
    event.refresh_from_db()
    assert event.reviewed_by is None
    with pytest.raises(ValidationError):
        domain.review_break_glass(event=event, by=supervisor)
    # The database refuses it too, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        BreakGlass.objects.filter(pk=event.pk).update(reviewed_by=supervisor)
    signed_in_client(other_supervisor).post(
        reverse("cases:break_glass_review"), {"event": event.pk}
    )
    event.refresh_from_db()
    assert event.reviewed_by == other_supervisor


@pytest.mark.parametrize("event", ["abc", "", "1.5", "-1", "١", "99999999999999999999999"])
def test_break_glass_review_with_a_malformed_event_is_404(supervisor_client, event):
    response = supervisor_client.post(reverse("cases:break_glass_review"), {"event": event})
    assert response.status_code == 404


def test_the_mexican_legal_frame_shows_on_a_mexican_hotline_or_a_case_involving_mexico(
    advocate, advocate_client, settings
):
    case = make_case(created_by=advocate, title="Farm")
    detail = reverse("cases:detail", args=[case.reference])
    edit = reverse("cases:edit", args=[case.reference])
    assert "Ley General, art. 10" not in advocate_client.get(detail).content.decode()
    assert "mx_forms_of_exploitation" not in advocate_client.get(edit).content.decode()
    # A person with Mexican citizenship: the case involves Mexico.
    domain.add_person(
        case=case, by=advocate, first_name="Rosa", roles=["potential_victim"], citizenship=["MX"]
    )
    assert "Ley General, art. 10" in advocate_client.get(detail).content.decode()
    assert "mx_forms_of_exploitation" in advocate_client.get(edit).content.decode()
    # On a Mexican hotline, always.
    settings.PUENTE_COUNTRY = "MX"
    other = make_case(created_by=advocate, title="Taller")
    assert (
        "Ley General, art. 10"
        in advocate_client.get(reverse("cases:detail", args=[other.reference])).content.decode()
    )
    assert "Ley General, art. 10" in advocate_client.get(reverse("cases:new")).content.decode()
