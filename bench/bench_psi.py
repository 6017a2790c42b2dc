"""Benchmark of private set intersection across the border (issue 16): a run of 10,000
identifiers against a partner holding 100,000, target ≤ 10 s over the loopback exchange.

Two figures, p50 / p95 (nearest rank) over `--runs` runs after one warm-up:

1. `compute` — the PSI arithmetic alone, in this process, no database: the requester
   blinds its 10,000 items (`client.CreateRequest`), the responder builds its set with a
   fresh key (`CreateSetupMessage`, GCS, PUENTE_PSI_FPR's default 1e-9) and blinds the
   request again (`ProcessRequest`), the requester finds the intersection
   (`GetIntersection`). Each step is timed too.

2. `exchange` — end to end between two live deployments on this machine
   (tests/federation/two_hotlines.py: a U.S. and a Mexican Puente, each its own server,
   worker and database, talking signed HTTP over loopback). The U.S. holds 10,000
   exploiters' identifiers, Mexico 100,000, 1,000 shared. Timed inside one U.S. process:
   from calling `psi.start_match` (reading our identifiers, blinding them, writing the
   request to the outbox) until the run is `answered` in the U.S. database — which takes
   the U.S. worker delivering the request, Mexico's inbox storing it, Mexico's worker
   computing the answer over its 100,000 and delivering it in two parts, the U.S. inbox
   reading them, the intersection, the matches and the follow-up tasks stored. The
   workers poll their queues every 0.2 s (the harness's setting), which is included.
   Mexico answers with its set blinded ahead (PUENTE_PSI_PREPARED_MINUTES: a fresh key
   per set, each set used once), as it does for any request after its first; the first
   run, which blinds the set at the request, is printed apart.

    .venv/bin/python bench/bench_psi.py [--runs 5] [--client 10000] [--server 100000]
    .venv/bin/python bench/bench_psi.py --only compute
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_psi .venv/bin/python bench/bench_psi.py --only exchange

With a PostgreSQL DATABASE_URL, the two deployments get two fresh databases named after it
(<name>_pair_us, <name>_pair_mx), dropped at the end; otherwise two SQLite files in a
temporary folder.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def _summary(name: str, values: list[float]) -> str:
    return (
        f"{name:<34} p50 {statistics.median(values):7.2f} s   p95 {_p95(values):7.2f} s"
        f"   ({', '.join(f'{v:.2f}' for v in values)})"
    )


def _items(n: int, *, offset: int, shared: int) -> list[str]:
    """n phone items; the first `shared` are the same on both sides."""
    common = [f"phone:+1512{i:07d}" for i in range(shared)]
    own = [f"phone:+1713{offset + i:07d}" for i in range(n - shared)]
    return common + own


def bench_compute(*, client_n: int, server_n: int, shared: int, runs: int) -> None:
    import private_set_intersection.python as psi

    client_items = _items(client_n, offset=0, shared=shared)
    server_items = _items(server_n, offset=5_000_000, shared=shared)
    steps: dict[str, list[float]] = {
        "request (requester)": [],
        "setup (responder)": [],
        "answer (responder)": [],
        "intersection (requester)": [],
        "total": [],
    }
    for run in range(runs + 1):
        t0 = time.perf_counter()
        client = psi.client.CreateWithNewKey(True)
        request = client.CreateRequest(client_items)
        t1 = time.perf_counter()
        server = psi.server.CreateWithNewKey(True)
        setup = server.CreateSetupMessage(1e-9, client_n, server_items, psi.DataStructure.GCS)
        t2 = time.perf_counter()
        response = server.ProcessRequest(request)
        t3 = time.perf_counter()
        found = client.GetIntersection(setup, response)
        t4 = time.perf_counter()
        assert len(found) == shared, len(found)
        if run == 0:
            sizes = (
                len(request.SerializeToString()),
                len(setup.SerializeToString()),
                len(response.SerializeToString()),
            )
            continue  # warm-up
        for name, value in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0), strict=True):
            steps[name].append(value)
    print(f"compute: {client_n:,} identifiers against {server_n:,}, {shared:,} shared")
    print(
        f"  bytes: request {sizes[0]:,}, setup {sizes[1]:,}, response {sizes[2]:,} (before base64)"
    )
    for name, values in steps.items():
        print("  " + _summary(name, values))


PLANT = """
import json, time
from puente.accounts.models import User
from puente.cases import domain as cases
from puente.cases.models import Identifier, Person
from puente.federation.models import PartnerHotline
from puente.networks import psi
admin = User.objects.get(username="administrator")
supervisor = User.objects.get(username="supervisor")
items = [f"+1512{{i:07d}}" for i in range({shared})] + [
    f"+1713{{{offset} + i:07d}}" for i in range({n} - {shared})
]
per_case = 1000
for start in range(0, len(items), per_case):
    case = cases.open_case(by=supervisor, title="PSI bench")
    people = Person.objects.bulk_create(
        [Person(case=case, roles=["exploiter"], first_name="Bench") for _ in range(per_case // 10)]
    )
    Identifier.objects.bulk_create(
        [Identifier(case=case, person=people[i // 10], kind="phone", value=v, normalised=v)
         for i, v in enumerate(items[start:start + per_case])],
        batch_size=1000,
    )
# Set last: switching matching on blinds the set ahead, which must see all of it.
psi.change_policy(partner=PartnerHotline.objects.get(), by=admin, enabled=True,
                  kinds=["phone"], runs_per_day=1000, identifiers_per_run=20000,
                  identifiers_per_year=100000000)
print(json.dumps({{"held": len(psi.exploiter_items(kinds=["phone"]))}}))
"""

RUN = """
import json, time
from puente.accounts.models import User
from puente.federation.models import PartnerHotline
from puente.networks import psi
from puente.networks.models.psi import MatchRun
by = User.objects.get(username="supervisor")
partner = PartnerHotline.objects.get()
times = []
for n in range({runs}):
    t0 = time.perf_counter()
    run = psi.start_match(partner=partner, kinds=["phone"], by=by)
    while True:
        run.refresh_from_db(fields=["status", "matched"])
        if run.status != "sent":
            break
        time.sleep(0.02)
    times.append(time.perf_counter() - t0)
    # The demo's own data may add a shared number or two.
    assert run.status == "answered" and run.matched >= {shared}, (run.status, run.matched)
print(json.dumps({{"times": times, "asked": run.asked, "matched": run.matched}}))
"""


def bench_exchange(*, client_n: int, server_n: int, shared: int, runs: int) -> None:
    from tests.federation.two_hotlines import two_hotlines

    folder = Path(tempfile.mkdtemp(prefix="bench-psi-"))
    print(f"exchange: preparing two deployments in {folder} …", flush=True)
    with two_hotlines(folder) as (us, mx, _wire):
        plant_us = PLANT.format(n=client_n, offset=0, shared=shared)
        plant_mx = PLANT.format(n=server_n, offset=5_000_000, shared=shared)
        held_us = json.loads(us.shell(plant_us).splitlines()[-1])
        held_mx = json.loads(mx.shell(plant_mx).splitlines()[-1])
        # The demo's own exploiters' phones are in the sets too.
        print(f"  U.S. holds {held_us['held']:,}, Mexico {held_mx['held']:,}", flush=True)
        # Mexico blinds its set ahead after each answer (and when matching is
        # switched on): a request made after the last answer's set was blinded finds
        # it waiting. "prepared" runs start once one is waiting; "at the request"
        # runs start after it is deleted, so Mexico blinds its set on the request.
        figures: dict[str, list[float]] = {"prepared": [], "at the request": []}
        asked = 0
        for mode in ("prepared", "at the request"):
            for _n in range(runs):
                mx.wait_for(
                    "SELECT COUNT(*) FROM networks_preparedanswer",
                    lambda rows: rows[0][0] >= 1,
                    timeout=600,
                )
                if mode == "at the request":
                    mx.rows("DELETE FROM networks_preparedanswer RETURNING id")
                out = us.shell(RUN.format(runs=1, shared=shared))
                result = json.loads(out.strip().splitlines()[-1])
                figures[mode] += result["times"]
                asked = result["asked"]
        database = "PostgreSQL" if "postgres" in os.environ.get("DATABASE_URL", "") else "SQLite"
        print(
            f"exchange: {asked:,} identifiers asked of a partner holding "
            f"{held_mx['held']:,}, {shared:,} shared, database {database}"
        )
        for mode, values in figures.items():
            print("  " + _summary(f"start → answered, set {mode}", values))
    # Removed on success only: after a failure the servers' and workers' logs stay there.
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--client", type=int, default=10_000)
    parser.add_argument("--server", type=int, default=100_000)
    parser.add_argument("--shared", type=int, default=1_000)
    parser.add_argument("--only", choices=["compute", "exchange"])
    args = parser.parse_args()
    options = {
        "client_n": args.client,
        "server_n": args.server,
        "shared": args.shared,
        "runs": args.runs,
    }
    if args.only in (None, "compute"):
        bench_compute(**options)
    if args.only in (None, "exchange"):
        bench_exchange(**options)


if __name__ == "__main__":
    main()
