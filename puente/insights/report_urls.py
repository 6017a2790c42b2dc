from django.urls import path

from puente.insights import report_views

urlpatterns = [
    path("reports/", report_views.reports, name="reports"),
    path("reports/<int:run_id>/", report_views.report, name="report"),
    path("reports/<int:run_id>/progress/", report_views.report_progress, name="report_progress"),
    path(
        "reports/<int:run_id>/figures/<slug:row>/",
        report_views.report_figure,
        name="report_figure",
    ),
    path(
        "reports/<int:run_id>/xlsx/",
        report_views.report_download,
        {"fmt": "xlsx"},
        name="report_xlsx",
    ),
    path(
        "reports/<int:run_id>/pdf/",
        report_views.report_download,
        {"fmt": "pdf"},
        name="report_pdf",
    ),
]
