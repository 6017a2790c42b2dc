"""Benchmark of the directory search (`puente.directory.queries.find_providers`).

Generates 10,000 realistic providers in both countries into a THROWAWAY database named by
DATABASE_URL (it migrates it and replaces every provider in it), then times a mix of
searches and prints p50 / p95 / p99 in milliseconds. The target is p95 ≤ 50 ms.

    DATABASE_URL=sqlite:////tmp/dir-bench.sqlite3 .venv/bin/python bench/bench_directory.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_directory_bench \
        .venv/bin/python bench/bench_directory.py [--providers 10000] [--queries 600]
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _settings_module() -> str:
    # Until the app is registered in puente.settings, use the tests' scratch settings.
    if os.environ.get("DJANGO_SETTINGS_MODULE"):
        return os.environ["DJANGO_SETTINGS_MODULE"]
    base = importlib.import_module("puente.settings")
    return (
        "puente.settings"
        if "puente.directory" in base.INSTALLED_APPS
        else "tests.directory.settings"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a throwaway database.")
    os.environ["DJANGO_SETTINGS_MODULE"] = _settings_module()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from puente.core.choices import Language
    from puente.directory import choices as dc
    from puente.directory.domain import _tags_for
    from puente.directory.geocode import _tables, locate
    from puente.directory.models import Provider, ProviderTag
    from puente.directory.queries import find_providers

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    # Places weighted by population, as real directories are: many in big cities.
    cities = [c for cs in _tables().cities_by_subdivision.values() for c in cs]
    weights = [max(c.population, 5000) ** 0.8 for c in cities]
    services = list(dc.Service.values)
    languages = list(Language.values)
    populations = list(dc.Population.values)
    kinds = list(dc.ProviderKind.values)
    today = timezone.localdate()

    started = time.perf_counter()
    with transaction.atomic():
        Provider.objects.all().delete()
        batch = []
        for n, city in enumerate(rng.choices(cities, weights=weights, k=args.providers)):
            spoken = ["spa"] if city.country == "MX" else ["eng"]
            spoken += rng.sample(languages, rng.choice([0, 1, 1, 2, 3]))
            batch.append(
                Provider(
                    external_id=f"BENCH-{n}",
                    name=f"{city.name} provider {n}",
                    kind=rng.choice(kinds),
                    services=rng.sample(services, rng.randint(1, 4)),
                    languages=list(dict.fromkeys(spoken)),
                    populations=rng.sample(populations, rng.randint(1, 3)),
                    open_24_7=rng.random() < 0.15,
                    country=city.country,
                    subdivision=city.subdivision,
                    city=city.name,
                    latitude=city.latitude + rng.uniform(-0.08, 0.08),
                    longitude=city.longitude + rng.uniform(-0.08, 0.08),
                    coverage=[city.subdivision] if rng.random() < 0.1 else [],
                    last_verified=today - timedelta(days=rng.randint(0, 730)),
                )
            )
        Provider.objects.bulk_create(batch, batch_size=1000)
        tags = [t for p in Provider.objects.all() for t in _tags_for(p)]
        ProviderTag.objects.bulk_create(tags, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE directory_provider; ANALYZE directory_providertag")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{connection.vendor}: {Provider.objects.count()} providers, {len(tags)} tags "
        f"generated in {time.perf_counter() - started:.1f} s"
    )

    places = [
        locate(text=t)
        for t in [
            "77002", "Houston, TX", "Los Angeles, CA", "10007", "Chicago, IL", "Miami, FL",
            "Seattle, WA", "Atlanta, GA", "Phoenix, AZ", "El Paso, TX", "Marfa, TX", "Alaska",
            "CDMX", "Guadalajara", "Monterrey", "Tijuana", "Ciudad Juárez", "Oaxaca",
            "Tapachula", "Querétaro", "Acapulco de Juárez", "JAL", "Chiapas",
        ]
    ]  # fmt: skip
    mix = []
    for _ in range(args.queries):
        shape = rng.random()
        near = rng.choice(places)
        if shape < 0.35:  # need + near: the common advocate search
            mix.append(("need+near", dict(need=rng.choice(services), near=near)))
        elif shape < 0.6:  # need + language + near
            mix.append(
                (
                    "need+language+near",
                    dict(need=rng.choice(services), language=rng.choice(languages), near=near),
                )
            )
        elif shape < 0.75:  # need + language + population + near + country
            mix.append(
                ("need+language+population+near+country",
                 dict(need=rng.choice(services), language=rng.choice(languages),
                      population=rng.choice(populations), near=near, country=near.country))
            )  # fmt: skip
        elif shape < 0.9:  # near only
            mix.append(("near", dict(near=near)))
        else:  # no place: need (+ country)
            mix.append(
                (
                    "need (no place)",
                    dict(need=rng.choice(services), country=rng.choice(["US", "MX"])),
                )
            )

    for _shape, query in mix[:20]:  # warm caches and connections
        find_providers(**query)
    by_shape: dict[str, list[float]] = {}
    for shape, query in mix:
        t0 = time.perf_counter()
        find_providers(**query)
        by_shape.setdefault(shape, []).append((time.perf_counter() - t0) * 1000)

    def report(label: str, timings: list[float]) -> None:
        timings = sorted(timings)

        def pct(p: float) -> float:
            return timings[min(len(timings) - 1, max(0, math.ceil(p / 100 * len(timings)) - 1))]

        print(
            f"  {label:<40} n={len(timings):<4} p50 {statistics.median(timings):6.1f} ms  "
            f"p95 {pct(95):6.1f} ms  p99 {pct(99):6.1f} ms  max {timings[-1]:6.1f} ms"
        )

    print("find_providers:")
    report("all queries", [t for ts in by_shape.values() for t in ts])
    for shape, timings in by_shape.items():
        report(shape, timings)


if __name__ == "__main__":
    main()
