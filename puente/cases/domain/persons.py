"""The people (and businesses) in a case, and the identifiers that link them across
cases (a phone number in any written form matches its E.164 form).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import field_changes, record_event
from puente.audit.versioned import require_version, write_if_unchanged
from puente.cases.domain.common import (
    _collect,
    _reindex_on_commit,
    _require_edit,
    _touch,
    clean_codes,
    clean_countries,
)
from puente.cases.models import Case, Identifier, Person
from puente.core import choices as c
from puente.core.geography import is_country
from puente.core.phones import normalise_phone

PERSON_MULTISELECTS: dict[str, type] = {
    "roles": c.PersonRole,
    "roles_in_process": c.RoleInProcess,
}
PERSON_FIELDS = (
    "roles",
    "is_business",
    "salutation",
    "first_name",
    "last_name",
    "alias",
    "title",
    "birthdate",
    "age",
    "age_band",
    "gender",
    "citizenship",
    "nationality",
    "primary_language",
    "trafficking_status",
    "trafficking_status_decided_by",
    "relationship_to_trafficker",
    "roles_in_process",
    "consent",
    "notes",
)
PERSON_EDITABLE = set(PERSON_FIELDS)
_ROLE_ORDER = {code: i for i, code in enumerate(c.PersonRole.values)}


def _single_role_to_roles(fields: dict[str, Any]) -> dict[str, Any]:
    """`role="signaler"` (one role, as callers wrote before a person could hold several)
    means `roles=["signaler"]`; both at once is refused rather than merged."""
    if "role" not in fields:
        return fields
    values = dict(fields)
    role = values.pop("role")
    if "roles" in values:
        raise ValidationError({"role": _("Send either role or roles, not both.")})
    values["roles"] = [role] if role else []
    return values


# --- persons and identifiers -----------------------------------------------------


def _clean_person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list] = {}
    values = dict(fields)
    for field, choices in PERSON_MULTISELECTS.items():
        if field in values:
            values[field] = _collect(
                errors, clean_codes, field=field, values=values[field], choices=choices
            )
    if "citizenship" in values:
        values["citizenship"] = _collect(
            errors, clean_countries, field="citizenship", values=values["citizenship"]
        )
    if values.get("nationality"):
        values["nationality"] = str(values["nationality"]).upper()
        if not is_country(values["nationality"]):
            errors.setdefault("nationality", []).append(gettext("Not a country code."))
    if "roles" in values and not errors.get("roles"):
        values["roles"] = sorted(values["roles"], key=_ROLE_ORDER.__getitem__)
    for field in ("salutation", "first_name", "last_name", "alias", "title", "notes"):
        if field in values:
            values[field] = (values[field] or "").strip()
    for field in (
        "age_band",
        "gender",
        "nationality",
        "primary_language",
        "trafficking_status",
        "trafficking_status_decided_by",
        "relationship_to_trafficker",
    ):
        if field in values and values[field] is None:
            values[field] = ""
    if errors:
        raise ValidationError(errors)
    return values


# What tells who a person is, or how to recognise them again. Roles, consent and the
# like say what a person is to the case, not who: a person with none of these (and no
# identifier) is an empty row that only makes the case look bigger.
_DESCRIBING = (
    "first_name",
    "last_name",
    "alias",
    "title",
    "birthdate",
    "age",
    "age_band",
    "gender",
    "citizenship",
    "nationality",
    "primary_language",
    "relationship_to_trafficker",
    "roles_in_process",
    "trafficking_status",
    "notes",
)
_UNKNOWN = {c.AgeBand.UNKNOWN, c.Gender.UNKNOWN}


def is_empty_person(person: Person, *, identifiers: int = 0) -> bool:
    """Nothing known about this person: no name, no age, no description, no identifier."""
    if identifiers:
        return False
    for field in _DESCRIBING:
        value = getattr(person, field)
        if value not in (None, "", []) and value not in _UNKNOWN:
            return False
    return True


def _age_bounds(band: str) -> tuple[int, int] | None:
    """The ages an age band holds, or None for "unknown"."""
    if band == c.AgeBand.MINOR_UNKNOWN:
        return (0, 17)
    if band == c.AgeBand.ADULT_UNKNOWN:
        return (18, 150)
    if band.endswith("+") and band[:-1].isdigit():
        return (int(band[:-1]), 150)
    low, _dash, high = band.partition("-")
    if low.isdigit() and high.isdigit():
        return (int(low), int(high))
    return None


def _check_age(person: Person, errors: dict[str, list]) -> None:
    if person.age is None or not person.age_band:
        return
    bounds = _age_bounds(person.age_band)
    if bounds is not None and not bounds[0] <= person.age <= bounds[1]:
        errors.setdefault("age_band", []).append(
            gettext(
                "Age %(age)s is not in the age band “%(band)s”. Correct one of them, or leave "
                "the band empty: the age says it."
            )
            % {"age": person.age, "band": c.label_for(c.AgeBand, person.age_band)}
        )


def _check_person(person: Person, *, identifiers: int = 0) -> None:
    errors: dict[str, list] = {}
    if is_empty_person(person, identifiers=identifiers):
        errors.setdefault("__all__", []).append(
            gettext(
                "Nothing is recorded about this person yet. Give at least a name, an alias, "
                "an age or age band, a description in the notes, or an identifier such as a "
                "phone number."
            )
        )
    _check_age(person, errors)
    if person.is_business and not person.alias:
        errors["alias"] = [gettext("Give the business name.")]
    if not person.roles:
        errors["roles"] = [gettext("Choose at least one role.")]
    if person.is_business and person.roles != [c.PersonRole.EXPLOITER]:
        errors.setdefault("is_business", []).append(
            gettext("Only an exploiter can be recorded as a business.")
        )
    try:
        person.full_clean(exclude=["case"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _person_values(person: Person) -> dict[str, Any]:
    return {field: getattr(person, field) for field in sorted(PERSON_EDITABLE)}


def _clean_identifiers(identifiers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (kind, value) pairs with a value, each checked before anything is saved."""
    pairs = [(kind, value) for kind, value in identifiers if (value or "").strip()]
    for kind, value in pairs:
        if kind not in c.IdentifierKind.values:
            raise ValidationError({"kind": _("Not a valid choice: %(codes)s.") % {"codes": kind}})
        normalise_identifier(kind=kind, value=value)
    return pairs


def add_person(
    *,
    case: Case,
    by: User,
    request: HttpRequest | None = None,
    identifiers: Sequence[tuple[str, str]] = (),
    **fields: Any,
) -> Person:
    """Add a person to a case, with the identifiers (kind, value) that come with them:
    a person known only by a phone number is still someone."""
    fields = _single_role_to_roles(fields)
    unknown = set(fields) - PERSON_EDITABLE
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    _require_edit(by, case, request)
    values = _clean_person_fields(fields)
    pairs = _clean_identifiers(identifiers)
    with transaction.atomic():
        person = Person(case=case, **values)
        _check_person(person, identifiers=len(pairs))
        person.save()
        record_event(
            action="create",
            actor=by,
            obj=person,
            object_ref=case.reference,
            request=request,
            changes=field_changes({}, _person_values(person)),
        )
        for kind, value in pairs:
            add_identifier(case=case, kind=kind, value=value, by=by, person=person, request=request)
        _touch(case.pk)
        _reindex_on_commit(case.pk)
    return person


def update_person(
    *,
    person_id: int,
    expected_version: int,
    changes: dict[str, Any],
    by: User,
    request: HttpRequest | None = None,
    identifiers: Sequence[tuple[str, str]] = (),
) -> Person:
    """Change a person read at `expected_version`, adding the identifiers (kind, value)
    given with the change."""
    changes = _single_role_to_roles(changes)
    unknown = set(changes) - PERSON_EDITABLE
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    person = Person.objects.select_related("case").get(pk=person_id)
    _require_edit(by, person.case, request)  # outside the transaction, as in update_case
    pairs = _clean_identifiers(identifiers)
    with transaction.atomic():
        require_version(obj=person, expected_version=expected_version)
        values = _clean_person_fields(changes)
        before = _person_values(person)
        candidate = copy.copy(person)
        for field, value in values.items():
            setattr(candidate, field, value)
        _check_person(candidate, identifiers=len(pairs) + person.identifiers.count())
        for kind, value in pairs:
            add_identifier(
                case=person.case, kind=kind, value=value, by=by, person=person, request=request
            )
        diff = field_changes(before, _person_values(candidate))
        if not diff:
            return person
        write_if_unchanged(
            obj=person,
            expected_version=expected_version,
            values={d["field"]: getattr(candidate, d["field"]) for d in diff},
            changes=diff,
            by=by,
            request=request,
            object_ref=person.case.reference,
        )
        _touch(person.case_id)
        _reindex_on_commit(person.case_id)
    return person


def normalise_identifier(*, kind: str, value: str) -> str:
    """What recurring identifiers are matched on, here and across the border: E.164 for
    phones (so any written form of one number links), lower case for emails and handles,
    case and spacing folded otherwise."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({"value": _("Enter a value.")}, code="empty")
    if kind == c.IdentifierKind.PHONE:
        try:
            return normalise_phone(text, default_region=settings.PUENTE_COUNTRY)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}, code="phone") from exc
    if kind == c.IdentifierKind.EMAIL:
        try:
            EmailValidator()(text)
        except ValidationError as exc:
            raise ValidationError(
                {
                    "value": _(
                        "“%(value)s” is not an email address: it needs a name, an @ and "
                        "a domain, like name@example.org."
                    )
                    % {"value": text}
                },
                code="email",
            ) from exc
        return text.lower()
    if kind == c.IdentifierKind.SOCIAL:
        return text.lower()
    # An address, a plate, an ad, a business name: the same one is written in any case
    # and spacing ("Calle Reforma 10" in one case, "calle  reforma 10" in the next).
    return " ".join(text.casefold().split())


def add_identifier(
    *,
    case: Case,
    kind: str,
    value: str,
    by: User,
    person: Person | None = None,
    request: HttpRequest | None = None,
) -> Identifier:
    _require_edit(by, case, request)
    if kind not in c.IdentifierKind.values:
        raise ValidationError({"kind": _("Not a valid choice: %(codes)s.") % {"codes": kind}})
    if person is not None and person.case_id != case.pk:
        raise ValidationError({"person": _("That person is not in this case.")})
    normalised = normalise_identifier(kind=kind, value=value)
    with transaction.atomic():
        identifier = Identifier.objects.create(
            case=case, person=person, kind=kind, value=value.strip(), normalised=normalised
        )
        record_event(
            action="create",
            actor=by,
            obj=identifier,
            object_ref=case.reference,
            request=request,
            changes=[
                {"field": "kind", "old": None, "new": kind},
                {"field": "value", "old": None, "new": identifier.value},
                {"field": "person", "old": None, "new": getattr(person, "pk", None)},
            ],
        )
        _touch(case.pk)
        _reindex_on_commit(case.pk)
    return identifier
