from __future__ import annotations

from django.shortcuts import render
from django.utils.http import urlencode

from puente.audit.domain import record_event
from puente.audit.forms import AuditFilterForm
from puente.audit.labels import label_entries
from puente.audit.models import AuditAction
from puente.audit.queries import audit_entries
from puente.audit.visibility import readable_entry_ids
from puente.core.permissions import Perm, require_perm

PAGE_SIZE = 50


def _cursor(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value > 0 else None


@require_perm(Perm.AUDIT_VIEW)
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries(**{key: value for key, value in filters.items() if value})
    # Paged by id ("older than #N") rather than page numbers: the trail grows while a
    # reviewer reads it, and an offset would shift under them (and be slow on millions).
    before = _cursor(request.GET.get("before"))
    if before:
        entries = entries.filter(id__lt=before)
    rows = list(entries[: PAGE_SIZE + 1])
    older_url = ""
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        params = {key: value for key, value in request.GET.items() if key != "before" and value}
        params["before"] = rows[-1].id
        older_url = f"?{urlencode(params)}"
    # Content (what changed, and why) only for entries about records this reviewer may
    # read right now; the rest shows who, what kind of action, when and on what.
    shown = readable_entry_ids(viewer=request.user, entries=rows)
    for entry in rows:
        entry.content_shown = entry.id in shown
    # Codes become words for the reader (translated actions, field names and picklist
    # labels, staff by name); the trail itself keeps the codes it was chained with.
    label_entries(rows)
    # Looking at the trail is itself on the trail: who reviewed whom must be reviewable,
    # and whose content they read (at most a page of ids).
    applied = ", ".join(f"{key}={value}" for key, value in filters.items() if value)
    record_event(
        action=AuditAction.VIEW,
        actor=request.user,
        object_type="audit",
        object_ref=f"before #{before}" if before else "",
        reason=applied,
        changes=[{"field": "content_shown", "old": None, "new": sorted(shown)}] if shown else (),
        request=request,
    )
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "entries": rows,
            "older_url": older_url,
            "is_first_page": before is None,
            "break_glass": AuditAction.BREAK_GLASS.value,
        },
    )
