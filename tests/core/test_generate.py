"""`puente generate`: national-scale synthetic data that hangs together."""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from puente.accounts.roles import Role
from puente.cases.models import Case, CaseCounter, Identifier
from puente.core import choices as c
from puente.core.synthetic import generate
from puente.intake.models import Contact
from puente.search.models import SearchEntry
from puente.search.queries import search
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)
CONTACTS = 3000


@pytest.fixture
def generated():
    return generate(contacts=CONTACTS, years=3, seed=11, batch_size=1000)


def test_generated_data_is_internally_consistent(generated):
    assert Contact.objects.count() == CONTACTS
    cases = Case.objects.count()
    # About one case per 4–5 contacts among the reasons that open cases (NHTH ratio).
    assert CONTACTS / 12 < cases < CONTACTS / 3
    assert (
        not Contact.objects.exclude(case__isnull=True).filter(case__reference__isnull=True).exists()
    )
    assert not Case.objects.filter(status="closed", closing_reason="").exists()
    assert set(Contact.objects.values_list("channel", flat=True)) <= set(c.Channel.values)
    assert set(Contact.objects.values_list("reason", flat=True)) <= set(c.ReasonForContact.values)
    assert set(Case.objects.values_list("status", flat=True)) == set(c.CaseStatus.values)
    for venues in Case.objects.values_list("venues", flat=True):
        assert set(venues) <= set(c.Venue.values)
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
    for counter in CaseCounter.objects.all():
        assert Case.objects.filter(
            reference=f"{counter.prefix}-{counter.year}-{counter.last_number:06d}"
        ).exists()
    assert SearchEntry.objects.count() == CONTACTS + cases


def test_phone_numbers_recur_like_real_callers(generated):
    calls_per_number = Counter(Contact.objects.exclude(phone="").values_list("phone", flat=True))
    assert max(calls_per_number.values()) >= 5  # a few numbers call again and again
    assert sum(1 for n in calls_per_number.values() if n == 1) > len(calls_per_number) / 2
    assert all(number.startswith("+1") for number in calls_per_number)
    shared = (
        Identifier.objects.filter(kind="phone")
        .values("normalised")
        .annotate(n=Count("case", distinct=True))
        .filter(n__gt=1)
    )
    assert shared.exists()  # exploiters' numbers recur across cases


def test_narratives_match_the_contact_language(generated):
    spanish = Contact.objects.filter(language="spa").values_list("summary", flat=True)[:50]
    english = Contact.objects.filter(language="eng").values_list("summary", flat=True)[:50]
    assert spanish and english
    assert (
        sum(" la " in f" {s} " or " el " in f" {s} " or " de " in f" {s} " for s in spanish)
        > len(spanish) / 2
    )
    assert sum(" the " in f" {s} " or " to " in f" {s} " for s in english) > len(english) / 2


def test_generated_text_is_searchable(generated):
    supervisor = make_user(Role.SUPERVISOR)
    assert search(user=supervisor, query="caller").contacts
    number = Contact.objects.exclude(phone="").values_list("phone", flat=True).first()
    assert search(user=supervisor, query=number).contacts


def test_same_seed_same_data():
    generate(contacts=300, years=2, seed=5, batch_size=100)
    first = list(Contact.objects.order_by("id").values_list("phone", "reason", "summary"))
    call_command(
        "generate", "--reset", "--contacts", "300", "--years", "2", "--seed", "5", stdout=StringIO()
    )
    assert list(Contact.objects.order_by("id").values_list("phone", "reason", "summary")) == first


def test_refuses_a_database_that_already_has_contacts():
    generate(contacts=100, years=1, seed=1, batch_size=100)
    with pytest.raises(CommandError, match="already holds contacts"):
        call_command("generate", "--contacts", "10", stdout=StringIO())
    call_command("generate", "--append", "--contacts", "50", "--years", "1", stdout=StringIO())
    assert Contact.objects.count() == 150
    references = list(Case.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references)
