"""The review queue of proposed matches (/networks/links/): who may open it, what it
shows (and what it only counts), confirming and rejecting, a decision someone made
meanwhile, and "run matching now"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases.models import CaseAccess, Person
from puente.networks import linkage
from puente.networks.models import LinkStatus, PersonLink
from puente.networks.models.linkage import LinkageRun, LinkageRunStatus
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user

pytestmark = pytest.mark.django_db

URL = reverse("networks:links")


def _evidence(weight: float = 14.4) -> list[dict]:
    return [
        {"comparison": "given_name", "level": "exact", "weight": 4.7},
        {"comparison": "surnames", "level": "first", "weight": 3.6},
        {"comparison": "birth", "level": "exact", "weight": weight},
        {"comparison": "identifiers", "level": "null", "weight": 0.0},
        {"comparison": "alias", "level": "null", "weight": 0.0},
        {"comparison": "gender", "level": "exact", "weight": 0.9},
    ]


def make_link(*, restricted: bool = False, owner=None, weight: float = 9.5, names=None):
    owner = owner or make_user(Role.ADVOCATE)
    first, second = names or (("José Luis", "Hernández Ruiz"), ("Jose Luis", "Hernandez"))
    case_a = make_case(created_by=owner, title="Farm work")
    case_b = make_case(created_by=owner, title="Restaurant", restricted=restricted)
    a = Person.objects.create(
        case=case_a, roles=["exploiter"], first_name=first[0], last_name=first[1],
        birthdate="1980-03-14",
    )  # fmt: skip
    b = Person.objects.create(
        case=case_b, roles=["exploiter"], first_name=second[0], last_name=second[1], age=46
    )
    return PersonLink.objects.create(
        person_a=a, person_b=b, match_weight=weight, match_probability=0.9987,
        evidence=_evidence(),
    )  # fmt: skip


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ANALYST])
def test_supervisors_and_analysts_review_proposed_matches(role):
    link = make_link()
    page = signed_in_client(make_user(role)).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    pair = html.split('data-testid="link-pair"')[1]
    assert "José Luis Hernández Ruiz" in pair and "Jose Luis Hernandez" in pair
    assert link.person_a.case.reference in pair and link.person_b.case.reference in pair
    assert "born 03/14/1980" in pair or "born 3/14/1980" in pair
    assert "age 46" in pair
    assert "Match probability 99.9 %" in pair
    evidence = pair.split('data-testid="link-evidence"')[1].split("</table>")[0]
    assert "Date of birth or age" in evidence and "same date of birth" in evidence
    assert "14.4" in evidence
    assert 'data-testid="link-confirm"' in pair


def test_an_analyst_sees_case_references_as_text_a_supervisor_as_links():
    link = make_link()
    reference = link.person_a.case.reference
    case_url = reverse("cases:detail", args=[reference])
    assert case_url not in signed_in_client(make_user(Role.ANALYST)).get(URL).content.decode()
    assert case_url in signed_in_client(make_user(Role.SUPERVISOR)).get(URL).content.decode()


@pytest.mark.parametrize("role", [Role.ADVOCATE, Role.LIAISON])
def test_other_roles_are_refused(role):
    link = make_link()
    client = signed_in_client(make_user(role))
    assert client.get(URL).status_code == 403
    decide = reverse("networks:link_decide", args=[link.pk])
    assert client.post(decide, {"decision": "confirm"}).status_code == 403
    assert client.post(reverse("networks:link_run")).status_code == 403
    link.refresh_from_db()
    assert link.status == LinkStatus.PROPOSED
    assert not LinkageRun.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in():
    link = make_link()
    client = signed_in_client(make_user(Role.ANALYST))
    client.logout()
    assert "/accounts/login/" in client.get(URL)["Location"]
    response = client.post(reverse("networks:link_decide", args=[link.pk]), {"decision": "reject"})
    assert "/accounts/login/" in response["Location"]
    link.refresh_from_db()
    assert link.status == LinkStatus.PROPOSED


def test_a_pair_with_a_person_in_a_restricted_case_is_counted_not_shown():
    owner = make_user(Role.ADVOCATE)
    shown = make_link(owner=owner)
    hidden = make_link(
        restricted=True, owner=owner, weight=20.0, names=(("Tyler", "Moore"), ("Tyler", "Moor"))
    )
    analyst = make_user(Role.ANALYST)
    html = signed_in_client(analyst).get(URL).content.decode()
    assert html.count('data-testid="link-pair"') == 1
    assert f'data-link="{shown.pk}"' in html
    assert "Tyler" not in html and hidden.person_b.case.reference not in html
    assert "1 more pair involves a person in a restricted case you may not open" in html
    # Nor can it be decided by its number.
    client = signed_in_client(analyst)
    client.post(reverse("networks:link_decide", args=[hidden.pk]), {"decision": "reject"})
    hidden.refresh_from_db()
    assert hidden.status == LinkStatus.PROPOSED
    # Someone named on the case sees it.
    CaseAccess.objects.create(case=hidden.person_b.case, user=analyst)
    html = signed_in_client(analyst).get(URL).content.decode()
    assert html.count('data-testid="link-pair"') == 2
    assert "restricted case you may not open" not in html


def test_looking_at_the_queue_is_audited_with_the_persons_shown_and_the_count_hidden():
    owner = make_user(Role.ADVOCATE)
    shown = make_link(owner=owner)
    make_link(restricted=True, owner=owner)
    analyst = make_user(Role.ANALYST)
    signed_in_client(analyst).get(URL)
    entry = AuditEntry.objects.get(object_type="personlink_queue")
    assert (entry.actor, entry.action) == (analyst, "view")
    assert {"field": "persons", "new": [[shown.person_a_id, shown.person_b_id]]} in entry.changes
    assert {"field": "hidden", "new": 1} in entry.changes


def test_confirming_and_rejecting_are_saved_audited_and_leave_the_queue():
    confirm, reject = make_link(), make_link(names=(("Kevin", "Wilson"), ("Wilson", "Kevin")))
    supervisor = make_user(Role.SUPERVISOR)
    client = signed_in_client(supervisor)
    response = client.post(
        reverse("networks:link_decide", args=[confirm.pk]),
        {"decision": "confirm", "note": "Same phone in both", "status": "proposed"},
    )
    assert response.status_code == 302 and response["Location"].startswith(URL)
    client.post(reverse("networks:link_decide", args=[reject.pk]), {"decision": "reject"})
    confirm.refresh_from_db()
    reject.refresh_from_db()
    assert (confirm.status, confirm.decided_by, confirm.note) == (
        LinkStatus.CONFIRMED, supervisor, "Same phone in both",
    )  # fmt: skip
    assert (reject.status, reject.decided_by) == (LinkStatus.REJECTED, supervisor)
    assert confirm.decided_at <= timezone.now()
    assert set(
        AuditEntry.objects.filter(object_type="personlink").values_list("object_id", flat=True)
    ) == {str(confirm.pk), str(reject.pk)}
    html = client.get(URL).content.decode()
    assert "No proposed matches to review." in html
    confirmed = client.get(URL, {"status": "confirmed"}).content.decode()
    assert "Confirmed by" in confirmed and "Same phone in both" in confirmed
    assert 'data-testid="link-confirm"' not in confirmed


def test_a_pair_decided_meanwhile_by_someone_else_is_reported_not_overwritten():
    link = make_link()
    first = make_user(Role.ANALYST, first_name="Rita", last_name="Reyes")
    linkage.decide_link(link_id=link.pk, status=LinkStatus.REJECTED, by=first)
    client = signed_in_client(make_user(Role.SUPERVISOR))
    response = client.post(
        reverse("networks:link_decide", args=[link.pk]), {"decision": "confirm"}, follow=True
    )
    assert "This pair was already rejected by Rita Reyes." in response.content.decode()
    link.refresh_from_db()
    assert (link.status, link.decided_by) == (LinkStatus.REJECTED, first)
    assert AuditEntry.objects.filter(object_type="personlink").count() == 1


def test_run_matching_now_queues_one_run_at_a_time():
    analyst = make_user(Role.ANALYST)
    client = signed_in_client(analyst)
    response = client.post(reverse("networks:link_run"), follow=True)
    run = LinkageRun.objects.get()
    assert (run.started_by, run.status) == (analyst, LinkageRunStatus.QUEUED)
    assert "Matching has started" in response.content.decode()
    response = client.post(reverse("networks:link_run"), follow=True)
    assert LinkageRun.objects.count() == 1
    html = response.content.decode()
    assert "Matching is already running" in html
    assert "Matching is running now." in html


def test_the_queue_reads_the_same_number_of_queries_for_one_and_three_pairs():
    owner = make_user(Role.ADVOCATE)
    analyst = make_user(Role.ANALYST)
    client = signed_in_client(analyst)
    make_link(owner=owner)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    make_link(owner=owner)
    make_link(owner=owner)
    with CaptureQueriesContext(connection) as three:
        assert client.get(URL).content.decode().count('data-testid="link-pair"') == 3
    assert len(three) == len(one)


def test_the_queue_is_in_spanish_for_a_spanish_speaking_analyst():
    make_link()
    client = signed_in_client(make_user(Role.ANALYST))
    client.cookies["django_language"] = "es"
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Personas que podrían ser la misma" in html
    assert "Fecha de nacimiento o edad" in html
    assert "Misma persona" in html
    for english in ("Run matching now", "Given name", "Match probability", "Same person"):
        assert english not in html
