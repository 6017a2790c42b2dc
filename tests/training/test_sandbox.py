"""The sandbox's workings: what switches a request into it and out, what the sandbox
holds for a call, and what never leaves it without a database (events, messages, a
streamed download). The fence as a whole is tests/training/test_sandbox_fence.py."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, connections
from django.http import StreamingHttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from puente.accounts import kept
from puente.accounts.models import HeldDraft, User
from puente.accounts.roles import Role
from puente.channels import events
from puente.channels.live import _admit_staff_view
from puente.channels.providers import current_provider
from puente.core import sandbox
from puente.directory.models import Provider
from puente.intake.models import Contact, IntakeDraft
from puente.training import practice
from puente.training import sandbox as practice_sandbox
from puente.training.middleware import SESSION_KEY, PracticeMiddleware
from puente.training.models.practice import PracticeCall
from tests.conftest import signed_in_client
from tests.factories import make_contact, make_user
from tests.insights.test_report_replica import ROOT, _environment

pytestmark = pytest.mark.django_db(databases=["default", "practice"])


def first_scenario() -> str:
    return practice.scenarios.all_scenarios()[0].slug


def test_within_the_sandbox_every_alias_is_the_sandbox_and_after_it_none_is():
    real = connections["default"]
    with sandbox.use():
        assert sandbox.active()
        assert connections["default"] is connections[sandbox.ALIAS]
        assert connection.settings_dict["NAME"] == connections[sandbox.ALIAS].settings_dict["NAME"]
        with sandbox.use():  # nested: still inside
            assert sandbox.active()
        assert sandbox.active()
    assert not sandbox.active()
    assert connections["default"] is real


def test_an_error_inside_the_sandbox_still_puts_the_real_database_back():
    real = connections["default"]
    with pytest.raises(RuntimeError), sandbox.use():
        raise RuntimeError("a view failed")
    assert connections["default"] is real and not sandbox.active()


def test_rows_written_in_the_sandbox_are_only_in_the_sandbox():
    trainee = make_user(Role.TRAINEE)
    practice_sandbox.prepare(trainee)
    with sandbox.use():
        make_contact(taken_by=practice_sandbox.acting_user(trainee), summary="Practice.")
        assert Contact.objects.count() == 1
    assert Contact.objects.count() == 0
    assert Contact.objects.using(sandbox.ALIAS).count() == 1


def test_a_call_seats_the_trainee_as_an_advocate_in_the_sandbox_only():
    trainee = make_user(Role.TRAINEE, first_name="Ana")
    practice_sandbox.prepare(trainee)
    with sandbox.use():
        seat = practice_sandbox.acting_user(trainee)
    assert seat.pk == trainee.pk and seat.role == Role.ADVOCATE
    assert not seat.has_usable_password()
    assert User.objects.get(pk=trainee.pk).role == Role.TRAINEE


def test_the_sandbox_gets_the_hotlines_directory_and_keeps_it_current():
    Provider.objects.create(name="Casa Refugio", country="MX")
    gone = Provider.objects.create(name="Closed shelter", country="US")
    practice_sandbox.copy_reference_data()
    assert set(Provider.objects.using(sandbox.ALIAS).values_list("name", flat=True)) == {
        "Casa Refugio",
        "Closed shelter",
    }
    gone.delete()
    Provider.objects.filter(name="Casa Refugio").update(name="Casa Refugio Oaxaca")
    practice_sandbox.copy_reference_data()
    assert list(Provider.objects.using(sandbox.ALIAS).values_list("name", flat=True)) == [
        "Casa Refugio Oaxaca"
    ]


def test_a_new_call_clears_the_trainees_earlier_practice_work():
    trainee = make_user(Role.TRAINEE)
    other = make_user(Role.TRAINEE)
    for person in (trainee, other):
        practice_sandbox.prepare(person)
        with sandbox.use():
            make_contact(taken_by=practice_sandbox.acting_user(person), summary="Earlier.")
    practice_sandbox.prepare(trainee)
    left = Contact.objects.using(sandbox.ALIAS)
    assert list(left.values_list("taken_by", flat=True)) == [other.pk]


def test_events_published_in_the_sandbox_reach_no_one(settings, django_capture_on_commit_callbacks):
    settings.PUENTE_EVENTS_BACKEND = "memory"
    with events.subscribe() as subscription:
        with sandbox.use(), django_capture_on_commit_callbacks(execute=True, using="practice"):
            events.publish(events.CONTACT_WAITING, {"contact_id": 1})
        assert subscription.get(timeout=0.2) is None
        with django_capture_on_commit_callbacks(execute=True):
            events.publish(events.CONTACT_WAITING, {"contact_id": 2})
        received = subscription.get(timeout=2)
        assert received is not None and received.payload == {"contact_id": 2}


def test_no_message_leaves_through_the_channel_provider_during_practice(settings):
    settings.PUENTE_CHANNEL_PROVIDER = "twilio"
    assert current_provider() is not None
    with sandbox.use():
        assert current_provider() is None


def _trainee_on_a_call():
    trainee = make_user(Role.TRAINEE)
    client = signed_in_client(trainee)
    client.post(reverse("training:practice_start", args=[first_scenario()]))
    return trainee, client, PracticeCall.objects.get(trainee=trainee)


def test_on_a_call_the_hotline_screens_open_in_the_sandbox_as_an_advocate():
    trainee, client, call = _trainee_on_a_call()
    assert client.session[SESSION_KEY] == call.pk
    page = client.get(reverse("intake:new"))
    assert page.status_code == 200  # a trainee's real account may not record contacts
    assert "Practice call:" in page.content.decode()
    # The console is outside the sandbox; after the call, so is everything.
    assert "Practice call:" not in client.get(reverse("training:home")).content.decode()
    client.post(reverse("training:practice_abandon", args=[call.pk]))
    assert SESSION_KEY not in client.session
    assert client.get(reverse("intake:new")).status_code == 403


def test_the_live_stream_admits_no_one_on_a_practice_call():
    advocate = make_user(Role.ADVOCATE)
    request = RequestFactory().get("/live/staff")
    request.user = advocate
    request.session = SessionStore()
    assert _admit_staff_view(request).status_code == 200
    with sandbox.use():
        assert _admit_staff_view(request).status_code == 403


def test_a_streamed_download_is_read_in_the_sandbox_it_was_asked_in():
    trainee = make_user(Role.TRAINEE)
    practice_sandbox.prepare(trainee)
    with sandbox.use():
        make_contact(taken_by=practice_sandbox.acting_user(trainee), summary="Practice row")

    def rows():
        for contact in Contact.objects.all():
            yield contact.summary

    def view(request):
        return StreamingHttpResponse(rows())

    call = PracticeCall.objects.create(
        trainee=trainee, scenario=first_scenario(), scenario_version="x", language="en", node="x"
    )
    request = RequestFactory().get("/intake/contacts/export.csv")
    request.user = trainee
    request.session = {SESSION_KEY: call.pk}
    response = PracticeMiddleware(view)(request)
    assert b"".join(response.streaming_content) == b"Practice row"


def test_practice_typing_sent_after_the_session_timed_out_is_not_kept_as_real_work():
    trainee, client, call = _trainee_on_a_call()
    assert client.cookies[sandbox.PRACTICE_COOKIE].value == "1"
    # The session ends on its own; the browser still holds its cookies.
    timed_out = Client(enforce_csrf_checks=True)
    timed_out.get(reverse("accounts:login"))
    timed_out.cookies[kept.SIGNED_IN_COOKIE] = kept.marker_value(user_id=trainee.pk)
    timed_out.cookies[sandbox.PRACTICE_COOKIE] = "1"
    response = timed_out.post(
        reverse("intake:new"),
        {"csrfmiddlewaretoken": timed_out.cookies["csrftoken"].value, "summary": "Practice."},
        headers={"Referer": "http://testserver" + reverse("intake:new")},
    )
    assert response.status_code == 302
    assert not HeldDraft.objects.exists() and not IntakeDraft.objects.exists()
    # Signed in again with no call in progress, the marker goes.
    client.post(reverse("training:practice_abandon", args=[call.pk]))
    assert client.cookies[sandbox.PRACTICE_COOKIE].value == ""


def test_the_sandbox_and_the_hotline_can_never_share_a_database(tmp_path):
    main = f"sqlite:///{tmp_path / 'puente.sqlite3'}"
    env = _environment(DATABASE_URL=main, DJANGO_SETTINGS_MODULE="puente.settings")
    probe = "import django; django.setup(); from django.conf import settings; "
    probe += "print(settings.DATABASES['practice']['NAME'])"
    beside = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert beside.stdout.strip() == str(tmp_path / "puente-practice.sqlite3")
    same = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**env, "PUENTE_PRACTICE_DATABASE_URL": main},
        capture_output=True,
        text=True,
    )
    assert same.returncode != 0
    assert "names the hotline's own database" in same.stderr


def test_a_call_whose_sandbox_account_is_gone_runs_nothing_in_the_sandbox():
    advocate = make_user(Role.ADVOCATE)
    make_contact(taken_by=advocate, summary="A real call.")
    client = signed_in_client(advocate)
    client.post(reverse("training:practice_start", args=[first_scenario()]))
    User.objects.using(sandbox.ALIAS).filter(pk=advocate.pk).delete()
    page = client.get(reverse("intake:list")).content.decode()
    # Outside the sandbox, as the real person: their real contact, and no banner.
    assert "practice-banner" not in page
    assert Contact.objects.get().get_channel_display() in page
    assert f"/intake/contacts/{Contact.objects.get().pk}/" in page
