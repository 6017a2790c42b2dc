"""The door partners knock on: POST /exchange/inbox/.

Order of checks (each refusal is answered with a protocol error code and written to the
audit trail; nothing else is stored): signature and key → freshness → schema → replayed
nonce → idempotent receipt → apply. See docs/federation.md for the codes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from puente.audit.domain import record_event
from puente.federation import schema
from puente.federation.domain import ApplyError, apply_message
from puente.federation.models import PartnerHotline, SeenSignature
from puente.federation.signing import Refused, max_skew, verify_request


def _refuse(
    request: HttpRequest,
    *,
    code: str,
    detail: str,
    status: int,
    partner: PartnerHotline | None = None,
    extra: dict[str, object] | None = None,
) -> JsonResponse:
    record_event(
        action="exchange_refused",
        actor_name=f"partner:{partner.name}" if partner else "unknown sender",
        obj=partner,
        reason=f"{code}: {detail}"[:1000],
        request=request,
        via="exchange",
    )
    return JsonResponse({"error": code, "detail": detail, **(extra or {})}, status=status)


def receive(request: HttpRequest) -> JsonResponse:
    try:
        verified = verify_request(request)
    except Refused as refusal:
        return _refuse(
            request,
            code=refusal.code,
            detail=refusal.detail,
            status=refusal.status,
            partner=refusal.partner,
        )
    partner = verified.partner
    try:
        document = json.loads(request.body)
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
    digest = hashlib.sha256(request.body).hexdigest()
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    SeenSignature.objects.create(
                        nonce=f"{verified.partner_key.pk}:{verified.nonce}"
                    )
            except IntegrityError:
                raise Refused(
                    "replayed", "This signed request was already received.", partner=partner
                ) from None
            receipt = apply_message(
                envelope=envelope,
                document=document,
                partner=partner,
                key_id=verified.partner_key.key_id,
                digest=digest,
            )
    except Refused as refusal:
        return _refuse(
            request, code=refusal.code, detail=refusal.detail, status=401, partner=partner
        )
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
    return JsonResponse(
        {"message_id": envelope.message_id, "status": receipt.status},
        status=202 if receipt.status == "accepted" else 200,
    )
