from django.urls import path

from puente.retention import views

app_name = "retention"
urlpatterns = [
    path("", views.rules, name="rules"),
]
