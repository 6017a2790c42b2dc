"""`puente demo`: the fictional hotline it seeds once, what a newcomer finds in it, and
the command's refusals."""

from __future__ import annotations

import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from puente.accounts.models import User
from puente.audit.domain import verify_chain
from puente.audit.models import AuditEntry
from puente.cases.domain import open_case
from puente.cases.models import Case, CaseAccess, CaseCounter, Identifier, Task
from puente.cases.queries import persons_with_role_q
from puente.core.geography import is_subdivision_of
from puente.core.management import server
from puente.intake.models import Contact
from puente.sampledata import demo as demo_hotline
from puente.sampledata.management.commands.demo import start_demo_worker
from tests.factories import make_contact

# The demo migrates the practice sandbox too.
pytestmark = pytest.mark.django_db(databases=["default", "practice"])


@pytest.fixture
def demo_settings(settings):
    settings.PUENTE_DEMO = True
    settings.PUENTE_MFA_REQUIRED = False
    return settings


@pytest.fixture
def no_server(monkeypatch):
    calls = []
    monkeypatch.setattr(server, "run_server", lambda **kwargs: calls.append(kwargs))
    return calls


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", *args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Contact.objects.count(),
        Case.objects.count(),
        User.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_seeds_once_and_reuses_on_the_second_run(demo_settings):
    first = run_demo()
    after_first = counts()
    second = run_demo()

    assert "Creating the demo hotline (US)" in first
    assert counts() == after_first
    assert "Reusing demo data in" in second
    assert "Creating" not in second
    for output in (first, second):
        assert demo_hotline.DEMO_PASSWORD in output
        assert "not required" in output  # MFA
        for username in [
            "advocate",
            "supervisor",
            "liaison",
            "analyst",
            "administrator",
            "trainee",
        ]:
            assert f"  {username} " in output
        assert "+1 713-555-0142" in output  # the known caller to try
    assert after_first[:3] == (demo_hotline.TARGET_CONTACTS, demo_hotline.TARGET_CASES, 8)


def test_demo_leaves_a_valid_audit_chain_with_one_create_per_case(demo_settings):
    run_demo()

    result = verify_chain()
    assert result.ok, result.problem
    # One "create" per case, and the directory listings the administrator added.
    assert Case.objects.count() == demo_hotline.TARGET_CASES
    case_entries = AuditEntry.objects.filter(object_type="case")
    assert case_entries.count() == demo_hotline.TARGET_CASES
    assert result.checked == AuditEntry.objects.count()
    assert set(AuditEntry.objects.values_list("action", flat=True)) == {"create"}


def test_us_demo_data_covers_what_a_newcomer_should_see(demo_settings):
    run_demo()

    contacts = Contact.objects.all()
    phone_share = contacts.filter(channel="phone").count() / contacts.count()
    assert 0.55 < phone_share < 0.85
    assert contacts.filter(reason="hang_up").count() > 20
    assert contacts.filter(reason="general_info").count() > 30
    assert contacts.filter(language="eng").count() > contacts.filter(language="spa").count() > 20
    assert all(
        c.subdivision == "" or c.subdivision.startswith(("US-", "MX-"))
        for c in contacts.only("subdivision")
    )
    english = contacts.filter(language="eng", reason="general_info").first()
    assert english.summary and "la " not in english.summary.lower()[:3]

    statuses = dict.fromkeys(["new", "active", "referred", "monitoring", "closed"], 0)
    for case in Case.objects.all():
        statuses[case.status] += 1
        assert case.reference.startswith("US-")
        assert case.forms_of_exploitation and case.venues and case.methods_of_control
        assert case.persons.filter(persons_with_role_q("potential_victim")).exists()
        assert case.persons.filter(persons_with_role_q("exploiter")).exists()
        if case.status == "closed":
            assert case.closing_reason and case.closed_at
    assert all(statuses.values()), statuses
    assert Case.objects.filter(persons__is_business=True).exists()
    assert Case.objects.filter(imminent_danger=True).exclude(status="closed").count() >= 2

    restricted = list(Case.objects.filter(restricted=True))
    assert len(restricted) == 2
    assert CaseAccess.objects.filter(case__in=restricted, user__username="supervisor").count() == 1

    today = timezone.localdate()
    overdue = Task.objects.filter(done_at__isnull=True, due_date__lt=today)
    assert overdue.exists()
    assert set(overdue.values_list("assignee__role", flat=True)) == {"advocate"}
    assert all(u.language == "en" for u in User.objects.all())


def test_known_caller_and_an_exploiter_phone_recur_across_records(demo_settings):
    run_demo()

    known = "+17135550142"
    assert Contact.objects.filter(phone=known).count() >= 3
    assert Contact.objects.filter(phone=known, case__isnull=False).exists()
    assert Identifier.objects.filter(kind="phone", normalised=known).exists()
    assert demo_hotline.recurring_counts().get("+17025550187") == 3


def test_mx_demo_is_a_mexican_hotline_in_spanish(demo_settings):
    demo_settings.PUENTE_COUNTRY = "MX"
    demo_settings.LANGUAGE_CODE = "es"

    output = run_demo("--country", "MX")

    assert "+52 55 0501 4270" in output
    contacts = Contact.objects.all()
    assert contacts.filter(language="spa").count() / contacts.count() > 0.85
    mexican = contacts.filter(country="MX").exclude(subdivision="")
    assert mexican.count() > 150
    assert all(is_subdivision_of(c.subdivision, "MX") for c in mexican)
    assert contacts.filter(channel="whatsapp").count() > 30
    assert contacts.filter(phone_raw__startswith="+52 1 ").exists()
    assert all(
        p.startswith("+52")
        for p in contacts.filter(country="MX").exclude(phone="").values_list("phone", flat=True)
    )
    spanish = contacts.filter(language="spa", reason="general_info").first()
    assert any(word in spanish.summary for word in [" la ", " de ", " el "])
    for case in Case.objects.all():
        assert case.reference.startswith("MX-")
        assert case.mx_forms_of_exploitation
    assert all(u.language == "es" for u in User.objects.all())
    assert verify_chain().ok


def _unassignable_in_mexico(e164: str) -> bool:
    # Mexico never assigns a subscriber number (after the 2- or 3-digit area code) that
    # starts with 0: see puente.sampledata.demo._write for the source.
    national = e164.removeprefix("+52")
    cut = 2 if national[:2] in {"55", "33", "81"} else 3
    return len(national) == 10 and national[cut] == "0"


def test_mx_demo_phone_numbers_are_in_unassignable_ranges(demo_settings):
    from puente.directory.models import Provider

    demo_settings.PUENTE_COUNTRY = "MX"
    demo_settings.LANGUAGE_CODE = "es"
    run_demo("--country", "MX")

    numbers = set(Contact.objects.exclude(phone="").values_list("phone", flat=True))
    numbers |= set(Identifier.objects.filter(kind="phone").values_list("normalised", flat=True))
    mexican = {n for n in numbers if n.startswith("+52")}
    assert len(mexican) > 100
    assert [n for n in mexican if not _unassignable_in_mexico(n)] == []
    us = {n for n in numbers if n.startswith("+1")}
    assert all(n[5:9] == "5550" and n[9] == "1" for n in us), us  # 555-01xx
    listed = [
        "+" + "".join(ch for ch in p.phone if ch.isdigit())
        for p in Provider.objects.filter(country="MX").exclude(phone="")
    ]
    assert listed and [n for n in listed if not _unassignable_in_mexico(n)] == []


def test_demo_refuses_outside_demo_mode(settings):
    settings.PUENTE_DEMO = False
    with pytest.raises(CommandError, match="PUENTE_DEMO"):
        run_demo()
    assert User.objects.count() == 0


def test_demo_refuses_a_country_other_than_the_configured_one(demo_settings):
    with pytest.raises(CommandError, match="--country MX"):
        run_demo("--country", "MX")


def test_demo_refuses_to_mix_fictional_data_into_real_records(demo_settings):
    make_contact()
    with pytest.raises(CommandError, match="not demo data"):
        run_demo()
    assert Contact.objects.count() == 1
    assert not User.objects.filter(username="advocate").exists()


def test_demo_serves_on_the_requested_port(demo_settings, no_server):
    out = io.StringIO()
    call_command("demo", "--port", "8123", "--host", "0.0.0.0", stdout=out)

    assert no_server == [{"bind": "0.0.0.0:8123", "workers": 1, "background": start_demo_worker}]
    assert "http://127.0.0.1:8123/" in out.getvalue()


def test_cases_are_numbered_and_dated_when_the_story_opened_them(demo_settings):
    run_demo()

    cases = list(Case.objects.order_by("id"))
    created = {
        int(entry.object_id): entry
        for entry in AuditEntry.objects.filter(object_type="case", action="create")
    }
    years = Counter()
    for case in cases:
        opened = case.created_at
        assert opened < timezone.now() - timedelta(minutes=15)
        assert case.updated_at >= opened  # a referral made today touches its case
        year = timezone.localtime(opened).year
        years[year] += 1
        # Numbered in the year it was opened, in the order cases were opened.
        assert case.reference == f"US-{year}-{years[year]:06d}"
        # The trail says when the demo recorded it, not when the story has it happen.
        assert created[case.pk].at > opened
        assert created[case.pk].object_ref == case.reference
        people = case.persons.exclude(persons_with_role_q("signaler"))
        assert set(people.values_list("created_at", flat=True)) == {opened}
        for note in case.notes.all():
            assert opened < note.created_at <= timezone.now()
        for task in case.tasks.all():
            assert opened < task.created_at <= timezone.now()
    assert len(years) >= 2  # 18 months of history cross a new year
    counters = dict(CaseCounter.objects.filter(prefix="US").values_list("year", "last_number"))
    assert counters == dict(years)
    assert verify_chain().ok


def test_a_case_opened_after_the_demo_continues_its_numbering(demo_settings):
    run_demo()
    this_year = timezone.localdate().year
    so_far = Case.objects.filter(reference__startswith=f"US-{this_year}-").count()

    case = open_case(by=User.objects.get(username="advocate"), title="New call")

    assert case.reference == f"US-{this_year}-{so_far + 1:06d}"
    assert verify_chain().ok
