from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.cases import domain as cases
from puente.core.middleware import SessionActivityMiddleware
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact


def _home(client) -> str:
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_imminent_danger_comes_first_and_my_tasks_are_listed(advocate, advocate_client):
    calm = make_case(created_by=advocate, title="Calm case")
    danger = make_case(created_by=advocate, title="Locked in a trailer", imminent_danger=True)
    cases.add_task(
        case=calm,
        title="Call the shelter back",
        by=advocate,
        assignee=advocate,
        due_date=timezone.localdate() - timedelta(days=1),
    )
    html = _home(advocate_client)
    danger_section = html.split('data-testid="imminent-danger"')[1].split("</section>")[0]
    assert danger.reference in danger_section and calm.reference not in danger_section
    assert html.index('data-testid="imminent-danger"') < html.index('data-testid="my-tasks"')
    tasks = html.split('data-testid="my-tasks"')[1].split("</section>")[0]
    assert "Call the shelter back" in tasks and "Overdue" in tasks


def test_home_hides_restricted_cases_from_staff_not_named(advocate_client, supervisor):
    secret = make_case(created_by=supervisor, title="Secret", imminent_danger=True)
    cases.restrict_case(case=secret, by=supervisor)
    assert secret.reference not in _home(advocate_client)
    assert secret.reference in _home(signed_in_client(supervisor))


def test_supervisor_sees_the_floor_and_break_glass_to_review(supervisor, advocate):
    case = make_case(created_by=supervisor, title="Restricted")
    cases.restrict_case(case=case, by=supervisor)
    cases.break_glass(case=case, user=advocate, reason="Caller is on the line now and needs help")
    other = make_case(created_by=advocate, title="Someone else's")
    html = _home(signed_in_client(supervisor))
    assert other.reference in html.split('data-testid="open-cases"')[1]
    assert "Caller is on the line now" in html


def test_administrator_home_shows_no_case_data(administrator, advocate):
    case = make_case(created_by=advocate, imminent_danger=True)
    html = _home(signed_in_client(administrator))
    assert case.reference not in html
    assert "/screening/protocols/" in html


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_home_costs_the_same_queries_for_one_or_three_rows(advocate, advocate_client, monkeypatch):
    # The idle-timeout renewal writes the session at most once a minute; keep that write out
    # of the count so the comparison does not depend on the clock.
    monkeypatch.setattr(SessionActivityMiddleware, "RENEW_AFTER_SECONDS", 10**12)

    def count():
        with CaptureQueriesContext(connection) as queries:
            _home(advocate_client)
        return len(queries)

    def add_row():
        case = make_case(created_by=advocate, imminent_danger=True)
        cases.add_task(case=case, title="Follow up", by=advocate, assignee=advocate)
        make_contact(taken_by=advocate, case=case)

    add_row()
    one = count()
    add_row()
    add_row()
    assert count() == one
