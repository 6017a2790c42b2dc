from django.urls import URLPattern, path

from puente.sharing import release_views

urlpatterns: list[URLPattern] = [
    path("releases/", release_views.releases_log, name="releases"),
    path("releases/new/", release_views.release_new, name="release_new"),
    path("releases/microdata/", release_views.microdata, name="release_microdata"),
    path("releases/<uuid:release_id>/", release_views.release, name="release"),
    path(
        "releases/<uuid:release_id>/confirm/",
        release_views.release_confirm,
        name="release_confirm",
    ),
    path("releases/<uuid:release_id>/csv/", release_views.release_csv, name="release_csv"),
]
