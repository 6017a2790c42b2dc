"""The versioned JSON API (/api/v1). Each app contributes a router from its own
`api.py`; routers call the same domain functions as the HTML views, so a rule is
enforced once. Every route authenticates with `puente.accounts.api_auth.api_auth`."""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI

from puente.accounts.api_auth import api_auth
from puente.cases.api import router as cases_router
from puente.core.concurrency import StaleWriteError
from puente.directory.api import router as directory_router
from puente.intake.api import router as intake_router
from puente.referrals.api import router as referrals_router
from puente.search.api import router as search_router

api = NinjaAPI(
    title="Puente API",
    version="1",
    urls_namespace="api-v1",
    # No Swagger UI: it loads its assets from a CDN. The schema is at /api/v1/openapi.json.
    docs_url=None,
    openapi_url="/openapi.json",
    auth=api_auth,
)


@api.exception_handler(ValidationError)
def domain_validation_error(request, exc: ValidationError):
    """A rule broken in a domain function is the caller's error (422 with the field and
    its message), never a 500."""
    if hasattr(exc, "error_dict"):
        detail = [
            {"loc": ["body", field], "msg": str(message), "type": "value_error"}
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    else:
        detail = [{"loc": ["body"], "msg": str(m), "type": "value_error"} for m in exc.messages]
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(StaleWriteError)
def stale_write(request, exc: StaleWriteError):
    """Someone saved the record after the caller read it: 409 with who, when and the
    version to read again (the `StaleOut` schema), for every versioned endpoint."""
    body = {
        "detail": exc.messages[0],
        "changed_by": exc.changed_by,
        "changed_at": exc.changed_at,
        "current_version": exc.current_version,
    }
    return api.create_response(request, body, status=409)


@api.exception_handler(PermissionDenied)
def permission_refused(request, exc: PermissionDenied):
    """Every refusal — a missing permission or scope, a restricted case — is a 403 with
    its reason, already audited where it was decided (`require_api_perm`,
    `puente.cases.access.check_case_access`)."""
    detail = str(exc) or "You may not do this."
    return api.create_response(request, {"detail": detail}, status=403)


api.add_router("/", intake_router)
api.add_router("/cases", cases_router)
api.add_router("/cases", referrals_router)
api.add_router("/search", search_router)
api.add_router("/directory", directory_router)
