"""The web server inside the `puente` process, so `puente demo` and `puente serve` need no
separate server command or config file.

Gunicorn manages the processes (starts, restarts, stops them gracefully); each process runs
uvicorn's event loop with Puente's ASGI application (`puente/asgi.py`, through the
`uvicorn-worker` package, kept by uvicorn's maintainers). ASGI because the live pages hold
a server-sent-events stream open per advocate: an event loop holds thousands of idle
streams where a threaded WSGI server would spend a thread on each. Ordinary pages run as
under a threaded WSGI server, in a fixed pool of threads per process (see puente/asgi.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker


class PuenteWorker(UvicornWorker):
    # Django speaks no ASGI lifespan; saying so spares a warning at each start.
    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "lifespan": "off"}


WORKER_CLASS = f"{PuenteWorker.__module__}.{PuenteWorker.__qualname__}"


class PuenteServer(BaseApplication):
    def __init__(self, options: dict, *, background: Callable[[], None] | None = None):
        self.options = options
        # Started in each server process once it runs (the demo's task worker).
        self.background = background
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            # Skip settings an older gunicorn does not know (pyproject allows >= 23).
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        import gc

        import django
        from django.conf import settings
        from django.utils.module_loading import import_string

        django.setup()  # before the application module is read
        application = import_string(settings.ASGI_APPLICATION)

        if self.background is not None:
            self.background()
        # Everything loaded so far (Django, the URL map, templates) lives as long as the
        # worker: move it out of the collector's sight, and collect the young generation
        # less often, so a request rarely pays for a full collection (a p95 matter).
        gc.collect()
        gc.freeze()
        gc.set_threshold(7_000, 20, 20)
        return application


def default_workers() -> int:
    # Gunicorn's rule of thumb (2 × cores + 1), capped: each worker opens its own
    # database connections, and one event loop already overlaps many requests.
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def run_server(
    *,
    bind: str,
    workers: int,
    access_log: bool = True,
    background: Callable[[], None] | None = None,
) -> None:
    from django.db import connections

    # Workers are forked from this process: none may inherit its open database connection.
    connections.close_all()
    PuenteServer(
        {
            "bind": bind,
            "workers": workers,
            "worker_class": WORKER_CLASS,
            "timeout": 60,
            # Longer than an advocate's pause between clicks (and a proxy's idle timeout
            # should be longer still): with a 2 s keep-alive the server closes idle
            # connections just as browsers reuse them, and requests fail with
            # "connection reset".
            "keepalive": 30,
            # Live streams are cut after this on a restart; the pages reconnect by themselves.
            "graceful_timeout": 20,
            "accesslog": "-" if access_log else None,
            "errorlog": "-",
            "proc_name": "puente",
            # Gunicorn >= 25 opens a management socket in the home directory by default;
            # Puente is managed by its service manager, so no extra door stays open.
            "control_socket_disable": True,
        },
        background=background,
    ).run()
