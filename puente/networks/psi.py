"""Across the border: which exploiters' identifiers the partner hotline also holds, found
by private set intersection (ECDH-PSI, OpenMined's `openmined.psi`), without either
hotline handing the other its identifiers. docs/federation.md §3.4 is the protocol;
docs/networks.md the prose.

The requester (`start_match`) blinds each of its own identifiers with a secret key kept
here, sealed, and sends the blinded points (`identifiers.match_request`). The responder
(`receive_request`, then `answer_request` in the background) checks its policy for that
partner — kinds, identifiers per request, requests per day, identifiers per calendar
year — and either refuses with a code or blinds the blinded points again with a fresh
key of its own and sends them back with its own set, blinded with that key and folded
into a Golomb-compressed set (`identifiers.match_response`, in parts when large). The
requester (`receive_response`) removes its own blinding and looks its points up in the
set: what matches is the intersection, and only of what it asked. It stores the matches
and gives each local case holding one a task: follow up through the normal consented
exchange.

The responder's slow half — one elliptic-curve multiplication per identifier it holds —
is done ahead when it can (`prepare_answer`, after each answer and when matching is
switched on): a set blinded with a key of its own, used by one request at most, never
once older than PUENTE_PSI_PREPARED_MINUTES or holding an identifier that is no longer
an exploiter's here.

What each side learns: the requester, which of its asked identifiers the partner holds
(and roughly how many the partner holds of those kinds: the set's size); the responder,
how many identifiers were asked and of which kinds. Neither sees the other's others.

Whose identifiers: only potential exploiters' (a person with the exploiter role, a
business among them), never one that is also on a potential victim or a signaler
anywhere in this hotline; identifiers on no person only when the policy says so.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeGuard

import private_set_intersection.python as psi_lib
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from google.protobuf.message import DecodeError

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.cases.models import Case, Identifier, Task
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.federation import choices as fc
from puente.federation import domain as exchange
from puente.federation import schema
from puente.federation.models import OutboxMessage, PartnerHotline
from puente.networks.models.psi import (
    MAX_IDENTIFIERS_PER_RUN,
    IdentifierMatch,
    MatchPolicy,
    MatchRun,
    PreparedAnswer,
    RunStatus,
    ServedMatch,
    ServedOutcome,
)

logger = logging.getLogger("puente.networks")

REQUEST_TYPE = "identifiers.match_request"
RESPONSE_TYPE = "identifiers.match_response"
# Added message types exist from protocol version 4 (docs/federation.md §0); these two need
# nothing newer, so a version-4 partner without this app refuses them with
# `unsupported_message_type` and nothing else changes.
SINCE_VERSION = 4

# A blinded identifier on the wire: a compressed P-256 point.
POINT_BYTES = 33
# The answer comes in parts no larger than the requester asks for, within these bounds.
MIN_PART_BYTES = 64 * 1024
MAX_PART_BYTES = 8 * 1024 * 1024
MAX_PARTS = 64
# The largest answer a requester accepts: a GCS of several million identifiers.
MAX_ANSWER_BYTES = MAX_PARTS * MAX_PART_BYTES
REQUEST_FIELDS = frozenset({"run_id", "kinds", "count", "request", "max_part_bytes"})
RESPONSE_FIELDS = frozenset(
    {"run_id", "outcome", "refusal", "part", "parts", "setup_bytes", "response_bytes", "data"}
)

# Roles whose identifiers never cross, even blinded.
PROTECTED_ROLES = frozenset({c.PersonRole.POTENTIAL_VICTIM, c.PersonRole.SIGNALER})


class Refusal(models.TextChoices):
    """Why a run ended without matches. The first five travel in a refused answer
    (docs/federation.md §3.4); the others are the requester's own."""

    DISABLED = "matching_disabled", gettext_lazy("The partner does not match identifiers with us")
    KIND = "kind_not_allowed", gettext_lazy("A kind of identifier the partner does not match")
    TOO_MANY = "too_many_identifiers", gettext_lazy("More identifiers than the partner allows")
    DAILY = "daily_limit_reached", gettext_lazy("The partner's daily limit is reached")
    BUDGET = "yearly_budget_spent", gettext_lazy("The partner's yearly budget is spent")
    INVALID = "invalid_request", gettext_lazy("The partner could not read the request")
    NOT_DELIVERED = "not_delivered", gettext_lazy("The request could not be delivered")
    UNREADABLE = "answer_unreadable", gettext_lazy("The partner's answer could not be read")
    EXPIRED = "expired", gettext_lazy("No answer in time")


# Codes a responder may send; anything else in a refused answer is invalid.
SENT_REFUSALS = frozenset(
    {
        Refusal.DISABLED,
        Refusal.KIND,
        Refusal.TOO_MANY,
        Refusal.DAILY,
        Refusal.BUDGET,
        Refusal.INVALID,
    }
)


# --- settings ----------------------------------------------------------------------------


def false_positive_rate() -> float:
    """The chance that a whole run reports one identifier as shared that is not
    (PUENTE_PSI_FPR): the compressed set trades size for it."""
    return float(getattr(settings, "PUENTE_PSI_FPR", 1e-9))


def run_expiry() -> timedelta:
    """How long a run waits for its answer before its secret is thrown away
    (PUENTE_PSI_RUN_EXPIRY_HOURS)."""
    return timedelta(hours=int(getattr(settings, "PUENTE_PSI_RUN_EXPIRY_HOURS", 72)))


def prepared_minutes() -> int:
    """How long a set blinded ahead stays usable (PUENTE_PSI_PREPARED_MINUTES; 0: never
    blind ahead, always at the request). Identifiers added since are missed by an answer
    that uses it; one removed since (or now a victim's) makes it unusable."""
    return max(0, int(getattr(settings, "PUENTE_PSI_PREPARED_MINUTES", 60)))


def part_bytes() -> int:
    """The largest answer part we ask for: what our inbox accepts, base64 and envelope
    allowed for."""
    limit = int(settings.PUENTE_EXCHANGE_MAX_BODY_BYTES)
    return max(MIN_PART_BYTES, min(MAX_PART_BYTES, (limit - 4096) * 3 // 4 // 3 * 3))


# --- whose identifiers ------------------------------------------------------------------


def item_for(kind: str, normalised: str) -> str:
    """The string both hotlines blind for an identifier: its kind and its value as the
    cases app normalises it (`normalise_identifier`: E.164, case and spacing folded), so
    either side's spelling meets the other's."""
    return f"{kind}:{normalised}"


def exploiter_items(*, kinds: Iterable[str], include_unattached: bool = False) -> dict[str, set]:
    """This hotline's exploiters' identifiers of `kinds`, as items, each with the cases
    holding it. An identifier also held by a potential victim or a signaler anywhere
    here is left out: a victim's number never crosses, even blinded."""
    kinds = [k for k in kinds if k in c.IdentifierKind.values]
    held: dict[str, set[int]] = {}
    protected: set[str] = set()
    rows = Identifier.objects.filter(kind__in=kinds).values_list(
        "kind", "normalised", "case_id", "person_id", "person__roles"
    )
    for kind, normalised, case_id, person_id, roles in rows.iterator(chunk_size=5000):
        item = item_for(kind, normalised)
        roles = set(roles or [])
        if roles & PROTECTED_ROLES:
            protected.add(item)
        elif (person_id is None and include_unattached) or c.PersonRole.EXPLOITER in roles:
            held.setdefault(item, set()).add(case_id)
    for item in protected:
        held.pop(item, None)
    return held


# --- the sealed secret ------------------------------------------------------------------


def _fernet() -> MultiFernet:
    """Keys derived from SECRET_KEY and its fallbacks: a run asked before a key rotation
    can still be read after it."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    hashlib.sha256(b"puente.networks.psi\x00" + str(s).encode()).digest()
                )
            )
            for s in secrets
        ]
    )


def seal(*, key: bytes, items: list[str]) -> bytes:
    document = {"key": base64.b64encode(key).decode(), "items": items}
    return _fernet().encrypt(json.dumps(document, separators=(",", ":")).encode())


def unseal(token: bytes) -> tuple[bytes, list[str]]:
    document = json.loads(_fernet().decrypt(bytes(token)))
    return base64.b64decode(document["key"]), list(document["items"])


# --- policy -----------------------------------------------------------------------------


def policy_for(partner: PartnerHotline) -> MatchPolicy:
    """The partner's policy; an unsaved disabled one when none was set."""
    policy = MatchPolicy.objects.filter(partner=partner).first()
    return policy or MatchPolicy(partner=partner, enabled=False)


def change_policy(
    *, partner: PartnerHotline, by: User, request: HttpRequest | None = None, **values: Any
) -> MatchPolicy:
    """Set what may be matched with `partner` (administrators: partner.manage). Audited
    field by field."""
    if not by.can(Perm.PARTNER_MANAGE):
        raise PermissionDenied
    fields = (
        "enabled",
        "kinds",
        "include_unattached",
        "runs_per_day",
        "identifiers_per_run",
        "identifiers_per_year",
    )
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    kinds = values.get("kinds")
    if kinds is not None:
        bad = [k for k in kinds if k not in c.IdentifierKind.values]
        if bad:
            raise ValidationError({"kinds": [_("Unknown kind: %(k)s") % {"k": ", ".join(bad)}]})
        values["kinds"] = [k for k in c.IdentifierKind.values if k in kinds]
    with transaction.atomic():
        policy = MatchPolicy.objects.select_for_update().filter(partner=partner).first()
        created = policy is None
        if policy is None:
            policy = MatchPolicy(partner=partner)
        before = {f: getattr(policy, f) for f in fields}
        for name, value in values.items():
            setattr(policy, name, value)
        policy.updated_by = by
        policy.full_clean(exclude=["partner"])
        policy.save()
        changes = [
            {"field": f, "old": None if created else before[f], "new": getattr(policy, f)}
            for f in fields
            if created or before[f] != getattr(policy, f)
        ]
        if policy.enabled:
            partner_id = partner.pk
            transaction.on_commit(lambda: schedule_prepare(partner_id))
        record_event(
            action="create" if created else "change",
            actor=by,
            obj=policy,
            object_ref=partner.name[:60],
            request=request,
            changes=changes,
        )
    return policy


def _refusal_for(policy: MatchPolicy, *, kinds: list[str], count: int, now: datetime) -> str:
    """The responder's check: "" when the request may be answered, else the code."""
    if policy.pk is None or not policy.enabled:
        return Refusal.DISABLED
    if not kinds or set(kinds) - set(policy.kinds):
        return Refusal.KIND
    if count > policy.identifiers_per_run:
        return Refusal.TOO_MANY
    counted = ServedMatch.objects.filter(
        partner_id=policy.partner_id,
        outcome__in=[ServedOutcome.ANSWERED, ServedOutcome.PENDING],
    )
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if counted.filter(received_at__gte=today).count() >= policy.runs_per_day:
        return Refusal.DAILY
    year = today.replace(month=1, day=1)
    spent = counted.filter(received_at__gte=year).aggregate(n=Sum("asked"))["n"] or 0
    if spent + count > policy.identifiers_per_year:
        return Refusal.BUDGET
    return ""


def budget_left(policy: MatchPolicy, *, now: datetime | None = None) -> dict[str, int]:
    """What the partner may still ask of us today and this calendar year."""
    now = now or timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    counted = ServedMatch.objects.filter(
        partner_id=policy.partner_id,
        outcome__in=[ServedOutcome.ANSWERED, ServedOutcome.PENDING],
    )
    runs_today = counted.filter(received_at__gte=today).count()
    spent = (
        counted.filter(received_at__gte=today.replace(month=1, day=1)).aggregate(n=Sum("asked"))[
            "n"
        ]
        or 0
    )
    return {
        "runs_today": runs_today,
        "runs_left": max(0, policy.runs_per_day - runs_today),
        "spent": spent,
        "left": max(0, policy.identifiers_per_year - spent),
    }


# --- asking (requester) ----------------------------------------------------------------


def start_match(
    *, partner: PartnerHotline, kinds: list[str], by: User, request: HttpRequest | None = None
) -> MatchRun:
    """Ask `partner` which of our exploiters' identifiers of `kinds` it also holds. The
    newest identifiers go first when there are more than our policy's per-request limit;
    the run says how many were left out."""
    if not by.can(Perm.IDENTIFIER_MATCH):
        raise PermissionDenied
    policy = policy_for(partner)
    kinds = [k for k in c.IdentifierKind.values if k in set(kinds)]
    errors: dict[str, list] = {}
    if not policy.enabled:
        errors["partner"] = [_("Matching with this partner hotline is switched off.")]
    elif not kinds:
        errors["kinds"] = [_("Choose at least one kind of identifier.")]
    elif set(kinds) - set(policy.kinds):
        errors["kinds"] = [_("The policy for this partner does not allow that kind.")]
    if errors:
        raise ValidationError(errors)
    held = exploiter_items(kinds=kinds, include_unattached=policy.include_unattached)
    if not held:
        raise ValidationError(
            {"kinds": [_("No exploiter's identifier of these kinds to ask about.")]}
        )
    limit = min(policy.identifiers_per_run, MAX_IDENTIFIERS_PER_RUN)
    # Newest first: the case holding it with the highest id stands for "most recent".
    items = sorted(held, key=lambda i: (-max(held[i]), i))[:limit]
    client = psi_lib.client.CreateWithNewKey(True)
    blinded = client.CreateRequest(items).SerializeToString()
    run = MatchRun(
        partner=partner,
        asked_by=by,
        kinds=kinds,
        asked=len(items),
        left_out=len(held) - len(items),
        sealed=seal(key=client.GetPrivateKeyBytes(), items=items),
    )
    body = {
        "run_id": str(run.run_id),
        "kinds": kinds,
        "count": len(items),
        "request": base64.b64encode(blinded).decode(),
        "max_part_bytes": part_bytes(),
    }
    with transaction.atomic():
        run.save()
        message = exchange.send_message(
            partner=partner, message_type=REQUEST_TYPE, exchange_id=run.run_id, body=body
        )
        run.message_id = message.message_id
        run.save(update_fields=["message_id"])
        record_event(
            action="share",
            actor=by,
            obj=run,
            object_ref=str(run.run_id)[:8],
            request=request,
            reason=f"identifier match request to {partner.name}, message {message.message_id}",
            changes=[
                {"field": "kinds", "old": None, "new": kinds},
                {"field": "asked", "old": None, "new": len(items)},
                {"field": "left_out", "old": None, "new": run.left_out},
            ],
        )
    return run


# --- reading the messages (both sides; strict) ------------------------------------------


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _b64(value: object, name: str, errors: dict[str, str], *, limit: int) -> bytes:
    if not isinstance(value, str) or len(value) > (limit + 2) // 3 * 4:
        errors[name] = f"must be base64 of at most {limit} bytes"
        return b""
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        errors[name] = "must be base64 (RFC 4648, with padding)"
        return b""


def _run_id(value: object, errors: dict[str, str]) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        errors["body.run_id"] = "must be a UUID"
        return ""


def read_request(body: dict, errors: dict[str, str]) -> dict[str, Any]:
    """Check an `identifiers.match_request` body (docs/federation.md §3.4)."""
    for extra in sorted(set(body) - REQUEST_FIELDS, key=str):
        errors[f"body.{extra}"] = "is not a field of the schema"
    run_id = _run_id(body.get("run_id"), errors)
    kinds = body.get("kinds")
    if (
        not isinstance(kinds, list)
        or not kinds
        or len(set(map(str, kinds))) != len(kinds)
        or not all(isinstance(k, str) and k in c.IdentifierKind.values for k in kinds)
    ):
        errors["body.kinds"] = (
            f"must be a list of distinct identifier kinds of {list(c.IdentifierKind.values)}"
        )
        kinds = []
    count = body.get("count")
    if not _is_int(count) or not 1 <= count <= MAX_IDENTIFIERS_PER_RUN:
        errors["body.count"] = f"must be an integer from 1 to {MAX_IDENTIFIERS_PER_RUN}"
        count = 0
    raw = _b64(
        body.get("request"),
        "body.request",
        errors,
        limit=MAX_IDENTIFIERS_PER_RUN * (POINT_BYTES + 4) + 16,
    )
    if raw:
        request = psi_lib.Request()
        try:
            request.ParseFromString(raw)
        except DecodeError:
            errors["body.request"] = "is not a PSI request"
        else:
            points = list(request.encrypted_elements)
            if not request.reveal_intersection:
                errors["body.request"] = "must ask for the intersection (reveal_intersection)"
            elif count and len(points) != count:
                errors["body.request"] = f"carries {len(points)} identifiers, not count"
            elif any(len(p) != POINT_BYTES or p[0] not in (2, 3) for p in points):
                errors["body.request"] = "must carry compressed P-256 points"
    max_part = body.get("max_part_bytes")
    if not _is_int(max_part) or not MIN_PART_BYTES <= max_part <= MAX_PART_BYTES:
        errors["body.max_part_bytes"] = (
            f"must be an integer from {MIN_PART_BYTES} to {MAX_PART_BYTES}"
        )
        max_part = MIN_PART_BYTES
    return {
        "run_id": run_id,
        "kinds": kinds,
        "count": count,
        "request": raw,
        "max_part_bytes": max_part,
    }


def read_response(body: dict, errors: dict[str, str]) -> dict[str, Any]:
    """Check an `identifiers.match_response` body (docs/federation.md §3.4)."""
    for extra in sorted(set(body) - RESPONSE_FIELDS, key=str):
        errors[f"body.{extra}"] = "is not a field of the schema"
    run_id = _run_id(body.get("run_id"), errors)
    outcome = body.get("outcome")
    if outcome not in ("answered", "refused"):
        errors["body.outcome"] = "must be answered or refused"
    numbers: dict[str, int] = {}
    for name in ("part", "parts", "setup_bytes", "response_bytes"):
        value = body.get(name)
        if _is_int(value) and value >= 0:
            numbers[name] = value
        else:
            errors[f"body.{name}"] = "must be a non-negative integer"
            numbers[name] = 0
    refusal = body.get("refusal")
    data = b""
    if outcome == "refused":
        if refusal not in SENT_REFUSALS:
            errors["body.refusal"] = f"unknown code {refusal!r}"
        if any(numbers.values()) or body.get("data") != "":
            errors["body.data"] = "a refusal carries no parts and no data"
    elif outcome == "answered":
        if refusal != "":
            errors["body.refusal"] = "must be empty in an answer"
        if not 1 <= numbers["part"] <= numbers["parts"] <= MAX_PARTS:
            errors["body.part"] = f"must be 1 to parts, and parts at most {MAX_PARTS}"
        total = numbers["setup_bytes"] + numbers["response_bytes"]
        if not numbers["setup_bytes"] or total > MAX_ANSWER_BYTES:
            errors["body.setup_bytes"] = f"the answer must hold 1 to {MAX_ANSWER_BYTES} bytes"
        if numbers["response_bytes"] > (MAX_IDENTIFIERS_PER_RUN * (POINT_BYTES + 4) + 16):
            errors["body.response_bytes"] = "is larger than any request's answer"
        data = _b64(body.get("data"), "body.data", errors, limit=MAX_PART_BYTES)
        if not data and "body.data" not in errors:
            errors["body.data"] = "must not be empty"
    return {
        "run_id": run_id,
        "outcome": outcome,
        "refusal": refusal if outcome == "refused" else "",
        **numbers,
        "data": data,
    }


# --- answering (responder) --------------------------------------------------------------


def receive_request(*, envelope: schema.Envelope, partner: PartnerHotline) -> ServedMatch:
    """A partner's request (the inbox calls this inside its transaction, once per message
    id). Refused at once, with a coded answer, when our policy says no; otherwise kept
    as pending and answered in the background (`answer_request`), so a large set never
    holds the partner's delivery open."""
    body = envelope.body
    if body["run_id"] != envelope.exchange_id:
        raise exchange.ApplyError(
            "invalid_message", "A match request travels with its run_id as the exchange_id."
        )
    if ServedMatch.objects.filter(partner=partner, run_id=body["run_id"]).exists():
        raise exchange.ApplyError(
            "exchange_conflict", "A match request with this run_id was already received.", 409
        )
    # One request at a time per partner, so two cannot both fit in the last of a budget.
    policy = MatchPolicy.objects.select_for_update().filter(partner=partner).first()
    policy = policy or MatchPolicy(partner=partner, enabled=False)
    refusal = _refusal_for(policy, kinds=body["kinds"], count=body["count"], now=timezone.now())
    served = ServedMatch.objects.create(
        partner=partner,
        run_id=body["run_id"],
        kinds=body["kinds"],
        asked=body["count"],
        outcome=ServedOutcome.REFUSED if refusal else ServedOutcome.PENDING,
        refusal=refusal,
        request=b"" if refusal else body["request"],
        max_part_bytes=body["max_part_bytes"],
    )
    if refusal:
        _send_refusal(served, refusal)
    else:
        transaction.on_commit(lambda: schedule_answer(served.pk))
    return served


def _record_served(served: ServedMatch, reason: str) -> None:
    """The responder's audit entry for a request it refused or answered: what left (a
    refusal, or blinded sets), to whom, for how many identifiers of which kinds."""
    record_event(
        action="share",
        actor_name="exchange",
        obj=served,
        object_ref=str(served.run_id)[:8],
        reason=reason,
        changes=[
            {"field": "asked", "old": None, "new": served.asked},
            {"field": "kinds", "old": None, "new": served.kinds},
        ],
        via="exchange",
    )


def _send_refusal(served: ServedMatch, refusal: str) -> None:
    message = exchange.send_message(
        partner=served.partner,
        message_type=RESPONSE_TYPE,
        exchange_id=served.run_id,
        body={
            "run_id": str(served.run_id),
            "outcome": "refused",
            "refusal": refusal,
            "part": 0,
            "parts": 0,
            "setup_bytes": 0,
            "response_bytes": 0,
            "data": "",
        },
    )
    _record_served(
        served,
        f"identifier match refused to {served.partner.name}: {refusal}, "
        f"message {message.message_id}",
    )


@task(queue_name="default")
def answer_match_request(served_id: int) -> str:
    """The worker's task: answer a partner's pending request (`answer_request`)."""
    served = answer_request(served_id=served_id)
    return served.outcome if served is not None else "gone"


def schedule_answer(served_id: int) -> None:
    answer_match_request.enqueue(served_id)


@dataclass
class Answer:
    setup: bytes
    response: bytes
    held: int


def _server(key: bytes | None = None) -> Any:
    if key is None:
        return psi_lib.server.CreateWithNewKey(True)
    return psi_lib.server.CreateFromKey(key, True)


def blind_set(*, items: list[str], capacity: int, fpr: float | None = None) -> tuple[bytes, bytes]:
    """Our set blinded with a fresh key, in a compressed set sized for a request of
    `capacity` identifiers: (key, setup). The slow half of an answer."""
    server = _server()
    setup = server.CreateSetupMessage(
        false_positive_rate() if fpr is None else fpr,
        max(1, capacity),
        items,
        psi_lib.DataStructure.GCS,
    )
    return server.GetPrivateKeyBytes(), setup.SerializeToString()


def compute_answer(
    *,
    request: bytes,
    items: list[str],
    fpr: float | None = None,
    prepared: tuple[bytes, bytes] | None = None,
) -> Answer:
    """The responder's PSI step: our set blinded into a compressed set sized for the
    request, with a fresh key (or the key and set `prepared` ahead with one), and the
    request's points blinded again with that key. Raises ValueError on a request whose
    points are not on the curve."""
    parsed = psi_lib.Request()
    parsed.ParseFromString(request)
    count = max(1, len(parsed.encrypted_elements))
    try:
        if prepared is None:
            key, setup = blind_set(items=items, capacity=count, fpr=fpr)
        else:
            key, setup = prepared
        response = _server(key).ProcessRequest(parsed)
    except RuntimeError as problem:
        raise ValueError(str(problem)) from problem
    return Answer(setup, response.SerializeToString(), len(items))


def prepare_answer(*, partner: PartnerHotline) -> PreparedAnswer | None:
    """Blind our set ahead for `partner`'s next request (the worker, after each answer
    and on the schedule), unless matching is off, blinding ahead is off, or a usable
    one is waiting. Older ones are deleted."""
    minutes = prepared_minutes()
    policy = policy_for(partner)
    now = timezone.now()
    PreparedAnswer.objects.filter(
        partner=partner, created_at__lt=now - timedelta(minutes=minutes)
    ).delete()
    if not minutes or policy.pk is None or not policy.enabled or not policy.kinds:
        return None
    kinds = sorted(policy.kinds)
    waiting = PreparedAnswer.objects.filter(
        partner=partner,
        kinds=kinds,
        include_unattached=policy.include_unattached,
        capacity__gte=policy.identifiers_per_run,
        # Kept for at least half its life: not remade on every sweep.
        created_at__gte=now - timedelta(minutes=minutes / 2),
    )
    if waiting.exists():
        return None
    items = sorted(exploiter_items(kinds=kinds, include_unattached=policy.include_unattached))
    key, setup = blind_set(items=items, capacity=policy.identifiers_per_run)
    return PreparedAnswer.objects.create(
        partner=partner,
        kinds=kinds,
        include_unattached=policy.include_unattached,
        capacity=policy.identifiers_per_run,
        sealed=seal(key=key, items=items),
        setup=setup,
    )


def _usable_prepared(
    served: ServedMatch, *, include_unattached: bool, items: list[str]
) -> tuple[int, tuple[bytes, bytes]] | None:
    """A set blinded ahead that may answer `served`: same kinds, sized for it, fresh,
    and holding nothing we no longer hold as an exploiter's."""
    minutes = prepared_minutes()
    if not minutes:
        return None
    candidate = (
        PreparedAnswer.objects.filter(
            partner_id=served.partner_id,
            kinds=sorted(served.kinds),
            include_unattached=include_unattached,
            capacity__gte=served.asked,
            created_at__gte=timezone.now() - timedelta(minutes=minutes),
        )
        .order_by("-created_at")
        .first()
    )
    if candidate is None:
        return None
    try:
        key, prepared_items = unseal(bytes(candidate.sealed))
    except (InvalidToken, ValueError, KeyError):
        candidate.delete()
        return None
    if not set(prepared_items) <= set(items):
        candidate.delete()  # something in it is no longer ours to answer with
        return None
    return candidate.pk, (key, bytes(candidate.setup))


@task(queue_name="default")
def prepare_match_answer(partner_id: int) -> str:
    """The worker's task: blind our set ahead of this partner's next request."""
    partner = PartnerHotline.objects.filter(pk=partner_id).first()
    if partner is None:
        return "gone"
    return "prepared" if prepare_answer(partner=partner) is not None else "not needed"


def schedule_prepare(partner_id: int) -> None:
    if prepared_minutes():
        prepare_match_answer.enqueue(partner_id)


def answer_request(*, served_id: int) -> ServedMatch | None:
    """Compute and queue the answer to a pending request (the worker's task). The
    answer's messages and the request's change to answered are one transaction, so it
    is sent once, whichever worker runs it, however often."""
    served = ServedMatch.objects.select_related("partner").filter(pk=served_id).first()
    if served is None or served.outcome != ServedOutcome.PENDING:
        return served
    policy = policy_for(served.partner)
    items = sorted(
        exploiter_items(kinds=served.kinds, include_unattached=policy.include_unattached)
    )
    prepared = _usable_prepared(served, include_unattached=policy.include_unattached, items=items)
    request = bytes(served.request or b"")
    try:
        answer: Answer | None = compute_answer(
            request=request,
            items=items,
            prepared=prepared[1] if prepared else None,
        )
    except (ValueError, DecodeError):
        answer = None
    if answer is not None and prepared is not None:
        # Each blinded set answers one request: taken here, or recomputed if another
        # worker took it first.
        with transaction.atomic():
            taken, _by_model = PreparedAnswer.objects.filter(pk=prepared[0]).delete()
        if not taken:
            answer = compute_answer(request=request, items=items)
    with transaction.atomic():
        locked = ServedMatch.objects.select_for_update().filter(
            pk=served.pk, outcome=ServedOutcome.PENDING
        )
        served = locked.select_related("partner").first()
        if served is None:
            return ServedMatch.objects.filter(pk=served_id).first()
        if answer is None:
            served.outcome = ServedOutcome.REFUSED
            served.refusal = Refusal.INVALID
            served.request = b""
            served.save(update_fields=["outcome", "refusal", "request"])
            _send_refusal(served, Refusal.INVALID)
            return served
        blob = answer.setup + answer.response
        size = max(MIN_PART_BYTES, min(served.max_part_bytes, MAX_PART_BYTES)) // 3 * 3
        chunks = [blob[i : i + size] for i in range(0, len(blob), size)]
        ids = []
        for number, chunk in enumerate(chunks, start=1):
            message = exchange.send_message(
                partner=served.partner,
                message_type=RESPONSE_TYPE,
                exchange_id=served.run_id,
                body={
                    "run_id": str(served.run_id),
                    "outcome": "answered",
                    "refusal": "",
                    "part": number,
                    "parts": len(chunks),
                    "setup_bytes": len(answer.setup),
                    "response_bytes": len(answer.response),
                    "data": base64.b64encode(chunk).decode(),
                },
            )
            ids.append(str(message.message_id))
        served.outcome = ServedOutcome.ANSWERED
        served.held = answer.held
        served.request = b""
        served.answered_at = timezone.now()
        served.save(update_fields=["outcome", "held", "request", "answered_at"])
        partner_id = served.partner_id
        transaction.on_commit(lambda: schedule_prepare(partner_id))
        _record_served(
            served,
            f"identifier match answered to {served.partner.name}, "
            f"{len(chunks)} message(s) from {ids[0]}",
        )
    return served


# --- reading the answer (requester) -----------------------------------------------------


def _finish(run: MatchRun, *, status: str, refusal: str = "") -> None:
    run.status = status
    run.refusal = refusal
    run.sealed = None
    run.answer_bytes = None
    run.finished_at = timezone.now()
    run.save(
        update_fields=["status", "refusal", "sealed", "answer_bytes", "finished_at", "matched"]
    )


def receive_response(*, envelope: schema.Envelope, partner: PartnerHotline) -> MatchRun:
    """The partner's answer, or one part of it (the inbox calls this inside its
    transaction). The last part completes the run: the intersection is computed, the
    matches stored, and each local case holding one gets a task. A late answer to a run
    that expired is kept as received and changes nothing."""
    body = envelope.body
    run = (
        MatchRun.objects.select_for_update().filter(run_id=body["run_id"], partner=partner).first()
    )
    if run is None or str(run.run_id) != envelope.exchange_id:
        raise exchange.ApplyError(
            "unknown_exchange", "No identifier match with this run_id was asked of you from here."
        )
    if run.status != RunStatus.SENT:
        return run  # expired or failed here meanwhile: its secret is gone
    if body["outcome"] == "refused":
        _finish(run, status=RunStatus.REFUSED, refusal=body["refusal"])
        _audit_result(run)
        return run
    if body["part"] != run.answer_parts + 1:
        raise exchange.ApplyError(
            "invalid_message",
            f"Part {body['part']} arrived; part {run.answer_parts + 1} was expected.",
            409,
        )
    received = bytes(run.answer_bytes or b"") + body["data"]
    expected = body["setup_bytes"] + body["response_bytes"]
    if len(received) > expected or (body["part"] == body["parts"] and len(received) != expected):
        raise exchange.ApplyError(
            "invalid_message", "The answer's parts do not add up to its stated size."
        )
    run.answer_parts = body["part"]
    if body["part"] < body["parts"]:
        run.answer_bytes = received
        run.save(update_fields=["answer_parts", "answer_bytes"])
        return run
    run.save(update_fields=["answer_parts"])
    _complete(run, setup=received[: body["setup_bytes"]], response=received[body["setup_bytes"] :])
    return run


def intersect(*, key: bytes, items: list[str], setup: bytes, response: bytes) -> list[str]:
    """The requester's PSI step: which of `items` (the list asked, in order) the partner
    holds. Raises ValueError when the answer cannot be read."""
    client = psi_lib.client.CreateFromKey(key, True)
    parsed_setup = psi_lib.ServerSetup()
    parsed_response = psi_lib.Response()
    try:
        parsed_setup.ParseFromString(setup)
        parsed_response.ParseFromString(response)
    except DecodeError as problem:
        raise ValueError(str(problem)) from problem
    if len(parsed_response.encrypted_elements) != len(items):
        raise ValueError("the answer does not carry one point per identifier asked")
    try:
        indices = client.GetIntersection(parsed_setup, parsed_response)
    except RuntimeError as problem:
        raise ValueError(str(problem)) from problem
    return [items[i] for i in sorted(set(indices)) if 0 <= i < len(items)]


def _complete(run: MatchRun, *, setup: bytes, response: bytes) -> None:
    try:
        key, items = unseal(bytes(run.sealed or b""))
        shared = intersect(key=key, items=items, setup=setup, response=response)
    except (InvalidToken, ValueError, KeyError, TypeError) as problem:
        logger.warning("Identifier match %s: answer not read: %s", run.run_id, problem)
        _finish(run, status=RunStatus.FAILED, refusal=Refusal.UNREADABLE)
        _audit_result(run)
        return
    policy = policy_for(run.partner)
    held = exploiter_items(kinds=run.kinds, include_unattached=policy.include_unattached)
    matches = IdentifierMatch.objects.bulk_create(
        [
            IdentifierMatch(run=run, kind=kind, normalised=value)
            for kind, _sep, value in (item.partition(":") for item in shared)
        ]
    )
    if matches and matches[0].pk is None:  # a database that does not return ids
        matches = list(IdentifierMatch.objects.filter(run=run))
    through = IdentifierMatch.cases.through
    through.objects.bulk_create(
        [
            through(identifiermatch_id=match.pk, case_id=case_id)
            for match in matches
            for case_id in sorted(held.get(f"{match.kind}:{match.normalised}", ()))
        ],
        batch_size=1000,
    )
    run.matched = len(shared)
    _finish(run, status=RunStatus.ANSWERED)
    _audit_result(run)
    _create_tasks(run, matches, held)


def _audit_result(run: MatchRun) -> None:
    record_event(
        action="change",
        actor_name=f"partner:{run.partner.name}",
        obj=run,
        object_ref=str(run.run_id)[:8],
        reason=f"identifier match {run.status}{': ' + run.refusal if run.refusal else ''}",
        changes=[
            {"field": "status", "old": RunStatus.SENT, "new": run.status},
            {"field": "matched", "old": None, "new": run.matched},
        ],
        via="exchange",
    )


def _create_tasks(run: MatchRun, matches: list[IdentifierMatch], held: dict[str, set]) -> None:
    """One task per local case holding a shared identifier, for whoever asked (a liaison
    or a supervisor), in the hotline's language: the match is a lead, and what crosses
    next goes through the normal consented exchange."""
    kinds_by_case: dict[int, set[str]] = {}
    for match in matches:
        for case_id in held.get(f"{match.kind}:{match.normalised}", ()):
            kinds_by_case.setdefault(case_id, set()).add(match.kind)
    labels = dict(c.IdentifierKind.choices)
    with translation.override(settings.LANGUAGE_CODE):
        for case in Case.objects.filter(pk__in=kinds_by_case).order_by("pk"):
            kinds = ", ".join(
                str(labels[k]).lower()
                for k in c.IdentifierKind.values
                if k in kinds_by_case[case.pk]
            )
            title = _(
                "%(partner)s also holds this case's exploiter identifier (%(kinds)s): follow "
                "up through a consented referral"
            ) % {"partner": run.partner.name, "kinds": kinds}
            task = Task.objects.create(
                case=case, title=title[:200], assignee=run.asked_by, created_by=run.asked_by
            )
            record_event(
                action="create",
                actor_name="exchange",
                obj=task,
                object_ref=case.reference,
                reason=f"identifier match {run.run_id} with {run.partner.name}",
                changes=[{"field": "title", "old": None, "new": task.title}],
                via="exchange",
            )


# --- upkeep (the worker's schedule) -----------------------------------------------------


def expire_runs(*, now: datetime | None = None) -> dict[str, int]:
    """Runs whose request could not be delivered fail; runs unanswered past
    PUENTE_PSI_RUN_EXPIRY_HOURS expire. Either way the sealed secret is thrown away. And
    requests we were asked that a killed worker left pending are queued again."""
    now = now or timezone.now()
    failed = expired = 0
    waiting = MatchRun.objects.filter(status=RunStatus.SENT)
    undelivered = OutboxMessage.objects.filter(
        message_id__in=waiting.values("message_id"), state=fc.DeliveryState.FAILED
    ).values("message_id")
    for run_pk in list(waiting.filter(message_id__in=undelivered).values_list("pk", flat=True)):
        with transaction.atomic():
            run = (
                MatchRun.objects.select_for_update()
                .filter(pk=run_pk, status=RunStatus.SENT)
                .first()
            )
            if run is not None:
                _finish(run, status=RunStatus.FAILED, refusal=Refusal.NOT_DELIVERED)
                _audit_result(run)
                failed += 1
    for run_pk in list(
        waiting.filter(created_at__lt=now - run_expiry()).values_list("pk", flat=True)
    ):
        with transaction.atomic():
            run = (
                MatchRun.objects.select_for_update()
                .filter(pk=run_pk, status=RunStatus.SENT)
                .first()
            )
            if run is not None:
                _finish(run, status=RunStatus.EXPIRED, refusal=Refusal.EXPIRED)
                _audit_result(run)
                expired += 1
    pending = list(
        ServedMatch.objects.filter(
            outcome=ServedOutcome.PENDING, received_at__lt=now - timedelta(minutes=5)
        ).values_list("pk", flat=True)
    )
    for served_id in pending:
        schedule_answer(served_id)
    # Partners that asked in the last month get a set blinded ahead, kept fresh.
    recent = (
        ServedMatch.objects.filter(received_at__gte=now - timedelta(days=30))
        .values_list("partner_id", flat=True)
        .distinct()
    )
    for partner_id in MatchPolicy.objects.filter(enabled=True, partner_id__in=recent).values_list(
        "partner_id", flat=True
    ):
        schedule_prepare(partner_id)
    return {"failed": failed, "expired": expired, "requeued": len(pending)}
