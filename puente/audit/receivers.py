"""What the trail records without the code that acts knowing about it: pages and API
routes refused for lack of a permission (announced by `puente.core.permissions`), and
home pages shown (their queues list cases and contacts; `puente.core.home`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from puente.audit.domain import record_event
from puente.core.home import home_shown
from puente.core.permissions import permission_refused


def record_refusal(
    *, request: HttpRequest, user: Any, perm: str, object_type: str, object_ref: str, **_: Any
) -> None:
    record_event(
        action="access_denied",
        actor=user,
        object_type=object_type,
        object_ref=object_ref,
        reason=f"needs {perm}",
        request=request,
    )


def record_home_shown(*, request: HttpRequest, user: Any, sections: list[str], **_: Any) -> None:
    record_event(
        action="view",
        actor=user,
        object_type="home",
        reason="home queues: " + ", ".join(sections),
        request=request,
    )


def connect() -> None:
    permission_refused.connect(record_refusal, dispatch_uid="puente.audit.record_refusal")
    home_shown.connect(record_home_shown, dispatch_uid="puente.audit.record_home_shown")
