"""The case page at a glance: the summary, the timeline, the parts as tabs, the forms that
open on demand (and come back open with what was typed when refused), and a cost that does
not grow with the case."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.accounts.roles import Role
from puente.cases import domain
from puente.cases.models import Case, CaseLocation, CaseNote, Task
from puente.federation.models import CrossBorderReferral, PartnerHotline
from puente.referrals.models import Referral
from puente.screening.models import Screening
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db


def _detail(case: Case) -> str:
    return reverse("cases:detail", args=[case.reference])


def _summary(body: str) -> str:
    start = body.index('data-testid="case-summary"')
    return body[start : body.index("</header>", start)]


def _disclosure(body: str, name: str) -> str:
    """The opening <details …> tag of one of the page's on-demand forms."""
    return re.search(rf'<details[^>]*data-testid="{name}-disclosure"[^>]*>', body).group(0)


def test_summary_shows_the_case_at_a_glance(advocate, advocate_client):
    case = make_case(
        created_by=advocate,
        title="Kitchen workers",
        imminent_danger=True,
        level_of_indicators="high",
    )
    yesterday = timezone.localdate() - timedelta(days=1)
    domain.add_task(case=case, title="Call the shelter", due_date=yesterday, by=advocate)
    domain.add_task(case=case, title="Later", due_date=yesterday + timedelta(days=9), by=advocate)

    summary = _summary(advocate_client.get(_detail(case)).content.decode())

    assert case.reference in summary and "Kitchen workers" in summary
    assert 'data-testid="status">New' in summary
    assert "Imminent danger" in summary and "High" in summary
    assert advocate.display_name in summary
    assert "Call the shelter" in summary and "Later" not in summary
    assert 'data-testid="overdue"' in summary
    assert "Restricted" not in summary


def test_summary_without_tasks_or_screening(advocate, advocate_client):
    case = make_case(created_by=advocate)
    summary = _summary(advocate_client.get(_detail(case)).content.decode())
    assert "Not screened" in summary and "None open" in summary
    assert 'data-testid="overdue"' not in summary


def test_parts_of_the_case_are_tabs_with_a_fragment_each(advocate, advocate_client, supervisor):
    case = make_case(created_by=advocate)
    body = advocate_client.get(_detail(case)).content.decode()
    fragments = re.findall(r'<a href="#([a-z-]+)" id="tab-\1" data-tab="\1"', body)
    assert fragments == [
        "overview",
        "people",
        "locations",
        "tasks-and-notes",
        "referrals-and-reports",
        "screening",
    ]
    for fragment in fragments:  # each tab's part is on the page, for reading without script
        assert f'id="{fragment}" data-tab-panel aria-labelledby="tab-{fragment}"' in body
    supervisor_body = signed_in_client(supervisor).get(_detail(case)).content.decode()
    assert (
        'data-tab="access"' in supervisor_body and 'id="access" data-tab-panel' in supervisor_body
    )
    assert 'data-active-tab="overview"' in body


def test_forms_are_closed_until_asked_for(advocate, advocate_client):
    case = make_case(created_by=advocate)
    body = advocate_client.get(_detail(case)).content.decode()
    for name in ("task", "note", "location", "status"):
        assert " open" not in _disclosure(body, name), name


@pytest.mark.parametrize(
    "url_name, data, disclosure, tab, typed",
    [
        (
            "cases:task_add",
            {"title": "", "due_date": "2030-02-31"},
            "task",
            "tasks-and-notes",
            "2030-02-31",
        ),
        ("cases:note_add", {"body": "   "}, "note", "tasks-and-notes", None),
        (
            "cases:location_add",
            {"kind": "Exploitation", "country": "ZZ", "city": "Yakima"},
            "location",
            "locations",
            'value="Yakima"',
        ),
    ],
)
def test_a_refused_form_comes_back_open_with_its_errors_and_what_was_typed(
    advocate, advocate_client, url_name, data, disclosure, tab, typed
):
    case = make_case(created_by=advocate)
    response = advocate_client.post(reverse(url_name, args=[case.reference]), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert " open" in _disclosure(body, disclosure)
    assert f'data-active-tab="{tab}"' in body
    assert 'class="errorlist' in body
    if typed:
        assert typed in body
    assert not Task.objects.exists() and not CaseNote.objects.exists()
    assert not CaseLocation.objects.exists()


def test_closing_without_a_reason_comes_back_open_with_the_note(advocate, advocate_client):
    case = make_case(created_by=advocate)
    domain.change_status(case_id=case.pk, expected_version=1, status="active", by=advocate)
    case.refresh_from_db()
    response = advocate_client.post(
        reverse("cases:status", args=[case.reference]),
        {"status": "closed", "closing_note": "She is safe with family", "version": case.version},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert " open" in _disclosure(body, "status")
    assert "She is safe with family" in body
    assert re.search(r'<option value="closed" selected>', body)
    case.refresh_from_db()
    assert case.status == "active"


def test_a_task_added_with_htmx_comes_back_with_the_form_closed(advocate, advocate_client):
    case = make_case(created_by=advocate)
    url = reverse("cases:task_add", args=[case.reference])
    refused = advocate_client.post(url, {"title": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert " open" in _disclosure(refused, "task")
    added = advocate_client.post(
        url, {"title": "Call back"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert " open" not in _disclosure(added, "task") and "Call back" in added


def test_restricting_asks_first(advocate, supervisor):
    case = make_case(created_by=advocate)
    body = signed_in_client(supervisor).get(_detail(case)).content.decode()
    form = re.search(r'<form[^>]*data-testid="restrict-form"[^>]*>', body).group(0)
    # puente.js asks the question a form carries when the form is submitted.
    assert 'data-confirm="Restrict this case? Only named staff will be able to open it."' in form
    assert "data-confirm" not in body.replace(form, "")


def test_timeline_on_the_page_newest_first(advocate, advocate_client):
    case = make_case(created_by=advocate)
    contact = make_contact(case=case, taken_by=advocate, started_at=timezone.now())
    domain.add_note(case=case, body="Shelter has a bed", by=advocate)
    body = advocate_client.get(_detail(case)).content.decode()
    timeline = body[body.index('data-testid="timeline"') :]
    kinds = re.findall(r'data-testid="timeline-entry" data-kind="([a-z-]+)"', timeline)
    assert kinds == ["note", "contact", "opened"]
    assert f'href="/intake/contacts/{contact.pk}/"' in timeline
    assert 'href="#notes"' in timeline


def _busy_case(advocate, partner, *, n_contacts: int, n_persons: int) -> Case:
    case = make_case(created_by=advocate, title="Busy")
    for i in range(n_persons):
        person = domain.add_person(
            case=case, by=advocate, role="potential_victim", first_name=f"P{i}", age=20 + i
        )
        domain.add_identifier(
            case=case, person=person, kind="phone", value=f"71355501{i:02d}", by=advocate
        )
    for i in range(n_contacts):
        make_contact(case=case, taken_by=advocate, summary=f"Call {i}")
    for i in range(max(1, n_contacts // 4)):
        domain.add_note(case=case, body=f"Note {i}", by=advocate)
        domain.add_task(case=case, title=f"Task {i}", assignee=advocate, by=advocate)
        Screening.objects.create(
            case=case,
            legal_frame="us_tvpa",
            indicators=[],
            computed_level="low",
            screened_by=advocate,
        )
        Referral.objects.create(
            case=case,
            provider_name=f"Shelter {i}",
            service="shelter_emergency_housing",
            referred_on=timezone.localdate(),
            created_by=advocate,
        )
        CrossBorderReferral.objects.create(
            direction="outgoing",
            partner=partner,
            case=case,
            consent_method="verbal",
            consent_recorded_at=timezone.now(),
            created_by=advocate,
        )
    return case


def test_page_queries_do_not_grow_with_contacts_persons_and_events(advocate, advocate_client):
    partner = PartnerHotline.objects.create(name="MX", country="MX", base_url="https://mx.example")
    small = _busy_case(advocate, partner, n_contacts=1, n_persons=1)
    big = _busy_case(advocate, partner, n_contacts=20, n_persons=10)

    def count(case: Case) -> int:
        advocate_client.get(_detail(case))  # the session is saved on a first visit
        with CaptureQueriesContext(connection) as queries:
            response = advocate_client.get(_detail(case))
        assert response.status_code == 200
        return len(queries)

    assert count(small) == count(big)
    body = advocate_client.get(_detail(big)).content.decode()
    assert body.count('data-kind="contact"') == 20
    assert body.count('data-testid="person-potential_victim"') == 10


def test_page_in_spanish(advocate, advocate_client):
    case = make_case(created_by=advocate)
    domain.add_note(case=case, body="Nota", by=advocate)
    advocate_client.cookies["puente_language"] = "es"
    body = advocate_client.get(_detail(case)).content.decode()
    for words in (
        "Resumen general",
        "Personas y negocios",
        "Tareas y notas",
        "Canalizaciones y reportes",
        "Qué ha pasado",
        "Caso abierto",
        "Añadir una tarea",
        "Próxima tarea",
    ):
        assert words in body, words


@pytest.mark.django_db
def test_adding_a_task_from_the_tab_refreshes_the_summary_and_timeline_out_of_band():
    advocate = make_user(Role.ADVOCATE)
    case = make_case(created_by=advocate)
    answer = signed_in_client(advocate).post(
        reverse("cases:task_add", args=[case.reference]),
        {"title": "Call the shelter back", "due_date": "2030-01-02"},
        HTTP_HX_REQUEST="true",
    )
    html = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="case-summary"' in html and 'id="timeline"' in html
    assert html.count('hx-swap-oob="true"') == 2
    # The summary's next task and the timeline's newest entry are the task just set.
    summary = html[html.index('id="case-summary"') :]
    assert "Call the shelter back" in summary[: summary.index("</header>")]
    timeline = html[html.index('id="timeline"') :]
    assert "Call the shelter back" in timeline
