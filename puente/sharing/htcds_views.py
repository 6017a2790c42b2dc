"""The HTCDS exchange files' pages. Thin: read the form, call
`puente.sharing.htcds.domain`, show the result. Exports need `htcds.export`, imports
`htcds.import`; every export, download, import and undo is audited by the domain, and
every page that shows what a file held is audited here.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from puente.audit.domain import record_event
from puente.core.choices import CaseStatus, label_for
from puente.core.permissions import Perm, require_perm
from puente.sharing import htcds_tasks as tasks
from puente.sharing.htcds import domain
from puente.sharing.htcds.reading import FileRefused
from puente.sharing.htcds_forms import ExportForm, UndoForm, UploadForm
from puente.sharing.models.htcds import HtcdsExport, HtcdsImport, ImportStatus


@require_http_methods(["GET", "POST"])
@require_perm(Perm.HTCDS_EXPORT)
def export(request):
    """Which cases (the case list's filter or the search, carried over in the address),
    how many of them this person may open, and the file to write."""
    source = request.POST if request.method == "POST" else request.GET
    selection = domain.Selection.from_params(source)
    chosen = domain.choose_cases(user=request.user, selection=selection)
    status = 200
    if request.method == "POST":
        form = ExportForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                job = domain.request_export(
                    by=request.user,
                    selection=selection,
                    file_format=form.cleaned_data["file_format"],
                    language=form.cleaned_data["language"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                domain.remove_expired_exports()
                tasks.queue_export(job.pk)
                return redirect("sharing:htcds_export_detail", export_id=job.pk)
    else:
        form = ExportForm(initial={"language": "es" if get_language().startswith("es") else "en"})
    back = reverse("search:results") + "?" + urlencode({"q": selection.q}) if selection.q else ""
    if not back and selection.as_params():
        back = reverse("cases:list") + "?" + urlencode(selection.as_params())
    return render(
        request,
        "sharing/htcds/export.html",
        {
            "form": form,
            "selection": selection,
            "selection_params": selection.as_params(),
            "chosen": chosen,
            "back": back,
            "status_label": label_for(CaseStatus, selection.status),
            "recent": HtcdsExport.objects.filter(requested_by=request.user)[:10],
        },
        status=status,
    )


def _own_export(request, export_id: int) -> HtcdsExport:
    # An export is its requester's: their choice of cases, as they may open them.
    return get_object_or_404(HtcdsExport, pk=export_id, requested_by=request.user)


@require_GET
@require_perm(Perm.HTCDS_EXPORT)
def export_detail(request, export_id: int):
    job = _own_export(request, export_id)
    return render(request, "sharing/htcds/export_detail.html", {"job": job})


@require_GET
@require_perm(Perm.HTCDS_EXPORT)
def export_progress(request, export_id: int):
    job = _own_export(request, export_id)
    response = render(request, "sharing/htcds/_export_progress.html", {"job": job})
    if job.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_GET
@require_perm(Perm.HTCDS_EXPORT)
def export_download(request, export_id: int):
    job = _own_export(request, export_id)
    try:
        path = domain.record_download(export=job, by=request.user, request=request)
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=domain.export_filename(job),
        content_type=domain.CONTENT_TYPES[job.file_format],
    )


# --- imports -----------------------------------------------------------------------------


@require_GET
@require_perm(Perm.HTCDS_IMPORT)
def imports(request):
    batches = HtcdsImport.objects.select_related("uploaded_by", "undone_by")[:100]
    return render(request, "sharing/htcds/imports.html", {"batches": batches, "form": UploadForm()})


@require_http_methods(["GET", "POST"])
@require_perm(Perm.HTCDS_IMPORT)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                batch = domain.receive_file(
                    by=request.user,
                    name=uploaded.name,
                    chunks=uploaded.chunks(),
                    size=uploaded.size,
                    request=request,
                )
            except FileRefused as exc:
                form.add_error("file", str(exc))
            else:
                tasks.queue_check(batch.pk)
                return redirect("sharing:htcds_import", import_id=batch.pk)
    return render(request, "sharing/htcds/upload.html", {"form": form}, status=status)


@require_GET
@require_perm(Perm.HTCDS_IMPORT)
def import_detail(request, import_id: int):
    """The dry run's preview while the file waits, the result once imported, the undo."""
    batch = get_object_or_404(HtcdsImport.objects.select_related("uploaded_by"), pk=import_id)
    record_event(
        action="view",
        actor=request.user,
        obj=batch,
        object_ref=batch.original_name[:60],
        request=request,
    )
    undo = domain.undo_plan(batch) if batch.status == ImportStatus.IMPORTED else None
    problems = batch.problems or []
    return render(
        request,
        "sharing/htcds/import.html",
        {
            "batch": batch,
            "summary": batch.summary or {},
            "errors": [p for p in problems if p["severity"] == "error"],
            "warnings": [p for p in problems if p["severity"] != "error"],
            "may_import_all": domain.may_import_all(batch),
            "undo": undo,
            "undo_form": UndoForm(),
        },
    )


@require_GET
@require_perm(Perm.HTCDS_IMPORT)
def import_progress(request, import_id: int):
    batch = get_object_or_404(HtcdsImport, pk=import_id)
    response = render(request, "sharing/htcds/_import_progress.html", {"batch": batch})
    if not batch.is_busy and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_POST
@require_perm(Perm.HTCDS_IMPORT)
def import_confirm(request, import_id: int):
    batch = get_object_or_404(HtcdsImport, pk=import_id)
    try:
        domain.confirm_import(
            batch=batch,
            by=request.user,
            only_valid=request.POST.get("only_valid") == "yes",
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        tasks.queue_import(batch.pk)
        messages.success(request, _("The import has started."))
    return redirect("sharing:htcds_import", import_id=batch.pk)


@require_POST
@require_perm(Perm.HTCDS_IMPORT)
def import_cancel(request, import_id: int):
    batch = get_object_or_404(HtcdsImport, pk=import_id)
    try:
        domain.cancel_import(batch=batch, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The file was not imported and has been deleted."))
    return redirect("sharing:htcds_imports")


@require_POST
@require_perm(Perm.HTCDS_IMPORT)
def import_undo(request, import_id: int):
    batch = get_object_or_404(HtcdsImport, pk=import_id)
    form = UndoForm(request.POST)
    include_changed = form.is_valid() and form.cleaned_data["include_changed"]
    try:
        removed, kept = domain.undo_import(
            batch=batch, by=request.user, include_changed=include_changed, request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        text = ngettext("%(removed)d case removed.", "%(removed)d cases removed.", removed) % {
            "removed": removed
        }
        if kept:
            text += " " + ngettext(
                "%(kept)d case worked on since the import was kept; remove it too if you are sure.",
                "%(kept)d cases worked on since the import were kept; remove them too if you "
                "are sure.",
                kept,
            ) % {"kept": kept}
        messages.success(request, text)
    return redirect("sharing:htcds_import", import_id=batch.pk)
