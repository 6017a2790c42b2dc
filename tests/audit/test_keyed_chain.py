"""The keyed chain (issue 10, item 4): HMAC under a key the database never sees, the
chain's signed head, key rotation, entries from before the key, and anchors kept off the
machine — each shown against the rewrite it stops."""

from __future__ import annotations

import hashlib
import hmac
import json
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from puente.audit import domain
from puente.audit.domain import (
    GENESIS,
    compute_hash,
    record_event,
    verify_anchors,
    verify_chain,
)
from puente.audit.keys import AuditKey, key_from_text, known_keys, signing_key
from puente.audit.models import AuditEntry, ChainHead
from puente.core.checks import insecure_configuration_reasons
from tests.audit.legacy import make_legacy_entries
from tests.conftest import TEST_AUDIT_KEY
from tests.factories import make_user

OTHER_KEY = "Zk4-pQ9_wE2rT7yU1iO6aS3dF8gH0jK5lM-nB4vC9xZ2qW7eR1tY6uI3oP8aS5dF"
GUESSED_KEY = "an attacker's guess at the audit key, long enough to pass"


def entries(n: int) -> list[AuditEntry]:
    user = make_user()
    return [
        record_event(
            action="change",
            actor=user,
            object_type="case",
            object_id=n,
            changes=[{"field": "summary", "old": f"before {n}", "new": f"after {n}"}],
            reason=f"edit {n}",
        )
        for n in range(n)
    ]


def run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def recompute_after(entry_id: int, *, key: AuditKey) -> None:
    """What an attacker with database access does after removing entry `entry_id`: chain
    every later entry onto the one before it again, with the app's own hashing, and point
    the head at the new end."""
    prev = AuditEntry.objects.filter(id__lt=entry_id).order_by("-id").first()
    prev_hash = prev.hash if prev else GENESIS
    for entry in AuditEntry.objects.filter(id__gt=entry_id).order_by("id"):
        new_hash = compute_hash(entry, prev_hash, key=key)
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=prev_hash, hash=new_hash)
        prev_hash = new_hash
    ChainHead.objects.filter(pk=1).update(
        hash=prev_hash, mac=key.mac("head:" + prev_hash), key_id=key.id
    )


# --- Keyed links ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_link_is_an_hmac_under_the_configured_key_whose_id_it_records():
    first, second = entries(2)
    key = signing_key()
    for entry, prev in ((first, GENESIS), (second, first.hash)):
        entry.refresh_from_db()
        assert entry.key_id == key.id and len(key.id) == 12
        expected = hmac.new(
            TEST_AUDIT_KEY.encode(), (prev + domain._canonical(entry)).encode(), hashlib.sha256
        ).hexdigest()
        # On PostgreSQL the database computed it, in the append statement itself.
        assert entry.hash == expected
        assert entry.hash != hashlib.sha256((prev + domain._canonical(entry)).encode()).hexdigest()
    head = ChainHead.objects.get(pk=1)
    assert head.hash == second.hash and head.mac == key.mac("head:" + second.hash)
    assert verify_chain().ok


def test_the_padded_keys_give_the_same_hmac_as_the_standard_library():
    for text in (TEST_AUDIT_KEY, "k" * 200):  # a key longer than the block is hashed first
        key = AuditKey(text.encode())
        opad, ipad = key.pads()
        inner = hashlib.sha256(ipad + b"message").digest()
        assert hashlib.sha256(opad + inner).hexdigest() == key.mac("message")


@pytest.mark.django_db
def test_without_a_key_nothing_is_written_and_serve_refuses(settings):
    settings.PUENTE_AUDIT_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="PUENTE_AUDIT_KEY is not set"):
        record_event(action="login", actor_name="ana")
    assert not AuditEntry.objects.exists()
    assert any("PUENTE_AUDIT_KEY is missing" in r for r in insecure_configuration_reasons(settings))
    settings.PUENTE_AUDIT_KEY = "short"
    assert any(
        "PUENTE_AUDIT_KEY is too short" in r for r in insecure_configuration_reasons(settings)
    )
    with pytest.raises(ImproperlyConfigured, match="too short"):
        signing_key()


@pytest.mark.django_db
def test_an_edited_description_or_content_is_named():
    _first, second, third = entries(3)
    AuditEntry.objects.filter(pk=second.pk).update(actor_name="someone else")
    assert verify_chain().first_broken_id == second.pk
    AuditEntry.objects.filter(pk=second.pk).update(actor_name=second.actor_name)
    assert verify_chain().ok
    AuditEntry.objects.filter(pk=third.pk).update(reason="nothing to see")
    result = verify_chain()
    assert result.first_broken_id == third.pk and "edited" in result.problem


# --- (a) The newest entries removed and the head moved back --------------------------------


@pytest.mark.django_db
def test_removing_the_newest_entries_and_moving_the_head_back_is_caught(tmp_path):
    made = entries(5)
    anchors = tmp_path / "anchors.jsonl"
    assert run("anchor", "--out", str(anchors))[0] == 0
    # The attacker removes the two newest entries and points the head at the new end —
    # but cannot sign the head without the key.
    AuditEntry.objects.filter(pk__in=[made[3].pk, made[4].pk]).delete()
    ChainHead.objects.filter(pk=1).update(previous=made[1].hash, hash=made[2].hash)
    result = verify_chain()
    assert not result.ok and result.first_broken_id == made[2].pk
    assert "head does not carry a valid signature" in result.problem
    code, _out, err = run("verify")
    assert code == 1 and f"BROKEN at entry #{made[2].pk}" in err

    # With a stolen key the head can be signed again: the chain alone then verifies,
    # and the anchor written before the cut is what catches it.
    key = signing_key()
    ChainHead.objects.filter(pk=1).update(mac=key.mac("head:" + made[2].hash))
    assert verify_chain().ok
    code, _out, err = run("verify", "--anchors", str(anchors))
    assert code == 1
    assert f"Audit trail BROKEN at entry #{made[4].pk}: is anchored but missing" in err


@pytest.mark.django_db
def test_removing_the_head_row_too_is_caught():
    made = entries(3)
    AuditEntry.objects.filter(pk=made[2].pk).delete()
    ChainHead.objects.all().delete()
    result = verify_chain()
    assert not result.ok and result.first_broken_id == made[1].pk
    assert "head is missing" in result.problem


# --- (b) An entry removed and every later one recomputed -----------------------------------


@pytest.mark.django_db
def test_removing_an_entry_and_recomputing_the_rest_needs_the_key(tmp_path):
    made = entries(6)
    anchors = tmp_path / "anchors"
    anchors.mkdir()
    (anchors / "monday.jsonl").write_text(domain.anchor_line(domain.anchor()) + "\n")

    AuditEntry.objects.filter(pk=made[2].pk).delete()
    # Without the key: the app's own hashing under any other key fails at once.
    recompute_after(made[2].pk, key=AuditKey(GUESSED_KEY.encode()))
    result = verify_chain()
    assert not result.ok and result.first_broken_id == made[3].pk
    assert "edited" in result.problem

    # With the stolen key the recomputed chain verifies on its own; the anchor does not.
    recompute_after(made[2].pk, key=signing_key())
    assert verify_chain().ok
    monday = domain.parse_anchor_line((anchors / "monday.jsonl").read_text().strip())
    result = verify_anchors(anchors=[monday])
    assert not result.ok and result.first_broken_id == made[5].pk
    assert "differs from its anchor" in result.problem
    code, _out, err = run("verify", "--anchors", str(anchors))
    assert code == 1 and f"BROKEN at entry #{made[5].pk}: its hash differs" in err


# --- Rotation ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rotated_key_keeps_old_entries_verifiable_while_it_is_listed(settings):
    old_key = signing_key()
    before = entries(2)
    settings.PUENTE_AUDIT_KEY = OTHER_KEY
    settings.PUENTE_AUDIT_OLD_KEYS = [TEST_AUDIT_KEY]
    after = record_event(action="login", actor_name="ana")
    assert after.key_id == key_from_text(OTHER_KEY).id != old_key.id
    assert after.prev_hash == before[-1].hash
    assert set(known_keys()) == {old_key.id, after.key_id}
    assert verify_chain().ok

    settings.PUENTE_AUDIT_OLD_KEYS = []
    result = verify_chain()
    assert not result.ok and result.first_broken_id == before[0].pk
    assert f"audit key '{old_key.id}', which is not configured" in result.problem


# --- Entries from before the key -----------------------------------------------------------


@pytest.mark.django_db
def test_legacy_entries_stay_verifiable_and_the_first_keyed_entry_covers_them():
    legacy = make_legacy_entries(3)
    keyed = record_event(action="login", actor_name="ana")
    assert keyed.prev_hash == legacy[-1].hash
    result = verify_chain()
    assert result.ok and result.checked == 4 and result.legacy == 3
    code, out, _err = run("verify")
    assert code == 0 and "3 of them were written before the trail was keyed" in out

    # Editing a legacy entry is still named.
    AuditEntry.objects.filter(pk=legacy[1].pk).update(reason="edited")
    assert verify_chain().first_broken_id == legacy[1].pk
    # Rewriting the whole legacy part consistently (plain SHA-256 needs no key) breaks
    # the first keyed entry, whose HMAC covers the last legacy hash.
    prev = GENESIS
    for entry in AuditEntry.objects.filter(key_id="").order_by("id"):
        new_hash = compute_hash(entry, prev)
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=prev, hash=new_hash)
        prev = new_hash
    assert verify_chain().first_broken_id == keyed.pk


@pytest.mark.django_db
def test_an_unkeyed_entry_after_keyed_ones_is_a_rewrite():
    first, second = entries(2)
    # Downgrading the newest entry to plain SHA-256 needs no key; it must not pass.
    entry = AuditEntry.objects.get(pk=second.pk)
    entry.key_id = entry.content_digest = ""
    AuditEntry.objects.filter(pk=second.pk).update(
        key_id="", content_digest="", hash=compute_hash(entry, first.hash)
    )
    ChainHead.objects.filter(pk=1).update(hash=compute_hash(entry, first.hash))
    result = verify_chain()
    assert not result.ok and result.first_broken_id == second.pk
    assert "unkeyed" in result.problem


# --- Anchors -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anchor_writes_the_head_as_one_json_line(tmp_path):
    made = entries(2)
    code, out, _err = run("anchor")
    line = json.loads(out)
    assert code == 0 and line["id"] == made[1].pk and line["hash"] == made[1].hash
    assert line["at"].startswith(str(made[1].at.year))
    target = tmp_path / "anchors.jsonl"
    run("anchor", "--out", str(target))
    record_event(action="logout", actor_name="ana")
    run("anchor", "--out", str(target))
    lines = target.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["id"] == made[1].pk
    code, out, _err = run("verify", "--anchors", str(target))
    assert code == 0 and "Anchors matched: 2 of 2." in out


@pytest.mark.django_db
def test_anchoring_an_empty_trail_is_refused():
    with pytest.raises(CommandError, match="nothing to anchor"):
        call_command("audit", "anchor", stdout=StringIO())


@pytest.mark.django_db
def test_unreadable_anchors_are_the_operators_mistake_not_a_broken_trail(tmp_path):
    entries(1)
    with pytest.raises(CommandError, match="No anchors at"):
        call_command("audit", "verify", "--anchors", str(tmp_path / "missing"), stdout=StringIO())
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "hash": "abc"}\n')
    with pytest.raises(CommandError, match="bad.jsonl:1 is not an anchor line"):
        call_command("audit", "verify", "--anchors", str(bad), stdout=StringIO())


@pytest.mark.django_db
def test_the_head_is_signed_on_both_databases_from_a_fresh_start():
    """A database restored without its head row: the next entry seeds it from the newest
    entry and signs it (PostgreSQL: in the same statement)."""
    made = entries(2)
    ChainHead.objects.all().delete()
    third = record_event(action="logout", actor_name="ana")
    assert third.prev_hash == made[1].hash
    head = ChainHead.objects.get(pk=1)
    assert head.mac == signing_key().mac("head:" + third.hash)
    assert verify_chain().ok
    assert connection.vendor in {"sqlite", "postgresql"}
