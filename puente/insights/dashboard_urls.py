from django.urls import URLPattern, path

from puente.insights import views

urlpatterns: list[URLPattern] = [
    path("dashboards/", views.dashboard, {"dashboard": "contacts"}, name="dashboards"),
    path("dashboards/cases/", views.dashboard, {"dashboard": "cases"}, name="dashboard_cases"),
    path("dashboards/places/", views.dashboard, {"dashboard": "places"}, name="dashboard_places"),
    path("dashboards/people/", views.dashboard, {"dashboard": "people"}, name="dashboard_people"),
    path(
        "dashboards/referrals/",
        views.dashboard,
        {"dashboard": "referrals"},
        name="dashboard_referrals",
    ),
    path("dashboards/csv/<slug:chart>/", views.dashboard_csv, name="dashboard_csv"),
]
