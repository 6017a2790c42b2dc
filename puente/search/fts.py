"""The SQL of the full-text index, used by the migrations that create it and by bulk
loaders that take it down during a load and build it once afterwards."""

from collections.abc import Callable
from typing import Any


def run_by_vendor(statements: dict[str, list[str]]) -> Callable[[Any, Any], None]:
    """A migration's RunPython step: the statements for the database it runs on (each
    index is made differently on SQLite and PostgreSQL), none for another."""

    def run(apps, schema_editor) -> None:
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


SQLITE_TRIGGERS_CREATE = [
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN "
    "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_TRIGGERS_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(text, content='search_searchentry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    *SQLITE_TRIGGERS_CREATE,
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [*SQLITE_TRIGGERS_DROP, "DROP TABLE IF EXISTS search_fts"]

# Since migration 0004 (SQLite): every word the index holds, so that a search word is
# matched as the few whole words it begins ("caller" OR "callers") instead of as an FTS5
# prefix, which merges the postings of every such word across the whole index before
# the newest match comes out (see puente.search.queries._sqlite_word). Kept in step as
# entries are written (puente.search.indexing) and refilled from the index itself after
# a bulk load or a purge, so a purged record's words do not outlive it here.
SQLITE_TERMS_CREATE = "CREATE TABLE search_fts_terms (term TEXT PRIMARY KEY) WITHOUT ROWID"
SQLITE_TERMS_DROP = "DROP TABLE IF EXISTS search_fts_terms"
SQLITE_TERMS_ADD = "INSERT OR IGNORE INTO search_fts_terms (term) VALUES (%s)"
SQLITE_TERMS_REFILL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fts_vocab "
    "USING fts5vocab(main, search_fts, 'row')",
    "DELETE FROM search_fts_terms",
    "INSERT INTO search_fts_terms (term) SELECT term FROM temp.search_fts_vocab",
    "DROP TABLE temp.search_fts_vocab",
]
POSTGRES_FORWARD = [
    "CREATE INDEX search_entry_text_gin ON search_searchentry "
    "USING gin (to_tsvector('simple', text))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS search_entry_text_gin"]

# Since migration 0003: the tsvector is stored (a generated column) and indexed, so a
# search can also check the newest entries one by one cheaply — see
# puente.search.queries._postgres_newest_matches.
POSTGRES_STORED_FORWARD = [
    "ALTER TABLE search_searchentry ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED",
    "DROP INDEX IF EXISTS search_entry_text_gin",
    "CREATE INDEX search_entry_text_gin ON search_searchentry USING gin (tsv)",
]
POSTGRES_STORED_BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_text_gin",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS tsv",
    *POSTGRES_FORWARD,
]

# Since migration 0005: a BRIN index on the entry's id, so that a search can ask the GIN
# index for the matches within a wide slice of ids (see
# puente.search.queries._postgres_newest_matches) without the primary key's bitmap of
# every id in the slice: 75 ms for 800,000 ids at 6,000,000 contacts, growing with the
# slice, against 4 ms for the BRIN's, whatever its width. Entries are written in id order,
# so each range of pages holds a narrow range of ids; "minmax_multi" keeps that narrow
# when an old entry is rewritten onto a new page (a case reindexed).
POSTGRES_ID_RANGES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS search_entry_id_brin ON search_searchentry "
    "USING brin (id int8_minmax_multi_ops) WITH (autosummarize = on)",
]
POSTGRES_ID_RANGES_BACKWARD = ["DROP INDEX IF EXISTS search_entry_id_brin"]
