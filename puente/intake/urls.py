from django.urls import path

from puente.intake import views

app_name = "intake"
urlpatterns = [
    path("new/", views.new_contact, name="new"),
    path("new/phone-lookup/", views.phone_lookup, name="phone_lookup"),
    path("new/subdivisions/", views.subdivisions, name="subdivisions"),
    path("drafts/save/", views.draft_save, name="draft_save"),
    path("drafts/<uuid:key>/discard/", views.draft_discard, name="draft_discard"),
    path("contacts/", views.contact_list, name="list"),
    path("contacts/<int:contact_id>/", views.contact_detail, name="detail"),
    path("contacts/<int:contact_id>/open-case/", views.open_case, name="open_case"),
    path("contacts/<int:contact_id>/link-case/", views.link_case, name="link_case"),
]
