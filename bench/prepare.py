"""Runs inside Django against the benchmark database (bench/run.py calls it with the same
environment as the server, so session auth hashes match): creates the benchmark advocates
with MFA-verified sessions and picks realistic inputs from the generated data. Prints one
JSON object on its last line.

    python bench/prepare.py SESSIONS
"""

from __future__ import annotations

import json
import os
import secrets
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "puente.settings")
django.setup()

import phonenumbers  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from puente.accounts.models import User  # noqa: E402
from puente.accounts.roles import Role  # noqa: E402
from puente.cases.models import Case, Identifier, Person  # noqa: E402
from puente.core import choices as c  # noqa: E402
from puente.intake.models import Contact  # noqa: E402
from puente.sampledata import distributions as dist  # noqa: E402

BUSY_CASE_TITLE = "Benchmark case: 20 contacts, 10 persons"
# Candidates known to occur in the generated narratives (puente/sampledata/data/narratives.json);
# the first one actually present in this database is used, so a change of wording in the
# generator shows up as a fallback rather than a search for nothing.
WORDS_EN = ["shelter", "passport", "wages", "restaurant"]
WORDS_ES = ["trabajo", "pasaporte", "albergue", "salario"]
PHRASES_EN = ["caller asked", "labour trafficking", "wrong number"]
PHRASES_ES = ["número equivocado", "oferta de trabajo", "se canalizó"]


def verified_session(user: User, device: TOTPDevice) -> str:
    """What signing in with a password and then a TOTP code leaves in the session
    (django.contrib.auth.login + django_otp.login), without the two round trips."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["otp_device_id"] = device.persistent_id
    # Longer than the idle window: the bench is one long "shift"; activity renews it anyway.
    store.set_expiry(6 * 3600)
    store.save()
    return store.session_key


def bench_advocate(n: int) -> tuple[User, TOTPDevice]:
    user, _created = User.objects.get_or_create(
        username=f"bench-advocate-{n:03d}",
        defaults={"role": Role.ADVOCATE, "first_name": "Bench", "last_name": f"Advocate {n}"},
    )
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user, device


def bench_staff(username: str, role: str, last_name: str) -> tuple[User, TOTPDevice]:
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={"role": role, "first_name": "Bench", "last_name": last_name},
    )
    device = TOTPDevice.objects.filter(
        user=user, confirmed=True
    ).first() or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user, device


def bench_supervisor() -> tuple[User, TOTPDevice]:
    """The supervisor whose session opens the team view."""
    return bench_staff("bench-supervisor", Role.SUPERVISOR, "Supervisor")


def bench_analyst() -> tuple[User, TOTPDevice]:
    """The analyst who refreshes the dashboards during the load test (issue 14)."""
    return bench_staff("bench-analyst", Role.ANALYST, "Analyst")


def busy_case(owner: User) -> Case:
    """A case with 20 contacts and 10 persons: the case page an advocate opens mid-call.
    Built once by linking unattached contacts and adding persons, then reused."""
    case = Case.objects.filter(title=BUSY_CASE_TITLE).first()
    if case is None:
        case = (
            Case.objects.filter(status=c.CaseStatus.ACTIVE, restricted=False)
            .order_by("-id")
            .first()
            or Case.objects.filter(restricted=False).order_by("-id").first()
        )
        if case is None:
            raise SystemExit("The benchmark database has no unrestricted case to open.")
        case.title = BUSY_CASE_TITLE
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
    roles = [c.PersonRole.POTENTIAL_VICTIM, c.PersonRole.EXPLOITER, c.PersonRole.SIGNALER]
    for i in range(case.persons.count(), 10):
        Person.objects.create(case=case, roles=[roles[i % 3]], first_name=f"Persona{i}")
    return case


def number_with_history() -> str:
    """A number that called several times before (4–12 contacts): the typical repeat
    caller, not the single busiest number."""
    busy = (
        Contact.objects.exclude(phone="")
        .values("phone")
        .annotate(n=Count("id"))
        .filter(n__gte=4, n__lte=12)
        .order_by("-n", "phone")
        .values_list("phone", flat=True)
    )
    phone = busy.first() or (
        Contact.objects.exclude(phone="")
        .values("phone")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("phone", flat=True)
        .first()
    )
    if not phone:
        raise SystemExit("The benchmark database has no contact with a phone number.")
    return phone


def number_without_history(country: str) -> str:
    """A well-formed number the hotline has never seen (neither a contact nor a case
    identifier), so the lookup runs its queries and finds nothing."""
    prefix = fictional_prefix(country, dist.PLACES[country][0][2][0][1]).replace(" ", "")
    for n in range(9999, 0, -1):
        e164 = f"{prefix}{n:04d}"
        seen = (
            Contact.objects.filter(phone=e164).exists()
            or Identifier.objects.filter(kind=c.IdentifierKind.PHONE, normalised=e164).exists()
        )
        if not seen and phonenumbers.is_valid_number(phonenumbers.parse(e164)):
            return e164
    raise SystemExit("No unused phone number found for the lookup without history.")


def fictional_prefix(country: str, area: str) -> str:
    """All but the last four digits of a ten-digit national number in `area`, filled with
    fives (the US reserves 555 for fiction; Mexico has no such range, so the bench also
    checks the number is unused)."""
    calling_code = "+1" if country == "US" else "+52"
    return f"{calling_code} {area} {'5' * (6 - len(area))} "


def national(e164: str) -> str:
    """The number as an advocate types it from the caller ID: national format."""
    return phonenumbers.format_number(
        phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL
    )


def present(candidates: list[str]) -> str:
    for term in candidates:
        if Contact.objects.filter(summary__icontains=term).exists():
            return term
    return candidates[0]


def person_name() -> str:
    name = (
        Person.objects.exclude(last_name="")
        .order_by("-id")
        .values_list("last_name", flat=True)
        .first()
    )
    return name.split(" ")[0] if name else "Garcia"


def old_word() -> str:
    """A word common in old entries and seldom since: the year five before the newest
    case's. Every case of that year carries it in its reference, and so does every
    contact filed in such a case; few entries of the last years do (a phone number
    beginning with those digits)."""
    newest = Case.objects.order_by("-id").values_list("reference", flat=True).first()
    year = int(newest.split("-")[1]) if newest else 2026
    return str(year - 5)


def intake_form(country: str) -> dict:
    """The fields an advocate fills for an ordinary call (the phone is added per request)."""
    subdivision, _weight, cities = dist.PLACES[country][1]
    city, _area = cities[0]
    return {
        "channel": c.Channel.PHONE,
        "direction": "inbound",
        "reason": "tip",
        "signaler_type": "community_member",
        "language": "eng" if country == "US" else "spa",
        "country": country,
        "subdivision": subdivision,
        "city": city,
        "summary": "Benchmark: caller reports workers sleeping at the restaurant where they work.",
    }


def planner_statistics_refreshed() -> None:
    """Earlier runs left rows behind (calls still ringing, saved intakes, sessions) that a
    server with autovacuum off never re-analyses, as on this project's test machines: the
    planner then took channels_call for empty and joined the home queue's waiting calls
    by a nested loop over every unassigned contact (26 ms instead of 1.5 ms). Production
    keeps autovacuum on (README, Operations); this does what it would have done."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "postgresql" else "PRAGMA optimize")


def main() -> None:
    sessions_wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    country = settings.PUENTE_COUNTRY
    owner, _device = bench_advocate(0)
    sessions = [verified_session(*bench_advocate(n)) for n in range(sessions_wanted)]
    case = busy_case(owner)
    with_history = number_with_history()
    without = number_without_history(country)
    planner_statistics_refreshed()
    print(
        json.dumps(
            {
                "country": country,
                "sessions": sessions,
                "supervisor_session": verified_session(*bench_supervisor()),
                "analyst_session": verified_session(*bench_analyst()),
                "csrf": secrets.token_hex(16),  # 32 characters, what Django's CSRF cookie holds
                "phone_with_history": with_history,
                "phone_with_history_contacts": Contact.objects.filter(phone=with_history).count(),
                "phone_national": national(with_history),
                "phone_without_history": national(without),
                "case_reference": case.reference,
                "person_name": person_name(),
                "word_en": present(WORDS_EN),
                "word_es": present(WORDS_ES),
                "phrase_en": present(PHRASES_EN),
                "phrase_es": present(PHRASES_ES),
                "old_word": old_word(),
                "intake_form": intake_form(country),
                "intake_phone_prefix": fictional_prefix(country, dist.PLACES[country][1][2][0][1]),
                "counts": {
                    "contacts": Contact.objects.count(),
                    "cases": Case.objects.count(),
                    "persons": Person.objects.count(),
                },
            }
        )
    )


main()
