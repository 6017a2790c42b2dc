"""A practice call in Chromium, on the Mexican line in Spanish (phone and desktop): a
trainee takes the cantina scenario, answers Karla the ideal way, follows the console into
the hotline's real screens — working on the sandbox, the banner on every page — records
the contact with her number, screens it under the Ley General, opens a case and refers
her to a shelter and to legal help from the directory, goes back to the call, hears how
it ends and passes with feedback on each step. Then the fence, seen from outside the
call: the trainee's real account may not record a contact, a supervisor's search finds
nothing of Karla, and only the sandbox holds her contact; the supervisor sees the passed
scenario on the trainee's progress."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.cases.models import Case
from puente.core import choices as c
from puente.directory import domain as directory
from puente.intake.models import Contact
from puente.referrals.models import Referral
from puente.screening.models import Screening
from puente.training import practice_engine as engine
from puente.training import scenarios
from puente.training.knowledge_seed import seed_articles
from puente.training.models.knowledge import Article, ArticleVersion
from puente.training.models.practice import PracticeCall
from tests.e2e.journeys import VARIANTS, check_page, go_by_menu, signed_in_page, use_hotline
from tests.factories import make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "practice"]),
]

SPANISH = [v for v in VARIANTS if v.id.startswith("es-")]

CANTINA = "cantina-debt-bondage"
SANDBOX = "practice"


class _Migration:
    """What a data migration's seed function is handed: the connection it writes to."""

    connection = connection


def _seeded() -> None:
    """A transactional test empties the tables between tests, migrations' rows included:
    put back the protocols the intake and screening screens show (the sandbox copies them
    at the start of the call) and the articles the intake suggests."""
    protocols = importlib.import_module("puente.screening.migrations.0002_seed_protocols")
    protocols.seed(apps, _Migration())
    seed_articles(Article, ArticleVersion)


def _listing(name: str, service: str) -> None:
    """A Guadalajara provider in the real directory; the sandbox copies it at the start of
    the call, so the trainee refers to the hotline's own listings."""
    directory.create_provider(
        by=make_user(Role.ADMINISTRATOR),
        name=name,
        kind="service_ngo",
        services=[service],
        languages=["spa"],
        populations=["women", "adults"],
        country="MX",
        subdivision="MX-JAL",
        city="Guadalajara",
        postal_code="44100",
        coverage=["MX-JAL"],
        last_verified=timezone.localdate() - timedelta(days=30),
    )


def _refer(page, case: str, service: str, provider: str) -> None:
    """From the case page's referrals: find the provider for the need in the directory
    (near the case's place), refer, record Karla's spoken consent."""
    page.locator("#tab-referrals-and-reports").click()
    page.locator(f"#referrals a[href='{reverse('directory:search')}?case={quote(case)}']").click()
    expect(page.locator("[data-testid=for-case]")).to_contain_text(case)
    page.select_option("#id_need", service)
    page.locator("form.search-form button[type=submit]").click()
    result = page.locator("[data-testid=provider-result]", has_text=provider)
    result.locator("[data-testid=refer]").click()
    expect(page.locator("[data-testid=chosen-provider]")).to_contain_text(provider)
    expect(page.locator("#id_service")).to_have_value(service)
    page.check("#id_consent_given")
    page.select_option("#id_consent_method", "verbal")
    page.fill("#id_notes", "Karla aceptó que se compartan su nombre y su número.")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{re.escape(case)}/#referrals$"))
    expect(page.locator("#referrals [data-testid=referral]", has_text=provider)).to_be_visible()


@pytest.mark.parametrize("variant", SPANISH)
def test_a_trainee_takes_a_practice_call_in_spanish_and_passes(
    request, browser, asgi_server, settings, assert_accessible, variant
):
    use_hotline(settings, variant)
    _seeded()
    shelter, legal = "Refugio Casa Luz (ficticio)", "Defensoría para Mujeres (ficticio)"
    _listing(shelter, "shelter_emergency_housing")
    _listing(legal, "legal")
    scenario = scenarios.get(CANTINA)
    ideal = scenario.ideal
    with translation.override("es"):
        high = str(c.label_for(c.IndicatorLevel, "high"))
    trainee = make_user(
        Role.TRAINEE, username="sofia", first_name="Sofía", last_name="Ruiz", language="es"
    )
    supervisor = make_user(
        Role.SUPERVISOR, username="marta", first_name="Marta", last_name="Ibarra", language="es"
    )
    page = signed_in_page(request, browser, asgi_server, trainee, variant)
    url = asgi_server.url

    # Capacitación → Llamadas de práctica: the scenario, in Spanish, with its button.
    page.goto(url + reverse("core:home"))
    go_by_menu(page, reverse("training:home"))
    page.locator(
        f"[data-testid=training-practice] a[href='{reverse('training:practice')}']"
    ).click()
    row = page.locator(f"[data-testid=scenario-{CANTINA}]")
    expect(row).to_contain_text(scenario.title("es"))
    check_page(page, "practice calls", variant, assert_accessible)
    row.get_by_role("button", name="Tomar la llamada").click()
    expect(page).to_have_url(re.compile(r"/training/practice/\d+/$"))
    call = PracticeCall.objects.get(trainee=trainee, scenario=CANTINA)
    phone = page.locator("[data-testid=caller-phone]").inner_text()
    assert phone == scenario.caller["phone"]

    # Karla speaks in Spanish; the trainee answers as the scenario's ideal has it.
    node = scenario.start
    while engine.turn(scenario, node, "es").kind == engine.SAY:
        says = engine.turn(scenario, node, "es").text
        expect(page.locator("[data-testid=caller-says]")).to_have_text(says)
        if node == scenario.start:
            check_page(page, "practice call console", variant, assert_accessible)
        choice = ideal.choices[node]
        page.locator(f"[data-testid=choice-{choice}]").click()
        node = engine.choose(scenario, node, choice)
        expect(page.locator("[data-testid=transcript]")).to_contain_text(says)
    assert node == "record_case"
    expect(page.locator("[data-testid=record-instructions]")).to_have_text(
        engine.turn(scenario, node, "es").text
    )

    # Into the real intake screen, on the sandbox: the banner says so, in Spanish.
    page.locator("[data-testid=open-intake]").click()
    banner = page.locator(".practice-banner")
    expect(banner).to_contain_text("Llamada de práctica")
    expect(banner).to_contain_text(scenario.title("es"))
    page.locator("#id_phone").press_sequentially(phone)
    page.locator("#id_phone").press("Tab")
    page.select_option("#id_channel", "phone")
    page.select_option("#id_reason", ideal.recorded.reason)
    page.select_option("#id_signaler_type", ideal.recorded.signaler_type)
    page.select_option("#id_country", "MX")
    page.wait_for_load_state("networkidle")  # the country's states replace the list
    page.select_option("#id_subdivision", "MX-JAL")
    expect(page.locator("#id_subdivision")).to_have_value("MX-JAL")
    page.fill("#id_city", "Zapopan")
    page.fill(
        "#id_summary",
        "Joven reclutada como mesera en una cantina de Zapopan; le cobran una deuda que "
        "nunca baja, la obligan a subir con clientes, le quitan lo que gana y su credencial, "
        "y amenazan a su familia. Acepta un refugio; no quiere a la policía.",
    )
    check_page(page, "intake on the sandbox", variant, assert_accessible)
    page.wait_for_load_state("networkidle")  # the draft's autosave lands first
    page.locator("#intake-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/intake/contacts/\d+/$"))
    expect(banner).to_be_visible()
    contact = Contact.objects.using(SANDBOX).get(taken_by=trainee.pk)
    assert (contact.phone, contact.reason, contact.signaler_type) == (
        scenario.caller["phone"], "services", "potential_victim",
    )  # fmt: skip

    # Screen it under the Ley General: the ideal indicators reach a high level.
    page.locator(f"a[href='{reverse('screening:contact', args=[contact.pk])}']").click()
    expect(banner).to_be_visible()
    expect(page.locator("#id_legal_frame")).to_have_value(ideal.recorded.legal_frame)
    for code in sorted(ideal.recorded.indicators):
        page.check(f"input[name=indicators][value={code}]")
    expect(page.locator("#screening-result [data-testid=level]")).to_contain_text(high)
    check_page(page, "screening on the sandbox", variant, assert_accessible)
    page.locator("[data-testid=result-panel] button[type=submit]").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("intake:detail", args=[contact.pk])) + "$")
    )

    # Open a case from the contact, then refer Karla from it.
    page.locator(f"form[action='{reverse('intake:open_case', args=[contact.pk])}'] button").click()
    expect(page).to_have_url(re.compile(r"/cases/MX-\d{4}-\d{6}/"))
    expect(banner).to_be_visible()
    case = Case.objects.using(SANDBOX).get()
    check_page(page, "case on the sandbox", variant, assert_accessible)
    _refer(page, case.reference, "shelter_emergency_housing", shelter)
    _refer(page, case.reference, "legal", legal)
    assert set(
        Referral.objects.using(SANDBOX).filter(case=case.pk).values_list("service", flat=True)
    ) == set(ideal.recorded.referral_services)
    # On the sandbox, searching her number finds the contact just recorded.
    search = url + reverse("search:results") + "?q=" + quote(phone)
    page.goto(search)
    expect(page.locator("[data-testid=contact-results]")).to_contain_text(case.reference)

    # Back to the call: the console links to the case, and Karla's call goes on.
    banner.get_by_role("link", name="Volver a la llamada").click()
    expect(page).to_have_url(
        re.compile(re.escape(reverse("training:practice_call", args=[call.pk])))
    )
    expect(page.locator(".practice-banner")).to_have_count(0)
    expect(page.locator("[data-testid=open-case]")).to_contain_text(case.reference)
    page.locator("[data-testid=carry-on]").click()
    # A high level and a referral: the supervisor's good ending.
    expect(page.locator("[data-testid=caller-says]")).to_have_text(
        engine.turn(scenario, "end_good", "es").text
    )
    page.locator("[data-testid=finish]").click()

    # The score: passed, with the feedback for each step in Spanish.
    expect(page).to_have_url(
        re.compile(re.escape(reverse("training:practice_result", args=[call.pk])))
    )
    call.refresh_from_db()
    assert call.status == "completed" and call.passed and call.score == 100
    expect(page.locator("[data-testid=practice-score]")).to_have_text("100 %")
    expect(page.locator("[data-testid=practice-passed]")).to_have_text("Aprobada")
    steps = page.locator("[data-testid=step-feedback] > li")
    expect(steps).to_have_count(len(call.result["steps"]))
    for n, step in enumerate(call.result["steps"]):
        expect(steps.nth(n)).to_contain_text(step["feedback"]["es"])
    check_page(page, "practice call result", variant, assert_accessible)

    # The fence. Off the call, the trainee's own account records nothing.
    response = page.goto(url + reverse("intake:new"))
    assert response.status == 403
    expect(page.locator("[data-testid=error-403]")).to_be_visible()
    expect(page.locator(".practice-banner")).to_have_count(0)
    expect(page.locator("#intake-form")).to_have_count(0)
    # Karla's contact and case are in the sandbox only.
    assert Contact.objects.using(SANDBOX).filter(phone=phone).count() == 1
    assert not Contact.objects.filter(phone=phone).exists()
    assert not Case.objects.exists() and not Screening.objects.exists()
    # The same search by a supervisor on the real line finds nothing; the trainee's
    # progress shows the pass.
    boss = signed_in_page(request, browser, asgi_server, supervisor, variant)
    boss.goto(search)
    expect(boss.locator("[data-testid=no-results]")).to_be_visible()
    expect(boss.locator(".practice-banner")).to_have_count(0)
    boss.goto(url + reverse("training:practice_team"))
    boss.locator(f"[data-testid=progress-{trainee.pk}] a").click()
    passed = boss.locator(f"[data-testid=scenario-{CANTINA}]")
    expect(passed).to_contain_text(scenario.title("es"))
    expect(passed).to_contain_text("100 %")
    expect(boss.locator(f"[data-testid=call-{call.pk}]")).to_contain_text("Aprobada")
