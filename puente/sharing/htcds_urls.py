from django.urls import path

from puente.sharing import htcds_views as views

urlpatterns = [
    path("htcds/export/", views.export, name="htcds_export"),
    path("htcds/exports/<int:export_id>/", views.export_detail, name="htcds_export_detail"),
    path(
        "htcds/exports/<int:export_id>/progress/",
        views.export_progress,
        name="htcds_export_progress",
    ),
    path(
        "htcds/exports/<int:export_id>/download/",
        views.export_download,
        name="htcds_export_download",
    ),
    path("htcds/imports/", views.imports, name="htcds_imports"),
    path("htcds/imports/upload/", views.upload, name="htcds_upload"),
    path("htcds/imports/<int:import_id>/", views.import_detail, name="htcds_import"),
    path(
        "htcds/imports/<int:import_id>/progress/",
        views.import_progress,
        name="htcds_import_progress",
    ),
    path(
        "htcds/imports/<int:import_id>/confirm/", views.import_confirm, name="htcds_import_confirm"
    ),
    path("htcds/imports/<int:import_id>/cancel/", views.import_cancel, name="htcds_import_cancel"),
    path("htcds/imports/<int:import_id>/undo/", views.import_undo, name="htcds_import_undo"),
]
