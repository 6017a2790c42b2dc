from django.urls import path

from puente.training import knowledge_urls, practice_urls, progress_urls, quality_urls, views

app_name = "training"
urlpatterns = [
    path("", views.home, name="home"),
    *knowledge_urls.urlpatterns,
    *quality_urls.urlpatterns,
    *practice_urls.urlpatterns,
    *progress_urls.urlpatterns,
]
