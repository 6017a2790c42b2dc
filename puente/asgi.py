"""Puente as an ASGI application: what `puente serve` and `puente demo` run (uvicorn
workers under gunicorn, puente/core/management/server.py).

Two kinds of request, served two ways:

- **Pages and the API** go to Django's WSGI handler in a fixed pool of threads
  (`a2wsgi`, PUENTE_SERVER_THREADS per process), exactly as a threaded WSGI server would
  run them: each thread keeps its database connection from one request to the next
  (`PUENTE_DB_CONN_MAX_AGE`). Django's own ASGI handler would run each request's
  synchronous code in a thread made for it, so every request would open a connection
  (on SQLite, with an empty page cache): measured at 2 M contacts, the phone lookup went
  from 9 to 15 ms and the 100-advocate load test's p95 from 95 ms to seconds.
- **The two live streams** (server-sent events: the advocates' and a web chat visitor's)
  are answered by `puente.channels.live` directly in the event loop, so that an open
  stream holds neither a thread nor a database connection while nothing happens; each is
  still let in only through Django's whole middleware stack (session, sign-in, MFA), run
  once when it opens.
"""

import os

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
pages = get_wsgi_application()
django_application = WSGIMiddleware(
    # django-stubs types the handler's answer as a response: the iterable of bytes WSGI wants.
    pages,  # type: ignore[arg-type]
    workers=settings.PUENTE_SERVER_THREADS,
)

from puente.channels.live import STREAMS  # noqa: E402  (needs the apps loaded above)


async def application(scope, receive, send):
    if scope["type"] == "http":
        stream = STREAMS.get(scope["path"])
        if stream is not None:
            await stream(scope, receive, send)
            return
    await django_application(scope, receive, send)
