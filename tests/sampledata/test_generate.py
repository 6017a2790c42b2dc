"""`puente generate`: national-scale synthetic data that hangs together."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Max

from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.cases.domain import normalise_identifier
from puente.cases.models import Case, CaseCounter, CaseLocation, Identifier, Person, Task
from puente.core import choices as c
from puente.core.geography import is_subdivision_of
from puente.core.phones import normalise_phone
from puente.intake.models import Contact
from puente.sampledata.synthetic import generate
from puente.search.indexing import _case_text, _contact_text
from puente.search.models import SearchEntry
from puente.search.queries import search
from tests.factories import make_user

# The generator writes through the raw connection but inside Django's transaction, so
# the test's rollback undoes it (indexes and triggers included) on both databases.
pytestmark = pytest.mark.django_db
CONTACTS = 2000


@pytest.fixture
def generated():
    return generate(contacts=CONTACTS, years=3, seed=11, batch_size=700)


def _codes(choices) -> set[str]:
    return set(choices.values)


def test_generated_data_is_internally_consistent(generated):
    assert Contact.objects.count() == CONTACTS
    cases = Case.objects.count()
    # About one case per 4–5 contacts (NHTH: 63,380 cases / 276,654 contacts).
    assert CONTACTS / 6 < cases < CONTACTS / 3.5
    case_ids = set(Case.objects.values_list("id", flat=True))
    linked = set(Contact.objects.exclude(case=None).values_list("case_id", flat=True))
    assert linked and linked <= case_ids
    assert set(Person.objects.values_list("case_id", flat=True)) <= case_ids
    assert not Case.objects.filter(status="closed", closing_reason="").exists()
    assert not Case.objects.filter(status="closed", closed_at=None).exists()
    statuses = set(Case.objects.values_list("status", flat=True))
    assert "closed" in statuses and statuses - {"closed"}
    assert Case.objects.filter(restricted=True).count() < cases / 20
    assert (
        Task.objects.filter(done_at=None).exists() and Task.objects.exclude(done_at=None).exists()
    )

    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    # Counters continue the numbering: each holds its year's highest number.
    by_year = Counter(ref.split("-")[1] for ref in references)
    counters = {(k.prefix, str(k.year)): k.last_number for k in CaseCounter.objects.all()}
    assert counters == {("US", year): n for year, n in by_year.items()}

    assert SearchEntry.objects.count() == CONTACTS + cases
    assert SearchEntry.objects.filter(kind="contact").exclude(case=None).count() == len(
        Contact.objects.exclude(case=None)
    )
    staff = User.objects.filter(username__startswith="gen-")
    assert staff.count() == 60 and not any(u.has_usable_password() for u in staff)
    assert User.objects.filter(username="gen-advocate-001", role=Role.ADVOCATE).exists()
    assert set(Contact.objects.values_list("taken_by__role", flat=True)) == {Role.ADVOCATE}


def test_every_picklist_value_is_a_code(generated):
    def values(model, name):
        return set(model.objects.values_list(name, flat=True)) - {""}

    assert values(Contact, "channel") <= _codes(c.Channel)
    assert values(Contact, "reason") <= _codes(c.ReasonForContact)
    assert values(Contact, "signaler_type") <= _codes(c.SignalerType)
    # Who signalled and whether they gave a name are apart (issue 11, item 8).
    assert Contact.objects.filter(signaler_type="unknown", anonymous=True).exists()
    assert values(Contact, "language") <= _codes(c.Language)
    assert values(Contact, "level_of_indicators") <= _codes(c.IndicatorLevel)
    assert all(is_subdivision_of(code, "US") for code in values(Contact, "subdivision"))
    assert values(Case, "exploitation_type") <= _codes(c.ExploitationType)
    assert values(Case, "closing_reason") <= _codes(c.ClosingReason)
    lists = {
        "forms_of_exploitation": c.TypeOfExploitation,
        "venues": c.Venue,
        "methods_of_control": c.MethodOfControl,
        "methods_of_recruitment": c.MethodOfRecruitment,
    }
    for name, choices in lists.items():
        used = {code for codes in Case.objects.values_list(name, flat=True) for code in codes}
        assert used and used <= _codes(choices), name
    roles = {r for held in Person.objects.values_list("roles", flat=True) for r in held}
    assert roles and roles <= _codes(c.PersonRole)
    assert values(Person, "gender") <= _codes(c.Gender)
    assert values(Person, "age_band") <= _codes(c.AgeBand)
    assert values(Person, "trafficking_status") <= _codes(c.TraffickingStatus)
    assert values(Person, "relationship_to_trafficker") <= _codes(c.RelationshipToTrafficker)
    roles = {r for rs in Person.objects.values_list("roles_in_process", flat=True) for r in rs}
    assert roles <= _codes(c.RoleInProcess)
    assert values(Identifier, "kind") <= _codes(c.IdentifierKind)
    assert values(CaseLocation, "kind") <= _codes(c.LocationKind)


def test_identifiers_are_normalised(generated):
    for kind, value, normalised in Identifier.objects.values_list("kind", "value", "normalised"):
        if kind == "phone":
            assert normalise_phone(value, default_region="US") == normalised
        else:
            # As the cases app itself would take it (an HTCDS import of generated data
            # goes through that rule: an accented e-mail address was refused there).
            assert normalise_identifier(kind=kind, value=value) == normalised
    kinds = set(Identifier.objects.values_list("kind", flat=True))
    assert {"phone", "social", "email", "online_ad"} <= kinds


def test_phone_numbers_recur_like_real_callers(generated):
    calls_per_number = Counter(Contact.objects.exclude(phone="").values_list("phone", flat=True))
    assert max(calls_per_number.values()) >= 5  # a few numbers call again and again
    assert sum(1 for n in calls_per_number.values() if n == 1) > len(calls_per_number) / 2
    assert Contact.objects.filter(phone="").exists()  # anonymous web forms and emails
    for raw, phone in Contact.objects.exclude(phone="").values_list("phone_raw", "phone"):
        assert normalise_phone(raw, default_region="US") == phone
    assert len({raw for raw in Contact.objects.values_list("phone_raw", flat=True)}) > len(
        calls_per_number
    )  # the same number written in different ways
    # The same number in several cases: what the networks view is made of.
    shared = (
        Identifier.objects.filter(kind="phone")
        .values("normalised")
        .annotate(n=Count("case", distinct=True))
        .filter(n__gt=1)
    )
    assert shared.exists()
    callers_in_cases = Contact.objects.exclude(phone="").exclude(case=None)
    multi_case = callers_in_cases.values("phone").annotate(n=Count("case", distinct=True))
    assert multi_case.filter(n__gt=1).exists()


def test_search_entries_hold_the_text_indexing_builds(generated):
    for case in Case.objects.prefetch_related("persons", "identifiers", "locations", "notes"):
        entry = SearchEntry.objects.get(kind="case", object_id=case.pk)
        assert entry.text == _case_text(case)
        assert entry.case_id == case.pk
    for contact in Contact.objects.select_related("case").order_by("?")[:300]:
        entry = SearchEntry.objects.get(kind="contact", object_id=contact.pk)
        assert entry.text == _contact_text(contact)
        assert entry.case_id == contact.case_id


def test_generated_text_is_searchable(generated):
    supervisor = make_user(Role.SUPERVISOR)
    assert search(user=supervisor, query="caller").contacts
    assert search(user=supervisor, query="llamada").contacts
    number = Contact.objects.exclude(phone="").values_list("phone", flat=True).first()
    assert search(user=supervisor, query=number).contacts
    reference = Case.objects.filter(restricted=False).values_list("reference", flat=True).first()
    assert [case.reference for case in search(user=supervisor, query=reference).cases] == [
        reference
    ]


def test_narratives_match_the_contact_language(generated):
    # Without the city: "El Paso" is not Spanish prose.
    def texts(language: str) -> list[str]:
        rows = Contact.objects.filter(language=language).values_list("summary", "city")
        return [summary.replace(city, "") for summary, city in rows]

    spanish, english = texts("spa"), texts("eng")
    assert len(spanish) > CONTACTS / 8 and len(english) > CONTACTS / 2
    es_words = {"la", "el", "de", "se", "en", "que", "una", "un", "su", "por", "no"}
    en_words = {"the", "to", "a", "of", "and", "for", "on", "with", "asked", "caller", "no"}
    for text in spanish:
        words = set(text.lower().replace(".", " ").split())
        assert words & es_words and not words & {"the", "caller", "asked"}, text
    for text in english:
        words = set(text.lower().replace(".", " ").split())
        assert words & en_words and not words & {"la", "el", "que", "una"}, text
    # Fragments are combined, so texts vary.
    assert len(set(english)) > len(english) / 3


def test_mexico_is_spanish_with_art_10_forms():
    generate(contacts=600, years=2, seed=3, country="MX", batch_size=600)
    contacts = Contact.objects.all()
    assert contacts.filter(language="spa").count() > 0.85 * contacts.count()
    assert all(is_subdivision_of(s, "MX") for s in contacts.values_list("subdivision", flat=True))
    assert all(
        p.startswith("+52") for p in contacts.exclude(phone="").values_list("phone", flat=True)
    )
    assert contacts.filter(phone_raw__startswith="+52 1 ").exists()  # the old mobile prefix
    forms = [
        f for fs in Case.objects.values_list("mx_forms_of_exploitation", flat=True) for f in fs
    ]
    assert forms and set(forms) <= _codes(c.MexicoExploitationForm)
    assert all(ref.startswith("MX-") for ref in Case.objects.values_list("reference", flat=True))


def test_same_seed_same_data():
    generate(contacts=300, years=2, seed=5, batch_size=100)
    first = list(
        Contact.objects.order_by("id").values_list("phone", "reason", "summary", "started_at")
    )
    cases = list(Case.objects.order_by("id").values_list("reference", "summary", "status"))
    call_command(
        "generate", "--reset", "--contacts", "300", "--years", "2", "--seed", "5", stdout=StringIO()
    )
    again = Contact.objects.order_by("id").values_list("phone", "reason", "summary", "started_at")
    assert list(again) == first
    assert list(Case.objects.order_by("id").values_list("reference", "summary", "status")) == cases


def test_refuses_a_database_that_already_has_contacts():
    generate(contacts=100, years=1, seed=1, batch_size=100)
    with pytest.raises(CommandError, match="already holds contacts"):
        call_command("generate", "--contacts", "10", stdout=StringIO())
    assert Contact.objects.count() == 100
    out = StringIO()
    call_command("generate", "--append", "--contacts", "50", "--years", "1", stdout=out)
    assert "contacts/s" in out.getvalue()
    assert Contact.objects.count() == 150
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    assert User.objects.filter(username__startswith="gen-").count() == 60
    # Ids and sequences continue: the app's next row does not collide.
    top = Contact.objects.aggregate(m=Max("id"))["m"]
    assert Contact.objects.create(channel="phone", started_at=Contact.objects.first().started_at,
                                  reason="tip").pk > top  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_load_on_postgresql_leaves_tables_vacuumed_as_autovacuum_would():
    """Counts the team view and the dashboards make are answered from indexes alone
    only once the visibility map exists; a load outside any transaction builds it."""
    if connection.vendor != "postgresql":
        pytest.skip("VACUUM and the visibility map are PostgreSQL's")
    summary = generate(contacts=300, years=1, seed=3, batch_size=100)
    assert "vacuum" in summary.steps
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'cases_case'")
        assert cursor.fetchone()[0] > 0
