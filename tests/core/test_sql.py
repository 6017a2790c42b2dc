"""Picklist codes written into the SQL text (`puente.core.sql`): the same rows as the
ORM's own filter, and nothing but a code ever reaches the SQL that way."""

from __future__ import annotations

import pytest
from django.db.models import Q

from puente.cases.models import Case, Task, open_cases_q
from puente.core import choices as c
from puente.core.sql import Code, one_of
from tests.factories import make_case, make_user


@pytest.mark.django_db
def test_open_cases_are_every_status_but_closed():
    author = make_user()
    for status in c.CaseStatus.values:
        case = make_case(created_by=author)
        closing = c.ClosingReason.values[0] if status == c.CaseStatus.CLOSED else ""
        Case.objects.filter(pk=case.pk).update(status=status, closing_reason=closing)
        Task.objects.create(case=case, title=f"call back ({status})", created_by=author)
    expected = set(Case.objects.filter(~Q(status=c.CaseStatus.CLOSED)).values_list("pk", flat=True))
    assert set(Case.objects.filter(open_cases_q()).values_list("pk", flat=True)) == expected
    assert len(expected) == len(c.CaseStatus.values) - 1
    on_open_cases = Task.objects.filter(open_cases_q("case__"))
    assert {task.case_id for task in on_open_cases} == expected


@pytest.mark.parametrize("text", ["closed'; DROP TABLE cases_case; --", "Closed", "", "a b"])
def test_only_a_code_can_be_written_into_the_sql(text):
    with pytest.raises(ValueError):
        Code(text)


def test_the_code_is_in_the_sql_text_not_a_parameter():
    sql, params = Case.objects.filter(open_cases_q()).query.sql_with_params()
    assert "'closed'" in sql and "closed" not in params


@pytest.mark.django_db
def test_one_of_matches_what_in_matches_with_one_parameter():
    cases = [make_case(title=f"Case {n}") for n in range(4)]
    wanted = [cases[0].pk, cases[2].pk, 10**9]
    assert set(Case.objects.filter(one_of("pk", wanted))) == {cases[0], cases[2]}
    assert not Case.objects.filter(one_of("pk", [])).exists()
    sql, params = Case.objects.filter(one_of("pk", wanted)).query.sql_with_params()
    assert len(params) == 1  # the whole list, however long, is one parameter
