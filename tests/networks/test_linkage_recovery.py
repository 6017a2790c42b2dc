"""Probabilistic matching on generated data with planted networks (issue 16): the
clusters it recovers against the generator's ground truth, and the review loop — a
rejected pair is never proposed again, a confirmed one is kept, pairs within a case are
never proposed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.cases.models import Person
from puente.networks import linkage
from puente.networks.models import LinkStatus, PersonLink
from puente.networks.models.linkage import LinkageRunStatus
from puente.sampledata.synthetic import generate
from tests.factories import make_case, make_user
from tests.networks.linkage_scoring import precision_recall

pytestmark = pytest.mark.django_db

FLOOR = 0.9


@pytest.mark.parametrize(("country", "seed"), [("US", 11), ("MX", 5)])
def test_planted_networks_are_recovered_with_precision_and_recall_of_at_least_0_9(country, seed):
    summary = generate(contacts=4000, years=3, seed=seed, batch_size=4000, country=country)
    # The world has networks to find: persons planted in three cases or more.
    occurrences: dict[int, int] = {}
    for number in summary.planted.values():
        occurrences[number] = occurrences.get(number, 0) + 1
    assert sum(1 for n in occurrences.values() if n >= 3) >= 5

    run = linkage.run_linkage(by=None)

    assert run.status == LinkageRunStatus.DONE, run.error
    assert run.persons_compared == Person.objects.count()
    found = list(
        PersonLink.objects.exclude(status=LinkStatus.REJECTED).values_list(
            "person_a_id", "person_b_id"
        )
    )
    assert run.pairs_proposed == len(found) > 0
    precision, recall, predicted, true = precision_recall(found=found, planted=summary.planted)
    assert precision >= FLOOR, (precision, predicted, true)
    assert recall >= FLOOR, (recall, predicted, true)
    # Every proposal carries each comparison's weight, for the reviewer.
    link = PersonLink.objects.order_by("-match_weight").first()
    assert [e["comparison"] for e in link.evidence] == [c.name for c in linkage.COMPARISONS]
    assert link.match_probability >= run.threshold
    # The weights shown add up to the pair's weight, less the run's prior (the same for
    # every pair): nothing is left out of the display, term-frequency adjustments included.
    priors = [
        pair.match_weight - sum(e["weight"] for e in pair.evidence)
        for pair in PersonLink.objects.all()
    ]
    assert max(priors) - min(priors) < 0.05 and max(priors) < 0


def _person(case, **fields) -> Person:
    return Person.objects.create(case=case, roles=["exploiter"], gender="Masculine", **fields)


@pytest.fixture
def three_records():
    """One recruiter written up in three cases: the same name, date of birth and phone."""
    owner = make_user(Role.ADVOCATE)
    people = []
    for i, (first, last) in enumerate(
        [
            ("José Luis", "Hernández Ruiz"),
            ("Jose Luis", "Hernandez"),
            ("José Luis", "Hernádez Ruiz"),
        ]
    ):
        case = make_case(created_by=owner, title=f"Recruitment {i}")
        person = _person(case, first_name=first, last_name=last, birthdate="1980-03-14")
        case.identifiers.create(
            person=person, kind="phone", value="+1 555 201 3344", normalised="+15552013344"
        )
        people.append(person)
    # Strangers, so the model has something to tell them from.
    for i in range(40):
        case = make_case(created_by=owner, title=f"Other {i}")
        _person(case, first_name=f"Name{i}", last_name=f"Surname{i}", age=20 + i % 30)
    return people


def _pairs(status=None) -> set[tuple[int, int]]:
    rows = PersonLink.objects.all()
    if status:
        rows = rows.filter(status=status)
    return set(rows.values_list("person_a_id", "person_b_id"))


def test_a_rejected_pair_is_never_proposed_again_and_a_confirmed_one_is_kept(three_records):
    a, b, c = sorted(p.pk for p in three_records)
    analyst = make_user(Role.ANALYST)
    linkage.run_linkage(by=analyst)
    assert _pairs(LinkStatus.PROPOSED) == {(a, b), (a, c), (b, c)}

    rejected = PersonLink.objects.get(person_a_id=a, person_b_id=c)
    confirmed = PersonLink.objects.get(person_a_id=a, person_b_id=b)
    linkage.decide_link(link_id=rejected.pk, status=LinkStatus.REJECTED, by=analyst)
    linkage.decide_link(link_id=confirmed.pk, status=LinkStatus.CONFIRMED, by=analyst, note="ok")
    run = linkage.run_linkage(by=analyst)

    assert run.pairs_proposed == 1  # only (b, c): the decided pairs are not scored again
    assert _pairs(LinkStatus.REJECTED) == {(a, c)}
    assert _pairs(LinkStatus.CONFIRMED) == {(a, b)}
    assert _pairs(LinkStatus.PROPOSED) == {(b, c)}
    confirmed.refresh_from_db()
    assert (confirmed.decided_by, confirmed.note) == (analyst, "ok")
    assert PersonLink.objects.count() == 3


def test_a_proposal_the_model_no_longer_makes_is_withdrawn(three_records):
    a, b, c = sorted(p.pk for p in three_records)
    linkage.run_linkage(by=None)
    Person.objects.filter(pk=c).update(
        first_name="Brandon", last_name="Miller", birthdate=None, age=None
    )
    Person.objects.get(pk=c).identifiers.all().delete()
    linkage.run_linkage(by=None)
    assert _pairs() == {(a, b)}


def test_persons_in_the_same_case_are_never_proposed():
    owner = make_user(Role.ADVOCATE)
    case = make_case(created_by=owner, title="Two brothers")
    for _i in range(2):
        person = _person(case, first_name="Tyler", last_name="Moore", birthdate="1990-01-01")
        case.identifiers.create(
            person=person, kind="phone", value="555 201 3344", normalised="+15552013344"
        )
    for i in range(10):
        _person(make_case(created_by=owner, title=f"x{i}"), first_name=f"N{i}", last_name="Q")
    run = linkage.run_linkage(by=None)
    assert run.status == LinkageRunStatus.DONE
    assert not PersonLink.objects.exists()


def test_a_decision_is_audited_and_one_made_meanwhile_is_reported_not_overwritten(
    three_records,
):
    first, second = make_user(Role.ANALYST), make_user(Role.SUPERVISOR)
    linkage.run_linkage(by=None)
    link = PersonLink.objects.first()

    linkage.decide_link(link_id=link.pk, status=LinkStatus.REJECTED, by=first, note="brothers")
    with pytest.raises(linkage.AlreadyDecided):
        linkage.decide_link(link_id=link.pk, status=LinkStatus.CONFIRMED, by=second)

    link.refresh_from_db()
    assert (link.status, link.decided_by, link.note) == (LinkStatus.REJECTED, first, "brothers")
    entry = AuditEntry.objects.get(object_type="personlink", object_id=str(link.pk))
    assert entry.actor == first
    assert entry.action == "change"
    assert entry.reason == "brothers"
    assert {"field": "status", "old": "proposed", "new": "rejected"} in entry.changes


def test_a_run_is_recorded_with_its_counts_and_a_second_run_waits_for_the_first():
    analyst = make_user(Role.ANALYST)
    run = linkage.start_run(by=analyst)
    with pytest.raises(linkage.RunInProgress):
        linkage.start_run(by=analyst)
    done = linkage.run_linkage(by=analyst, run=run)
    assert done.status == LinkageRunStatus.DONE
    assert done.finished_at <= timezone.now()
    assert done.duration_seconds is not None
    assert AuditEntry.objects.filter(object_type="linkagerun", object_id=str(run.pk)).count() == 2
    assert linkage.start_run(by=analyst).pk != run.pk
