"""Probabilistic matching of persons across cases (issue 16), and the decisions on it.

The persons of every case, with their identifiers, are exported in bulk from the
database (PostgreSQL or SQLite: a chunked, server-side cursor, never an object per row)
into an in-memory DuckDB, where their names are prepared — accents folded, lower case,
particles kept with their surname ("de la Cruz"), the first and second surname of the
Mexican naming custom apart, given name and surnames also compared crosswise for a
swapped order, common nicknames mapped to the name ("Chuy" → Jesús) — and Splink scores
the pairs its blocking rules let through (a Fellegi–Sunter model: per comparison, the
m probability — how often true matches agree so — over the u probability — how often
random pairs do; the log2 of their ratio is the comparison's match weight).

Blocking (which pairs are scored at all; at a million identifier rows, scoring every
pair is out of reach, so each rule is an equality join):
  1. a shared identifier (phone, e-mail, handle…; identifiers on more than
     PUENTE_LINK_MAX_IDENTIFIER_PERSONS persons — a shelter's switchboard — are left
     out of blocking, though still compared);
  2. the same exact date of birth;
  3. the same given name, first surname and year of birth (from the date of birth, or
     the age when the case was opened);
  4. the same given name and both surnames;
  5. given name and first surname swapped.
Pairs within one case and pairs already decided are dropped before anything is written.

Training: u by random sampling (Splink's estimate_u_using_random_sampling, seeded; with
fewer than MIN_PERSONS_TO_MEASURE_U persons the documented u priors stand), except where
sampling cannot see: the shared-identifier levels are counted exactly (`identifier_u`)
and an exact date of birth is the birthday problem's 1 / (365 × 50). Given name and
surnames are weighed by how common the value is (term-frequency adjustment: two "María
García" say less than two "Itzel Xicoténcatl"). m from the documented priors in
COMPARISONS (expectation maximisation needs thousands of true matches to converge on and
goes astray on a young hotline's few, and a confirmed or rejected pair is what should
teach the model — see below), and the prior that two random persons are one from
PUENTE_LINK_EXPECTED_DUPLICATES (how many other records of the same person a record has,
on average): λ = that / (persons − 1).

The review feedback loop: a rejected pair stays in PersonLink and is never proposed
again; a confirmed pair stays across runs; a still-proposed pair is refreshed (or
withdrawn when the model no longer scores it above the threshold).

Scale beyond one machine: the same model runs on Splink's Spark backend (docs/networks.md,
"Beyond one machine"). Export persons and identifiers to Parquet (the two queries of
`export_persons`), build the feature table with Spark SQL (as `prepare_features`, with a
UDF for DuckDB's strip_accents and Spark's map() for the nicknames), pass
`SparkAPI(spark_session=…)` instead of `DuckDBAPI()` (it registers Splink's jaro_winkler
and damerau_levenshtein itself), write the level conditions in Spark's words
(jaro_winkler, array_intersect, size, arrays_overlap), and COPY the predictions back for
`_write_proposals`. Comparisons and blocking rules are plain SQL; nothing else changes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.cases.access import may_open_q
from puente.cases.models import Case, Identifier, Person
from puente.networks.models.linkage import LinkageRun, LinkageRunStatus, LinkStatus, PersonLink

log = logging.getLogger(__name__)

CHUNK = 20_000

# Common nicknames and short forms → the name they stand for, folded. Cheap to apply
# (a join on a small table), and a recruiter is often known by his nickname.
NICKNAMES: dict[str, str] = {
    "chuy": "jesus",
    "chucho": "jesus",
    "pepe": "jose",
    "pancho": "francisco",
    "paco": "francisco",
    "lupe": "guadalupe",
    "lupita": "guadalupe",
    "memo": "guillermo",
    "beto": "alberto",
    "toño": "antonio",
    "tono": "antonio",
    "nacho": "ignacio",
    "lalo": "eduardo",
    "quique": "enrique",
    "rafa": "rafael",
    "charly": "carlos",
    "javi": "javier",
    "fer": "fernanda",
    "mike": "michael",
    "mikey": "michael",
    "bill": "william",
    "will": "william",
    "bob": "robert",
    "rob": "robert",
    "jim": "james",
    "jimmy": "james",
    "tony": "anthony",
    "chris": "christopher",
    "matt": "matthew",
    "dave": "david",
    "dan": "daniel",
    "danny": "daniel",
    "liz": "elizabeth",
    "jenny": "jennifer",
    "jen": "jennifer",
    "kate": "katherine",
    "katie": "katherine",
}

# Surname particles kept with the surname they belong to ("de la Cruz" → "delacruz"),
# so "De la Cruz Pérez" has two surnames, not four.
# Random pairs are non-matches only among many persons: in a few hundred, the few true
# pairs are a visible share of any sample, and the u they measure is far too high. Below
# this, the documented u priors stand.
MIN_PERSONS_TO_MEASURE_U = 1000

# "Held by few": an identifier on at most this many persons.
RARE_IDENTIFIER_PERSONS = 8

PARTICLES = r"\b(de|del|dela|della|la|las|los|le|y|da|das|do|dos|di|du|van|von|mc|st)\s+"


@dataclass(frozen=True)
class Level:
    code: str
    label: Any  # lazy translation
    sql: str
    m: float  # the documented prior: how often true matches fall in this level
    u: float  # a fallback until random sampling measures it
    null: bool = False
    # Keep `u` as given: for a level whose evidence another comparison already counts.
    fixed_u: bool = False
    # Weigh agreement by how common the value is (term frequency): two "María García"
    # say less than two "Itzel Xicoténcatl".
    tf_column: str = ""


@dataclass(frozen=True)
class Comparison:
    name: str
    label: Any
    levels: tuple[Level, ...]


def _null(sql: str) -> Level:
    return Level("null", _("not known for both"), sql, 1.0, 1.0, null=True)


# The model, as data. Levels in order: the first whose condition holds applies. The m
# priors come from how records of the same person differ in a hotline's notes (typos,
# accents, one surname or two, an age instead of a date): set by hand, documented here,
# to be re-estimated from confirmed pairs once there are enough of them.
COMPARISONS: tuple[Comparison, ...] = (
    Comparison(
        "given_name",
        _("Given name"),
        (
            _null("given_l IS NULL OR given_r IS NULL"),
            Level("exact", _("same"), "given_l = given_r", 0.72, 0.07, tf_column="given"),
            Level(
                "first_token",
                _("one of the given names"),
                "list_has_any(given_tokens_l, given_tokens_r)",
                0.06,
                0.01,
            ),
            Level(
                "close",
                _("nearly the same (a typo)"),
                "jaro_winkler_similarity(given_l, given_r) >= 0.9 "
                "OR damerau_levenshtein(given_l, given_r) <= 1",
                0.12,
                0.02,
            ),
            Level(
                "swapped",
                _("swapped with the surname"),
                "given_l = paternal_r OR paternal_l = given_r",
                0.05,
                0.0002,
                fixed_u=True,
            ),
            Level("else", _("different"), "ELSE", 0.05, 0.9),
        ),
    ),
    Comparison(
        "surnames",
        _("Surnames"),
        (
            _null("paternal_l IS NULL OR paternal_r IS NULL"),
            Level(
                "both",
                _("both surnames the same"),
                "surnames_l = surnames_r",
                0.4,
                0.003,
                tf_column="surnames",
            ),
            Level(
                "first",
                _("first surname the same"),
                "paternal_l = paternal_r",
                0.36,
                0.05,
                tf_column="paternal",
            ),
            Level(
                "close",
                _("first surname nearly the same (a typo)"),
                "jaro_winkler_similarity(paternal_l, paternal_r) >= 0.9 "
                "OR damerau_levenshtein(paternal_l, paternal_r) <= 1",
                0.12,
                0.01,
            ),
            # The given name's comparison already counts a swapped order: neutral here
            # (m = u), or the same evidence would count twice.
            Level(
                "swapped",
                _("swapped with the given name"),
                "given_l = paternal_r OR paternal_l = given_r",
                0.05,
                0.05,
                fixed_u=True,
            ),
            Level(
                "second",
                _("one's second surname is the other's first"),
                "maternal_l = paternal_r OR paternal_l = maternal_r",
                0.03,
                0.004,
            ),
            Level("else", _("different"), "ELSE", 0.04, 0.9),
        ),
    ),
    Comparison(
        "birth",
        _("Date of birth or age"),
        (
            _null("birth_year_l IS NULL OR birth_year_r IS NULL"),
            # Two different persons share a date of birth about once in 365 × 50 (birth
            # years spread over some fifty years): the birthday problem, fixed rather than
            # sampled — where few records carry a date, most pairs that share one are the
            # same person, and a sample would take them for chance.
            Level(
                "exact",
                _("same date of birth"),
                "birthdate_l = birthdate_r",
                0.7,
                1 / (365 * 50),
                fixed_u=True,
            ),
            # A year of birth worked out from an age is a year out either way.
            Level(
                "year",
                _("born within two years of each other"),
                "abs(birth_year_l - birth_year_r) <= 2",
                0.26,
                0.1,
            ),
            Level(
                "near",
                _("born within five years of each other"),
                "abs(birth_year_l - birth_year_r) <= 5",
                0.02,
                0.1,
            ),
            Level("else", _("far apart"), "ELSE", 0.02, 0.86),
        ),
    ),
    Comparison(
        "identifiers",
        _("Shared identifiers"),
        (
            _null("len(ids_l) = 0 OR len(ids_r) = 0"),
            Level(
                "two",
                _("two or more shared"),
                "len(list_intersect(ids_l, ids_r)) >= 2",
                0.1,
                0.00001,
            ),
            # An identifier few persons hold (a recruiter's own phone) says far more than
            # one many do (a shelter's switchboard, a frequent caller's phone).
            Level(
                "one_rare",
                _("one shared, held by few"),
                "len(list_intersect(ids_rare_l, ids_rare_r)) >= 1",
                0.35,
                0.00002,
            ),
            Level(
                "one",
                _("one shared, held by many"),
                "len(list_intersect(ids_l, ids_r)) = 1",
                0.05,
                0.0002,
            ),
            # Records of one person often share none: a new phone, a handle per case.
            Level("else", _("none shared"), "ELSE", 0.5, 0.9998),
        ),
    ),
    Comparison(
        "alias",
        _("Alias"),
        (
            _null("alias_l IS NULL OR alias_r IS NULL"),
            Level("exact", _("same"), "alias_l = alias_r", 0.7, 0.1),
            Level(
                "close",
                _("nearly the same"),
                "jaro_winkler_similarity(alias_l, alias_r) >= 0.9",
                0.1,
                0.02,
            ),
            Level("else", _("different"), "ELSE", 0.2, 0.88),
        ),
    ),
    Comparison(
        "gender",
        _("Gender"),
        (
            _null("gender_l IS NULL OR gender_r IS NULL"),
            Level("exact", _("same"), "gender_l = gender_r", 0.97, 0.5),
            Level("else", _("different"), "ELSE", 0.03, 0.5),
        ),
    ),
)

COMPARISON_BY_NAME = {c.name: c for c in COMPARISONS}

BLOCKING_RULES: tuple[tuple[str, ...], ...] = (
    ("birthdate",),
    ("given", "paternal", "birth_year"),
    ("given", "paternal", "maternal"),
)


def _splink_settings(
    *, prior: float, u_measured: dict[tuple[str, str], float] | None = None
) -> SettingsCreator:
    """The Splink model: COMPARISONS' levels with their m and u; `u_measured` replaces
    (and fixes) the u of the levels it names, by (comparison, level code)."""
    u_measured = u_measured or {}
    comparisons: list[Any] = []
    for comparison in COMPARISONS:
        levels = []
        for level in comparison.levels:
            spec: dict[str, Any] = {
                "sql_condition": level.sql,
                "label_for_charts": level.code,
            }
            if level.null:
                spec["is_null_level"] = True
            else:
                spec["m_probability"] = level.m
                spec["u_probability"] = u_measured.get((comparison.name, level.code), level.u)
                if level.fixed_u or (comparison.name, level.code) in u_measured:
                    spec["fix_u_probability"] = True
                if level.tf_column:
                    spec["tf_adjustment_column"] = level.tf_column
                    spec["tf_adjustment_weight"] = 1.0
                    spec["disable_tf_exact_match_detection"] = True
            levels.append(spec)
        comparisons.append({"output_column_name": comparison.name, "comparison_levels": levels})
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("ids_block", arrays_to_explode=["ids_block"]),
            *(block_on(*cols) for cols in BLOCKING_RULES),
            {"blocking_rule": "l.given = r.paternal AND l.paternal = r.given"},
        ],
        probability_two_random_records_match=prior,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["case_id"],
    )


# --- Export -----------------------------------------------------------------------------

PERSON_COLUMNS = (
    ("unique_id", pa.int64()),
    ("case_id", pa.int64()),
    ("first_name", pa.string()),
    ("last_name", pa.string()),
    ("alias", pa.string()),
    ("birthdate", pa.date32()),
    ("age", pa.int32()),
    ("gender", pa.string()),
    ("is_business", pa.bool_()),
    ("case_year", pa.int32()),
)
IDENTIFIER_COLUMNS = (("person_id", pa.int64()), ("ident", pa.string()))


def _rows(sql: str, chunk: int = CHUNK) -> Iterator[list[tuple]]:
    """Rows of `sql` in chunks, from a server-side cursor on PostgreSQL (memory stays at a
    chunk) and SQLite's own stepping cursor."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk):
            yield rows


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _load(
    duck: duckdb.DuckDBPyConnection,
    table: str,
    columns: tuple[tuple[str, pa.DataType], ...],
    chunks: Iterable[list[tuple]],
    convert: Callable[[list[tuple]], list[tuple]] | None = None,
) -> int:
    schema = pa.schema(list(columns))
    _sql(
        duck,
        f"CREATE TABLE {table} ("
        + ", ".join(f"{name} {_duck_type(kind)}" for name, kind in columns)
        + ")",
    )
    total = 0
    for rows in chunks:
        if convert:
            rows = convert(rows)
        batch = pa.Table.from_arrays(
            [
                pa.array(values, type=kind)
                for values, (_n, kind) in zip(zip(*rows, strict=True), columns, strict=True)
            ],
            schema=schema,
        )
        duck.register("chunk", batch)
        _sql(duck, f"INSERT INTO {table} SELECT * FROM chunk")
        duck.unregister("chunk")
        total += len(rows)
    return total


def _sql(duck: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """Run `sql` to the end (DuckDB keeps a connection busy until a result is read)."""
    return duck.execute(sql).fetchall()


def _duck_type(kind: pa.DataType) -> str:
    return {
        pa.int64(): "BIGINT",
        pa.int32(): "INTEGER",
        pa.string(): "VARCHAR",
        pa.date32(): "DATE",
        pa.bool_(): "BOOLEAN",
    }[kind]


def export_persons(duck: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Persons and their identifiers from the Django database into `duck`'s tables
    `persons` and `identifiers`. Returns (persons, identifiers)."""
    person = Person._meta.db_table
    case = Case._meta.db_table
    identifier = Identifier._meta.db_table
    if connection.vendor == "postgresql":
        year = "EXTRACT(YEAR FROM c.created_at)::int"
    else:
        year = "CAST(substr(c.created_at, 1, 4) AS INTEGER)"

    def fix_dates(rows: list[tuple]) -> list[tuple]:
        # SQLite hands dates back as text, booleans as 0/1.
        return [(*r[:5], _as_date(r[5]), r[6], r[7], bool(r[8]), r[9]) for r in rows]

    persons = _load(
        duck,
        "persons",
        PERSON_COLUMNS,
        _rows(
            "SELECT p.id, p.case_id, p.first_name, p.last_name, p.alias, p.birthdate, p.age, "
            f"p.gender, p.is_business, {year} FROM {person} p JOIN {case} c ON c.id = p.case_id"
        ),
        fix_dates if connection.vendor != "postgresql" else None,
    )
    identifiers = _load(
        duck,
        "identifiers",
        IDENTIFIER_COLUMNS,
        _rows(
            f"SELECT person_id, kind || ':' || normalised FROM {identifier} "
            "WHERE person_id IS NOT NULL AND normalised <> ''"
        ),
    )
    return persons, identifiers


def prepare_features(duck: duckdb.DuckDBPyConnection, *, max_identifier_persons: int) -> int:
    """The `features` table Splink reads, from `persons` and `identifiers`. Returns how
    many persons have anything to match on."""
    # Constants of this module only, so safe to write into the statement.
    nicknames = "MAP {" + ", ".join(f"'{k}': '{v}'" for k, v in NICKNAMES.items()) + "}"
    _sql(
        duck,
        f"""
        CREATE TABLE features AS
        WITH folded AS (
            SELECT unique_id, case_id, birthdate, gender, is_business,
                coalesce(year(birthdate), case_year - age) AS birth_year,
                nullif(trim(regexp_replace(regexp_replace(lower(strip_accents(
                    coalesce(first_name, ''))), '[^a-z]+', ' ', 'g'), '\\s+', ' ', 'g')), '')
                    AS fn,
                nullif(trim(regexp_replace(regexp_replace(regexp_replace(lower(strip_accents(
                    coalesce(last_name, ''))), '[^a-z]+', ' ', 'g'), '{PARTICLES}', '\\1', 'g'),
                    '\\s+', ' ', 'g')), '') AS ln,
                nullif(trim(regexp_replace(lower(strip_accents(coalesce(alias, ''))),
                    '[^a-z0-9]+', ' ', 'g')), '') AS alias
            FROM persons
        ), tokens AS (
            SELECT *, string_split(fn, ' ') AS fn_tokens, string_split(ln, ' ') AS ln_tokens
            FROM folded
        ), ids AS (
            SELECT person_id, list(DISTINCT ident) AS ids FROM identifiers GROUP BY person_id
        ), common AS (
            SELECT ident FROM identifiers GROUP BY ident
            HAVING count(DISTINCT person_id) BETWEEN 2 AND {int(max_identifier_persons)}
        ), rare AS (
            SELECT ident FROM identifiers GROUP BY ident
            HAVING count(DISTINCT person_id) BETWEEN 2 AND {RARE_IDENTIFIER_PERSONS}
        ), rare_ids AS (
            SELECT i.person_id, list(DISTINCT i.ident) AS ids_rare
            FROM identifiers i JOIN rare USING (ident) GROUP BY i.person_id
        ), block_ids AS (
            SELECT i.person_id, list(DISTINCT i.ident) AS ids_block
            FROM identifiers i JOIN common USING (ident) GROUP BY i.person_id
        )
        SELECT t.unique_id, t.case_id,
            coalesce({nicknames}[t.fn_tokens[1]], t.fn_tokens[1]) AS given,
            list_transform(t.fn_tokens, lambda x: coalesce({nicknames}[x], x)) AS given_tokens,
            t.ln_tokens[1] AS paternal,
            CASE WHEN len(t.ln_tokens) >= 2 THEN t.ln_tokens[2] END AS maternal,
            CASE WHEN len(t.ln_tokens) >= 2 THEN t.ln_tokens[1] || ' ' || t.ln_tokens[2] END
                AS surnames,
            t.alias, t.birthdate, t.birth_year,
            nullif(t.gender, '') AS gender,
            coalesce(ids.ids, []::VARCHAR[]) AS ids,
            coalesce(b.ids_block, []::VARCHAR[]) AS ids_block,
            coalesce(r.ids_rare, []::VARCHAR[]) AS ids_rare
        FROM tokens t
        LEFT JOIN ids ON ids.person_id = t.unique_id
        LEFT JOIN block_ids b ON b.person_id = t.unique_id
        LEFT JOIN rare_ids r ON r.person_id = t.unique_id
        WHERE t.fn IS NOT NULL OR t.ln IS NOT NULL OR t.alias IS NOT NULL
            OR ids.ids IS NOT NULL
        """,
    )
    return int(_sql(duck, "SELECT count(*) FROM features")[0][0])


# --- Scoring ----------------------------------------------------------------------------


@dataclass
class Scored:
    persons: int = 0
    identifiers: int = 0
    candidates: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    # (person_a, person_b, match_weight, match_probability, evidence), person_a < person_b
    pairs: list[tuple[int, int, float, float, list[dict[str, Any]]]] = field(default_factory=list)


def score(
    duck: duckdb.DuckDBPyConnection,
    *,
    threshold: float,
    decided: Iterable[tuple[int, int]] = (),
    expected_duplicates: float | None = None,
    u_pairs: float | None = None,
    seed: int = 16,
) -> Scored:
    """Score the pairs of `features` (already in `duck`) and return those above
    `threshold` (a match probability), skipping pairs in one case and `decided` ones."""
    result = Scored()
    began = time.monotonic()
    persons = int(_sql(duck, "SELECT count(*) FROM features")[0][0])
    result.persons = persons
    if persons < 2:
        return result
    expected = (
        expected_duplicates
        if expected_duplicates is not None
        else settings.PUENTE_LINK_EXPECTED_DUPLICATES
    )
    prior = min(0.5, max(1e-12, expected / (persons - 1)))
    measured = (
        identifier_u(duck, max_identifier_persons=settings.PUENTE_LINK_MAX_IDENTIFIER_PERSONS)
        if persons >= MIN_PERSONS_TO_MEASURE_U
        else {}
    )
    db_api = DuckDBAPI(connection=duck)
    features = db_api.register("features")
    linker = Linker(features, _splink_settings(prior=prior, u_measured=measured), log_level=None)
    if persons >= MIN_PERSONS_TO_MEASURE_U:
        pairs_for_u = u_pairs if u_pairs is not None else settings.PUENTE_LINK_U_PAIRS
        linker.training.estimate_u_using_random_sampling(
            max_pairs=pairs_for_u, seed=seed, min_count_per_level=10
        )
    result.seconds["train"] = time.monotonic() - began
    began = time.monotonic()
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    result.seconds["predict"] = time.monotonic() - began
    began = time.monotonic()
    decided_rows = list(decided)
    _sql(duck, "DROP TABLE IF EXISTS decided")
    _load(
        duck,
        "decided",
        (("a", pa.int64()), ("b", pa.int64())),
        [decided_rows] if decided_rows else [],
    )
    names = [c.name for c in COMPARISONS]
    # A comparison's weight as shown includes its term-frequency adjustment.
    columns = ", ".join(
        f"p.gamma_{c.name}, p.mw_{c.name}"
        + (f" + coalesce(p.mw_tf_adj_{c.name}, 0)" if any(lv.tf_column for lv in c.levels) else "")
        for c in COMPARISONS
    )
    rows = _sql(
        duck,
        f"""
        SELECT least(p.unique_id_l, p.unique_id_r) AS a, greatest(p.unique_id_l, p.unique_id_r) AS b,
            p.match_weight, p.match_probability, {columns}
        FROM {predictions.physical_name} p
        WHERE p.case_id_l <> p.case_id_r
          AND NOT EXISTS (SELECT 1 FROM decided d
                          WHERE d.a = least(p.unique_id_l, p.unique_id_r)
                            AND d.b = greatest(p.unique_id_l, p.unique_id_r))
        """,
    )
    for r in rows:
        evidence = []
        for i, name in enumerate(names):
            gamma, weight = r[4 + 2 * i], r[5 + 2 * i] or 0.0
            evidence.append(
                {"comparison": name, "level": _level_code(name, gamma), "weight": round(weight, 2)}
            )
        result.pairs.append((int(r[0]), int(r[1]), float(r[2]), float(r[3]), evidence))
    result.candidates = len(rows)
    result.seconds["collect"] = time.monotonic() - began
    return result


def identifier_u(
    duck: duckdb.DuckDBPyConnection, *, max_identifier_persons: int
) -> dict[tuple[str, str], float]:
    """The u of the shared-identifier levels, counted rather than sampled: among all pairs
    of persons who both have identifiers, the share that shares two, one held by few, one
    held by many. A random sample of a million pairs sees a shared identifier a handful of
    times in a large hotline (the share falls as 1/persons), too few to measure; counting
    the pairs each identifier makes is exact and cheap. The count includes the true
    matches, so it errs on the side of a lower weight."""
    rows = _sql(
        duck,
        f"""
        WITH x AS (SELECT unique_id, unnest(ids) AS ident FROM features),
        held AS (SELECT ident, count(*) AS k FROM x GROUP BY ident HAVING count(*) >= 2),
        small AS (
            SELECT x.unique_id, x.ident, held.k FROM x JOIN held USING (ident)
            WHERE held.k <= {int(max_identifier_persons)}
        ),
        pairs AS (
            SELECT a.unique_id AS a, b.unique_id AS b, count(*) AS shared,
                count(*) FILTER (WHERE a.k <= {RARE_IDENTIFIER_PERSONS}) AS rare
            FROM small a JOIN small b ON a.ident = b.ident AND a.unique_id < b.unique_id
            GROUP BY 1, 2
        )
        SELECT
            (SELECT count(*) FROM features WHERE len(ids) > 0),
            (SELECT count(*) FROM pairs WHERE shared >= 2),
            (SELECT count(*) FROM pairs WHERE shared = 1 AND rare = 1),
            (SELECT count(*) FROM pairs WHERE shared = 1 AND rare = 0),
            (SELECT coalesce(sum(k * (k - 1) / 2), 0) FROM held
                WHERE k > {int(max_identifier_persons)})
        """,
    )
    with_ids, two, one_rare, one_common, crowded = (float(v) for v in rows[0])
    total = with_ids * (with_ids - 1) / 2
    if total < 1:
        return {}
    floor = 1 / total
    u = {
        ("identifiers", "two"): max(two / total, floor),
        ("identifiers", "one_rare"): max(one_rare / total, floor),
        ("identifiers", "one"): max((one_common + crowded) / total, floor),
    }
    u[("identifiers", "else")] = max(1 - sum(u.values()), floor)
    return u


def _level_code(comparison: str, gamma: int | None) -> str:
    """Splink numbers a comparison's levels from the top: the first non-null level gets
    the highest value, the else level 0, the null level -1."""
    levels = [lvl for lvl in COMPARISON_BY_NAME[comparison].levels if not lvl.null]
    if gamma is None or gamma < 0:
        return "null"
    return levels[len(levels) - 1 - gamma].code


# --- Runs -------------------------------------------------------------------------------


# A run queued or running for longer than this is taken to have died with its worker.
STALE_RUN = timedelta(hours=6)


class RunInProgress(ValidationError):
    """A run is already queued or running."""


def run_in_progress() -> LinkageRun | None:
    return (
        LinkageRun.objects.filter(
            status__in=[LinkageRunStatus.QUEUED, LinkageRunStatus.RUNNING],
            created_at__gt=timezone.now() - STALE_RUN,
        )
        .order_by("-created_at")
        .first()
    )


def latest_run() -> LinkageRun | None:
    return LinkageRun.objects.select_related("started_by").order_by("-created_at", "-id").first()


def start_run(
    *, by: User | None, threshold: float | None = None, request: HttpRequest | None = None
) -> LinkageRun:
    """A queued run (the worker does it: `puente.networks.linkage_tasks.link_persons`).
    Refused (RunInProgress) while another is queued or running: one at a time."""
    with transaction.atomic():
        if run_in_progress() is not None:
            raise RunInProgress(_("Matching is already running; its results will be here soon."))
        run = LinkageRun.objects.create(
            started_by=by,
            threshold=threshold if threshold is not None else settings.PUENTE_LINK_THRESHOLD,
        )
        record_event(
            action="create",
            actor=by,
            obj=run,
            changes=[{"field": "status", "new": run.status}],
            request=request,
        )
    return run


def run_linkage(
    *,
    by: User | None,
    threshold: float | None = None,
    run: LinkageRun | None = None,
    request: HttpRequest | None = None,
) -> LinkageRun:
    """Match every person against every other (within the blocking rules), and write the
    proposals above `threshold` (a match probability; PUENTE_LINK_THRESHOLD by default)."""
    if run is None:
        run = LinkageRun.objects.create(
            started_by=by,
            threshold=threshold if threshold is not None else settings.PUENTE_LINK_THRESHOLD,
        )
    began = time.monotonic()
    run.status = LinkageRunStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        duck = duckdb.connect(":memory:")
        try:
            export_persons(duck)
            run.persons_compared = prepare_features(
                duck, max_identifier_persons=settings.PUENTE_LINK_MAX_IDENTIFIER_PERSONS
            )
            decided = PersonLink.objects.exclude(status=LinkStatus.PROPOSED).values_list(
                "person_a_id", "person_b_id"
            )
            scored = score(duck, threshold=run.threshold, decided=decided.iterator())
        finally:
            duck.close()
        run.pairs_scored = scored.candidates
        run.pairs_proposed = _write_proposals(run=run, pairs=scored.pairs)
        run.status = LinkageRunStatus.DONE
    except Exception as exc:
        log.exception("Matching run %s failed", run.pk)
        run.status = LinkageRunStatus.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
    run.finished_at = timezone.now()
    run.duration_seconds = time.monotonic() - began
    run.save()
    record_event(
        action="change",
        actor=by,
        actor_name="" if by else "puente worker",
        obj=run,
        changes=[
            {"field": "threshold", "new": run.threshold},
            {"field": "persons_compared", "new": run.persons_compared},
            {"field": "pairs_proposed", "new": run.pairs_proposed},
            {"field": "status", "new": run.status},
        ],
        request=request,
    )
    return run


def _write_proposals(
    *, run: LinkageRun, pairs: list[tuple[int, int, float, float, list[dict[str, Any]]]]
) -> int:
    """New pairs inserted, still-proposed ones refreshed, proposals the model no longer
    makes withdrawn; decided pairs are never touched (one made meanwhile wins: the
    insert skips a pair that exists, the refresh only updates a proposed row)."""
    found = {(a, b): (w, p, e) for a, b, w, p, e in pairs}
    with transaction.atomic():
        existing = {
            (a, b): pk
            for pk, a, b in PersonLink.objects.filter(status=LinkStatus.PROPOSED)
            .values_list("pk", "person_a_id", "person_b_id")
            .iterator(chunk_size=CHUNK)
        }
        stale = [pk for key, pk in existing.items() if key not in found]
        for start in range(0, len(stale), 5000):
            PersonLink.objects.filter(
                pk__in=stale[start : start + 5000], status=LinkStatus.PROPOSED
            ).delete()
        refresh = [
            PersonLink(pk=existing[key], match_weight=w, match_probability=p, evidence=e, run=run)
            for key, (w, p, e) in found.items()
            if key in existing
        ]
        PersonLink.objects.bulk_update(
            refresh, ["match_weight", "match_probability", "evidence", "run"], batch_size=2000
        )
        PersonLink.objects.bulk_create(
            [
                PersonLink(
                    person_a_id=a,
                    person_b_id=b,
                    match_weight=w,
                    match_probability=p,
                    evidence=e,
                    run=run,
                )
                for (a, b), (w, p, e) in found.items()
                if (a, b) not in existing
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
    return len(found)


# --- Review -----------------------------------------------------------------------------


class AlreadyDecided(ValidationError):
    """Someone else decided the pair meanwhile."""


def decide_link(
    *,
    link_id: int,
    status: str,
    by: User,
    note: str = "",
    request: HttpRequest | None = None,
) -> PersonLink:
    """Confirm or reject a proposed pair. Optimistic: the update only applies to a pair
    still proposed, so a decision made meanwhile by someone else is reported
    (AlreadyDecided), never overwritten."""
    if status not in {LinkStatus.CONFIRMED, LinkStatus.REJECTED}:
        raise ValidationError(_("A pair is confirmed or rejected."))
    with transaction.atomic():
        now = timezone.now()
        updated = PersonLink.objects.filter(pk=link_id, status=LinkStatus.PROPOSED).update(
            status=status, decided_by=by, decided_at=now, note=note[:2000]
        )
        link = PersonLink.objects.select_related("decided_by").get(pk=link_id)
        if not updated:
            raise AlreadyDecided(
                _("This pair was already %(status)s by %(person)s.")
                % {
                    "status": link.get_status_display().lower(),
                    "person": (link.decided_by.get_full_name() or link.decided_by.username)
                    if link.decided_by
                    else "—",
                }
            )
        record_event(
            action="change",
            actor=by,
            obj=link,
            changes=[
                {"field": "status", "old": LinkStatus.PROPOSED, "new": status},
                {"field": "persons", "new": f"{link.person_a_id}, {link.person_b_id}"},
            ],
            reason=note,
            request=request,
        )
    return link


def visible_persons_q(user: User, field: str = "") -> Q:
    """Persons whose case `user` may open — for the review, case.view aside: analysts
    review matches without reading case files, but never a restricted case's people
    unless they are named on it."""
    prefix = f"{field}__" if field else ""
    return may_open_q(user, f"{prefix}case")


def visible_links(*, user: User) -> QuerySet[PersonLink]:
    """Pairs whose two persons `user` may see."""
    return PersonLink.objects.filter(visible_persons_q(user, "person_a")).filter(
        visible_persons_q(user, "person_b")
    )


def review_queue(*, user: User, status: str = LinkStatus.PROPOSED) -> QuerySet[PersonLink]:
    """The pairs of a status, strongest and newest first, both persons visible."""
    return (
        visible_links(user=user)
        .filter(status=status)
        .select_related("person_a__case", "person_b__case", "decided_by")
        .order_by("-match_weight", "-proposed_at", "id")
    )


def hidden_count(*, user: User, status: str = LinkStatus.PROPOSED) -> int:
    """Pairs of a status that involve a person the user may not see: counted, not shown."""
    return (
        PersonLink.objects.filter(status=status)
        .exclude(Q(visible_persons_q(user, "person_a")) & Q(visible_persons_q(user, "person_b")))
        .count()
    )


def evidence_rows(evidence: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
    """(comparison, level, weight), translated, for display."""
    rows = []
    for item in evidence:
        comparison = COMPARISON_BY_NAME.get(item.get("comparison", ""))
        if comparison is None:
            continue
        level = next((lvl for lvl in comparison.levels if lvl.code == item.get("level")), None)
        rows.append(
            (
                str(comparison.label),
                str(level.label) if level else str(item.get("level", "")),
                float(item.get("weight", 0.0)),
            )
        )
    return rows
