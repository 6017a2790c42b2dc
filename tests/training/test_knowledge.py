"""The knowledge base: seeded content, versions (draft, publish, restore), preview,
escaping, accent-insensitive search, the intake suggestions, and who may do what."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from puente.accounts.roles import Role
from puente.audit.models import AuditEntry
from puente.core import choices as c
from puente.training import knowledge
from puente.training.knowledge_seed import read_articles
from puente.training.models.knowledge import Article, ArticleVersion, Topic
from puente.training.text import render_text
from tests.conftest import signed_in_client
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _content(**overrides) -> dict:
    base = {
        "title_en": "Trafficking and smuggling",
        "title_es": "Trata y tráfico",
        "summary_en": "",
        "summary_es": "",
        "body_en": "Smuggling is a crossing.",
        "body_es": "El tráfico de migrantes es un cruce.",
        "sources": "Ley de Migración, art. 159",
    }
    return {**base, **overrides}


def _form(**overrides) -> dict:
    data = {**_content(), "topic": "law_mx", "change_note": "Clearer wording"}
    data.update(overrides)
    return data


# --- The seeded articles ------------------------------------------------------------


def test_an_install_has_the_seeded_articles_published_in_both_languages():
    files = read_articles()
    assert len(files) >= 14
    articles = Article.objects.select_related("published")
    assert articles.count() == len(files)
    for article in articles:
        version = article.published
        assert version is not None and version.number == 1
        assert version.title_en and version.title_es and version.title_en != version.title_es
        assert len(version.body_en) > 800 and len(version.body_es) > 800, article.slug
        assert len(version.source_list) >= 2, article.slug
        assert set(article.reasons) <= set(c.ReasonForContact.values), article.slug
        assert set(article.signaler_types) <= set(c.SignalerType.values), article.slug
    assert {a.topic for a in articles} == set(Topic.values)


def test_every_caller_type_the_issue_names_has_an_article():
    slugs = set(Article.objects.values_list("slug", flat=True))
    assert {
        "caller-worried-relative",
        "caller-minor",
        "caller-buyer",
        "caller-law-enforcement",
        "caller-survivor",
        "law-us-tvpa",
        "law-us-t-visa-continued-presence",
        "law-mx-ley-general",
        "mandatory-reporting",
        "referral-across-the-border",
        "working-with-interpreters",
        "safety-planning",
    } <= slugs


# --- Versions ------------------------------------------------------------------------


def test_a_draft_is_a_new_version_and_readers_keep_the_published_one():
    admin = make_user(Role.ADMINISTRATOR)
    article = Article.objects.get(slug="safety-planning")
    first = article.published
    draft = knowledge.save_version(
        article=article, by=admin, change_note="Draft", publish=False, **_content()
    )
    article.refresh_from_db()
    assert draft.number == 2 and article.published == first
    assert knowledge.has_draft(article)
    assert " trafico " not in article.search_text  # the draft is not searchable yet
    knowledge.publish_version(article=article, number=2, by=admin)
    article.refresh_from_db()
    assert article.published == draft and " trafico " in article.search_text
    assert not knowledge.has_draft(article)


def test_restoring_an_old_version_makes_a_new_published_version_with_its_text():
    admin = make_user(Role.ADMINISTRATOR)
    article = Article.objects.get(slug="safety-planning")
    original = article.published
    knowledge.save_version(article=article, by=admin, change_note="New", publish=True, **_content())
    restored = knowledge.restore_version(article=article, number=1, by=admin)
    article.refresh_from_db()
    assert restored.number == 3 and restored.restored_from == 1
    assert article.published == restored
    for field in knowledge.VERSION_FIELDS:
        assert getattr(restored, field) == getattr(original, field)
    assert list(article.versions.values_list("number", flat=True).order_by("number")) == [1, 2, 3]
    entries = AuditEntry.objects.filter(object_type="article", object_id=str(article.pk))
    assert entries.count() == 2
    assert entries.order_by("-id").first().reason == "Restored version 1"


def test_the_history_compares_two_versions_line_by_line():
    admin = make_user(Role.ADMINISTRATOR)
    article = knowledge.create_article(
        slug="compare-me",
        topic="law_mx",
        reasons=[],
        signaler_types=[],
        by=admin,
        publish=True,
        change_note="First",
        **_content(body_en="One.\nTwo.\nThree."),
    ).article
    knowledge.save_version(
        article=article,
        by=admin,
        change_note="Second",
        publish=False,
        **_content(body_en="One.\nTwo, changed.\nThree.\nFour."),
    )
    old, new = article.versions.get(number=1), article.versions.get(number=2)
    rows = knowledge.compare(old, new)
    assert list(rows) == ["body_en"]
    assert [(r.old, r.new, r.kind) for r in rows["body_en"]] == [
        ("One.", "One.", "same"),
        ("Two.", "Two, changed.", "changed"),
        ("Three.", "Three.", "same"),
        ("", "Four.", "added"),
    ]
    page = signed_in_client(admin).get(reverse("training:article_version", args=["compare-me", 2]))
    html = page.content.decode()
    assert "<del>Two.</del>" in html and "<ins>Two, changed.</ins>" in html


def test_saving_needs_both_languages_and_a_change_note():
    from django.core.exceptions import ValidationError

    admin = make_user(Role.ADMINISTRATOR)
    article = Article.objects.get(slug="safety-planning")
    with pytest.raises(ValidationError):
        knowledge.save_version(
            article=article, by=admin, change_note="x", publish=True, **_content(body_es="")
        )
    with pytest.raises(ValidationError):
        knowledge.save_version(
            article=article, by=admin, change_note=" ", publish=True, **_content()
        )
    assert article.versions.count() == 1


# --- The editor: preview, draft, publish -----------------------------------------------


def test_preview_shows_the_text_and_saves_nothing():
    admin = make_user(Role.ADMINISTRATOR)
    client = signed_in_client(admin)
    before = ArticleVersion.objects.count()
    response = client.post(
        reverse("training:article_edit", args=["safety-planning"]),
        _form(action="preview", body_en="## Heading\n\nPreviewed **text**."),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h2>Heading</h2>" in html and "Previewed <strong>text</strong>." in html
    assert ArticleVersion.objects.count() == before
    article = Article.objects.get(slug="safety-planning")
    assert article.published.number == 1
    assert not AuditEntry.objects.filter(object_type="article").exists()


def test_the_editor_saves_a_draft_then_publishes():
    admin = make_user(Role.ADMINISTRATOR)
    client = signed_in_client(admin)
    url = reverse("training:article_edit", args=["safety-planning"])
    response = client.post(url, _form(action="draft"))
    assert response.status_code == 302
    article = Article.objects.get(slug="safety-planning")
    assert article.published.number == 1 and article.versions.count() == 2
    # Readers still see version 1; the editor starts from the draft.
    assert (
        "Trata y tráfico"
        not in signed_in_client(make_user(Role.ADVOCATE))
        .get(reverse("training:article", args=["safety-planning"]), HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    assert "Trafficking and smuggling" in client.get(url).content.decode()
    response = client.post(reverse("training:article_publish", args=["safety-planning", 2]))
    article.refresh_from_db()
    assert response.status_code == 302 and article.published.number == 2
    assert article.topic == "law_mx"


def test_an_administrator_creates_an_article():
    admin = make_user(Role.ADMINISTRATOR)
    response = signed_in_client(admin).post(
        reverse("training:article_new"),
        _form(action="publish", slug="smuggling", reasons=["tip"], signaler_types=["business"]),
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="smuggling")
    assert article.published.created_by == admin
    assert article.reasons == ["tip"] and article.signaler_types == ["business"]
    assert AuditEntry.objects.filter(object_type="article", action="create").count() == 1


def test_the_history_restores_an_old_version():
    admin = make_user(Role.ADMINISTRATOR)
    client = signed_in_client(admin)
    article = Article.objects.get(slug="caller-minor")
    knowledge.save_version(article=article, by=admin, change_note="New", publish=True, **_content())
    history = client.get(reverse("training:article_history", args=["caller-minor"]))
    assert 'data-testid="restore-1"' in history.content.decode()
    client.post(reverse("training:article_restore", args=["caller-minor", 1]))
    article.refresh_from_db()
    assert article.published.number == 3 and article.published.restored_from == 1


# --- Escaping -------------------------------------------------------------------------


def test_the_renderer_escapes_everything_it_did_not_make():
    html = render_text(
        '## <img src=x onerror=alert(1)>\n\n<script>alert("x")</script>\n\n- **a<b>**\n1. <i>n</i>'
    )
    assert "<script>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "<h2>&lt;img src=x onerror=alert(1)&gt;</h2>" in html
    assert "<ul>\n<li><strong>a&lt;b&gt;</strong></li>\n</ul>" in html
    assert "<ol>\n<li>&lt;i&gt;n&lt;/i&gt;</li>\n</ol>" in html


def test_a_script_in_an_article_is_shown_as_text():
    admin = make_user(Role.ADMINISTRATOR)
    article = Article.objects.get(slug="caller-buyer")
    knowledge.save_version(
        article=article,
        by=admin,
        change_note="x",
        publish=True,
        **_content(
            title_en="<script>alert('t')</script>",
            body_en="<script>alert('b')</script>",
            sources="<script>alert('s')</script>",
        ),
    )
    html = (
        signed_in_client(make_user(Role.ADVOCATE))
        .get(reverse("training:article", args=["caller-buyer"]))
        .content.decode()
    )
    assert "<script>alert(" not in html
    assert html.count("&lt;script&gt;alert(") >= 3


# --- Search ---------------------------------------------------------------------------


def test_search_ignores_accents_and_case_like_the_case_search():
    found = {a.slug for a in knowledge.search_articles(query="trafico")}
    assert "law-mx-ley-general" in found  # "tráfico ilícito de migrantes"
    assert found == {a.slug for a in knowledge.search_articles(query="TRÁFICO")}
    assert {a.slug for a in knowledge.search_articles(query="interprete")} >= {
        "working-with-interpreters"
    }
    # Every word must match, each as the start of a word.
    both = {a.slug for a in knowledge.search_articles(query="visa contin")}
    assert "law-us-t-visa-continued-presence" in both
    assert both < {a.slug for a in knowledge.search_articles(query="visa")}
    assert "caller-buyer" not in both
    assert knowledge.search_articles(query="zzzqqq") == []
    assert knowledge.search_articles(query='"trata" OR *') != []  # syntax is just words


def test_the_search_page_finds_and_filters_by_topic():
    client = signed_in_client(make_user(Role.ADVOCATE))
    html = client.get(
        reverse("training:articles"), {"q": "trafico", "topic": "law_mx"}
    ).content.decode()
    assert 'data-testid="article-law-mx-ley-general"' in html
    assert 'data-testid="article-protocol-information-and-other-calls"' not in html
    html = client.get(reverse("training:articles"), {"q": "trafico"}).content.decode()
    assert 'data-testid="article-protocol-information-and-other-calls"' in html


# --- Suggestions on the intake screen ---------------------------------------------------


def test_suggestions_follow_the_reason_and_the_signaler_type():
    by_both = knowledge.suggested_articles(reason="crisis", signaler_type="law_enforcement")
    slugs = [a.slug for a in by_both]
    # An article for this caller type first, then those for this reason.
    assert slugs[0] == "caller-law-enforcement"
    assert "protocol-crisis" in slugs
    assert knowledge.suggested_articles(reason="", signaler_type="") == []
    minor = [a.slug for a in knowledge.suggested_articles(reason="hang_up", signaler_type="")]
    assert minor == ["protocol-information-and-other-calls"]


def test_the_suggestions_fragment_and_the_intake_screen():
    client = signed_in_client(make_user(Role.ADVOCATE))
    html = client.get(
        reverse("training:suggested"), {"reason": "tip", "signaler_type": "family_friend"}
    ).content.decode()
    assert reverse("training:article", args=["caller-worried-relative"]) in html
    assert 'data-testid="suggested-articles"' in html
    empty = client.get(reverse("training:suggested"), {"reason": "nonsense"}).content.decode()
    assert "suggested-articles" not in empty
    intake = client.get(reverse("intake:new")).content.decode()
    assert f'hx-get="{reverse("training:suggested")}"' in intake


# --- Who may do what --------------------------------------------------------------------

READ_PAGES = [
    ("training:home", []),
    ("training:articles", []),
    ("training:article", ["safety-planning"]),
    ("training:suggested", []),
]
EDIT_PAGES = [
    ("training:article_new", []),
    ("training:article_edit", ["safety-planning"]),
    ("training:article_history", ["safety-planning"]),
    ("training:article_version", ["safety-planning", 1]),
]


@pytest.mark.parametrize("name,args", READ_PAGES)
def test_reading_needs_knowledge_view(name, args):
    url = reverse(name, args=args)
    assert signed_in_client(make_user(Role.ADVOCATE)).get(url).status_code == 200
    assert signed_in_client(make_user(Role.ANALYST)).get(url).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.parametrize("name,args", EDIT_PAGES)
def test_editing_needs_knowledge_edit(name, args):
    url = reverse(name, args=args)
    assert signed_in_client(make_user(Role.ADMINISTRATOR)).get(url).status_code == 200
    assert signed_in_client(make_user(Role.ADVOCATE)).get(url).status_code == 403
    assert signed_in_client(make_user(Role.SUPERVISOR)).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_an_advocate_cannot_publish_or_restore():
    client = signed_in_client(make_user(Role.ADVOCATE))
    assert (
        client.post(reverse("training:article_restore", args=["safety-planning", 1])).status_code
        == 403
    )
    assert (
        client.post(reverse("training:article_publish", args=["safety-planning", 1])).status_code
        == 403
    )
    assert (
        client.post(
            reverse("training:article_edit", args=["safety-planning"]), _form(action="publish")
        ).status_code
        == 403
    )
    assert Article.objects.get(slug="safety-planning").versions.count() == 1


def test_an_unpublished_article_is_hidden_from_readers():
    admin = make_user(Role.ADMINISTRATOR)
    knowledge.create_article(
        slug="hidden",
        topic="safety",
        reasons=["crisis"],
        signaler_types=[],
        by=admin,
        publish=False,
        change_note="x",
        **_content(),
    )
    url = reverse("training:article", args=["hidden"])
    assert signed_in_client(make_user(Role.ADVOCATE)).get(url).status_code == 404
    assert signed_in_client(admin).get(url).status_code == 200
    assert "hidden" not in {
        a.slug for a in knowledge.suggested_articles(reason="crisis", signaler_type="")
    }
