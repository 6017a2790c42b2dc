from django.urls import path

from puente.training import practice_views as views

urlpatterns = [
    path("practice/", views.practice_list, name="practice"),
    path("practice/start/<slug:slug>/", views.practice_start, name="practice_start"),
    path("practice/<int:call_id>/", views.practice_call, name="practice_call"),
    path("practice/<int:call_id>/say/", views.practice_say, name="practice_say"),
    path("practice/<int:call_id>/carry-on/", views.practice_carry_on, name="practice_carry_on"),
    path("practice/<int:call_id>/finish/", views.practice_finish, name="practice_finish"),
    path("practice/<int:call_id>/end/", views.practice_abandon, name="practice_abandon"),
    path("practice/<int:call_id>/result/", views.practice_result, name="practice_result"),
]
