"""Runs inside Django against the benchmark database (called by bench/run.py with the
same environment as the server, so session hashes match): creates the benchmark staff
with verified MFA sessions and picks realistic inputs from the generated data. Prints
one JSON object."""

from __future__ import annotations

import json
import os
import secrets
import string
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db.models import Count  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from puente.accounts.models import User  # noqa: E402
from puente.accounts.roles import Role  # noqa: E402
from puente.cases.models import Case, Person  # noqa: E402
from puente.intake.models import Contact  # noqa: E402

SESSIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 100


def verified_session(user: User, device: TOTPDevice) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["otp_device_id"] = device.persistent_id
    store.set_expiry(4 * 3600)
    store.save()
    return store.session_key


def bench_advocate(n: int) -> tuple[User, TOTPDevice]:
    user, _created = User.objects.get_or_create(
        username=f"bench-advocate-{n:03d}", defaults={"role": Role.ADVOCATE, "first_name": "Bench"}
    )
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user, device


def busy_case(owner: User) -> Case:
    """A case with 20 contacts and 10 persons: the case page an advocate opens mid-call."""
    case = Case.objects.filter(title="Benchmark case: 20 contacts, 10 persons").first()
    if case is None:
        case = Case.objects.filter(status="active", restricted=False).order_by("-id").first()
        case.title = "Benchmark case: 20 contacts, 10 persons"
        case.owner = owner
        case.save(update_fields=["title", "owner"])
    have = case.contacts.count()
    if have < 20:
        spare = (
            Contact.objects.filter(case__isnull=True)
            .order_by("-id")
            .values_list("pk", flat=True)[: 20 - have]
        )
        Contact.objects.filter(pk__in=list(spare)).update(case=case)
    for i in range(case.persons.count(), 10):
        Person.objects.create(
            case=case, role="potential_victim" if i % 3 else "exploiter", first_name=f"Persona{i}"
        )
    return case


def main() -> None:
    owner, device = bench_advocate(0)
    sessions = []
    for n in range(SESSIONS):
        user, dev = bench_advocate(n)
        sessions.append(verified_session(user, dev))
    case = busy_case(owner)
    with_history = (
        Contact.objects.exclude(phone="")
        .values("phone")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("-n")
        .values_list("phone", flat=True)[20:21]
        .first()
        or Contact.objects.exclude(phone="").values_list("phone", flat=True).first()
    )
    person = Person.objects.exclude(last_name="").order_by("-id").first()
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    national = with_history[2:] if with_history.startswith("+1") else with_history[3:]
    print(
        json.dumps(
            {
                "sessions": sessions,
                "csrf": csrf,
                "phone_with_history": with_history,
                "phone_national": f"({national[:3]}) {national[3:6]}-{national[6:]}",
                "phone_without_history": "+1 (307) 555-0199"
                if with_history.startswith("+1")
                else "+52 999 555 0199",
                "case_reference": case.reference,
                "case_id": case.pk,
                "person_name": person.last_name.split(" ")[0] if person else "Garcia",
                "counts": {
                    "contacts": Contact.objects.count(),
                    "cases": Case.objects.count(),
                    "persons": Person.objects.count(),
                },
            }
        )
    )


main()
