from django.urls import path

from puente.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("providers/<int:provider_id>/", views.detail, name="detail"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.provider_new, name="new"),
    path("manage/<int:provider_id>/edit/", views.provider_edit, name="edit"),
    path("manage/import/", views.import_upload, name="import"),
    path("manage/import/<str:token>/", views.import_preview, name="import_preview"),
]
