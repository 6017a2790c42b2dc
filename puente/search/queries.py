"""One search box for cases and contacts.

A query is tried, in order, as a case reference (exact, through the unique index), as a
phone number (E.164, through the contact and identifier indexes), and otherwise as words
(full text: PostgreSQL GIN / SQLite FTS5). Results are filtered by the restricted-case
rule before anything is read, so a restricted case never shows through search.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper

from puente.accounts.models import User
from puente.cases.access import (
    may_open_q,
    restricted_cases_opened_by,
    visible_through_case_q,
)
from puente.cases.models import Case, Identifier
from puente.core.permissions import Perm
from puente.core.phones import try_normalise_phone
from puente.intake.models import Contact
from puente.search.indexing import fold
from puente.search.models import SearchEntry

MAX_WORDS = 8
# Full-text candidates fetched before the permission filter; generous so that entries
# hidden from this user rarely leave a short page.
CANDIDATES = 200
# PostgreSQL: how many of the newest entries are checked directly first, and the most that
# are checked directly before the index is asked (see _postgres_newest_matches): about
# 50 ms at most, whatever the size of the database (a surname in 0.3 % of entries fills
# the page within 60,000 of them; asking the index for its 30,000 matches among
# 6,000,000 contacts took 150 ms).
RECENT = 10_000
DIRECT_LIMIT = 100_000
# PostgreSQL: below this many expected matches in all, the index is asked once for every
# match rather than slice by slice (see _postgres_newest_matches). Measured at 2,000,000
# contacts on year numbers: one pass beats the slices up to about 30,000 matches (25 ms
# against 100 at 26,000; 58 against 112 at 30,000) and loses from about 37,000 (80
# against 55). Measured again once slices cost no primary-key bitmap (search migration
# 0005), on the year numbers 2012–2025 at 2,000,000 and 6,000,000 contacts: 10,000 gave
# a lower mean (92 ms against 107) but took the year five back at 2,000,000 contacts
# from 93 to 138 ms, and neither changed the worst (a year common just below the newest
# entries: 270–390 ms), so the bound stays.
ONE_PASS = 35_000
# SQLite: a search word stands for at most this many whole words of the index, or else
# for FTS5's prefix query (measured at 2,000,000 contacts: 3,300 words beginning "d"
# joined by OR take 34 ms, the prefix query 190 ms; 24,000 words beginning "713" take
# 335 ms joined, 8 ms as a prefix).
MAX_EXPANSIONS = 4096
_AFTER_EVERY_CHARACTER = "\U0010ffff"
REFERENCE = re.compile(r"^(?:(?P<country>[A-Za-z]{2})-)?(?P<year>\d{4})-(?P<number>\d{1,6})$")


@dataclass
class SearchResults:
    query: str
    # The folded words of the query, for highlighting where each result matched.
    words: list[str] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.cases and not self.contacts


def words_of(query: str) -> list[str]:
    """Folded words only: everything else (quotes, operators, brackets) is dropped, so no
    input can be read as full-text syntax."""
    return re.findall(r"\w+", fold(query))[:MAX_WORDS]


def _reference_from(query: str) -> str | None:
    match = REFERENCE.match(query.strip())
    if not match:
        return None
    country = (match["country"] or settings.PUENTE_COUNTRY).upper()
    return f"{country}-{match['year']}-{int(match['number']):06d}"


def _phone_from(query: str) -> str | None:
    digits = sum(ch.isdigit() for ch in query)
    # Only something that reads as a number: a query of words with a digit in it is words.
    if digits < 7 or re.search(r"[^\d\s()+.\-]", query.strip()):
        return None
    return try_normalise_phone(query, default_region=settings.PUENTE_COUNTRY)


def _full_text_ids(words: list[str]) -> list[int]:
    """Ids of the newest matching entries. Newest first, not "best match" first: a hotline
    searches for what it is working on now, and newest-first lets both databases stop
    after the first CANDIDATES matches instead of ranking every match of a common word
    across millions of entries."""
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tsquery = " & ".join(f"{w}:*" for w in words)
            return _postgres_newest_matches(cursor, tsquery)
        # FTS5 walks its index in rowid order, so this stops early.
        match = " AND ".join(_sqlite_word(cursor, w) for w in words)
        cursor.execute(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rowid DESC LIMIT %s",
            [match, CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]


def _sqlite_word(cursor: CursorWrapper, word: str) -> str:
    """The FTS5 query for one search word: the whole words of the index it begins, as
    ("caller" OR "callers"), found in the index's word list (puente/search/fts.py).

    Not FTS5's own prefix query ("caller"*), which merges the postings of every word it
    begins, over the whole index, before the newest match comes out: 30–60 ms for a
    common word at 2,000,000 contacts, growing with the index, where the words joined by
    OR are read newest first and stop at the page's last match (0.1–1.5 ms). A short
    beginning of a great many rare words (the digits of an area code) is the exception:
    their postings are short and the prefix query merges them faster than FTS5 starts
    thousands of readers."""
    cursor.execute(
        "SELECT term FROM search_fts_terms WHERE term >= %s AND term < %s ORDER BY term LIMIT %s",
        [word, word + _AFTER_EVERY_CHARACTER, MAX_EXPANSIONS + 1],
    )
    terms = [row[0] for row in cursor.fetchall()]
    # None: nothing in the index begins so (the prefix query then costs nothing) — or a
    # word written since the list was last made, which the prefix query still finds.
    if not terms or len(terms) > MAX_EXPANSIONS:
        return f'"{word}"*'
    return "(" + " OR ".join('"{}"'.format(term.replace('"', '""')) for term in terms) + ")"


_NEWEST_DIRECTLY = (
    "SELECT id FROM (SELECT id, tsv FROM search_searchentry WHERE id < %s "
    "ORDER BY id DESC LIMIT %s) r "
    "WHERE tsv @@ to_tsquery('simple', %s) ORDER BY id DESC LIMIT %s"
)
_LOWEST_OF_SLICE = (
    "SELECT min(id) FROM (SELECT id FROM search_searchentry WHERE id < %s "
    "ORDER BY id DESC LIMIT %s) r"
)
_NEWEST_BY_INDEX = (
    "SELECT id FROM search_searchentry "
    "WHERE tsv @@ to_tsquery('simple', %s) AND id > %s AND id < %s "
    "ORDER BY id + 0 DESC LIMIT %s"
)
_ALL_BELOW_BY_INDEX = (
    "SELECT id FROM search_searchentry "
    "WHERE tsv @@ to_tsquery('simple', %s) AND id < %s "
    "ORDER BY id + 0 DESC LIMIT %s"
)
_ESTIMATE = (
    "EXPLAIN (FORMAT JSON) SELECT 1 FROM search_searchentry WHERE tsv @@ to_tsquery('simple', %s)"
)
_ABOVE_EVERY_ID = 2**63 - 1


def _estimated_matches(cursor: CursorWrapper, tsquery: str) -> float:
    """The planner's estimate of how many entries match, from the index's statistics:
    a fraction of a millisecond, nothing read."""
    cursor.execute(_ESTIMATE, [tsquery])
    plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]


def _postgres_newest_matches(cursor: CursorWrapper, tsquery: str) -> list[int]:
    """Newest matches first, without ranking or sorting every match.

    Check the newest entries one by one against their stored tsvector (a backwards
    primary-key scan, no parsing, about half a millisecond per thousand entries): a
    common word fills the page among the newest RECENT. For several words, while the
    matches found so far say the page will fill within DIRECT_LIMIT entries, carry on
    one by one below the last entry checked: two common words that seldom meet
    ("oferta de trabajo") cost the GIN index 45–180 ms whatever the slice, because it
    decodes every word's postings. (One word that is rare among the newest entries has
    short postings: the index is quicker.) Otherwise ask the GIN index within a slice
    of ids below the ones checked (its bitmap combined with the BRIN index's ranges of
    ids, so only that slice's rows are read, and a wide slice costs no more than a
    narrow one), then within slices sized by how often the entries checked so far
    matched. `ORDER BY id + 0` keeps the planner from walking the primary key
    backwards through millions of rows looking for a word that may not exist at all.

    Every slice asks the index for all the word's postings again (a year's number at
    6,000,000 contacts: 30–80 ms), and reads every match inside it from the table
    (about 2 ms per thousand) before the newest are picked. When the planner expects
    few matches in all (ONE_PASS), reading every match once is cheaper than slicing.
    A word common in the entries of one stretch of the past and seldom since (a year's
    number, in that year's case references) is the costly case: the slice that reaches
    that stretch reads all of its matches there. For one word, the
    newest entries are also checked directly as long as the page would fill within
    DIRECT_LIMIT: the index's cost grows with the word's postings, hence with the
    years of data (a surname: 26 ms at 2 M, 130 ms at 6 M), the direct check's
    does not."""
    ids: list[int] = []
    below, checked, step = _ABOVE_EVERY_ID, 0, RECENT
    while True:
        cursor.execute(_NEWEST_DIRECTLY, [below, step, tsquery, CANDIDATES - len(ids)])
        ids += [row[0] for row in cursor.fetchall()]
        if len(ids) >= CANDIDATES:
            return ids
        cursor.execute(_LOWEST_OF_SLICE, [below, step])
        lowest = cursor.fetchone()[0]
        if lowest is None:  # every entry checked
            return ids
        below, checked = lowest, checked + step
        density = len(ids) / checked
        still_to_check = (CANDIDATES - len(ids)) / density if density else float("inf")
        if checked + still_to_check > DIRECT_LIMIT:
            break
        step = min(max(RECENT, int(still_to_check * 1.2)), DIRECT_LIMIT - checked)
    if _estimated_matches(cursor, tsquery) <= ONE_PASS:
        cursor.execute(_ALL_BELOW_BY_INDEX, [tsquery, below, CANDIDATES - len(ids)])
        return ids + [row[0] for row in cursor.fetchall()]
    window = 10 * RECENT
    while True:
        floor = max(below - window, 0)
        cursor.execute(_NEWEST_BY_INDEX, [tsquery, floor, below, CANDIDATES - len(ids)])
        ids += [row[0] for row in cursor.fetchall()]
        if len(ids) >= CANDIDATES or floor == 0:
            return ids
        # Each slice costs the index's postings again, so size the next one from how
        # often the entries checked so far matched, to make it the last. But every match
        # inside a slice is read from the table before the newest are picked: at most
        # eight times the entries checked so far, in case older entries match far more
        # often (a word from a year long past).
        below, checked = floor + 1, checked + window
        still = (CANDIDATES - len(ids)) * checked / len(ids) * 1.5 if ids else float("inf")
        window = int(min(still, 8 * checked))


def search(*, user: User, query: str, limit: int = 30) -> SearchResults:
    query = (query or "").strip()
    results = SearchResults(query=query, words=words_of(query))
    if not query or not getattr(user, "is_authenticated", False) or not user.can(Perm.SEARCH):
        return results
    can_cases, can_contacts = user.can(Perm.CASE_VIEW), user.can(Perm.CONTACT_VIEW)
    # Checked row by row on each hit's own case (see puente.cases.access): never as
    # "IN (every openable case)", which costs seconds with hundreds of thousands of cases.
    opened = restricted_cases_opened_by(user)
    visible = visible_through_case_q(user, "case", opened)
    case_ids: list[int] = []
    contact_ids: list[int] = []

    reference = _reference_from(query)
    if reference:
        case_ids += Case.objects.filter(reference=reference).values_list("pk", flat=True)
    phone = _phone_from(query)
    if phone:
        contact_ids += (
            Contact.objects.filter(phone=phone)
            .order_by("-started_at")
            .values_list("pk", flat=True)[:limit]
        )
        case_ids += Identifier.objects.filter(kind="phone", normalised=phone).values_list(
            "case_id", flat=True
        )[:limit]
    if not reference and not phone:
        entries = SearchEntry.objects.filter(pk__in=_full_text_ids(results.words))
        entries = entries.filter(visible)
        for kind, object_id in entries.order_by("-id").values_list("kind", "object_id")[
            : 2 * limit
        ]:
            (case_ids if kind == SearchEntry.KIND_CASE else contact_ids).append(object_id)

    if can_cases and case_ids:
        found = {
            c.pk: c
            for c in Case.objects.filter(pk__in=set(case_ids))
            .filter(may_open_q(user, opened=opened))
            .select_related("owner")
        }
        results.cases = [found[pk] for pk in dict.fromkeys(case_ids) if pk in found][:limit]
    if can_contacts and contact_ids:
        contacts = Contact.objects.filter(visible, pk__in=set(contact_ids))
        by_pk = {c.pk: c for c in contacts.select_related("case", "taken_by")}
        results.contacts = [by_pk[pk] for pk in dict.fromkeys(contact_ids) if pk in by_pk][:limit]
    return results
