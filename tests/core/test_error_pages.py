"""Error pages (403, 404, 500, a refused form) in Puente's own layout, in both languages,
with a way on: home, search, and — for a restricted case the reader could open by breaking
the glass — the break-glass form. Tests run with DEBUG off, as production does."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils import translation

from puente.accounts.roles import ROLE_PERMISSIONS, Role
from puente.cases import domain as cases
from puente.cases.access import CaseRefused, check_case_access
from puente.cases.models import BreakGlass
from puente.core import views
from puente.core.permissions import Perm
from puente.urls import urlpatterns as puente_urlpatterns
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("something broke mid-call")


def _fine(request):
    return HttpResponse("ok")


# This module doubles as the URL configuration of the 500 tests: Puente's pages plus one
# that fails, with Puente's handlers (Django reads handler500 from the ROOT_URLCONF).
urlpatterns = [path("boom/", _boom), path("fine/", _fine), *puente_urlpatterns]
handler403 = "puente.core.views.permission_denied"
handler404 = "puente.core.views.page_not_found"
handler500 = "puente.core.views.server_error"


def _in(language: str, client: Client) -> Client:
    """The interface language as the language switch sets it."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def case_reader(monkeypatch):
    """Someone who reads case files, changes nothing and may not break the glass. No role
    Puente ships is that since analysts work from counts (issue 14), but a hotline may
    define one, and a refusal must still tell it the right thing."""
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.ANALYST, frozenset({Perm.CASE_VIEW}))
    return make_user(Role.ANALYST)


@pytest.fixture
def restricted_case():
    owner = make_user(Role.SUPERVISOR)
    case = make_case(created_by=owner, title="Kitchen workers")
    cases.restrict_case(case=case, by=owner)
    case.refresh_from_db()
    return case


# --- 403 ------------------------------------------------------------------------------


def test_403_is_in_the_layout_with_navigation_and_says_what_to_do():
    analyst = make_user(Role.ANALYST)
    page = signed_in_client(analyst).get("/audit/")
    html = page.content.decode()
    assert page.status_code == 403
    assert 'data-testid="error-403"' in html
    assert "You may not open this page" in html
    assert "ask your supervisor or an administrator" in html
    assert 'class="topbar"' in html and 'aria-label="Main"' in html  # the app's own header
    assert 'href="/insights/dashboards/"' in html  # the analyst's navigation is there
    assert 'data-testid="break-glass-offer"' not in html


def test_403_in_spanish():
    analyst = make_user(Role.ANALYST)
    page = _in("es", signed_in_client(analyst)).get("/audit/")
    html = page.content.decode()
    assert page.status_code == 403
    assert '<html lang="es">' in html
    assert "No tiene permiso para abrir esta página" in html
    assert "Volver al inicio" in html
    assert "You may not open this page" not in html


def test_403_shows_the_reason_a_refusal_carries(case_reader):
    advocate = make_user(Role.ADVOCATE)
    owner = make_user(Role.ADVOCATE)
    case = make_case(created_by=owner)
    with pytest.raises(CaseRefused) as refused:
        check_case_access(user=case_reader, case=case, edit=True)
    request = RequestFactory().get(f"/cases/{case.reference}/edit/")
    request.user = advocate
    with translation.override("en"):
        html = views.permission_denied(request, refused.value).content.decode()
    assert "You may read this case but not change it." in html
    assert 'data-testid="break-glass-offer"' not in html  # they can already open it


def test_a_restricted_case_refusal_carries_its_break_glass_offer_only_to_who_may_break_it(
    restricted_case,
):
    advocate = make_user(Role.ADVOCATE)  # holds case.break_glass
    analyst = make_user(Role.ANALYST)  # may not break the glass
    with pytest.raises(CaseRefused) as advocate_refused:
        check_case_access(user=advocate, case=restricted_case)
    with pytest.raises(CaseRefused) as analyst_refused:
        check_case_access(user=analyst, case=restricted_case)
    assert advocate_refused.value.break_glass_reference == restricted_case.reference
    assert analyst_refused.value.break_glass_reference is None


@pytest.mark.parametrize(
    ("language", "heading", "button"),
    [
        ("en", "This case is restricted", "Open the restricted case"),
        ("es", "Este caso es restringido", None),
    ],
)
def test_403_for_a_restricted_case_offers_to_break_the_glass(
    settings, restricted_case, language, heading, button
):
    # Without the restricted-case middleware (which shows its own notice first), the
    # refusal reaches the 403 page itself: it still offers the way in.
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "puente.cases.middleware.RestrictedCaseMiddleware"
    ]
    advocate = make_user(Role.ADVOCATE)
    client = _in(language, signed_in_client(advocate))
    page = client.get(f"/cases/{restricted_case.reference}/")
    html = page.content.decode()
    assert page.status_code == 403
    assert heading in html
    offer = html.split('data-testid="break-glass-offer"')[1].split("</form>")[0]
    assert f'action="/cases/{restricted_case.reference}/break-glass/"' in html
    assert 'name="reason"' in offer and 'name="csrfmiddlewaretoken"' in offer
    if button:
        assert button in offer
    else:
        with translation.override("es"):
            assert translation.gettext("Open the restricted case") in offer
            assert translation.gettext("Open the restricted case") != "Open the restricted case"

    # The offer works: posting a reason opens the case for this shift.
    opened = client.post(
        f"/cases/{restricted_case.reference}/break-glass/",
        {"reason": "Caller is in danger right now and names this case."},
    )
    assert opened.status_code == 302
    assert BreakGlass.objects.filter(user=advocate, case=restricted_case).exists()


def test_403_without_break_glass_permission_offers_none(settings, restricted_case, case_reader):
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "puente.cases.middleware.RestrictedCaseMiddleware"
    ]
    html = signed_in_client(case_reader).get(f"/cases/{restricted_case.reference}/")
    assert html.status_code == 403
    assert 'data-testid="break-glass-offer"' not in html.content.decode()
    assert "This case is restricted: you are not named on it." in html.content.decode()


# --- 404 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading", "search_label"),
    [
        ("en", "We could not find this page", "Search for a case, a contact or a phone number"),
        ("es", "No encontramos esta página", "Busque un caso, un contacto o un número de teléfono"),
    ],
)
def test_404_is_in_the_layout_and_offers_search(language, heading, search_label):
    page = _in(language, signed_in_client(make_user(Role.ADVOCATE))).get("/cases/US-1999-000001/")
    html = page.content.decode()
    assert page.status_code == 404
    assert f'<html lang="{language}">' in html
    assert heading in html and search_label in html
    assert 'action="/search/"' in html
    assert 'class="topbar"' in html


def test_404_for_someone_not_signed_in_has_no_staff_navigation():
    page = Client().get("/no-such-page/")
    html = page.content.decode()
    assert page.status_code == 404
    assert "We could not find this page" in html
    assert 'aria-label="Main"' not in html and 'action="/search/"' not in html


# --- A form refused for its security token ----------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "The form could not be sent"), ("es", "No se pudo enviar el formulario")],
)
def test_a_form_without_its_token_explains_itself(language, heading):
    client = _in(language, Client(enforce_csrf_checks=True))
    page = client.post("/accounts/login/", {"username": "ana", "password": "x"})
    html = page.content.decode()
    assert page.status_code == 403
    assert 'data-testid="error-csrf"' in html and heading in html
    assert 'class="topbar"' in html


# --- 500 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Something went wrong on our side"), ("es", "Algo falló de nuestro lado")],
)
def test_500_page_is_styled_and_translated(settings, language, heading):
    settings.ROOT_URLCONF = __name__
    client = _in(language, Client(raise_request_exception=False))
    page = client.get("/boom/")
    html = page.content.decode()
    assert page.status_code == 500
    assert f'<html lang="{language}">' in html
    assert heading in html
    assert 'href="/static/puente/puente.css"' in html
    assert f'href="{reverse("core:home")}"' in html  # back to the staff workspace
    assert "something broke mid-call" not in html  # no internals on the page


def test_500_page_needs_neither_the_database_nor_the_context_processors(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": ["tests.core.test_error_pages.broken_context_processor"],
            },
        }
    ]
    request = RequestFactory().get("/anything/")  # no user, no session
    with translation.override("en"), _database_down():
        page = views.server_error(request)
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.content.decode()


def broken_context_processor(request):
    raise RuntimeError("a context processor failed")


class _database_down:
    """Any query while this is active fails, as it would with the database gone."""

    def __enter__(self):
        def refuse(execute, sql, params, many, context):
            raise AssertionError(f"the 500 page queried the database: {sql}")

        self._wrapper = connection.execute_wrapper(refuse)
        self._wrapper.__enter__()

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
