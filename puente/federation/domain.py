"""Cross-border referrals: the rules, as plain functions.

Sending side: a liaison sends a referral from a case with the survivor's recorded
consent, sharing only the fields ticked. Receiving side: a liaison accepts or declines
it, opens a local case from it, and reports progress; each step goes back to the sender
as a numbered status update and appears on the originating case.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.cases import domain as cases
from puente.cases.access import check_case_access
from puente.cases.models import Case, Person
from puente.cases.queries import case_has_family_exploiter
from puente.core import choices as c
from puente.core.permissions import Perm
from puente.core.phones import normalise_phone
from puente.federation import choices as fc
from puente.federation import delivery, keys, schema
from puente.federation.models import (
    CrossBorderReferral,
    InboxMessage,
    InboxRefusalSummary,
    OutboxMessage,
    PartnerHotline,
    ReferralUpdate,
)
from puente.referrals.approval import Approval, check_decision
from puente.referrals.domain import GUARDIAN_CONSENT_FROM_FAMILY


def _require(user: User | None, perm: str) -> None:
    if user is None or not user.can(perm):
        raise PermissionDenied(f"needs {perm}")


def _sender() -> dict:
    return {"hotline": settings.PUENTE_HOTLINE_NAME, "country": settings.PUENTE_COUNTRY}


def _envelope(message_type: str, exchange_id: uuid.UUID | str, body: dict) -> schema.Envelope:
    return schema.Envelope(
        schema_version=schema.version_for(message_type),
        message_type=message_type,
        message_id=str(uuid.uuid4()),
        exchange_id=str(exchange_id),
        sent_at=timezone.now(),
        sender=_sender(),
        body=body,
    )


# --- sending a referral ----------------------------------------------------------------


def subject_from_case(*, case: Case, person: Person | None, fields: list[str], extra: dict) -> dict:
    """The subject block: only the fields named in `fields`, read from the case and the
    person; `extra` carries what the liaison typed (reason, services, location)."""
    known: dict = {}
    if person is not None:
        if person.first_name:
            known["prs_FirstName"] = person.first_name
        if person.gender:
            known["prs_Gender"] = person.gender
        if person.age_band:
            known["ext_AgeBroad"] = person.age_band
        citizenship = list(person.citizenship or []) or (
            [person.nationality] if person.nationality else []
        )
        if citizenship:
            known["prs_Citizenship"] = citizenship
        if person.primary_language:
            known["prs_PrimaryLanguage"] = person.primary_language
    if case.forms_of_exploitation:
        known["vic_TypeOfExploitation"] = list(case.forms_of_exploitation)
    if case.methods_of_control:
        known["vic_MethodsOfControl"] = list(case.methods_of_control)
    location = case.locations.order_by("pk").first()
    if location is not None:
        known["ext_CurrentLocation"] = {
            "country": location.country,
            "subdivision": location.subdivision,
            "city": location.city,
        }
    known.update({k: v for k, v in extra.items() if v not in (None, "", [])})
    return {name: known[name] for name in fields if name in known}


def cross_border_needs_approval() -> bool:
    """Does a referral wait for a supervisor before it is sent? Yes, unless the hotline
    switched the step off (PUENTE_APPROVE_CROSS_BORDER)."""
    return bool(settings.PUENTE_APPROVE_CROSS_BORDER)


def send_referral(
    *,
    case: Case,
    partner: PartnerHotline,
    by: User,
    consent_given: bool,
    consent_method: str,
    fields: list[str],
    summary: str,
    person: Person | None = None,
    consent_note: str = "",
    urgency: str = fc.Urgency.ROUTINE,
    extra: dict | None = None,
    request: HttpRequest | None = None,
) -> CrossBorderReferral:
    """Send a referral to the partner hotline, or, when a supervisor must approve it
    first, record the request: nothing reaches the outbox until `decide_referral`."""
    # Access is checked before the transaction, so a refusal's audit entry is not rolled
    # back with it.
    _require(by, Perm.EXCHANGE_SEND)
    check_case_access(user=by, case=case, edit=True, request=request)
    return _queue_referral(
        case=case,
        partner=partner,
        by=by,
        consent_given=consent_given,
        consent_method=consent_method,
        fields=fields,
        summary=summary,
        person=person,
        consent_note=consent_note,
        urgency=urgency,
        extra=extra,
        request=request,
    )


@transaction.atomic
def _queue_referral(
    *,
    case: Case,
    partner: PartnerHotline,
    by: User,
    consent_given: bool,
    consent_method: str,
    fields: list[str],
    summary: str,
    person: Person | None,
    consent_note: str,
    urgency: str,
    extra: dict | None,
    request: HttpRequest | None,
) -> CrossBorderReferral:
    errors: dict[str, list] = {}
    if not consent_given:
        errors["consent_given"] = [
            _("A referral crosses the border only with the survivor's consent. Record it first.")
        ]
    if consent_method not in fc.CONSENT_METHOD_CODES:
        errors["consent_method"] = [_("Say how the survivor gave consent.")]
    if not partner.active:
        errors["partner"] = [_("This partner hotline is switched off.")]
    if keys.signing_key() is None:
        errors["partner"] = [
            _(
                "This hotline has no signing key yet, so nothing can be sent to a partner "
                "hotline. Ask whoever runs this hotline's server to create one (the "
                "operator's guide explains how); it then appears here."
            )
        ]
    if person is not None and person.case_id != case.pk:
        errors["person"] = [_("That person is not on this case.")]
    unknown = set(fields) - set(schema.FIELDS_BY_NAME)
    if unknown:
        errors["fields"] = [_("Unknown field: %(f)s") % {"f": ", ".join(sorted(unknown))}]
    extra = dict(extra or {})
    if extra.get("prs_MobilePhone"):
        try:
            extra["prs_MobilePhone"] = normalise_phone(
                extra["prs_MobilePhone"], default_region=settings.PUENTE_COUNTRY
            )
        except ValidationError as exc:
            errors["phone"] = list(exc.messages)
    if not summary.strip():
        errors["summary"] = [_("Write a short summary for the partner's liaison.")]
    if (
        consent_method == c.ConsentMethod.GUARDIAN
        and not consent_note.strip()
        and case_has_family_exploiter(case_id=case.pk)
    ):
        errors["consent_note"] = [GUARDIAN_CONSENT_FROM_FAMILY]
    if errors:
        raise ValidationError(errors)

    subject = subject_from_case(case=case, person=person, fields=fields, extra=extra)
    now = timezone.now()
    language = (getattr(by, "language", "") or settings.LANGUAGE_CODE)[:2]
    referral = CrossBorderReferral.objects.create(
        direction=fc.Direction.OUTGOING,
        partner=partner,
        case=case,
        sender_reference=case.reference,
        shared=subject,
        summary=summary.strip(),
        summary_language=language if language in ("en", "es") else "",
        urgency=urgency,
        consent_method=consent_method,
        consent_recorded_at=now,
        consent_note=consent_note,
        created_by=by,
        approval=Approval.PENDING if cross_border_needs_approval() else Approval.NOT_NEEDED,
    )
    if referral.approval == Approval.PENDING:
        record_event(
            action="create",
            actor=by,
            obj=referral,
            object_ref=case.reference,
            request=request,
            reason=f"cross-border referral to {partner.name} awaits a supervisor's approval",
            changes=[
                {"field": "approval", "old": None, "new": Approval.PENDING},
                {"field": "shared fields", "old": None, "new": sorted(subject)},
            ],
        )
        return referral
    _offer(referral=referral, by=by, request=request)
    return referral


def _offer(*, referral: CrossBorderReferral, by: User, request: HttpRequest | None) -> None:
    """Write the offer to the outbox (in the caller's transaction) and audit the share."""
    case = referral.case
    assert case is not None  # an outgoing referral always has the case it was sent from
    body = {
        "sender_case_reference": referral.sender_reference,
        "urgency": referral.urgency,
        "consent": {
            "given": True,
            "method": referral.consent_method,
            "recorded_at": referral.consent_recorded_at.isoformat(),
        },
        "summary": referral.summary,
        "summary_language": referral.summary_language,
        "subject": referral.shared,
    }
    envelope = _envelope(fc.MessageType.REFERRAL_OFFER, referral.exchange_id, body)
    delivery.queue_message(partner=referral.partner, envelope=envelope, referral=referral)
    record_event(
        action="share",
        actor=by,
        obj=case,
        request=request,
        reason=(
            f"cross-border referral to {referral.partner.name}; consent {referral.consent_method}"
        ),
        changes=[{"field": "shared fields", "old": None, "new": sorted(referral.shared)}],
    )


def decide_referral(
    *,
    referral_id: int,
    by: User,
    approve: bool,
    reason: str = "",
    request: HttpRequest | None = None,
) -> CrossBorderReferral:
    """A supervisor approves a referral waiting to cross the border (it goes to the
    outbox now, in the same transaction) or declines it with a reason (it never leaves).
    Never their own request; audited either way."""
    referral = CrossBorderReferral.objects.select_related("case", "partner").get(
        pk=referral_id, direction=fc.Direction.OUTGOING
    )
    if referral.case is not None:
        check_case_access(user=by, case=referral.case, request=request)
    with transaction.atomic():
        referral = (
            # Lock only the referral: its case is on the nullable side of the join.
            CrossBorderReferral.objects.select_for_update(of=("self",))
            .select_related("case", "partner")
            .get(pk=referral.pk)
        )
        check_decision(
            record=referral, by=by, perm=Perm.EXCHANGE_APPROVE, approve=approve, reason=reason
        )
        if approve and not referral.partner.active:
            raise ValidationError(_("This partner hotline is switched off."))
        if approve and keys.signing_key() is None:
            raise ValidationError(_("This hotline has no signing key, so nothing can be sent."))
        new = Approval.APPROVED if approve else Approval.DECLINED
        referral.approval = new
        referral.approval_decided_by = by
        referral.approval_decided_at = timezone.now()
        referral.approval_reason = reason.strip()
        referral.save(
            update_fields=[
                "approval",
                "approval_decided_by",
                "approval_decided_at",
                "approval_reason",
                "updated_at",
            ]
        )
        record_event(
            action="change",
            actor=by,
            obj=referral,
            object_ref=referral.sender_reference,
            request=request,
            reason=referral.approval_reason,
            changes=[{"field": "approval", "old": Approval.PENDING, "new": new}],
        )
        if approve:
            _offer(referral=referral, by=by, request=request)
    return referral


# --- sending a message of a type another app added ---------------------------------------


def send_message(
    *, partner: PartnerHotline, message_type: str, exchange_id: uuid.UUID | str, body: dict
) -> OutboxMessage:
    """Write a message of a type another app added (`schema.add_message_type`) to the
    partner's outbox, in the caller's transaction: it is then delivered like a referral,
    once, in order, signed. The caller has checked who may send it and audits the share."""
    if schema.added_message_type(message_type) is None:
        raise ValueError(f"{message_type!r} is not a message type added to the exchange")
    if not partner.active:
        raise ValidationError(_("This partner hotline is switched off."))
    if keys.signing_key() is None:
        raise ValidationError(_("This hotline has no signing key, so nothing can be sent."))
    envelope = _envelope(message_type, exchange_id, body)
    return delivery.queue_message(partner=partner, envelope=envelope)


# --- answering a referral (receiving side) ----------------------------------------------


def reachable_statuses(status: str) -> frozenset[str]:
    """Every status a referral in `status` may come to, one step or several along
    fc.NEXT_STATUSES: the sender accepts an update that skips a step it has not received
    yet (in_contact straight after sent), never one that turns back (accepted after
    closed)."""
    seen: set[str] = set()
    todo = list(fc.NEXT_STATUSES.get(status, ()))
    while todo:
        step = todo.pop()
        if step not in seen:
            seen.add(step)
            todo.extend(fc.NEXT_STATUSES.get(step, ()))
    return frozenset(seen)


def next_statuses(referral: CrossBorderReferral) -> tuple[str, ...]:
    if referral.direction != fc.Direction.INCOMING:
        return ()
    return fc.NEXT_STATUSES.get(referral.status, ())


@transaction.atomic
def update_status(
    *,
    referral: CrossBorderReferral,
    status: str,
    by: User,
    reason: str = "",
    outcome: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> ReferralUpdate:
    """Move an incoming referral on and tell the sender. Numbered so the sender applies
    updates in order even if they arrive out of it."""
    _require(by, Perm.EXCHANGE_RECEIVE)
    referral = CrossBorderReferral.objects.select_for_update().get(pk=referral.pk)
    errors: dict[str, list] = {}
    if status not in next_statuses(referral):
        errors["status"] = [
            _("A referral that is “%(now)s” cannot become “%(new)s”.")
            % {
                "now": fc.ReferralStatus(referral.status).label,
                "new": fc.ReferralStatus(status).label
                if status in fc.ReferralStatus.values
                else status,
            }
        ]
    if status == fc.ReferralStatus.DECLINED and reason not in fc.DeclineReason.values:
        errors["reason"] = [_("Say why the referral is declined.")]
    if status == fc.ReferralStatus.CLOSED and outcome not in fc.ClosingOutcome.values:
        errors["outcome"] = [_("Say how the referral ended.")]
    if (
        reason == fc.DeclineReason.OTHER or outcome == fc.ClosingOutcome.OTHER
    ) and not note.strip():
        errors["note"] = [_("Explain “other” in the note.")]
    if errors:
        raise ValidationError(errors)
    update = ReferralUpdate.objects.create(
        referral=referral,
        seq=referral.status_seq + 1,
        status=status,
        reason=reason if status == fc.ReferralStatus.DECLINED else "",
        outcome=outcome if status == fc.ReferralStatus.CLOSED else "",
        note=note.strip(),
        at=timezone.now(),
        by_name=by.get_full_name() or by.get_username(),
        partner_case_reference=referral.case.reference if referral.case is not None else "",
    )
    old = referral.status
    referral.status = status
    referral.status_seq = update.seq
    referral.save(update_fields=["status", "status_seq", "updated_at"])
    body = {
        "seq": update.seq,
        "status": status,
        "reason": update.reason,
        "outcome": update.outcome,
        "note": update.note,
        "at": update.at.isoformat(),
        "by": settings.PUENTE_HOTLINE_NAME,
        "partner_case_reference": update.partner_case_reference,
    }
    envelope = _envelope(fc.MessageType.REFERRAL_STATUS, referral.exchange_id, body)
    delivery.queue_message(partner=referral.partner, envelope=envelope, referral=referral)
    record_event(
        action="change",
        actor=by,
        obj=referral,
        object_ref=str(referral.exchange_id)[:8],
        request=request,
        changes=[{"field": "status", "old": old, "new": status}],
    )
    return update


@transaction.atomic
def open_local_case(
    *, referral: CrossBorderReferral, by: User, request: HttpRequest | None = None
) -> Case:
    """A local case from an incoming referral, filled from what was shared."""
    _require(by, Perm.EXCHANGE_RECEIVE)
    referral = CrossBorderReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.direction != fc.Direction.INCOMING:
        raise ValidationError(_("Only a referral received from the partner opens a case here."))
    if referral.case is not None:
        return referral.case
    if referral.status == fc.ReferralStatus.DECLINED:
        raise ValidationError(_("This referral was declined; it does not open a case."))
    subject = referral.shared
    forms = [
        f for f in subject.get("vic_TypeOfExploitation", []) if f in c.TypeOfExploitation.values
    ]
    exploitation_type = {
        frozenset({"SexualExploitation"}): c.ExploitationType.SEX,
        frozenset({"ForcedLabour"}): c.ExploitationType.LABOUR,
        frozenset({"SexualExploitation", "ForcedLabour"}): c.ExploitationType.SEX_AND_LABOUR,
    }.get(
        frozenset(forms) & {"SexualExploitation", "ForcedLabour"}, c.ExploitationType.NOT_SPECIFIED
    )
    case = cases.open_case(
        by=by,
        request=request,
        title=_("Referral from %(partner)s") % {"partner": referral.partner.name},
        summary=referral.summary,
        exploitation_type=exploitation_type,
        forms_of_exploitation=forms,
        methods_of_control=[
            m for m in subject.get("vic_MethodsOfControl", []) if m in c.MethodOfControl.values
        ],
        imminent_danger=referral.urgency == fc.Urgency.EMERGENCY,
    )
    person_fields = {
        "role": "potential_victim",
        "first_name": subject.get("prs_FirstName", ""),
        "gender": subject.get("prs_Gender", ""),
        # prs_AgeBroad: a referral stored before protocol version 3.
        "age_band": subject.get("ext_AgeBroad", subject.get("prs_AgeBroad", "")),
        "citizenship": subject.get("prs_Citizenship", []),
        "primary_language": subject.get("prs_PrimaryLanguage", ""),
        # Who this person is to us even when the partner shared nothing else (consent
        # may cover no personal detail at all): the person the partner referred.
        "notes": _("Referred by %(partner)s (their case %(reference)s).")
        % {"partner": referral.partner.name, "reference": referral.sender_reference or "—"},
    }
    cases.add_person(case=case, by=by, request=request, **person_fields)
    place = subject.get("ext_CurrentLocation")
    if place and place.get("country"):
        try:
            cases.add_location(
                case=case,
                by=by,
                request=request,
                kind="current",
                country=place["country"],
                subdivision=place.get("subdivision", ""),
                city=place.get("city", ""),
            )
        except ValidationError:
            pass  # a place our gazetteer does not know stays in the referral's own record
    if subject.get("prs_MobilePhone"):
        cases.add_identifier(
            case=case, by=by, request=request, kind="phone", value=subject["prs_MobilePhone"]
        )
    referral.case = case
    referral.save(update_fields=["case", "updated_at"])
    return case


# --- receiving a message ---------------------------------------------------------------


class ApplyError(Exception):
    def __init__(self, code: str, detail: str, status: int = 422):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status


@dataclass
class Receipt:
    status: str  # "accepted" or "duplicate"
    referral: CrossBorderReferral | None = None


def apply_message(
    *, envelope: schema.Envelope, document: dict, partner: PartnerHotline, key_id: str, digest: str
) -> Receipt:
    """Store and act on a verified, well-formed message exactly once. Call inside a
    transaction: a failure stores nothing."""
    existing = InboxMessage.objects.filter(message_id=envelope.message_id).first()
    if existing is not None:
        if existing.partner_id != partner.pk or existing.body_digest != digest:
            raise ApplyError(
                "message_id_conflict",
                "This message id was already used for a different message.",
                status=409,
            )
        return Receipt("duplicate")
    try:
        with transaction.atomic():
            InboxMessage.objects.create(
                message_id=envelope.message_id,
                partner=partner,
                message_type=envelope.message_type,
                schema_version=envelope.schema_version,
                body_digest=digest,
                payload=document,
                key_id=key_id,
            )
    except IntegrityError:
        return Receipt("duplicate")  # the same message, stored by a concurrent delivery
    kind = schema.added_message_type(envelope.message_type)
    if kind is not None:
        # Another app's message: it stores what the message carries (or raises
        # ApplyError, and the inbox's savepoint keeps nothing); the receipt is audited
        # here, as every message received is.
        record = kind.apply(envelope=envelope, partner=partner)
        record_event(
            action="exchange_received",
            actor_name=f"partner:{partner.name}",
            obj=record,
            object_ref=str(envelope.exchange_id)[:8],
            reason=f"{envelope.message_type} {envelope.message_id} signed by {key_id}",
            via="exchange",
        )
        return Receipt("accepted")
    if envelope.message_type == fc.MessageType.REFERRAL_OFFER:
        referral = _receive_offer(envelope, partner)
    else:
        referral = _receive_status(envelope, partner)
    record_event(
        action="exchange_received",
        actor_name=f"partner:{partner.name}",
        obj=referral,
        object_ref=str(referral.exchange_id)[:8],
        reason=f"{envelope.message_type} {envelope.message_id} signed by {key_id}",
        via="exchange",
    )
    return Receipt("accepted", referral)


def _receive_offer(envelope: schema.Envelope, partner: PartnerHotline) -> CrossBorderReferral:
    body = envelope.body
    if CrossBorderReferral.objects.filter(
        exchange_id=envelope.exchange_id, direction=fc.Direction.INCOMING
    ).exists():
        raise ApplyError(
            "exchange_conflict", "A referral with this exchange id was already received.", 409
        )
    return CrossBorderReferral.objects.create(
        exchange_id=envelope.exchange_id,
        direction=fc.Direction.INCOMING,
        partner=partner,
        sender_reference=body["sender_case_reference"],
        shared=body["subject"],
        summary=body["summary"],
        summary_language=body["summary_language"],
        urgency=body["urgency"],
        consent_method=body["consent"]["method"],
        consent_recorded_at=body["consent"]["recorded_at"],
    )


def _receive_status(envelope: schema.Envelope, partner: PartnerHotline) -> CrossBorderReferral:
    body = envelope.body
    referral = (
        CrossBorderReferral.objects.select_for_update()
        .filter(exchange_id=envelope.exchange_id, direction=fc.Direction.OUTGOING, partner=partner)
        .first()
    )
    if referral is None:
        raise ApplyError(
            "unknown_exchange", "No referral with this exchange id was sent to you from here."
        )
    _update, created = ReferralUpdate.objects.get_or_create(
        referral=referral,
        seq=body["seq"],
        defaults={
            "status": body["status"],
            "reason": body["reason"],
            "outcome": body["outcome"],
            "note": body["note"],
            "at": body["at"],
            "by_name": body["by"],
            "partner_case_reference": body["partner_case_reference"],
        },
    )
    # Only a newer step moves the referral: an update that arrives late joins the
    # history in its place without turning the clock back.
    if created and body["seq"] > referral.status_seq:
        if body["status"] not in reachable_statuses(referral.status):
            # Nothing is kept: the savepoint in the inbox rolls the update back too.
            raise ApplyError(
                "invalid_transition",
                f"A referral that is {referral.status!r} here cannot become "
                f"{body['status']!r} (update {body['seq']}).",
                409,
            )
        referral.status = body["status"]
        referral.status_seq = body["seq"]
        referral.save(update_fields=["status", "status_seq", "updated_at"])
    return referral


# --- retention (called by puente.retention) ----------------------------------------------


def purge_exchange_payloads(*, older_than: datetime, limit: int) -> int:
    """Remove the stored bodies of finished messages written before `older_than`, at
    most `limit` of them, oldest first; return how many were purged.

    Finished: an outgoing message delivered or failed (refused) — a queued one still has
    to be sent — and every incoming message (only accepted ones are stored). Ids, types,
    states, times and the incoming body digest stay, so a redelivery is still recognised
    and acknowledged without being applied twice, and each referral's status history
    (`ReferralUpdate`) is untouched."""
    if limit <= 0:
        return 0
    now = timezone.now()
    purged = 0
    with transaction.atomic():
        outgoing = list(
            OutboxMessage.objects.filter(
                state__in=[fc.DeliveryState.DELIVERED, fc.DeliveryState.FAILED],
                created_at__lt=older_than,
                purged_at__isnull=True,
            )
            .order_by("id")
            .values_list("pk", flat=True)[:limit]
        )
        purged += OutboxMessage.objects.filter(pk__in=outgoing).update(body="", purged_at=now)
    if purged < limit:
        with transaction.atomic():
            incoming = list(
                InboxMessage.objects.filter(received_at__lt=older_than, purged_at__isnull=True)
                .order_by("id")
                .values_list("pk", flat=True)[: limit - purged]
            )
            purged += InboxMessage.objects.filter(pk__in=incoming).update(payload={}, purged_at=now)
    return purged


def purge_refusal_summaries(*, older_than: datetime, limit: int) -> int:
    """Delete the inbox's counted refusals (per source and minute) from before
    `older_than`, at most `limit` rows, oldest first; return how many were deleted."""
    if limit <= 0:
        return 0
    with transaction.atomic():
        rows = list(
            InboxRefusalSummary.objects.filter(minute__lt=older_than)
            .order_by("minute", "id")
            .values_list("pk", flat=True)[:limit]
        )
        deleted, _by_model = InboxRefusalSummary.objects.filter(pk__in=rows).delete()
    return deleted
