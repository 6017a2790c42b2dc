"""`puente purge`: the dry run lists and changes nothing; the real run prints progress
per batch and deletes."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from puente.intake.models import Contact
from puente.retention.models import PurgeRun
from tests.factories import make_contact

pytestmark = pytest.mark.django_db


def _purge(*args: str) -> str:
    out = StringIO()
    call_command("purge", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_contacts():
    now = timezone.now()
    return [make_contact(started_at=now - timedelta(days=4000 + i)) for i in range(5)]


def test_dry_run_lists_counts_and_dates_and_deletes_nothing(old_contacts):
    output = _purge("--dry-run")
    oldest = timezone.localtime(old_contacts[-1].started_at).strftime("%Y-%m-%d")
    newest = timezone.localtime(old_contacts[0].started_at).strftime("%Y-%m-%d")
    assert "Dry run: nothing is deleted." in output
    assert "Contacts never linked to a case (unlinked_contacts), before " in output
    assert f"5 due, oldest {oldest}, newest {newest}" in output
    assert "Closed cases (closed_cases)" in output and "0 due" in output
    assert "not counted here" in output  # the exchange's categories
    assert Contact.objects.count() == 5
    assert PurgeRun.objects.get().dry_run is True


def test_purge_prints_progress_per_batch_and_deletes(old_contacts):
    output = _purge("--batch-size", "2", "--category", "unlinked_contacts")
    assert "unlinked_contacts: batch 1, 2 of 5 purged" in output
    assert "unlinked_contacts: batch 3, 5 of 5 purged" in output
    assert "5 records deleted" in output
    assert Contact.objects.count() == 0
    assert list(PurgeRun.objects.get().counts) == ["unlinked_contacts"]


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(CommandError):
        _purge("--batch-size", "0")
