"""Headless Chromium for end-to-end tests: Debian's browser at /usr/bin/chromium, never a
downloaded one. Without it the browser tests are skipped with the reason — except in CI
(PUENTE_REQUIRE_BROWSER=1), where a missing browser fails the run."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

from puente.channels import events
from tests.conftest import signed_in_client

# Waits, not timings: a busy machine (CI runs the SQLite and PostgreSQL suites side by
# side on two cores) answers more slowly, and a page that updates in 12 s instead of 1 s is
# still right. Every wait in the browser tests uses this.
WAIT_MS = 30_000
CHROMIUM = os.environ.get("PUENTE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _OneRequestAtATime(WSGIServer):
    """The live server, answering one request at a time. With SQLite the test database
    lives in memory and every thread of a threaded server shares its one connection: two
    requests at once (the phone lookup while the draft autosaves) can trip over each
    other's savepoints there, which no deployment does. Django answers with
    `Connection: close` on a server without threads, so the browser never waits on a
    kept-alive connection."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = _OneRequestAtATime


# --- When a browser test fails ----------------------------------------------------------------
#
# A wait that runs out says only that something did not appear. The report then also
# shows what the page held, where every server thread stood (a request stuck behind a
# lock shows here) and, on PostgreSQL, which backends were waiting for a lock.


def _server_threads() -> str:
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    main = threading.main_thread().ident
    return "\n".join(
        f"--- {names.get(ident, ident)}\n" + "".join(traceback.format_stack(frame))
        for ident, frame in sys._current_frames().items()
        if ident != main
    )


def _lock_waits() -> str:
    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, pg_blocking_pids(pid), state, wait_event_type, wait_event, "
            "left(query, 300) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return "\n".join(repr(row) for row in cursor.fetchall())


def _page_state(page) -> str:
    try:
        return f"{page.url}\n{page.content()[:20_000]}"
    except Exception as error:  # the page may be gone with the failure
        return f"(page not readable: {error})"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for n, page in enumerate(getattr(item, "puente_pages", [])):
        report.sections.append((f"page {n} when the test failed", _page_state(page)))
    if "asgi_server" in getattr(item, "fixturenames", ()):
        report.sections.append(("server threads when the test failed", _server_threads()))
        try:
            report.sections.append(("database sessions when the test failed", _lock_waits()))
        except Exception as error:
            report.sections.append(("database sessions when the test failed", repr(error)))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (install Debian's 'chromium' package)"
        if os.environ.get("PUENTE_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (set-up, assertions) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, live_server):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    request.node.puente_pages = [page]
    yield page
    context.close()


# What an accessibility check may not find: axe-core's two worst impact levels. Minor and
# moderate findings are reported by axe too, but they are judgement calls, not blockers.
BLOCKING_IMPACTS = {"serious", "critical"}


def accessibility_problems(page) -> list[str]:
    """axe-core (the copy shipped inside axe-playwright-python, no network) run on the page
    as it is now: one line per serious or critical violation, naming the rule, its help text
    and the first elements that break it."""
    results = Axe().run(page)
    problems = []
    for violation in results.response["violations"]:
        if violation.get("impact") not in BLOCKING_IMPACTS:
            continue
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        problems.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — {'; '.join(targets)}"
        )
    return problems


@pytest.fixture
def assert_accessible():
    """Call with a page (and a name for the message): fails on serious or critical axe-core
    violations of the page as it stands."""

    def check(page, where: str = "") -> None:
        problems = accessibility_problems(page)
        assert not problems, f"{where or page.url}: " + "\n".join(problems)

    return check


# --- An ASGI server for the live pages ------------------------------------------------------
#
# `live_server` is Django's WSGI server answering one request at a time: a server-sent-events
# stream would hold it for good. The live pages (screen-pop, queue, web chat) need what
# `puente serve` runs: Puente's ASGI application under uvicorn, holding streams open in its
# event loop while it answers other requests. It runs here in a thread of the test process,
# so the test's settings (the `settings` fixture), its users and its sessions are the
# server's too, and the event bus (in memory on SQLite, LISTEN/NOTIFY on PostgreSQL, as in
# production) carries events from the server's webhook to the server's streams.
#
# The database. The server answers on many threads at once (each request's synchronous part,
# each stream's permission check), each with its own connection, so every one must see
# the data the test commits: tests using it are transactional (`transaction=True`).
# - PostgreSQL: nothing more; it is a real server.
# - SQLite: Django's in-memory test database cannot be shared safely. LiveServerThread hands
#   its one connection to the server's thread, which is sound only for one request at a
#   time; and the "shared cache" in-memory database other connections may open refuses a
#   reader with "database table is locked" while another connection writes, at once,
#   without waiting. So when a collected test asks for `asgi_server` (or is marked
#   `threads_share_the_database`), the session's test database is a file (pytest-django honours DATABASES["default"]["TEST"]["NAME"], adding
#   the xdist worker's suffix), in WAL mode like a deployment's: concurrent readers and a
#   queued writer, as in production. The whole session then uses the file (a session has
#   one test database); PUENTE_TEST_SQLITE_NAME, when set, is used as it is. The hook that
#   does it is in tests/conftest.py, so that it runs whichever tests are collected.


@dataclass
class AsgiServer:
    url: str
    server: object

    def cookie(self, name: str, value: str) -> dict:
        """A cookie for this server, in the form Playwright's add_cookies takes."""
        return {"name": name, "value": value, "url": self.url}


@pytest.fixture
def asgi_server(transactional_db, settings):
    """Puente's ASGI application (`puente.asgi`, as `puente serve` runs it) under uvicorn,
    on a free port of 127.0.0.1, for one test; `.url` is its address."""
    import uvicorn

    # Loaded when first needed: importing it builds the whole ASGI handler.
    from puente.asgi import application

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1", "localhost"]
    # One server process: events in memory (the table bus's poller would outlive the test
    # database; tests/channels/test_events.py covers it).
    settings.PUENTE_EVENTS_BACKEND = "memory"
    # The server's page and stream threads keep their connections between requests, as
    # under `puente serve`; here a kept connection would stop PostgreSQL dropping the test
    # database (or the practice sandbox's) at the end of the session.
    kept_for = {
        alias: database.get("CONN_MAX_AGE", 0) for alias, database in settings.DATABASES.items()
    }
    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    config = uvicorn.Config(
        application,
        lifespan="off",
        # Every request and its status, shown with the test's output only when it fails.
        log_level="info",
        access_log=True,
        # Open streams never end by themselves: cut them a second after stopping.
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listening]}, name="asgi-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the ASGI test server did not start")
        time.sleep(0.02)
    try:
        yield AsgiServer(url=f"http://127.0.0.1:{port}", server=server)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listening.close()
        for alias, age in kept_for.items():
            settings.DATABASES[alias]["CONN_MAX_AGE"] = age


def signed_in_context(browser, server: AsgiServer, user, **options):
    """A browser context already past the password and the second factor as `user`, for
    the ASGI server."""
    context = browser.new_context(**{"locale": "en-US", **options})
    client = signed_in_client(user)
    name = settings.SESSION_COOKIE_NAME
    context.add_cookies([server.cookie(name, client.cookies[name].value)])
    return context


def wait_for_streams(count: int, timeout: float = 15) -> None:
    """Until `count` live streams listen on this process's event bus: an event published
    before a page's stream has subscribed would reach nobody."""
    deadline = time.monotonic() + timeout
    while events.bus().count() < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{events.bus().count()} live streams open, {count} expected")
        time.sleep(0.05)
