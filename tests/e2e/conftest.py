"""Headless Chromium for end-to-end tests: Debian's browser at /usr/bin/chromium, never a
downloaded one. Without it the browser tests are skipped with the reason — except in CI
(PUENTE_REQUIRE_BROWSER=1), where a missing browser fails the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

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

    # Waits, not timings: a busy machine (a CI run, a second suite) answers more slowly,
    # and a page that updates in 6 s instead of 1 s is still right.
    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
