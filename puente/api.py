"""The versioned JSON API (/api/v1). Each app contributes a router from its own
`api.py`; routers call the same domain functions as the HTML views, so a rule is
enforced once. Every route authenticates with `puente.accounts.api_auth.api_auth`."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser

from puente.accounts.api_auth import api_auth
from puente.cases.api import router as cases_router
from puente.core.concurrency import StaleWriteError
from puente.directory.api import router as directory_router
from puente.intake.api import router as intake_router
from puente.referrals.api import router as referrals_router
from puente.search.api import router as search_router


class BodyRefused(HttpError):
    """A request body the API does not read at all (before any field is looked at)."""


class JsonObjectParser(Parser):
    """Every body the API takes is one JSON object sent as application/json: a body sent
    as anything else is 415, and a JSON value that is not an object (`0`, `null`, `[]`)
    is 400 — without this, Ninja's schemas would read it as an object with every field
    left out (and open an empty case)."""

    def parse_body(self, request):
        if request.content_type != "application/json":
            raise BodyRefused(415, "Send the request body as application/json.")
        try:
            data = json.loads(request.body)
        except ValueError as exc:
            raise BodyRefused(400, "The request body is not valid JSON.") from exc
        if not isinstance(data, dict):
            raise BodyRefused(400, "The request body must be a JSON object.")
        return data


api = NinjaAPI(
    title="Puente API",
    version="1",
    urls_namespace="api-v1",
    # No Swagger UI: it loads its assets from a CDN. The schema is at /api/v1/openapi.json.
    docs_url=None,
    openapi_url="/openapi.json",
    auth=api_auth,
    parser=JsonObjectParser(),
)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """Ninja answers 400 "Cannot parse request body" for any failure of the parser; the
    parser's own refusals (415, a body that is not an object) keep their status and say
    what is wrong."""
    cause = exc.__cause__
    if isinstance(cause, BodyRefused):
        exc = cause
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def schema_validation_error(request, exc: NinjaValidationError):
    """A field the schema refuses: 422 with the same `loc` as a domain rule's
    (["body", field, …]), not Ninja's ["body", "payload", field, …]."""
    detail = [
        {**error, "loc": [*error["loc"][:1], *error["loc"][2:]]}
        if list(error["loc"][:2]) == ["body", "payload"]
        else error
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


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
