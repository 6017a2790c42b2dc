from django.urls import URLPattern, path

from puente.training import knowledge_views

urlpatterns: list[URLPattern] = [
    path("articles/", knowledge_views.articles, name="articles"),
    path("articles/new/", knowledge_views.article_new, name="article_new"),
    path("articles/suggested/", knowledge_views.suggested, name="suggested"),
    path("articles/<slug:slug>/", knowledge_views.article, name="article"),
    path("articles/<slug:slug>/edit/", knowledge_views.article_edit, name="article_edit"),
    path("articles/<slug:slug>/history/", knowledge_views.article_history, name="article_history"),
    path(
        "articles/<slug:slug>/versions/<int:number>/",
        knowledge_views.article_version,
        name="article_version",
    ),
    path(
        "articles/<slug:slug>/versions/<int:number>/publish/",
        knowledge_views.article_publish,
        name="article_publish",
    ),
    path(
        "articles/<slug:slug>/versions/<int:number>/restore/",
        knowledge_views.article_restore,
        name="article_restore",
    ),
]
