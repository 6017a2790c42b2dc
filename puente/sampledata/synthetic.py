"""National-scale synthetic data for benchmarks: `puente generate`.

One pass in time order writes contacts and the cases they open (with persons,
identifiers, locations, tasks and notes) and their search entries, so ids grow with
time as in a real deployment. Ids are handed out here, so rows that point at each
other go to the database without a round trip: COPY on PostgreSQL, large executemany
batches on SQLite. Secondary indexes, foreign keys (PostgreSQL) and the full-text index
are taken down for the load and built once at the end — far faster than maintaining
them row by row for millions of rows.

Distributions live in `puente.sampledata.distributions` (with their sources); narratives,
scenarios and names are the demo's (`puente.sampledata.scenarios`, from `data/`), combined
from fragments so texts vary, in the contact's language. Deterministic for a seed and an
end date.
"""

from __future__ import annotations

import json
import queue
import random
import threading
import time
import unicodedata
from bisect import bisect
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any

from django.db import connection, models, transaction

from puente.accounts.models import User
from puente.cases.models import Case, CaseCounter, CaseLocation, CaseNote, Identifier, Person, Task
from puente.intake.models import Contact
from puente.sampledata import distributions as dist
from puente.sampledata import scenarios
from puente.search import fts
from puente.search.indexing import fold, phone_words
from puente.search.models import SearchEntry

# The tables the generator writes, in write order: within a batch, cases before what
# points at them. Each row is a tuple in its model's field order, so the columns are the
# model's own: a field added to a model fails the load loudly (_Sink._write) instead of
# shifting values into the wrong columns.
MODELS: list[type[models.Model]] = [
    Case,
    Contact,
    Person,
    Identifier,
    CaseLocation,
    Task,
    CaseNote,
    SearchEntry,
]
TABLE_FIELDS: dict[str, list[models.Field]] = {
    model._meta.db_table: list(model._meta.concrete_fields) for model in MODELS
}
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    table: tuple(str(field.column) for field in fields) for table, fields in TABLE_FIELDS.items()
}
TABLE_ORDER = list(TABLE_COLUMNS)
# Stored times are UTC; the hour-of-day pattern is local (U.S. Central, Mexico City).
UTC_OFFSET_HOURS = {"US": 6, "MX": 6}


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Wall time of each step after the rows are in (index builds, key checks, ANALYZE):
    # what to look at when a load is slow.
    steps: dict[str, float] = field(default_factory=dict)
    # The ground truth of the planted networks: person id → number of the planted person
    # it is an occurrence of (puente.networks' tests and bench score matching against it).
    planted: dict[int, int] = field(default_factory=dict)


def _timed(steps: dict[str, float], name: str, cursor, sql: str) -> None:
    began = time.monotonic()
    cursor.execute(sql)
    steps[name] = steps.get(name, 0.0) + time.monotonic() - began


Progress = Callable[[int, int, float, int], None]


@lru_cache(maxsize=100_000)
def _fold_fragment(text: str) -> str:
    return fold(text)


def _fold_words(parts: list[str]) -> str:
    """fold(" ".join(parts)), fast: folding works character by character, so the parts can
    be folded one by one — ASCII ones by lower() alone, the rest (narrative fragments,
    names, cities: a small set) once each and remembered. Folding was most of the
    generator's time before this."""
    return " ".join(p.lower() if p.isascii() else _fold_fragment(p) for p in parts if p)


def _weighted(pairs) -> Callable[[random.Random], Any]:
    """A picker for (value, weight) pairs; bisect on cumulative weights is several times
    faster than random.choices for one draw, and millions of draws add up."""
    values = [v for v, _w in pairs]
    cumulative = list(accumulate(w for _v, w in pairs))
    total = cumulative[-1]

    def pick(rng: random.Random):
        return values[bisect(cumulative, rng.random() * total)]

    return pick


# --- The database side -------------------------------------------------------------------


class _Sink:
    """Buffers rows per table and writes them in bulk, on a writer thread: while the
    database parses, inserts and indexes one batch, the generator builds the next, so
    both of a small machine's cores work. The writer uses the same connection, hence the
    same transaction; the main thread does not touch the database until `close`."""

    def __init__(self, vendor: str):
        self.vendor = vendor
        self.raw = connection.connection
        self.rows: dict[str, list[tuple]] = {t: [] for t in TABLE_ORDER}
        self.counts: dict[str, int] = dict.fromkeys(TABLE_ORDER, 0)
        self.json_at = {
            t: [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
            for t, fields in TABLE_FIELDS.items()
        }
        # Django's SQLite backend stores times as naive UTC text; bypassing it, we do too.
        # (A DateTimeField is a DateField.)
        self.times_at = {
            t: [i for i, f in enumerate(fields) if isinstance(f, models.DateField)]
            for t, fields in TABLE_FIELDS.items()
        }
        # One batch in flight and one being built: memory stays at two batches.
        self.queue: queue.Queue[dict[str, list[tuple]] | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="generate-writer", daemon=True)
        self.thread.start()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def flush(self) -> None:
        if self.error:
            raise self.error
        batch, self.rows = self.rows, {t: [] for t in TABLE_ORDER}
        for table, rows in batch.items():
            self.counts[table] += len(rows)
        self.queue.put(batch)

    def close(self) -> None:
        """Wait for the last batch; re-raise what the writer hit."""
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise self.error

    def _run(self) -> None:
        while (batch := self.queue.get()) is not None:
            if self.error:
                continue  # drain, so the generator never blocks on a dead writer
            try:
                for table in TABLE_ORDER:
                    if batch[table]:
                        self._write(table, batch[table])
            except BaseException as exc:  # noqa: BLE001 — handed to the main thread
                self.error = exc

    def _write(self, table: str, rows: list) -> None:
        columns = TABLE_COLUMNS[table]
        if len(rows[0]) != len(columns):
            raise RuntimeError(
                f"{table} has {len(columns)} columns but the generator writes {len(rows[0])} "
                "values a row: add the model's new field to the generator's row, in the "
                "model's field order."
            )
        json_at = self.json_at[table]
        times_at = self.times_at[table] if self.vendor == "sqlite" else []
        if json_at or times_at:
            rows = [list(r) for r in rows]
            for r in rows:
                for i in json_at:
                    r[i] = json.dumps(r[i])
                for i in times_at:
                    if r[i] is not None:
                        r[i] = _sqlite_value(r[i])
        if self.vendor == "postgresql":
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _c in columns)
            self.raw.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
            )


def _sqlite_value(value: datetime | date) -> str:
    if isinstance(value, datetime):
        # Every generated time is already UTC.
        return value.replace(tzinfo=None).isoformat(" ")
    return value.isoformat()


def _secondary_indexes(vendor: str) -> list[str]:
    """CREATE statements of the non-unique indexes on the loaded tables. Unique ones stay:
    they back constraints (references, one search entry per object)."""
    tables = tuple(TABLE_ORDER)
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                "SELECT pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary "
                "AND t.relnamespace = 'public'::regnamespace",
                [list(tables)],
            )
        else:
            marks = ", ".join("%s" for _t in tables)
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND sql NOT LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({marks})",
                tables,
            )
        return [row[0] for row in cursor.fetchall()]


def _index_name(create_sql: str) -> str:
    # "CREATE INDEX name ON …" on both databases.
    return create_sql.split(" ON ", 1)[0].split()[-1].strip('"')


def _foreign_keys() -> list[tuple[str, str, str]]:
    """(table, constraint, definition) of the foreign keys on the loaded tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [TABLE_ORDER],
        )
        return list(cursor.fetchall())


@dataclass
class _LoadState:
    indexes: list[str]
    foreign_keys: list[tuple[str, str, str]]


def _before_load(vendor: str) -> _LoadState:
    """Take down what is cheaper to build once than to maintain per row. Measured on
    200,000 contacts (2 cores): PostgreSQL 47 s this way against 55 s with every index
    live (50 s with only the GIN index built after); SQLite 32 s against 40 s with the
    FTS5 triggers firing per row — its 'rebuild' takes 2 s."""
    indexes = _secondary_indexes(vendor)
    foreign_keys = _foreign_keys() if vendor == "postgresql" else []
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # Index builds sort in memory; the default 64 MB spills to disk many times.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            # Rows this transaction already wrote (the generator's staff) queue deferred
            # foreign-key checks, and PostgreSQL refuses ALTER TABLE on a table with
            # checks pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            # Checked again, in one join per key, when they are put back: much faster
            # than a deferred per-row trigger for every row loaded.
            for table, name, _definition in foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        else:
            for statement in fts.SQLITE_TRIGGERS_DROP:
                cursor.execute(statement)
        for create in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{_index_name(create)}"')
    return _LoadState(indexes=indexes, foreign_keys=foreign_keys)


def _after_load(vendor: str, state: _LoadState, steps: dict[str, float]) -> None:
    with connection.cursor() as cursor:
        for create in state.indexes:
            name = "full-text index" if "using gin" in create.lower() else "indexes"
            _timed(steps, name, cursor, create)
        if vendor == "postgresql":
            for table, name, definition in state.foreign_keys:
                _timed(
                    steps,
                    "foreign keys",
                    cursor,
                    f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}',
                )
            for table in TABLE_ORDER:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
        else:
            _timed(
                steps,
                "full-text index",
                cursor,
                "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
            )
            for statement in fts.SQLITE_TERMS_REFILL:
                _timed(steps, "full-text index", cursor, statement)
            for statement in fts.SQLITE_TRIGGERS_CREATE:
                cursor.execute(statement)
        _timed(steps, "analyze", cursor, "ANALYZE")


def _dependent_tables() -> list[str]:
    """Every table whose rows hang off contacts or cases, most dependent first, so a
    reset can empty them all (screenings, case access lists, …) without naming them."""
    ordered: list[str] = []

    def visit(model) -> None:
        # Hidden ones too: SearchEntry points at cases with related_name="+".
        relations = [
            f
            for f in model._meta.get_fields(include_hidden=True)
            if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
        ]
        for rel in relations:
            if rel.related_model is not model and rel.related_model._meta.db_table not in ordered:
                visit(rel.related_model)
        if model._meta.db_table not in ordered:
            ordered.append(model._meta.db_table)

    visit(Contact)
    visit(Case)
    return ordered


def reset_generated_data(*, country: str) -> None:
    """Empty contacts, cases and everything hanging off them, and the country's case
    counters, so numbering starts again. For benchmark databases only."""
    tables = _dependent_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            # Deleting row by row through the FTS triggers would be very slow.
            for statement in fts.SQLITE_TRIGGERS_DROP:
                cursor.execute(statement)
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
            for statement in fts.SQLITE_TERMS_REFILL:  # an empty index: an empty list
                cursor.execute(statement)
            for statement in fts.SQLITE_TRIGGERS_CREATE:
                cursor.execute(statement)
        # Every case is gone, so every counter starts again.
        CaseCounter.objects.all().delete()


# --- The world the data is drawn from ----------------------------------------------------

# Mexican area codes of two digits (the rest have three).
MX_SHORT_AREAS = {"55", "33", "81"}


class _World:
    """Everything drawn from the seeded generator: who, where, how, why."""

    def __init__(
        self,
        *,
        rng: random.Random,
        country: str,
        years: int,
        advocates: list[int],
        planting: random.Random | None = None,
    ):
        self.rng, self.country, self.advocates = rng, country, advocates
        # Planted networks draw from their own generator, so every other row is the same
        # with or without them.
        self.planter = _Planter(planting or random.Random(0), country=country, world=self)
        self.reason = _weighted(dist.REASONS[country])
        self.signaler = _weighted(dist.SIGNALERS)
        self.language = _weighted(dist.LANGUAGES[country])
        self.level = _weighted(dist.LEVELS)
        self.control = _weighted(dist.CONTROL)
        self.recruitment = _weighted(dist.RECRUITMENT)
        self.relationship = _weighted(dist.RELATIONSHIPS)
        self.closing = _weighted(dist.CLOSING_REASONS)
        self.gender = _weighted(dist.GENDERS)
        self.victims = _weighted(dist.VICTIMS_PER_CASE)
        self.exploiters = _weighted(dist.EXPLOITERS_PER_CASE)
        self.notes = _weighted(dist.NOTES_PER_CASE)
        self.tasks = _weighted(dist.TASKS_PER_CASE)
        self.status_by_age = [(limit, _weighted(p)) for limit, p in dist.STATUS_BY_AGE]
        self.channel_by_year = [self._channels(year, years) for year in range(years)]
        self.kind = (
            _weighted(dist.EXPLOITATION_TYPES[country])
            if country in dist.EXPLOITATION_TYPES
            else None
        )
        self.mx_form = _weighted(dist.MX_FORMS)
        self.place = _weighted([((sub, cities), w) for sub, w, cities in dist.PLACES[country]])
        self.scenarios = [
            s for s in scenarios.CASE_SCENARIOS if s["country"] == country
        ] or scenarios.CASE_SCENARIOS
        self.stories = _stories(country)
        reasons = dict(dist.REASONS[country])
        case_share = sum(reasons[r] for r in dist.CASE_REASONS) / sum(reasons.values())
        # Open a case often enough that cases / contacts ≈ 1 / CONTACTS_PER_CASE.
        self.new_case_share = min(0.8, 1 / dist.CONTACTS_PER_CASE / case_share)
        # Callers' numbers: every one ever seen, the recent ones, the frequent callers.
        self.recent_numbers: deque[str] = deque(maxlen=5000)
        self.frequent: list[str] = []
        self.network_numbers: list[str] = []
        self.case_of_number: dict[str, tuple[int, str]] = {}
        self.open_cases: deque[tuple[int, str]] = deque(maxlen=400)

    def _channels(self, year: int, years: int):
        f = year / (years - 1) if years > 1 else 1.0
        early = dict(dist.CHANNELS_EARLY[self.country])
        pairs = []
        for channel, weight in dist.CHANNELS[self.country]:
            available = dist.CHANNEL_YEARS_AVAILABLE.get(channel)
            if available is not None and year < years - available:
                continue
            blended = early.get(channel, 0) * (1 - f) + weight * f
            if channel in dist.CHANNEL_YEARS_AVAILABLE:
                blended = weight  # arrived fully formed (same number, new channel)
            pairs.append((channel, blended))
        pairs.append(("in_person", sum(w for _c, w in pairs) * dist.IN_PERSON_SHARE))
        return _weighted([(c, w) for c, w in pairs if w > 0])

    def where(self) -> tuple[str, str, str]:
        subdivision, cities = self.place(self.rng)
        city, area = self.rng.choice(cities)
        return subdivision, city, area

    # -- phones

    def new_number(self, area: str) -> str:
        """A fresh E.164 number in the area. U.S.: NXX-XXXX after the area code;
        Mexico: ten national digits (2- or 3-digit area code)."""
        rng = self.rng
        if self.country == "US":
            return f"+1{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        # A subscriber number starting with 0 cannot be assigned in Mexico (see
        # puente.sampledata.demo._write for the source): no real person's number.
        width = 10 - len(area)
        return f"+52{area}0{rng.randint(0, 10 ** (width - 1) - 1):0{width - 1}d}"

    def typed(self, e164: str, rng: random.Random | None = None) -> str:
        """The number the way the caller gave it (or caller ID showed it)."""
        rng = rng or self.rng
        if e164.startswith("+1"):
            a, b, c = e164[2:5], e164[5:8], e164[8:]
            return rng.choice(
                [f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", e164]
            )
        national = e164[3:]
        cut = 2 if national[:2] in MX_SHORT_AREAS else 3
        area, local = national[:cut], national[cut:]
        spaced = f"{area} {local[:-4]} {local[-4:]}"
        if rng.random() < dist.MX_OLD_MOBILE_PREFIX_SHARE:
            return rng.choice([f"+52 1 {spaced}", f"521{national}"])
        return rng.choice([spaced, f"+52 {spaced}", f"({area}) {local[:-4]}-{local[-4:]}", e164])

    def caller(self, area: str) -> str:
        rng = self.rng
        if self.recent_numbers and rng.random() < dist.REPEAT_CALLER_SHARE:
            if self.frequent and rng.random() < dist.FREQUENT_CALLER_SHARE:
                # Power-law bias toward the earliest frequent callers: a handful call
                # hundreds of times, most frequent callers a few dozen.
                return self.frequent[int(len(self.frequent) * rng.random() ** 1.5)]
            return rng.choice(self.recent_numbers)
        e164 = self.new_number(area)
        self.recent_numbers.append(e164)
        if rng.random() < dist.FREQUENT_NUMBER_SHARE:
            self.frequent.append(e164)
        return e164

    def network_number(self) -> str:
        """An exploiter's number; some recur across unrelated cases (networks)."""
        rng = self.rng
        if self.network_numbers and rng.random() < 0.3:
            return rng.choice(self.network_numbers[-3000:])
        subdivision, cities = self.place(rng)
        number = self.new_number(rng.choice(cities)[1])
        self.network_numbers.append(number)
        return number

    # -- narratives

    def contact_summary(
        self, *, reason: str, channel: str, signaler: str, lang: str, city: str
    ) -> list[str]:
        """The narrative's fragments (joined by spaces), in the narrative's language."""
        rng = self.rng
        parts = [
            scenarios.OPENERS[lang].get(channel, ""),
            rng.choice(self.stories[(reason, lang, city)]),
            rng.choice(scenarios.SIGNALER_NOTES[lang].get(signaler, [""]))
            if reason != "hang_up"
            else "",
            rng.choice(scenarios.DETAILS[lang]) if reason != "hang_up" else "",
        ]
        return [p.strip() for p in parts if p]

    def scenario(self, lang: str) -> tuple[dict, str, list[str]]:
        """A case scenario (its narrative and codes), its type and art. 10 forms."""
        rng = self.rng
        if self.kind is not None:
            kind = self.kind(rng)
            mx_forms: list[str] = []
            fitting = [s for s in self.scenarios if s["type"] == kind] or self.scenarios
        else:
            form = self.mx_form(rng)
            kind = dist.MX_FORM_TYPE[form]
            fitting = [s for s in self.scenarios if form in s.get("mx", [])] or [
                s for s in self.scenarios if s["type"] == kind
            ]
            mx_forms = [form]
        in_lang = [s for s in fitting if s["lang"] == lang]
        pool = in_lang if in_lang and rng.random() < 0.9 else fitting
        scenario = rng.choice(pool)
        if mx_forms and rng.random() < 0.3:
            mx_forms = sorted({*mx_forms, *map(str, scenario.get("mx", []))})
        return scenario, kind, mx_forms


def _stories(country: str) -> dict[tuple[str, str, str], list[str]]:
    """Every contact narrative filled for every city, once, by (reason, language, city):
    the pass then only picks, and a story names the contact's own city."""
    filled: dict[tuple[str, str, str], list[str]] = {}
    for reason, by_lang in scenarios.CONTACT_STORIES.items():
        for lang, templates in by_lang.items():
            for subdivision, _w, cities in dist.PLACES[country]:
                state = scenarios.state_name(subdivision)
                for city, _area in cities:
                    filled[(reason, lang, city)] = [
                        scenarios.fill(t, country=country, lang=lang, city=city, state=state)
                        for t in templates
                    ]
    return filled


class _SafeDict(dict):
    def __missing__(self, key):
        return ""


# --- The pass ----------------------------------------------------------------------------


def generate(
    *,
    contacts: int,
    years: int = 15,
    seed: int = 7,
    country: str = "US",
    batch_size: int = 50_000,
    end: datetime | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Write `contacts` contacts over `years` years ending at `end` (default: today,
    midnight UTC), with their cases. Appends to what is there; ids, case numbers and
    staff continue from it."""
    started = time.monotonic()
    rng = random.Random(seed)
    vendor = connection.vendor
    advocates = _staff(country)
    world = _World(
        rng=rng,
        country=country,
        years=years,
        advocates=advocates,
        planting=random.Random(seed * 7919 + 16),
    )
    end = end or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=365 * years)
    offsets = _moments(rng, start=start, years=years, count=contacts, country=country)
    ids = {t: _max_id(t) for t in TABLE_ORDER}
    # Numbers continue from the hotline's counters, so generated references never collide.
    counters = dict(CaseCounter.objects.filter(prefix=country).values_list("year", "last_number"))

    def take(table: str) -> int:
        ids[table] += 1
        return ids[table]

    steps: dict[str, float] = {}
    # Durability is pointless for a load that is redone on failure. SQLite refuses the
    # change inside a transaction (a caller's, or a test's): then load without it.
    relax = vendor == "sqlite" and not connection.in_atomic_block
    if relax:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB for the index builds
    try:
        with transaction.atomic():
            state = _before_load(vendor)
            sink = _Sink(vendor)
            try:
                _pass(
                    world, sink, offsets, start=start, end=end, years=years, counters=counters,
                    take=take, batch_size=batch_size, progress=progress, started=started,
                )  # fmt: skip
            finally:
                # The writer must be done with the connection before commit or rollback.
                sink.close()
            steps["rows"] = time.monotonic() - started
            _save_counters(country, counters)
            _after_load(vendor, state, steps)
            commit_began = time.monotonic()
        steps["commit"] = time.monotonic() - commit_began
        if vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum does soon after a load, done now: the visibility map that
            # lets a count be answered from an index alone (the team view's open cases per
            # owner: 243 ms reading 18,000 table pages without it). A server with
            # autovacuum off, as on this project's test machines, would never get there.
            with connection.cursor() as cursor:
                _timed(steps, "vacuum", cursor, f"VACUUM (ANALYZE) {', '.join(TABLE_ORDER)}")
    finally:
        if relax:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = NORMAL")
    return Summary(
        counts=dict(sink.counts),
        seconds=time.monotonic() - started,
        steps=steps,
        planted=dict(world.planter.truth),
    )


def _pass(
    world: _World,
    sink: _Sink,
    offsets: list[int],
    *,
    start: datetime,
    end: datetime,
    years: int,
    counters: dict[int, int],
    take: Callable[[str], int],
    batch_size: int,
    progress: Progress | None,
    started: float,
) -> None:
    """Contacts in time order, each opening or joining a case as its reason warrants."""
    rng, country, advocates = world.rng, world.country, world.advocates
    contacts = len(offsets)
    no_phone = dist.NO_PHONE_CHANNELS
    danger_base = dist.IMMINENT_DANGER_SHARE / 5
    for n, offset in enumerate(offsets, start=1):
        moment = start + timedelta(seconds=offset)
        year_index = min(offset // (365 * 86400), years - 1)
        reason = world.reason(rng)
        channel = world.channel_by_year[year_index](rng)
        language = world.language(rng)
        lang = scenarios.narrative_language(language, country)
        subdivision, city, area = world.where()
        phone = typed = ""
        if rng.random() >= no_phone.get(channel, 0.0):
            phone = world.caller(area)
            typed = world.typed(phone)
        signaler = "anonymous" if not phone and rng.random() < 0.6 else world.signaler(rng)
        danger = (reason == "crisis" and rng.random() < 0.45) or rng.random() < danger_base
        taker = rng.choice(advocates)
        level = ""
        case_id, case_ref = None, ""
        if reason in dist.CASE_REASONS:
            level = "high" if danger else world.level(rng)
            known = world.case_of_number.get(phone) if phone else None
            if known and rng.random() < 0.6:
                case_id, case_ref = known  # the same caller about the same case
            elif rng.random() < world.new_case_share:
                counters[moment.year] = counters.get(moment.year, 0) + 1
                case_ref = f"{country}-{moment.year}-{counters[moment.year]:06d}"
                case_id = take("cases_case")
                _add_case(
                    sink, world, take, case_id=case_id, reference=case_ref,
                    moment=moment, end=end, phone=phone, typed=typed,
                    signaler=signaler, city=city, subdivision=subdivision, lang=lang,
                    danger=danger, level=level, owner=taker,
                )  # fmt: skip
                world.open_cases.append((case_id, case_ref))
                if phone:
                    world.case_of_number[phone] = (case_id, case_ref)
            elif world.open_cases and rng.random() < dist.FOLLOW_UP_SHARE:
                case_id, case_ref = rng.choice(world.open_cases)
        fragments = world.contact_summary(
            reason=reason, channel=channel, signaler=signaler, lang=lang, city=city
        )
        summary = " ".join(fragments)
        ended_at = moment + scenarios.duration(rng, channel, reason)
        interpreter = language not in {"eng", "spa"} and rng.random() < 0.85
        contact_id = take("intake_contact")
        sink.rows["intake_contact"].append(
            (
                contact_id, channel, "inbound", moment, ended_at,
                "unknown" if signaler == "anonymous" else signaler, signaler == "anonymous", "",
                language,
                interpreter, language if interpreter else "", typed, phone, country,
                subdivision, city, reason, summary, danger, level, case_id, taker,
                moment, ended_at, 1,
            )
        )  # fmt: skip
        # The text puente.search.indexing builds for a contact, word for word.
        words = [*fragments, city, typed, *phone_words(phone), case_ref]
        sink.rows["search_searchentry"].append(
            (
                take("search_searchentry"), "contact", contact_id, case_id,
                _fold_words(words), ended_at,
            )
        )  # fmt: skip
        if n % batch_size == 0 or n == contacts:
            sink.flush()
            if progress:
                progress(n, contacts, time.monotonic() - started, sink.total)


def _moments(
    rng: random.Random, *, start: datetime, years: int, count: int, country: str
) -> list[int]:
    """Seconds after `start` of each contact, sorted: volume grows year on year, fewer
    on weekends, more in the day and evening (local time, stored as UTC)."""
    pick_year = _weighted(list(enumerate(dist.year_weights(years))))
    pick_hour = _weighted(list(enumerate(dist.HOURS)))
    weekday_top = max(dist.WEEKDAYS)
    first_weekday = start.weekday()
    shift = UTC_OFFSET_HOURS[country] * 3600
    last = years * 365 * 86400 - 1
    seconds = []
    for _ in range(count):
        while True:
            day = pick_year(rng) * 365 + rng.randrange(365)
            # Rejection sampling: keeps a day with its weekday's relative weight.
            if rng.random() * weekday_top < dist.WEEKDAYS[(first_weekday + day) % 7]:
                break
        moment = day * 86400 + pick_hour(rng) * 3600 + rng.randrange(3600) + shift
        seconds.append(min(moment, last))
    seconds.sort()
    return seconds


def _staff(country: str) -> list[int]:
    """~60 staff (gen-advocate-001 …) with unusable passwords; reused on --append.
    Returns the advocates' ids, who take contacts and own cases."""
    female = scenarios.NAMES["es_f" if country == "MX" else "en_f"]
    male = scenarios.NAMES["es_m" if country == "MX" else "en_m"]
    last = scenarios.NAMES["es_last" if country == "MX" else "en_last"]
    names = [n for pair in zip(female, male, strict=False) for n in pair]
    wanted: list[User] = []
    n = 0
    for role, count in dist.STAFF:
        for i in range(1, count + 1):
            n += 1
            user = User(
                username=f"gen-{role}-{i:03d}",
                first_name=names[n % len(names)],
                last_name=last[(n * 7) % len(last)],
                role=role,
                language="es" if country == "MX" or n % 4 == 0 else "en",
            )
            user.set_unusable_password()
            wanted.append(user)
    existing = set(
        User.objects.filter(username__in=[u.username for u in wanted]).values_list(
            "username", flat=True
        )
    )
    User.objects.bulk_create([u for u in wanted if u.username not in existing])
    return list(
        User.objects.filter(username__startswith="gen-advocate-")
        .order_by("username")
        .values_list("pk", flat=True)
    )


def _add_case(
    sink: _Sink,
    world: _World,
    take: Callable[[str], int],
    *,
    case_id: int,
    reference: str,
    moment: datetime,
    end: datetime,
    phone: str,
    typed: str,
    signaler: str,
    city: str,
    subdivision: str,
    lang: str,
    danger: bool,
    level: str,
    owner: int,
) -> None:
    rng = world.rng
    country = world.country
    scenario, kind, mx_forms = world.scenario(lang)
    # The case's own words (closing note, notes, tasks) are the hotline's, in its
    # language; only the summary follows the caller's story.
    work_lang = "es" if country == "MX" else "en"
    values = _SafeDict(
        city=city,
        state=scenarios.state_name(subdivision),
        business=rng.choice(scenario["businesses"] or [""]),
    )
    title = scenario["title"].format_map(values)[:200]
    summary = scenario["summary"].format_map(values)
    forms = [str(f) for f in scenario["forms"]] if kind != "not_specified" else []
    venues = [str(v) for v in scenario["venues"]]
    control = sorted(
        {*map(str, scenario["control"]), *(world.control(rng) for _ in range(rng.randint(0, 2)))}
    )
    recruitment = [str(r) for r in scenario["recruitment"]]
    if rng.random() < 0.3:
        recruitment = sorted({*recruitment, world.recruitment(rng)})

    age_days = (end - moment).days
    status = next(p for limit, p in world.status_by_age if age_days <= limit)(rng)
    closing_reason, closing_note, closed_at = "", "", None
    if status == "closed":
        closing_reason = world.closing(rng)
        closing_note = scenarios.CLOSING_NOTES[work_lang].get(closing_reason, "")
        closing_note = closing_note.format_map(_SafeDict(scenarios.terms(country, work_lang)))
        closed_at = min(end, moment + timedelta(days=rng.randint(3, 240), hours=rng.randint(0, 23)))
    updated = closed_at or min(end, moment + timedelta(days=rng.randint(0, 60)))
    restricted = rng.random() < dist.RESTRICTED_CASE_SHARE
    sink.rows["cases_case"].append(
        (
            case_id, reference, title, status, closing_reason, closing_note, summary, kind,
            forms, mx_forms, venues, control, recruitment, [], [], [], [], [], level,
            danger and status != "closed", restricted, owner, owner, moment, updated,
            closed_at, 1,
        )
    )  # fmt: skip

    # (role, id, first, last, alias) and (kind, value, normalised), in id order, for the
    # search text.
    persons: list[tuple[str, int, str, str, str]] = []
    identifiers: list[tuple[str, str, str]] = []

    def identifier(person_id: int | None, kind: str, value: str, normalised: str) -> None:
        sink.rows["cases_identifier"].append(
            (take("cases_identifier"), case_id, person_id, kind, value, normalised, moment)
        )
        identifiers.append((kind, value, normalised))

    victims = scenario["victims"]
    pool, spec_gender, citizenships = victims["pool"], victims["gender"], victims["citizenship"]
    age_low, age_high = victims["ages"]
    relationship = scenario.get("relationship") or (
        world.relationship(rng) if rng.random() < 0.7 else ""
    )
    status_of_victim = (
        "NotAVictimOfTrafficking"
        if closing_reason == "not_trafficking"
        else "ActualVictimOfTrafficking"
        if closing_reason == "reported_le" and rng.random() < 0.3
        else "PossibleVictimOfTrafficking"
    )
    for i in range(world.victims(rng)):
        gender = {"F": "Feminine", "M": "Masculine"}.get(spec_gender) or world.gender(rng)
        first, last = scenarios.person_name(rng, pool, "M" if gender == "Masculine" else "F")
        if rng.random() < dist.AGE_UNKNOWN_SHARE:
            age, band = None, "minor" if age_high < 18 else "adult" if age_low >= 18 else "unknown"
        else:
            age = rng.randint(age_low, age_high)
            band = scenarios.age_band(age)
        citizenship = rng.choice(citizenships)
        person_id = take("cases_person")
        sink.rows["cases_person"].append(
            (
                person_id, case_id, ["potential_victim"], False, "", first, last, "", "",
                None, age, band, gender, [citizenship], citizenship, victims["language"],
                status_of_victim, "", None, relationship, [], "", moment, moment, 1,
            )
        )  # fmt: skip
        persons.append(("potential_victim", person_id, first, last, ""))
        # The caller's own number on the victim: a caller who opens several cases links
        # them, as real repeat callers do.
        if i == 0 and phone and (signaler == "potential_victim" or rng.random() < 0.25):
            identifier(person_id, "phone", typed or phone, phone)

    spec = scenario["exploiter"]
    ex_pool, ex_gender, ex_roles = spec["pool"], spec["gender"], spec["roles"]
    alias_pool = scenarios.ALIASES["es" if ex_pool == "es" else "en"]
    for i in range(world.exploiters(rng)):
        person_id = take("cases_person")
        business = (
            i == 0 and scenario["businesses"] and rng.random() < dist.BUSINESS_EXPLOITER_SHARE
        )
        if business:
            first, last, alias, gender = "", "", values["business"], ""
        else:
            gender = "Masculine" if ex_gender == "M" else "Feminine"
            first, last = scenarios.person_name(rng, ex_pool, ex_gender)
            alias = rng.choice(alias_pool) if rng.random() < 0.4 else ""
        sink.rows["cases_person"].append(
            (
                person_id, case_id, ["exploiter"], bool(business), "", first, last, alias,
                "", None, None, "" if business else "adult", gender, [], "", "", "", "", None,
                "", list(ex_roles), "", moment, moment, 1,
            )
        )  # fmt: skip
        persons.append(("exploiter", person_id, first, last, alias))
        if rng.random() < 0.5:
            number = world.network_number()
            identifier(person_id, "phone", world.typed(number), number)
        if rng.random() < 0.3:
            stem = (alias or last or "user").split(" ")[0].replace("-", "")
            handle = f"@{stem}{rng.choice(['', '_', '.'])}{rng.randint(10, 9999)}"
            identifier(person_id, "social", handle, handle.lower())
        if rng.random() < 0.1:
            # Accents folded: an address's local part is ASCII (the cases app's own rule
            # refuses "José.315@…", so an HTCDS round trip of generated data would fail).
            stem = fold((alias or first or "info").split(" ")[0])
            email = f"{stem}.{rng.randint(10, 999)}@Mail.example"
            identifier(person_id, "email", email, email.lower())
    planted = world.planter.occurrence(moment)
    if planted is not None:
        person_id = take("cases_person")
        first, last, alias, birthdate, age, planted_phone = planted.values
        world.planter.truth[person_id] = planted.number
        sink.rows["cases_person"].append(
            (
                person_id, case_id, ["exploiter"], False, "", first, last, alias, "",
                birthdate, age, scenarios.age_band(age) if age is not None else "adult",
                "Masculine" if planted.gender == "M" else "Feminine", [], "", "", "", "",
                None, "", ["RecruiterOrIntermediary"], "", moment, moment, 1,
            )
        )  # fmt: skip
        persons.append(("exploiter", person_id, first, last, alias))
        if planted_phone:
            identifier(
                person_id, "phone", world.typed(planted_phone, world.planter.rng), planted_phone
            )
    if kind in {"sex", "sex_and_labour"} and rng.random() < 0.35:
        slug = fold(city).replace(" ", "-").replace("(", "").replace(")", "")
        # Written in lower case, so it is already normalised as the cases app does it
        # (case and spacing folded).
        url = f"https://ads.example/{slug}/{rng.randint(100000, 999999)}"
        identifier(None, "online_ad", url, url)

    cities = [city]
    sink.rows["cases_caselocation"].append(
        (take("cases_caselocation"), case_id, "current", country, subdivision, city, "")
    )
    where = scenario.get("exploitation_place")
    if where and rng.random() < 0.7:
        place_country, place_sub, place_city = where
    else:
        place_country, place_sub, place_city = country, subdivision, city
    sink.rows["cases_caselocation"].append(
        (take("cases_caselocation"), case_id, "Exploitation", place_country, place_sub, place_city, "")
    )  # fmt: skip
    cities.append(place_city)
    origin = scenario.get("origin")
    if origin and rng.random() < 0.7:
        sink.rows["cases_caselocation"].append(
            (take("cases_caselocation"), case_id, "Recruitment", origin[0], origin[1], "", "")
        )

    terms = _SafeDict(scenarios.terms(country, work_lang))
    notes: list[tuple[datetime, str]] = []
    for hours in sorted(rng.sample(range(1, 400), world.notes(rng))):
        body = rng.choice(scenarios.CASE_NOTES[work_lang]).format_map(terms)
        at = moment + timedelta(hours=hours)
        sink.rows["cases_casenote"].append((take("cases_casenote"), case_id, owner, body, at))
        notes.append((at, body))
    for _ in range(world.tasks(rng)):
        due = (moment + timedelta(days=rng.randint(1, 30))).date()
        # Open tasks on cases still open: old ones are overdue, as in a real queue.
        done = (
            moment + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 23))
            if status == "closed" or rng.random() < 0.6
            else None
        )
        title_task = rng.choice(scenarios.TASKS[work_lang])
        sink.rows["cases_task"].append(
            (take("cases_task"), case_id, title_task, owner, due, done, owner, moment)
        )

    # The text puente.search.indexing._case_text builds, in its order: persons by
    # id, identifiers and locations by id, notes newest first.
    parts = [reference, reference.replace("-", " "), title, summary]
    for _role, _id, first, last, alias in sorted(persons, key=lambda p: p[1]):
        parts += [first, last, alias]
    for kind_, value, normalised in identifiers:
        parts.append(value)
        parts += phone_words(normalised) if kind_ == "phone" else [normalised]
    parts += cities
    parts += [body for _at, body in sorted(notes, reverse=True)]
    sink.rows["search_searchentry"].append(
        (
            take("search_searchentry"),
            "case",
            case_id,
            case_id,
            _fold_words(parts),
            updated,
        )
    )


def _max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        return cursor.fetchone()[0]


def _save_counters(prefix: str, counters: dict[int, int]) -> None:
    """Move the hotline's counters past the generated numbers, so cases opened in the
    app continue the numbering."""
    for year, last in counters.items():
        counter, _created = CaseCounter.objects.get_or_create(prefix=prefix, year=year)
        if counter.last_number < last:
            counter.last_number = last
            counter.save(update_fields=["last_number"])


# --- Planted networks ------------------------------------------------------------------

# Share of new cases that get an occurrence of a planted person, and how many cases one
# planted person turns up in (drawn once per planted person).
PLANT_SHARE = 0.08
PLANT_OCCURRENCES = (2, 5)


@dataclass
class _PlantedPerson:
    number: int
    gender: str
    first: str
    paternal: str
    maternal: str
    alias: str
    birthdate: date
    phone: str
    left: int


@dataclass
class _Occurrence:
    number: int
    gender: str
    # first, last, alias, birthdate, age, phone (E.164, or "")
    values: tuple[str, str, str, date | None, int | None, str]


class _Planter:
    """Persons — recruiters and exploiters — who recur across several unrelated cases,
    written down differently each time as a hotline really meets them: a typo, accents
    dropped, one surname instead of two, given name and surnames swapped, an alias or
    not, an age (± a year) instead of the birth date, and often the same phone. Each
    occurrence keeps at least one strong trace (birth date or phone), the first both, so
    a careful analyst could tie them together. `truth` is the ground truth."""

    def __init__(self, rng: random.Random, *, country: str, world: _World) -> None:
        self.rng, self.country, self.world = rng, country, world
        self.open: list[_PlantedPerson] = []
        self.count = 0
        self.truth: dict[int, int] = {}

    def _new(self, moment: datetime) -> _PlantedPerson:
        rng = self.rng
        self.count += 1
        gender = "M" if rng.random() < 0.75 else "F"
        pool = "es" if self.country == "MX" or rng.random() < 0.5 else "en"
        first = rng.choice(scenarios.NAMES[f"{pool}_{gender.lower()}"])
        paternal = rng.choice(scenarios.NAMES[f"{pool}_last"])
        maternal = rng.choice(scenarios.NAMES[f"{pool}_last"]) if pool == "es" else ""
        alias = rng.choice(scenarios.ALIASES[pool]) if rng.random() < 0.5 else ""
        born = moment.date() - timedelta(days=rng.randint(20 * 365, 55 * 365))
        # A number of its own, as world.new_number makes them (the planter's draws).
        area = rng.choice(rng.choice(dist.PLACES[self.country])[2])[1]
        if self.country == "US":
            phone = f"+1{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        else:
            width = 10 - len(area)
            phone = f"+52{area}0{rng.randint(0, 10 ** (width - 1) - 1):0{width - 1}d}"
        return _PlantedPerson(
            number=self.count, gender=gender, first=first, paternal=paternal,
            maternal=maternal, alias=alias, birthdate=born, phone=phone,
            left=rng.randint(*PLANT_OCCURRENCES),
        )  # fmt: skip

    def occurrence(self, moment: datetime) -> _Occurrence | None:
        rng = self.rng
        if rng.random() >= PLANT_SHARE:
            return None
        if self.open and rng.random() < 0.7:
            person = rng.choice(self.open)
            first_time = False
        else:
            person = self._new(moment)
            self.open.append(person)
            first_time = True
        person.left -= 1
        if person.left <= 0:
            self.open.remove(person)
        return _Occurrence(person.number, person.gender, self._written(person, moment, first_time))

    def _written(
        self, person: _PlantedPerson, moment: datetime, first_time: bool
    ) -> tuple[str, str, str, date | None, int | None, str]:
        rng = self.rng
        first, paternal, maternal = person.first, person.paternal, person.maternal
        if rng.random() < 0.4:
            first, paternal, maternal = fold_case(first), fold_case(paternal), fold_case(maternal)
        if rng.random() < 0.25:
            if rng.random() < 0.5:
                first = typo(rng, first)
            else:
                paternal = typo(rng, paternal)
        last = f"{paternal} {maternal}" if maternal and rng.random() < 0.6 else paternal
        if rng.random() < 0.1:
            first, last = last, first
        alias = person.alias if rng.random() < 0.6 else ""
        with_birthdate = first_time or rng.random() < 0.6
        with_phone = first_time or rng.random() < 0.6
        if not (with_birthdate or with_phone):
            with_phone = True
        birthdate, age = None, None
        years = (moment.date() - person.birthdate).days // 365
        if with_birthdate:
            birthdate = person.birthdate
            age = years if rng.random() < 0.5 else None
        elif rng.random() < 0.6:
            age = years + rng.choice([-1, 0, 0, 1])
        return first, last, alias, birthdate, age, person.phone if with_phone else ""


def fold_case(text: str) -> str:
    """Accents dropped, letter case kept: "José" → "Jose", as a form without accents has it."""
    return "".join(
        ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn"
    )


def typo(rng: random.Random, word: str) -> str:
    """One slip of the keyboard or the ear: a letter dropped, doubled, swapped or wrong."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    slip = rng.randrange(4)
    if slip == 0:
        return word[:i] + word[i + 1 :]
    if slip == 1:
        return word[:i] + word[i] + word[i:]
    if slip == 2:
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + rng.choice("aeioulnrst") + word[i + 1 :]
