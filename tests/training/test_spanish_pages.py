"""The training pages read in Spanish on the Spanish line: the checker of the Spanish
walk (tests/core/test_spanish_everywhere.py) over every page of the app, for the roles
that see them, with a review done, a draft waiting and a search made."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from puente.accounts.roles import Role
from puente.training import knowledge, quality
from puente.training.models.knowledge import Article
from puente.training.models.quality import Review
from tests.conftest import signed_in_client
from tests.core.test_spanish_everywhere import (
    VisibleText,
    _codes,
    _written_by_people,
    problems_in,
)
from tests.factories import make_contact, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish_line(settings):
    settings.PUENTE_COUNTRY = "MX"
    settings.LANGUAGE_CODE = "es"
    settings.TIME_ZONE = "America/Mexico_City"
    supervisor = make_user(Role.SUPERVISOR, first_name="Sara", last_name="Ruiz", language="es")
    advocate = make_user(Role.ADVOCATE, first_name="Ana", last_name="López", language="es")
    admin = make_user(Role.ADMINISTRATOR, first_name="Alma", last_name="Soto", language="es")
    make_contact(
        taken_by=advocate,
        started_at=timezone.now() - timedelta(hours=2),
        summary="Llamó una vecina por unos trabajadores encerrados.",
        language="spa",
        country="MX",
        subdivision="MX-NLE",
    )
    make_contact(
        taken_by=advocate, started_at=timezone.now() - timedelta(hours=3), summary="Pide refugio."
    )
    today = timezone.localdate()
    quality.draw_sample(
        by=supervisor, advocate=advocate, start=today - timedelta(days=1), end=today, size=2
    )
    done = Review.objects.order_by("pk").first()
    quality.submit_review(
        review=done,
        by=supervisor,
        values={cr.pk: 3 for cr in done.rubric.criteria.all()},
        comments="Muy bien la pregunta de seguridad.",
    )
    article = Article.objects.get(slug="safety-planning")
    version = article.published
    knowledge.save_version(
        article=article,
        by=admin,
        change_note="Se aclaró la sección de documentos",
        publish=False,
        **{
            f: getattr(version, f) + ("\nMás." if f.startswith("body") else "")
            for f in knowledge.VERSION_FIELDS
        },
    )
    return {"supervisor": supervisor, "advocate": advocate, "administrator": admin, "review": done}


def test_every_training_page_reads_in_spanish(spanish_line):
    review = spanish_line["review"]
    pages = {
        "advocate": [
            reverse("training:home"),
            reverse("training:articles"),
            reverse("training:articles") + "?q=trafico",
            reverse("training:articles") + "?q=zzzz",
            reverse("training:article", args=["safety-planning"]),
            reverse("training:suggested") + "?reason=crisis&signaler_type=family_friend",
            reverse("training:suggested") + "?reason=crisis&signaler_type=",
            reverse("training:suggested"),
            reverse("training:my_feedback"),
        ],
        "supervisor": [
            reverse("training:home"),
            reverse("training:reviews"),
            reverse("training:review", args=[review.pk]),
            reverse("training:rubric"),
            reverse("training:quality"),
            reverse("training:my_feedback"),
        ],
        "administrator": [
            reverse("training:articles"),
            reverse("training:article", args=["safety-planning"]),
            reverse("training:article_new"),
            reverse("training:article_edit", args=["safety-planning"]),
            reverse("training:article_history", args=["safety-planning"]),
            reverse("training:article_version", args=["safety-planning", 2]),
            reverse("training:article_version", args=["safety-planning", 1]),
        ],
    }
    # Every article, as any reader sees it.
    pages["advocate"] += [
        reverse("training:article", args=[slug])
        for slug in Article.objects.values_list("slug", flat=True)
    ]
    data = _written_by_people()
    codes = _codes()
    report = {}
    for who, urls in pages.items():
        client = signed_in_client(spanish_line[who])
        client.cookies["puente_language"] = "es"
        for url in urls:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
            assert response.status_code == 200, (who, url)
            found = problems_in(VisibleText.of(response.content.decode()), data=data, codes=codes)
            if found:
                report[f"{url} [{who}]"] = found
    assert not report, report


def test_a_preview_reads_in_spanish(spanish_line):
    client = signed_in_client(spanish_line["administrator"])
    client.cookies["puente_language"] = "es"
    response = client.post(
        reverse("training:article_edit", args=["caller-minor"]),
        {
            "action": "preview",
            "topic": "caller",
            "title_en": "T",
            "title_es": "Título",
            "body_en": "x",
            "body_es": "## Sección\n\n- uno\n- dos",
            "sources": "Ley General",
            "change_note": "Nota",
        },
        HTTP_ACCEPT_LANGUAGE="es-MX",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<h2>Sección</h2>" in html
    problems = problems_in(
        VisibleText.of(html), data=_written_by_people() + ["T", "x"], codes=_codes()
    )
    assert not problems
