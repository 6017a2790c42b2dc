"""Every page reads in Spanish on the Spanish line: no English left in the interface and
no raw codes where a label belongs.

The Mexican demo hotline (its fictional contacts, cases, people, places, tasks, notes,
referrals, reports, providers and audit trail) plus a partner hotline with a referral in
each direction is shown to every role, with the browser asking for es-MX and the person
having chosen Spanish. The pages are every URL pattern Django knows — those without
arguments and the detail pages of that data — so a page added tomorrow is checked
tomorrow. What people wrote (a summary, a note, a provider's name) is data, in whatever
language it was written, and is taken out before looking; what remains is the interface.
"""

from __future__ import annotations

import inspect
import itertools
import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from puente.accounts.roles import Role
from puente.channels.chat import new_chat_token, start_chat
from puente.core import choices as core_choices
from puente.intake.models import Contact
from puente.training.models.quality import Review, Rubric
from tests.conftest import signed_in_client
from tests.factories import make_practice_call
from tests.insights.test_report_views import finished_run
from tests.networks.linkage_data import sample_link
from tests.sharing.htcds_helpers import checked, export_to
from tests.sharing.test_release_views import released

pytestmark = pytest.mark.django_db

# Common English function words (any page in Spanish has none of them) and words of
# the interface (buttons, headings, states) that would betray an untranslated string.
# Words that are also Spanish ("no", "a", "me", "once", "son", "total", "local",
# "legal", "social", "general", "final", "web", "chat") are deliberately absent.
ENGLISH_WORDS = {
    *"the and with of to for is are was were this that these those you your from by not "
    "or on at in be been has have will can an it its their they there which who what when "
    "where why how if then than only all any each every into about after before yet yes "
    "none here must may should would could does did our we".split(),
    *"save cancel add edit status search delete open close closed back next previous submit "
    "filter clear home sign password username settings help date time name phone email "
    "case cases contact contacts referral referrals report reports task tasks note notes "
    "person people staff role unknown other active pending approved declined send sent "
    "received partner key keys retry revoke register choose select show hide loading "
    "warning required optional today yesterday week month year never always male female "
    "high low moderate details summary reason owner assigned due done team queue trail "
    "directory provider providers shelter nobody everyone new changed created viewed "
    "deleted exported searched waiting".split(),
}
# Names that are the same in every language.
PROPER_NAMES = [
    "Puente",
    "HTCDS",
    "TVPA",
    "MFA",
    "CTDC",
    "Twilio",
    "WhatsApp",
    "TikTok",
    "WeChat",
    "OnlyFans",
    "YouTube",
    "LinkedIn",
    "PayPal",
    "CashApp",
    "Polaris",
    "National Human Trafficking Hotline",
    "Línea Nacional contra la Trata de Personas",
    "Consejo Ciudadano",
    "New York",
    "New Mexico",
    "New Jersey",
    "New Hampshire",
]
# Non-HTML or not-a-page endpoints, and Django's own back office (translated by Django).
SKIPPED_NAMESPACES = {"admin", "api-v1"}
SKIPPED_NAMES = {"set_language", "javascript-catalog", "accounts:logout"}
# Arguments these pages take that the data below cannot stand in for (one-time links,
# drafts in a browser's local store, uploaded-file tokens), each reached by its own tests.
# "action": a thread's buttons, POST only.
UNFILLABLE = {"uidb64", "token", "draft_id", "key", "api_key_id", "action"}

SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+(?:'[a-z]+)?")
URL_OR_EMAIL = re.compile(r"\S+://\S+|\S+@\S+\.\S+|/\S*/")
# A token with a digit in it (an id, a hash, a UUID such as 9c4be3a0-…) is no word: read
# letter by letter, a random one spells "be" or "bad" now and then.
WITH_A_DIGIT = re.compile(
    r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b\w*\d\w*\b"
)


class VisibleText(HTMLParser):
    """The text a person sees (and hears from a screen reader), without scripts, styles,
    code samples, or parts marked as written in another language (lang="en")."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
    HIDDEN = {"script", "style", "template", "code", "noscript", "svg", "head"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.parts: list[str] = []

    def _hidden(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = (attributes.get("lang") or "es").lower()
        hidden = tag in self.HIDDEN or not lang.startswith("es") or "hidden" in attributes
        if not self._hidden() and not hidden:
            # data-label: a stacked table's cell heading, shown on a phone by the stylesheet.
            for name in ("placeholder", "aria-label", "alt", "data-label"):
                if attributes.get(name):
                    self.parts.append(attributes[name])
            if tag == "input" and attributes.get("type") in {"submit", "button"}:
                self.parts.append(attributes.get("value") or "")
        if tag == "title":
            # The page's title is in <head> but shown in the tab: read it too.
            self.parts.append("\n")
        if tag not in self.VOID:
            self.stack.append(hidden and tag != "head")

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def _written_by_people() -> list[str]:
    """Free text held in the database (names, summaries, notes, addresses): data in the
    language its author used. Coded fields (with choices) are not free text."""
    found: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("puente.") or model._meta.app_label == "audit":
            continue
        fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields)[:2000]:
            for value in row:
                if isinstance(value, str) and len(value) >= 3 and not SNAKE_CASE.fullmatch(value):
                    found.add(" ".join(value.split()))
    user_model = apps.get_model("accounts", "User")
    for user in user_model.objects.all():
        found.update({user.get_full_name(), user.get_username()})
    return sorted((text for text in found if text), key=len, reverse=True)


def _codes() -> set[str]:
    """Stored codes that must never be shown as such: HTCDS CamelCase, snake_case and
    dotted codes of every picklist, and the ISO 639 language codes."""
    codes: set[str] = set()
    for app in ("core", "directory", "referrals", "federation"):
        module = __import__(f"puente.{app}.choices", fromlist=["choices"])
        for _name, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, models.Choices) and member is not models.TextChoices:
                for value in member.values:
                    text = str(value)
                    if "_" in text or "." in text or re.search(r"[a-z][A-Z]", text):
                        codes.add(text)
    codes.update(str(v) for v in core_choices.Language.values)
    return codes - CODES_THAT_ARE_SPANISH_WORDS


# ISO 639-2 language codes (core.choices.Language) that are everyday Spanish words too:
# "Accesos por revisar", "mis casos" are Spanish, not the codes of Portuguese ("por") and
# of a language without a code ("mis").
CODES_THAT_ARE_SPANISH_WORDS = {"por", "mis"}


def problems_in(text: str, *, data: list[str], codes: set[str]) -> list[str]:
    text = URL_OR_EMAIL.sub(" ", text)
    for written in data:
        if written in text:
            # Whole words only: a name like "Ana" must not eat the middle of "Mañana".
            text = re.sub(rf"(?<!\w){re.escape(written)}(?!\w)", " ", text)
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    raw = sorted(
        set(SNAKE_CASE.findall(text)) | {t for t in re.findall(r"[\w.]+", text) if t in codes}
    )
    found: list[str] = []
    context = text
    # A code is reported as a code, not as the English words it is made of.
    text = WITH_A_DIGIT.sub(" ", SNAKE_CASE.sub(" ", text))
    english = sorted(
        {
            w
            for w in WORD.findall(text)
            if w in ENGLISH_WORDS
            or (w[:1].isupper() and w[1:].islower() and w.lower() in ENGLISH_WORDS)
        }
    )
    if english:
        found.append("English: " + ", ".join(english) + _where(text, english))
    if raw:
        found.append("codes: " + ", ".join(raw) + _where(context, raw))
    return found


def _where(text: str, words: list[str]) -> str:
    """A few words around each finding, so the failure says which string to fix."""
    if not _SHOW_CONTEXT:
        return ""
    snippets = []
    for word in words[:6]:
        match = re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text)
        if match:
            snippets.append("…" + text[max(0, match.start() - 40) : match.end() + 40] + "…")
    return " [" + " | ".join(snippets) + "]"


_SHOW_CONTEXT = True


def _patterns(patterns=None, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            yield from _patterns(
                entry.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace
            )
        elif entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def _arguments(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def _htcds_samples(supervisor, folder) -> dict:
    exported = folder / "casos.csv"
    export = export_to(exported, by=supervisor, file_format="csv", language="es")
    return {"export_id": export.pk, "import_id": checked(exported, by=supervisor).pk}


def _review_sample() -> int:
    """A review of one of the demo's contacts (training: quality review)."""
    contact = Contact.objects.filter(case__restricted=False).exclude(taken_by=None).first()
    return Review.objects.create(
        contact=contact,
        advocate=contact.taken_by,
        rubric=Rubric.objects.get(current=True),
        contact_at=contact.started_at,
    ).pk


def _practice_call_sample(trainee) -> int:
    return make_practice_call(trainee=trainee, language="es").pk


@pytest.fixture
def mexican_line(settings, tmp_path):
    settings.PUENTE_COUNTRY = "MX"
    settings.LANGUAGE_CODE = "es"
    settings.TIME_ZONE = "America/Mexico_City"
    settings.PUENTE_DEMO = True
    settings.PUENTE_MFA_REQUIRED = False
    settings.PUENTE_APPROVE_CROSS_BORDER = True

    from puente.cases.models import Case, CaseNote, Person, Task
    from puente.directory.models import Provider
    from puente.federation import domain as exchange
    from puente.federation import keys, schema
    from puente.federation.models import CrossBorderReferral, OutboxMessage
    from puente.intake.models import Contact
    from puente.referrals.models import AuthorityReport, Referral
    from puente.sampledata import demo
    from puente.screening.models import Protocol
    from tests.federation.conftest import deliver, encode, make_partner, offer_document, signed

    demo.seed_demo_data(country="MX")
    users = demo.demo_users()
    settings.PUENTE_SIGNING_KEY = keys.generate_private_key_pem().decode()
    partner = make_partner(
        name="National Human Trafficking Hotline", country="US", url="https://us.example"
    )
    case = Case.objects.filter(restricted=False, persons__isnull=False).order_by("id").first()
    offer = offer_document(
        sender_case_reference="US-2026-000042",
        summary="Woman, 24, needs shelter in Monterrey.",
        summary_language="en",
        **{"from": {"hotline": "National Human Trafficking Hotline", "country": "US"}},
    )
    message_id = offer["message_id"]
    assert deliver(
        signed(encode(offer), partner.private_key, message_id=message_id)
    ).status_code in {200, 202}
    exchange.send_referral(
        case=case,
        partner=partner.hotline,
        by=users["liaison"],
        consent_given=True,
        consent_method="verbal",
        fields=[f.name for f in schema.SUBJECT_FIELDS if not f.sensitive],
        summary="Necesita apoyo legal en Texas.",
        request=None,
    )
    outbox = OutboxMessage.objects.first()
    task = Task.objects.filter(case__restricted=False).first()
    samples = {
        "reference": case.reference,
        "contact_id": (Contact.objects.filter(case=case).first() or Contact.objects.first()).pk,
        "user_id": users["advocate"].pk,
        "person_id": Person.objects.filter(case=case).first().pk,
        "task_id": task.pk if task else None,
        "pk": Protocol.objects.values_list("pk", flat=True).first(),
        "provider_id": Provider.objects.values_list("pk", flat=True).first(),
        "referral_id": Referral.objects.values_list("pk", flat=True).first(),
        "report_id": AuthorityReport.objects.values_list("pk", flat=True).first(),
        # One received from the partner, one waiting for a supervisor's approval here.
        "cross_border_id": [
            CrossBorderReferral.objects.filter(direction="incoming").first().pk,
            CrossBorderReferral.objects.filter(direction="outgoing").first().pk,
        ],
        "partner_id": partner.hotline.pk,
        "key_id": partner.key_record.pk,
        "message_id": outbox.pk if outbox else None,
        # A finished periodic report and one of its figures (tests/insights).
        "run_id": finished_run().pk,
        "row": "signals_total",
        # A web chat waiting in the queue (its thread page).
        "thread_id": start_chat(token=new_chat_token(), language="spa").pk,
        # A dashboard chart's CSV (insights).
        "chart": "cases-by-type",
        # A released table, an HTCDS export of the demo's cases and the dry run of an
        # import of that file (sharing).
        "release_id": released().pk,
        **_htcds_samples(users["supervisor"], tmp_path),
        # A proposed match between two persons (networks: the review queue shows it).
        "link_id": sample_link().pk,
        # A seeded knowledge-base article, its first version, a review of a contact.
        "slug": "safety-planning",
        "number": 1,
        "review_id": _review_sample(),
        # A finished practice call of the demo's advocate (training: its result page).
        "call_id": _practice_call_sample(users["advocate"]),
    }
    assert CaseNote.objects.exists()
    person = Person.objects.exclude(last_name="").first()
    # Pages whose content comes from their query: search results, the caller-ID lookup.
    queried = [
        reverse("search:results") + "?" + urlencode({"q": person.last_name}),
        reverse("search:results") + "?" + urlencode({"q": demo.summary(country="MX").known_caller}),
        reverse("intake:phone_lookup")
        + "?"
        + urlencode({"phone": demo.summary(country="MX").known_caller}),
        reverse("cases:list") + "?status=closed",
        # "Appears in N other cases" and the network view of a number (networks).
        reverse("networks:appearances")
        + "?"
        + urlencode({"kind": "phone", "value": "664 055 0193"}),
        reverse("networks:graph") + "?" + urlencode({"q": "664 055 0193"}),
        reverse("networks:graph") + "?" + urlencode({"q": "no existe"}),
    ]
    return users, samples, queried


def _urls(samples: dict) -> tuple[list[str], set[str]]:
    urls, unknown = [], set()
    for name, pattern in _patterns():
        if name.split(":")[0] in SKIPPED_NAMESPACES or name in SKIPPED_NAMES:
            continue
        arguments = _arguments(pattern)
        missing = [a for a in arguments if samples.get(a) is None]
        if any(a not in samples and a not in UNFILLABLE for a in arguments):
            unknown.add(f"{name} ({', '.join(arguments)})")
            continue
        if missing:
            continue
        choices = [samples[a] if isinstance(samples[a], list) else [samples[a]] for a in arguments]
        for values in itertools.product(*choices):
            urls.append(reverse(name, kwargs=dict(zip(arguments, values, strict=True))))
    return sorted(set(urls)), unknown


def test_every_page_reads_in_spanish(mexican_line):
    users, samples, queried = mexican_line
    urls, unknown = _urls(samples)
    urls += queried
    assert not unknown, (
        "Pages whose arguments this test cannot fill yet; add a sample value for them: "
        + "; ".join(sorted(unknown))
    )
    data = _written_by_people()
    codes = _codes()
    report: dict[str, list[str]] = {}
    seen_pages = 0
    visitors = [("public", Client())] + [
        (role.value, signed_in_client(users[role.value])) for role in Role if role.value in users
    ]
    for who, client in visitors:
        # The person chose Spanish (the language switch's cookie) and the browser asks
        # for Mexican Spanish: both must land on the Spanish catalog.
        client.cookies["puente_language"] = "es"
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            seen_pages += 1
            assert response.get("Content-Language") == "es", url
            for problem in problems_in(
                VisibleText.of(response.content.decode()), data=data, codes=codes
            ):
                report.setdefault(f"{url} [{who}]", []).append(problem)
            if os.environ.get("PUENTE_SHOW_PAGES"):
                print(who, url)
    assert seen_pages > 40, f"only {seen_pages} pages were shown: the walk is not reaching them"
    assert not report, "Not in Spanish:\n" + "\n".join(
        f"  {where}: {'; '.join(found)}" for where, found in sorted(report.items())
    )


def test_the_checker_sees_english_and_codes(monkeypatch):
    monkeypatch.setattr(__import__(__name__, fromlist=["_"]), "_SHOW_CONTEXT", False)
    codes = {"sex_and_labour", "ForcedLabour"}
    assert problems_in("Guardar el caso", data=[], codes=codes) == []
    assert problems_in("Save the case", data=[], codes=codes) == ["English: Save, case, the"]
    assert problems_in("Tipo: sex_and_labour", data=[], codes=codes) == ["codes: sex_and_labour"]
    assert problems_in("Formas: ForcedLabour", data=[], codes=codes) == ["codes: ForcedLabour"]
    # What a person wrote is theirs; proper names are the same in both languages.
    assert (
        problems_in("Resumen: Caller saw the van", data=["Caller saw the van"], codes=codes) == []
    )
    assert problems_in("Socio: National Human Trafficking Hotline", data=[], codes=codes) == []
    html = '<p>Hola <script>var the = 1</script><span lang="en">the note</span><code>a_b</code></p>'
    assert VisibleText.of(html) == "Hola"
    assert "Status" in VisibleText.of('<td data-label="Status">Abierto</td>')


def test_the_mexican_demo_box_is_in_spanish(settings):
    """`puente demo --country MX` prints its logins box in the hotline's language."""
    import io

    from puente.sampledata import demo
    from puente.sampledata.management.commands.demo import Command

    settings.PUENTE_COUNTRY = "MX"
    settings.LANGUAGE_CODE = "es"
    out = io.StringIO()
    summary = demo.DemoSummary(
        created=True,
        country="MX",
        users=7,
        contacts=300,
        cases=40,
        known_caller="+525505014270",
        known_caller_contacts=3,
    )
    Command(stdout=out)._banner(summary, host="127.0.0.1", port=8001, serving=True)
    box = out.getvalue()
    assert "La verificación en dos pasos (MFA) no se exige en la demostración" in box
    assert "+52 55 0501 4270" in box and "300 contactos y 40 casos" in box
    assert "Two-step verification" not in box and "Sign in as" not in box
    text = " ".join(line.strip("│ ") for line in box.splitlines())
    for login in ("advocate", "supervisor", "liaison", "analyst", "administrator", "advocate2"):
        text = text.replace(login, " ")
    assert problems_in(text, data=[], codes=set()) == []
