"""`puente networks link` and the worker's matching tasks."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from puente.accounts.roles import Role
from puente.networks import linkage_tasks
from puente.networks.models import PersonLink
from puente.networks.models.linkage import LinkageRun, LinkageRunStatus
from tests.factories import make_user
from tests.networks.test_linkage_recovery import three_records  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_command_matches_and_says_what_it_found(three_records):  # noqa: F811
    analyst = make_user(Role.ANALYST, username="rita")
    out = StringIO()
    call_command("networks", "link", "--as", "rita", stdout=out)
    assert "persons compared, 3 pairs proposed (match probability ≥ 0.9)" in out.getvalue()
    run = LinkageRun.objects.get()
    assert (run.started_by, run.status, run.pairs_proposed) == (analyst, "done", 3)
    assert PersonLink.objects.count() == 3


def test_the_command_refuses_someone_who_may_not_review_and_a_bad_threshold(db):
    make_user(Role.ADVOCATE, username="ana")
    with pytest.raises(CommandError, match="needs link.review"):
        call_command("networks", "link", "--as", "ana")
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("networks", "link", "--threshold", "3")
    assert not LinkageRun.objects.exists()


def test_the_worker_runs_a_queued_run_once(three_records):  # noqa: F811
    analyst = make_user(Role.ANALYST)
    run = LinkageRun.objects.create(started_by=analyst, threshold=0.9)
    result = linkage_tasks.link_persons.call(run.pk)
    assert result == {"run": run.pk, "status": "done", "proposed": 3}
    again = linkage_tasks.link_persons.call(run.pk)
    assert again == {"run": run.pk, "status": LinkageRunStatus.DONE}
    nightly = linkage_tasks.link_persons_nightly.call()
    assert nightly["status"] == "done"
    assert LinkageRun.objects.count() == 2
