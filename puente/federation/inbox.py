"""The door partners knock on: POST /exchange/inbox/.

Order of checks (each refusal is answered with a protocol error code; nothing else is
stored): rate limit per source address → signature and key over the headers → rate
limit per key → replayed nonce → body size → body digest → schema → idempotent receipt
→ apply. See docs/federation.md for the codes.

Who is told what:
- A refusal before the signature is proven (unsigned, unknown or revoked key, forged,
  stale, replayed, over the rate limit) is *counted*, per source address and minute, in
  `InboxRefusalSummary`: a flood of 5,000 requests is one row, not 5,000 entries in the
  never-deleted audit trail, and a forger naming a partner's key id is counted as a
  claim, never recorded as that partner.
- A refusal of a request the partner provably signed goes to the audit trail, under the
  partner's name, as before.

Every answer is signed with this hotline's key (`signing.sign_response`): the sender
trusts an acknowledgement only when it verifies.
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from puente.audit.domain import record_event
from puente.core.http import client_address
from puente.federation import keys, schema
from puente.federation.domain import ApplyError, apply_message
from puente.federation.models import (
    InboxRateCounter,
    InboxRefusalSummary,
    PartnerHotline,
    SeenSignature,
)
from puente.federation.signing import (
    MESSAGE_ID_HEADER,
    Unverified,
    Verified,
    check_body,
    claimed_key_id,
    max_skew,
    sign_response,
    verify_request,
)

WINDOW = timedelta(minutes=1)


# --- answers -----------------------------------------------------------------------------


def _answer(
    request: HttpRequest,
    document: dict[str, object],
    *,
    status: int,
    retry_after: int | None = None,
) -> HttpResponse:
    response = JsonResponse(document, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    private_key = keys.signing_key()
    if private_key is not None:
        message_id = str(document.get("message_id") or request.headers.get(MESSAGE_ID_HEADER, ""))
        sign_response(response, message_id=message_id[:100], private_key=private_key)
    return response


def _refuse(
    request: HttpRequest,
    *,
    code: str,
    detail: str,
    status: int,
    partner: PartnerHotline,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    """A refusal of a request `partner` provably signed: into the audit trail."""
    record_event(
        action="exchange_refused",
        actor_name=f"partner:{partner.name}",
        obj=partner,
        reason=f"{code}: {detail}"[:1000],
        request=request,
        via="exchange",
    )
    return _answer(request, {"error": code, "detail": detail, **(extra or {})}, status=status)


def _refuse_unverified(
    request: HttpRequest, refusal: Unverified, *, source: str, now: datetime
) -> HttpResponse:
    """A refusal of a request nobody was proven to send: counted, not chained."""
    count_refusal(
        source=source,
        now=now,
        code=refusal.code,
        detail=refusal.detail,
        claimed_key_id=refusal.claimed_key_id or claimed_key_id(request.headers),
    )
    return _answer(
        request, {"error": refusal.code, "detail": refusal.detail}, status=refusal.status
    )


def _rate_limited(
    request: HttpRequest, *, source: str, now: datetime, wait: int, what: str
) -> HttpResponse:
    detail = f"Too many requests from this {what}; try again in {wait} s."
    count_refusal(
        source=source,
        now=now,
        code="rate_limited",
        detail=detail,
        claimed_key_id=claimed_key_id(request.headers),
        rate_limited=True,
    )
    return _answer(
        request, {"error": "rate_limited", "detail": detail}, status=429, retry_after=wait
    )


# --- shared counters (several server processes: the database holds them) ----------------


def _minute(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def wait_if_over_limit(*, bucket: str, limit: int, now: datetime) -> int:
    """Count one request in `bucket`'s current minute; return the seconds until the
    window ends if the count is over `limit`, else 0."""
    window = _minute(now)
    bucket = bucket[:140]
    counter = InboxRateCounter.objects.filter(bucket=bucket, window=window)
    if not counter.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                InboxRateCounter.objects.create(bucket=bucket, window=window, count=1)
        except IntegrityError:  # another process opened the window first
            counter.update(count=F("count") + 1)
        else:
            # A new window: earlier ones count for nothing any more.
            InboxRateCounter.objects.filter(window__lt=window).delete()
    count = counter.values_list("count", flat=True).first() or 0
    if count <= limit:
        return 0
    return max(1, math.ceil((window + WINDOW - now).total_seconds()))


def count_refusal(
    *,
    source: str,
    now: datetime,
    code: str,
    detail: str,
    claimed_key_id: str = "",
    rate_limited: bool = False,
) -> None:
    """Add one refused request to its source's row for this minute."""
    minute = _minute(now)
    column = "rate_limited" if rate_limited else "refused"
    row = InboxRefusalSummary.objects.filter(source=source, minute=minute)
    changes = {column: F(column) + 1, "last_code": code, "last_detail": detail[:300]}
    if not row.update(**changes):
        try:
            with transaction.atomic():
                InboxRefusalSummary.objects.create(
                    source=source,
                    minute=minute,
                    last_code=code,
                    last_detail=detail[:300],
                    claimed_key_ids=claimed_key_id[:100],
                    **{column: 1},
                )
            return
        except IntegrityError:
            row.update(**changes)
    if claimed_key_id:
        claimed = row.values_list("claimed_key_ids", flat=True).first() or ""
        names = claimed.split()
        if claimed_key_id not in names and len(claimed) + len(claimed_key_id) < 499:
            row.update(claimed_key_ids=" ".join([*names, claimed_key_id]))


# --- the door ----------------------------------------------------------------------------


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _nonce_key(verified: Verified) -> str:
    return f"{verified.partner_key.pk}:{verified.nonce}"


def _replayed(verified: Verified) -> Unverified:
    return Unverified(
        "replayed",
        "This signed request was already received.",
        claimed_key_id=verified.partner_key.key_id,
    )


def receive(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    source = (client_address(request) or "unknown")[:45]
    wait = wait_if_over_limit(
        bucket=f"source:{source}", limit=settings.PUENTE_EXCHANGE_RATE_PER_SOURCE, now=now
    )
    if wait:
        return _rate_limited(request, source=source, now=now, wait=wait, what="address")
    try:
        verified = verify_request(request)
    except Unverified as refusal:
        return _refuse_unverified(request, refusal, source=source, now=now)
    partner = verified.partner
    # Counted only once the signature is proven, so a forger naming a partner's key id
    # cannot use up that partner's allowance.
    wait = wait_if_over_limit(
        bucket=f"key:{verified.partner_key.key_id}",
        limit=settings.PUENTE_EXCHANGE_RATE_PER_KEY,
        now=now,
    )
    if wait:
        return _rate_limited(request, source=source, now=now, wait=wait, what="key")
    if SeenSignature.objects.filter(nonce=_nonce_key(verified)).exists():
        return _refuse_unverified(request, _replayed(verified), source=source, now=now)

    limit = settings.PUENTE_EXCHANGE_MAX_BODY_BYTES
    try:
        body = None if _content_length(request) > limit else request.body
    except RequestDataTooBig:  # DATA_UPLOAD_MAX_MEMORY_SIZE, when set below our limit
        body = None
    if body is None or len(body) > limit:
        # The partner signed these headers; its replay is refused like any other.
        SeenSignature.objects.get_or_create(nonce=_nonce_key(verified))
        return _refuse(
            request,
            code="payload_too_large",
            detail=f"The body is {_content_length(request)} bytes; this hotline accepts at "
            f"most {limit}.",
            status=413,
            partner=partner,
            extra={"max_bytes": limit},
        )
    try:
        check_body(request, body)
    except Unverified as refusal:
        return _refuse_unverified(request, refusal, source=source, now=now)

    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _refuse(
            request,
            code="invalid_json",
            detail="The body is not JSON.",
            status=400,
            partner=partner,
        )
    try:
        envelope = schema.parse(document)
    except schema.SchemaError as problem:
        extra: dict[str, object] = {"fields": problem.errors}
        if problem.code == "unsupported_schema_version":
            extra["supported_versions"] = list(schema.SUPPORTED_VERSIONS)
        return _refuse(
            request,
            code=problem.code,
            detail=problem.detail,
            status=422,
            partner=partner,
            extra=extra,
        )
    if envelope.message_id != verified.message_id:
        return _refuse(
            request,
            code="message_id_mismatch",
            detail="Puente-Message-Id does not match the body's message_id.",
            status=400,
            partner=partner,
        )
    digest = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    SeenSignature.objects.create(nonce=_nonce_key(verified))
            except IntegrityError:
                raise _replayed(verified) from None
            receipt = apply_message(
                envelope=envelope,
                document=document,
                partner=partner,
                key_id=verified.partner_key.key_id,
                digest=digest,
            )
    except Unverified as refusal:
        return _refuse_unverified(request, refusal, source=source, now=now)
    except ApplyError as problem:
        return _refuse(
            request,
            code=problem.code,
            detail=problem.detail,
            status=problem.status,
            partner=partner,
        )
    # Nonces only matter while a signature is fresh; older ones can go.
    SeenSignature.objects.filter(
        seen_at__lt=timezone.now() - 2 * max_skew() - timedelta(minutes=1)
    ).delete()
    return _answer(
        request,
        {"message_id": envelope.message_id, "status": receipt.status},
        status=202 if receipt.status == "accepted" else 200,
    )
