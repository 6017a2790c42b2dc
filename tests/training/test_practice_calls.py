"""A practice call from the console: the trainee answers the caller, records the call in
the real intake screen (working on the sandbox), and is scored on what they said and what
they recorded; the call's progress stays in the real database for supervisors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from puente.accounts.roles import Role
from puente.intake.models import Contact
from puente.training import practice_engine as engine
from puente.training import progress, scenarios
from puente.training.middleware import SESSION_KEY
from puente.training.models.practice import PracticeCall
from tests.conftest import signed_in_client
from tests.factories import make_practice_call, make_user

pytestmark = pytest.mark.django_db(databases=["default", "practice"])

CHURCH = "church-training-request"


def take_call(client, slug: str) -> PracticeCall:
    response = client.post(reverse("training:practice_start", args=[slug]))
    assert response.status_code == 302
    return PracticeCall.objects.get(scenario=slug, status="in_progress")


def say(client, call: PracticeCall, choice: str):
    call.refresh_from_db()
    return client.post(
        reverse("training:practice_say", args=[call.pk]), {"at": call.node, "choice": choice}
    )


def record_the_training_request(client, **fields) -> None:
    """The trainee records the church's call in the intake screen (the sandbox's)."""
    response = client.post(
        reverse("intake:new"),
        {
            "channel": "phone",
            "direction": "inbound",
            "reason": "training",
            "signaler_type": "community_member",
            "language": "eng",
            "country": "US",
            "phone": "+12105550134",
            "started_at": "2026-03-01T10:15",
            "summary": "Youth pastor asks for a talk for parents.",
            **fields,
        },
    )
    assert response.status_code == 302


def carry_on(client, call):
    call.refresh_from_db()
    return client.post(reverse("training:practice_carry_on", args=[call.pk]), {"at": call.node})


def finish(client, call):
    call.refresh_from_db()
    return client.post(reverse("training:practice_finish", args=[call.pk]), {"at": call.node})


@pytest.fixture
def trainee():
    return make_user(Role.TRAINEE, username="nuevo", first_name="Sam")


def test_every_scenario_is_offered_to_a_trainee(trainee):
    page = signed_in_client(trainee).get(reverse("training:practice")).content.decode()
    for scenario in scenarios.all_scenarios():
        assert f"scenario-{scenario.slug}" in page
        assert escape(scenario.title("en")) in page


def test_a_trainee_takes_the_call_the_ideal_way_and_passes(trainee):
    client = signed_in_client(trainee)
    call = take_call(client, CHURCH)
    page = client.get(reverse("training:practice_call", args=[call.pk])).content.decode()
    scenario = scenarios.get(CHURCH)
    assert escape(engine.turn(scenario, scenario.start, "en").text) in page
    assert "+12105550134" in page  # the number to type into the intake
    for node, choice in scenario.ideal.choices.items():
        if node == "record_call":
            continue
        call.refresh_from_db()
        if call.node != node:
            continue
        assert say(client, call, choice).status_code == 302
    call.refresh_from_db()
    assert engine.turn(scenario, call.node, "en").kind == "record"
    record_the_training_request(client)
    carry_on(client, call)
    call.refresh_from_db()
    assert call.node == "end_thanks"  # no case opened: the caller thanks and goes
    response = finish(client, call)
    call.refresh_from_db()
    assert response["Location"] == reverse("training:practice_result", args=[call.pk])
    assert call.status == "completed" and call.passed and call.score == 100
    assert SESSION_KEY not in client.session
    result = client.get(response["Location"]).content.decode()
    assert 'data-testid="practice-passed"' in result
    # Each step's feedback is shown in the reader's language.
    assert escape(call.result["steps"][0]["feedback"]["en"]) in result


def test_recording_the_wrong_reason_costs_the_criterion_with_feedback(trainee):
    client = signed_in_client(trainee)
    call = take_call(client, CHURCH)
    scenario = scenarios.get(CHURCH)
    for node, choice in scenario.ideal.choices.items():
        call.refresh_from_db()
        if call.node == node:
            say(client, call, choice)
    record_the_training_request(client, reason="tip")
    carry_on(client, call)
    finish(client, call)
    call.refresh_from_db()
    reason = next(c for c in call.result["criteria"] if c["code"] == "reason")
    assert not reason["met"] and call.score < 100
    page = client.get(reverse("training:practice_result", args=[call.pk])).content.decode()
    assert escape(reason["feedback"]["en"]) in page


def test_the_caller_branches_on_what_was_recorded(trainee):
    client = signed_in_client(trainee)
    call = take_call(client, CHURCH)
    scenario = scenarios.get(CHURCH)
    for node, choice in scenario.ideal.choices.items():
        call.refresh_from_db()
        if call.node == node:
            say(client, call, choice)
    record_the_training_request(client)
    # Opening a case for a training request: the scenario's other ending.
    contact = Contact.objects.using("practice").get(taken_by=trainee.pk)
    assert client.post(reverse("intake:open_case", args=[contact.pk])).status_code == 302
    carry_on(client, call)
    call.refresh_from_db()
    assert call.node == "end_case_opened"


def test_an_answer_from_a_stale_page_takes_no_turn(trainee):
    client = signed_in_client(trainee)
    call = take_call(client, CHURCH)
    first = scenarios.get(CHURCH).ideal.choices[call.node]
    at = call.node
    client.post(reverse("training:practice_say", args=[call.pk]), {"at": at, "choice": first})
    again = client.post(
        reverse("training:practice_say", args=[call.pk]), {"at": at, "choice": first}
    )
    call.refresh_from_db()
    assert len(call.path) == 1
    assert again.status_code == 302


def test_a_choice_the_node_does_not_offer_is_refused(trainee):
    client = signed_in_client(trainee)
    call = take_call(client, CHURCH)
    client.post(
        reverse("training:practice_say", args=[call.pk]), {"at": call.node, "choice": "shout"}
    )
    call.refresh_from_db()
    assert call.path == []


def test_someone_elses_call_is_not_found(trainee):
    client = signed_in_client(trainee)
    call = take_call(client, CHURCH)
    other = signed_in_client(make_user(Role.TRAINEE))
    assert other.get(reverse("training:practice_call", args=[call.pk])).status_code == 404
    assert other.get(reverse("training:practice_result", args=[call.pk])).status_code == 404
    supervisor = signed_in_client(make_user(Role.SUPERVISOR))
    assert supervisor.get(reverse("training:practice_result", args=[call.pk])).status_code == 200


def test_starting_another_call_abandons_the_one_left_open(trainee):
    client = signed_in_client(trainee)
    first = take_call(client, CHURCH)
    second = take_call(client, "locked-in-motel")
    first.refresh_from_db()
    assert first.status == "abandoned"
    assert client.session[SESSION_KEY] == second.pk


def test_the_console_reads_in_spanish(trainee):
    client = signed_in_client(trainee)
    call = take_call(client, CHURCH)
    client.cookies["django_language"] = "es"
    page = client.get(
        reverse("training:practice_call", args=[call.pk]), HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    scenario = scenarios.get(CHURCH)
    assert escape(engine.turn(scenario, scenario.start, "es").text) in page


def test_a_supervisor_reading_a_call_still_going_is_told_so(trainee):
    call = take_call(signed_in_client(trainee), CHURCH)
    supervisor = signed_in_client(make_user(Role.SUPERVISOR))
    page = supervisor.get(reverse("training:practice_result", args=[call.pk])).content.decode()
    assert 'data-testid="practice-in-progress"' in page


def test_an_answer_to_a_finished_call_changes_nothing(trainee):
    client = signed_in_client(trainee)
    call = take_call(client, CHURCH)
    client.post(reverse("training:practice_abandon", args=[call.pk]))
    response = client.post(
        reverse("training:practice_say", args=[call.pk]), {"at": call.node, "choice": "x"}
    )
    call.refresh_from_db()
    assert response["Location"] == reverse("training:practice_result", args=[call.pk])
    assert call.status == "abandoned" and call.path == []


def test_the_list_marks_a_scenario_required_until_passed_since_it_was_required(trainee):
    supervisor = make_user(Role.SUPERVISOR)
    # Passed yesterday, before it was required.
    make_practice_call(
        trainee=trainee, scenario=CHURCH, ended_at=timezone.now() - timedelta(days=1)
    )
    progress.require_scenarios(people=[trainee], scenario_slugs=[CHURCH], by=supervisor)
    client = signed_in_client(trainee)

    def row() -> str:
        page = client.get(reverse("training:practice")).content.decode()
        return page.split(f'data-testid="scenario-{CHURCH}"')[1].split("</tr>")[0]

    assert "Required" in row()  # the gate still holds live calls back
    make_practice_call(trainee=trainee, scenario=CHURCH)
    assert "Required" not in row() and "Passed" in row()
