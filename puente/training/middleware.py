"""Practice mode: while a trainee has a practice call in progress, their requests to the
hotline's screens run in the sandbox database, as their sandbox (advocate) account.

The call's own console (/training/practice/...) and the account pages stay outside: the
console keeps the call's progress in the real database, where supervisors follow it.
Everything else — the ORM, raw SQL, transactions, streamed exports — reaches only the
sandbox for that request (puente/core/sandbox.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.core import sandbox
from puente.core.permissions import Refused
from puente.training import sandbox as practice_sandbox
from puente.training import scenarios
from puente.training.models.practice import PracticeCall, PracticeStatus

SESSION_KEY = "practice_call"

# Paths that never enter the sandbox: training itself (the call's console, the knowledge
# base, one's real feedback), signing in and out and the session's idle timer, the
# language switch, account administration and static files.
OUTSIDE = ("/training/", "/accounts/", "/staff/", "/backoffice/", "/i18n/", "/jsi18n/", "/static/")


def _in_sandbox(content: Iterable[Any]) -> Iterator[Any]:
    """A streamed response (a CSV export) is read after the view returns, perhaps on
    another thread: each chunk is read inside the sandbox, where the view asked for it."""
    iterator = iter(content)
    while True:
        with sandbox.use():
            try:
                chunk = next(iterator)
            except StopIteration:
                return
        yield chunk


class PracticeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        call = self._call_in_progress(request)
        if call is None:
            response = self.get_response(request)
            if (
                sandbox.PRACTICE_COOKIE in request.COOKIES
                and request.user.is_authenticated
                and not request.path_info.startswith(OUTSIDE)
            ):
                # Signed in again after the call ended or its session timed out.
                response.delete_cookie(sandbox.PRACTICE_COOKIE, samesite="Lax")
            return response
        real_user = cast(User, request.user)  # signed in: _call_in_progress checked
        with sandbox.use():
            seat = practice_sandbox.acting_user(real_user)
        if seat is None:
            # The sandbox was emptied under the call: this request stays outside it, as
            # the real person; the console seats them again when the call is retaken.
            return self.get_response(request)
        with sandbox.use():
            # Signed in with a second factor as the real person: the same session.
            seat.otp_device = getattr(real_user, "otp_device", None)  # type: ignore[attr-defined]
            verified = getattr(real_user, "is_verified", None)
            if verified is not None:
                seat.is_verified = verified  # type: ignore[attr-defined]
            request.user = seat
            try:
                scenario_title = scenarios.get(call.scenario).title(call.language)
            except KeyError:
                scenario_title = call.scenario
            request.sandbox_banner = sandbox.Banner(  # type: ignore[attr-defined]
                title=scenario_title,
                return_url=reverse("training:practice_call", args=[call.pk]),
            )
            try:
                response = self.get_response(request)
            finally:
                request.user = real_user
        if response.streaming:
            response.streaming_content = _in_sandbox(response.streaming_content)  # type: ignore[attr-defined]
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        # Live streams run in the server's event loop, outside this request's thread and so
        # outside the sandbox: a trainee at practice gets none.
        if sandbox.active() and asyncio.iscoroutinefunction(view_func):
            raise Refused(_("Live updates are off during a practice call."))
        return None

    @staticmethod
    def _call_in_progress(request: HttpRequest) -> PracticeCall | None:
        session = getattr(request, "session", None)
        if session is None or request.path_info.startswith(OUTSIDE):
            return None
        call_id = session.get(SESSION_KEY)
        if not call_id or not request.user.is_authenticated:
            return None
        call = PracticeCall.objects.filter(
            pk=call_id, trainee=request.user.pk, status=PracticeStatus.IN_PROGRESS
        ).first()
        if call is None:
            session.pop(SESSION_KEY, None)
        return call
