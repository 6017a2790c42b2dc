"""No lost typing: the idle warning's endpoints (a click renews, a GET or a background
check never does) and a form sent after the session ended, kept for its author only."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from puente.accounts import kept
from puente.accounts.models import HeldDraft
from puente.accounts.roles import Role
from puente.core.middleware import SessionActivityMiddleware
from puente.intake.models import IntakeDraft
from tests.conftest import signed_in_client
from tests.factories import PASSWORD, make_case, make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
RENEW = reverse("accounts:session_renew")
STATUS = reverse("accounts:session_status")


def _last_renewal(client) -> int:
    return int(client.session[SessionActivityMiddleware.KEY])


def _age_session(client, seconds: int) -> None:
    """Make the last renewal look `seconds` old."""
    session = client.session
    session[SessionActivityMiddleware.KEY] = int(time.time()) - seconds
    session.save()


# --- "Stay signed in" and the status check -----------------------------------------------


def test_stay_signed_in_renews_the_session_on_a_post_only(advocate_client):
    _age_session(advocate_client, 30)
    before = _last_renewal(advocate_client)
    assert advocate_client.get(RENEW).status_code == 405
    assert _last_renewal(advocate_client) == before
    response = advocate_client.post(RENEW)
    assert response.status_code == 200
    assert response.json()["signed_in"] is True
    assert _last_renewal(advocate_client) >= int(time.time()) - 1
    # The whole idle window again, stored with the session.
    key = advocate_client.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(minutes=14)


def test_stay_signed_in_needs_the_csrf_token(advocate):
    client = signed_in_client(advocate)
    client.handler.enforce_csrf_checks = True
    _age_session(client, 30)
    before = _last_renewal(client)
    assert client.post(RENEW).status_code == 403
    assert _last_renewal(client) == before


def test_stay_signed_in_without_a_session_says_so():
    response = Client().post(RENEW)
    assert response.status_code == 401 and response.json() == {"signed_in": False, "expires_in": 0}


def test_the_status_check_never_renews(advocate_client):
    _age_session(advocate_client, 120)
    before = _last_renewal(advocate_client)
    response = advocate_client.get(STATUS)
    assert response.status_code == 200
    body = response.json()
    assert body["signed_in"] is True and 15 * 60 - 125 <= body["expires_in"] <= 15 * 60 - 115
    assert _last_renewal(advocate_client) == before


def test_a_background_request_does_not_renew_but_a_page_does(advocate_client):
    _age_session(advocate_client, 120)
    before = _last_renewal(advocate_client)
    advocate_client.get(reverse("core:home"), headers={"Puente-Background": "1"})
    assert _last_renewal(advocate_client) == before
    page = advocate_client.get(reverse("core:home"))
    assert _last_renewal(advocate_client) > before
    # Each answer says how long the session has left, and the page carries it for the
    # countdown with the warning's lead.
    assert 15 * 60 - 2 <= int(page["Puente-Session-Expires-In"]) <= 15 * 60
    html = page.content.decode()
    assert 'id="session-warning"' in html and 'role="alertdialog"' in html
    assert 'data-warning-seconds="120"' in html
    assert re.search(r'data-expires-in="(89[0-9]|900)"', html)


def test_an_idle_session_is_gone_and_the_answer_says_nothing_of_it(advocate_client):
    Session.objects.all().update(expire_date=timezone.now() - timedelta(seconds=1))
    response = advocate_client.get(STATUS)
    assert response.status_code == 401
    assert "Puente-Session-Expires-In" not in response


# --- the signed-in marker ----------------------------------------------------------------


def test_the_marker_names_the_user_signed_and_is_not_a_plain_flag(advocate):
    client = Client()
    client.post(LOGIN, {"username": advocate.username, "password": PASSWORD})
    cookie = client.cookies[kept.SIGNED_IN_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    marker = kept.read_marker(cookie.value)
    assert marker is not None and marker.user_id == advocate.pk
    # Changed, made up without the key, or too old: worthless.
    assert kept.read_marker(cookie.value[:-2] + "xx") is None
    assert kept.read_marker(signing.dumps({"u": advocate.pk, "n": 0}, salt="other")) is None
    assert kept.read_marker("1") is None


def test_an_old_marker_is_refused(advocate, monkeypatch):
    value = kept.marker_value(user_id=advocate.pk)
    later = time.time() + kept.MARKER_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert kept.read_marker(value) is None


# --- a form sent after the session ended --------------------------------------------------


def _timed_out_browser(user) -> Client:
    """A browser whose session ended on its own: it still holds the CSRF cookie and the
    signed-in marker, as after the idle timeout."""
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)  # the CSRF cookie, as any page leaves it
    client.cookies[kept.SIGNED_IN_COOKIE] = kept.marker_value(user_id=user.pk)
    return client


def _token(client) -> str:
    return client.cookies["csrftoken"].value


def _next_of(response) -> str:
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def test_a_note_sent_after_the_timeout_is_kept_for_its_author(advocate, supervisor):
    case = make_case(created_by=advocate)
    page = reverse("cases:detail", kwargs={"reference": case.reference})
    action = reverse("cases:note_add", kwargs={"reference": case.reference})
    client = _timed_out_browser(advocate)
    response = client.post(
        action,
        {"csrfmiddlewaretoken": _token(client), "body": "She said the boss keeps her passport."},
        headers={"Referer": f"http://testserver{page}"},
    )
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    held = HeldDraft.objects.get()
    assert held.user == advocate and held.page == page and held.action == action
    # The typed field, without the CSRF token.
    assert held.fields == {"body": ["She said the boss keeps her passport."]}
    assert _next_of(response) == f"{page}#kept={held.pk}"
    login = client.get(response["Location"]).content.decode()
    assert "You were signed out before this was saved. What you typed is kept" in login
    # Said once, by that message, not twice with the idle notice.
    assert "without activity" not in login

    # Signed in again, the author gets it back once; nobody else ever does.
    other = signed_in_client(supervisor)
    take = reverse("accounts:held_draft_take", kwargs={"draft_id": held.pk})
    assert other.post(take).status_code == 404
    author = signed_in_client(advocate)
    assert author.get(take).status_code == 405
    body = author.post(take).json()
    assert body == {"page": page, "action": action, "fields": held.fields}
    assert author.post(take).status_code == 404
    assert not HeldDraft.objects.exists()


def test_passwords_and_secrets_are_never_kept(advocate):
    case = make_case(created_by=advocate)
    client = _timed_out_browser(advocate)
    client.post(
        reverse("cases:note_add", kwargs={"reference": case.reference}),
        {
            "csrfmiddlewaretoken": _token(client),
            "body": "typed",
            "password": "hunter2hunter2",
            "new_password1": "x",
            "api_token": "y",
        },
    )
    assert HeldDraft.objects.get().fields == {"body": ["typed"]}


def test_a_forged_form_is_refused_not_kept(advocate):
    case = make_case(created_by=advocate)
    client = _timed_out_browser(advocate)
    response = client.post(
        reverse("cases:note_add", kwargs={"reference": case.reference}), {"body": "forged"}
    )
    assert response.status_code == 403
    assert not HeldDraft.objects.exists()


def test_without_the_marker_nothing_is_kept(advocate):
    case = make_case(created_by=advocate)
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    response = client.post(
        reverse("cases:note_add", kwargs={"reference": case.reference}),
        {"csrfmiddlewaretoken": _token(client), "body": "typed"},
    )
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not HeldDraft.objects.exists()


def test_a_marker_of_a_deactivated_account_keeps_nothing(advocate):
    case = make_case(created_by=advocate)
    client = _timed_out_browser(advocate)
    advocate.is_active = False
    advocate.save()
    client.post(
        reverse("cases:note_add", kwargs={"reference": case.reference}),
        {"csrfmiddlewaretoken": _token(client), "body": "typed"},
    )
    assert not HeldDraft.objects.exists()


def test_background_requests_and_public_forms_are_not_kept(advocate):
    client = _timed_out_browser(advocate)
    # The autosave (htmx) after the timeout: refused as before, not kept.
    client.post(
        reverse("intake:draft_save"),
        {"csrfmiddlewaretoken": _token(client), "summary": "typed", "channel": "phone"},
        headers={"HX-Request": "true"},
    )
    # A page open to everyone (changing the language) is not a staff form.
    client.post(reverse("set_language"), {"csrfmiddlewaretoken": _token(client), "language": "es"})
    assert not HeldDraft.objects.exists() and not IntakeDraft.objects.exists()


def test_held_drafts_expire(advocate, settings):
    settings.PUENTE_DRAFT_HOURS = 72
    old = kept.hold_typing(user=advocate, page="/", action="/", fields={"body": ["a"]})
    fresh = kept.hold_typing(user=advocate, page="/", action="/", fields={"body": ["b"]})
    HeldDraft.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=73))
    client = signed_in_client(advocate)
    take = reverse("accounts:held_draft_take", kwargs={"draft_id": old.pk})
    assert client.post(take).status_code == 404
    assert kept.purge_expired_held_drafts() == 1
    assert list(HeldDraft.objects.all()) == [fresh]


def test_discarding_a_held_draft(advocate, supervisor):
    held = kept.hold_typing(user=advocate, page="/", action="/", fields={"body": ["a"]})
    discard = reverse("accounts:held_draft_discard", kwargs={"draft_id": held.pk})
    assert signed_in_client(supervisor).post(discard).status_code == 404
    assert signed_in_client(advocate).post(discard).json() == {"discarded": True}
    assert not HeldDraft.objects.exists()


def test_held_drafts_need_the_second_factor(advocate):
    held = kept.hold_typing(user=advocate, page="/", action="/", fields={"body": ["a"]})
    client = Client()
    client.force_login(advocate)  # past the password, not the second factor
    take = reverse("accounts:held_draft_take", kwargs={"draft_id": held.pk})
    answer = client.post(take)
    # Sent to the second factor first (MFARequiredMiddleware), the draft untouched.
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("accounts:mfa_enrol"))
    assert HeldDraft.objects.exists()


# --- the new-contact form: kept as the author's unfinished intake ---------------------------


def test_a_new_contact_sent_after_the_timeout_becomes_the_authors_draft(advocate):
    client = _timed_out_browser(advocate)
    key = "0f8fad5b-d9cb-469f-a165-70867728950e"
    response = client.post(
        reverse("intake:new"),
        {
            "csrfmiddlewaretoken": _token(client),
            "draft_key": key,
            "phone": "713 555 0142",
            "channel": "phone",
            "reason": "tip",
            "summary": "Workers locked in at night.",
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    draft = IntakeDraft.objects.get()
    assert draft.owner == advocate and str(draft.key) == key
    assert draft.data["summary"] == "Workers locked in at night."
    assert not HeldDraft.objects.exists()
    continue_at = _next_of(response)
    assert continue_at == f"{reverse('intake:new')}?draft={key}"
    # After signing in, the form opens with it.
    page = signed_in_client(advocate).get(continue_at).content.decode()
    assert "Workers locked in at night." in page


def test_signing_in_brings_the_author_back_to_the_page(advocate):
    """The whole round: password, then the page named in next, with the fragment."""
    make_user(Role.ADVOCATE, username="someone-else")
    client = Client()
    next_url = "/cases/#kept=5"
    response = client.post(
        f"{LOGIN}?next=/cases/%23kept%3D5",
        {"username": advocate.username, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    # MFA is still to come; the page and its fragment ride along.
    assert "kept%3D5" in response["Location"] or "kept=5" in response["Location"]
