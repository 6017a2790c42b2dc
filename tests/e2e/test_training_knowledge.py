"""The knowledge base in Chromium: an advocate on the Spanish line records a contact and
opens the article the intake screen suggests for it; an administrator edits an article,
previews it (nothing saved) and publishes it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from puente.accounts.roles import Role
from puente.training.knowledge_seed import seed_articles
from puente.training.models.knowledge import Article, ArticleVersion
from puente.training.models.quality import Criterion, Rubric
from puente.training.quality_seed import seed_rubric
from tests.e2e.journeys import VARIANTS, check_page, signed_in_page, use_hotline
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPANISH = [v for v in VARIANTS if v.id.startswith("es-")]


def _seeded() -> None:
    # A transactional test empties the tables between tests, migrations' rows included.
    seed_articles(Article, ArticleVersion)
    seed_rubric(Rubric, Criterion)


@pytest.mark.parametrize("variant", SPANISH)
def test_an_advocate_opens_the_article_suggested_for_the_call(
    request, browser, asgi_server, settings, assert_accessible, variant
):
    use_hotline(settings, variant)
    _seeded()
    advocate = make_user(Role.ADVOCATE, username="lucia", language=variant.language)
    page = signed_in_page(request, browser, asgi_server, advocate, variant)
    page.goto(asgi_server.url + reverse("intake:new"))
    panel = page.locator("[data-testid=suggested-panel]")
    expect(panel.locator("h2")).to_have_text("Artículos para esta llamada")
    page.select_option("#id_reason", "crisis")
    page.select_option("#id_signaler_type", "family_friend")
    link = panel.locator("[data-testid=suggested-articles] a").first
    expect(link).to_have_text("Tipo de persona que llama: un familiar o amistad preocupada")
    check_page(page, "intake with suggestions", variant, assert_accessible)
    with page.context.expect_page() as opened:
        link.click()
    article = opened.value
    article.wait_for_load_state()
    expect(article.locator("[data-testid=article-title]")).to_have_text(
        "Tipo de persona que llama: un familiar o amistad preocupada"
    )
    expect(article.locator("[data-testid=article-body]")).to_contain_text("Personas desaparecidas")
    expect(article.locator("[data-testid=article-sources]")).to_be_visible()
    check_page(article, "suggested article", variant, assert_accessible)
    # The contact being typed is still there in the first tab.
    assert page.locator("#id_reason").input_value() == "crisis"


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.id in ("en-desktop", "es-desktop")])
def test_an_administrator_previews_then_publishes_an_edit(
    request, browser, asgi_server, settings, assert_accessible, variant
):
    use_hotline(settings, variant)
    _seeded()
    admin = make_user(Role.ADMINISTRATOR, username="alma", language=variant.language)
    page = signed_in_page(request, browser, asgi_server, admin, variant)
    page.goto(asgi_server.url + reverse("training:article", args=["safety-planning"]))
    check_page(page, "article", variant, assert_accessible)
    page.locator("[data-testid=edit-article]").click()
    body = page.locator("#id_body_es")
    body.fill(body.input_value() + "\n\n## Después de 30 días\n\n- Revise el plan con la persona.")
    page.locator("#id_change_note").fill("Revisión a los 30 días")
    page.locator("[data-testid=preview-button]").click()
    expect(page.locator("[data-testid=preview-es] h2")).to_contain_text(["Después de 30 días"])
    check_page(page, "article preview", variant, assert_accessible)
    article = Article.objects.get(slug="safety-planning")
    assert article.versions.count() == 1 and article.published.number == 1
    page.locator("[data-testid=publish-button]").click()
    expect(page.locator("[data-testid=article-title]")).to_be_visible()
    article.refresh_from_db()
    assert article.published.number == 2 and article.published.created_by == admin
    assert "Después de 30 días" in article.published.body_es
    page.locator("[data-testid=article-history]").click()
    expect(page.locator("[data-testid=version-2]")).to_contain_text("Revisión a los 30 días")
    check_page(page, "article history", variant, assert_accessible)
