"""Benchmark of probabilistic matching of persons across cases (issue 16): precision and
recall of the recovered clusters on data with planted networks (each ≥ 0.9 at the
default threshold), and linking 1,000,000 identifier rows in ≤ 2 minutes.

Two parts:

1. `planted` — the real path on a real database: `puente generate` data (its planted
   networks: persons who recur across unrelated cases with typos, dropped accents, one
   surname or two, swapped order, an alias, an age instead of a birth date, a shared
   phone) in a fresh database (SQLite in a temporary folder, or a PostgreSQL
   DATABASE_URL), then the steps of `run_linkage` one by one, each timed: export from the
   database into DuckDB, name features, training and prediction (Splink), writing the
   proposals back. Precision and recall: pairwise, over the connected components of the
   proposed links against the generator's ground truth (Summary.planted).

2. `scale` — 1,000,000 identifier rows: building a Django database that size from
   `puente generate` would take some 3.5 million contacts (hours on this machine), so the
   rows are made directly, in this process, straight into DuckDB: 400,000 persons (names
   from the generator's own tiny pools — far more name collisions than a real hotline's,
   so blocking is harder than in life), 1,000,000 identifiers (most a person's own,
   some shared by hundreds: a shelter's switchboard, a frequent caller), and 20,000
   planted persons with 2–5 written variants each. What is timed is what follows the
   export: name features, training and prediction — `prepare_features` and `score`,
   the same functions `run_linkage` calls. The export's own speed is part 1's figure
   (rows per second), and is reported next to it.

    .venv/bin/python bench/bench_linkage.py                     # both parts
    .venv/bin/python bench/bench_linkage.py --only scale --identifiers 1000000
    .venv/bin/python bench/bench_linkage.py --only planted --contacts 20000 --country MX
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_linkage .venv/bin/python \
        bench/bench_linkage.py --only planted
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
    os.environ.setdefault("SECRET_KEY", "bench-linkage-not-secret")
    os.environ.setdefault("PUENTE_AUDIT_KEY", "bench-linkage-audit-key-" + "x" * 40)
    import django

    django.setup()


def planted(*, contacts: int, country: str, seed: int) -> dict:
    """Part 1: generated data in a fresh database, the run's steps timed."""
    url = os.environ.get("DATABASE_URL", "")
    tmp = None
    if not url.startswith("postgres"):
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite:///{tmp.name}/bench-linkage.sqlite3"
    _django(url)
    import duckdb
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from puente.networks import linkage
    from puente.networks.models import LinkStatus, PersonLink
    from puente.networks.models.linkage import LinkageRun
    from puente.sampledata.synthetic import generate
    from tests.networks.linkage_scoring import precision_recall

    call_command("migrate", verbosity=0)
    began = time.monotonic()
    summary = generate(contacts=contacts, years=5, seed=seed, country=country)
    generated = time.monotonic() - began
    steps: dict[str, float] = {}
    duck = duckdb.connect(":memory:")
    began = time.monotonic()
    persons, identifiers = linkage.export_persons(duck)
    steps["export"] = time.monotonic() - began
    began = time.monotonic()
    compared = linkage.prepare_features(
        duck, max_identifier_persons=settings.PUENTE_LINK_MAX_IDENTIFIER_PERSONS
    )
    steps["features"] = time.monotonic() - began
    scored = linkage.score(duck, threshold=settings.PUENTE_LINK_THRESHOLD)
    steps.update(scored.seconds)
    run = LinkageRun.objects.create(threshold=settings.PUENTE_LINK_THRESHOLD)
    began = time.monotonic()
    proposed = linkage._write_proposals(run=run, pairs=scored.pairs)
    steps["write"] = time.monotonic() - began
    found = PersonLink.objects.exclude(status=LinkStatus.REJECTED).values_list(
        "person_a_id", "person_b_id"
    )
    precision, recall, predicted, true = precision_recall(
        found=list(found), planted=summary.planted
    )
    result = {
        "part": "planted",
        "database": connection.vendor,
        "contacts": contacts,
        "country": country,
        "seed": seed,
        "generate_seconds": round(generated, 1),
        "persons": persons,
        "identifiers": identifiers,
        "persons_compared": compared,
        "planted_records": len(summary.planted),
        "planted_persons": len(set(summary.planted.values())),
        "threshold": settings.PUENTE_LINK_THRESHOLD,
        "pairs_proposed": proposed,
        "true_pairs": true,
        "predicted_pairs": predicted,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "seconds": {k: round(v, 2) for k, v in steps.items()},
        "export_rows_per_second": round((persons + identifiers) / max(steps["export"], 1e-9)),
    }
    connection.close()
    if tmp:
        tmp.cleanup()
    return result


# --- Part 2: a million identifier rows ---------------------------------------------------


def scale_rows(*, identifiers: int, seed: int):
    """(persons, identifiers, truth) as column lists, about 2.5 identifiers a person."""
    from puente.sampledata import scenarios
    from puente.sampledata.synthetic import fold_case, typo

    rng = random.Random(seed)
    names = scenarios.NAMES
    aliases = scenarios.ALIASES
    n_persons = int(identifiers / 2.5)
    n_planted = n_persons // 20  # planted persons; their records are ~3.5 each
    person_cols: dict[str, list] = {
        k: []
        for k in (
            "unique_id",
            "case_id",
            "first_name",
            "last_name",
            "alias",
            "birthdate",
            "age",
            "gender",
            "is_business",
            "case_year",
        )
    }
    ident_person: list[int] = []
    ident_value: list[str] = []
    truth: dict[int, int] = {}
    hubs = [f"phone:+1800{rng.randint(0, 9_999_999):07d}" for _ in range(2000)]
    next_id = 0
    case_id = 0

    def add(first, last, alias, birthdate, age, gender, year, ids, case):
        nonlocal next_id
        next_id += 1
        for key, value in zip(
            person_cols,
            (next_id, case, first, last, alias, birthdate, age, gender, False, year),
            strict=True,
        ):
            person_cols[key].append(value)
        for value in ids:
            ident_person.append(next_id)
            ident_value.append(value)
        return next_id

    def identity():
        gender = "M" if rng.random() < 0.6 else "F"
        pool = "es" if rng.random() < 0.5 else "en"
        first = rng.choice(names[f"{pool}_{gender.lower()}"])
        paternal = rng.choice(names[f"{pool}_last"])
        maternal = rng.choice(names[f"{pool}_last"]) if pool == "es" else ""
        return gender, pool, first, paternal, maternal

    # Planted persons first (ids are not in any order the model could use).
    for number in range(1, n_planted + 1):
        gender, pool, first, paternal, maternal = identity()
        alias = rng.choice(aliases[pool]) if rng.random() < 0.5 else ""
        born = date(1960, 1, 1) + timedelta(days=rng.randint(0, 40 * 365))
        phone = f"phone:+1{rng.randint(200, 999)}{rng.randint(0, 9_999_999):07d}"
        for k in range(rng.randint(2, 5)):
            case_id += 1
            year = rng.randint(2015, 2026)
            f, p, m = first, paternal, maternal
            if rng.random() < 0.4:
                f, p, m = fold_case(f), fold_case(p), fold_case(m)
            if rng.random() < 0.25:
                if rng.random() < 0.5:
                    f = typo(rng, f)
                else:
                    p = typo(rng, p)
            last = f"{p} {m}" if m and rng.random() < 0.6 else p
            if rng.random() < 0.1:
                f, last = last, f
            with_birth = k == 0 or rng.random() < 0.6
            with_phone = k == 0 or rng.random() < 0.6 or not with_birth
            years = year - born.year
            birthdate = born if with_birth else None
            age = (
                years
                if with_birth and rng.random() < 0.5
                else years + rng.choice([-1, 0, 1])
                if not with_birth and rng.random() < 0.6
                else None
            )
            ids = [phone] if with_phone else []
            ids.append(f"social:@p{number}_{k}_{rng.randint(0, 10**6)}")
            pid = add(
                f,
                last,
                alias if rng.random() < 0.6 else "",
                birthdate,
                age,
                "Masculine" if gender == "M" else "Feminine",
                year,
                ids,
                case_id,
            )
            truth[pid] = number
    # Everyone else: one record each, own identifiers (some shared with many).
    while len(ident_value) < identifiers:
        case_id += 1
        gender, pool, first, paternal, maternal = identity()
        year = rng.randint(2015, 2026)
        age = rng.randint(16, 60) if rng.random() < 0.6 else None
        ids = []
        for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
            if rng.random() < 0.02:
                ids.append(rng.choice(hubs))
            else:
                ids.append(f"phone:+1{rng.randint(200, 999)}{rng.randint(0, 9_999_999):07d}")
        add(
            first,
            f"{paternal} {maternal}".strip() if rng.random() < 0.6 else paternal,
            rng.choice(aliases[pool]) if rng.random() < 0.15 else "",
            None,
            age,
            "Masculine" if gender == "M" else "Feminine",
            year,
            ids[: identifiers - len(ident_value)],
            case_id,
        )
    return person_cols, (ident_person, ident_value), truth


def scale(*, identifiers: int, seed: int) -> dict:
    _django(os.environ.get("DATABASE_URL") or "sqlite:///:memory:")
    import duckdb
    import pyarrow as pa
    from django.conf import settings

    from puente.networks import linkage
    from tests.networks.linkage_scoring import precision_recall

    began = time.monotonic()
    person_cols, (ident_person, ident_value), truth = scale_rows(identifiers=identifiers, seed=seed)
    made = time.monotonic() - began
    duck = duckdb.connect(":memory:")
    linkage._load(
        duck,
        "persons",
        linkage.PERSON_COLUMNS,
        [list(zip(*person_cols.values(), strict=True))],
    )
    linkage._load(
        duck,
        "identifiers",
        linkage.IDENTIFIER_COLUMNS,
        [list(zip(ident_person, ident_value, strict=True))],
    )
    del person_cols, ident_person, ident_value
    loaded = time.monotonic() - began - made
    steps: dict[str, float] = {}
    began = time.monotonic()
    compared = linkage.prepare_features(
        duck, max_identifier_persons=settings.PUENTE_LINK_MAX_IDENTIFIER_PERSONS
    )
    steps["features"] = time.monotonic() - began
    scored = linkage.score(duck, threshold=settings.PUENTE_LINK_THRESHOLD)
    steps.update(scored.seconds)
    total = sum(steps.values())
    precision, recall, predicted, true = precision_recall(
        found=[(a, b) for a, b, *_rest in scored.pairs], planted=truth
    )
    rows = duck.execute("SELECT count(*) FROM identifiers").fetchall()[0][0]
    persons = duck.execute("SELECT count(*) FROM persons").fetchall()[0][0]
    del pa
    return {
        "part": "scale",
        "identifier_rows": rows,
        "persons": persons,
        "persons_compared": compared,
        "planted_records": len(truth),
        "planted_persons": len(set(truth.values())),
        "rows_made_seconds": round(made, 1),
        "rows_loaded_into_duckdb_seconds": round(loaded, 1),
        "seconds": {k: round(v, 2) for k, v in steps.items()},
        "linking_seconds": round(total, 1),
        "target_seconds": 120,
        "threshold": settings.PUENTE_LINK_THRESHOLD,
        "pairs_proposed": len(scored.pairs),
        "true_pairs": true,
        "predicted_pairs": predicted,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["planted", "scale"])
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--country", choices=["US", "MX"], default="US")
    parser.add_argument("--identifiers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    results = []
    if args.only in (None, "planted"):
        results.append(planted(contacts=args.contacts, country=args.country, seed=args.seed))
        print(json.dumps(results[-1], indent=2), flush=True)
    if args.only in (None, "scale"):
        results.append(scale(identifiers=args.identifiers, seed=args.seed))
        print(json.dumps(results[-1], indent=2), flush=True)


if __name__ == "__main__":
    main()
