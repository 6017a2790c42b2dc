"""The supervisor's team view: each person's open cases and overdue tasks, open cases
nobody owns, imminent-danger cases nobody attends to — most urgent first, for those
with team.view only, in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain
from puente.cases import team as team_queries
from puente.cases.models import Case
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db

TEAM = "/cases/team/"


def _age(case, *, hours: float) -> None:
    """Make the case's last recorded work `hours` old."""
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now() - timedelta(hours=hours))


def _overdue_task(case, *, by, assignee, days=2):
    return domain.add_task(
        case=case,
        by=by,
        title="Call the shelter back",
        assignee=assignee,
        due_date=timezone.localdate() - timedelta(days=days),
    )


def test_counts_per_advocate_unassigned_and_overdue(supervisor):
    ana = make_user(Role.ADVOCATE, first_name="Ana")
    ben = make_user(Role.ADVOCATE, first_name="Ben")
    for _i in range(3):
        make_case(created_by=ana)
    danger = make_case(created_by=ben, imminent_danger=True)
    make_case(created_by=supervisor, owner=None, title="Nobody's")
    _overdue_task(danger, by=ben, assignee=ben)
    _overdue_task(danger, by=ben, assignee=ben, days=5)
    domain.add_task(case=danger, by=ben, title="Not yet due", assignee=ben,
                    due_date=timezone.localdate() + timedelta(days=1))  # fmt: skip

    view = team_queries.team_view(viewer=supervisor)
    loads = {load.person.pk: load for load in view.advocates}
    assert loads[ana.pk].open_cases == 3 and loads[ana.pk].overdue_tasks == 0
    assert loads[ben.pk].imminent_danger == 1
    assert loads[ben.pk].overdue_tasks == 2
    assert loads[ben.pk].oldest_overdue == timezone.localdate() - timedelta(days=5)
    assert view.unassigned_count == 1
    # Most urgent first: overdue work before a bigger pile of cases.
    order = [load.person.pk for load in view.advocates]
    assert order.index(ben.pk) < order.index(ana.pk)
    # Only the people who work cases: not the analyst or the administrator.
    analyst = make_user(Role.ANALYST)
    assert analyst.pk not in {
        load.person.pk for load in team_queries.team_view(viewer=supervisor).advocates
    }


def test_a_closed_case_and_its_tasks_do_not_count(supervisor):
    ana = make_user(Role.ADVOCATE)
    case = make_case(created_by=ana)
    _overdue_task(case, by=ana, assignee=ana)
    Case.objects.filter(pk=case.pk).update(status="closed", closing_reason="services_connected")
    loads = {load.person.pk: load for load in team_queries.team_view(viewer=supervisor).advocates}
    assert loads[ana.pk].open_cases == 0 and loads[ana.pk].overdue_tasks == 0


def test_unattended_imminent_danger(supervisor):
    ana = make_user(Role.ADVOCATE)
    gone = make_user(Role.ADVOCATE, is_active=False)
    worked = make_case(created_by=ana, imminent_danger=True, title="Worked on")
    stale = make_case(created_by=ana, imminent_danger=True, title="Left alone")
    _age(stale, hours=team_queries.UNATTENDED_HOURS + 1)
    called = make_case(created_by=ana, imminent_danger=True, title="Caller rang back")
    _age(called, hours=team_queries.UNATTENDED_HOURS + 1)
    make_contact(taken_by=ana, case=called, started_at=timezone.now() - timedelta(minutes=30))
    ownerless = make_case(created_by=ana, owner=None, imminent_danger=True, title="No owner")
    orphaned = make_case(created_by=ana, owner=gone, imminent_danger=True, title="Owner left")
    calm = make_case(created_by=ana, title="Not in danger")
    _age(calm, hours=100)

    view = team_queries.team_view(viewer=supervisor)
    titles = [case.title for case in view.unattended]
    assert set(titles) == {"Left alone", "No owner", "Owner left"}
    assert worked.title not in titles and called.title not in titles
    # Nobody's cases first (no owner, or a deactivated one), then the longest left alone.
    assert titles[-1] == "Left alone"
    assert view.unattended_count == 3
    assert {ownerless.pk, orphaned.pk} == {c.pk for c in view.unattended[:2]}


def test_the_page_is_for_supervisors_and_shows_the_work(supervisor):
    ana = make_user(Role.ADVOCATE, first_name="Ana", last_name="Avila")
    case = make_case(created_by=ana, imminent_danger=True, title="Farm workers")
    _age(case, hours=10)
    make_case(created_by=supervisor, owner=None, title="Waiting for an owner")
    client = signed_in_client(supervisor)
    page = client.get(TEAM)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Ana Avila" in html and "Farm workers" in html and "Waiting for an owner" in html
    assert reverse("cases:team_person", args=[ana.pk]) in html
    # Every table stacks on a phone: each cell names its column.
    assert 'class="stack"' in html and 'data-label="Open cases"' in html
    assert AuditEntry.objects.filter(actor=supervisor, object_ref="team").exists()
    for role in (Role.ADVOCATE, Role.LIAISON, Role.ANALYST):
        assert signed_in_client(make_user(role)).get(TEAM).status_code == 403


def test_an_administrator_sees_counts_never_cases(administrator):
    ana = make_user(Role.ADVOCATE, first_name="Ana", last_name="Avila")
    case = make_case(created_by=ana, imminent_danger=True, title="Farm workers")
    _age(case, hours=10)
    make_case(created_by=ana, owner=None, title="Waiting for an owner")
    client = signed_in_client(administrator)
    html = client.get(TEAM).content.decode()
    assert "Ana Avila" in html and 'data-testid="counts-only"' in html
    assert "Farm workers" not in html and case.reference not in html
    assert "Waiting for an owner" not in html
    person = client.get(reverse("cases:team_person", args=[ana.pk])).content.decode()
    assert case.reference not in person and "Farm workers" not in person


def test_a_restricted_case_shows_its_reference_not_its_title(supervisor):
    ana = make_user(Role.ADVOCATE)
    case = make_case(created_by=ana, imminent_danger=True, title="Hidden farm")
    other = make_user(Role.SUPERVISOR)
    domain.restrict_case(case=case, by=other)
    _age(case, hours=10)
    html = signed_in_client(supervisor).get(TEAM).content.decode()
    assert case.reference in html and "Hidden farm" not in html
    named = signed_in_client(other).get(TEAM).content.decode()
    assert "Hidden farm" in named


def test_one_persons_open_work_and_nobodys(supervisor):
    ana = make_user(Role.ADVOCATE, first_name="Ana")
    mine = make_case(created_by=ana, title="Ana's case")
    _overdue_task(mine, by=ana, assignee=ana)
    make_case(created_by=supervisor, title="Someone else's")
    make_case(created_by=supervisor, owner=None, title="Nobody's")
    client = signed_in_client(supervisor)
    html = client.get(reverse("cases:team_person", args=[ana.pk])).content.decode()
    assert "Ana&#x27;s case" in html and "Someone else" not in html and "Nobody" not in html
    assert 'data-testid="overdue-task"' in html and "Call the shelter back" in html
    nobody = client.get(reverse("cases:team_unassigned")).content.decode()
    assert "Nobody&#x27;s" in nobody and "Ana&#x27;s case" not in nobody


def test_the_page_is_translated(supervisor):
    supervisor.language = "es"
    supervisor.save()
    make_case(created_by=make_user(Role.ADVOCATE), imminent_danger=True)
    html = signed_in_client(supervisor).get(TEAM, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Equipo" in html and "Casos abiertos" in html and "Tareas vencidas" in html


def _queries_for_team_page(client) -> int:
    client.get(TEAM)  # session and MFA checks settle
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(TEAM).status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_advocates_or_cases(supervisor):
    client = signed_in_client(supervisor)

    def grow(advocates: int, cases_each: int) -> None:
        for _a in range(advocates):
            person = make_user(Role.ADVOCATE)
            for n in range(cases_each):
                case = make_case(created_by=person, imminent_danger=n == 0)
                _overdue_task(case, by=person, assignee=person)
                _age(case, hours=10)
        make_case(created_by=supervisor, owner=None, imminent_danger=True)

    grow(1, 1)
    small = _queries_for_team_page(client)
    grow(6, 3)
    assert _queries_for_team_page(client) == small
