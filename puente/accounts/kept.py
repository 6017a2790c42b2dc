"""No lost typing: a form sent after its author's session ended is kept for them.

When the idle timeout ends a session, the browser still holds a marker: a cookie set at
sign-in carrying the user's id, signed (salted, with a maximum age) so it cannot be made
up. A staff form sent with that marker and no session — past the CSRF check, never
instead of it — is kept server-side for that user (a `HeldDraft`) and its author is sent
to sign in; afterwards they land back on the form's page, which offers to put back what
they typed. Only that user, signed in again, ever sees it.

Apps above may keep a form of theirs better themselves (the new-contact form keeps it as
an unfinished intake): `add_keeper`, from their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from puente.accounts.models import HeldDraft, User

# Set at sign-in, removed at sign-out. If a request sees it while nobody is signed in,
# the session ended on its own: the idle timeout.
SIGNED_IN_COOKIE = "puente_was_signed_in"
_MARKER_SALT = "puente.accounts.kept.signed-in-marker"
# Longer than any shift: a marker older than this no longer keeps a form.
MARKER_MAX_AGE = timedelta(hours=24)
# Never kept, whatever the form: the CSRF token (a new one comes with the new page) and
# anything secret by its name.
_NEVER_KEPT = {"csrfmiddlewaretoken"}
_SECRET_WORDS = ("password", "passwd", "secret", "token", "otp")
# A person keeps at most this many forms at once; the oldest go first.
MAX_HELD_PER_USER = 20


@dataclass(frozen=True)
class Marker:
    user_id: int
    # The login page's "you were signed out after N minutes" notice was shown (once).
    notice_shown: bool


def marker_value(*, user_id: int, notice_shown: bool = False) -> str:
    return signing.dumps({"u": user_id, "n": int(notice_shown)}, salt=_MARKER_SALT)


def read_marker(value: str | None) -> Marker | None:
    """The marker's contents, or None for no marker, one made up or changed (bad
    signature), one older than MARKER_MAX_AGE, or today's plain "1" of older versions."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=_MARKER_SALT, max_age=MARKER_MAX_AGE)
        return Marker(user_id=int(data["u"]), notice_shown=bool(data.get("n")))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def set_marker(response: HttpResponse, *, user_id: int, notice_shown: bool = False) -> None:
    # A browser-session cookie like the session's own; HttpOnly: no script reads it.
    response.set_cookie(
        SIGNED_IN_COOKIE,
        marker_value(user_id=user_id, notice_shown=notice_shown),
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def forget_marker(response: HttpResponse) -> None:
    response.delete_cookie(SIGNED_IN_COOKIE, samesite="Lax")


# --- what is kept -----------------------------------------------------------------------

Keeper = Callable[[User, QueryDict], str | None]
_keepers: dict[str, Keeper] = {}


def add_keeper(*, view_name: str, keep: Keeper) -> None:
    """Let the app owning the view `view_name` ("intake:new") keep a form sent to it
    after the session ended in its own way. `keep(user, post)` returns the address to
    bring its author back to, or None to have it kept as a held draft."""
    _keepers[view_name] = keep


def keeper_for(view_name: str) -> Keeper | None:
    return _keepers.get(view_name)


def _secret(name: str) -> bool:
    lowered = name.lower()
    return name in _NEVER_KEPT or any(word in lowered for word in _SECRET_WORDS)


def kept_fields(post: QueryDict) -> dict[str, list[str]]:
    """The typed fields worth keeping: every named field with a value, as lists (a
    multiple choice sends several), without the CSRF token and secrets. Files are in
    request.FILES and never read here."""
    kept: dict[str, list[str]] = {}
    for name, values in post.lists():
        if _secret(name):
            continue
        filled = [value for value in values if value.strip()]
        if filled:
            kept[name] = filled
    return kept


def form_page(request: HttpRequest) -> str:
    """The page the form was on: the Referer when it is this site (a form on a case's
    page may send to another address), else the address the form was sent to."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        page = parts.path + (f"?{parts.query}" if parts.query else "")
        if page.startswith("/"):
            return page
    return request.get_full_path()


def hold_typing(
    *, user: User, page: str, action: str, fields: Mapping[str, list[str]]
) -> HeldDraft:
    """Keep what `user` typed into a form sent after their session ended."""
    draft = HeldDraft.objects.create(
        user=user, page=page[:2000], action=action[:2000], fields=dict(fields)
    )
    stale = HeldDraft.objects.filter(user=user).order_by("-created_at", "-id")[MAX_HELD_PER_USER:]
    HeldDraft.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return draft


def held_cutoff(*, now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(hours=settings.PUENTE_DRAFT_HOURS)


def held_draft(*, user: User, draft_id: Any) -> HeldDraft | None:
    """`user`'s own held draft, if it has not expired. Another person's and one that
    never existed look the same: None."""
    try:
        pk = int(draft_id)
    except (TypeError, ValueError):
        return None
    return HeldDraft.objects.filter(pk=pk, user=user, created_at__gte=held_cutoff()).first()


def take_held_draft(*, user: User, draft_id: Any) -> HeldDraft | None:
    """Hand a held draft back once: it is deleted as it is read."""
    draft = held_draft(user=user, draft_id=draft_id)
    if draft is not None:
        HeldDraft.objects.filter(pk=draft.pk).delete()
    return draft


def discard_held_draft(*, user: User, draft_id: Any) -> bool:
    draft = held_draft(user=user, draft_id=draft_id)
    if draft is None:
        return False
    HeldDraft.objects.filter(pk=draft.pk).delete()
    return True


def purge_expired_held_drafts(*, now: datetime | None = None) -> int:
    """Delete held drafts older than PUENTE_DRAFT_HOURS (never offered after that)."""
    deleted, _rows = HeldDraft.objects.filter(created_at__lt=held_cutoff(now=now)).delete()
    return deleted
