from django.urls import URLPattern, path

from puente.networks import psi_views

urlpatterns: list[URLPattern] = [
    path("matches/", psi_views.matches, name="matches"),
    path("matches/policy/<int:partner_id>/", psi_views.policy, name="match_policy"),
]
