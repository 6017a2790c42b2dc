"""Practice progress: each person's practice calls counted, scenarios required before live
calls (audited), the gate that holds live calls back until they are passed — on the
intake form, the API, the screen-pop and text conversations, saying why in both
languages — the supervisor's pages, the trainee's own page and the home page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from puente.accounts import gates
from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.audit.labels import label_entries
from puente.audit.models import AuditEntry
from puente.channels import domain as channels
from puente.channels import events, live
from puente.channels.models import Conversation
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.intake.domain import record_inbound_contact
from puente.training import progress, scenarios
from puente.training.models.practice import PracticeCall, PracticeRequirement, PracticeStatus
from puente.training.quality_forms import SampleForm
from tests.conftest import signed_in_client
from tests.core.test_spanish_everywhere import VisibleText, _codes, _written_by_people, problems_in
from tests.factories import make_case, make_practice_call, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def curriculum():
    """Two scenarios of the shipped curriculum, whatever their names."""
    offered = scenarios.all_scenarios()
    assert len(offered) >= 2
    return offered[0], offered[1]


@pytest.fixture
def team():
    return {
        "supervisor": make_user(Role.SUPERVISOR, first_name="Sara", last_name="Ruiz"),
        "ana": make_user(Role.ADVOCATE, first_name="Ana", last_name="López"),
        "tomas": make_user(Role.TRAINEE, first_name="Tomás", last_name="Vega"),
    }


def _call(person, slug, *, score=None, passed=None, ended_at=None, status=PracticeStatus.COMPLETED):
    """A practice call as the console leaves it (started a few minutes before it ended)."""
    ended_at = ended_at or timezone.now()
    call = make_practice_call(
        trainee=person,
        scenario=slug,
        status=status,
        ended_at=ended_at if status != PracticeStatus.IN_PROGRESS else None,
        score=score,
        passed=passed,
    )
    PracticeCall.objects.filter(pk=call.pk).update(started_at=ended_at - timedelta(minutes=7))
    call.refresh_from_db()
    return call


def _fresh(user) -> User:
    """The person as the next request loads them (the gate's answer is kept per instance)."""
    return User.objects.get(pk=user.pk)


def _require(team, person, *slugs):
    return progress.require_scenarios(
        people=[person], scenario_slugs=list(slugs), by=team["supervisor"]
    )


# --- The gate ---------------------------------------------------------------------------


def test_a_required_scenario_holds_back_live_calls_until_it_is_passed(team, curriculum):
    ana, first = team["ana"], curriculum[0]
    assert _fresh(ana).can(Perm.CONTACT_CREATE)
    (requirement,) = _require(team, ana, first.slug)

    held = _fresh(ana)
    assert not held.can(Perm.CONTACT_CREATE) and not held.can(Perm.CONTACT_EDIT)
    # Only live calls: her cases, the phone lookup, practice itself stay hers.
    assert held.can(Perm.CASE_VIEW) and held.can(Perm.PHONE_LOOKUP) and held.can(Perm.PRACTICE_TAKE)

    _call(
        ana,
        first.slug,
        score=40,
        passed=False,
        ended_at=requirement.created_at + timedelta(minutes=1),
    )
    _call(
        ana,
        first.slug,
        status=PracticeStatus.ABANDONED,
        ended_at=requirement.created_at + timedelta(minutes=2),
    )
    assert not _fresh(ana).can(Perm.CONTACT_CREATE)

    _call(
        ana,
        first.slug,
        score=90,
        passed=True,
        ended_at=requirement.created_at + timedelta(minutes=3),
    )
    assert _fresh(ana).can(Perm.CONTACT_CREATE) and _fresh(ana).can(Perm.CONTACT_EDIT)


def test_a_pass_from_before_the_requirement_does_not_count(team, curriculum):
    """A supervisor sends an advocate back to practise a scenario passed long ago."""
    ana, (first, second) = team["ana"], curriculum
    _call(ana, first.slug, score=95, passed=True, ended_at=timezone.now() - timedelta(days=200))
    (requirement,) = _require(team, ana, first.slug)
    # A pass on another scenario does not count either.
    _call(
        ana,
        second.slug,
        score=95,
        passed=True,
        ended_at=requirement.created_at + timedelta(minutes=1),
    )
    assert not _fresh(ana).can(Perm.CONTACT_CREATE)
    assert [r.scenario for r in progress.outstanding_requirements(person=ana)] == [first.slug]


def test_the_gate_costs_one_query_per_person_and_none_for_other_permissions(team, curriculum):
    _require(team, team["ana"], curriculum[0].slug)
    ana, tomas = _fresh(team["ana"]), _fresh(team["tomas"])
    with CaptureQueriesContext(connection) as queries:
        # Permissions the gate never holds back, and a trainee (whose role gives no live
        # calls), never reach the database.
        assert ana.can(Perm.CASE_VIEW) and ana.can(Perm.SEARCH)
        assert not tomas.can(Perm.CONTACT_CREATE)
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert not ana.can(Perm.CONTACT_CREATE) and not ana.can(Perm.CONTACT_EDIT)
    assert len(queries) == 1


def test_the_sandbox_is_not_gated(team, curriculum, monkeypatch):
    """In a practice call the trainee acts as an advocate on practice data: recording the
    practice contact is what they must be able to do."""
    _require(team, team["ana"], curriculum[0].slug)
    monkeypatch.setattr(progress.sandbox, "active", lambda: True)
    assert _fresh(team["ana"]).can(Perm.CONTACT_CREATE)


def test_the_refusal_names_the_practice_calls_to_pass_in_both_languages(team, curriculum):
    first, second = curriculum
    _require(team, team["ana"], first.slug, second.slug)
    client = signed_in_client(team["ana"])

    page = client.get(reverse("intake:new"))
    assert page.status_code == 403
    reason = page.content.decode().split('data-testid="refusal-reason">')[1].split("</p>")[0]
    assert reason.startswith("Pass these practice calls first: ")
    assert first.title("en") in reason and second.title("en") in reason
    # Not "your role does not give access": it does, once the practice is passed.
    assert "Your role does not give access" not in page.content.decode()

    client.cookies["puente_language"] = "es"
    page = client.get(reverse("intake:new"), HTTP_ACCEPT_LANGUAGE="es-MX")
    reason = page.content.decode().split('data-testid="refusal-reason">')[1].split("</p>")[0]
    assert reason.startswith("Primero apruebe estas llamadas de práctica: ")
    assert first.title("es") in reason
    # The refusal is in the trail like any other.
    assert AuditEntry.objects.filter(
        action="access_denied", actor=team["ana"], reason="needs contact.create"
    ).exists()


def test_the_api_refuses_a_new_contact_with_the_same_reason(team, curriculum):
    _require(team, team["ana"], curriculum[0].slug)
    response = signed_in_client(team["ana"]).post(
        "/api/v1/contacts",
        data={"channel": "phone", "reason": "tip"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == (
        f"Pass this practice call first: {curriculum[0].title('en')}. "
        "A supervisor requires it before you take live calls."
    )


def test_no_screen_pop_and_no_conversation_for_someone_held_back(team, curriculum):
    ana = team["ana"]
    ringing = record_inbound_contact(channel=c.Channel.PHONE, via="test", phone="+17135550142")
    event = events.Event(kind=events.CALL_WAITING, payload=channels.screen_pop(ringing))
    assert live.StaffReader(user=_fresh(ana), seconds_left=60).sees(event)["pop"] is True

    _require(team, ana, curriculum[0].slug)
    assert live.StaffReader(user=_fresh(ana), seconds_left=60).sees(event)["pop"] is False
    client = signed_in_client(ana)
    assert client.get(reverse("channels:call_pop", args=[ringing.pk])).status_code == 403

    thread = Conversation.objects.create(
        channel=c.Channel.SMS,
        address="+17135550100",
        hotline_address="233733",
        contact=record_inbound_contact(channel=c.Channel.SMS, via="test", phone="+17135550100"),
        opened_at=timezone.now(),
        last_message_at=timezone.now(),
    )
    with pytest.raises(PermissionDenied):
        channels.claim_thread(thread=thread, by=_fresh(ana))
    refused = client.post(reverse("channels:thread_action", args=[thread.pk, "claim"]))
    assert (
        refused.status_code == 403 and "Pass this practice call first" in refused.content.decode()
    )
    thread.refresh_from_db()
    assert thread.claimed_by is None


def test_a_trainee_given_the_advocate_role_waits_for_what_is_outstanding(team, curriculum):
    tomas = team["tomas"]
    _require(team, tomas, curriculum[0].slug)
    User.objects.filter(pk=tomas.pk).update(role=Role.ADVOCATE)
    promoted = _fresh(tomas)
    assert promoted.can(Perm.CASE_VIEW) and not promoted.can(Perm.CONTACT_CREATE)
    assert "Pass this practice call first" in promoted.why_not(Perm.CONTACT_CREATE)
    assert promoted.why_not(Perm.CASE_VIEW) == ""


def test_a_scenario_no_longer_offered_stays_required_until_dropped(team):
    ana = team["ana"]
    PracticeRequirement.objects.create(
        person=ana, scenario="retired-scenario", required_by=team["supervisor"]
    )
    held = _fresh(ana)
    assert not held.can(Perm.CONTACT_CREATE)
    assert "A scenario no longer offered" in held.why_not(Perm.CONTACT_CREATE)
    assert "retired-scenario" not in held.why_not(Perm.CONTACT_CREATE)
    progress.drop_requirement(person=ana, scenario_slug="retired-scenario", by=team["supervisor"])
    assert _fresh(ana).can(Perm.CONTACT_CREATE)


# --- Requiring and dropping -----------------------------------------------------------


def test_requiring_is_audited_once_and_dropping_too(team, curriculum):
    first, second = curriculum
    supervisor, ana, tomas = team["supervisor"], team["ana"], team["tomas"]
    added = progress.require_scenarios(
        people=[ana, tomas], scenario_slugs=[first.slug, second.slug], by=supervisor
    )
    assert len(added) == 4
    # Already required: kept as it was, not required twice nor audited again.
    assert (
        progress.require_scenarios(people=[ana], scenario_slugs=[first.slug], by=supervisor) == []
    )
    entries = AuditEntry.objects.filter(object_type="practicerequirement", action="create")
    assert entries.count() == 4
    mine = entries.get(object_ref=ana.username, object_id=str(added[0].pk))
    assert mine.actor == supervisor
    assert mine.changes == [
        {"field": "person", "new": ana.pk},
        {"field": "scenario", "new": first.slug},
    ]
    # Read back in words: the person by name, the scenario by its title.
    (shown,) = label_entries([mine])
    assert [(ch.field, ch.new) for ch in shown.shown_changes] == [
        ("Person", "Ana López"),
        ("Practice scenario", first.title("en")),
    ]

    assert progress.drop_requirement(person=ana, scenario_slug=first.slug, by=supervisor)
    assert not progress.drop_requirement(person=ana, scenario_slug=first.slug, by=supervisor)
    dropped = AuditEntry.objects.get(object_type="practicerequirement", action="delete")
    assert dropped.object_ref == ana.username
    assert {"field": "scenario", "old": first.slug, "new": None} in dropped.changes
    assert set(
        PracticeRequirement.objects.filter(person=ana).values_list("scenario", flat=True)
    ) == {second.slug}


def test_only_supervisors_require_and_only_of_people_who_practise(team, curriculum):
    slug = curriculum[0].slug
    with pytest.raises(PermissionDenied):
        progress.require_scenarios(people=[team["tomas"]], scenario_slugs=[slug], by=team["ana"])
    with pytest.raises(PermissionDenied):
        progress.drop_requirement(person=team["tomas"], scenario_slug=slug, by=team["ana"])
    analyst = make_user(Role.ANALYST, first_name="Alba", last_name="Mora")
    with pytest.raises(ValidationError, match="Alba Mora does not take practice calls"):
        _require(team, analyst, slug)
    with pytest.raises(ValidationError, match="not offered"):
        _require(team, team["tomas"], "no-such-scenario")
    with pytest.raises(ValidationError, match="at least one scenario"):
        _require(team, team["tomas"])
    assert not PracticeRequirement.objects.exists()


# --- Progress -------------------------------------------------------------------------


def test_progress_counts_scenarios_scores_and_what_is_outstanding(team, curriculum):
    first, second = curriculum
    tomas = team["tomas"]
    now = timezone.now()
    _call(tomas, first.slug, score=55, passed=False, ended_at=now - timedelta(days=3))
    _call(tomas, first.slug, score=85, passed=True, ended_at=now - timedelta(days=2))
    _call(tomas, second.slug, score=62, passed=False, ended_at=now - timedelta(days=1))
    last = _call(
        tomas, second.slug, status=PracticeStatus.ABANDONED, ended_at=now - timedelta(hours=1)
    )
    _require(team, tomas, second.slug)

    (shown,) = progress.progress_of([tomas])
    assert (shown.attempted, shown.passed) == (2, 1)
    assert (shown.best_score, shown.latest_score) == (85, 62)
    assert shown.last_practice == last.started_at
    assert [r.scenario for r in shown.outstanding] == [second.slug]
    assert shown.live_calls == progress.LiveCalls.HELD

    (nobody,) = progress.progress_of([team["ana"]])
    assert (nobody.attempted, nobody.passed, nobody.best_score, nobody.last_practice) == (
        0,
        0,
        None,
        None,
    )
    assert nobody.live_calls == progress.LiveCalls.CLEARED


def test_the_team_lists_trainees_first_and_filters(team, curriculum):
    make_user(Role.ANALYST)  # does not practise
    rows = progress.team_progress()
    assert [r.person for r in rows] == [team["tomas"], team["ana"], team["supervisor"]]
    assert [r.person for r in progress.team_progress(role=Role.ADVOCATE)] == [team["ana"]]
    _require(team, team["ana"], curriculum[0].slug)
    assert [r.person for r in progress.team_progress(outstanding_only=True)] == [team["ana"]]


# --- Pages ----------------------------------------------------------------------------


def test_the_team_page_shows_each_persons_progress(team, curriculum):
    first = curriculum[0]
    _call(team["tomas"], first.slug, score=88, passed=True)
    _require(team, team["ana"], first.slug)
    html = (
        signed_in_client(team["supervisor"]).get(reverse("training:practice_team")).content.decode()
    )
    assert html.index("Tomás Vega") < html.index("Ana López")
    tomas_row = html.split(f'data-testid="progress-{team["tomas"].pk}"')[1].split("</tr>")[0]
    assert "88 %" in tomas_row and "Trainee: no practice required yet" in tomas_row
    ana_row = html.split(f'data-testid="progress-{team["ana"].pk}"')[1].split("</tr>")[0]
    assert "Not yet: practice calls to pass" in ana_row
    assert ana_row.split('data-testid="outstanding">')[1].startswith("1<")


def test_requiring_scenarios_of_several_people_at_once(team, curriculum):
    first, second = curriculum
    other = make_user(Role.TRAINEE)
    client = signed_in_client(team["supervisor"])
    url = reverse("training:practice_team") + "?role=trainee"
    response = client.post(
        url, {"people": [team["tomas"].pk, other.pk], "scenarios": [first.slug, second.slug]}
    )
    assert response.status_code == 302 and response["Location"] == url
    assert PracticeRequirement.objects.filter(required_by=team["supervisor"]).count() == 4
    refused = client.post(url, {"scenarios": [first.slug]})
    assert refused.status_code == 400 and "Choose at least one person." in refused.content.decode()


def test_the_team_page_costs_the_same_queries_for_one_or_three_people(team, curriculum):
    client = signed_in_client(team["supervisor"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("training:practice_team")).status_code == 200
        return len(queries)

    def add_person():
        someone = make_user(Role.TRAINEE)
        _call(someone, curriculum[0].slug, score=70, passed=True)
        _require(team, someone, curriculum[1].slug)

    add_person()
    one = count()
    add_person()
    add_person()
    assert count() == one


def test_the_person_page_lists_every_call_and_requires_and_drops(team, curriculum):
    first, second = curriculum
    tomas = team["tomas"]
    failed = _call(tomas, first.slug, score=45, passed=False)
    client = signed_in_client(team["supervisor"])
    url = reverse("training:practice_person", args=[tomas.pk])
    html = client.get(url).content.decode()
    row = html.split(f'data-testid="call-{failed.pk}"')[1].split("</tr>")[0]
    assert first.title("en") in row and "45 %" in row and "Not passed" in row

    assert client.post(url, {"action": "require", "scenarios": [second.slug]}).status_code == 302
    html = client.get(url).content.decode()
    required = html.split(f'data-testid="scenario-{second.slug}"')[1].split("</tr>")[0]
    assert "To pass" in required and "required by Sara Ruiz on " in required

    assert client.post(url, {"action": "drop", "scenario": second.slug}).status_code == 302
    assert not PracticeRequirement.objects.filter(person=tomas).exists()
    # Someone who does not practise has no page here.
    analyst = make_user(Role.ANALYST)
    assert client.get(reverse("training:practice_person", args=[analyst.pk])).status_code == 404


def test_my_practice_shows_only_my_own_calls(team, curriculum):
    first = curriculum[0]
    mine = _call(team["tomas"], first.slug, score=77, passed=True)
    theirs = _call(team["ana"], first.slug, score=33, passed=False)
    _require(team, team["tomas"], curriculum[1].slug)
    html = signed_in_client(team["tomas"]).get(reverse("training:my_practice")).content.decode()
    assert f'data-testid="call-{mine.pk}"' in html and f'data-testid="call-{theirs.pk}"' not in html
    assert "A supervisor requires this practice call before you take live calls." in html
    assert "No longer require" not in html


@pytest.mark.parametrize("name", ["training:practice_team", "training:practice_person"])
def test_progress_pages_are_for_supervisors(team, name):
    args = [team["tomas"].pk] if name.endswith("person") else []
    url = reverse(name, args=args)
    assert signed_in_client(team["supervisor"]).get(url).status_code == 200
    assert signed_in_client(team["ana"]).get(url).status_code == 403
    assert signed_in_client(team["tomas"]).get(url).status_code == 403
    assert "/accounts/login/" in Client().get(url)["Location"]


def test_my_practice_is_for_those_who_practise(team):
    url = reverse("training:my_practice")
    assert signed_in_client(team["tomas"]).get(url).status_code == 200
    assert signed_in_client(team["ana"]).get(url).status_code == 200
    assert signed_in_client(make_user(Role.ANALYST)).get(url).status_code == 403
    assert "/accounts/login/" in Client().get(url)["Location"]


# --- Home -----------------------------------------------------------------------------


def _home(user) -> str:
    response = signed_in_client(user).get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_home_shows_a_trainee_what_to_pass_and_the_latest_results(team, curriculum):
    first, second = curriculum
    _call(team["tomas"], first.slug, score=64, passed=False)
    _require(team, team["tomas"], second.slug)
    html = _home(team["tomas"])
    outstanding = html.split('data-testid="home-practice-outstanding"')[1].split("</ul>")[0]
    assert second.title("en") in outstanding and "required by Sara Ruiz" in outstanding
    recent = html.split('data-testid="home-practice-recent"')[1].split("</ul>")[0]
    assert first.title("en") in recent and "64 %" in recent


def test_home_shows_an_advocate_the_practice_section_only_when_held_back(team, curriculum):
    assert 'data-testid="home-practice"' not in _home(team["ana"])
    _require(team, team["ana"], curriculum[0].slug)
    html = _home(team["ana"])
    assert "Pass these before you take live calls again:" in html
    # No "take a new contact" button while held back.
    assert "Take a new contact" not in html


def test_an_advocate_held_back_keeps_her_own_cases_on_her_home_page(team, curriculum):
    mine = make_case(created_by=team["ana"], title="Her own case")
    theirs = make_case(created_by=make_user(Role.ADVOCATE), title="A colleague's case")
    _require(team, team["ana"], curriculum[0].slug)
    html = _home(team["ana"])
    assert 'data-testid="open-cases"' not in html
    assert mine.reference in html.split('data-testid="my-cases"')[1].split("</section>")[0]
    assert theirs.reference not in html


def test_a_supervisors_home_counts_who_has_practice_to_pass(team, curriculum):
    assert "Nobody has required practice calls to pass." in _home(team["supervisor"])
    _require(team, team["ana"], curriculum[0].slug)
    _require(team, team["tomas"], curriculum[0].slug)
    assert "2 people have required practice calls to pass before live calls." in _home(
        team["supervisor"]
    )


# --- Spanish --------------------------------------------------------------------------


def test_the_progress_pages_read_in_spanish_with_mexican_dates(settings, team, curriculum):
    settings.PUENTE_COUNTRY = "MX"
    settings.LANGUAGE_CODE = "es"
    settings.TIME_ZONE = "America/Mexico_City"
    first, second = curriculum
    for user in team.values():
        User.objects.filter(pk=user.pk).update(language="es")
    afternoon = timezone.now().replace(hour=21, minute=5)  # 15:05 in Mexico City (UTC-6)
    _call(
        team["tomas"], first.slug, score=81, passed=True, ended_at=afternoon + timedelta(minutes=7)
    )
    _call(team["tomas"], second.slug, score=20, passed=False)
    _require(team, team["tomas"], second.slug)
    _require(team, team["ana"], second.slug)
    pages = {
        "supervisor": [
            reverse("training:practice_team"),
            reverse("training:practice_team") + "?role=trainee&outstanding=on",
            reverse("training:practice_person", args=[team["tomas"].pk]),
            reverse("core:home"),
        ],
        "tomas": [reverse("training:my_practice"), reverse("core:home")],
        "ana": [reverse("training:my_practice"), reverse("core:home")],
    }
    data = _written_by_people() + [s.title("es") for s in scenarios.all_scenarios()]
    codes = _codes()
    report = {}
    for who, urls in pages.items():
        client = signed_in_client(team[who])
        client.cookies["puente_language"] = "es"
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
            assert response.status_code == 200, (who, url)
            found = problems_in(VisibleText.of(response.content.decode()), data=data, codes=codes)
            if found:
                report[f"{url} [{who}]"] = found
    assert not report, report
    html = signed_in_client(team["tomas"]).get(reverse("training:my_practice")).content.decode()
    assert "15:05" in html and "PM" not in html


def test_a_conversation_is_not_handed_to_someone_held_back(team, curriculum):
    """The thread page lists who may take a conversation over: one gate query for all."""
    beto = make_user(Role.ADVOCATE, first_name="Beto", last_name="Díaz")
    thread = Conversation.objects.create(
        channel=c.Channel.SMS,
        address="+17135550101",
        hotline_address="233733",
        contact=record_inbound_contact(channel=c.Channel.SMS, via="test", phone="+17135550101"),
        opened_at=timezone.now(),
        last_message_at=timezone.now(),
    )
    channels.claim_thread(thread=thread, by=beto)
    client = signed_in_client(team["supervisor"])
    url = reverse("channels:thread", args=[thread.pk])
    transfer_to = (
        client.get(url).content.decode().split('id="transfer-to"')[1].split("</select>")[0]
    )
    assert "Ana López" in transfer_to
    _require(team, team["ana"], curriculum[0].slug)
    transfer_to = (
        client.get(url).content.decode().split('id="transfer-to"')[1].split("</select>")[0]
    )
    assert "Ana López" not in transfer_to and "Sara Ruiz" not in transfer_to
    staff = list(User.objects.all())
    with CaptureQueriesContext(connection) as queries:
        gates.prime(staff)
        assert [u.can(Perm.CONTACT_EDIT) for u in staff if u.role == Role.ADVOCATE] == [
            u != team["ana"] for u in staff if u.role == Role.ADVOCATE
        ]
    assert len(queries) == 1


def test_an_advocate_held_back_can_still_be_sampled_for_quality_review(team, curriculum):
    _require(team, team["ana"], curriculum[0].slug)
    form = SampleForm(reviewer=team["supervisor"])
    assert "Ana López" in [name for _pk, name in form.fields["advocate"].choices]
