"""Staff pages of the channels (the thread and queue pages are built on `domain` and
`queries`; what is here is what must be safe before any page shows a file)."""

from __future__ import annotations

from django.http import FileResponse

from puente.channels import attachments, domain, queries
from puente.core.permissions import Perm, require_perm


@require_perm(Perm.CONTACT_VIEW)
def download_attachment(request, key):
    """A file that came with a contact: to whoever may read the contact, audited, and
    always as a download — never rendered by the browser, whatever it contains."""
    attachment = queries.attachment_for(user=request.user, key=key, request=request)
    handle = attachments.path_of(attachment.stored_name).open("rb")
    domain.record_attachment_download(attachment=attachment, by=request.user, request=request)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    return response
