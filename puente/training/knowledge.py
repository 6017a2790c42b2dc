"""The knowledge base's rules: saving a version, publishing, restoring, comparing two
versions, searching, and the articles suggested for a contact on the intake screen.

Every write is a new ArticleVersion inside a transaction with its audit entry; a
published version is never edited. Search folds text with puente.search's own rule
(`fold`, `words_of`), so "trafico" finds "tráfico" exactly as the case search does.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from puente.accounts.models import User
from puente.audit.domain import record_event
from puente.search.indexing import fold
from puente.search.queries import words_of
from puente.training.models.knowledge import Article, ArticleVersion, Topic

# The fields a version carries, in the order the history compares them.
VERSION_FIELDS = (
    "title_en",
    "title_es",
    "summary_en",
    "summary_es",
    "body_en",
    "body_es",
    "sources",
)
MAX_RESULTS = 50


def search_text_of(version: ArticleVersion | dict[str, Any]) -> str:
    """Folded words of both languages, space separated, with a leading space."""
    get = version.get if isinstance(version, dict) else lambda f: getattr(version, f)
    text = " ".join(str(get(f) or "") for f in VERSION_FIELDS)
    return " " + " ".join(re.findall(r"\w+", fold(text))) + " "


def _next_number(article: Article) -> int:
    top = article.versions.aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def _check_content(content: dict[str, Any]) -> None:
    missing = [
        f
        for f in ("title_en", "title_es", "body_en", "body_es", "sources")
        if not str(content.get(f) or "").strip()
    ]
    if missing:
        raise ValidationError(
            _("An article needs its title and text in both languages and its sources."),
            code="incomplete",
        )


def _publish(article: Article, version: ArticleVersion) -> None:
    article.published = version
    article.search_text = search_text_of(version)
    article.save(update_fields=["published", "search_text"])


@transaction.atomic
def create_article(
    *,
    slug: str,
    topic: str,
    reasons: list[str],
    signaler_types: list[str],
    by: User,
    request: HttpRequest | None = None,
    publish: bool,
    change_note: str,
    **content: Any,
) -> ArticleVersion:
    if topic not in Topic.values:
        raise ValidationError(_("Choose a topic."), code="topic")
    if Article.objects.filter(slug=slug).exists():
        raise ValidationError(_("An article with this short name exists already."), code="slug")
    _check_content(content)
    article = Article.objects.create(
        slug=slug, topic=topic, reasons=reasons, signaler_types=signaler_types
    )
    version = ArticleVersion.objects.create(
        article=article, number=1, created_by=by, change_note=change_note, **content
    )
    if publish:
        _publish(article, version)
    record_event(
        action="create",
        actor=by,
        obj=article,
        object_ref=article.slug,
        changes=[{"field": "version", "new": 1}, {"field": "published", "new": publish}],
        reason=change_note,
        request=request,
    )
    return version


@transaction.atomic
def save_version(
    *,
    article: Article,
    by: User,
    change_note: str,
    publish: bool,
    topic: str | None = None,
    reasons: list[str] | None = None,
    signaler_types: list[str] | None = None,
    request: HttpRequest | None = None,
    restored_from: int | None = None,
    **content: Any,
) -> ArticleVersion:
    """A new version of `article` with `content` (every VERSION_FIELDS value); published
    at once with `publish`, else a draft. Topic and suggestion codes are the article's
    own (not versioned) and change only when given."""
    _check_content(content)
    if not change_note.strip():
        raise ValidationError(_("Say briefly what changed."), code="change_note")
    article = Article.objects.select_for_update().get(pk=article.pk)
    previous = article.published
    version = ArticleVersion.objects.create(
        article=article,
        number=_next_number(article),
        created_by=by,
        change_note=change_note.strip(),
        restored_from=restored_from,
        **{f: content.get(f, "") for f in VERSION_FIELDS},
    )
    changes: list[dict[str, Any]] = [{"field": "version", "new": version.number}]
    if previous is not None:
        changes += [
            {"field": f} for f in VERSION_FIELDS if getattr(previous, f) != getattr(version, f)
        ]
    updates = {}
    for field, value in (
        ("topic", topic),
        ("reasons", reasons),
        ("signaler_types", signaler_types),
    ):
        if value is not None and getattr(article, field) != value:
            changes.append({"field": field, "old": getattr(article, field), "new": value})
            updates[field] = value
    if updates:
        for field, value in updates.items():
            setattr(article, field, value)
        article.save(update_fields=list(updates))
    if publish:
        _publish(article, version)
        changes.append({"field": "published", "new": version.number})
    record_event(
        action="change",
        actor=by,
        obj=article,
        object_ref=article.slug,
        changes=changes,
        reason=version.change_note,
        request=request,
    )
    return version


@transaction.atomic
def publish_version(
    *, article: Article, number: int, by: User, request: HttpRequest | None = None
) -> ArticleVersion:
    """Publish a saved draft (or re-publish an older version as it stands)."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    version = article.versions.get(number=number)
    old = article.published.number if article.published else None
    if old == number:
        return version
    _publish(article, version)
    record_event(
        action="change",
        actor=by,
        obj=article,
        object_ref=article.slug,
        changes=[{"field": "published", "old": old, "new": number}],
        request=request,
    )
    return version


def restore_version(
    *, article: Article, number: int, by: User, request: HttpRequest | None = None
) -> ArticleVersion:
    """Bring an older text back as a new, published version: the history keeps what
    happened in between, and readers see the restored text at once."""
    old = article.versions.get(number=number)
    return save_version(
        article=article,
        by=by,
        publish=True,
        change_note=str(_("Restored version %(number)s") % {"number": number}),
        restored_from=number,
        request=request,
        **{f: getattr(old, f) for f in VERSION_FIELDS},
    )


def latest_version(article: Article) -> ArticleVersion:
    return article.versions.order_by("-number").first()  # type: ignore[return-value]


def has_draft(article: Article) -> bool:
    latest = latest_version(article)
    return latest is not None and (
        article.published is None or latest.number > article.published.number
    )


@dataclass(frozen=True)
class DiffRow:
    old: str
    new: str
    kind: str  # "same", "changed", "added", "removed"


def compare(old: ArticleVersion, new: ArticleVersion) -> dict[str, list[DiffRow]]:
    """Line by line, per field that differs: the rows of a side-by-side view."""
    result: dict[str, list[DiffRow]] = {}
    for field in VERSION_FIELDS:
        a = (getattr(old, field) or "").splitlines()
        b = (getattr(new, field) or "").splitlines()
        if a == b:
            continue
        rows: list[DiffRow] = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if tag == "equal":
                rows += [DiffRow(x, y, "same") for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
            elif tag == "delete":
                rows += [DiffRow(x, "", "removed") for x in a[i1:i2]]
            elif tag == "insert":
                rows += [DiffRow("", y, "added") for y in b[j1:j2]]
            else:
                left, right = a[i1:i2], b[j1:j2]
                for k in range(max(len(left), len(right))):
                    rows.append(
                        DiffRow(
                            left[k] if k < len(left) else "",
                            right[k] if k < len(right) else "",
                            "changed",
                        )
                    )
        result[field] = rows
    return result


def published_articles() -> QuerySet[Article]:
    return Article.objects.filter(published__isnull=False).select_related("published")


def search_articles(*, query: str, topic: str = "") -> list[Article]:
    """Published articles holding every word of `query` (each as the start of a word,
    like the case search's prefix match), in either language, accents and case
    ignored. The text is folded in Python on both sides, so a plain LIKE gives the same
    answer on SQLite and PostgreSQL."""
    articles = published_articles()
    if topic in Topic.values:
        articles = articles.filter(topic=topic)
    for word in words_of(query):
        articles = articles.filter(search_text__contains=" " + word)
    found = list(articles[: MAX_RESULTS if query.strip() else 500])
    return sorted(found, key=lambda a: (a.topic, a.published.title.lower()))  # type: ignore[union-attr]


def suggested_articles(*, reason: str, signaler_type: str, limit: int = 5) -> list[Article]:
    """Published articles for a contact's reason and signaler type. Each match counts
    the same; the protocol for this reason and the article about this kind of caller
    count a little more, so they come first. A handful of articles: filtered in Python
    (JSON list containment differs between the two databases)."""
    ranked = []
    for article in published_articles():
        by_reason = bool(reason) and reason in article.reasons
        by_signaler = bool(signaler_type) and signaler_type in article.signaler_types
        if not (by_reason or by_signaler):
            continue
        score = 2 * by_reason + 2 * by_signaler
        score += (by_reason and article.topic == Topic.PROTOCOL) or (
            by_signaler and article.topic == Topic.CALLER
        )
        ranked.append((-score, article.slug, article))
    return [article for *_key, article in sorted(ranked)][:limit]
