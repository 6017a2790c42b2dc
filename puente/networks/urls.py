from django.urls import path

from puente.networks import linkage_urls, psi_urls, recurrence_urls, views

app_name = "networks"
urlpatterns = [
    path("", views.home, name="home"),
    *recurrence_urls.urlpatterns,
    *linkage_urls.urlpatterns,
    *psi_urls.urlpatterns,
]
