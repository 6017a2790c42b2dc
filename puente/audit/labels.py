"""The audit trail in words a reviewer reads: "Changed · Case · Type of exploitation: —
→ Sex trafficking", not "change case exploitation_type None → sex_trafficking".

The trail stores codes (they are what the hash chain covers and what filters match);
this module turns them into translated labels only when a page shows them. Audit sits
low in the layering and may not import the apps whose records it describes, so it finds
labels three ways:

- the record's own model, looked up by the entry's `object_type` (a model name) in
  Django's app registry: a field's verbose name, and its choices' labels;
- registries the higher apps fill from their AppConfig.ready() for what a model cannot
  say: `add_action_label`, `add_object_label`, `add_field_labels`, `add_picklist`
  (codes kept in a JSON list, such as a case's forms of exploitation);
- the shared picklists of `puente.core.choices`, for any code left over.

Anything still unknown is shown as stored, so bad data stays visible rather than blank.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from puente.audit.models import AuditAction, AuditEntry
from puente.core import choices as core_choices
from puente.core.permissions import Perm
from puente.core.phones import format_phone

Label = str | Promise
E164 = re.compile(r"\+[1-9]\d{6,14}")
# "status=closed&mine=on" (a list's filters) or "actor=ana, action=view" (the trail's).
QUERY = re.compile(r"\w+=[^&,]*(?:(?:&|, )\w+=[^&,]*)*")

_action_labels: dict[str, Label] = {}
_object_labels: dict[str, Label] = {}
# (object_type, field) → label; object_type "" applies to every kind of record.
_field_labels: dict[tuple[str, str], Label] = {}
# (object_type, field) → {code: label}; ("", "") holds codes valid anywhere.
_picklists: dict[tuple[str, str], dict[str, Label]] = {}
# object_type → the model_name whose fields it mentions.
_aliases: dict[str, str] = {}
_reason_patterns: list[tuple[re.Pattern[str], Label]] = []


def add_action_label(code: str, label: Label) -> None:
    """Name an action code that is not one of AuditAction's own."""
    _action_labels[code] = label


def add_object_label(object_type: str, label: Label, *, like: str = "") -> None:
    """Name a kind of record that is not a model ("case_list", "retention_run"); `like`
    names the model whose fields its entries mention (a case list's filters are a
    case's fields)."""
    _object_labels[object_type] = label
    if like:
        _aliases[object_type] = like


def add_reason_pattern(pattern: str, label: Label) -> None:
    """Read back a reason the system writes in a fixed form, in the reader's language:
    `add_reason_pattern(r"retry message (?P<id>\\S+)", _("Message %(id)s sent again"))`.
    The whole reason must match; named groups fill the label."""
    _reason_patterns.append((re.compile(pattern), label))


def add_field_labels(object_type: str, labels: Mapping[str, Label]) -> None:
    """Name fields an entry records that its model does not have (or has no model):
    `add_field_labels("case", {"access_list": _("people given access")})`. An empty
    object_type names the field on every kind of record."""
    for field, label in labels.items():
        _field_labels[(object_type, field)] = label


def add_picklist(
    choices: type[models.Choices] | Iterable[tuple[Any, Label]],
    *,
    object_type: str = "",
    field: str = "",
) -> None:
    """Show the codes of `choices` as their labels: for one field of one kind of record,
    or (both empty) wherever such a code turns up."""
    pairs = choices.choices if inspect.isclass(choices) else choices  # type: ignore[union-attr]
    _picklists.setdefault((object_type, field), {}).update(
        {str(code): label for code, label in pairs}
    )


@cache
def _shared_picklists() -> dict[str, Label]:
    found: dict[str, Label] = {}
    for _name, member in inspect.getmembers(core_choices, inspect.isclass):
        if issubclass(member, models.Choices) and member.__module__ == core_choices.__name__:
            for code, label in member.choices:
                found.setdefault(str(code), label)
    return found


def _model_for(object_type: str) -> type[models.Model] | None:
    if not object_type:
        return None
    object_type = _aliases.get(object_type, object_type)
    for model in apps.get_models():
        if model._meta.model_name == object_type:
            return model
    return None


def _capitalised(label: Label) -> str:
    text = str(label)
    return text[:1].upper() + text[1:]


def action_label(code: str) -> str:
    if code in AuditAction.values:
        return str(AuditAction(code).label)
    if code in _action_labels:
        return str(_action_labels[code])
    return code


def object_label(object_type: str) -> str:
    if object_type in _object_labels:
        return _capitalised(_object_labels[object_type])
    model = None if object_type in _aliases else _model_for(object_type)
    if model is not None:
        return _capitalised(model._meta.verbose_name or object_type)
    return object_type


def _model_field(object_type: str, field: str) -> models.Field | None:
    model = _model_for(object_type)
    if model is None:
        return None
    try:
        found = model._meta.get_field(field)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def field_label(object_type: str, field: str) -> str:
    for key in ((object_type, field), ("", field)):
        if key in _field_labels:
            return _capitalised(_field_labels[key])
    model_field = _model_field(object_type, field)
    # Only a verbose name given for translation; Django's default is the field's code.
    if model_field is not None and isinstance(model_field.verbose_name, Promise):
        return _capitalised(model_field.verbose_name)
    return field


class _People:
    """Staff named in one page of entries, read in one query."""

    def __init__(self, ids: Iterable[Any]):
        # A staff member is recorded by id (a foreign key) or, in a few older kinds of
        # entry (a case's access list), by username.
        wanted = {str(i) for i in ids if isinstance(i, (int, str)) and not isinstance(i, bool)}
        pks = {int(i) for i in wanted if i.isdigit()}
        usernames = wanted - {str(i) for i in pks}
        self.names: dict[str, str] = {}
        if not wanted:
            return
        model = get_user_model()
        field = model.USERNAME_FIELD
        for user in model.objects.filter(pk__in=pks):
            self.names[str(user.pk)] = person_name(user)
        if usernames:
            for user in model.objects.filter(**{f"{field}__in": usernames}):
                self.names[user.get_username()] = person_name(user)

    def name(self, key: Any) -> str | None:
        if key is None or isinstance(key, bool):
            return None
        return self.names.get(str(key))


def person_name(user: Any) -> str:
    """A staff member as colleagues know them: their name, else their username."""
    name = getattr(user, "display_name", None)
    if callable(name):
        name = name()
    return str(name or user.get_full_name() or user.get_username())


def _is_user_field(model_field: models.Field | None) -> bool:
    return (
        model_field is not None
        and model_field.is_relation
        and model_field.related_model is not None
        and model_field.related_model._meta.label == settings.AUTH_USER_MODEL
    )


def _one_value(value: Any, *, codes: Mapping[str, Label], people: _People | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if people is not None:
        name = people.name(value)
        if name:
            return name
    text = str(value)
    if text in codes:
        return str(codes[text])
    if E164.fullmatch(text):
        return format_phone(text, deployment_country=settings.PUENTE_COUNTRY)
    if text in _picklists.get(("", ""), {}):
        return str(_picklists[("", "")][text])
    if "_" in text and text in _shared_picklists():
        return str(_shared_picklists()[text])
    if isinstance(value, str) and len(text) >= 16 and text[4:5] == "-":
        moment = parse_datetime(text)
        if moment is not None:
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if isinstance(value, str) and len(text) == 10 and text[4:5] == "-":
        day = parse_date(text)
        if day is not None:
            return formats.date_format(day, "SHORT_DATE_FORMAT")
    if text in _shared_picklists():
        return str(_shared_picklists()[text])
    return text


def value_label(
    object_type: str,
    field: str,
    value: Any,
    *,
    people: _People | None = None,
    related: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """A recorded value as shown: a code as its label, a staff member's id as their name,
    yes/no for a flag, a date in the interface language's format, a list item by item."""
    model_field = _model_field(object_type, field)
    codes: dict[str, Label] = {}
    if model_field is not None and model_field.choices:
        codes.update({str(code): label for code, label in model_field.flatchoices})
    codes.update(_picklists.get(("", field), {}))
    codes.update(_picklists.get((object_type, field), {}))
    staff = people if _is_user_field(model_field) or field in _user_fields else None
    if staff is None and related is not None and _is_link(model_field):
        target = model_field.related_model._meta.label  # type: ignore[union-attr]
        named = related.get((target, str(value)))
        if named:
            return named
    if isinstance(value, (list, tuple)):
        if not value:
            return "—"
        return ", ".join(_one_value(v, codes=codes, people=staff) for v in value)
    return _one_value(value, codes=codes, people=staff)


def _is_link(model_field: models.Field | None) -> bool:
    return (
        model_field is not None
        and bool(model_field.many_to_one)
        and model_field.related_model is not None
        and not _is_user_field(model_field)
    )


def _related_names(entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """Records an entry points to by id (a referral's provider, the person referred),
    named as the record names itself, read once per kind for the page. Only entries
    whose content the reader may see are asked, and a record since deleted stays an id."""
    wanted: dict[type[models.Model], set[str]] = {}
    for entry in entries:
        if not getattr(entry, "content_shown", False):
            continue
        for change in entry.changes or []:
            if not isinstance(change, Mapping):
                continue
            model_field = _model_field(entry.object_type, str(change.get("field", "")))
            if _is_link(model_field):
                target = model_field.related_model  # type: ignore[union-attr]
                for side in ("old", "new"):
                    if change.get(side) not in (None, ""):
                        wanted.setdefault(target, set()).add(str(change[side]))  # type: ignore[arg-type]
    names: dict[tuple[str, str], str] = {}
    for model, pks in wanted.items():
        try:
            found = model._default_manager.in_bulk(list(pks))
        except (TypeError, ValueError, ValidationError):
            continue  # an id of the wrong shape: shown as recorded
        for pk, obj in found.items():
            names[(model._meta.label, str(pk))] = str(obj)
    return names


# Fields that name a staff member by id without a model field to say so.
_user_fields: set[str] = set()


def add_staff_fields(*fields: str) -> None:
    """Fields whose recorded value is a staff member's id (or username), shown by name."""
    _user_fields.update(fields)


# How an entry came in, when not through a page.
VIA_LABELS: dict[str, Label] = {
    "web": _("web"),
    "api": _("API"),
    "cli": _("command line"),
    "worker": _("background worker"),
    "demo": _("demo data"),
    "exchange": _("partner exchange"),
    "import": _("import"),
}


def actor_label(actor_name: str) -> str:
    """Who acted when it was not a staff member: a partner hotline ("partner:<name>"),
    a channel's provider ("channel:<provider>"), a command, the demo's set-up."""
    kind, _sep, name = actor_name.partition(":")
    if _sep and kind == "partner":
        return gettext("Partner hotline: %(name)s") % {"name": name}
    if _sep and kind == "channel":
        return gettext("Channel: %(name)s") % {"name": name}
    legacy = {"command line": "cli", "demo": "demo"}
    if actor_name in legacy:
        return str(VIA_LABELS[legacy[actor_name]])
    return actor_name


@dataclass(frozen=True)
class ShownChange:
    field: str
    old: str
    new: str


def _staff_ids(entries: Iterable[AuditEntry]) -> set[Any]:
    ids: set[Any] = set()
    for entry in entries:
        if entry.actor_id:
            ids.add(entry.actor_id)
        if entry.object_type == get_user_model()._meta.model_name and entry.object_id:
            ids.add(entry.object_id)
        for change in entry.changes or []:
            field = change.get("field", "")
            if field in _user_fields or _is_user_field(_model_field(entry.object_type, field)):
                for side in ("old", "new"):
                    value = change.get(side)
                    ids.update(value if isinstance(value, list) else [value])
    return {i for i in ids if i is not None}


def label_entries(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Give each entry of a page its words: `actor_label`, `action_label`,
    `record_label` and `shown_changes`. Staff are named from their accounts (the entry's
    `actor_name` is kept verbatim, the username, for when an account is gone)."""
    people = _People(_staff_ids(entries))
    related = _related_names(entries)
    user_type = get_user_model()._meta.model_name
    for entry in entries:
        entry.actor_label = people.name(entry.actor_id) or actor_label(entry.actor_name)  # type: ignore[attr-defined]
        entry.action_label = action_label(entry.action)  # type: ignore[attr-defined]
        entry.via_label = str(VIA_LABELS.get(entry.via, entry.via))  # type: ignore[attr-defined]
        record = object_label(entry.object_type) if entry.object_type else ""
        if entry.object_type == user_type and entry.object_id:
            who = people.name(entry.object_id)
            ref = who or entry.object_ref or f"#{entry.object_id}"
        elif entry.object_ref.startswith(f"{entry.object_type}:"):
            # A pseudonym ("phone:3f9a…"): the kind is already said by the record's label.
            ref = entry.object_ref.partition(":")[2]
        elif entry.object_ref and QUERY.fullmatch(entry.object_ref):
            ref = readable_query(entry.object_type, entry.object_ref)
        else:
            ref = entry.object_ref or (f"#{entry.object_id}" if entry.object_id else "")
        entry.record_label = f"{record} {ref}".strip() if record else ref  # type: ignore[attr-defined]
        entry.reason_label = reason_label(entry)  # type: ignore[attr-defined]
        entry.shown_changes = [  # type: ignore[attr-defined]
            ShownChange(
                field=field_label(entry.object_type, str(change.get("field", ""))),
                old=value_label(
                    entry.object_type,
                    str(change.get("field", "")),
                    change.get("old"),
                    people=people,
                    related=related,
                ),
                new=value_label(
                    entry.object_type,
                    str(change.get("field", "")),
                    change.get("new"),
                    people=people,
                    related=related,
                ),
            )
            for change in (entry.changes or [])
            if isinstance(change, Mapping)
        ]
    return entries


# What each permission lets someone do, for "refused: needs …" entries.
PERMISSION_LABELS: dict[str, Label] = {
    Perm.CONTACT_VIEW: _("read contacts"),
    Perm.CONTACT_CREATE: _("record contacts"),
    Perm.CONTACT_EDIT: _("change contacts"),
    Perm.CASE_VIEW: _("read cases"),
    Perm.CASE_CREATE: _("open cases"),
    Perm.CASE_EDIT: _("change cases"),
    Perm.CASE_RESTRICT: _("restrict cases"),
    Perm.CASE_REOPEN: _("reopen closed cases"),
    Perm.CASE_BREAK_GLASS: _("open a restricted case in an emergency"),
    Perm.SCREENING_RECORD: _("record screenings"),
    Perm.PHONE_LOOKUP: _("look up phone numbers"),
    Perm.SEARCH: _("search contacts and cases"),
    Perm.AUDIT_VIEW: _("read the audit trail"),
    Perm.PROTOCOL_EDIT: _("edit protocols"),
    Perm.USER_MANAGE: _("manage staff accounts"),
    Perm.ACCOUNT_UNLOCK: _("unlock accounts"),
    Perm.APIKEY_MANAGE: _("manage API keys"),
    Perm.DIRECTORY_VIEW: _("search the directory"),
    Perm.DIRECTORY_MANAGE: _("manage the directory"),
    Perm.REFERRAL_RECORD: _("record referrals and reports"),
    Perm.REPORT_APPROVE: _("approve reports made without consent"),
    Perm.EXCHANGE_SEND: _("send cross-border referrals"),
    Perm.EXCHANGE_RECEIVE: _("handle referrals from the partner hotline"),
    Perm.EXCHANGE_APPROVE: _("approve cross-border referrals"),
    Perm.PARTNER_MANAGE: _("manage partner hotlines"),
    Perm.RETENTION_MANAGE: _("manage retention rules"),
    Perm.TEAM_VIEW: _("see the team view"),
    Perm.INSIGHTS_VIEW: _("see the dashboards and reports"),
    Perm.NETWORK_VIEW: _("see the network of cases"),
    Perm.LINK_REVIEW: _("review proposed matches between persons"),
    Perm.IDENTIFIER_MATCH: _("match identifiers with the partner hotline"),
    Perm.HTCDS_EXPORT: _("export cases as HTCDS files"),
    Perm.HTCDS_IMPORT: _("import HTCDS files"),
    Perm.RELEASE_MANAGE: _("build and send privacy-protected releases"),
    Perm.KNOWLEDGE_VIEW: _("read the knowledge base"),
    Perm.KNOWLEDGE_EDIT: _("edit knowledge-base articles"),
    Perm.QUALITY_REVIEW: _("review contacts for quality"),
    Perm.PRACTICE_TAKE: _("take practice calls"),
    Perm.TRAINING_SUPERVISE: _("see trainees' progress and require practice calls"),
}


def reason_label(entry: AuditEntry) -> str:
    """An entry's reason as shown. People write most reasons (shown as written); a few
    are written by the system in a fixed form (`puente.audit.receivers`) and are read
    back in the reader's language."""
    reason = entry.reason or ""
    if entry.action == AuditAction.ACCESS_DENIED and reason.startswith("needs "):
        perms = [p.strip() for p in reason[len("needs ") :].split(",") if p.strip()]
        return gettext("Needs permission to: %(what)s") % {
            "what": ", ".join(str(PERMISSION_LABELS.get(p, p)) for p in perms)
        }
    for pattern, label in _reason_patterns:
        match = pattern.fullmatch(reason)
        if match:
            return str(label) % match.groupdict() if match.groupdict() else str(label)
    if QUERY.fullmatch(reason):
        return readable_query(entry.object_type, reason)
    if entry.object_type == "home" and reason.startswith("home queues:"):
        sections = [p.strip() for p in reason[len("home queues:") :].split(",") if p.strip()]
        if not sections:
            return gettext("No sections shown")
        return gettext("Sections shown: %(sections)s") % {
            "sections": value_label("home", "sections", sections)
        }
    return reason


def readable_query(object_type: str, text: str) -> str:
    """A list's filters ("status=closed&mine=on") as "Status: Closed · My cases: Yes"."""
    shown = []
    for part in re.split(r"&|, ", text):
        field, _sep, value = part.partition("=")
        if value in {"on", "True", "true"}:
            value_shown = gettext("Yes")
        else:
            value_shown = value_label(object_type, field, value)
        shown.append(f"{field_label(object_type, field)}: {value_shown}")
    return " · ".join(shown)


# The trail's own entries, and kinds of record named by what was looked at rather
# than by a model.
add_object_label("url", _("page"))
add_object_label("api", _("API"))
add_object_label("home", _("home page"))
add_object_label("audit", _("audit trail"), like="auditentry")
add_field_labels(
    "audit",
    {
        "content_shown": _("content shown for entries"),
        "actor": _("who"),
        "action": _("action"),
        "obj": _("record"),
        "date_from": _("from"),
        "date_to": _("to"),
    },
)
