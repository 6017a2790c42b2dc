"""Case pages. Thin: parse the form, call `puente.cases.domain`, show the result.

Every view names its permission (`require_perm`), reads its case through `case_for` (the
one audited rule for restricted cases), and leaves a line in the audit trail.
"""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.cases import domain, forms, queries
from puente.cases.access import can_edit_case, can_open_case, case_for
from puente.cases.categories import recruitment_categories
from puente.cases.middleware import restricted_case_page
from puente.cases.models import BreakGlass, Case, Person, Task
from puente.cases.timeline import case_timeline
from puente.core import choices as c
from puente.core.concurrency import StaleWriteError
from puente.core.forms import apply_domain_errors, refuse_stale_save
from puente.core.permissions import Perm, require_perm

PAGE_SIZE = 25


def _case_initial(case: Case) -> dict:
    initial = {field: getattr(case, field) for field in forms.CaseForm.FIELDS}
    initial["owner"] = case.owner_id
    initial["version"] = case.version
    return initial


def _person_initial(person: Person) -> dict:
    initial = {field: getattr(person, field) for field in forms.PersonForm.FIELDS}
    initial["version"] = person.version
    return initial


# --- list and new ----------------------------------------------------------------


@require_perm(Perm.CASE_VIEW)
def case_list(request):
    filters = forms.CaseFilterForm(request.GET or None)
    options = filters.cleaned_data if filters.is_valid() else {}
    cases = queries.cases_for_list(
        user=request.user,
        status=options.get("status") or "",
        imminent_danger=bool(options.get("imminent_danger")),
        mine=bool(options.get("mine")),
        restricted=bool(options.get("restricted")),
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    record_event(
        action="view",
        actor=request.user,
        object_type="case_list",
        object_ref=query.urlencode()[:60],
        request=request,
    )
    return render(
        request,
        "cases/list.html",
        {
            "filters": filters,
            "page": page,
            "querystring": query.urlencode(),
            "can_create": request.user.can(Perm.CASE_CREATE),
        },
    )


@require_perm(Perm.CASE_CREATE)
def case_new(request):
    form = forms.CaseForm(
        request.POST or None, mexican_frame=queries.shows_mexican_frame(case=None)
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = domain.open_case(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(
                request, _("Case %(reference)s opened.") % {"reference": case.reference}
            )
            return redirect("cases:detail", reference=case.reference)
    return render(request, "cases/case_form.html", {"form": form, "creating": True})


# --- one case --------------------------------------------------------------------


# The case page's sections, in tab order: (fragment, label). Each form on the page names
# the section it lives in, so a refused form comes back with its section open.
OVERVIEW = "overview"
PEOPLE = "people"
LOCATIONS = "locations"
TASKS_AND_NOTES = "tasks-and-notes"
REFERRALS_AND_REPORTS = "referrals-and-reports"
SCREENING = "screening"
ACCESS = "access"


def _detail_context(request, case: Case, **extra) -> dict:
    user = request.user
    is_supervisor = user.can(Perm.CASE_RESTRICT)
    page = queries.case_page(case_id=case.pk, include_access_list=is_supervisor)
    full = page.case
    can_edit = can_edit_case(user, full)
    transitions = (
        [
            (code, c.label_for(c.CaseStatus, code))
            for code in domain.allowed_transitions(status=full.status, user=user)
        ]
        if can_edit
        else []
    )
    context = {
        "case": full,
        "page": page,
        "can_edit": can_edit,
        "is_supervisor": is_supervisor,
        "transitions": transitions,
        "lists": [
            (
                _("Forms of exploitation (HTCDS)"),
                c.labels_for(c.TypeOfExploitation, full.forms_of_exploitation),
            ),
            *(
                [
                    (
                        _("Forms of exploitation (Ley General, art. 10)"),
                        c.labels_for(c.MexicoExploitationForm, full.mx_forms_of_exploitation),
                    )
                ]
                if queries.shows_mexican_frame(case=full)
                else []
            ),
            (_("Venues / industries"), c.labels_for(c.Venue, full.venues)),
            (_("Methods of control"), c.labels_for(c.MethodOfControl, full.methods_of_control)),
            (
                _("Methods of recruitment"),
                c.labels_for(c.MethodOfRecruitment, full.methods_of_recruitment),
            ),
            (
                _("Methods of recruitment (this hotline's categories)"),
                [
                    recruitment_categories().label_for(code)
                    for code in full.hotline_recruitment_methods
                ],
            ),
            (
                _("Recruitment websites and apps"),
                c.labels_for(c.WebsiteOrApp, full.recruitment_websites_and_apps),
            ),
            (
                _("Exploitation websites and apps"),
                c.labels_for(c.WebsiteOrApp, full.exploitation_websites_and_apps),
            ),
            (
                _("Types of sexual exploitation"),
                c.labels_for(c.TypeOfSexExploitation, full.types_of_sex_exploitation),
            ),
            (
                _("Forced labor industries (ISIC sections)"),
                c.labels_for(c.ForcedLabourIndustry, full.forced_labour_industries),
            ),
        ],
        "timeline": case_timeline(case=full, user=user),
        "tasks": full.tasks.all(),
        "notes": full.notes.all(),
        "persons_count": len(full.persons.all()),
        "active_tab": OVERVIEW,
        "break_glass": queries.active_break_glass(case=full, user=user)
        if full.restricted and not queries.is_named_on(case=full, user=user)
        else None,
        "status_form": forms.StatusForm(initial={"version": full.version}),
        "task_form": forms.TaskForm(),
        "note_form": forms.NoteForm(),
        "location_form": forms.LocationForm(initial={"country": full.reference[:2]}),
        "access_form": forms.AccessForm() if is_supervisor else None,
    }
    context.update(extra)
    return context


def _render_detail(request, case: Case, *, status: int = 200, **extra):
    """The case page; after a refused form, with that form bound (its errors and what
    was typed) and its section open. Showing the case again is a read like any other."""
    record_event(action="view", actor=request.user, obj=case, request=request)
    return render(
        request, "cases/detail.html", _detail_context(request, case, **extra), status=status
    )


@require_perm(Perm.CASE_VIEW)
def case_detail(request, reference: str):
    case = case_for(user=request.user, reference=reference, request=request)
    return _render_detail(request, case)


@require_perm(Perm.CASE_EDIT)
def case_edit(request, reference: str):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    mexican_frame = queries.shows_mexican_frame(case=case)
    if request.method == "POST":
        form = forms.CaseEditForm(request.POST, mexican_frame=mexican_frame)
        if form.is_valid():
            data = form.cleaned_data
            changes = {field: data[field] for field in forms.CaseEditForm.FIELDS if field in data}
            try:
                domain.update_case(
                    case_id=case.pk,
                    expected_version=data["version"],
                    changes=changes,
                    by=request.user,
                    request=request,
                )
            except StaleWriteError as exc:
                return refuse_stale_save(
                    request,
                    exc,
                    form_class=partial(forms.CaseEditForm, mexican_frame=mexican_frame),
                    saved=_case_initial(exc.record),
                    template_name="cases/case_form.html",
                    context={"case": exc.record},
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(request, _("Case saved."))
                return redirect("cases:detail", reference=case.reference)
    else:
        form = forms.CaseEditForm(initial=_case_initial(case), mexican_frame=mexican_frame)
        record_event(action="view", actor=request.user, obj=case, request=request)
    return render(request, "cases/case_form.html", {"form": form, "case": case})


@require_POST
@require_perm(Perm.CASE_EDIT)
def case_status(request, reference: str):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            domain.change_status(
                case_id=case.pk,
                expected_version=data["version"],
                status=data["status"],
                closing_reason=data["closing_reason"],
                closing_note=data["closing_note"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(
                request,
                _("Status changed to %(status)s.")
                % {"status": c.label_for(c.CaseStatus, data["status"])},
            )
            return redirect("cases:detail", reference=case.reference)
    # Refused: the page again, the form open with its errors and what was chosen.
    return _render_detail(request, case, status=400, status_form=form, active_tab=OVERVIEW)


# --- persons ---------------------------------------------------------------------


def _typed_identifiers(formset) -> list[tuple[str, str]]:
    """The (kind, value) rows typed in the identifier formset, for the domain to save
    with the person (a person known only by a number is still someone)."""
    pairs = []
    for sub in formset:
        data = getattr(sub, "cleaned_data", None) or {}
        if data.get("value"):
            pairs.append((data["kind"], data["value"]))
    return pairs


def _identifier_errors(formset, exc: ValidationError, index: int) -> None:
    form = formset.forms[index]
    apply_domain_errors(form, exc)


def _validate_identifiers(formset) -> bool:
    """Normalise every new identifier before anything is saved, so a mistyped phone
    number is shown on its row instead of half-saving the person."""
    ok = True
    for index, sub in enumerate(formset):
        data = getattr(sub, "cleaned_data", None) or {}
        if data.get("value"):
            try:
                domain.normalise_identifier(kind=data["kind"], value=data["value"])
            except ValidationError as exc:
                _identifier_errors(formset, exc, index)
                ok = False
    return ok


@require_perm(Perm.CASE_EDIT)
def person_add(request, reference: str):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    form = forms.PersonForm(request.POST or None, initial={"roles": request.GET.getlist("role")})
    formset = forms.IdentifierFormSet(request.POST or None, prefix="ids")
    if (
        request.method == "POST"
        and form.is_valid()
        and formset.is_valid()
        and _validate_identifiers(formset)
    ):
        try:
            with transaction.atomic():
                person = domain.add_person(
                    case=case,
                    by=request.user,
                    request=request,
                    identifiers=_typed_identifiers(formset),
                    **form.cleaned_data,
                )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.display_name})
            return redirect(reverse("cases:detail", args=[case.reference]) + "#people")
    return render(
        request,
        "cases/person_form.html",
        {
            "case": case,
            "form": form,
            "formset": formset,
            "person": None,
        },
    )


@require_perm(Perm.CASE_EDIT)
def person_edit(request, reference: str, person_id: int):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    person = get_object_or_404(
        Person.objects.prefetch_related("identifiers"), pk=person_id, case=case
    )
    if request.method == "POST":
        form = forms.PersonEditForm(request.POST)
        formset = forms.IdentifierFormSet(request.POST, prefix="ids")
        if form.is_valid() and formset.is_valid() and _validate_identifiers(formset):
            data = form.cleaned_data
            changes = {field: data[field] for field in forms.PersonForm.FIELDS}
            try:
                with transaction.atomic():
                    domain.update_person(
                        person_id=person.pk,
                        expected_version=data["version"],
                        changes=changes,
                        by=request.user,
                        request=request,
                        identifiers=_typed_identifiers(formset),
                    )
            except StaleWriteError as exc:
                return refuse_stale_save(
                    request,
                    exc,
                    form_class=forms.PersonEditForm,
                    saved=_person_initial(exc.record),
                    template_name="cases/person_form.html",
                    context={
                        "case": case,
                        "formset": formset,
                        "person": exc.record,
                        "identifiers": exc.record.identifiers.all(),
                    },
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": person.display_name})
                return redirect(reverse("cases:detail", args=[case.reference]) + "#people")
    else:
        form = forms.PersonEditForm(initial=_person_initial(person))
        formset = forms.IdentifierFormSet(prefix="ids")
        # The form shows the person's names and identifiers: a read like any other.
        record_event(
            action="view",
            actor=request.user,
            obj=person,
            object_ref=case.reference,
            request=request,
        )
    return render(
        request,
        "cases/person_form.html",
        {
            "case": case,
            "form": form,
            "formset": formset,
            "person": person,
            "identifiers": person.identifiers.all(),
        },
    )


# --- locations, tasks, notes -----------------------------------------------------


@require_POST
@require_perm(Perm.CASE_EDIT)
def location_add(request, reference: str):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    form = forms.LocationForm(request.POST)
    if form.is_valid():
        try:
            domain.add_location(case=case, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("Location added."))
            return redirect(reverse("cases:detail", args=[case.reference]) + "#locations")
    return _render_detail(request, case, status=400, location_form=form, active_tab=LOCATIONS)


def _with_overview(request, case: Case, response: HttpResponse) -> HttpResponse:
    """An htmx answer from the Tasks and notes tab also refreshes, out of band, the
    summary (next task due) and the timeline, so the Overview never shows a stale case."""
    page = queries.case_page(case_id=case.pk, include_access_list=False)
    context = {
        "case": page.case,
        "page": page,
        "timeline": case_timeline(case=page.case, user=request.user),
        "oob": True,
    }
    response.content += render_to_string("cases/_summary.html", context, request=request).encode()
    response.content += render_to_string("cases/_timeline.html", context, request=request).encode()
    return response


def _tasks_partial(request, case: Case, form=None):
    tasks = Task.objects.filter(case=case).select_related("assignee")
    response = render(
        request,
        "cases/_tasks.html",
        {
            "case": case,
            "tasks": tasks,
            "task_form": form or forms.TaskForm(),
            "can_edit": True,
        },
    )
    return _with_overview(request, case, response) if form is None else response


@require_POST
@require_perm(Perm.CASE_EDIT)
def task_add(request, reference: str):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    form = forms.TaskForm(request.POST)
    added = False
    if form.is_valid():
        try:
            domain.add_task(case=case, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            added = True
    if request.headers.get("HX-Request"):
        # Once the task is added the partial offers an empty form for the next one.
        return _tasks_partial(request, case, None if added else form)
    if not added:
        return _render_detail(request, case, status=400, task_form=form, active_tab=TASKS_AND_NOTES)
    return redirect(reverse("cases:detail", args=[case.reference]) + "#tasks")


@require_POST
@require_perm(Perm.CASE_EDIT)
def task_done(request, reference: str, task_id: int):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    task = get_object_or_404(Task, pk=task_id, case=case)
    domain.complete_task(task=task, by=request.user, request=request)
    if request.headers.get("HX-Request"):
        return _tasks_partial(request, case)
    return redirect(reverse("cases:detail", args=[case.reference]) + "#tasks")


@require_POST
@require_perm(Perm.CASE_EDIT)
def note_add(request, reference: str):
    case = case_for(user=request.user, reference=reference, edit=True, request=request)
    form = forms.NoteForm(request.POST)
    added = False
    if form.is_valid():
        try:
            domain.add_note(case=case, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            added = True
    if request.headers.get("HX-Request"):
        notes = case.notes.select_related("author")
        response = render(
            request,
            "cases/_notes.html",
            {
                "case": case,
                "notes": notes,
                "note_form": forms.NoteForm() if added else form,
                "can_edit": True,
            },
        )
        return _with_overview(request, case, response) if added else response
    if not added:
        return _render_detail(request, case, status=400, note_form=form, active_tab=TASKS_AND_NOTES)
    return redirect(reverse("cases:detail", args=[case.reference]) + "#notes")


# --- restriction and break glass -------------------------------------------------


@require_POST
@require_perm(Perm.CASE_RESTRICT)
def case_restrict(request, reference: str):
    case = case_for(user=request.user, reference=reference, request=request)
    if request.POST.get("restricted") == "1":
        domain.restrict_case(case=case, by=request.user, request=request)
        messages.success(request, _("The case is now restricted."))
    else:
        domain.unrestrict_case(case=case, by=request.user, request=request)
        messages.success(request, _("The case is no longer restricted."))
    return redirect("cases:detail", reference=case.reference)


@require_POST
@require_perm(Perm.CASE_RESTRICT)
def access_grant(request, reference: str):
    case = case_for(user=request.user, reference=reference, request=request)
    form = forms.AccessForm(request.POST)
    if form.is_valid():
        try:
            domain.grant_access(
                case=case, user=form.cleaned_data["user"], by=request.user, request=request
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("%(name)s can now open this case.")
                % {"name": form.cleaned_data["user"].display_name},
            )
    return redirect(reverse("cases:detail", args=[case.reference]) + "#access")


@require_POST
@require_perm(Perm.CASE_RESTRICT)
def access_revoke(request, reference: str, user_id: int):
    case = case_for(user=request.user, reference=reference, request=request)
    user = get_object_or_404(User, pk=user_id)
    domain.revoke_access(case=case, user=user, by=request.user, request=request)
    messages.success(
        request, _("%(name)s was removed from this case.") % {"name": user.display_name}
    )
    return redirect(reverse("cases:detail", args=[case.reference]) + "#access")


@require_POST
@require_perm(Perm.CASE_BREAK_GLASS)
def case_break_glass(request, reference: str):
    case = queries.case_by_reference(reference=reference)
    if case is None:
        raise Http404
    if can_open_case(request.user, case):
        return redirect("cases:detail", reference=case.reference)
    form = forms.BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            domain.break_glass(
                case=case, user=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.warning(
                request,
                _(
                    "You opened a restricted case. Your reason was recorded "
                    "and a supervisor will review it."
                ),
            )
            return redirect("cases:detail", reference=case.reference)
    return restricted_case_page(request, case, form=form, status=400)


@require_perm(Perm.CASE_RESTRICT)
def break_glass_review(request):
    if request.method == "POST":
        # The form posts the event's id; anything else names no event (404), rather
        # than reaching the database as a malformed id.
        event_id = request.POST.get("event", "")
        if not event_id.isascii() or not event_id.isdigit():
            raise Http404
        event = get_object_or_404(BreakGlass.objects.select_related("case"), pk=int(event_id))
        try:
            domain.review_break_glass(event=event, by=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("Marked as reviewed."))
        return redirect("cases:break_glass_review")
    show_all = request.GET.get("all") == "1"
    events = Paginator(queries.break_glass_events(unreviewed_only=not show_all), PAGE_SIZE)
    record_event(action="view", actor=request.user, object_type="break_glass_list", request=request)
    return render(
        request,
        "cases/break_glass_review.html",
        {
            "page": events.get_page(request.GET.get("page")),
            "show_all": show_all,
        },
    )
