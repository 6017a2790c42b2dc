"""The articles an install starts with, one text file per article in this folder,
loaded by migration 0002_knowledge (and never over an article that exists: editors'
changes stay). The file format:

    slug: safety-planning
    topic: safety
    reasons: crisis, services          (codes of puente.core.choices; may be empty)
    signalers: potential_victim
    title_en: …
    title_es: …
    summary_en: …
    summary_es: …
    === en
    the English text (the renderer's syntax, puente.training.text)
    === es
    the Spanish text
    === sources
    one source a line
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from puente.training.knowledge import search_text_of

FOLDER = Path(__file__).resolve().parent
SECTIONS = {"en": "body_en", "es": "body_es", "sources": "sources"}


def parse_article(text: str) -> dict[str, Any]:
    header, _sep, rest = text.partition("\n=== ")
    article: dict[str, Any] = {}
    for line in header.splitlines():
        if ":" in line:
            key, value = line.split(":", 1)
            article[key.strip()] = value.strip()
    for chunk in ("=== " + rest).split("\n=== "):
        name, _nl, body = chunk.removeprefix("=== ").partition("\n")
        if name.strip() in SECTIONS:
            article[SECTIONS[name.strip()]] = body.strip() + "\n"
    for key in ("reasons", "signalers"):
        article[key] = [code.strip() for code in article.get(key, "").split(",") if code.strip()]
    return article


def read_articles() -> list[dict[str, Any]]:
    return [
        parse_article(path.read_text(encoding="utf-8")) for path in sorted(FOLDER.glob("*.txt"))
    ]


def seed_articles(article_model: Any, version_model: Any, using: str = "default") -> int:
    """Create each article that does not exist yet, published as version 1."""
    created = 0
    for data in read_articles():
        if article_model.objects.db_manager(using).filter(slug=data["slug"]).exists():
            continue
        article = article_model.objects.db_manager(using).create(
            slug=data["slug"],
            topic=data["topic"],
            reasons=data["reasons"],
            signaler_types=data["signalers"],
        )
        content = {
            f: data.get(f, "")
            for f in (
                "title_en",
                "title_es",
                "summary_en",
                "summary_es",
                "body_en",
                "body_es",
                "sources",
            )
        }
        version = version_model.objects.db_manager(using).create(
            article=article, number=1, change_note="Installed with Puente", **content
        )
        article.published = version
        article.search_text = search_text_of(content)
        article.save(update_fields=["published", "search_text"])
        created += 1
    return created
