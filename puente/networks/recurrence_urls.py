from django.urls import path

from puente.networks import recurrence_views as views

urlpatterns = [
    path("appearances/", views.appearances, name="appearances"),
    path("cases/<str:reference>/appearances/", views.case_appearances, name="case_appearances"),
    path("graph/", views.graph, name="graph"),
    path("graph/csv/", views.graph_csv, name="graph_csv"),
]
