from django.urls import path

from puente.cases import team_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("break-glass/", views.break_glass_review, name="break_glass_review"),
    # The team view (team_views.py); before "<str:reference>/", which would take "team".
    path("team/", team_views.team_page, name="team"),
    path("team/unassigned/", team_views.team_unassigned, name="team_unassigned"),
    path("team/<int:user_id>/", team_views.team_person, name="team_person"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/edit/", views.case_edit, name="edit"),
    path("<str:reference>/status/", views.case_status, name="status"),
    path("<str:reference>/persons/new/", views.person_add, name="person_add"),
    path("<str:reference>/persons/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("<str:reference>/locations/", views.location_add, name="location_add"),
    path("<str:reference>/tasks/", views.task_add, name="task_add"),
    path("<str:reference>/tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("<str:reference>/notes/", views.note_add, name="note_add"),
    path("<str:reference>/restrict/", views.case_restrict, name="restrict"),
    path("<str:reference>/access/", views.access_grant, name="access_grant"),
    path("<str:reference>/access/<int:user_id>/revoke/", views.access_revoke, name="access_revoke"),
    path("<str:reference>/break-glass/", views.case_break_glass, name="break_glass"),
]
