from django.urls import URLPattern, path

from puente.sharing import trend_views

urlpatterns: list[URLPattern] = [
    path("trends/", trend_views.combined, name="trends"),
    path("trends/partners/<int:partner_id>/send/", trend_views.send, name="trends_send"),
]
