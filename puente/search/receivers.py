"""The index follows what the cases and intake apps announce once a change commits."""

from __future__ import annotations

from typing import Any

from puente.cases.signals import case_changed
from puente.intake.signals import contact_changed
from puente.search import indexing


def on_case_changed(*, case_id: int, **_: Any) -> None:
    indexing.reindex_case(case_id)


def on_contact_changed(*, contact_id: int, **_: Any) -> None:
    indexing.reindex_contact(contact_id)


def connect() -> None:
    case_changed.connect(on_case_changed, dispatch_uid="puente.search.case")
    contact_changed.connect(on_contact_changed, dispatch_uid="puente.search.contact")
