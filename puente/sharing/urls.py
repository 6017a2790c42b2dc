from django.urls import path

from puente.sharing import htcds_urls, release_urls, trend_urls, views

app_name = "sharing"
urlpatterns = [
    path("", views.home, name="home"),
    *htcds_urls.urlpatterns,
    *release_urls.urlpatterns,
    *trend_urls.urlpatterns,
]
