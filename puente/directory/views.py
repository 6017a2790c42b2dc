"""Directory pages. Thin: parse the form, call `puente.directory.queries` or
`puente.directory.domain`, show the result. Advocates search (directory.view);
administrators add, edit and import (directory.manage)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from puente.audit.domain import record_event
from puente.cases.access import can_open_case
from puente.cases.queries import case_by_reference
from puente.core.concurrency import StaleWriteError
from puente.core.forms import apply_domain_errors, refuse_stale_save
from puente.core.geography import subdivision_name
from puente.core.permissions import Perm, require_perm
from puente.directory import choices as dc
from puente.directory import domain, forms, queries
from puente.directory.geocode import locate
from puente.directory.models import ImportBatch, Provider

PAGE_SIZE = 50


def _case_location(request, reference: str) -> tuple[str, str]:
    """(near text, country) from the case's first location, when the advocate may open
    the case; ("", "") otherwise — a restricted case's whereabouts are not leaked here."""
    case = case_by_reference(reference=reference)
    if case is None or not can_open_case(request.user, case):
        return "", ""
    location = case.locations.order_by("pk").first()
    if location is None:
        return "", ""
    record_event(
        action="view",
        actor=request.user,
        obj=case,
        reason="directory search from the case's location",
        request=request,
    )
    parts = [location.city, location.subdivision if location.subdivision else ""]
    near = ", ".join(p for p in parts if p)
    country = location.country if location.country in dc.Country.values else ""
    return near, country


def _show_miles() -> bool:
    # The country's unit first: miles (with km) in the U.S., kilometres in Mexico.
    return settings.PUENTE_COUNTRY == "US"


def _query_string(data) -> str:
    """The search's own parameters, re-encoded (nothing else rides along)."""
    query = QueryDict(mutable=True)
    for key in forms.SearchForm.QUERY_KEYS:
        if data.get(key):
            query[key] = data[key]
    return query.urlencode()


def _wider(data, within: str) -> list[tuple[str, str]]:
    """(label, query string) for each wider distance than `within`, up to any distance:
    what to offer when nothing is that close."""
    steps = forms.distance_steps()
    current = int(within) if within.isdigit() else None
    offers = []
    for step in steps:
        if current is not None and step > current:
            offers.append(
                (
                    _("Search within %(distance)s") % {"distance": forms.distance_label(step)},
                    str(step),
                )
            )
            break
    offers.append((_("Search at any distance"), forms.ANY_DISTANCE))
    links = []
    for label, value in offers:
        query = data.copy()
        query["within"] = value
        links.append((label, _query_string(query)))
    return links


@require_perm(Perm.DIRECTORY_VIEW)
def search(request):
    data = request.GET.copy()
    case_reference = (data.get("case") or "").strip()
    if case_reference and not data.get("near"):
        near, country = _case_location(request, case_reference)
        if near:
            data["near"] = near
            data.setdefault("country", country)
    if not data.get("within"):
        data["within"] = forms.default_distance()
    form = forms.SearchForm(data)
    searched = any(data.get(k) for k in ("need", "language", "population", "near", "country"))
    matches, place, nothing_near, wider = [], None, False, []
    within = ""
    if searched and form.is_valid():
        options = form.cleaned_data
        within = options["within"] or forms.default_distance()
        if options["near"]:
            place = locate(text=options["near"], country=options["country"] or None)
            if place is None:
                form.add_error(
                    "near",
                    _("We could not place “%(text)s”. Try a ZIP code, a city or a state.")
                    % {"text": options["near"]},
                )
        if not form.errors:
            within_km = forms.distance_km(within)
            matches = queries.find_providers(
                need=options["need"] or None,
                language=options["language"] or None,
                population=options["population"] or None,
                near=place,
                country=options["country"] or None,
                within_km=within_km,
            )
            if place is not None and within_km is not None:
                # Nothing that close (what is listed, if anything, serves the whole state
                # from farther away): say so, and offer a wider search.
                nothing_near = not any(
                    m.distance_km is not None and m.distance_km <= within_km for m in matches
                )
                wider = _wider(data, within) if nothing_near else []
    return render(
        request,
        "directory/search.html",
        {
            "form": form,
            "searched": searched,
            "place": place,
            "matches": matches,
            "nothing_near": nothing_near,
            "within_label": forms.distance_label(int(within)) if within.isdigit() else "",
            "wider": wider,
            "query": _query_string(data) if searched else "",
            "case_reference": case_reference,
            "show_miles": _show_miles(),
            "can_manage": request.user.can(Perm.DIRECTORY_MANAGE),
        },
    )


def _facts(provider: Provider) -> list[tuple[str, str]]:
    return [
        (_("Kind of organization"), provider.get_kind_display()),
        (_("Services"), ", ".join(provider.service_labels)),
        (_("Languages"), ", ".join(provider.language_labels)),
        (_("Populations served"), ", ".join(provider.population_labels)),
        (_("Hours"), _("Open 24 hours, 7 days") if provider.open_24_7 else provider.hours),
        (_("State / federal entity"), subdivision_name(provider.subdivision)),
        (
            _("Coverage"),
            ", ".join(subdivision_name(code) for code in provider.effective_coverage),
        ),
    ]


@require_perm(Perm.DIRECTORY_VIEW)
def detail(request, provider_id: int):
    provider = get_object_or_404(Provider, pk=provider_id)
    # Reached from a search: how far it is from the place searched, and the way back to
    # that search as it was.
    place = None
    near = (request.GET.get("near") or "").strip()[:120]
    country = request.GET.get("country") or ""
    if near:
        place = locate(text=near, country=country if country in dc.Country.values else None)
    distance_km = (
        queries.haversine_km(place.latitude, place.longitude, provider.latitude, provider.longitude)
        if place is not None and provider.latitude is not None and provider.longitude is not None
        else None
    )
    return render(
        request,
        "directory/detail.html",
        {
            "provider": provider,
            "facts": _facts(provider),
            "can_manage": request.user.can(Perm.DIRECTORY_MANAGE),
            "place": place,
            "distance_km": distance_km,
            "distance_mi": None if distance_km is None else distance_km / queries.KM_PER_MILE,
            "show_miles": _show_miles(),
            "query": _query_string(request.GET),
        },
    )


@require_perm(Perm.DIRECTORY_MANAGE)
def manage(request):
    text = (request.GET.get("q") or "").strip()
    country = request.GET.get("country") or ""
    providers = queries.providers_for_admin(
        text=text, country=country if country in dc.Country.values else ""
    )
    page = Paginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/manage.html",
        {
            "page": page,
            "q": text,
            "country": country,
            "countries": dc.Country.choices,
            "querystring": query.urlencode(),
        },
    )


def _changes(form) -> dict:
    data = form.cleaned_data
    return {name: data[name] for name in forms.ProviderForm.FIELDS}


@require_perm(Perm.DIRECTORY_MANAGE)
def provider_new(request):
    form = forms.ProviderForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            provider = domain.create_provider(by=request.user, request=request, **_changes(form))
        except ValidationError as exc:
            apply_domain_errors(form, exc)
        else:
            messages.success(request, _("Listing added: %(name)s.") % {"name": provider.name})
            return redirect("directory:manage")
    return render(request, "directory/form.html", {"form": form, "creating": True})


def _provider_initial(provider: Provider) -> dict:
    initial = {name: getattr(provider, name) for name in forms.ProviderForm.FIELDS}
    initial["version"] = provider.version
    return initial


@require_perm(Perm.DIRECTORY_MANAGE)
def provider_edit(request, provider_id: int):
    provider = get_object_or_404(Provider, pk=provider_id)
    if request.method == "POST":
        form = forms.ProviderEditForm(request.POST)
        if form.is_valid():
            try:
                provider = domain.update_provider(
                    provider_id=provider.pk,
                    expected_version=form.cleaned_data["version"],
                    changes=_changes(form),
                    by=request.user,
                    request=request,
                )
            except StaleWriteError as exc:
                return refuse_stale_save(
                    request,
                    exc,
                    form_class=forms.ProviderEditForm,
                    saved=_provider_initial(exc.record),
                    template_name="directory/form.html",
                    context={"provider": exc.record},
                )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                messages.success(request, _("Listing saved: %(name)s.") % {"name": provider.name})
                return redirect("directory:manage")
    else:
        form = forms.ProviderEditForm(initial=_provider_initial(provider))
    return render(request, "directory/form.html", {"form": form, "provider": provider})


@require_perm(Perm.DIRECTORY_MANAGE)
def import_upload(request):
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = domain.stage_import(
            text=upload, filename=request.FILES["file"].name, by=request.user
        )
        return redirect("directory:import_preview", token=batch.token)
    return render(
        request,
        "directory/import.html",
        {"form": form, "columns": domain.CSV_COLUMNS},
    )


@require_perm(Perm.DIRECTORY_MANAGE)
def import_preview(request, token: str):
    batch = ImportBatch.objects.filter(token=token, uploaded_by=request.user).first()
    if batch is None:
        raise Http404
    if request.method == "POST" and batch.committed_at is None:
        try:
            result = domain.commit_import(batch=batch, by=request.user, request=request)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request,
                _("Imported: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            return redirect("directory:manage")
    preview = domain.preview_import(text=batch.text)
    rows = [
        {
            "row": row,
            "cells": [
                (
                    name,
                    _cell(row.values.get(name)),
                    row.errors.get(name, []),
                )
                for name in preview.columns
            ],
            # Errors of fields the file has no column for (and of the row as a whole).
            "row_errors": [
                f"{name}: {message}" if name else message
                for name, messages_ in row.errors.items()
                if name not in preview.columns
                for message in messages_
            ],
        }
        for row in preview.rows
    ]
    return render(
        request,
        "directory/import_preview.html",
        {"batch": batch, "preview": preview, "rows": rows},
    )


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(value)
    return str(value)
