"""The versioned JSON API. Each app contributes a router from its own `api.py`; they
call the same domain functions as the HTML views."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Puente API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
