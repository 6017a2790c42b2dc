"""Keeps the search index (SearchEntry) in step with contacts and cases.

The cases and intake apps announce a committed change (`case_changed`, `contact_changed`)
and `puente/search/apps.py` connects them to `reindex_case` / `reindex_contact`; bulk
loaders (demo data, imports) call `rebuild_index`. The text is folded — lower case,
accents removed — in Python, identically for both databases, so "Sánchez", "SANCHEZ"
and "sanchez" are one word everywhere and PostgreSQL needs no `unaccent` extension.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterator
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import Model, QuerySet

from puente.cases.models import Case
from puente.intake.models import Contact
from puente.search import fts
from puente.search.models import SearchEntry

_M = TypeVar("_M", bound=Model)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def phone_words(e164: str) -> list[str]:
    """A number is findable as +17135550142, 17135550142 or 7135550142."""
    if not e164:
        return []
    digits = e164.lstrip("+")
    words = [digits]
    if e164.startswith("+1") and len(digits) == 11:
        words.append(digits[1:])
    elif e164.startswith("+52") and len(digits) == 12:
        words.append(digits[2:])
    return words


def _by_id(row: Model) -> int:
    return row.pk


def _case_text(case: Case) -> str:
    parts: list[str] = [case.reference, case.reference.replace("-", " "), case.title, case.summary]
    for person in case.persons.all():
        parts += [person.first_name, person.last_name, person.alias]
    # Identifiers and locations have no natural order; by id, so the text is the same
    # on every database and the generator can write it without asking.
    for identifier in sorted(case.identifiers.all(), key=_by_id):
        parts.append(identifier.value)
        parts += (
            phone_words(identifier.normalised)
            if identifier.kind == "phone"
            else [identifier.normalised]
        )
    parts += [location.city for location in sorted(case.locations.all(), key=_by_id)]
    parts += [note.body for note in case.notes.all()]
    return fold(" ".join(p for p in parts if p))


def _contact_text(contact: Contact) -> str:
    parts = [contact.summary, contact.city, contact.phone_raw, *phone_words(contact.phone)]
    if contact.case is not None:
        parts.append(contact.case.reference)
    return fold(" ".join(p for p in parts if p))


_CASE_PREFETCH = ("persons", "identifiers", "locations", "notes")


# The words FTS5's unicode61 tokenizer makes of folded text: letters and digits, with
# everything else (the underscore too) between words.
_WORD = re.compile(r"[^\W_]+")


def _remember_words(*texts: str) -> None:
    """SQLite: add the texts' words to the index's word list (puente/search/fts.py), in
    one statement however many entries were written."""
    if connection.vendor == "sqlite":
        words = {word for text in texts for word in _WORD.findall(text)}
        with connection.cursor() as cursor:
            cursor.executemany(fts.SQLITE_TERMS_ADD, [(word,) for word in words])


def refill_words() -> None:
    """SQLite: the word list made again from the index itself: after a bulk load, and
    after a purge, so that a forgotten record's words go with it."""
    if connection.vendor == "sqlite":
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in fts.SQLITE_TERMS_REFILL:
                cursor.execute(statement)


def _upsert(kind: str, object_id: int, case_id: int | None, text: str) -> str:
    SearchEntry.objects.update_or_create(
        kind=kind, object_id=object_id, defaults={"case_id": case_id, "text": text}
    )
    return text


def reindex_case(case_id: int) -> None:
    case = Case.objects.prefetch_related(*_CASE_PREFETCH).filter(pk=case_id).first()
    with transaction.atomic():
        if case is None:
            SearchEntry.objects.filter(kind=SearchEntry.KIND_CASE, object_id=case_id).delete()
            return
        texts = [_upsert(SearchEntry.KIND_CASE, case.pk, case.pk, _case_text(case))]
        # A contact's entry carries its case's reference and restriction: keep them in step.
        for contact in Contact.objects.select_related("case").filter(case_id=case.pk):
            texts.append(
                _upsert(SearchEntry.KIND_CONTACT, contact.pk, case.pk, _contact_text(contact))
            )
        _remember_words(*texts)


def reindex_contact(contact_id: int) -> None:
    contact = Contact.objects.select_related("case").filter(pk=contact_id).first()
    if contact is None:
        SearchEntry.objects.filter(kind=SearchEntry.KIND_CONTACT, object_id=contact_id).delete()
        return
    _remember_words(
        _upsert(SearchEntry.KIND_CONTACT, contact.pk, contact.case_id, _contact_text(contact))
    )


def forget_entries(*, kind: str, object_ids: Collection[int | str]) -> int:
    """Remove the entries of records purged for good (retention): the index must not
    find what the database no longer holds. Returns how many went."""
    ids = [int(object_id) for object_id in object_ids]
    deleted, _rows = SearchEntry.objects.filter(kind=kind, object_id__in=ids).delete()
    return deleted


def compact_index() -> None:
    """After entries were forgotten: on SQLite, merge the full-text index into one
    segment, because FTS5 keeps a deleted entry's words (as deletion markers beside the
    old postings) in its own tables until their segments merge. It rewrites the whole
    index, so it is run once at the end of a purge, not per batch; the word list is made
    again from it. PostgreSQL's index and table drop the dead rows when (auto)vacuum
    visits them."""
    if connection.vendor == "sqlite":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        refill_words()


def _batched(queryset: QuerySet[_M], size: int) -> Iterator[list[_M]]:
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def rebuild_index(
    *, batch_size: int = 2000, progress: Callable[[int], object] | None = None
) -> int:
    """Rebuild every entry in batches (after an import or a restore). Returns the count."""
    count = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
    for batch in _batched(Case.objects.prefetch_related(*_CASE_PREFETCH), batch_size):
        SearchEntry.objects.bulk_create(
            SearchEntry(
                kind=SearchEntry.KIND_CASE, object_id=c.pk, case_id=c.pk, text=_case_text(c)
            )
            for c in batch
        )
        count += len(batch)
    for contacts in _batched(Contact.objects.select_related("case"), batch_size):
        SearchEntry.objects.bulk_create(
            SearchEntry(
                kind=SearchEntry.KIND_CONTACT,
                object_id=c.pk,
                case_id=c.case_id,
                text=_contact_text(c),
            )
            for c in contacts
        )
        count += len(contacts)
        if progress:
            progress(count)
    refill_words()
    return count
