"""Case rules: opening, numbering, changing, the status workflow, the people and
identifiers in a case, tasks, notes, restriction and break-glass access.

`open_case` and `next_reference` are the contract other apps rely on. Every write here
is audited and, once committed, re-indexes the case for search. One module per subject;
callers use the package (`from puente.cases import domain; domain.open_case(...)`).
"""

from puente.cases.domain.cases import (
    CASE_EDITABLE,
    CASE_MULTISELECTS,
    REOPEN_PERM,
    TRANSITIONS,
    S,
    allowed_transitions,
    change_status,
    check_transition,
    next_reference,
    open_case,
    update_case,
)
from puente.cases.domain.common import clean_codes, clean_countries
from puente.cases.domain.persons import (
    PERSON_EDITABLE,
    PERSON_FIELDS,
    PERSON_MULTISELECTS,
    add_identifier,
    add_person,
    normalise_identifier,
    update_person,
)
from puente.cases.domain.purging import purge_cases
from puente.cases.domain.restriction import (
    BREAK_GLASS_HOURS,
    BREAK_GLASS_MIN_REASON,
    break_glass,
    grant_access,
    restrict_case,
    review_break_glass,
    revoke_access,
    unrestrict_case,
)
from puente.cases.domain.tasks_and_notes import add_location, add_note, add_task, complete_task

__all__ = [
    "BREAK_GLASS_HOURS",
    "BREAK_GLASS_MIN_REASON",
    "CASE_EDITABLE",
    "CASE_MULTISELECTS",
    "PERSON_EDITABLE",
    "PERSON_FIELDS",
    "PERSON_MULTISELECTS",
    "REOPEN_PERM",
    "TRANSITIONS",
    "S",
    "add_identifier",
    "add_location",
    "add_note",
    "add_person",
    "add_task",
    "allowed_transitions",
    "break_glass",
    "change_status",
    "check_transition",
    "clean_codes",
    "clean_countries",
    "complete_task",
    "grant_access",
    "next_reference",
    "normalise_identifier",
    "open_case",
    "purge_cases",
    "restrict_case",
    "review_break_glass",
    "revoke_access",
    "unrestrict_case",
    "update_case",
    "update_person",
]
