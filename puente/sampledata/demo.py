"""The fictional hotline `puente demo` shows: staff, ~300 contacts over 18 months and ~40
cases, for the U.S. or the Mexican hotline, with its service directory and referrals.

Everything is drawn from a seeded `random.Random`, so two seeds of the same country hold
the same people, numbers and stories (only the dates move with today). The mix follows
what the two hotlines publish (see `data/hotline.json`); the people, businesses and
stories are the invented ones of `data/` (U.S. numbers are 555-01xx; web addresses use
the reserved .example domain).

Records are made through the apps' own functions, as the hotline would make them; cases
are opened when the story opens them (`open_case(opened_at=…)`, which numbers them in
that year), and other records are dated to their moment in the story. The audit trail
says, truthfully, that it all was recorded when the demo was seeded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.cases.domain import open_case
from puente.cases.domain.persons import normalise_identifier
from puente.cases.models import (
    Case,
    CaseAccess,
    CaseLocation,
    CaseNote,
    Identifier,
    Person,
    Task,
)
from puente.core import choices as c
from puente.core.phones import normalise_phone
from puente.intake.models import Contact
from puente.sampledata import distributions, scenarios
from puente.sampledata.directory import seed_demo_directory
from puente.sampledata.files import load
from puente.sampledata.referrals import seed_demo_referrals
from puente.search.indexing import rebuild_index
from puente.training import progress

# The unassignable start of a Mexican subscriber number, by area-code length (2 or 3
# digits): a leading 0, then 555 for a reader who knows the U.S. convention. See
# `_write` for the source.
MX_UNASSIGNABLE_PREFIX = {2: "0555", 3: "055"}

DEMO_PASSWORD = "puente-demo-2026"
SEED = {"US": 7_888_373, "MX": 8_005_533}
DAYS_OF_HISTORY = 548  # 18 months
TARGET_CONTACTS = 300
TARGET_CASES = 40

_HOTLINE = load("hotline")
# One login per role, printed by `puente demo`; the extra advocates carry the caseload.
STAFF: dict[str, list[dict[str, str]]] = _HOTLINE["staff"]
LOGIN_ROLES = [
    Role.ADVOCATE,
    Role.SUPERVISOR,
    Role.LIAISON,
    Role.ANALYST,
    Role.ADMINISTRATOR,
    Role.TRAINEE,
]
DEMO_USERNAMES = [member["username"] for member in STAFF["US"]]
# What the demo supervisor requires of the demo trainee (puente/training/scenarios/).
DEMO_REQUIRED_PRACTICE = {
    "US": ["church-training-request", "locked-in-motel"],
    "MX": ["silent-call-prank", "cantina-debt-bondage"],
}

# The number a newcomer can type into the phone lookup to see a caller's history: a
# sister who keeps calling about the same case, first written the way she gave it.
KNOWN_CALLERS: dict[str, dict] = _HOTLINE["known_caller"]
KNOWN_CALLER = {country: caller["phone"] for country, caller in KNOWN_CALLERS.items()}
# An exploiter's number that turns up in several unrelated cases (the network view).
RECURRING_EXPLOITER_PHONE: dict[str, str] = _HOTLINE["recurring_exploiter_phone"]
# An ad and a business address that recur too, so the network view shows one group of
# cases joined by a number, an ad and an address (issue 16).
RECURRING_NETWORK: dict[str, dict[str, str]] = _HOTLINE["recurring_network"]

# Who contacts the hotline, from where, how and why: (value, weight) pairs.
PLACES = {
    country: [(p["subdivision"], p["weight"], p["cities"]) for p in places]
    for country, places in _HOTLINE["places"].items()
}
CHANNELS = {country: list(weights.items()) for country, weights in _HOTLINE["channels"].items()}
REASONS = {country: list(weights.items()) for country, weights in _HOTLINE["reasons"].items()}
LANGUAGES = {country: list(weights.items()) for country, weights in _HOTLINE["languages"].items()}
# The national-scale shares, with their sources.
SIGNALERS = distributions.SIGNALERS

# Status mix for ~40 cases; the newest are new, the oldest mostly closed.
STATUS_BY_AGE = [
    status
    for status, count in _HOTLINE["case_statuses_newest_first"].items()
    for _n in range(count)
]
CLOSING_REASONS: list[str] = _HOTLINE["closing_reasons"]

V = c.Venue
R = c.MethodOfRecruitment


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    country: str
    users: int
    contacts: int
    cases: int
    known_caller: str  # E.164
    known_caller_contacts: int


# --- Helpers -----------------------------------------------------------------------------------


def _pick(rng: random.Random, weighted: list[tuple]) -> str:
    values, weights = zip(*[(item[0], item[1]) for item in weighted], strict=True)
    return rng.choices(values, weights=weights)[0]


class _Numbers:
    """Fictional phone numbers, each handed out once, written the ways people write them."""

    def __init__(self, rng: random.Random, country: str):
        self.rng = rng
        self.country = country
        self.used = {
            normalise_phone(KNOWN_CALLER[country], default_region=country),
            normalise_phone(RECURRING_EXPLOITER_PHONE[country], default_region=country),
        }

    def new(self, area: str, *, country: str | None = None) -> tuple[str, str]:
        country = country or self.country
        for _attempt in range(200):
            tail = self.rng.randint(100, 199) if country == "US" else self.rng.randint(0, 9999)
            raw = self._write(area, tail, country)
            e164 = normalise_phone(raw, default_region=country)
            if e164 not in self.used:
                self.used.add(e164)
                return raw, e164
        raise RuntimeError("ran out of fictional numbers")

    def _write(self, area: str, tail: int, country: str) -> str:
        rng = self.rng
        if country == "US":
            line = f"01{tail - 100:02d}"
            style = rng.randrange(4)
            return [
                f"({area}) 555-{line}",
                f"{area}-555-{line}",
                f"+1 {area} 555 {line}",
                f"{area}.555.{line}",
            ][style]
        # Mexico: ten digits; the old mobile prefix "+52 1" still turns up in call logs.
        # Mexico reserves no range for fiction (no 555-01xx), so the demo uses numbers
        # that cannot be assigned: the subscriber number after the area code never
        # starts with 0 (IFT's Plan Técnico Fundamental de Numeración, as notified in the
        # ITU Operational Bulletin, "Mexico (country code +52)", communication of
        # 12.V.2015: subscriber number "c d1 e f g h i j, where c, d <> 0").
        local = MX_UNASSIGNABLE_PREFIX[len(area)] + f"{tail:04d}"
        spaced = f"{area} {local[:-4]} {local[-4:]}"
        written = rng.choices(["plain", "plus", "old", "paren"], weights=[45, 20, 25, 10])[0]
        return {
            "plain": spaced,
            "plus": f"+52 {spaced}",
            "old": f"+52 1 {spaced}",
            "paren": f"({area}) {local[:-4]}-{local[-4:]}",
        }[written]


def _place(rng: random.Random, country: str) -> tuple[str, str, str]:
    subdivision = _pick(rng, [(code, weight) for code, weight, _cities in PLACES[country]])
    cities = next(cities for code, _w, cities in PLACES[country] if code == subdivision)
    city, area = rng.choice(cities)
    return subdivision, city, area


def _moment(rng: random.Random, now: datetime, *, days_ago: float) -> datetime:
    """A time `days_ago` before now, at an hour weighted to when hotlines are busiest."""
    day = now - timedelta(days=days_ago)
    hour = rng.choices(range(24), weights=distributions.HOURS)[0]
    moment = day.replace(
        hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0
    )
    return min(moment, now - timedelta(minutes=rng.randint(20, 90)))


def _codes(values) -> list[str]:
    return [str(value) for value in values]


# --- Seeding -----------------------------------------------------------------------------------


def is_seeded() -> bool:
    """The demo users are the marker: they are created in the same transaction as
    everything else, so if they exist, the whole demo does."""
    return User.objects.filter(username__in=DEMO_USERNAMES).exists()


def summary(*, country: str | None = None, created: bool = False) -> DemoSummary:
    country = (country or settings.PUENTE_COUNTRY).upper()
    known = normalise_phone(KNOWN_CALLER[country], default_region=country)
    return DemoSummary(
        created=created,
        country=country,
        users=User.objects.filter(username__in=DEMO_USERNAMES).count(),
        contacts=Contact.objects.count(),
        cases=Case.objects.count(),
        known_caller=known,
        known_caller_contacts=Contact.objects.filter(phone=known).count(),
    )


def demo_users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}


def seed_demo_data(*, country: str | None = None) -> DemoSummary:
    """Create the demo hotline once. A second call finds the demo users and changes
    nothing."""
    country = (country or settings.PUENTE_COUNTRY).upper()
    if is_seeded():
        return summary(country=country, created=False)
    with transaction.atomic():
        _Seeder(country=country).run()
        seed_demo_directory(country=country, by=User.objects.get(username="administrator"))
        seed_demo_referrals(country=country, by=User.objects.get(username="advocate"))
        # The demo trainee has practice calls to pass before taking live calls.
        progress.require_scenarios(
            people=[User.objects.get(username="trainee")],
            scenario_slugs=DEMO_REQUIRED_PRACTICE[country],
            by=User.objects.get(username="supervisor"),
        )
    # Contacts are bulk-created (no per-row hooks), so the index is rebuilt once at the end.
    rebuild_index()
    return summary(country=country, created=True)


class _Seeder:
    def __init__(self, *, country: str):
        self.country = country
        # The hotline's own language: titles, notes and tasks are written in it, even
        # where a caller's story (a contact summary) is in another.
        self.lang = "es" if country == "MX" else "en"
        self.rng = random.Random(SEED[country])
        self.now = timezone.now()
        self.numbers = _Numbers(self.rng, country)
        self.contacts: list[Contact] = []

    # ---- staff

    def _staff(self) -> None:
        language = "es" if self.country == "MX" else "en"
        # One hash for the shared demo password: hashing it seven times would add
        # seconds to every first demo run for nothing.
        password = make_password(DEMO_PASSWORD)
        users = []
        for member in STAFF[self.country]:
            role = Role(member["role"])
            users.append(
                User(
                    username=member["username"],
                    first_name=member["first_name"],
                    last_name=member["last_name"],
                    role=role,
                    language=language,
                    email=f"{member['username']}@hotline.example",
                    password=password,
                    is_staff=role == Role.ADMINISTRATOR,
                )
            )
        User.objects.bulk_create(users)
        self.users = demo_users()
        self.advocates = [self.users["advocate"], self.users["advocate2"], self.users["advocate3"]]
        self.takers = self.advocates * 3 + [self.users["supervisor"]]

    # ---- contacts

    def _contact(
        self,
        *,
        started_at: datetime,
        reason: str,
        signaler: str,
        language: str,
        channel: str,
        summary_text: str,
        place: tuple[str, str, str],
        phone: tuple[str, str] | None,
        case: Case | None = None,
        level: str = "",
        danger: bool = False,
        country: str | None = None,
        taker: User | None = None,
    ) -> Contact:
        subdivision, city, _area = place
        interpreter = language not in {"eng", "spa"}
        contact = Contact(
            channel=channel,
            direction="inbound",
            started_at=started_at,
            ended_at=started_at + scenarios.duration(self.rng, channel, reason),
            # The scenarios' "anonymous" signaler: who is not said, and no name given.
            signaler_type="unknown" if signaler == "anonymous" else signaler,
            anonymous=signaler == "anonymous",
            language=language,
            interpreter_used=interpreter,
            interpreter_language=language if interpreter else "",
            phone_raw=phone[0] if phone else "",
            phone=phone[1] if phone else "",
            country=country or self.country,
            subdivision=subdivision,
            city=city,
            reason=reason,
            summary=summary_text,
            imminent_danger=danger,
            level_of_indicators=level,
            case=case,
            taken_by=taker or self.rng.choice(self.takers),
        )
        self.contacts.append(contact)
        return contact

    def _general_contact(self, *, days_ago: float) -> None:
        rng = self.rng
        reason = _pick(rng, REASONS[self.country])
        channel = _pick(rng, CHANNELS[self.country])
        language = _pick(rng, LANGUAGES[self.country])
        signaler = "anonymous" if reason == "hang_up" else _pick(rng, SIGNALERS)
        if reason == "hang_up" and channel not in {"phone", "whatsapp"}:
            channel = "phone"
        place = _place(rng, self.country)
        country = self.country
        # Some signals come from across the border: the partner hotline's country.
        if rng.random() < 0.05:
            country = "MX" if self.country == "US" else "US"
            place = _place(rng, country)
        if reason == "hang_up" and rng.random() < 0.6:
            place = ("", "", place[2])  # nobody said where they were
        phone = None
        if channel in {"phone", "sms", "whatsapp"} and rng.random() < 0.9:
            phone = self.numbers.new(place[2], country=country)
        lang = scenarios.narrative_language(language, self.country)
        story = rng.choice(scenarios.CONTACT_STORIES[reason][lang])
        text = scenarios.fill(
            story,
            country=self.country,
            lang=lang,
            city=place[1] or "—",
            state=scenarios.state_name(place[0]) if place[0] else "—",
        )
        level = {
            "tip": rng.choice(["moderate", "low", "high"]),
            "crisis": "high",
            "high_risk": "low",
        }.get(reason, "")
        self._contact(
            started_at=_moment(rng, self.now, days_ago=days_ago),
            reason=reason,
            signaler=signaler,
            language=language,
            channel=channel,
            summary_text=text,
            place=place,
            phone=phone,
            level=level,
            danger=reason == "crisis",
            country=country,
        )

    # ---- cases

    def _scenarios(self) -> list[dict]:
        return [s for s in scenarios.CASE_SCENARIOS if s["country"] == self.country]

    def _case(
        self,
        *,
        index: int,
        scenario: dict,
        opened_at: datetime,
        status: str,
        danger: bool,
        owner: User,
        restricted: bool = False,
    ) -> Case:
        rng = self.rng
        lang = scenario["lang"]
        subdivision, city, area = (
            rng.choice(scenario["places"]) if "places" in scenario else _place(rng, self.country)
        )
        business = rng.choice(scenario["businesses"]) if scenario["businesses"] else ""
        title = scenario["title"].format(city=city)
        summary_text = scenario["summary"].format(city=city, business=business or "—")
        fields = dict(
            title=title,
            summary=summary_text,
            status=status,
            exploitation_type=scenario["type"],
            forms_of_exploitation=_codes(scenario["forms"]),
            venues=_codes(scenario["venues"]),
            methods_of_control=_codes(scenario["control"]),
            methods_of_recruitment=_codes(scenario["recruitment"]),
            level_of_indicators=scenario["level"],
            imminent_danger=danger,
            restricted=restricted,
            owner=owner,
        )
        if self.country == "MX":
            fields["mx_forms_of_exploitation"] = _codes(scenario.get("mx", []))
        if status == "closed":
            reason = CLOSING_REASONS[index % len(CLOSING_REASONS)]
            fields["closing_reason"] = reason
            fields["closing_note"] = scenarios.fill(
                scenarios.CLOSING_NOTES[self.lang][reason], country=self.country, lang=self.lang
            )
            fields["closed_at"] = min(opened_at + timedelta(days=rng.randint(14, 120)), self.now)

        case = open_case(by=owner, opened_at=opened_at, **fields)
        self._people(case=case, scenario=scenario, area=area, business=business)
        self._locations(case=case, scenario=scenario, subdivision=subdivision, city=city)
        # The story met its people when it opened the case.
        Person.objects.filter(case=case).update(created_at=opened_at, updated_at=opened_at)

        # The contacts that brought the case in: the first a few minutes before it opened.
        signaler = scenario["signaler"]
        language = "spa" if lang == "es" else "eng"
        channel = _pick(rng, CHANNELS[self.country])
        phone = self.numbers.new(area) if channel in {"phone", "sms", "whatsapp"} else None
        first_reason = (
            "crisis" if danger else rng.choice(["tip", "tip", "tip", "services", "high_risk"])
        )
        self._contact(
            started_at=opened_at - timedelta(minutes=rng.randint(15, 50)),
            reason=first_reason,
            signaler=signaler,
            language=language,
            channel=channel,
            summary_text=summary_text,
            place=(subdivision, city, area),
            phone=phone,
            case=case,
            level=scenario["level"],
            danger=danger,
            taker=owner,
        )
        for _n in range(rng.randint(0, 2)):
            # Clamped rather than skipped, so the random sequence (and so the data) is the
            # same whatever day the demo is seeded on.
            later = opened_at + timedelta(days=rng.uniform(1, 30))
            later = max(
                min(later, self.now - timedelta(minutes=30)), opened_at + timedelta(minutes=5)
            )
            self._contact(
                started_at=later,
                reason="services" if signaler == "potential_victim" else "tip",
                signaler=signaler,
                language=language,
                channel=channel,
                summary_text=scenarios.fill(
                    rng.choice(scenarios.CASE_NOTES[lang]), country=self.country, lang=lang
                ),
                place=(subdivision, city, area),
                phone=phone,
                case=case,
                level=scenario["level"],
            )
        # The case's notes and tasks are the hotline's own words, in its language.
        self._work(case=case, lang=self.lang, opened_at=opened_at, status=status)
        return case

    def _people(self, *, case: Case, scenario: dict, area: str, business: str) -> None:
        rng = self.rng
        victims = scenario["victims"]
        age_lo, age_hi = victims["ages"]
        n_lo, n_hi = victims["count"]
        persons: list[Person] = []
        for _n in range(rng.randint(n_lo, n_hi)):
            sex = victims["gender"] if victims["gender"] in {"F", "M"} else rng.choice(["F", "M"])
            first, last = scenarios.person_name(rng, victims["pool"], sex)
            age = rng.randint(age_lo, age_hi)
            known_age = rng.random() < 0.6
            citizenship = rng.choice(victims["citizenship"])
            persons.append(
                Person(
                    case=case,
                    roles=["potential_victim"],
                    first_name=first,
                    last_name=last if rng.random() < 0.5 else "",
                    age=age if known_age else None,
                    age_band=scenarios.age_band(age)
                    if known_age
                    else ("minor" if age < 18 else "adult"),
                    gender="Feminine" if sex == "F" else "Masculine",
                    citizenship=[citizenship],
                    nationality=citizenship,
                    primary_language=victims["language"],
                    trafficking_status="PossibleVictimOfTrafficking",
                    relationship_to_trafficker=scenario.get(
                        "relationship", rng.choice(["Acquainted", "Unaquainted"])
                    ),
                )
            )
        spec = scenario["exploiter"]
        first, last = scenarios.person_name(rng, spec["pool"], spec["gender"])
        alias_pool = "es" if spec["pool"] == "es" else "en"
        exploiter = Person(
            case=case,
            roles=["exploiter"],
            first_name=first if rng.random() < 0.5 else "",
            alias=rng.choice(scenarios.ALIASES[alias_pool]),
            gender="Feminine" if spec["gender"] == "F" else "Masculine",
            age_band=rng.choice(["30-38", "39-47", "adult"]),
            roles_in_process=list(spec["roles"]),
        )
        persons.append(exploiter)
        company = None
        if business:
            company = Person(
                case=case,
                roles=["exploiter"],
                is_business=True,
                alias=business,
                roles_in_process=["Exploiter"],
            )
            persons.append(company)
        Person.objects.bulk_create(persons)

        identifiers = []

        def add(person, kind, value):
            normalised = (
                normalise_phone(value, default_region=self.country)
                if kind == "phone"
                else value.strip().lower()
            )
            identifiers.append(
                Identifier(case=case, person=person, kind=kind, value=value, normalised=normalised)
            )

        add(exploiter, "phone", self.numbers.new(area)[0])
        slug = (
            "".join(ch for ch in (business or exploiter.alias).lower() if ch.isalnum())[:14]
            or "anuncio"
        )
        if (
            V.ESCORT in scenario["venues"]
            or V.ILLICIT_MASSAGE in scenario["venues"]
            or R.ONLINE_AD in scenario["recruitment"]
        ):
            add(
                company or exploiter,
                "online_ad",
                f"https://classifieds.example/ad/{slug}-{rng.randint(10000, 99999)}",
            )
        if R.SOCIAL_NETWORKS in scenario["recruitment"]:
            add(exploiter, "social", f"@{slug}_{rng.randint(1, 99)}")
        if company is not None:
            add(company, "business", business)
            add(company, "email", f"contacto@{slug}.example")
        self._identifiers = identifiers

    def _locations(self, *, case: Case, scenario: dict, subdivision: str, city: str) -> None:
        rows = []
        origin = scenario.get("origin")
        if origin:
            rows.append(
                CaseLocation(
                    case=case, kind="Recruitment", country=origin[0], subdivision=origin[1]
                )
            )
        where = scenario.get("exploitation_place")
        if where:
            rows.append(
                CaseLocation(
                    case=case,
                    kind="Recruitment",
                    country=self.country,
                    subdivision=subdivision,
                    city=city,
                )
            )
            rows.append(
                CaseLocation(
                    case=case,
                    kind="Exploitation",
                    country=where[0],
                    subdivision=where[1],
                    city=where[2],
                )
            )
        else:
            rows.append(
                CaseLocation(
                    case=case,
                    kind="Exploitation",
                    country=self.country,
                    subdivision=subdivision,
                    city=city,
                )
            )
        rows.append(
            CaseLocation(
                case=case, kind="current", country=self.country, subdivision=subdivision, city=city
            )
        )
        CaseLocation.objects.bulk_create(rows)

    def _work(self, *, case: Case, lang: str, opened_at: datetime, status: str) -> None:
        """Notes and tasks over the case's life; open cases keep open tasks, some overdue.
        Each is written now and then dated to when the story has it written."""
        rng = self.rng
        end = case.closed_at or self.now
        span = max((end - opened_at).total_seconds(), 3600)
        for body in rng.sample(scenarios.CASE_NOTES[lang], rng.randint(1, 4)):
            at = opened_at + timedelta(seconds=rng.uniform(600, span))
            note = CaseNote.objects.create(
                case=case,
                author=case.owner,
                body=scenarios.fill(body, country=self.country, lang=lang),
            )
            CaseNote.objects.filter(pk=note.pk).update(created_at=min(at, self.now))
        for title in rng.sample(scenarios.TASKS[lang], rng.randint(1, 3)):
            created = opened_at + timedelta(seconds=rng.uniform(300, min(span, 86400 * 3)))
            due = (created + timedelta(days=rng.randint(1, 10))).date()
            roll = rng.random()  # drawn every time: the sequence must not depend on today
            done = status == "closed" or (due < self.now.date() and roll < 0.6)
            task = Task.objects.create(
                case=case,
                title=title,
                assignee=rng.choice([case.owner, *self.advocates]),
                due_date=due,
                created_by=case.owner,
                done_at=min(created + timedelta(days=rng.randint(0, 8)), self.now)
                if done
                else None,
            )
            Task.objects.filter(pk=task.pk).update(created_at=min(created, self.now))

    # ---- the whole hotline

    def run(self) -> None:
        rng = self.rng
        self._staff()
        scenarios_here = self._scenarios()
        # Case ages: spread over 18 months, more of them recent (open work piles up).
        ages = sorted(
            (rng.triangular(0.5, DAYS_OF_HISTORY, 30) for _n in range(TARGET_CASES)), reverse=True
        )
        ages[-1], ages[-2], ages[-3] = 0.2, 0.6, 1.5  # fresh cases on today's queue
        ages.sort(reverse=True)
        statuses = list(reversed(STATUS_BY_AGE))  # oldest first -> closed first
        # A few old cases are still open (long investigations) and a few recent ones closed.
        statuses[3], statuses[14] = statuses[14], statuses[3]
        danger_at = {TARGET_CASES - 1, TARGET_CASES - 3, TARGET_CASES - 8}  # new and active
        restricted_at = {TARGET_CASES - 10: "advocate", TARGET_CASES - 16: "advocate2"}
        all_identifiers: list[Identifier] = []
        cases: list[Case] = []
        # Every scenario at least once, then a realistic repeat of the common ones.
        order = rng.sample(scenarios_here, len(scenarios_here))
        order += [rng.choice(scenarios_here) for _n in range(TARGET_CASES - len(order))]
        for index, days_ago in enumerate(ages):
            scenario = order[index]
            owner_name = restricted_at.get(index)
            owner = self.users[owner_name] if owner_name else rng.choice(self.advocates)
            opened_at = _moment(rng, self.now, days_ago=days_ago)
            case = self._case(
                index=index,
                scenario=scenario,
                opened_at=opened_at,
                status=statuses[index],
                danger=index in danger_at,
                owner=owner,
                restricted=owner_name is not None,
            )
            all_identifiers.extend(self._identifiers)
            cases.append(case)

        # Restricted cases: the first names the supervisor; the second only its owner, so
        # the demo advocate must "break the glass" (with a reason) to open it.
        first_restricted = cases[TARGET_CASES - 10]
        CaseAccess.objects.create(
            case=first_restricted,
            user=self.users["supervisor"],
            granted_by=self.users["supervisor"],
        )

        self._recurring(cases=cases, identifiers=all_identifiers)
        Identifier.objects.bulk_create(all_identifiers)

        done_days = sorted(
            rng.uniform(0, DAYS_OF_HISTORY) for _n in range(TARGET_CONTACTS - len(self.contacts))
        )
        for days_ago in done_days:
            self._general_contact(days_ago=days_ago)
        Contact.objects.bulk_create(self.contacts)
        # bulk_create stamps created_at with today; the record was made when the call ended.
        Contact.objects.filter(created_at__gte=self.now).update(
            created_at=F("ended_at"), updated_at=F("ended_at")
        )

    def _recurring(self, *, cases: list[Case], identifiers: list[Identifier]) -> None:
        """Numbers that come back: the known caller (a sister calling about an open case,
        who once called months earlier for information) and an exploiter's phone found
        in three unrelated cases."""
        rng = self.rng
        country = self.country
        open_cases = [
            case for case in cases if case.status in {"active", "referred"} and not case.restricted
        ]
        case = open_cases[len(open_cases) // 2]
        caller = KNOWN_CALLERS[country]
        raw = caller["phone"]
        known = normalise_phone(raw, default_region=country)
        place = (caller["subdivision"], caller["city"], "")
        sister = Person.objects.create(
            case=case,
            roles=["signaler"],
            first_name=caller["first_name"],
            last_name=caller["last_name"],
            gender="Feminine",
            notes=caller["notes"],
        )
        identifiers.append(
            Identifier(case=case, person=sister, kind="phone", value=raw, normalised=known)
        )
        language = "spa" if country == "MX" else "eng"
        opened = case.created_at
        times = [
            opened - timedelta(days=rng.randint(60, 120)),
            opened + timedelta(days=2),
            opened + timedelta(days=9),
            opened + timedelta(days=15),
        ]
        for n, (at, text) in enumerate(zip(times, caller["contacts"], strict=True)):
            at = min(at, self.now - timedelta(hours=3 - n * 0.5))
            channel = "sms" if n == 3 and country == "US" else ("whatsapp" if n == 3 else "phone")
            self._contact(
                started_at=at,
                reason="general_info" if n == 0 else "tip",
                signaler="family_friend",
                language=language,
                channel=channel,
                summary_text=text,
                place=place,
                phone=(raw if n != 1 else known, known),
                case=None if n == 0 else case,
                level="" if n == 0 else case.level_of_indicators,
                taker=case.owner if n else None,
            )

        # The exploiter's number in three cases (each a different scenario).
        recurring_raw = RECURRING_EXPLOITER_PHONE[country]
        recurring = normalise_phone(recurring_raw, default_region=country)
        exploiter_phones = [
            i
            for i in identifiers
            if i.kind == "phone" and i.person is not None and i.person.has_role("exploiter")
        ]
        phone_cases = []
        for identifier in rng.sample(exploiter_phones, 3):
            identifier.value, identifier.normalised = recurring_raw, recurring
            phone_cases.append(identifier.case)
        self._network(phone_cases=phone_cases, identifiers=identifiers)

    def _network(self, *, phone_cases: list[Case], identifiers: list[Identifier]) -> None:
        """The recurring number's group grows: the same ad in one of its cases and two
        others, and the same business address in the last of those and two more, so the
        network view draws one group of about seven cases joined three ways."""
        rng = self.rng
        spec = RECURRING_NETWORK[self.country]
        holder: dict[int, Person] = {}  # per case: its business, else its exploiter
        for identifier in identifiers:
            if identifier.person is None or not identifier.person.has_role("exploiter"):
                continue
            if identifier.person.is_business or identifier.case_id not in holder:
                holder[identifier.case_id] = identifier.person
        taken = {case.pk for case in phone_cases}
        with_business = [pk for pk, person in holder.items() if person.is_business]
        others = [pk for pk in holder if pk not in taken]
        rng.shuffle(others)
        # Businesses first: an address belongs to a business when the case has one.
        others.sort(key=lambda pk: pk not in with_business)
        ad_cases = [phone_cases[0].pk, *others[:2]]
        address_cases = [others[1], *others[2:4]] if len(others) >= 4 else others[:3]

        def add(case_id: int, kind: str, value: str) -> None:
            identifiers.append(
                Identifier(
                    case_id=case_id,
                    person=holder[case_id],
                    kind=kind,
                    value=value,
                    normalised=normalise_identifier(kind=kind, value=value),
                )
            )

        for case_id in ad_cases:
            add(case_id, "online_ad", spec["ad"])
        for case_id in address_cases:
            add(case_id, "address", spec["address"])


def recurring_counts() -> dict[str, int]:
    """Phone identifiers that appear in more than one case (for tests and the banner)."""
    rows = (
        Identifier.objects.filter(kind="phone")
        .values("normalised")
        .annotate(cases=Count("case", distinct=True))
        .filter(cases__gt=1)
    )
    return {row["normalised"]: row["cases"] for row in rows}
