"""Intake rules: recording a contact, changing it, tying it to a case, and the drafts
that keep an unfinished intake safe while the advocate is still on the call.

The new-contact page, its autosave and the JSON API all come through here, so a
rule (a number is stored in E.164, Mexico City is MX-CMX, a call cannot end before
it began) is enforced once.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import field_changes, record_event
from puente.audit.keys import pseudonym
from puente.audit.versioned import require_version, write_if_unchanged
from puente.cases.access import can_edit_case, check_case_access
from puente.cases.domain import add_location, open_case
from puente.cases.models import Case
from puente.core import choices as c
from puente.core import geography
from puente.core.fields import max_length_of
from puente.core.hotline_categories import HotlineCategories, hotline_categories
from puente.core.permissions import Perm
from puente.core.phones import normalise_phone, try_normalise_phone
from puente.core.purging import Deleted, delete_with_dependents
from puente.intake.models import Contact, IntakeDraft
from puente.intake.queries import (
    PhoneHistory,
    draft_cutoff,
    draft_of,
    parse_draft_key,
    phone_history,
    visible_contacts,
)
from puente.intake.signals import contact_changed, contact_filed

# What an advocate (or an integration) may set on a contact; everything else (who
# took it, the level of indicators, the version) is the system's.
CONTACT_FIELDS = (
    "channel",
    "direction",
    "started_at",
    "ended_at",
    "signaler_type",
    "anonymous",
    "hotline_category",
    "language",
    "interpreter_used",
    "interpreter_language",
    "phone_raw",
    "phone",
    "country",
    "subdivision",
    "city",
    "reason",
    "summary",
    "imminent_danger",
)
# What a draft may hold: the form's fields as typed, plus the case to link.
DRAFT_FIELDS = (*(f for f in CONTACT_FIELDS if f != "phone_raw"), "case_reference")

_TRUE = {"1", "true", "on", "yes"}
CATEGORIES_DIRECTORY = Path(__file__).resolve().parent / "hotline_categories"


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _check_length(text: str, *, field: str, key: str, errors: dict) -> None:
    """Refuse, never cut: a text longer than the model's field holds is the typist's to
    shorten (the form and the API's schema state the same limit)."""
    try:
        MaxLengthValidator(max_length_of(Contact, field))(text)
    except ValidationError as exc:
        errors[key] = exc.messages[0]


def _flag(data: dict, key: str) -> bool:
    value = data.get(key)
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in _TRUE


class OutOfRange(ValueError):
    """A date and time that exists on some clock but not in UTC, where it is stored."""


def _moment(value: Any) -> datetime | None:
    """A datetime from the API (already typed) or a form (datetime-local text). A time
    without a zone is read in the hotline's time zone: that is the clock on the wall."""
    if value in (None, ""):
        return None
    moment: datetime | None
    if isinstance(value, datetime):
        moment = value
    else:
        moment = parse_datetime(str(value).strip())
        if moment is None:
            raise ValueError(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        # 9999-12-31T23:59-14:00 is in year 10000 in UTC, 0001-01-01T00:00+14:00 in year
        # 0: neither can be stored, compared or shown.
        moment.astimezone(UTC)
    except OverflowError as exc:
        raise OutOfRange(value) from exc
    return moment


# A clock a few minutes fast (a phone, a laptop off the network) is not a mistake; a
# contact an hour in the future is.
CLOCK_SKEW = timedelta(minutes=5)
# Longer than this, a contact is more likely a typo in its date (an end a day later, a
# start in the wrong month) than a call: it is kept only once the advocate confirms it.
LONG_CONTACT = timedelta(hours=4)


def hotline_founded() -> date:
    """The first day this hotline took contacts (PUENTE_HOTLINE_FOUNDED): nothing can
    have happened on it before."""
    return date.fromisoformat(str(settings.PUENTE_HOTLINE_FOUNDED))


def long_contact_hours(*, started: datetime, ended: datetime) -> int:
    return int((ended - started).total_seconds() // 3600)


def _check_times(
    *, started: datetime | None, ended: datetime | None, long_confirmed: bool, errors: dict
) -> None:
    """When a contact happened must be possible: not in the future (beyond a clock a few
    minutes fast), not before the hotline existed, not ending before it began, and not
    lasting hours on end unless the advocate says it really did."""
    latest = timezone.now() + CLOCK_SKEW
    founded = hotline_founded()
    # Compared as instants: converting year 1 to local time would overflow.
    first_moment = timezone.make_aware(datetime.combine(founded, time.min))
    for key, moment in (("started_at", started), ("ended_at", ended)):
        if moment is None or key in errors:
            continue
        if moment > latest:
            errors[key] = _(
                "This is in the future. Enter when the contact really happened "
                "(the clock here says %(now)s)."
            ) % {"now": formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")}
        elif moment < first_moment:
            errors[key] = _(
                "The hotline began taking contacts on %(date)s: a contact cannot be "
                "earlier. Check the year."
            ) % {"date": formats.date_format(founded, "SHORT_DATE_FORMAT")}
    if started is None or ended is None or "started_at" in errors or "ended_at" in errors:
        return
    if ended < started:
        errors["ended_at"] = _("A contact cannot end before it started.")
    elif ended - started > LONG_CONTACT and not long_confirmed:
        errors["ended_at"] = _(
            "This contact would have lasted %(hours)s hours. Check the start and the end; "
            "if it really lasted that long, tick the box that confirms it and save again."
        ) % {"hours": long_contact_hours(started=started, ended=ended)}
        errors["long_contact_confirmed"] = _("Confirm the length of this contact.")


def _choice(
    data: dict,
    key: str,
    choices: type[models.TextChoices],
    errors: dict,
    *,
    default: str = "",
    required_message: str | Promise | None = None,
) -> str:
    code = _text(data, key)
    if not code:
        if required_message:
            errors[key] = required_message
        return default
    if code not in choices.values:
        errors[key] = _("“%(value)s” is not one of the available choices.") % {"value": code}
    return code


def _legacy_anonymous(data: dict) -> dict:
    """Signaler type "anonymous" (before issue 11, item 8; still in old drafts and from
    older API clients) means: who is not said, and no name given."""
    if data.get("signaler_type") != "anonymous":
        return data
    return {**data, "signaler_type": c.SignalerType.UNKNOWN, "anonymous": True}


def report_categories() -> HotlineCategories:
    """This hotline's own report categories, each mapped to a reason for contact."""
    return hotline_categories(
        directory=CATEGORIES_DIRECTORY,
        key="report_categories",
        allowed=c.ReasonForContact.values,
    )


def clean_contact_data(data: dict) -> dict[str, Any]:
    """The contact's fields from what was typed or sent, or a ValidationError naming
    each field that is wrong and why."""
    errors: dict[str, Any] = {}
    cleaned: dict[str, Any] = {}
    data = _legacy_anonymous(data)
    category = _text(data, "hotline_category")
    categories = report_categories()
    if category and category not in categories.values:
        errors["hotline_category"] = _("Not one of this hotline's categories.")
    elif category:
        # The hotline's own category decides the shared reason for contact it maps to.
        data = {**data, "reason": categories.maps_to([category])[0]}

    cleaned["channel"] = _choice(
        data,
        "channel",
        c.Channel,
        errors,
        required_message=_("Choose the channel of this contact."),
    )
    cleaned["reason"] = _choice(
        data,
        "reason",
        c.ReasonForContact,
        errors,
        required_message=_("Choose a reason for contact."),
    )
    cleaned["direction"] = _choice(
        data, "direction", c.Direction, errors, default=c.Direction.INBOUND
    )
    cleaned["signaler_type"] = _choice(
        data, "signaler_type", c.SignalerType, errors, default=c.SignalerType.UNKNOWN
    )
    cleaned["anonymous"] = _flag(data, "anonymous")
    cleaned["hotline_category"] = category
    cleaned["language"] = _choice(data, "language", c.Language, errors, default=c.Language.ENGLISH)

    cleaned["interpreter_used"] = _flag(data, "interpreter_used")
    interpreter_language = _choice(data, "interpreter_language", c.Language, errors)
    if interpreter_language and not cleaned["interpreter_used"]:
        errors["interpreter_language"] = _(
            "An interpreter language is only recorded when an interpreter was used."
        )
    cleaned["interpreter_language"] = interpreter_language

    for key in ("started_at", "ended_at"):
        try:
            cleaned[key] = _moment(data.get(key))
        except OutOfRange:
            errors[key] = _("Enter a date and time between the years 1 and 9999.")
            cleaned[key] = None
        except ValueError:
            errors[key] = _("Enter a date and time.")
            cleaned[key] = None
    if cleaned["started_at"] is None and "started_at" not in errors:
        # A contact logged without a start time is being logged as it happens.
        cleaned["started_at"] = timezone.now()
    _check_times(
        started=cleaned["started_at"],
        ended=cleaned["ended_at"],
        long_confirmed=_flag(data, "long_contact_confirmed"),
        errors=errors,
    )

    phone_raw = _text(data, "phone")
    _check_length(phone_raw, field="phone_raw", key="phone", errors=errors)
    cleaned["phone_raw"] = phone_raw
    cleaned["phone"] = ""
    if phone_raw:
        try:
            cleaned["phone"] = normalise_phone(phone_raw, default_region=settings.PUENTE_COUNTRY)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]

    country = _text(data, "country").upper()
    if country and not geography.is_country(country):
        errors["country"] = _("“%(value)s” is not a country code.") % {"value": country}
    cleaned["country"] = country
    subdivision = geography.canonical_subdivision(_text(data, "subdivision"))
    if subdivision:
        if not country:
            # Every ISO 3166-2 code begins with its country: infer it rather than refuse.
            country = cleaned["country"] = subdivision.split("-")[0]
        if not geography.is_subdivision_of(subdivision, country):
            errors["subdivision"] = _("This state or federal entity is not in the chosen country.")
    cleaned["subdivision"] = subdivision
    cleaned["city"] = _text(data, "city")
    cleaned["summary"] = _text(data, "summary")
    for key in ("city", "summary"):
        _check_length(cleaned[key], field=key, key=key, errors=errors)
    cleaned["imminent_danger"] = _flag(data, "imminent_danger")

    if errors:
        raise ValidationError(errors)
    return cleaned


def _case_by_reference(reference: str, *, by: User) -> Case:
    case = Case.objects.filter(reference=reference.strip().upper()).first()
    if case is None:
        raise ValidationError(
            {"case_reference": _("No case has the reference “%(value)s”.") % {"value": reference}}
        )
    if not can_edit_case(by, case):
        raise ValidationError(
            {
                "case_reference": _("You may not add contacts to case %(value)s.")
                % {"value": case.reference}
            }
        )
    return case


def _reindex_on_commit(contact_id: int) -> None:
    transaction.on_commit(lambda: contact_changed.send(sender=Contact, contact_id=contact_id))


def _snapshot(contact: Contact) -> dict[str, Any]:
    return {field: getattr(contact, field) for field in (*CONTACT_FIELDS, "case")}


def record_contact(
    *,
    by: User,
    data: dict,
    request: HttpRequest | None = None,
    draft_key: str | uuid.UUID | None = None,
) -> Contact:
    """Record one contact. `data` holds the fields as typed or sent; an optional
    `case_reference` links the contact to an existing case the advocate may edit."""
    if not by.can(Perm.CONTACT_CREATE):
        raise PermissionDenied
    cleaned = clean_contact_data(data)
    reference = _text(data, "case_reference")
    case = _case_by_reference(reference, by=by) if reference else None
    with transaction.atomic():
        contact = Contact(taken_by=by, case=case, **cleaned)
        contact.full_clean()
        contact.save()
        record_event(
            action="create",
            actor=by,
            obj=contact,
            request=request,
            changes=field_changes({}, _snapshot(contact)),
        )
        if draft_key:
            # A key that does not parse (None) matches no draft.
            key = parse_draft_key(draft_key)
            IntakeDraft.objects.filter(owner=by, key=key).delete()  # type: ignore[misc]
        _reindex_on_commit(contact.pk)
    return contact


def update_contact(
    *, contact: Contact, by: User, data: dict, version: int, request: HttpRequest | None = None
) -> Contact:
    """Change a contact. `version` is the one the editor read: if someone saved in the
    meantime, nothing is written and StaleWriteError names who and when, rather than
    silently overwrite what they wrote."""
    if not by.can(Perm.CONTACT_EDIT):
        raise PermissionDenied
    cleaned = clean_contact_data(data)
    with transaction.atomic():
        current = Contact.objects.get(pk=contact.pk)
        require_version(obj=current, expected_version=version)
        before = _snapshot(current)
        candidate = copy.copy(current)
        for field, value in cleaned.items():
            setattr(candidate, field, value)
        changes = field_changes(before, _snapshot(candidate))
        if not changes:
            return current
        candidate.full_clean()
        write_if_unchanged(
            obj=current,
            expected_version=version,
            values={d["field"]: getattr(candidate, d["field"]) for d in changes},
            changes=changes,
            by=by,
            request=request,
        )
        _reindex_on_commit(current.pk)
    return current


def link_contact_to_case(
    *, contact: Contact, case: Case, by: User, request: HttpRequest | None = None
) -> Contact:
    if not by.can(Perm.CONTACT_EDIT):
        raise PermissionDenied
    # Access to both cases is checked before the transaction, so a refusal's audit entry
    # is not rolled back with it.
    check_case_access(user=by, case=case, edit=True, obj=contact, request=request)
    old_case = Contact.objects.select_related("case").get(pk=contact.pk).case
    if old_case is not None and old_case.pk != case.pk:
        _check_may_move_out(
            contact=contact, old_case=old_case, new_case=case, by=by, request=request
        )
    with transaction.atomic():
        current = Contact.objects.select_for_update().get(pk=contact.pk)
        if current.case_id == case.pk:
            return current
        if current.case_id != (old_case.pk if old_case else None):
            raise ValidationError(
                _("This contact was filed in another case meanwhile. Reload and try again."),
                code="stale",
            )
        changes = [{"field": "case", "old": current.case_id, "new": case.pk}]
        current.case = case
        current.version += 1
        current.save(update_fields=["case", "version", "updated_at"])
        record_event(action="change", actor=by, obj=current, request=request, changes=changes)
        contact_filed.send(
            sender=Contact, contact_id=current.pk, case_id=case.pk, by=by, request=request
        )
        _reindex_on_commit(current.pk)
    return current


def _check_may_move_out(
    *, contact: Contact, old_case: Case, new_case: Case, by: User, request: HttpRequest | None
) -> None:
    # Moving a contact out of a case one may not edit would change that case.
    check_case_access(user=by, case=old_case, edit=True, obj=contact, request=request)
    if old_case.restricted and not new_case.restricted and not by.can(Perm.CASE_RESTRICT):
        # Out of a restricted case, the contact would be readable by every case reader:
        # the same right as lifting the restriction (`unrestrict_case`).
        record_event(
            action="access_denied",
            actor=by,
            obj=contact,
            object_ref=old_case.reference,
            reason="moving a contact out of a restricted case needs case.restrict",
            request=request,
        )
        raise PermissionDenied(_("Only a supervisor may move a contact out of a restricted case."))


def open_case_from_contact(
    *, contact: Contact, by: User, request: HttpRequest | None = None
) -> Case:
    """Open a case for the situation this contact describes, and file the contact in it."""
    if not by.can(Perm.CASE_CREATE):
        raise PermissionDenied
    if contact.case_id is not None:
        raise ValidationError(_("This contact is already part of a case."), code="has_case")
    with transaction.atomic():
        case = open_case(
            by=by,
            request=request,
            title=case_title_for(contact),
            summary=contact.summary,
            imminent_danger=contact.imminent_danger,
            level_of_indicators=contact.level_of_indicators,
        )
        if contact.country:
            # Where the contact was about is where the case starts.
            add_location(
                case=case,
                kind=c.LocationKind.CURRENT,
                country=contact.country,
                subdivision=contact.subdivision,
                city=contact.city,
                by=by,
                request=request,
            )
        link_contact_to_case(contact=contact, case=case, by=by, request=request)
    return case


def case_title_for(contact: Contact) -> str:
    """A case's first title, as an advocate would write it: what the contact was about
    (this hotline's category, else the reason for contact) and where ("Tip · Houston"),
    in the language of whoever opens it."""
    reason = (
        report_categories().label_for(contact.hotline_category) if contact.hotline_category else ""
    ) or c.label_for(c.ReasonForContact, contact.reason)
    if not reason:
        # A call or a tip filed before anyone recorded its reason: name it by its channel.
        reason = c.label_for(c.Channel, contact.channel)
    place = (
        contact.city
        or geography.subdivision_name(contact.subdivision)
        or geography.country_name(contact.country)
    )
    title = _("%(reason)s · %(place)s") % {"reason": reason, "place": place} if place else reason
    return str(title)[: max_length_of(Case, "title")]


# --- Drafts ---------------------------------------------------------------------------


# What the advocate types or picks beyond the number and the page's defaults. A number
# typed only to look the caller up is not yet a contact: no draft is started for it.
TYPED_FIELDS = (
    "channel",
    "reason",
    "hotline_category",
    "ended_at",
    "interpreter_used",
    "interpreter_language",
    "subdivision",
    "city",
    "summary",
    "imminent_danger",
    "case_reference",
)


def worth_a_draft(data: Any) -> bool:
    """Whether what was typed is more than a phone lookup."""
    if any(_text(data, field) for field in TYPED_FIELDS):
        return True
    return _text(data, "signaler_type") not in ("", c.SignalerType.UNKNOWN)


def save_draft(*, owner: User, data: Any, key: str | uuid.UUID | None = None) -> IntakeDraft | None:
    """Keep what has been typed so far. A key that is not the owner's starts a new draft:
    one advocate can never write into (or learn of) another's draft. Nothing is started
    (None) while only the number has been typed; a draft already started keeps every
    change, even one that empties it."""
    kept = {field: data.get(field) for field in DRAFT_FIELDS if data.get(field) not in (None, "")}
    key = parse_draft_key(key)
    with transaction.atomic():
        draft = draft_of(owner=owner, key=key) if key else None
        if draft is None:
            if not worth_a_draft(data):
                return None
            taken = key is None or IntakeDraft.objects.filter(key=key).exists()
            # Not taken: key is a UUID no draft has yet.
            draft = IntakeDraft(owner=owner, key=uuid.uuid4() if taken else key)  # type: ignore[misc]
        draft.data = kept
        draft.save()
    return draft


def discard_draft(*, owner: User, key: str | uuid.UUID | None) -> bool:
    # A key that does not parse (None) matches no draft.
    parsed = parse_draft_key(key)
    deleted, _rows = IntakeDraft.objects.filter(owner=owner, key=parsed).delete()  # type: ignore[misc]
    return bool(deleted)


def look_up_caller(*, user: User, phone: str, request: HttpRequest | None = None) -> PhoneHistory:
    """The screen-pop: earlier contacts and cases for a number, recorded in the audit
    trail (who looked up which number is itself sensitive)."""
    history = phone_history(user=user, phone=phone)
    if history.number:
        record_event(
            action="lookup",
            actor=user,
            object_type="phone",
            # The number itself is content (readable by those who may look numbers up,
            # and purgeable); the chained reference is its pseudonym.
            object_ref=pseudonym("phone", history.number),
            changes=[{"field": "number", "old": None, "new": history.number}],
            request=request,
            reason=f"{len(history.contacts)} contacts, {len(history.cases)} cases",
        )
    return history


# --- Contacts that arrive by themselves (calls, texts, e-mail: puente.channels) --------


def record_inbound_contact(
    *,
    channel: str,
    via: str,
    started_at: datetime | None = None,
    phone: str = "",
    language: str = "",
    summary: str = "",
) -> Contact:
    """A contact that reached the hotline before any advocate took it: a call ringing, a
    first text, an e-mail. Nobody has taken it yet and no reason is chosen: the advocate
    who answers fills them in. The number is kept as the provider gave it and, when it
    reads as one, in E.164 (the key of the phone lookup). `via` names the channel's
    source in the audit trail ("twilio", "imap")."""
    number = try_normalise_phone(phone, default_region=settings.PUENTE_COUNTRY) if phone else None
    default_language = c.Language.SPANISH if settings.LANGUAGE_CODE == "es" else c.Language.ENGLISH
    contact = Contact(
        channel=channel,
        direction=c.Direction.INBOUND,
        started_at=started_at or timezone.now(),
        phone_raw=phone[: max_length_of(Contact, "phone_raw")],
        phone=number or "",
        language=language or default_language,
        reason="",
        summary=summary[: max_length_of(Contact, "summary")],
    )
    with transaction.atomic():
        contact.save()
        record_event(
            action="create",
            actor_name=f"channel:{via}",
            obj=contact,
            changes=field_changes({}, _snapshot(contact)),
            via="channel",
        )
        _reindex_on_commit(contact.pk)
    return contact


def take_inbound_contact(*, contact_id: int, by: User) -> bool:
    """The advocate who answers a call or a thread becomes who took the contact, unless
    someone already did. True if it was theirs to take."""
    return bool(Contact.objects.filter(pk=contact_id, taken_by__isnull=True).update(taken_by=by))


def awaits_recording(contact: Contact, *, by: User) -> bool:
    """Whether `by` may record what was said on this contact that arrived by itself: no
    advocate has recorded it yet (it has no reason for contact) and nobody else took it."""
    return (
        contact.direction == c.Direction.INBOUND
        and not contact.reason
        and contact.taken_by_id in (None, by.pk)
    )


def complete_inbound_contact(
    *,
    contact_id: int,
    by: User,
    data: dict,
    request: HttpRequest | None = None,
    draft_key: str | uuid.UUID | None = None,
) -> Contact:
    """The advocate who took a call (or a text, a tip) saves the new-contact form: the
    contact the call created gets what they typed, with them as who took it. One call is
    one contact, never a second one beside the row the provider's webhook made.

    Refused (ValidationError on "call") when someone recorded it meanwhile or another
    advocate took it. The end of the call, when the form leaves it blank, stays the one
    the provider reported."""
    if not by.can(Perm.CONTACT_CREATE):
        raise PermissionDenied
    cleaned = clean_contact_data(data)
    reference = _text(data, "case_reference")
    case = _case_by_reference(reference, by=by) if reference else None
    # A contact filed in a case the advocate may not open is not theirs to complete.
    may_read = visible_contacts(by).filter(pk=contact_id).exists()
    with transaction.atomic():
        current = Contact.objects.select_for_update().filter(pk=contact_id).first()
        if current is None or not may_read or not awaits_recording(current, by=by):
            taken = may_read and current is not None and current.taken_by_id not in (None, by.pk)
            raise ValidationError(
                {
                    "call": _("Another advocate has taken this call.")
                    if taken
                    else _("This contact has already been recorded.")
                },
                code="taken" if taken else "recorded",
            )
        before = _snapshot(current)
        if cleaned["ended_at"] is None and current.ended_at is not None:
            cleaned["ended_at"] = max(current.ended_at, cleaned["started_at"])
        for field, value in cleaned.items():
            setattr(current, field, value)
        current.case = case
        current.taken_by = by
        current.full_clean()
        current.version += 1
        current.save()
        record_event(
            action="change",
            actor=by,
            obj=current,
            request=request,
            changes=field_changes(before, _snapshot(current)),
        )
        if draft_key:
            key = parse_draft_key(draft_key)
            IntakeDraft.objects.filter(owner=by, key=key).delete()  # type: ignore[misc]
        _reindex_on_commit(current.pk)
    return current


def close_inbound_contact(
    *, contact_id: int, ended_at: datetime, via: str, append_text: str = ""
) -> Contact | None:
    """A call hung up, a thread closed: the contact gets its end and, for a thread, its
    transcript after whatever the advocate wrote (so search finds the words). None if
    the contact is gone (purged meanwhile)."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            return None
        before = _snapshot(contact)
        contact.ended_at = max(ended_at, contact.started_at)
        if append_text:
            text = f"{contact.summary}\n\n{append_text}" if contact.summary else append_text
            contact.summary = text[: max_length_of(Contact, "summary")]
        changes = field_changes(before, _snapshot(contact))
        if not changes:
            return contact
        contact.version += 1
        contact.save(update_fields=["ended_at", "summary", "version", "updated_at"])
        record_event(
            action="change",
            actor_name=f"channel:{via}",
            obj=contact,
            changes=changes,
            via="channel",
        )
        _reindex_on_commit(contact.pk)
    return contact


# --- Retention (puente.retention decides what is due; these say how it goes) -----------


def purge_contacts(*, contact_ids: Collection[int]) -> Deleted:
    """Delete these contacts for good, with everything that cascades from them (their
    screenings). No permission check and no audit entry here: the retention rules chose
    them, and the caller audits the counts, forgets the audit content of every id
    returned and removes the search entries."""
    return delete_with_dependents(queryset=Contact.objects.filter(pk__in=list(contact_ids)))


def purge_expired_drafts(*, now: datetime | None = None) -> int:
    """Delete the unfinished intakes no one has touched for PUENTE_DRAFT_HOURS (they are
    no longer offered, `queries.drafts_of`). Run every hour by the worker
    (`puente.intake.tasks`)."""
    deleted, _rows = IntakeDraft.objects.filter(updated_at__lt=draft_cutoff(now=now)).delete()
    return deleted


def purge_drafts(*, draft_ids: Collection[int]) -> int:
    """Delete these unfinished intakes. Drafts are never audited (autosave would flood
    the trail), so there is no audit content to forget."""
    deleted, _rows = IntakeDraft.objects.filter(pk__in=list(draft_ids)).delete()
    return deleted
