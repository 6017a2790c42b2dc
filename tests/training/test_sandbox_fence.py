"""The sandbox fence: nothing a trainee records on a practice call reaches the real
hotline — not its database, and so none of its query paths (search, lists, the phone
lookup, dashboards, exports, the exchange, the audit trail, the network of cases) — and
nothing real is visible from inside a practice call.

The property is checked twice over, for any practice work hypothesis can invent:
- every row of every table of the real database is unchanged but the call's own progress
  (a digest of each table before and after), which covers every query path there is,
  present or future, since a path can only show what a table holds;
- and each query path is also asked directly, as real staff, for the marks the practice
  work carried, so a failure names the path that leaked.
The marks are seen inside the sandbox in the same test, so the fence is not vacuous.
"""

from __future__ import annotations

import hashlib

import phonenumbers
import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases import domain as cases
from puente.cases.models import Case
from puente.core import sandbox
from puente.federation import domain as exchange
from puente.federation.models import OutboxMessage, PartnerHotline
from puente.intake import domain as intake
from puente.intake.models import Contact
from puente.networks import recurrence
from puente.referrals import domain as referrals
from puente.screening import domain as screening
from puente.search.queries import search
from puente.sharing.htcds.domain import Selection, choose_cases
from puente.training import practice
from puente.training import sandbox as practice_sandbox
from puente.training.middleware import SESSION_KEY
from puente.training.models.practice import PracticeCall
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user
from tests.test_permission_matrix import PAGES, PAGES_WITHOUT_A_PERMISSION

pytestmark = pytest.mark.django_db(databases=["default", "practice"])

# Tables a practice call may change in the real database: the call's own progress, and
# the trainee's session (which holds the call's id).
MAY_CHANGE = {"training.PracticeCall", "sessions.Session"}

REAL_MARK = "Quillfeather"
REAL_PHONE = "+12025550187"


def real_database_digest() -> dict[str, str]:
    """A digest of every row of every table in the real database."""
    digests = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label in MAY_CHANGE:
            continue
        rows = model._base_manager.using("default").order_by("pk").values_list()
        digests[meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


@pytest.fixture
def real_world(db):
    """A real hotline: staff of every role, a case and a contact that carry a mark."""
    supervisor = make_user(Role.SUPERVISOR, username="real-supervisor")
    advocate = make_user(Role.ADVOCATE, username="real-advocate")
    case = make_case(created_by=advocate, title=f"{REAL_MARK} farm workers")
    make_contact(taken_by=advocate, case=case, phone=REAL_PHONE, summary=f"{REAL_MARK} called.")
    PartnerHotline.objects.create(
        name="Línea Nacional", country="MX", base_url="https://mx.example"
    )
    return {
        "supervisor": supervisor,
        "advocate": advocate,
        "analyst": make_user(Role.ANALYST, username="real-analyst"),
        "administrator": make_user(Role.ADMINISTRATOR, username="real-administrator"),
        "liaison": make_user(Role.LIAISON, username="real-liaison"),
        "trainee": make_user(Role.TRAINEE, username="trainee"),
        "case": case,
    }


def start_practice(client: Client, trainee) -> PracticeCall:
    """The trainee starts a call from the console, as on the page."""
    slug = practice.scenarios.all_scenarios()[0].slug
    response = client.post(reverse("training:practice_start", args=[slug]))
    assert response.status_code == 302
    call = PracticeCall.objects.get(trainee=trainee, status="in_progress")
    assert client.session[SESSION_KEY] == call.pk
    return call


# What a trainee may do on a call, with the words and numbers they type. Each piece of
# work carries a mark no real record holds.
marks = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=6, max_size=10).map(lambda s: "Sbx" + s)
phones = st.integers(min_value=100, max_value=199).map(lambda n: f"+1713555{n:04d}")
work = st.fixed_dictionaries(
    {
        "mark": marks,
        "phone": phones,
        "reason": st.sampled_from(["tip", "crisis", "services", "general_info"]),
        "imminent_danger": st.booleans(),
        "open_case": st.booleans(),
        "person": st.booleans(),
        "screen": st.sampled_from([[], ["withholds_documents"], ["debt_bondage", "confinement"]]),
        "refer": st.booleans(),
        "report": st.booleans(),
        "across": st.booleans(),
        "note": st.booleans(),
    }
)


def do_practice_work(client: Client, trainee, item: dict) -> None:
    """The trainee records a contact through the real intake screen, then works the case
    on the sandbox as their sandbox account."""
    response = client.post(
        reverse("intake:new"),
        {
            "channel": "phone",
            "direction": "inbound",
            "reason": item["reason"],
            "signaler_type": "potential_victim",
            "language": "eng",
            "country": "US",
            "phone": item["phone"],
            "started_at": "2026-03-01T10:15",
            "summary": f"{item['mark']} says she cannot leave the house.",
            "imminent_danger": "on" if item["imminent_danger"] else "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with sandbox.use():
        seat = practice_sandbox.acting_user(trainee)
        contact = Contact.objects.filter(taken_by=seat).latest("created_at")
        if not item["open_case"]:
            return
        case = intake.open_case_from_contact(contact=contact, by=seat)
        person = None
        if item["person"]:
            person = cases.add_person(
                case=case,
                by=seat,
                role="potential_victim",
                first_name=item["mark"],
                identifiers=[("phone", item["phone"]), ("email", f"{item['mark']}@example.org")],
            )
        if item["screen"]:
            screening.record_screening(by=seat, case=case, person=person, indicators=item["screen"])
        if item["refer"]:
            referrals.record_referral(
                case=case,
                by=seat,
                service="shelter_emergency_housing",
                provider_name=f"{item['mark']} shelter",
                consent_given=True,
                consent_method="verbal",
            )
        if item["report"]:
            referrals.record_authority_report(
                case=case,
                by=seat,
                agency_name=f"{item['mark']} police",
                agency_type="local_police",
                method="phone",
                consent_given=True,
            )
        if item["note"]:
            cases.add_note(case=case, by=seat, body=f"{item['mark']} will call back.")
        if item["across"]:
            supervisor_seat = seat  # the sandbox account is an advocate: ask for approval
            try:
                exchange.send_referral(
                    case=case,
                    partner=PartnerHotline.objects.get(),
                    by=supervisor_seat,
                    consent_given=True,
                    consent_method="verbal",
                    fields=[],
                    summary=f"{item['mark']} needs shelter in Oaxaca.",
                )
            except Exception:  # an advocate may not send: the attempt alone must not leak
                pass


def _real_pages() -> list[str]:
    """Every page without a parameter in its address, but the public site, the webhooks
    and signing in: the lists, queues, dashboards and reports staff open."""
    pages = []
    for name, route, _view in PAGES:
        if "<" in route or name in PAGES_WITHOUT_A_PERMISSION:
            continue
        pages.append("/" + route)
    return pages


def _query_paths(mark: str, phone: str) -> list[str]:
    """The search and the lookups, in pages and in the API, asked for what was typed."""
    return [
        f"{reverse('search:results')}?q={mark}",
        f"{reverse('intake:phone_lookup')}?phone={phone}",
        f"/api/v1/search?q={mark}",
        f"/api/v1/phone-lookup?number={phone}",
        "/api/v1/contacts",
        "/api/v1/cases",
    ]


def seen_by(user, paths: list[str]) -> str:
    client = signed_in_client(user)
    return "\n".join(client.get(path).content.decode(errors="replace") for path in paths)


def spelled(phone: str) -> list[str]:
    """A number as pages and the API show it: E.164, and in international format."""
    number = phonenumbers.parse(phone)
    return [phone, phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)]


def asked_for(user, mark: str, phone: str) -> None:
    """The search and the lookups echo what was asked; they must answer for the practice
    mark exactly as for a word and a number nobody ever recorded."""
    never, never_phone = "Sbxneverrecorded", "+17135550199"
    client = signed_in_client(user)
    for asked, control in zip(
        _query_paths(mark, phone), _query_paths(never, never_phone), strict=True
    ):
        answer = client.get(asked).content.decode(errors="replace")
        expected = client.get(control).content.decode(errors="replace")
        assert answer.count(mark) == expected.count(never), asked
        for shown, control_shown in zip(spelled(phone), spelled(never_phone), strict=True):
            assert answer.count(shown) == expected.count(control_shown), asked


def work_in_the_sandbox(trainee, items: list[dict]) -> Client:
    """The trainee signs in, starts a call and does `items`; the real database is
    checked unchanged around it. Returns the trainee's browser."""
    client = signed_in_client(trainee)
    before = real_database_digest()
    start_practice(client, trainee)
    for item in items:
        do_practice_work(client, trainee, item)

    # Inside the sandbox the work is there, on the trainee's screens: the fence is not
    # vacuous...
    for item in items:
        contact = Contact.objects.using(sandbox.ALIAS).get(summary__contains=item["mark"])
        page = client.get(reverse("intake:detail", args=[contact.pk]))
        assert item["mark"] in page.content.decode()
    with sandbox.use():
        seat = practice_sandbox.acting_user(trainee)
        # ...and nothing real is visible from it.
        assert not Case.objects.filter(title__contains=REAL_MARK).exists()
        assert not intake.look_up_caller(user=seat, phone=REAL_PHONE).found
    assert REAL_MARK not in client.get(reverse("cases:list")).content.decode()

    # The real database: every row of every table unchanged, but the call's own progress.
    assert real_database_digest() == before
    return client


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(items=st.lists(work, min_size=1, max_size=3, unique_by=lambda w: w["mark"]))
def test_practice_work_never_reaches_the_real_hotline(real_world, items):
    outbox_before = OutboxMessage.objects.count()
    work_in_the_sandbox(real_world["trainee"], items)

    # Each query path, asked by real staff, knows nothing of it: the search, the phone
    # lookup (page and API), the network of cases, the exports, the exchange, the audit.
    supervisor = real_world["supervisor"]
    for item in items:
        mark = item["mark"]
        assert search(user=supervisor, query=mark).empty
        assert not intake.look_up_caller(user=supervisor, phone=item["phone"]).found
        assert (
            recurrence.appearances(
                kind="phone", value_or_normalised=item["phone"], user=supervisor
            ).total
            == 0
        )
        asked_for(supervisor, mark, item["phone"])
    assert choose_cases(user=supervisor, selection=Selection()).count == 1
    assert OutboxMessage.objects.count() == outbox_before
    assert not AuditEntry.objects.filter(object_ref__contains="Sbx").exists()


def test_no_page_shows_practice_work_to_anyone(real_world):
    """Every page staff open, as every role, after a practice call that did everything."""
    item = {
        "mark": "Sbxwrkqz",
        "phone": "+17135550166",
        "reason": "crisis",
        "imminent_danger": True,
        "open_case": True,
        "person": True,
        "screen": ["debt_bondage", "confinement"],
        "refer": True,
        "report": True,
        "across": True,
        "note": True,
    }
    work_in_the_sandbox(real_world["trainee"], [item])
    # Every page without a parameter, the home queues, and the real case and its
    # contact, whose reference and id the sandbox's first case and contact share.
    real_case = real_world["case"]
    pages = [
        *_real_pages(),
        reverse("core:home"),
        reverse("cases:detail", args=[real_case.reference]),
        reverse("intake:detail", args=[real_case.contacts.get().pk]),
    ]
    with sandbox.use():
        assert Case.objects.filter(reference=real_case.reference).exists()
    for role in ("supervisor", "analyst", "administrator", "liaison", "advocate"):
        assert item["mark"] not in seen_by(real_world[role], pages), role
        asked_for(real_world[role], item["mark"], item["phone"])
