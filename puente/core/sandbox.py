"""The sandbox: a second database where practice calls are recorded, so that nothing a
trainee types can reach a real case, list, search, statistic, export, the exchange, the
phone lookup or the audit trail.

The fence is the database itself, not a flag every query must remember: while a practice
call is on the screen, every database alias of the thread (default, the analysis replica)
is the sandbox's connection, so the real intake, screening and case screens — their ORM
queries, their raw SQL, their transactions and locks — all run against the sandbox, and
the real database is not reachable from that request at all. Outside that block nothing
points at the sandbox, so real pages cannot read it either.

Database connections are per thread (Django's connection handler is thread-critical), and
a request's synchronous middleware and view run on one thread, so the swap lasts exactly
one request and no other request sees it.

What leaves the process without a database — live events to other advocates' screens,
messages through the channel provider — is checked with `active()` where it is sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

ALIAS = "practice"
# Set in the browser while a practice call is in progress. The session names the call;
# this outlives a session that timed out, so typing sent after it is not kept in the
# real database as if it were real work (puente/accounts/middleware.py).
PRACTICE_COOKIE = "puente_practice"

_state = threading.local()


@dataclass(frozen=True)
class Banner:
    """What every sandbox page says about the call in progress (base template)."""

    title: str
    return_url: str


def active() -> bool:
    """Whether this thread is working in the sandbox (a practice call's request)."""
    return getattr(_state, "depth", 0) > 0


def configured() -> bool:
    return ALIAS in settings.DATABASES


@contextmanager
def use() -> Iterator[None]:
    """Within the block, every database alias of this thread is the sandbox's."""
    sandbox = connections[ALIAS]
    originals = {}
    for alias in settings.DATABASES:
        if alias != ALIAS:
            originals[alias] = connections[alias]
            connections[alias] = sandbox
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
        for alias, connection in originals.items():
            connections[alias] = connection
