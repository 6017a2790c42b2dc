from django.urls import path

from puente.referrals import views

app_name = "referrals"
urlpatterns = [
    path("new/", views.referral_new, name="new"),
    path("<int:referral_id>/edit/", views.referral_edit, name="edit"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:report_id>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:report_id>/approval/", views.report_approval, name="report_approval"),
]
