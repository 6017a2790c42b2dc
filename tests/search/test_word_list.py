"""A search word matches every whole word it begins, newest entry first, on both databases;
on SQLite through the index's word list (puente/search/fts.py), which must hold every
word of the index and nothing a purge removed."""

from __future__ import annotations

import pytest
from django.db import connection

from puente.cases import domain as cases
from puente.search import queries
from puente.search.indexing import compact_index, forget_entries, reindex_contact
from puente.search.models import SearchEntry
from puente.search.queries import search
from tests.factories import make_case, make_contact

pytestmark = pytest.mark.django_db(transaction=True)

sqlite_only = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="the word list belongs to SQLite's FTS5 index"
)


def contact_saying(advocate, summary: str):
    contact = make_contact(taken_by=advocate, summary=summary)
    reindex_contact(contact.pk)
    return contact


def ids(results) -> list[int]:
    return [contact.pk for contact in results.contacts]


def words_of_the_index() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.v USING fts5vocab(main, search_fts, 'row')"
        )
        cursor.execute("SELECT term FROM temp.v")
        words = {row[0] for row in cursor.fetchall()}
        cursor.execute("DROP TABLE temp.v")
    return words


def word_list() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT term FROM search_fts_terms")
        return {row[0] for row in cursor.fetchall()}


def test_a_word_begun_finds_every_word_it_begins_newest_first(advocate):
    oldest = contact_saying(advocate, "The caller asked about a shelter.")
    middle = contact_saying(advocate, "Two callers, neither would give a name.")
    newest = contact_saying(advocate, "Callback requested tomorrow.")
    contact_saying(advocate, "Nothing to do with it: a recall notice.")
    assert ids(search(user=advocate, query="call")) == [newest.pk, middle.pk, oldest.pk]
    assert ids(search(user=advocate, query="caller")) == [middle.pk, oldest.pk]
    assert ids(search(user=advocate, query="callers")) == [middle.pk]
    assert ids(search(user=advocate, query="caller asked")) == [oldest.pk]
    assert search(user=advocate, query="callz").empty


@sqlite_only
def test_the_word_list_holds_every_word_the_index_holds(advocate):
    case = make_case(created_by=advocate, title="Taller de costura en Puebla")
    cases.add_person(
        case=case, by=advocate, role="potential_victim", first_name="Ana", last_name="Pérez"
    )
    cases.add_identifier(case=case, kind="phone", value="+52 222 123 4567", by=advocate)
    cases.add_note(case=case, body="La tía llamó desde Tehuacán; habla náhuatl.", by=advocate)
    contact_saying(advocate, "Snake_case words, 3rd-party numbers and O'Brien's store.")
    # Every word (the list may hold more: the test database is emptied between tests
    # without a purge, and a word nothing holds any more only costs an empty match).
    assert words_of_the_index() <= word_list()
    assert {"perez", "tehuacan", "nahuatl", "snake", "obrien"} - word_list() == {"obrien"}


@sqlite_only
def test_a_purged_records_words_leave_the_word_list(advocate):
    kept = contact_saying(advocate, "Orchard workers in Yakima.")
    purged = contact_saying(advocate, "Zyxwvut ranch, one worker.")
    forget_entries(kind=SearchEntry.KIND_CONTACT, object_ids=[purged.pk])
    compact_index()
    assert "zyxwvut" not in word_list()
    assert "yakima" in word_list()
    assert ids(search(user=advocate, query="work")) == [kept.pk]


@sqlite_only
def test_a_word_missing_from_the_list_is_still_found(advocate):
    contact = contact_saying(advocate, "Quetzaltenango is where the recruiter lives.")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_fts_terms")
    assert ids(search(user=advocate, query="quetzal")) == [contact.pk]


@sqlite_only
def test_a_beginning_of_too_many_words_is_searched_as_a_prefix(advocate, monkeypatch):
    words = ["trailer", "train", "trade", "travel"]
    contacts = [contact_saying(advocate, f"The {word} came up.") for word in words]
    with connection.cursor() as cursor:
        assert queries._sqlite_word(cursor, "tra") == (
            '("trade" OR "trailer" OR "train" OR "travel")'
        )
        monkeypatch.setattr(queries, "MAX_EXPANSIONS", 3)
        assert queries._sqlite_word(cursor, "tra") == '"tra"*'
    assert ids(search(user=advocate, query="tra")) == [c.pk for c in reversed(contacts)]
