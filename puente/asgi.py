"""Puente as an ASGI application: what `puente serve` and `puente demo` run (uvicorn
workers under gunicorn, puente/core/management/server.py).

Every page goes to Django as usual. The two live streams (server-sent events: the
advocates' and a web chat visitor's) are answered by `puente.channels.live` directly in the
event loop, so that an open stream holds neither a thread nor a database connection while
nothing happens; each is still let in only through Django's whole middleware stack
(session, sign-in, MFA), run once when it opens.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
django_application = get_asgi_application()

from puente.channels.live import STREAMS  # noqa: E402  (needs the apps loaded above)


async def application(scope, receive, send):
    if scope["type"] == "http":
        stream = STREAMS.get(scope["path"])
        if stream is not None:
            await stream(scope, receive, send)
            return
    await django_application(scope, receive, send)
