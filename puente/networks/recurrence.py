"""What recurs within the hotline: "this number appears in N other cases".

An identifier (a phone in E.164, an e-mail, a handle, an address, a plate, an ad) is
matched on its normalised form, the one rule in `puente.cases.domain.persons`. A case
holds it when the case records it as an identifier (on a person, a business or the case
itself) or, for a phone, when a contact from that number is filed in the case.

Who sees what (the counts never change with the reader; only what is named does):
- someone who may read cases (case.view) sees the cases they may open — reference, title,
  a link — and a restricted case they may not open only as a number ("1 case you may not
  open"), never its reference: `puente.cases.access` is the rule;
- an analyst (network.view without case.view, see the comment above Role.ANALYST) works
  from identifiers and counts: the references of the cases that are not restricted, with
  no title (a title may name someone) and no link (they open no case file); every
  restricted case is counted, never shown;
- anyone else sees the count alone.

Speed: this runs as the advocate types, on millions of contacts. One query in the common
case (the window aggregate gives the count beside the first rows), a second only when a
restricted case turns up; both are answered from indexes (identifier_lookup_idx, which
holds the case id, contact_phone_idx and primary keys). bench/bench_recurrence.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.audit.keys import pseudonym
from puente.audit.models import AuditEntry
from puente.cases.access import OpenableCases
from puente.cases.domain.persons import normalise_identifier
from puente.cases.models import Case, Identifier
from puente.channels.models import InboundEmail
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.intake.models import Contact

# How many of the other cases are named; the rest are counted ("and 12 more").
SHOWN_CASES = 8

_CASE = Case._meta.db_table
_IDENTIFIER = Identifier._meta.db_table
_CONTACT = Contact._meta.db_table
_EMAIL = InboundEmail._meta.db_table

# The distinct cases holding the identifier: "id IN (one index's ids UNION the other's)"
# (an OR of two IN lists makes PostgreSQL scan every case). COUNT(*) OVER () and the
# restricted count ride along with the first rows, so the usual lookup is one query.
_HOLDERS_IDENTIFIER = f"SELECT case_id FROM {_IDENTIFIER} WHERE kind = %s AND normalised = %s"
_HOLDERS_PHONE = (
    _HOLDERS_IDENTIFIER
    + f" UNION SELECT case_id FROM {_CONTACT} WHERE phone = %s AND case_id IS NOT NULL"
)
# An e-mail address is also held by the cases its e-mails (contacts) were filed in.
_HOLDERS_EMAIL = (
    _HOLDERS_IDENTIFIER
    + f" UNION SELECT ct.case_id FROM {_EMAIL} em JOIN {_CONTACT} ct ON ct.id = em.contact_id"
    + " WHERE LOWER(em.from_address) = %s AND ct.case_id IS NOT NULL"
)
_CASES_SQL = """
SELECT cs.id, cs.reference, cs.title, cs.status, cs.restricted, cs.owner_id,
       COUNT(*) OVER () AS total,
       SUM(CASE WHEN cs.restricted THEN 1 ELSE 0 END) OVER () AS restricted_total
FROM {case} cs
WHERE cs.id IN ({holders}) AND cs.id <> %s
ORDER BY cs.restricted, cs.created_at DESC, cs.id DESC
LIMIT %s
"""
_RESTRICTED_SQL = """
SELECT cs.id, cs.owner_id FROM {case} cs
WHERE cs.id IN ({holders}) AND cs.id <> %s AND cs.restricted
"""


@dataclass(frozen=True)
class SeenCase:
    """Another case holding the identifier, as far as the reader may see it."""

    reference: str
    status: str
    title: str = ""  # only for a reader who may open the case
    openable: bool = False  # link to it

    @property
    def status_label(self) -> str:
        return c.label_for(c.CaseStatus, self.status)


@dataclass(frozen=True)
class Appearances:
    """Where an identifier appears besides the case at hand. `total` counts every other
    case, `hidden` those the reader may not open (counted, never named); `shown` names
    at most SHOWN_CASES of the rest, the restricted ones the reader may open last."""

    kind: str
    normalised: str  # "" when what was given is not (yet) a valid identifier of its kind
    total: int = 0
    hidden: int = 0
    shown: list[SeenCase] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.normalised)

    @property
    def more(self) -> int:
        """Cases the reader could see that are not listed (beyond SHOWN_CASES)."""
        return max(self.total - self.hidden - len(self.shown), 0)


def normalised_or_empty(*, kind: str, value: str) -> str:
    """The identifier's normalised form, or "" while it is incomplete or not of its kind
    (a half-typed number): the same rule as when an identifier is recorded."""
    if kind not in c.IdentifierKind.values:
        return ""
    try:
        return normalise_identifier(kind=kind, value=value)
    except ValidationError:
        return ""


class NetworkReader:
    """How much of another case `user` may see (the module docstring)."""

    def __init__(self, user: User) -> None:
        self.access = OpenableCases(user)
        self.reads_cases = self.access.may_view
        self.analyst = not self.reads_cases and bool(
            getattr(user, "is_authenticated", False) and user.can(Perm.NETWORK_VIEW)
        )

    def sees(self, case_id: int, *, restricted: bool, owner_id: int | None) -> bool:
        if self.reads_cases:
            return self.access.may_open(case_id, restricted=restricted, owner_id=owner_id)
        return self.analyst and not restricted


def appearances(
    *,
    kind: str,
    value_or_normalised: str,
    user: User,
    exclude_case: Case | int | None = None,
    shown: int = SHOWN_CASES,
) -> Appearances:
    """How many other cases (besides `exclude_case`) hold this identifier, which of them
    `user` may see, and how many are hidden from them. Nothing is written: the caller
    audits (`record_lookup`)."""
    normalised = normalised_or_empty(kind=kind, value=value_or_normalised)
    if not normalised:
        return Appearances(kind=kind, normalised="")
    exclude_id = exclude_case.pk if isinstance(exclude_case, Case) else (exclude_case or 0)
    if kind == c.IdentifierKind.PHONE:
        holders, params = _HOLDERS_PHONE, [kind, normalised, normalised]
    elif kind == c.IdentifierKind.EMAIL:
        holders, params = _HOLDERS_EMAIL, [kind, normalised, normalised]
    else:
        holders, params = _HOLDERS_IDENTIFIER, [kind, normalised]
    reader = NetworkReader(user)
    with connection.cursor() as cursor:
        cursor.execute(
            _CASES_SQL.format(case=_CASE, holders=holders), [*params, exclude_id, shown + 50]
        )
        rows = cursor.fetchall()
        if not rows:
            return Appearances(kind=kind, normalised=normalised)
        total, restricted_total = int(rows[0][6]), int(rows[0][7] or 0)
        if not reader.reads_cases:
            hidden = restricted_total if reader.analyst else total
        elif restricted_total:
            # Few rows: only the restricted cases holding this identifier.
            cursor.execute(
                _RESTRICTED_SQL.format(case=_CASE, holders=holders), [*params, exclude_id]
            )
            hidden = sum(
                not reader.sees(case_id, restricted=True, owner_id=owner_id)
                for case_id, owner_id in cursor.fetchall()
            )
        else:
            hidden = 0
    seen = [
        SeenCase(
            reference=reference,
            status=status,
            title=title if reader.reads_cases else "",
            openable=reader.reads_cases,
        )
        for case_id, reference, title, status, restricted, owner_id, *_totals in rows
        if reader.sees(case_id, restricted=bool(restricted), owner_id=owner_id)
    ][:shown]
    return Appearances(kind=kind, normalised=normalised, total=total, hidden=hidden, shown=seen)


def appearances_for_case(*, case: Case, user: User) -> dict[int, Appearances]:
    """For each identifier recorded in `case` (by id): where else it appears. One lookup
    per distinct identifier (a case holds a handful)."""
    identifiers = list(Identifier.objects.filter(case=case).values_list("pk", "kind", "normalised"))
    found: dict[tuple[str, str], Appearances] = {}
    result: dict[int, Appearances] = {}
    for pk, kind, normalised in identifiers:
        key = (kind, normalised)
        if key not in found:
            found[key] = appearances(
                kind=kind, value_or_normalised=normalised, user=user, exclude_case=case
            )
        result[pk] = found[key]
    return result


# An identical lookup by the same person within this window is not written again: the
# hint reloads as the advocate types, and the phone lookup beside it has just written
# the same number (same object type and pseudonym), so the intake hint adds no entry.
AUDIT_REPEAT_WINDOW = timedelta(minutes=10)
_RECENT_ENTRIES = 20


def _recently_recorded(*, user: User, action: str, object_type: str, object_ref: str) -> bool:
    since = timezone.now() - AUDIT_REPEAT_WINDOW
    # The person's newest entries, read backwards along audit_actor_idx: a few rows.
    recent = AuditEntry.objects.filter(actor=user).order_by("-id")[:_RECENT_ENTRIES]
    return any(
        entry.action == action
        and entry.object_type == object_type
        and entry.object_ref == object_ref
        and entry.at >= since
        for entry in recent.only("action", "object_type", "object_ref", "at")
    )


def audit_object_type(kind: str) -> str:
    # A phone is audited exactly as the phone lookup audits it, so the two are one trail.
    # Other kinds get their own type: "identifier" names the cases app's rows.
    return "phone" if kind == c.IdentifierKind.PHONE else "recurring_identifier"


def record_lookup(
    *, user: User, found: Appearances, request: HttpRequest | None = None, where: str = "intake"
) -> bool:
    """Audit that `user` asked where an identifier appears (the identifier itself goes in
    the purgeable content, a pseudonym in the chained reference), unless they asked the
    same within AUDIT_REPEAT_WINDOW. Returns whether an entry was written."""
    if not found.valid:
        return False
    object_type = audit_object_type(found.kind)
    object_ref = pseudonym(found.kind, found.normalised)
    if _recently_recorded(
        user=user, action="lookup", object_type=object_type, object_ref=object_ref
    ):
        return False
    record_event(
        action="lookup",
        actor=user,
        object_type=object_type,
        object_ref=object_ref,
        changes=[
            {
                "field": "number" if object_type == "phone" else "value",
                "old": None,
                "new": found.normalised,
            }
        ],
        reason=f"{where}: {found.total} cases, {found.hidden} not openable",
        request=request,
    )
    return True


def record_case_lookup(
    *, user: User, case: Case, found: Iterable[Appearances], request: HttpRequest | None = None
) -> bool:
    """Audit, once per case page (and not again within AUDIT_REPEAT_WINDOW), that `user`
    was shown where the case's identifiers recur."""
    if _recently_recorded(
        user=user, action="lookup", object_type="case", object_ref=case.reference
    ):
        return False
    unique = {(a.kind, a.normalised): a for a in found if a.valid}
    recurring = [a for a in unique.values() if a.total]
    record_event(
        action="lookup",
        actor=user,
        obj=case,
        reason=(
            f"recurring identifiers: {len(recurring)} of {len(unique)}, "
            f"in {sum(a.total for a in recurring)} other case entries"
        ),
        request=request,
    )
    return True
