"""View guards. Every view of case data names the permission it needs."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def require_perm(perm: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.can(perm):
                from puente.audit.domain import record_event

                record_event(
                    action="access_denied",
                    actor=request.user,
                    object_type="url",
                    object_ref=request.path[:60],
                    reason=f"needs {perm}",
                    request=request,
                )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm  # read by the permission-matrix test
        return wrapped

    return decorator
