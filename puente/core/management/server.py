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
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


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
            "graceful_timeout": 20,
            "accesslog": "-" if access_log else None,
            "errorlog": "-",
            "proc_name": "puente",
            # Gunicorn >= 25 opens a management socket in the home directory by default;
            # Puente is managed by its service manager, so no extra door stays open.
            "control_socket_disable": True,
        }
    ).run()
