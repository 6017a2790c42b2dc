"""Cases leaving for good, under the retention rules (`puente.retention` decides which).

A purged case takes with it everything that hangs off it: people, identifiers,
locations, tasks, notes, access grants, break-glass records, and the screenings and
referrals the apps above record against it (their keys cascade). Its contacts belong to
the intake app, which purges them first. The case counter is left alone: a reference,
once given, is never given again, so an old reference in a letter or the audit trail can
never come to mean another case.
"""

from __future__ import annotations

from collections.abc import Collection

from puente.cases.models import Case
from puente.core.purging import Deleted, delete_with_dependents


def purge_cases(*, case_ids: Collection[int]) -> Deleted:
    """Delete these cases and everything that cascades from them; return the ids of every
    row deleted, by model name, so the caller can forget their audit content. No
    permission check and no audit entry here: the caller chose them and audits counts."""
    return delete_with_dependents(queryset=Case.objects.filter(pk__in=list(case_ids)))
