"""Where each millisecond of one request goes (issue 18): every middleware's own time, each
database query, the view's Python and its template, averaged over many requests made in
process as a bench advocate (Django's test client, no socket: what the server adds around
Django is `bench/run.py`'s client time minus its server time).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/puente_bench_2m \\
        .venv/bin/python bench/where_time_goes.py "/intake/new/phone-lookup/?phone=(201) 482-4726"
    DATABASE_URL=sqlite:///var/bench-2m.sqlite3 .venv/bin/python bench/where_time_goes.py /trafficking/ --anonymous

It signs in `bench-advocate-000` (made by `bench/run.py`'s preparation) with a session
that has passed the second factor, so the whole stack runs as for a real advocate, audit
entry included: it writes what the page writes. SECRET_KEY and PUENTE_AUDIT_KEY are made
up for the run when the environment has none. Prints, in milliseconds per request:
each middleware's exclusive time (its own code, the time of the layers inside it taken
out), the view and its template, and every query by its first words, with the database
time of all queries and the rest.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="the page, as a browser asks for it (query string included)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--anonymous", action="store_true", help="no session (a public page)")
    parser.add_argument("--user", default="bench-advocate-000")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
    os.environ.setdefault("PUENTE_DEMO", "false")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
    os.environ.setdefault("PUENTE_AUDIT_KEY", secrets.token_urlsafe(48))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    if not options.anonymous:
        sign_in(client, options.user)
    path = options.path.replace(" ", "%20")
    print_breakdown(breakdown(client, path, options.requests))


def breakdown(client, path: str, requests: int) -> dict:
    """`requests` GETs of `path` through `client` (Django's test client, signed in or not)
    after a warm-up; seconds per request, averaged: each middleware's own time, the view
    (with its queries and template), the template, each query shape, the whole."""
    from django.db import connection
    from django.template.backends.django import Template

    def get():
        response = client.get(path, secure=True)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        return response

    for _ in range(20):  # warm: the URL map, templates, the connection
        get()

    # Each middleware's get_response (the layer inside it) is wrapped with a clock: a
    # layer's own time is its whole time less the time of the layer inside.
    layers: list = []
    node = client.handler._middleware_chain
    while True:
        layer = getattr(node, "__wrapped__", node)
        if not hasattr(layer, "get_response"):
            break
        layers.append(layer)
        node = layer.get_response
    inside: dict[int, float] = defaultdict(float)

    def clocked(depth: int, inner):
        def call(request):
            started = time.perf_counter()
            try:
                return inner(request)
            finally:
                inside[depth] += time.perf_counter() - started

        return call

    originals = [layer.get_response for layer in layers]
    for depth, layer in enumerate(layers):
        layer.get_response = clocked(depth, layer.get_response)

    queries: dict[str, list[float]] = defaultdict(list)

    def timed_query(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries[shape(sql)].append(time.perf_counter() - started)

    rendering = 0.0
    original_render = Template.render

    def timed_render(self, context=None, request=None):
        nonlocal rendering
        started = time.perf_counter()
        try:
            return original_render(self, context, request)
        finally:
            rendering += time.perf_counter() - started

    Template.render = timed_render  # type: ignore[method-assign]
    totals = []
    try:
        with connection.execute_wrapper(timed_query):
            for _ in range(requests):
                started = time.perf_counter()
                get()
                totals.append(time.perf_counter() - started)
    finally:
        Template.render = original_render  # type: ignore[method-assign]
        for layer, original in zip(layers, originals, strict=True):
            layer.get_response = original

    whole = [sum(totals)] + [inside[d] for d in range(len(layers))]
    return {
        "path": path,
        "requests": requests,
        "vendor": connection.vendor,
        "p50": statistics.median(totals),
        "whole": sum(totals) / requests,
        "middleware": [
            (type(layer).__name__, (whole[d] - whole[d + 1]) / requests)
            for d, layer in enumerate(layers)
        ],
        "view": whole[len(layers)] / requests,
        "template": rendering / requests,
        "queries": {
            sql: (len(times) / requests, sum(times) / requests)
            for sql, times in sorted(queries.items(), key=lambda item: -sum(item[1]))
        },
    }


def print_breakdown(b: dict) -> None:
    ms = 1000
    db = sum(total for _count, total in b["queries"].values())
    print(f"{b['path']} — {b['requests']} requests, {b['vendor']}")
    print(
        f"  whole request (test client)     p50 {b['p50'] * ms:6.2f}  mean {b['whole'] * ms:6.2f}"
    )
    print("  middleware, own time (mean ms):")
    for name, own in b["middleware"]:
        print(f"    {name:38s} {own * ms:6.2f}")
    print(f"  the view, with its queries and template {b['view'] * ms:6.2f}")
    print(f"    template rendering                {b['template'] * ms:6.2f}")
    print(f"  queries (mean ms per request; all, in any layer) {db * ms:6.2f}:")
    for sql, (count, total) in b["queries"].items():
        print(f"    {count:4.1f}× {total * ms:6.2f}  {sql}")
    rest = b["whole"] - db - b["template"]
    print(f"  Python outside queries and templates {rest * ms:6.2f}")


def shape(sql: str) -> str:
    """A query named by its kind and tables, so repeats of one add up."""
    sql = " ".join(sql.split())
    tables = sorted(set(re.findall(r'(?:FROM|JOIN|UPDATE|INTO)\s+"?(\w+)"?', sql, re.I)))
    return f"{sql.split(' ', 1)[0].upper()} {', '.join(tables)}"[:90]


def sign_in(client, username: str) -> None:
    """The session that a password and a TOTP code leave (bench/prepare.py does the same
    for the server)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from puente.accounts.models import User
    from puente.core.middleware import SessionActivityMiddleware

    user = User.objects.filter(username=username).first()
    if user is None:
        sys.exit(f"No user {username}: run ./run bench on this database first.")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        sys.exit(f"{username} has no confirmed TOTP device.")
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session[SessionActivityMiddleware.KEY] = int(time.time())
    session.save()


if __name__ == "__main__":
    main()
