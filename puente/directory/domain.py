"""Directory rules: what a valid provider is, adding and changing one (with the
optimistic version check), keeping the search tags in step, and importing a CSV all or
nothing. The HTML views, the API and the demo seeder all come through here.

Every write is audited: "create" / "change" per provider with the changed fields, and
one summary entry per import.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Choices
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import field_changes, record_event
from puente.audit.versioned import require_version, write_if_unchanged
from puente.core import choices as core_choices
from puente.core.geography import canonical_subdivision, is_subdivision_of
from puente.core.permissions import Perm
from puente.core.phones import normalise_phone
from puente.directory import choices as dc
from puente.directory.geocode import locate, normalise_name, resolve_subdivision
from puente.directory.models import ImportBatch, Provider, ProviderTag

MULTISELECTS: dict[str, type] = {
    "services": dc.Service,
    "languages": core_choices.Language,
    "populations": dc.Population,
}
PROVIDER_FIELDS = (
    "external_id",
    "name",
    "kind",
    "services",
    "languages",
    "populations",
    "hours",
    "open_24_7",
    "phone",
    "email",
    "website",
    "address",
    "city",
    "postal_code",
    "country",
    "subdivision",
    "latitude",
    "longitude",
    "coverage",
    "last_verified",
    "active",
    "notes",
)
TEXT_FIELDS = (
    "external_id",
    "name",
    "hours",
    "phone",
    "email",
    "website",
    "address",
    "city",
    "postal_code",
    "notes",
)
LOCATION_FIELDS = ("address", "city", "postal_code", "country", "subdivision")
DEFAULTS: dict[str, Any] = {
    "external_id": "",
    "kind": dc.ProviderKind.SERVICE_NGO.value,
    "services": [],
    "languages": [],
    "populations": [],
    "hours": "",
    "open_24_7": False,
    "phone": "",
    "email": "",
    "website": "",
    "address": "",
    "city": "",
    "postal_code": "",
    "subdivision": "",
    "latitude": None,
    "longitude": None,
    "coverage": [],
    "last_verified": None,
    "active": True,
    "notes": "",
}


def _require_manage(user: User | None) -> None:
    if user is None or not user.can(Perm.DIRECTORY_MANAGE):
        raise PermissionDenied(f"needs {Perm.DIRECTORY_MANAGE}")


# --- what a valid provider is ------------------------------------------------------


def _clean_codes(values: Any, choices: type[Choices]) -> tuple[list[str], list[str]]:
    """(codes kept in order, codes refused)."""
    if values in (None, ""):
        return [], []
    if isinstance(values, str):
        values = [values]
    valid = set(choices.values)
    codes = [str(v) for v in values]
    return list(dict.fromkeys(v for v in codes if v in valid)), [v for v in codes if v not in valid]


def _clean_coverage(values: Any) -> tuple[list[str], list[str]]:
    if values in (None, ""):
        return [], []
    if isinstance(values, str):
        values = [values]
    codes = [canonical_subdivision(str(v)) for v in values]
    good = [c for c in codes if is_subdivision_of(c, "US") or is_subdivision_of(c, "MX")]
    return list(dict.fromkeys(good)), [c for c in codes if c not in good]


def clean_provider(*, values: dict[str, Any]) -> dict[str, Any]:
    """Every field of a provider checked and normalised (phone to E.164, subdivision to
    ISO 3166-2, codes de-duplicated; coordinates placed from the postal code or city
    when not given). Raises ValidationError naming every bad field at once."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}

    def err(name: str, message: str | Promise) -> None:
        errors.setdefault(name, []).append(str(message))

    for name in TEXT_FIELDS:
        out[name] = str(values.get(name) or "").strip()
    if not out["name"]:
        err("name", _("Give the organization's name."))

    kind = values.get("kind") or dc.ProviderKind.SERVICE_NGO
    if kind not in dc.ProviderKind.values:
        err("kind", _("“%(value)s” is not a kind of organization.") % {"value": kind})
    out["kind"] = kind

    for name, choices in MULTISELECTS.items():
        out[name], bad = _clean_codes(values.get(name), choices)
        if bad:
            err(name, _("Not a valid choice: %(codes)s.") % {"codes": ", ".join(bad)})

    country = str(values.get("country") or "").strip().upper()
    if country not in dc.Country.values:
        err("country", _("Choose the United States (US) or Mexico (MX)."))
    out["country"] = country

    subdivision = canonical_subdivision(values.get("subdivision"))
    if subdivision and country in dc.Country.values and not is_subdivision_of(subdivision, country):
        err(
            "subdivision",
            _("“%(value)s” is not a state or federal entity of %(country)s.")
            % {"value": subdivision, "country": country},
        )
    out["subdivision"] = subdivision

    out["coverage"], bad = _clean_coverage(values.get("coverage"))
    if bad:
        err(
            "coverage",
            _("Not a U.S. state or Mexican entity: %(codes)s.") % {"codes": ", ".join(bad)},
        )

    if out["phone"] and country in dc.Country.values:
        try:
            out["phone"] = normalise_phone(out["phone"], default_region=country)
        except ValidationError as exc:
            for message in exc.messages:
                err("phone", message)
    if out["email"]:
        try:
            validate_email(out["email"])
        except ValidationError:
            err("email", _("“%(value)s” is not an email address.") % {"value": out["email"]})
    if out["website"]:
        if "://" not in out["website"]:
            out["website"] = "https://" + out["website"]
        try:
            URLValidator(schemes=["http", "https"])(out["website"])
        except ValidationError:
            err("website", _("“%(value)s” is not a web address.") % {"value": out["website"]})

    # Numbers or text from a form or a CSV row; both None or neither, past the first test.
    latitude: Any
    longitude: Any
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if (latitude is None) != (longitude is None):
        err("latitude", _("Give both latitude and longitude, or neither."))
    elif latitude is not None:
        if not -90 <= float(latitude) <= 90:
            err("latitude", _("Latitude is between -90 and 90."))
        if not -180 <= float(longitude) <= 180:
            err("longitude", _("Longitude is between -180 and 180."))
        latitude, longitude = float(latitude), float(longitude)
    elif not errors.get("country") and not errors.get("subdivision"):
        latitude, longitude = place_address(
            country=country,
            subdivision=subdivision,
            city=out["city"],
            postal_code=out["postal_code"],
        )
    out["latitude"], out["longitude"] = latitude, longitude

    last_verified = values.get("last_verified")
    if last_verified and not isinstance(last_verified, date):
        err("last_verified", _("Give the date as YYYY-MM-DD."))
    elif last_verified and last_verified > timezone.localdate():
        err("last_verified", _("The date of the last check cannot be in the future."))
    out["last_verified"] = last_verified or None
    out["open_24_7"] = bool(values.get("open_24_7"))
    out["active"] = bool(values.get("active", True))

    for name, limit in (
        ("external_id", 64),
        ("name", 200),
        ("hours", 200),
        ("address", 200),
        ("city", 120),
        ("postal_code", 10),
    ):
        if len(out[name]) > limit:
            err(name, _("At most %(limit)d characters.") % {"limit": limit})
    if errors:
        raise ValidationError(errors)
    return out


def place_address(
    *, country: str, subdivision: str, city: str, postal_code: str
) -> tuple[float | None, float | None]:
    """Coordinates from shipped data: the U.S. ZIP first (most precise), then the city in
    its state, then the state's centre. (None, None) when nothing is known."""
    attempts = []
    if country == "US" and postal_code:
        attempts.append(postal_code)
    if city:
        attempts.append(f"{city}, {subdivision}" if subdivision else city)
    if subdivision:
        attempts.append(subdivision)
    for text in attempts:
        place = locate(text=text, country=country or None)
        if place:
            return round(place.latitude, 6), round(place.longitude, 6)
    return None, None


# --- writes ------------------------------------------------------------------------------


def provider_values(provider: Provider) -> dict[str, Any]:
    return {name: getattr(provider, name) for name in PROVIDER_FIELDS}


def _tags_for(provider: Provider) -> list[ProviderTag]:
    K = ProviderTag.Kind
    pairs = (
        [(K.SERVICE, code) for code in provider.services]
        + [(K.LANGUAGE, code) for code in provider.languages]
        + [(K.POPULATION, code) for code in provider.populations]
        + [(K.COVERAGE, code) for code in provider.coverage]
    )
    return [
        ProviderTag(provider_id=provider.pk, kind=kind, code=code)
        for kind, code in dict.fromkeys(pairs)
    ]


def sync_tags(*, providers: Iterable[Provider]) -> None:
    """Rewrite the search tags of `providers` from their lists (called in the same
    transaction as the write that changed them)."""
    providers = list(providers)
    ProviderTag.objects.filter(provider_id__in=[p.pk for p in providers]).delete()
    ProviderTag.objects.bulk_create([tag for p in providers for tag in _tags_for(p)])


def _check_external_id(external_id: str, *, exclude_pk: int | None = None) -> None:
    if not external_id:
        return
    # pk=None (a new listing) excludes nothing, which is what is meant.
    clash = Provider.objects.filter(external_id=external_id).exclude(pk=exclude_pk)  # type: ignore[misc]
    if clash.exists():
        raise ValidationError({"external_id": [_("Another listing already has this external ID.")]})


def create_provider(
    *, by: User, request: HttpRequest | None = None, via: str = "", **fields: Any
) -> Provider:
    _require_manage(by)
    values = clean_provider(values={**DEFAULTS, **fields})
    with transaction.atomic():
        _check_external_id(values["external_id"])
        provider = Provider.objects.create(**values)
        sync_tags(providers=[provider])
        record_event(
            action="create",
            actor=by,
            obj=provider,
            object_ref=provider.name[:60],
            changes=field_changes({}, provider_values(provider)),
            request=request,
            via=via,
        )
    return provider


def update_provider(
    *,
    provider_id: int,
    expected_version: int,
    changes: dict[str, Any],
    by: User,
    request: HttpRequest | None = None,
    via: str = "",
) -> Provider:
    """Change a listing read at `expected_version`; if anyone saved it since, nothing is
    written and StaleWriteError names who and when."""
    _require_manage(by)
    unknown = set(changes) - set(PROVIDER_FIELDS)
    if unknown:
        raise ValidationError(
            {name: [_("This field cannot be changed here.")] for name in sorted(unknown)}
        )
    with transaction.atomic():
        provider = Provider.objects.get(pk=provider_id)
        require_version(obj=provider, expected_version=expected_version)
        before = provider_values(provider)
        proposed = {**before, **changes}
        moved = any(proposed[k] != before[k] for k in LOCATION_FIELDS)
        same_point = (proposed["latitude"], proposed["longitude"]) == (
            before["latitude"],
            before["longitude"],
        )
        if moved and same_point:
            # The address changed but the pin did not: place it again rather than keep
            # pointing advocates at the old building.
            proposed["latitude"] = proposed["longitude"] = None
        after = clean_provider(values=proposed)
        _check_external_id(after["external_id"], exclude_pk=provider.pk)
        diff = field_changes(before, after)
        if not diff:
            return provider
        write_if_unchanged(
            obj=provider,
            expected_version=expected_version,
            values={d["field"]: after[d["field"]] for d in diff},
            changes=diff,
            by=by,
            request=request,
            object_ref=provider.name[:60],
            via=via,
        )
        if {d["field"] for d in diff} & {*MULTISELECTS, "coverage", "subdivision"}:
            sync_tags(providers=[provider])
    return provider


# --- CSV import --------------------------------------------------------------------------

CSV_COLUMNS = PROVIDER_FIELDS
LIST_SEPARATORS = (";", "|")
TRUE_WORDS = {"1", "yes", "y", "true", "si", "sí", "x", "verdadero"}
FALSE_WORDS = {"0", "no", "n", "false", "falso", ""}
MAX_IMPORT_ROWS = 5000


@cache
def _label_lookup(choices: type[Choices]) -> dict[str, str]:
    """Code, English label or Spanish label (accents and case ignored) → code."""
    lookup: dict[str, str] = {}
    for code in choices.values:
        lookup[normalise_name(code)] = code
    for language in ("en", "es"):
        with translation.override(language):
            for code, label in choices.choices:
                lookup.setdefault(normalise_name(str(label)), code)
    return lookup


def _split(raw: str) -> list[str]:
    for sep in LIST_SEPARATORS:
        raw = raw.replace(sep, "\n")
    return [part.strip() for part in raw.split("\n") if part.strip()]


def _parse_codes(raw: str, choices: type[Choices]) -> tuple[list[str], list[str]]:
    lookup = _label_lookup(choices)
    found, bad = [], []
    for part in _split(raw):
        code = lookup.get(normalise_name(part))
        (found.append(code) if code else bad.append(part))
    return found, bad


def _parse_bool(raw: str) -> bool | None:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


@dataclass
class ImportRow:
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    action: str = "create"  # create / update
    provider_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    file_errors: list[str]
    columns: list[str]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and all(r.ok for r in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for r in self.rows if not r.ok)


def _parse_row(raw: dict[str, str], columns: list[str]) -> tuple[dict[str, Any], dict]:
    """Strings from the file → typed values, with per-field errors."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def err(name: str, message: str | Promise) -> None:
        errors.setdefault(name, []).append(str(message))

    for name in columns:
        text = (raw.get(name) or "").strip()
        if name == "kind":
            if text:
                kinds, bad = _parse_codes(text, dc.ProviderKind)
                if bad or len(kinds) != 1:
                    err(name, _("“%(value)s” is not a kind of organization.") % {"value": text})
                else:
                    values[name] = kinds[0]
        elif name in MULTISELECTS:
            values[name], bad = _parse_codes(text, MULTISELECTS[name])
            if bad:
                err(name, _("Unknown: %(values)s.") % {"values": ", ".join(bad)})
        elif name == "coverage":
            codes, bad = [], []
            for part in _split(text):
                code = resolve_subdivision(part)
                (codes.append(code) if code else bad.append(part))
            values[name] = codes
            if bad:
                err(
                    name,
                    _("Not a U.S. state or Mexican entity: %(codes)s.") % {"codes": ", ".join(bad)},
                )
        elif name == "subdivision":
            if text:
                code = resolve_subdivision(
                    text, country=(raw.get("country") or "").strip().upper() or None
                )
                if code:
                    values[name] = code
                else:
                    err(name, _("Unknown state or federal entity “%(value)s”.") % {"value": text})
            else:
                values[name] = ""
        elif name == "country":
            word = normalise_name(text)
            values[name] = {
                "mexico": "MX",
                "united states": "US",
                "usa": "US",
                "eeuu": "US",
                "estados unidos": "US",
            }.get(word, text.upper())
        elif name in ("latitude", "longitude"):
            if text:
                try:
                    values[name] = float(text.replace(",", "."))
                except ValueError:
                    err(name, _("“%(value)s” is not a number.") % {"value": text})
            else:
                values[name] = None
        elif name in ("open_24_7", "active"):
            parsed = _parse_bool(text) if text else (name == "active")
            if parsed is None:
                err(name, _("Write yes or no, not “%(value)s”.") % {"value": text})
            else:
                values[name] = parsed
        elif name == "last_verified":
            if text:
                try:
                    values[name] = date.fromisoformat(text)
                except ValueError:
                    err(name, _("Give the date as YYYY-MM-DD, not “%(value)s”.") % {"value": text})
            else:
                values[name] = None
        else:
            values[name] = text
    return values, errors


def preview_import(*, text: str) -> ImportPreview:
    """Parse and check every row without writing anything: what would be created, what
    updated (matched on external_id), and every error by row and field."""
    text = text.lstrip("\ufeff")  # spreadsheet programs start UTF-8 files with a BOM
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [normalise_name(h).replace(" ", "_") for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    file_errors: list[str] = []
    unknown = [h for h in header if h and h not in CSV_COLUMNS]
    if not header:
        file_errors.append(gettext("The file is empty."))
    if unknown:
        file_errors.append(
            gettext("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    for required in ("name", "country"):
        if header and required not in header:
            file_errors.append(
                gettext("The column “%(column)s” is missing.") % {"column": required}
            )
    columns = [h for h in header if h in CSV_COLUMNS]
    rows: list[ImportRow] = []
    if file_errors:
        return ImportPreview(rows=rows, file_errors=file_errors, columns=columns)

    raw_rows = list(reader)
    if len(raw_rows) > MAX_IMPORT_ROWS:
        file_errors.append(
            gettext("At most %(limit)d rows per file; split it.") % {"limit": MAX_IMPORT_ROWS}
        )
        return ImportPreview(rows=rows, file_errors=file_errors, columns=columns)
    external_ids = [(r.get("external_id") or "").strip() for r in raw_rows]
    existing = {
        p.external_id: p
        for p in Provider.objects.filter(external_id__in=[e for e in external_ids if e])
    }
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_rows):
        line = index + 2  # the header is line 1
        if None in raw:  # more cells than columns
            row = ImportRow(line=line, errors={"": [gettext("This row has too many cells.")]})
            rows.append(row)
            continue
        values, errors = _parse_row(raw, columns)
        row = ImportRow(line=line, values=values, errors=errors)
        external_id = values.get("external_id") or ""
        if external_id in seen:
            row.errors.setdefault("external_id", []).append(
                gettext("Also on line %(line)d: each external ID once per file.")
                % {"line": seen[external_id]}
            )
        elif external_id:
            seen[external_id] = line
        current = existing.get(external_id) if external_id else None
        if current is not None:
            row.action, row.provider_id = "update", current.pk
            proposed = {**provider_values(current), **values}
        else:
            proposed = {**DEFAULTS, **values}
        if not row.errors:
            try:
                row.values = clean_provider(values=proposed)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    row.errors.setdefault(name, []).extend(messages)
        rows.append(row)
    if not rows:
        file_errors.append(gettext("The file has a header but no rows."))
    return ImportPreview(rows=rows, file_errors=file_errors, columns=columns)


def stage_import(*, text: str, filename: str, by: User) -> ImportBatch:
    """Keep the uploaded text on the server until it is committed or thrown away."""
    _require_manage(by)
    return ImportBatch.objects.create(
        token=secrets.token_urlsafe(32), uploaded_by=by, filename=filename[:200], text=text
    )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


class ImportRefused(ValidationError):
    """The file still has errors (or was already imported): nothing was written."""


def commit_import(
    *, batch: ImportBatch, by: User, request: HttpRequest | None = None
) -> ImportResult:
    """Write every row in one transaction, or nothing: the file is checked again here
    (the directory may have changed since the preview), and any error refuses it all."""
    _require_manage(by)
    if batch.uploaded_by_id != by.pk:
        raise PermissionDenied("not your import")
    created = updated = unchanged = 0
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.committed_at is not None:
            raise ImportRefused(_("This file was already imported."), code="done")
        preview = preview_import(text=locked.text)
        if not preview.ok:
            raise ImportRefused(
                _("The file has %(count)d errors: nothing was imported.")
                % {"count": preview.error_count},
                code="errors",
            )
        for row in preview.rows:
            if row.action == "update":
                # An "update" row always names the listing it updates.
                current = Provider.objects.get(pk=row.provider_id)  # type: ignore[misc]
                before = current.version
                fresh = update_provider(
                    provider_id=current.pk,
                    expected_version=current.version,
                    changes=row.values,
                    by=by,
                    request=request,
                    via="import",
                )
                if fresh.version != before:
                    updated += 1
                else:
                    unchanged += 1
            else:
                create_provider(by=by, request=request, via="import", **row.values)
                created += 1
        locked.committed_at = timezone.now()
        locked.save(update_fields=["committed_at"])
        record_event(
            action="create",
            actor=by,
            object_type="provider_import",
            object_id=locked.pk,
            object_ref=locked.filename[:60],
            reason=f"{created} created, {updated} updated, {unchanged} unchanged",
            request=request,
        )
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
