"""Audit entries as the trail held them before it was keyed, for tests of the upgrade."""

from __future__ import annotations

from django.utils import timezone

from puente.audit.domain import GENESIS, compute_hash
from puente.audit.models import AuditEntry, ChainHead


def make_legacy_entries(n: int) -> list[AuditEntry]:
    """Entries as the trail held them before it was keyed: plain SHA-256 over the content."""
    made = []
    prev = ChainHead.objects.filter(pk=1).values_list("hash", flat=True).first() or GENESIS
    for i in range(n):
        entry = AuditEntry(
            at=timezone.now(),
            actor_name="ana",
            action="change",
            object_type="case",
            object_id=str(100 + i),
            changes=[{"field": "summary", "old": "", "new": f"Rosa lives at {i} Elm St"}],
            reason="legacy",
            via="web",
            prev_hash=prev,
        )
        entry.hash = compute_hash(entry, prev)
        entry.save(force_insert=True)
        prev = entry.hash
        made.append(entry)
    ChainHead.objects.update_or_create(pk=1, defaults={"previous": "", "hash": prev})
    return made
