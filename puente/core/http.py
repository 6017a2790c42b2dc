"""Facts about a request that several apps need the same answer to."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str | None:
    """The address the request came from. Behind the reverse proxy
    (`PUENTE_BEHIND_PROXY`), REMOTE_ADDR is the proxy's own: the client's is the last
    entry of X-Forwarded-For, the one the proxy appended (earlier entries are whatever
    the client sent, and can be forged)."""
    if request is None:
        return None
    if getattr(settings, "PUENTE_BEHIND_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if _is_address(last):
            return last
    return request.META.get("REMOTE_ADDR") or None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
