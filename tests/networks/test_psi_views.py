"""The identifier-match pages: who may open them, what they show (a matched identifier
held only by a case the reader may not open is counted, never shown), starting a run,
and the policy page."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.federation.models import OutboxMessage
from puente.networks import psi
from puente.networks.models.psi import (
    IdentifierMatch,
    MatchPolicy,
    MatchRun,
    RunStatus,
    ServedMatch,
)
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user
from tests.federation.conftest import make_partner

MATCHES = "/networks/matches/"


@pytest.fixture
def mx(db, own_key):
    return make_partner()


@pytest.fixture
def policy(mx, administrator):
    return psi.change_policy(partner=mx.hotline, by=administrator, enabled=True, kinds=["phone"])


def policy_url(mx) -> str:
    return f"/networks/matches/policy/{mx.hotline.pk}/"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LIAISON])
def test_supervisors_and_liaisons_open_the_matches_page(role, mx, policy):
    page = signed_in_client(make_user(role)).get(MATCHES)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ask the partner hotline" in text
    assert "phone number" in text.lower()
    assert AuditEntry.objects.filter(object_type="identifier_matches", action="view").count() == 1


@pytest.mark.parametrize("role", [Role.ADVOCATE, Role.ANALYST, Role.ADMINISTRATOR])
def test_other_roles_are_refused_the_matches_page(role, mx):
    assert signed_in_client(make_user(role)).get(MATCHES).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in():
    for url in (MATCHES, "/networks/matches/policy/1/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_without_an_enabled_policy_nothing_can_be_started(mx, supervisor):
    text = signed_in_client(supervisor).get(MATCHES).content.decode()
    assert 'data-testid="match-disabled"' in text


def test_starting_a_run_from_the_page(mx, policy, supervisor):
    case = make_case(created_by=supervisor)
    cases.add_person(
        case=case, by=supervisor, role="exploiter", identifiers=[("phone", "+15125550101")]
    )
    client = signed_in_client(supervisor)
    response = client.post(MATCHES, {"partner": mx.hotline.pk, "kinds": ["phone"]}, follow=True)
    run = MatchRun.objects.get()
    assert (run.asked, run.kinds, run.asked_by) == (1, ["phone"], supervisor)
    assert OutboxMessage.objects.filter(message_id=run.message_id).exists()
    text = response.content.decode()
    assert "1 identifier is on its way to" in text
    assert "Waiting for the partner" in text


def test_a_kind_outside_the_policy_cannot_be_posted(mx, policy, supervisor):
    response = signed_in_client(supervisor).post(
        MATCHES, {"partner": mx.hotline.pk, "kinds": ["email"]}
    )
    assert response.status_code == 200 and not MatchRun.objects.exists()


def test_a_match_only_in_a_restricted_case_is_counted_not_shown(mx, policy, supervisor, liaison):
    open_case = make_case(created_by=supervisor, title="Open")
    closed_case = make_case(created_by=supervisor, title="Closed")
    cases.restrict_case(case=closed_case, by=supervisor)
    run = MatchRun.objects.create(
        partner=mx.hotline,
        asked_by=supervisor,
        kinds=["phone"],
        asked=3,
        status=RunStatus.ANSWERED,
        matched=2,
    )
    shown = IdentifierMatch.objects.create(run=run, kind="phone", normalised="+15125550101")
    shown.cases.set([open_case, closed_case])
    hidden = IdentifierMatch.objects.create(run=run, kind="phone", normalised="+15125550177")
    hidden.cases.set([closed_case])
    text = signed_in_client(liaison).get(MATCHES).content.decode()
    assert "+15125550101" in text and open_case.reference in text
    assert "+15125550177" not in text and closed_case.reference not in text
    assert "and 1 case you may not open" in text
    assert "1 shared identifier is only in cases you may not open." in text
    # The supervisor who owns the restricted case sees both.
    text = signed_in_client(supervisor).get(MATCHES).content.decode()
    assert "+15125550177" in text and closed_case.reference in text


def test_the_list_costs_the_same_queries_for_one_run_and_three(
    mx, policy, supervisor, django_assert_max_num_queries
):
    client = signed_in_client(supervisor)
    case = make_case(created_by=supervisor)

    def add_run():
        run = MatchRun.objects.create(
            partner=mx.hotline, asked_by=supervisor, kinds=["phone"], asked=1
        )
        IdentifierMatch.objects.create(run=run, kind="phone", normalised="+1").cases.set([case])

    add_run()
    client.get(MATCHES)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(MATCHES)
    add_run()
    add_run()
    with CaptureQueriesContext(connection) as three:
        client.get(MATCHES)
    assert len(three) == len(one)


def test_administrators_set_the_policy(mx, administrator):
    client = signed_in_client(administrator)
    page = client.get(policy_url(mx))
    assert page.status_code == 200 and "Save the policy" in page.content.decode()
    response = client.post(
        policy_url(mx),
        {
            "enabled": "on",
            "kinds": ["phone", "email"],
            "runs_per_day": 2,
            "identifiers_per_run": 5000,
            "identifiers_per_year": 20000,
        },
    )
    assert response.status_code == 302
    policy = MatchPolicy.objects.get()
    assert (policy.enabled, policy.kinds, policy.runs_per_day, policy.updated_by) == (
        True,
        ["phone", "email"],
        2,
        administrator,
    )
    too_many = client.post(
        policy_url(mx),
        {
            "kinds": ["phone"],
            "runs_per_day": 2,
            "identifiers_per_run": 50000,
            "identifiers_per_year": 1,
        },
    )
    assert too_many.status_code == 200
    assert MatchPolicy.objects.get().identifiers_per_run == 5000


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.LIAISON, Role.ADVOCATE, Role.ANALYST])
def test_other_roles_may_not_change_the_policy(role, mx):
    client = signed_in_client(make_user(role))
    assert client.get(policy_url(mx)).status_code == 403
    assert client.post(policy_url(mx), {"enabled": "on", "kinds": ["phone"]}).status_code == 403
    assert not MatchPolicy.objects.exists()


def test_the_pages_in_spanish(mx, policy, supervisor, administrator):
    """Every part of both pages, runs of each status, matches and what the partner asked
    included, reads in Spanish (the walk's own checker: no English, no raw codes)."""
    from tests.core.test_spanish_everywhere import VisibleText, _codes, problems_in

    case = make_case(created_by=supervisor)
    cases.restrict_case(case=make_case(created_by=supervisor), by=supervisor)
    answered = MatchRun.objects.create(
        partner=mx.hotline,
        asked_by=supervisor,
        kinds=["phone", "email"],
        asked=12,
        left_out=3,
        status=RunStatus.ANSWERED,
        matched=1,
    )
    IdentifierMatch.objects.create(run=answered, kind="phone", normalised="+15125550101").cases.set(
        [case]
    )
    for status, refusal in [
        (RunStatus.REFUSED, "yearly_budget_spent"),
        (RunStatus.FAILED, "not_delivered"),
        (RunStatus.EXPIRED, "expired"),
        (RunStatus.SENT, ""),
    ]:
        MatchRun.objects.create(
            partner=mx.hotline, kinds=["phone"], asked=2, status=status, refusal=refusal
        )
    for outcome, refusal in [("answered", ""), ("refused", "daily_limit_reached"), ("pending", "")]:
        ServedMatch.objects.create(
            partner=mx.hotline,
            run_id=uuid.uuid4(),
            kinds=["phone"],
            asked=5,
            outcome=outcome,
            refusal=refusal,
        )
    pages = [
        (supervisor, MATCHES, "Preguntar a la línea contraparte"),
        (administrator, policy_url(mx), "Guardar la política"),
    ]
    codes = _codes()
    for user, url, expected in pages:
        client = signed_in_client(user)
        client.cookies["puente_language"] = "es"
        text = client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9").content.decode()
        assert expected in text
        assert problems_in(VisibleText.of(text), data=[mx.hotline.name], codes=codes) == []
    text = signed_in_client(supervisor).get(MATCHES, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Se agotó el presupuesto anual de la contraparte" in text
