"""Purging audit content under the retention rules (issue 10, item 5): the diffs and
reasons go, who did what to which record and when stays, and the chain still proves it."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from puente.accounts.roles import Role
from puente.audit.domain import (
    _SEAL_BROKEN,
    forget_content,
    forget_content_before,
    record_event,
    verify_chain,
)
from puente.audit.keys import signing_key
from puente.audit.models import AuditEntry
from tests.audit.legacy import make_legacy_entries
from tests.conftest import signed_in_client
from tests.factories import make_case, make_user


def note(case_id: int, body: str, **extra) -> AuditEntry:
    return record_event(
        action="create",
        actor_name="ana",
        object_type="casenote",
        object_id=case_id,
        object_ref="US-2025-000001",
        changes=[{"field": "body", "old": None, "new": body}],
        reason="note added",
        **extra,
    )


@pytest.mark.django_db
def test_forget_content_removes_changes_and_reason_of_those_objects_only():
    first = note(1, "Rosa is staying at the shelter on Elm St")
    second = record_event(
        action="change",
        actor_name="ben",
        object_type="casenote",
        object_id="2",
        changes=[{"field": "body", "old": "Maria", "new": "Maria L."}],
    )
    other_type = record_event(
        action="change", actor_name="ana", object_type="case", object_id=1, reason="kept"
    )
    nothing_to_lose = record_event(action="view", actor_name="ana", object_type="casenote",
                                   object_id=1)  # fmt: skip
    untouched = note(3, "Another survivor's note")

    assert forget_content(object_type="casenote", object_ids=[1, "2"]) == 2

    for entry in (first, second):
        entry.refresh_from_db()
        assert entry.changes is None and entry.reason == ""
        assert entry.content_removed_at is not None
        # Who, what, when and on what stay.
        assert entry.actor_name in {"ana", "ben"} and entry.object_type == "casenote"
    for entry in (other_type, untouched, nothing_to_lose):
        entry.refresh_from_db()
        assert entry.content_removed_at is None
    assert untouched.changes[0]["new"] == "Another survivor's note"
    assert other_type.reason == "kept"
    assert verify_chain().ok
    # Again: nothing left to lose.
    assert forget_content(object_type="casenote", object_ids=[1, 2]) == 0
    assert forget_content(object_type="casenote", object_ids=[]) == 0


@pytest.mark.django_db
def test_forget_content_before_a_date_and_of_some_types():
    old = note(1, "old note")
    old_case = record_event(action="change", actor_name="ana", object_type="case", reason="x")
    AuditEntry.objects.filter(pk__in=[old.pk, old_case.pk]).update(
        at=timezone.now() - timedelta(days=400)
    )
    # Moving `at` breaks those links; this test is about which rows are purged.
    recent = note(2, "recent note")
    cutoff = timezone.now() - timedelta(days=365)
    assert forget_content_before(before=cutoff, object_types=["casenote"]) == 1
    assert AuditEntry.objects.get(pk=old_case.pk).reason == "x"
    assert forget_content_before(before=cutoff) == 1
    assert AuditEntry.objects.get(pk=recent.pk).content_removed_at is None


@pytest.mark.django_db
def test_a_purged_entry_is_still_proven_and_still_tamper_evident():
    first = note(1, "Rosa")
    second = note(2, "Maria")
    forget_content(object_type="casenote", object_ids=[1])
    assert verify_chain().ok
    AuditEntry.objects.filter(pk=first.pk).update(actor_name="someone else")
    result = verify_chain()
    assert result.first_broken_id == first.pk and "edited" in result.problem
    AuditEntry.objects.filter(pk=first.pk).update(actor_name="ana")
    # Content put back (or made up) after the purge no longer matches the digest.
    AuditEntry.objects.filter(pk=second.pk).update(reason="made up")
    assert verify_chain().first_broken_id == second.pk


@pytest.mark.django_db
def test_the_digest_left_behind_cannot_confirm_a_guess():
    entry = note(1, "Rosa")
    forget_content(object_type="casenote", object_ids=[1])
    entry.refresh_from_db()
    guess = json.dumps(
        {"changes": [{"field": "body", "old": None, "new": "Rosa"}], "reason": "note added"},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    # Keyed: without the audit key the digest says nothing about the content.
    assert entry.content_digest != hashlib.sha256(guess.encode()).hexdigest()
    assert entry.content_digest == signing_key().mac("content:" + guess)


@pytest.mark.django_db
def test_legacy_entries_are_sealed_when_purged_and_stay_verifiable():
    legacy = make_legacy_entries(3)
    record_event(action="login", actor_name="ana")
    assert forget_content(object_type="case", object_ids=[legacy[1].object_id]) == 1
    purged = AuditEntry.objects.get(pk=legacy[1].pk)
    assert purged.changes is None and purged.seal.startswith(signing_key().id + ":")
    assert verify_chain().ok
    AuditEntry.objects.filter(pk=purged.pk).update(object_ref="US-2020-999999")
    assert verify_chain().first_broken_id == purged.pk


@pytest.mark.django_db
def test_a_legacy_entry_edited_before_its_purge_stays_broken():
    legacy = make_legacy_entries(2)
    AuditEntry.objects.filter(pk=legacy[0].pk).update(reason="doctored")
    assert forget_content(object_type="case", object_ids=[legacy[0].object_id]) == 1
    assert AuditEntry.objects.get(pk=legacy[0].pk).seal == _SEAL_BROKEN
    result = verify_chain()
    assert result.first_broken_id == legacy[0].pk and "edited" in result.problem


@pytest.mark.django_db
def test_the_database_refuses_half_removed_content():
    entry = note(1, "Rosa")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(content_removed_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(content_digest="")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(changes=None)


@pytest.mark.django_db
def test_the_audit_page_says_the_content_was_removed(supervisor):
    case = make_case(created_by=supervisor)
    record_event(action="change", actor=supervisor, obj=case, reason="Caller named Rosa")
    forget_content(object_type="case", object_ids=[case.pk])
    page = signed_in_client(make_user(Role.SUPERVISOR)).get("/audit/")
    assert "Content removed under the retention rules." in page.text
    assert "Caller named Rosa" not in page.text
