"""The idle warning's endpoints and kept typing's (puente/accounts/kept.py), for
core/static/puente/session.js. JSON, small, and each one the person's own."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from puente.accounts import kept
from puente.accounts.domain import fully_signed_in
from puente.core.middleware import SessionActivityMiddleware, keeps_session_idle

# These paths sit under /accounts/, which MFARequiredMiddleware leaves open to a person
# past the password only: the views that hand back typing check the second factor too
# (fully_signed_in).


def _signed_out() -> JsonResponse:
    return JsonResponse({"signed_in": False, "expires_in": 0}, status=401)


@never_cache
@require_POST
def stay_signed_in(request):
    """The warning's "Stay signed in": the person's click renews the session for a whole
    idle window. POST only (CSRF-checked): a GET, a prefetch or a link never renews."""
    if not request.user.is_authenticated:
        return _signed_out()
    SessionActivityMiddleware.renew(request.session)
    return JsonResponse(
        {"signed_in": True, "expires_in": SessionActivityMiddleware.seconds_left(request.session)}
    )


@never_cache
@require_GET
@keeps_session_idle
def session_status(request):
    """Whether the session still lives and for how long: asked when the countdown ends
    (another tab may have kept the session alive). Never renews it."""
    if not request.user.is_authenticated:
        return _signed_out()
    return JsonResponse(
        {"signed_in": True, "expires_in": SessionActivityMiddleware.seconds_left(request.session)}
    )


@never_cache
@require_POST
def take_held_draft(request, draft_id: int):
    """What the person typed before being signed out, handed back once (deleted as it is
    read) to be put back into the form by field name. Only its author gets it; anyone
    else, like a draft that expired or never was, gets 404."""
    if not fully_signed_in(request.user):
        return _signed_out()
    draft = kept.take_held_draft(user=request.user, draft_id=draft_id)
    if draft is None:
        raise Http404
    return JsonResponse({"page": draft.page, "action": draft.action, "fields": draft.fields})


@never_cache
@require_POST
def discard_held_draft(request, draft_id: int):
    if not fully_signed_in(request.user):
        return _signed_out()
    if not kept.discard_held_draft(user=request.user, draft_id=draft_id):
        raise Http404
    return JsonResponse({"discarded": True})
