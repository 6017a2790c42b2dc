"""The versioned JSON API (/api/v1). Each app contributes a router from its own
`api.py`; routers call the same domain functions as the HTML views, so a rule is
enforced once."""

from ninja import NinjaAPI

from puente.cases.api import router as cases_router
from puente.intake.api import router as intake_router
from puente.search.api import router as search_router

api = NinjaAPI(
    title="Puente API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("/", intake_router)
api.add_router("/cases", cases_router)
api.add_router("/search", search_router)
