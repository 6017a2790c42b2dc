from django.urls import path

from puente.networks import linkage_views as views

urlpatterns = [
    path("links/", views.links, name="links"),
    path("links/<int:link_id>/decide/", views.link_decide, name="link_decide"),
    path("links/run/", views.link_run, name="link_run"),
]
