"""Quality review: the seeded rubric, drawing samples (only what the reviewer may read),
the review round trip to the advocate's feedback, rubric versions that keep old scores
meaningful, quality over time (the chart's table) and who may do what."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.training import quality
from puente.training.models.quality import Review, Rubric
from tests.conftest import signed_in_client
from tests.factories import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db


def _at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _contacts(advocate, count: int, day: date, **fields) -> list:
    return [make_contact(taken_by=advocate, started_at=_at(day), **fields) for _ in range(count)]


def _all_scores(review: Review, value: int) -> dict[int, int]:
    return {cr.pk: value for cr in review.rubric.criteria.all()}


@pytest.fixture
def team():
    return {
        "supervisor": make_user(Role.SUPERVISOR, first_name="Sara", last_name="Ruiz"),
        "ana": make_user(Role.ADVOCATE, first_name="Ana", last_name="López"),
        "beto": make_user(Role.ADVOCATE, first_name="Beto", last_name="Díaz"),
    }


def test_an_install_has_a_bilingual_weighted_rubric():
    rubric = Rubric.objects.get(current=True)
    criteria = list(rubric.criteria.all())
    assert rubric.version == 1 and rubric.scale_max == 4 and len(criteria) == 7
    assert all(cr.label_en and cr.label_es and cr.label_en != cr.label_es for cr in criteria)
    assert criteria[0].weight == 3


def test_the_weighted_score_is_a_percentage_of_the_highest_score():
    rubric = Rubric(scale_max=4)
    # (3·4 + 1·2) / 4 = 3.5 of 4 = 87.5 %
    assert quality.weighted_score(
        rubric=rubric, values={1: 4, 2: 2}, weights={1: 3, 2: 1}
    ) == Decimal("87.5")
    assert quality.weighted_score(rubric=rubric, values={1: 1}, weights={1: 1}) == Decimal("25.0")


def test_a_sample_draws_only_the_advocates_reviewable_contacts_in_the_period(team):
    supervisor, ana, beto = team["supervisor"], team["ana"], team["beto"]
    day = date(2026, 11, 10)
    inside = _contacts(ana, 4, day)
    _contacts(ana, 2, day - timedelta(days=40))  # before the period
    _contacts(beto, 3, day)  # someone else's
    _contacts(ana, 1, day, reason="hang_up")  # nothing to review
    secret = make_case(created_by=beto, restricted=True)
    make_contact(taken_by=ana, started_at=_at(day), case=secret)  # not openable
    sample = quality.draw_sample(
        by=supervisor,
        advocate=ana,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        size=10,
        rng=random.Random(1),
    )
    drawn = set(sample.reviews.values_list("contact_id", flat=True))
    assert drawn == {c.pk for c in inside}
    assert all(r.rubric.current for r in sample.reviews.all())
    # Drawn once: a second draw finds nothing new.
    again = quality.draw_sample(
        by=supervisor, advocate=ana, start=date(2026, 11, 1), end=date(2026, 11, 30), size=10
    )
    assert again.reviews.count() == 0
    assert AuditEntry.objects.filter(object_type="reviewsample").count() == 2


def test_a_sample_holds_at_most_its_size_at_random(team):
    _contacts(team["ana"], 12, date(2026, 11, 10))
    sample = quality.draw_sample(
        by=team["supervisor"],
        advocate=team["ana"],
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        size=5,
        rng=random.Random(7),
    )
    assert sample.reviews.count() == 5


def test_nobody_samples_or_reviews_their_own_contacts(team):
    supervisor = team["supervisor"]
    _contacts(supervisor, 2, date(2026, 11, 10))
    with pytest.raises(ValidationError):
        quality.draw_sample(
            by=supervisor,
            advocate=supervisor,
            start=date(2026, 11, 1),
            end=date(2026, 11, 30),
            size=2,
        )


def test_review_round_trip_the_advocate_sees_the_feedback_and_nobody_else(team):
    supervisor, ana, beto = team["supervisor"], team["ana"], team["beto"]
    _contacts(ana, 1, timezone.localdate())
    client = signed_in_client(supervisor)
    today = timezone.localdate()
    response = client.post(
        reverse("training:reviews"),
        {"advocate": ana.pk, "start": today - timedelta(days=3), "end": today, "size": 3},
    )
    assert response.status_code == 302
    review = Review.objects.get()
    url = reverse("training:review", args=[review.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Caller saw workers locked in a warehouse" in page.content.decode()
    # Reading the contact for review is a contact view, audited.
    assert AuditEntry.objects.filter(
        action="view", object_type="contact", object_id=str(review.contact_id), actor=supervisor
    ).exists()
    criteria = list(review.rubric.criteria.all())
    form = {f"c{cr.pk}": "4" for cr in criteria}
    form[f"c{criteria[0].pk}"] = "2"
    form["comments"] = "Great safety check; <b>ask</b> about minors earlier."
    assert client.post(url, form).status_code == 302
    review.refresh_from_db()
    total = sum(cr.weight for cr in criteria)
    expected = (Decimal(4 * total - 2 * criteria[0].weight) / total / 4 * 100).quantize(
        Decimal("0.1")
    )
    assert review.status == "done" and review.score == expected and review.reviewer == supervisor
    assert AuditEntry.objects.filter(object_type="review", action="change").count() == 1

    mine = signed_in_client(ana).get(reverse("training:my_feedback")).content.decode()
    assert f'data-testid="feedback-{review.pk}"' in mine
    assert "&lt;b&gt;ask&lt;/b&gt; about minors earlier." in mine
    assert f"{expected} %" in mine
    theirs = signed_in_client(beto).get(reverse("training:my_feedback")).content.decode()
    assert f"feedback-{review.pk}" not in theirs and 'data-testid="no-feedback"' in theirs


def test_a_pending_review_is_not_feedback_yet(team):
    _contacts(team["ana"], 1, date(2026, 11, 10))
    quality.draw_sample(
        by=team["supervisor"],
        advocate=team["ana"],
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        size=1,
    )
    html = signed_in_client(team["ana"]).get(reverse("training:my_feedback")).content.decode()
    assert 'data-testid="no-feedback"' in html


def test_every_criterion_must_be_scored_within_the_scale(team):
    _contacts(team["ana"], 1, date(2026, 11, 10))
    quality.draw_sample(
        by=team["supervisor"],
        advocate=team["ana"],
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        size=1,
    )
    review = Review.objects.get()
    values = _all_scores(review, 3)
    with pytest.raises(ValidationError):
        quality.submit_review(
            review=review, by=team["supervisor"], values=dict(list(values.items())[1:]), comments=""
        )
    with pytest.raises(ValidationError):
        quality.submit_review(
            review=review, by=team["supervisor"], values={k: 5 for k in values}, comments=""
        )
    review.refresh_from_db()
    assert review.status == "pending"


def test_a_new_rubric_keeps_old_scores_and_moves_waiting_reviews(team):
    supervisor, ana = team["supervisor"], team["ana"]
    _contacts(ana, 2, date(2026, 11, 10))
    quality.draw_sample(
        by=supervisor, advocate=ana, start=date(2026, 11, 1), end=date(2026, 11, 30), size=2
    )
    done, waiting = Review.objects.order_by("pk")
    quality.submit_review(review=done, by=supervisor, values=_all_scores(done, 4), comments="")
    old = Rubric.objects.get(current=True)
    client = signed_in_client(supervisor)
    form = {"scale_max": 5, "change_note": "Two criteria"}
    for i in range(quality.MAX_CRITERIA):
        form.update({f"label_en_{i}": "", f"label_es_{i}": "", f"weight_{i}": ""})
    form.update(label_en_0="Safety", label_es_0="Seguridad", weight_0=2)
    form.update(label_en_1="Referral", label_es_1="Canalización", weight_1=1)
    assert client.post(reverse("training:rubric"), form).status_code == 302
    new = Rubric.objects.get(current=True)
    assert new.version == 2 and new.scale_max == 5 and new.criteria.count() == 2
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert done.rubric == old and done.score == Decimal("100.0")
    assert done.scores.count() == 7
    assert waiting.rubric == new
    assert Rubric.objects.filter(current=True).count() == 1


def test_a_rubric_needs_labels_in_both_languages(team):
    with pytest.raises(ValidationError):
        quality.save_rubric(
            by=team["supervisor"],
            scale_max=4,
            criteria=[{"label_en": "Safety", "label_es": "", "weight": 1}],
        )
    assert Rubric.objects.count() == 1


def test_a_restricted_cases_contact_is_refused_for_review_and_the_refusal_audited(team):
    supervisor, ana = team["supervisor"], team["ana"]
    owner = make_user(Role.SUPERVISOR)
    _contacts(ana, 1, date(2026, 11, 10))
    quality.draw_sample(
        by=owner, advocate=ana, start=date(2026, 11, 1), end=date(2026, 11, 30), size=1
    )
    review = Review.objects.get()
    # The case becomes restricted after the draw (its owner is someone else).
    case = make_case(created_by=owner, restricted=True)
    review.contact.case = case
    review.contact.save()
    assert (
        signed_in_client(supervisor).get(reverse("training:review", args=[review.pk])).status_code
        == 403
    )
    assert AuditEntry.objects.filter(
        action="access_denied", object_type="contact", actor=supervisor
    ).exists()
    pending = signed_in_client(supervisor).get(reverse("training:reviews")).content.decode()
    assert f"pending-{review.pk}" not in pending


def test_quality_over_time_by_advocate_and_team(team):
    supervisor, ana, beto = team["supervisor"], team["ana"], team["beto"]
    today = date(2026, 11, 20)
    october, november = date(2026, 10, 15), date(2026, 11, 5)
    for advocate, day, value in [
        (ana, october, 4),
        (ana, november, 2),
        (ana, november, 4),
        (beto, november, 3),
    ]:
        contact = make_contact(taken_by=advocate, started_at=_at(day))
        review = Review.objects.create(
            contact=contact,
            advocate=advocate,
            rubric=Rubric.objects.get(current=True),
            contact_at=contact.started_at,
        )
        quality.submit_review(
            review=review, by=supervisor, values=_all_scores(review, value), comments=""
        )
    result = quality.quality_over_time(months=3, today=today, team_label="Team")
    assert result.months == ["2026-09", "2026-10", "2026-11"]
    team_row, ana_row, beto_row = result.series
    assert ana_row.name == "Ana López" and beto_row.name == "Beto Díaz"
    # 4 of 4 = 100 %, 2 of 4 = 50 %, 3 of 4 = 75 %.
    assert team_row.values == [None, Decimal("100.0"), Decimal("75.0")]
    assert team_row.counts == [0, 1, 3]
    assert ana_row.values == [None, Decimal("100.0"), Decimal("75.0")]
    assert beto_row.values == [None, None, Decimal("75.0")]


def test_the_quality_page_shows_the_same_numbers_in_its_table(team):
    supervisor, ana = team["supervisor"], team["ana"]
    day = timezone.localdate().replace(day=1)
    contact = make_contact(taken_by=ana, started_at=_at(day))
    review = Review.objects.create(
        contact=contact,
        advocate=ana,
        rubric=Rubric.objects.get(current=True),
        contact_at=contact.started_at,
    )
    quality.submit_review(review=review, by=supervisor, values=_all_scores(review, 3), comments="")
    html = signed_in_client(supervisor).get(reverse("training:quality")).content.decode()
    assert (
        'id="quality-data"' in html and "echarts.min.js" in html and "training/quality.js" in html
    )
    row = html.split('data-testid="quality-row-1"')[1].split("</tr>")[0]
    assert "Ana López" in row and "75.0 %" in row and "(1 review)" in row
    assert '"data": [null, null, null, null, null, 75.0]' in html


QUALITY_PAGES = ["training:reviews", "training:rubric", "training:quality"]


@pytest.mark.parametrize("name", QUALITY_PAGES)
def test_quality_pages_are_for_supervisors(name):
    url = reverse(name)
    assert signed_in_client(make_user(Role.SUPERVISOR)).get(url).status_code == 200
    for role in (Role.ADVOCATE, Role.ADMINISTRATOR, Role.ANALYST, Role.LIAISON):
        assert signed_in_client(make_user(role)).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_the_review_page_is_for_supervisors(team):
    _contacts(team["ana"], 1, date(2026, 11, 10))
    quality.draw_sample(
        by=team["supervisor"],
        advocate=team["ana"],
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        size=1,
    )
    url = reverse("training:review", args=[Review.objects.get().pk])
    assert signed_in_client(team["ana"]).get(url).status_code == 403
    assert signed_in_client(make_user(Role.SUPERVISOR)).get(url).status_code == 200
    assert Client().get(url).status_code == 302


def test_feedback_is_for_anyone_who_takes_contacts():
    url = reverse("training:my_feedback")
    for role in (Role.ADVOCATE, Role.SUPERVISOR):
        assert signed_in_client(make_user(role)).get(url).status_code == 200
    assert signed_in_client(make_user(Role.ANALYST)).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_feedback_and_review_lists_cost_the_same_for_one_or_three_rows(team):
    supervisor, ana = team["supervisor"], team["ana"]
    counts = []
    for n in (1, 3):
        Review.objects.all().delete()
        _contacts(ana, n, date(2026, 11, 10))
        quality.draw_sample(
            by=supervisor, advocate=ana, start=date(2026, 11, 1), end=date(2026, 11, 30), size=n
        )
        for review in Review.objects.all():
            quality.submit_review(
                review=review, by=supervisor, values=_all_scores(review, 3), comments=""
            )
        _contacts(ana, n, date(2026, 11, 11))
        quality.draw_sample(
            by=supervisor, advocate=ana, start=date(2026, 11, 11), end=date(2026, 11, 11), size=n
        )
        counts.append(
            (
                _queries(signed_in_client(ana), reverse("training:my_feedback")),
                _queries(signed_in_client(supervisor), reverse("training:reviews")),
            )
        )
    assert counts[0] == counts[1]
