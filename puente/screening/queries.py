"""Reads for screening: which protocol applies, the latest screening of a subject."""

from __future__ import annotations

from puente.cases.models import Case, Person
from puente.core.choices import PersonRole
from puente.intake.models import Contact
from puente.screening.models import Protocol, Screening


def protocol_for(*, reason: str, signaler_type: str = "") -> Protocol | None:
    """The most specific protocol: the one for this reason *and* this signaler, else the
    one for this reason and any signaler."""
    candidates = {
        p.signaler_type: p
        for p in Protocol.objects.filter(reason=reason, signaler_type__in={signaler_type or "", ""})
    }
    return candidates.get(signaler_type or "") or candidates.get("")


def latest_screening(
    *, contact: Contact | None = None, case: Case | None = None
) -> Screening | None:
    qs = Screening.objects.select_related("screened_by")
    if contact is not None:
        qs = qs.filter(contact=contact)
    if case is not None:
        qs = qs.filter(case=case)
    return qs.order_by("-created_at", "-id").first()


def persons_to_screen(*, case: Case) -> list[Person]:
    """The case's potential victims: a screening is about one of them."""
    return [
        p
        for p in Person.objects.filter(case=case).order_by("id")
        if PersonRole.POTENTIAL_VICTIM in (getattr(p, "roles", None) or [getattr(p, "role", "")])
    ]
