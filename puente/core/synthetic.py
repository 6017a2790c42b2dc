"""National-scale synthetic data for benchmarks: `puente generate`.

One pass in time order writes staff, contacts, cases (with persons, identifiers,
locations, tasks and notes) and their search entries, so ids grow with time as in a
real deployment. Rows go straight to the database in large batches — COPY on
PostgreSQL, executemany on SQLite — with the full-text index built once at the end.
Distributions live in `puente.core.distributions`; narratives and names are the demo's
(`puente.core.demo_data`), combined so texts vary. Deterministic for a seed.
"""

from __future__ import annotations

import json
import random
import time
from bisect import bisect
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from django.db import connection, transaction

from puente.accounts.models import User
from puente.accounts.roles import Role
from puente.core import demo_data as demo
from puente.core import distributions as dist
from puente.search import fts
from puente.search.indexing import fold

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "cases_case": (
        "id",
        "reference",
        "title",
        "status",
        "closing_reason",
        "closing_note",
        "summary",
        "exploitation_type",
        "forms_of_exploitation",
        "mx_forms_of_exploitation",
        "venues",
        "methods_of_control",
        "methods_of_recruitment",
        "level_of_indicators",
        "imminent_danger",
        "restricted",
        "owner_id",
        "created_by_id",
        "created_at",
        "updated_at",
        "closed_at",
        "version",
    ),
    "intake_contact": (
        "id",
        "channel",
        "direction",
        "started_at",
        "ended_at",
        "signaler_type",
        "language",
        "interpreter_used",
        "interpreter_language",
        "phone_raw",
        "phone",
        "country",
        "subdivision",
        "city",
        "reason",
        "summary",
        "imminent_danger",
        "level_of_indicators",
        "case_id",
        "taken_by_id",
        "created_at",
        "updated_at",
        "version",
    ),
    "cases_person": (
        "id",
        "case_id",
        "role",
        "is_business",
        "first_name",
        "last_name",
        "alias",
        "age",
        "age_band",
        "gender",
        "citizenship",
        "nationality",
        "primary_language",
        "trafficking_status",
        "relationship_to_trafficker",
        "roles_in_process",
        "notes",
        "created_at",
        "updated_at",
        "version",
    ),
    "cases_identifier": ("id", "case_id", "person_id", "kind", "value", "normalised", "created_at"),
    "cases_caselocation": (
        "id",
        "case_id",
        "kind",
        "country",
        "subdivision",
        "city",
        "description",
    ),
    "cases_task": (
        "id",
        "case_id",
        "title",
        "assignee_id",
        "due_date",
        "done_at",
        "created_by_id",
        "created_at",
    ),
    "cases_casenote": ("id", "case_id", "author_id", "body", "created_at"),
    "search_searchentry": ("id", "kind", "object_id", "case_id", "text", "updated_at"),
}
# Write order respects foreign keys within a batch.
TABLE_ORDER = list(TABLE_COLUMNS)
JSON_COLUMNS = {
    "forms_of_exploitation",
    "mx_forms_of_exploitation",
    "venues",
    "methods_of_control",
    "methods_of_recruitment",
    "citizenship",
    "roles_in_process",
}


def _weighted(pairs):
    values = [v for v, _w in pairs]
    cumulative = list(accumulate(w for _v, w in pairs))
    total = cumulative[-1]

    def pick(rng: random.Random):
        return values[bisect(cumulative, rng.random() * total)]

    return pick


class _Sink:
    """Buffers rows per table and writes them in bulk."""

    def __init__(self, vendor: str):
        self.vendor = vendor
        self.rows: dict[str, list[tuple]] = {t: [] for t in TABLE_ORDER}
        self.counts: dict[str, int] = dict.fromkeys(TABLE_ORDER, 0)

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def _value(self, column: str, value):
        if column in JSON_COLUMNS:
            return json.dumps(value)
        if self.vendor == "sqlite" and isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if self.vendor == "sqlite" and isinstance(value, date):
            return value.isoformat()
        return value

    def flush(self) -> None:
        raw = connection.connection
        for table in TABLE_ORDER:
            rows = self.rows[table]
            if not rows:
                continue
            columns = TABLE_COLUMNS[table]
            prepared = [
                tuple(self._value(c, v) for c, v in zip(columns, row, strict=True)) for row in rows
            ]
            if self.vendor == "postgresql":
                with (
                    raw.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
                ):
                    for row in prepared:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _c in columns)
                raw.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", prepared
                )
            self.counts[table] += len(rows)
            rows.clear()


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _World:
    """Everything drawn from the seeded generator: who, where, how, why."""

    def __init__(self, *, rng: random.Random, country: str, staff: list[int]):
        self.rng, self.country, self.staff = rng, country, staff
        self.channel = _weighted(dist.CHANNELS[country])
        self.reason = _weighted(dist.REASONS[country])
        self.signaler = _weighted(dist.SIGNALERS)
        self.language = _weighted(dist.LANGUAGES[country])
        self.hour = _weighted(list(enumerate(dist.HOURS)))
        self.exploitation = _weighted(dist.EXPLOITATION_TYPES[country])
        self.mx_form = _weighted(dist.MX_FORMS)
        self.sex_venue = _weighted(dist.SEX_VENUES)
        self.labour_venue = _weighted(dist.LABOUR_VENUES)
        self.control = _weighted(dist.CONTROL)
        self.recruitment = _weighted(dist.RECRUITMENT)
        self.closing = _weighted(dist.CLOSING_REASONS)
        self.gender = _weighted(dist.GENDERS)
        self.status_by_age = [(limit, _weighted(p)) for limit, p in dist.STATUS_BY_AGE]
        places = [(sub, weight, cities) for sub, weight, cities in demo.PLACES[country]]
        self.place = _weighted([((sub, cities), w) for sub, w, cities in places])
        self.scenarios = [s for s in demo.SCENARIOS if s["country"] == country] or demo.SCENARIOS
        self.numbers: list[str] = []
        self.frequent: list[str] = []
        self.recent_numbers: deque[str] = deque(maxlen=5000)
        self.network_numbers: list[str] = []

    def where(self) -> tuple[str, str, str]:
        subdivision, cities = self.place(self.rng)
        city, area = self.rng.choice(cities)
        return subdivision, city, area

    def new_number(self, area: str) -> tuple[str, str]:
        """(E.164, as typed). U.S. numbers are 10 digits after +1; Mexican ones 10 after
        +52, sometimes typed with the old mobile 1."""
        rng = self.rng
        if self.country == "US":
            local = f"{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
            e164 = f"+1{area}{local}"
            typed = rng.choice(
                [f"({area}) {local[:3]}-{local[3:]}", f"{area}.{local[:3]}.{local[3:]}", e164]
            )
        else:
            local = f"{rng.randint(10 ** (9 - len(area)), 10 ** (10 - len(area)) - 1)}"
            e164 = f"+52{area}{local}"
            typed = rng.choice([f"{area} {local}", f"+52 1 {area} {local}", e164])
        return e164, typed

    def caller(self, area: str) -> tuple[str, str]:
        rng = self.rng
        if self.numbers and rng.random() < dist.REPEAT_CALLER_SHARE:
            pool = self.frequent if self.frequent and rng.random() < 0.5 else self.recent_numbers
            e164 = rng.choice(pool)
            return e164, e164
        e164, typed = self.new_number(area)
        self.numbers.append(e164)
        self.recent_numbers.append(e164)
        if rng.random() < 0.02:
            self.frequent.append(e164)
        return e164, typed


def _stories(country: str) -> dict[tuple[str, str], list[str]]:
    """Every contact narrative filled for every city, once: the pass then only picks."""
    filled: dict[tuple[str, str], list[str]] = {}
    for reason, by_lang in demo.CONTACT_STORIES.items():
        for lang, templates in by_lang.items():
            texts = []
            for subdivision, _w, cities in demo.PLACES[country]:
                for city, _area in cities:
                    values = {"city": city, "state": demo._state_name(subdivision)}
                    texts += [
                        demo._fill(t, country=country, lang=lang, **values) for t in templates
                    ]
            filled[(reason, lang)] = texts
    return filled


DETAILS = {
    "en": [
        "Caller asked that we not call back on this number.",
        "Follow-up agreed for tomorrow morning.",
        "Caller was driving and will call again.",
        "Interpreter line used for part of the call.",
        "Caller heard about the hotline from a poster at a clinic.",
        "Advised on safety planning.",
        "",
        "",
    ],
    "es": [
        "Pidió que no se le regrese la llamada a este número.",
        "Se acordó dar seguimiento mañana temprano.",
        "Iba manejando y volverá a llamar.",
        "Conoció la línea por un cartel en el centro de salud.",
        "Se le orientó sobre un plan de seguridad.",
        "Se canalizó con la asesoría jurídica.",
        "",
        "",
    ],
}


class _SafeDict(dict):
    def __missing__(self, key):
        return ""


def generate(
    *,
    contacts: int,
    years: int = 15,
    seed: int = 7,
    country: str = "US",
    batch_size: int = 50_000,
    progress: Callable[[int, int, float], None] | None = None,
) -> Summary:
    started = time.monotonic()
    rng = random.Random(seed)
    vendor = connection.vendor
    staff = _staff(country)
    world = _World(rng=rng, country=country, staff=staff)
    stories = _stories(country)
    sink = _Sink(vendor)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=365 * years)
    moments = _moments(rng, start=start, years=years, count=contacts)

    ids = {t: _next_id(t) for t in TABLE_ORDER}
    from puente.cases.models import CaseCounter

    # Numbers continue from the hotline's counters, so generated references never collide.
    counters = dict(CaseCounter.objects.filter(prefix=country).values_list("year", "last_number"))
    open_cases: deque[tuple[int, str]] = deque(maxlen=400)
    ref_prefix = country

    def take(table: str) -> int:
        ids[table] += 1
        return ids[table]

    with transaction.atomic():
        _before_load(vendor)
        for n, moment in enumerate(moments, start=1):
            reason = world.reason(rng)
            channel = world.channel(rng)
            lang = world.language(rng)
            text_lang = "es" if lang == "spa" else "en"
            subdivision, city, area = world.where()
            phone, typed = ("", "")
            if rng.random() >= dist.NO_PHONE_CHANNELS.get(channel, 0.0):
                phone, typed = world.caller(area)
            summary = rng.choice(stories[(reason, text_lang)])
            detail = rng.choice(DETAILS[text_lang])
            summary = f"{summary} {detail}".strip()
            danger = (
                reason == "crisis"
                and rng.random() < 0.5
                or rng.random() < dist.IMMINENT_DANGER_SHARE / 5
            )
            level = ""
            if reason in dist.CASE_REASONS:
                level = rng.choice(["high", "moderate", "moderate", "low", "low", "none"])
            case_id = None
            case_ref = ""
            if reason in dist.CASE_REASONS:
                roll = rng.random()
                if roll < 0.57:
                    counters[moment.year] = counters.get(moment.year, 0) + 1
                    case_ref = f"{ref_prefix}-{moment.year}-{counters[moment.year]:06d}"
                    case_id = take("cases_case")
                    _add_case(
                        sink,
                        world,
                        take,
                        case_id=case_id,
                        reference=case_ref,
                        moment=moment,
                        now=now,
                        phone=phone,
                        typed=typed,
                        city=city,
                        subdivision=subdivision,
                        text_lang=text_lang,
                        danger=danger,
                        level=level,
                    )
                    open_cases.append((case_id, case_ref))
                elif roll < 0.87 and open_cases:
                    case_id, case_ref = rng.choice(open_cases)
            started_at = moment
            ended_at = (
                moment + timedelta(seconds=rng.randint(20, 1800))
                if channel in {"phone", "chat", "whatsapp"}
                else None
            )
            contact_id = take("intake_contact")
            signaler = "anonymous" if not phone and rng.random() < 0.6 else world.signaler(rng)
            interpreter = lang not in {"eng", "spa"} and rng.random() < 0.8
            sink.add(
                "intake_contact",
                (
                    contact_id,
                    channel,
                    "inbound",
                    started_at,
                    ended_at,
                    signaler,
                    lang,
                    interpreter,
                    lang if interpreter else "",
                    typed,
                    phone,
                    country,
                    subdivision,
                    city,
                    reason,
                    summary,
                    danger,
                    level,
                    case_id,
                    rng.choice(staff),
                    started_at,
                    started_at,
                    1,
                ),
            )
            words = [summary, city, typed, *_phone_words(phone)]
            if case_ref:
                words.append(case_ref)
            sink.add(
                "search_searchentry",
                (
                    take("search_searchentry"),
                    "contact",
                    contact_id,
                    case_id,
                    fold(" ".join(w for w in words if w)),
                    started_at,
                ),
            )
            if n % batch_size == 0:
                sink.flush()
                if progress:
                    progress(n, contacts, time.monotonic() - started)
        sink.flush()
        _save_counters(ref_prefix, counters)
        _after_load(vendor)
    summary = Summary(counts=dict(sink.counts), seconds=time.monotonic() - started)
    summary.counts["accounts_user"] = len(staff)
    return summary


def _phone_words(e164: str) -> list[str]:
    if not e164:
        return []
    digits = e164.lstrip("+")
    national = digits[1:] if e164.startswith("+1") else digits[2:]
    return [digits, national]


def _moments(rng: random.Random, *, start: datetime, years: int, count: int) -> list[datetime]:
    """Contact times over the years, growing year on year, by hour of day; sorted."""
    year_weights = [dist.ANNUAL_GROWTH**y for y in range(years)]
    pick_year = _weighted(list(enumerate(year_weights)))
    pick_hour = _weighted(list(enumerate(dist.HOURS)))
    seconds = []
    for _ in range(count):
        day = pick_year(rng) * 365 + rng.randrange(365)
        seconds.append(day * 86400 + pick_hour(rng) * 3600 + rng.randrange(3600))
    seconds.sort()
    return [start + timedelta(seconds=s) for s in seconds]


def _staff(country: str) -> list[int]:
    names = (
        demo.NAMES["es_f" if country == "MX" else "en_f"]
        + demo.NAMES["es_m" if country == "MX" else "en_m"]
    )
    last = demo.NAMES["es_last" if country == "MX" else "en_last"]
    roles = [Role.ADVOCATE] * 48 + [Role.SUPERVISOR] * 6 + [Role.LIAISON] * 3 + [Role.ANALYST] * 3
    users = []
    for i, role in enumerate(roles, start=1):
        username = f"gen-{role}-{i:03d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=names[i % len(names)],
                last_name=last[i % len(last)],
                role=role,
            )
            user.set_unusable_password()
            user.save()
        users.append(user)
    return [u.pk for u in users if u.role == Role.ADVOCATE]


def _add_case(
    sink: _Sink,
    world: _World,
    take,
    *,
    case_id: int,
    reference: str,
    moment: datetime,
    now: datetime,
    phone: str,
    typed: str,
    city: str,
    subdivision: str,
    text_lang: str,
    danger: bool,
    level: str,
) -> None:
    rng = world.rng
    scenario = rng.choice(world.scenarios)
    values = _SafeDict(
        city=city,
        state=demo._state_name(subdivision),
        business=rng.choice(scenario.get("businesses") or ["the business"]),
    )
    summary = scenario["summary"].format_map(values)
    title = f"{scenario['title'].format_map(values)}"[:200]
    kind = world.exploitation(rng)
    venues = [world.sex_venue(rng)] if kind in {"sex", "sex_and_labour"} else []
    if kind in {"labour", "sex_and_labour"}:
        venues.append(world.labour_venue(rng))
    forms = {
        "sex": ["SexualExploitation"],
        "labour": ["ForcedLabour"],
        "sex_and_labour": ["SexualExploitation", "ForcedLabour"],
    }.get(kind, [])
    mx_forms = (
        sorted({world.mx_form(rng) for _ in range(rng.randint(1, 2))})
        if world.country == "MX"
        else []
    )
    control = sorted({world.control(rng) for _ in range(rng.randint(1, 4))})
    recruitment = [world.recruitment(rng)]
    age_days = (now - moment).days
    status_pick = next(p for limit, p in world.status_by_age if age_days <= limit)
    status = status_pick(rng)
    closing_reason, closed_at = "", None
    if status == "closed":
        closing_reason = world.closing(rng)
        closed_at = min(now, moment + timedelta(days=rng.randint(3, 240)))
    updated = closed_at or min(now, moment + timedelta(days=rng.randint(0, 60)))
    owner = rng.choice(world.staff)
    restricted = rng.random() < dist.RESTRICTED_CASE_SHARE
    sink.add(
        "cases_case",
        (
            case_id,
            reference,
            title,
            status,
            closing_reason,
            "",
            summary,
            kind,
            forms,
            mx_forms,
            venues,
            control,
            recruitment,
            level,
            danger and status != "closed",
            restricted,
            owner,
            owner,
            moment,
            updated,
            closed_at,
            1,
        ),
    )
    words = [reference, reference.replace("-", " "), title, summary, city]
    # Potential victims, an exploiter (person or business), identifiers.
    pool = "es" if text_lang == "es" or world.country == "MX" else rng.choice(["en", "en", "es"])
    for _ in range(1 if rng.random() < 0.8 else rng.randint(2, 4)):
        gender = world.gender(rng)
        first, last = demo._person_name(rng, pool, "F" if gender != "Masculine" else "M")
        age = rng.randint(14, 52)
        person_id = take("cases_person")
        sink.add(
            "cases_person",
            (
                person_id,
                case_id,
                "potential_victim",
                False,
                first,
                last,
                "",
                age,
                "",
                gender,
                [
                    world.country
                    if rng.random() < 0.6
                    else rng.choice(["MX", "GT", "HN", "SV", "US"])
                ],
                "",
                "spa" if pool == "es" else "eng",
                "PossibleVictimOfTrafficking",
                "",
                [],
                "",
                moment,
                moment,
                1,
            ),
        )
        words += [first, last]
        if phone and rng.random() < 0.4:
            sink.add(
                "cases_identifier",
                (
                    take("cases_identifier"),
                    case_id,
                    person_id,
                    "phone",
                    typed or phone,
                    phone,
                    moment,
                ),
            )
            words += _phone_words(phone)
    if rng.random() < 0.7:
        person_id = take("cases_person")
        business = rng.random() < 0.35
        first, last = ("", "") if business else demo._person_name(rng, pool, "M")
        alias = (
            values["business"]
            if business
            else rng.choice(["El Güero", "Flaco", "Big Mike", "La Señora", "Tío", ""])
        )
        sink.add(
            "cases_person",
            (
                person_id,
                case_id,
                "exploiter",
                business,
                first,
                last,
                alias,
                None,
                "",
                "",
                [],
                "",
                "",
                "",
                "",
                ["Exploiter"],
                "",
                moment,
                moment,
                1,
            ),
        )
        words += [first, last, alias]
        if rng.random() < 0.5:
            # Exploiters' numbers recur across cases: that is what networks are made of.
            if world.network_numbers and rng.random() < 0.3:
                number = rng.choice(world.network_numbers)
            else:
                number, _typed = world.new_number("702" if world.country == "US" else "55")
                world.network_numbers.append(number)
            sink.add(
                "cases_identifier",
                (take("cases_identifier"), case_id, person_id, "phone", number, number, moment),
            )
            words += _phone_words(number)
        if rng.random() < 0.3:
            handle = f"@{(alias or last or 'user').split(' ')[0].lower()}{rng.randint(10, 9999)}"
            sink.add(
                "cases_identifier",
                (
                    take("cases_identifier"),
                    case_id,
                    person_id,
                    "social",
                    handle,
                    handle.lower(),
                    moment,
                ),
            )
            words.append(handle)
    sink.add(
        "cases_caselocation",
        (take("cases_caselocation"), case_id, "Exploitation", world.country, subdivision, city, ""),
    )
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        body = rng.choice(demo.NOTES[text_lang]).format_map(
            _SafeDict(demo.TERMS[(world.country, text_lang)])
        )
        sink.add(
            "cases_casenote",
            (
                take("cases_casenote"),
                case_id,
                owner,
                body,
                moment + timedelta(hours=rng.randint(1, 400)),
            ),
        )
        words.append(body)
    for _ in range(rng.choice([0, 1, 1, 2])):
        due = (moment + timedelta(days=rng.randint(1, 30))).date()
        done = (
            moment + timedelta(days=rng.randint(1, 30))
            if status == "closed" or rng.random() < 0.6
            else None
        )
        title_task = rng.choice(
            [
                "Call back the signaler",
                "Send report to law enforcement",
                "Confirm shelter bed",
                "Llamada de seguimiento",
                "Confirmar cita de asesoría jurídica",
            ]
        )
        sink.add(
            "cases_task", (take("cases_task"), case_id, title_task, owner, due, done, owner, moment)
        )
    sink.add(
        "search_searchentry",
        (
            take("search_searchentry"),
            "case",
            case_id,
            case_id,
            fold(" ".join(w for w in words if w)),
            moment,
        ),
    )


def _next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        return cursor.fetchone()[0]


def _save_counters(prefix: str, counters: dict[int, int]) -> None:
    from puente.cases.models import CaseCounter

    for year, last in counters.items():
        counter, _created = CaseCounter.objects.get_or_create(prefix=prefix, year=year)
        if counter.last_number < last:
            counter.last_number = last
            counter.save(update_fields=["last_number"])


def _before_load(vendor: str) -> None:
    """The full-text index is built once at the end: maintaining it row by row during a
    load of millions is many times slower."""
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            for statement in fts.POSTGRES_BACKWARD:
                cursor.execute(statement)
        else:
            for statement in fts.SQLITE_TRIGGERS_DROP:
                cursor.execute(statement)


def _after_load(vendor: str) -> None:
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            # Foreign keys are checked at commit; check them now, in bulk, so the index
            # below can be built inside the same transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Building a GIN index over millions of rows is many times faster in memory.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for table in TABLE_ORDER:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
                )
            for statement in fts.POSTGRES_FORWARD:
                cursor.execute(statement)
        else:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
            for statement in fts.SQLITE_TRIGGERS_CREATE:
                cursor.execute(statement)
        cursor.execute("ANALYZE")
