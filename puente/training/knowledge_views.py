"""The knowledge base's pages: the list and search, an article, the editor with its
preview, the history with a side-by-side comparison, publishing and restoring, and the
suggestions fragment the intake screen loads. Thin: the rules and the audit are in
puente.training.knowledge."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from puente.core import choices as c
from puente.core.forms import apply_domain_errors
from puente.core.permissions import Perm, require_perm
from puente.training import knowledge
from puente.training.knowledge_forms import (
    ACTION_PREVIEW,
    ACTION_PUBLISH,
    ArticleForm,
    ArticleSearchForm,
)
from puente.training.models.knowledge import Article, ArticleVersion, Topic
from puente.training.text import render_text


@require_GET
@require_perm(Perm.KNOWLEDGE_VIEW)
def articles(request):
    form = ArticleSearchForm(request.GET or None)
    query = topic = ""
    if form.is_valid():
        query, topic = form.cleaned_data["q"], form.cleaned_data["topic"]
    found = knowledge.search_articles(query=query, topic=topic)
    return render(
        request,
        "training/knowledge/list.html",
        {
            "form": form,
            "query": query,
            "articles": found,
            "topics": dict(Topic.choices),
            "can_edit": request.user.can(Perm.KNOWLEDGE_EDIT),
            "drafts": (
                Article.objects.filter(published__isnull=True).order_by("slug")
                if request.user.can(Perm.KNOWLEDGE_EDIT)
                else []
            ),
        },
    )


def _reasons_and_signalers(article: Article) -> tuple[list[str], list[str]]:
    reasons = dict(c.ReasonForContact.choices)
    signalers = dict(c.SignalerType.choices)
    return (
        [str(reasons[r]) for r in article.reasons if r in reasons],
        [str(signalers[s]) for s in article.signaler_types if s in signalers],
    )


@require_GET
@require_perm(Perm.KNOWLEDGE_VIEW)
def article(request, slug: str):
    item = get_object_or_404(Article.objects.select_related("published"), slug=slug)
    can_edit = request.user.can(Perm.KNOWLEDGE_EDIT)
    if item.published is None and not can_edit:
        raise Http404
    version = item.published or knowledge.latest_version(item)
    reasons, signalers = _reasons_and_signalers(item)
    return render(
        request,
        "training/knowledge/article.html",
        {
            "article": item,
            "version": version,
            "body": render_text(version.body),
            "topic": Topic(item.topic).label,
            "reasons": reasons,
            "signalers": signalers,
            "can_edit": can_edit,
            "has_draft": can_edit and knowledge.has_draft(item),
        },
    )


def _content(form: ArticleForm) -> dict:
    return {f: form.cleaned_data.get(f, "") for f in knowledge.VERSION_FIELDS}


def _preview(form: ArticleForm) -> dict:
    data = form.cleaned_data
    return {
        "title_en": data["title_en"],
        "title_es": data["title_es"],
        "body_en": render_text(data["body_en"]),
        "body_es": render_text(data["body_es"]),
        "sources": [s.strip() for s in data["sources"].splitlines() if s.strip()],
    }


def _editor(request, *, item: Article | None):
    new = item is None
    if request.method == "POST":
        form = ArticleForm(request.POST, new=new)
    else:
        initial: dict = {}
        if item is not None:
            latest = knowledge.latest_version(item)
            initial = {f: getattr(latest, f) for f in knowledge.VERSION_FIELDS}
            initial.update(
                topic=item.topic, reasons=item.reasons, signaler_types=item.signaler_types
            )
        form = ArticleForm(initial=initial, new=new)
    preview = None
    action = request.POST.get("action", ACTION_PREVIEW)
    if request.method == "POST" and form.is_valid():
        if action == ACTION_PREVIEW:
            # Shown, never saved: nothing is written and readers see no change.
            preview = _preview(form)
        else:
            publish = action == ACTION_PUBLISH
            data = form.cleaned_data
            try:
                if new:
                    version = knowledge.create_article(
                        slug=data["slug"],
                        topic=data["topic"],
                        reasons=data["reasons"],
                        signaler_types=data["signaler_types"],
                        by=request.user,
                        request=request,
                        publish=publish,
                        change_note=data["change_note"],
                        **_content(form),
                    )
                else:
                    assert item is not None
                    version = knowledge.save_version(
                        article=item,
                        by=request.user,
                        request=request,
                        publish=publish,
                        change_note=data["change_note"],
                        topic=data["topic"],
                        reasons=data["reasons"],
                        signaler_types=data["signaler_types"],
                        **_content(form),
                    )
            except ValidationError as exc:
                apply_domain_errors(form, exc)
            else:
                text = (
                    _("Version %(number)s published.")
                    if publish
                    else _("Version %(number)s saved as a draft.")
                ) % {"number": version.number}
                messages.success(request, text)
                return redirect("training:article", slug=version.article.slug)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "training/knowledge/edit.html",
        {
            "form": form,
            "article": item,
            "preview": preview,
            "draft_pending": item is not None and knowledge.has_draft(item),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@require_perm(Perm.KNOWLEDGE_EDIT)
def article_new(request):
    return _editor(request, item=None)


@require_http_methods(["GET", "POST"])
@require_perm(Perm.KNOWLEDGE_EDIT)
def article_edit(request, slug: str):
    return _editor(request, item=get_object_or_404(Article, slug=slug))


@require_GET
@require_perm(Perm.KNOWLEDGE_EDIT)
def article_history(request, slug: str):
    item = get_object_or_404(Article.objects.select_related("published"), slug=slug)
    versions = item.versions.select_related("created_by").order_by("-number")
    return render(
        request,
        "training/knowledge/history.html",
        {"article": item, "versions": versions, "latest": knowledge.latest_version(item)},
    )


@require_GET
@require_perm(Perm.KNOWLEDGE_EDIT)
def article_version(request, slug: str, number: int):
    """One version as readers would see it, and what changed against another (the one
    before it unless ?against= names one), side by side."""
    item = get_object_or_404(Article.objects.select_related("published"), slug=slug)
    version = get_object_or_404(
        ArticleVersion.objects.select_related("created_by"), article=item, number=number
    )
    against_number = request.GET.get("against", "")
    against = None
    if against_number.isdigit():
        against = item.versions.filter(number=int(against_number)).first()
    elif number > 1:
        against = item.versions.filter(number__lt=number).order_by("-number").first()
    labels = {
        "title_en": _("Title (English)"),
        "title_es": _("Title (Spanish)"),
        "summary_en": _("Summary (English)"),
        "summary_es": _("Summary (Spanish)"),
        "body_en": _("Text (English)"),
        "body_es": _("Text (Spanish)"),
        "sources": _("Sources"),
    }
    differences = (
        [
            # The language the field is written in, for the rows' lang attribute.
            (labels[f], rows, f.rsplit("_", 1)[1] if f.endswith(("_en", "_es")) else "")
            for f, rows in knowledge.compare(against, version).items()
        ]
        if against
        else []
    )
    return render(
        request,
        "training/knowledge/version.html",
        {
            "article": item,
            "version": version,
            "against": against,
            "differences": differences,
            "body_en": render_text(version.body_en),
            "body_es": render_text(version.body_es),
            "is_published": item.published_id == version.pk,
            "others": item.versions.exclude(pk=version.pk)
            .order_by("-number")
            .values_list("number", flat=True),
        },
    )


@require_POST
@require_perm(Perm.KNOWLEDGE_EDIT)
def article_publish(request, slug: str, number: int):
    item = get_object_or_404(Article, slug=slug)
    get_object_or_404(ArticleVersion, article=item, number=number)
    knowledge.publish_version(article=item, number=number, by=request.user, request=request)
    messages.success(request, _("Version %(number)s published.") % {"number": number})
    return redirect("training:article", slug=slug)


@require_POST
@require_perm(Perm.KNOWLEDGE_EDIT)
def article_restore(request, slug: str, number: int):
    item = get_object_or_404(Article, slug=slug)
    get_object_or_404(ArticleVersion, article=item, number=number)
    version = knowledge.restore_version(
        article=item, number=number, by=request.user, request=request
    )
    messages.success(
        request,
        _("Version %(old)s restored as version %(new)s and published.")
        % {"old": number, "new": version.number},
    )
    return redirect("training:article_history", slug=slug)


@require_GET
@require_perm(Perm.KNOWLEDGE_VIEW)
def suggested(request):
    """The articles for the contact being recorded, as a fragment for the intake screen
    (which asks for it by URL name only: intake sits below training)."""
    reason = request.GET.get("reason", "")
    signaler = request.GET.get("signaler_type", "") or request.GET.get("signaler", "")
    found = knowledge.suggested_articles(
        reason=reason if reason in c.ReasonForContact.values else "",
        signaler_type=signaler if signaler in c.SignalerType.values else "",
    )
    return render(
        request,
        "training/knowledge/_suggested.html",
        {"articles": found, "asked": bool(reason or signaler)},
    )
