from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from puente.audit.domain import GENESIS, VerifyResult, compute_hash, record_event, verify_chain
from puente.audit.models import AuditEntry, ChainHead
from tests.factories import make_user


def three_entries() -> list[AuditEntry]:
    user = make_user()
    return [
        record_event(action="login", actor=user),
        record_event(
            action="view", actor=user, object_type="case", object_id=7, object_ref="C-2025-0007"
        ),
        record_event(
            action="change",
            actor=user,
            object_type="case",
            object_id=7,
            changes=[{"field": "status", "old": "new", "new": "active"}],
            reason="caller confirmed",
        ),
    ]


def run_verify() -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_each_entry_chains_onto_the_one_before():
    first, second, third = three_entries()
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert third.hash == compute_hash(third, second.hash)
    assert verify_chain() == verify_chain().__class__(ok=True, checked=3)


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_app():
    entry = three_entries()[0]
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


@pytest.mark.django_db
def test_an_edited_entry_is_named():
    _first, second, _third = three_entries()
    AuditEntry.objects.filter(pk=second.pk).update(reason="x")
    result = verify_chain()
    assert not result.ok and result.first_broken_id == second.pk and result.checked == 1
    assert "edited" in result.problem


@pytest.mark.django_db
def test_a_removed_entry_breaks_the_chain_at_the_next_one():
    _first, second, third = three_entries()
    # Bypass the model's guard, as someone with database access would.
    AuditEntry.objects.filter(pk=second.pk).delete()
    result = verify_chain()
    assert not result.ok and result.first_broken_id == third.pk
    assert "removed or reordered" in result.problem


@pytest.mark.django_db
def test_verify_walks_past_batch_boundaries():
    three_entries()
    assert verify_chain(batch_size=2).checked == 3


@pytest.mark.django_db
def test_verify_command_reports_an_intact_trail():
    three_entries()
    code, out, _err = run_verify()
    assert code == 0
    assert "Audit trail intact: 3 entries verified." in out


@pytest.mark.django_db
def test_verify_command_on_an_empty_trail():
    code, out, _err = run_verify()
    assert code == 0 and "Audit trail intact: 0 entries verified." in out


@pytest.mark.django_db
def test_verify_command_exits_1_and_names_the_broken_entry():
    _first, _second, third = three_entries()
    AuditEntry.objects.filter(pk=third.pk).update(actor_name="someone else")
    code, out, err = run_verify()
    assert code == 1
    assert f"Audit trail BROKEN at entry #{third.pk}: its content does not match its hash" in err
    assert "intact" not in out


@pytest.mark.django_db
def test_removing_the_newest_entries_is_named_by_the_chains_head():
    first, second, third = three_entries()
    AuditEntry.objects.filter(pk__in=[second.pk, third.pk]).delete()
    result = verify_chain()
    assert not result.ok and result.first_broken_id == first.pk and result.checked == 1
    assert "removed" in result.problem
    # Writing on does not paper over the gap: the next entry chains onto the removed one.
    fourth = record_event(action="login", actor=first.actor)
    assert fourth.prev_hash == third.hash
    assert verify_chain().first_broken_id == fourth.pk


@pytest.mark.django_db
def test_removing_every_entry_is_named_too():
    three_entries()
    AuditEntry.objects.all().delete()
    code, _out, err = run_verify()
    assert code == 1 and "Audit trail BROKEN: every entry was removed" in err


@pytest.mark.django_db
def test_a_trail_written_before_the_head_existed_carries_on_from_its_newest_entry():
    _first, _second, third = three_entries()
    ChainHead.objects.all().delete()  # a database restored from a dump of the trail alone
    fourth = record_event(action="logout", actor=third.actor)
    assert fourth.prev_hash == third.hash
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    """Eight request threads writing at once: every entry chains onto exactly one
    predecessor and the trail verifies (PostgreSQL: the head row's lock; SQLite: one
    writer at a time)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "the in-memory test database shares one cache between threads and refuses a "
            "second writer at once instead of queueing it as a database file does"
        )
    user = make_user()

    def write(n: int) -> None:
        try:
            for i in range(15):
                record_event(action="view", actor=user, object_type="case", object_id=n * 100 + i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))
    entries = list(AuditEntry.objects.order_by("id"))
    assert len(entries) == 120
    assert len({e.prev_hash for e in entries}) == 120  # no two entries share a predecessor
    assert verify_chain() == VerifyResult(ok=True, checked=120)
