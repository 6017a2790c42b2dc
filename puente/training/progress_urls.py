from django.urls import URLPattern, path

from puente.training import progress_views

urlpatterns: list[URLPattern] = [
    path("practice/team/", progress_views.team, name="practice_team"),
    path("practice/team/<int:user_id>/", progress_views.person, name="practice_person"),
    path("practice/mine/", progress_views.mine, name="my_practice"),
]
