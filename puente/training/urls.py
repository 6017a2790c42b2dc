from django.urls import path

from puente.training import knowledge_urls, quality_urls, views

app_name = "training"
urlpatterns = [
    path("", views.home, name="home"),
    *knowledge_urls.urlpatterns,
    *quality_urls.urlpatterns,
]
