"""Gunicorn inside the `puente` process, so `puente demo` and `puente serve` need no
separate server command or config file."""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication


class PuenteServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            # Skip settings an older gunicorn does not know (pyproject allows >= 23).
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        import gc

        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()
        # Everything loaded so far (Django, the URL map, templates) lives as long as the
        # worker: move it out of the collector's sight, and collect the young generation
        # less often, so a request rarely pays for a full collection (a p95 matter).
        gc.collect()
        gc.freeze()
        gc.set_threshold(7_000, 20, 20)
        return application


def default_workers() -> int:
    # Gunicorn's rule of thumb (2 × cores + 1), capped: each worker holds a database
    # connection, and threads below already overlap waiting on the database.
    return min(2 * (os.cpu_count() or 1) + 1, 9)


def run_server(*, bind: str, workers: int, threads: int = 4, access_log: bool = True) -> None:
    from django.db import connections

    # Workers are forked from this process: none may inherit its open database connection.
    connections.close_all()
    PuenteServer(
        {
            "bind": bind,
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": 60,
            # Longer than an advocate's pause between clicks (and a proxy's idle timeout
            # should be longer still): with gunicorn's 2 s default the server closes idle
            # keep-alive connections just as browsers reuse them, and requests fail with
            # "connection reset". Idle connections wait in the poller, not in a thread.
            "keepalive": 30,
            "graceful_timeout": 20,
            "accesslog": "-" if access_log else None,
            "errorlog": "-",
            "proc_name": "puente",
            # Gunicorn >= 25 opens a management socket in the home directory by default;
            # Puente is managed by its service manager, so no extra door stays open.
            "control_socket_disable": True,
        }
    ).run()
