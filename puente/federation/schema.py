"""The exchange's message schema (protocol version 4; 1 to 3 still accepted) — what
another hotline must send and accept.

An envelope::

    {"schema": "puente-exchange", "schema_version": 1, "type": "referral.offer",
     "message_id": "<uuid>", "exchange_id": "<uuid>", "sent_at": "<ISO 8601>",
     "from": {"hotline": "<name>", "country": "US"}, "body": {...}}

Subject fields carry HTCDS names (prs_, vic_, cas_) with HTCDS/ISO code values; the two
fields HTCDS has no name for are prefixed ext_. Every field of the subject is optional:
the sender shares only what the survivor agreed to, and the receiver refuses a field it
does not know rather than guess. docs/federation.md is the prose of this file.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from puente.core import choices as c
from puente.core.geography import country_name, subdivision_name
from puente.directory import choices as dc
from puente.federation import choices as fc

SCHEMA = "puente-exchange"
# The schema version is the protocol version (docs/federation.md §0). Version 2 has the
# same messages as version 1; what changed is the answer: a version-2 receiver signs its
# acknowledgement, and a version-2 sender marks a message delivered only on one. We send
# 2, so a version-1 partner refuses before storing anything instead of applying a
# message whose acknowledgement we could not trust; we still accept 1.
# Version 3 renames the age group `prs_AgeBroad` (a CTDC name, not an HTCDS field) to
# `ext_AgeBroad`, as §3 prescribes for fields HTCDS does not name. Versions 1 and 2 may
# still carry `prs_AgeBroad`; it is read as `ext_AgeBroad`.
# Version 4 adds message types that apps above this one register (`add_message_type`:
# the sharing app's monthly `trends.release`); the referral messages are as in version 3.
# A message is sent with the lowest version that carries it as it is (`version_for`):
# referral messages still go as version 3, so a version-3 partner keeps receiving
# referrals while it has not upgraded, and refuses only what it cannot read.
SUPPORTED_VERSIONS = (1, 2, 3, 4)
CURRENT_VERSION = 4
# The version referral messages (offer, status) are sent with: unchanged since 3.
REFERRAL_VERSION = 3
# Subject field names of older versions, and today's name for each.
RENAMED_BEFORE_VERSION_3 = {"prs_AgeBroad": "ext_AgeBroad"}

REASONS_FOR_REFERRAL = {
    "AdditionalServicesRequired": _("Additional services required"),
    "MigrationOrChangeOfLocation": _("Migration or change of location"),
    "Other": _("Other"),
}


class SchemaError(Exception):
    """The message is not one this hotline understands. `code` is the protocol error
    code; `errors` names each bad field."""

    def __init__(self, code: str, detail: str, errors: dict[str, str] | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.errors = errors or {}


@dataclass(frozen=True)
class SubjectField:
    name: str
    label: object  # lazy string
    kind: str  # "text", "code", "codes", "country", "countries", "location", "phone"
    choices: dict | None = None
    sensitive: bool = False  # identifies the survivor: off unless the liaison ticks it


def _codes(textchoices) -> dict:
    return {code: label for code, label in textchoices.choices}


SUBJECT_FIELDS: tuple[SubjectField, ...] = (
    SubjectField("prs_FirstName", _("First name"), "text", sensitive=True),
    SubjectField(
        "prs_MobilePhone", _("Phone number to reach the survivor"), "phone", sensitive=True
    ),
    SubjectField("prs_Gender", _("Gender"), "code", _codes(c.Gender)),
    SubjectField("ext_AgeBroad", _("Age group"), "code", _codes(c.AgeBand)),
    SubjectField("prs_Citizenship", _("Citizenship"), "countries"),
    SubjectField("prs_PrimaryLanguage", _("Primary language"), "code", _codes(c.Language)),
    SubjectField(
        "vic_TypeOfExploitation", _("Forms of exploitation"), "codes", _codes(c.TypeOfExploitation)
    ),
    SubjectField(
        "vic_MethodsOfControl", _("Methods of control"), "codes", _codes(c.MethodOfControl)
    ),
    SubjectField(
        "cas_ReasonForOutgoingReferral", _("Reason for the referral"), "code", REASONS_FOR_REFERRAL
    ),
    SubjectField("ext_ServicesNeeded", _("Services needed"), "codes", _codes(dc.Service)),
    SubjectField("ext_CurrentLocation", _("Where the survivor is now"), "location"),
)
FIELDS_BY_NAME = {f.name: f for f in SUBJECT_FIELDS}


@dataclass
class Envelope:
    schema_version: int
    message_type: str
    message_id: str
    exchange_id: str
    sent_at: datetime
    sender: dict
    body: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "schema": SCHEMA,
            "schema_version": self.schema_version,
            "type": self.message_type,
            "message_id": self.message_id,
            "exchange_id": self.exchange_id,
            "sent_at": self.sent_at.isoformat(),
            "from": self.sender,
            "body": self.body,
        }


# --- message types other apps add --------------------------------------------------------


@dataclass(frozen=True)
class MessageKind:
    """A message type an app above this one adds to the exchange (docs/federation.md §3).

    The exchange stays the same for it — signed, delivered once in order, stored once by
    message id, every refusal coded — and the app says only what is its own: how to read
    the body and what to do with it. `read_body(body, errors)` returns the clean body and
    names each bad field in `errors` (`"body.cells[3].count": "…"`), which refuses the
    whole message with `invalid_message`. `apply(envelope=…, partner=…)` runs inside the
    inbox's transaction, stores what the message carries and returns the stored record
    (the receipt's audit entry names it); it refuses by raising
    `puente.federation.domain.ApplyError`, and then nothing is kept."""

    type: str
    label: Any  # lazy string: the type's name on the pages that list messages
    since_version: int  # older envelopes cannot carry it; it is sent with this version
    read_body: Callable[[dict, dict[str, str]], dict]
    apply: Callable[..., Any]


_ADDED_TYPES: dict[str, MessageKind] = {}


def add_message_type(kind: MessageKind) -> None:
    """Accept and send `kind` (called from the adding app's AppConfig.ready)."""
    if kind.type in fc.MessageType.values:
        raise ValueError(f"{kind.type!r} is one of the exchange's own message types")
    if kind.since_version not in SUPPORTED_VERSIONS:
        raise ValueError(f"schema version {kind.since_version} is not one this hotline speaks")
    _ADDED_TYPES[kind.type] = kind


def added_message_type(message_type: str) -> MessageKind | None:
    return _ADDED_TYPES.get(message_type)


def message_types() -> list[str]:
    """Every message type this hotline accepts, its own first."""
    return [*fc.MessageType.values, *_ADDED_TYPES]


def message_type_label(message_type: str) -> str:
    """A message type in the reader's language, whichever app added it."""
    if message_type in fc.MessageType.values:
        return str(fc.MessageType(message_type).label)
    kind = _ADDED_TYPES.get(message_type)
    return str(kind.label) if kind is not None else message_type


def version_for(message_type: str) -> int:
    """The schema version a message of this type is sent with: the lowest that carries it
    as it is, so a partner that has not upgraded still gets every message it can read."""
    kind = _ADDED_TYPES.get(message_type)
    return kind.since_version if kind is not None else REFERRAL_VERSION


# --- reading ---------------------------------------------------------------------------


def _uuid(value, name: str, errors: dict) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        errors[name] = "must be a UUID"
        return ""


def _when(value, name: str, errors: dict) -> datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        errors[name] = "must be an ISO 8601 date-time with a time zone"
    return parsed


def _code(value, allowed, name: str, errors: dict, *, blank: bool = False) -> str:
    if blank and value in ("", None):
        return ""
    if not isinstance(value, str) or value not in allowed:
        errors[name] = f"unknown code {value!r}"
        return ""
    return value


def _country(value, name: str, errors: dict) -> str:
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha() or not value.isupper():
        errors[name] = "must be an ISO 3166-1 alpha-2 code"
        return ""
    return value


def _text(value, name: str, errors: dict, *, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        errors[name] = f"must be text of at most {limit} characters"
        return ""
    return value


def _subject(subject, errors: dict, *, version: int = CURRENT_VERSION) -> dict:
    if not isinstance(subject, dict):
        errors["body.subject"] = "must be an object"
        return {}
    clean: dict = {}
    for sent_name, value in subject.items():
        name = RENAMED_BEFORE_VERSION_3.get(sent_name, sent_name) if version < 3 else sent_name
        spec = FIELDS_BY_NAME.get(str(name))
        key = f"body.subject.{sent_name}"
        if spec is None:
            errors[key] = "is not a field of the schema"
            continue
        if spec.kind == "text":
            clean[name] = _text(value, key, errors, limit=100)
        elif spec.kind == "phone":
            text = _text(value, key, errors, limit=20)
            if text and not (text.startswith("+") and text[1:].isdigit()):
                errors[key] = "must be an E.164 number (+ and digits)"
            clean[name] = text
        elif spec.kind == "code":
            clean[name] = _code(value, spec.choices, key, errors)
        elif spec.kind == "codes":
            if not isinstance(value, list):
                errors[key] = "must be a list of codes"
                continue
            clean[name] = [_code(v, spec.choices, key, errors) for v in value]
        elif spec.kind == "countries":
            if not isinstance(value, list):
                errors[key] = "must be a list of ISO 3166-1 alpha-2 codes"
                continue
            clean[name] = [_country(v, key, errors) for v in value]
        elif spec.kind == "location":
            if not isinstance(value, dict) or set(value) - {"country", "subdivision", "city"}:
                errors[key] = "must be an object with country, subdivision and city"
                continue
            clean[name] = {
                "country": _country(value.get("country"), key + ".country", errors),
                "subdivision": _text(
                    value.get("subdivision"), key + ".subdivision", errors, limit=6
                ),
                "city": _text(value.get("city"), key + ".city", errors, limit=120),
            }
    return clean


def _offer_body(body: dict, errors: dict, *, version: int = CURRENT_VERSION) -> dict:
    consent = body.get("consent")
    if not isinstance(consent, dict) or consent.get("given") is not True:
        errors["body.consent"] = "a referral crosses the border only with the survivor's consent"
        consent = {}
    return {
        "sender_case_reference": _text(
            body.get("sender_case_reference"), "body.sender_case_reference", errors, limit=30
        ),
        "urgency": _code(body.get("urgency"), fc.Urgency.values, "body.urgency", errors),
        "consent": {
            "given": True,
            "method": _code(
                consent.get("method"), fc.CONSENT_METHOD_CODES, "body.consent.method", errors
            ),
            "recorded_at": _when(consent.get("recorded_at"), "body.consent.recorded_at", errors),
        },
        "summary": _text(body.get("summary"), "body.summary", errors, limit=10_000),
        "summary_language": _code(
            body.get("summary_language"), {"en", "es"}, "body.summary_language", errors, blank=True
        ),
        "subject": _subject(body.get("subject", {}), errors, version=version),
    }


def _status_body(body: dict, errors: dict) -> dict:
    seq = body.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        errors["body.seq"] = "must be a positive integer"
    status = _code(body.get("status"), fc.ReferralStatus.values, "body.status", errors)
    if status == fc.ReferralStatus.SENT:
        errors["body.status"] = "'sent' is not a status a receiver reports"
    return {
        "seq": seq,
        "status": status,
        "reason": _code(
            body.get("reason"), fc.DeclineReason.values, "body.reason", errors, blank=True
        ),
        "outcome": _code(
            body.get("outcome"), fc.ClosingOutcome.values, "body.outcome", errors, blank=True
        ),
        "note": _text(body.get("note"), "body.note", errors, limit=5000),
        "at": _when(body.get("at"), "body.at", errors),
        "by": _text(body.get("by"), "body.by", errors, limit=200),
        "partner_case_reference": _text(
            body.get("partner_case_reference"), "body.partner_case_reference", errors, limit=30
        ),
    }


def parse(document) -> Envelope:
    """Validate a decoded message. Raises SchemaError naming every problem at once."""
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise SchemaError("invalid_message", f"Not a {SCHEMA} message.")
    version = document.get("schema_version")
    if version not in SUPPORTED_VERSIONS:
        raise SchemaError(
            "unsupported_schema_version",
            f"Schema version {version!r} is not supported here; this hotline accepts "
            f"version(s) {', '.join(map(str, SUPPORTED_VERSIONS))}.",
        )
    message_type = document.get("type")
    kind = _ADDED_TYPES.get(message_type) if isinstance(message_type, str) else None
    if message_type not in fc.MessageType.values and kind is None:
        raise SchemaError(
            "unsupported_message_type",
            f"Message type {message_type!r} is not one of {', '.join(message_types())}.",
        )
    if kind is not None and version < kind.since_version:
        raise SchemaError(
            "unsupported_message_type",
            f"Message type {message_type!r} exists from schema version {kind.since_version}; "
            f"this message is version {version}.",
        )
    errors: dict[str, str] = {}
    sender = document.get("from")
    if not isinstance(sender, dict):
        errors["from"] = "must be an object with hotline and country"
        sender = {}
    body = document.get("body")
    if not isinstance(body, dict):
        raise SchemaError("invalid_message", "The message has no body object.", {"body": "missing"})
    message_id = _uuid(document.get("message_id"), "message_id", errors)
    exchange_id = _uuid(document.get("exchange_id"), "exchange_id", errors)
    sent_at = _when(document.get("sent_at"), "sent_at", errors)
    sender_fields = {
        "hotline": _text(sender.get("hotline"), "from.hotline", errors, limit=200),
        "country": _country(sender.get("country"), "from.country", errors),
    }
    if kind is not None:
        body_fields = kind.read_body(body, errors)
    elif message_type == fc.MessageType.REFERRAL_OFFER:
        body_fields = _offer_body(body, errors, version=version)
    else:
        body_fields = _status_body(body, errors)
    # _when names the error whenever it returns None.
    if errors or sent_at is None:
        raise SchemaError(
            "invalid_message",
            f"The message does not follow schema version {version}: "
            + "; ".join(f"{k} {v}" for k, v in sorted(errors.items())),
            errors,
        )
    return Envelope(
        schema_version=version,
        message_type=str(message_type),
        message_id=message_id,
        exchange_id=exchange_id,
        sent_at=sent_at,
        sender=sender_fields,
        body=body_fields,
    )


# --- showing ---------------------------------------------------------------------------


def labelled_subject(subject: dict) -> list[tuple[str, str]]:
    """(label, value) pairs in the reader's language, in the schema's order. Codes are
    labelled here, by the receiver; free text is shown as the sender wrote it."""
    rows = []
    subject = {RENAMED_BEFORE_VERSION_3.get(name, name): v for name, v in subject.items()}
    for spec in SUBJECT_FIELDS:
        if spec.name not in subject:
            continue
        value = subject[spec.name]
        choices = spec.choices or {}  # set on every "code" and "codes" field
        if spec.kind in ("text", "phone"):
            shown = value
        elif spec.kind == "code":
            shown = str(choices.get(value, value))
        elif spec.kind == "codes":
            shown = ", ".join(str(choices.get(v, v)) for v in value)
        elif spec.kind == "countries":
            shown = ", ".join(country_name(v) for v in value)
        else:
            parts = [
                value.get("city", ""),
                subdivision_name(value["subdivision"]) if value.get("subdivision") else "",
                country_name(value.get("country", "")),
            ]
            shown = ", ".join(p for p in parts if p)
        rows.append((str(spec.label), shown))
    return rows
