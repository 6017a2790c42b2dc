from django.urls import path

from puente.screening import views

app_name = "screening"
urlpatterns = [
    path("contact/<int:contact_id>/", views.screen_contact, name="contact"),
    path("case/<str:reference>/", views.screen_case, name="case"),
    path("case/<str:reference>/findings/", views.correct_findings, name="findings"),
    path("preview/", views.preview, name="preview"),
    path("protocol/", views.protocol, name="protocol"),
    path("protocols/", views.protocol_list, name="protocols"),
    path("protocols/<int:pk>/", views.protocol_edit, name="protocol_edit"),
]
