from puente.insights import dashboard_urls, report_urls

app_name = "insights"
urlpatterns = [*dashboard_urls.urlpatterns, *report_urls.urlpatterns]
