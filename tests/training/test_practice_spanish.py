"""Practice calls read in Spanish on the Spanish line: the checker of the Spanish walk
(tests/core/test_spanish_everywhere.py) over the scenario list, every turn of every
scenario's console along its ideal route, a sandbox screen with its banner, and each
result page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from puente.accounts.roles import Role
from puente.training import practice, scenarios
from puente.training import practice_engine as engine
from puente.training.models.practice import PracticeCall
from tests.conftest import signed_in_client
from tests.core.test_spanish_everywhere import VisibleText, _codes, _written_by_people, problems_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(databases=["default", "practice"])


@pytest.fixture
def spanish_trainee(settings):
    settings.PUENTE_COUNTRY = "MX"
    settings.LANGUAGE_CODE = "es"
    settings.TIME_ZONE = "America/Mexico_City"
    trainee = make_user(Role.TRAINEE, first_name="Diego", last_name="Morales", language="es")
    client = signed_in_client(trainee)
    client.cookies["puente_language"] = "es"
    return trainee, client


def read(client, url: str) -> list[str]:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert response.status_code == 200, url
    return problems_in(
        VisibleText.of(response.content.decode()), data=_written_by_people(), codes=_codes()
    )


@pytest.mark.parametrize("slug", [s.slug for s in scenarios.all_scenarios()])
def test_every_turn_of_a_practice_call_reads_in_spanish(spanish_trainee, slug):
    trainee, client = spanish_trainee
    report = {}
    report["list"] = read(client, reverse("training:practice"))
    client.post(reverse("training:practice_start", args=[slug]))
    call = PracticeCall.objects.get(trainee=trainee, status="in_progress")
    scenario = scenarios.get(slug)
    console = reverse("training:practice_call", args=[call.pk])
    for _turn in range(len(scenario.nodes) + 1):
        call.refresh_from_db()
        report[call.node] = read(client, console)
        kind = engine.turn(scenario, call.node, "es").kind
        if kind == "say":
            practice.say(call, at=call.node, choice=scenario.ideal.choices[call.node])
        elif kind == "record":
            # The screen the step sends the trainee to, in the sandbox, with its banner.
            report[f"{call.node} (intake)"] = read(client, reverse("intake:new"))
            practice.carry_on(call, at=call.node)
        else:
            client.post(reverse("training:practice_finish", args=[call.pk]), {"at": call.node})
            break
    call.refresh_from_db()
    assert call.status == "completed"
    report["result"] = read(client, reverse("training:practice_result", args=[call.pk]))
    assert not {where: found for where, found in report.items() if found}
