"""Practice calls in the sandbox: getting the sandbox ready for a trainee's call, and
reading back what the trainee recorded there.

The sandbox is a database of its own (puente/core/sandbox.py). A trainee works in it as an
advocate — the real intake, screening and case screens, acting on sandbox rows — while
their real account keeps only the trainee role. So the sandbox holds:
- a copy of the trainee's account with the advocate role (same id, no password: nobody
  signs in there; the practice middleware acts as it for the call's requests);
- the reference data the screens offer (the service directory, the protocols, the partner
  hotlines), copied from the real database so practice looks like the hotline's own;
- what trainees record, and nothing else. A new call clears the trainee's earlier work so
  each call starts at a clean desk, and scoring reads only what this call recorded.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.models import Model, ProtectedError, Q

from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.cases.models import Case
from puente.core import sandbox
from puente.directory.models import Provider, ProviderTag
from puente.federation import choices as fc
from puente.federation.models import CrossBorderReferral, PartnerHotline
from puente.intake.models import Contact, IntakeDraft
from puente.referrals.models import AuthorityReport, Referral
from puente.screening.models import Protocol, Screening
from puente.training.practice_engine import Recorded

logger = logging.getLogger(__name__)

# Copied into the sandbox at each call, parents before children. Guidance and services,
# never people or cases.
REFERENCE_MODELS: tuple[type[Model], ...] = (Provider, ProviderTag, Protocol, PartnerHotline)


def _copy_table(model: type[Model]) -> int:
    """Make the sandbox's rows of `model` the real database's: insert or update by id,
    delete what the real database no longer has. Keys to tables that are not copied
    (who imported a provider) are left empty."""
    fields = list(model._meta.concrete_fields)
    rows = []
    for real in model._default_manager.using("default").iterator(chunk_size=2000):
        values = {}
        for field in fields:
            value = getattr(real, field.attname)
            if field.is_relation and field.related_model not in REFERENCE_MODELS and field.null:
                value = None
            values[field.attname] = value
        rows.append(model(**values))
    sandbox_rows = model._default_manager.using(sandbox.ALIAS)
    pk_name = model._meta.pk.name
    with transaction.atomic(using=sandbox.ALIAS):
        # What the real table no longer has, in chunks (a national directory is thousands
        # of rows; a database caps the parameters of one statement).
        stale = sorted(set(sandbox_rows.values_list("pk", flat=True)) - {row.pk for row in rows})
        for start in range(0, len(stale), 500):
            sandbox_rows.filter(pk__in=stale[start : start + 500]).delete()
        if rows:
            sandbox_rows.bulk_create(
                rows,
                batch_size=500,
                update_conflicts=True,
                unique_fields=[pk_name],
                update_fields=[f.name for f in fields if not f.primary_key],
            )
        connection = connections[sandbox.ALIAS]
        reset = connection.ops.sequence_reset_sql(no_style(), [model])
        if reset:
            with connection.cursor() as cursor:
                for statement in reset:
                    cursor.execute(statement)
    return len(rows)


def copy_reference_data() -> dict[str, int]:
    """Bring the sandbox's directory, protocols and partners up to date."""
    return {model._meta.label: _copy_table(model) for model in REFERENCE_MODELS}


def seat_trainee(trainee: User) -> User:
    """The trainee's sandbox account: the same id and name, the advocate role."""
    sandbox_users = User.objects.using(sandbox.ALIAS)
    seat, _ = sandbox_users.update_or_create(
        pk=trainee.pk,
        defaults={
            "username": trainee.username,
            "first_name": trainee.first_name,
            "last_name": trainee.last_name,
            "email": "",
            "language": trainee.language,
            "role": Role.ADVOCATE,
            "is_active": True,
            "is_staff": False,
            "is_superuser": False,
            "password": "!",  # unusable: nobody signs in to the sandbox
        },
    )
    return seat


def clear_desk(trainee: User) -> None:
    """Remove what the trainee recorded on earlier calls, so lists, the phone lookup and
    the scoring see only this call."""
    with transaction.atomic(using=sandbox.ALIAS):
        for queryset in (
            Case.objects.using(sandbox.ALIAS).filter(
                Q(created_by=trainee.pk) | Q(owner=trainee.pk)
            ),
            Contact.objects.using(sandbox.ALIAS).filter(taken_by=trainee.pk),
            IntakeDraft.objects.using(sandbox.ALIAS).filter(owner=trainee.pk),
        ):
            try:
                queryset.delete()
            except ProtectedError:  # something another trainee's work holds on to
                logger.warning("Practice records kept: %s", queryset.model._meta.label)


def prepare(trainee: User) -> None:
    """Everything the sandbox needs before `trainee` takes a call."""
    copy_reference_data()
    seat_trainee(trainee)
    clear_desk(trainee)


def acting_user(trainee: User) -> User | None:
    """The trainee's sandbox account. Called inside `sandbox.use()`: read through the
    swapped default alias, it relates to the rows the screens load and write there (a
    row read `.using("practice")` would be another database to Django's router)."""
    assert sandbox.active(), "the sandbox account is read inside the sandbox"
    return User.objects.filter(pk=trainee.pk, is_active=True).first()


def recorded(trainee_id: int, since: datetime) -> Recorded:
    """What the trainee recorded in the sandbox since `since`: the facts the scenario
    branches on and is scored against."""
    db = sandbox.ALIAS
    contact = (
        Contact.objects.using(db)
        .filter(taken_by=trainee_id, created_at__gte=since)
        .order_by("-created_at", "-pk")
        .first()
    )
    case = None
    if contact is not None and contact.case_id:
        case = Case.objects.using(db).filter(pk=contact.case_id).first()
    if case is None:
        case = (
            Case.objects.using(db)
            .filter(created_by=trainee_id, created_at__gte=since)
            .order_by("-created_at", "-pk")
            .first()
        )
    about = Q(pk__in=[])
    if contact is not None:
        about |= Q(contact=contact.pk)
    if case is not None:
        about |= Q(case=case.pk)
    screening = (
        Screening.objects.using(db)
        .filter(about, created_at__gte=since)
        .order_by("-created_at", "-pk")
        .first()
    )
    level = screening.level if screening else ""
    if not level and contact is not None:
        level = contact.level_of_indicators
    services: frozenset[str] = frozenset()
    agencies: frozenset[str] = frozenset()
    across = False
    if case is not None:
        services = frozenset(
            Referral.objects.using(db).filter(case=case.pk).values_list("service", flat=True)
        )
        agencies = frozenset(
            AuthorityReport.objects.using(db)
            .filter(case=case.pk)
            .values_list("agency_type", flat=True)
        )
        across = (
            CrossBorderReferral.objects.using(db)
            .filter(case=case.pk, direction=fc.Direction.OUTGOING)
            .exists()
        )
    return Recorded(
        contact_recorded=contact is not None,
        reason=contact.reason if contact else "",
        signaler_type=contact.signaler_type if contact else "",
        imminent_danger=bool(
            (contact is not None and contact.imminent_danger)
            or (case is not None and case.imminent_danger)
        ),
        screened=screening is not None,
        level=level or "",
        legal_frame=screening.legal_frame if screening else "",
        indicators=frozenset(screening.indicators or []) if screening else frozenset(),
        case_opened=case is not None,
        referral_services=services,
        cross_border_referral=across,
        authority_reports=agencies,
        interpreter_used=bool(contact is not None and contact.interpreter_used),
    )


def latest_case_reference(trainee_id: int, since: datetime) -> str | None:
    """The case this call's work is filed in, for the console's links."""
    case = (
        Case.objects.using(sandbox.ALIAS)
        .filter(Q(created_by=trainee_id) | Q(owner=trainee_id), created_at__gte=since)
        .order_by("-created_at", "-pk")
        .first()
    )
    return case.reference if case else None
