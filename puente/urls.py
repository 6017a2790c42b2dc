from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from puente.api import api

urlpatterns = [
    path("", include("puente.core.urls")),
    path("accounts/", include("puente.accounts.urls")),
    path("intake/", include("puente.intake.urls")),
    path("cases/", include("puente.cases.urls")),
    path("screening/", include("puente.screening.urls")),
    path("search/", include("puente.search.urls")),
    path("audit/", include("puente.audit.urls")),
    path("directory/", include("puente.directory.urls")),
    path("referrals/", include("puente.referrals.urls")),
    path("exchange/", include("puente.federation.urls")),
    path("retention/", include("puente.retention.urls")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("backoffice/", admin.site.urls),
]
