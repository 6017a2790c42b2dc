from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from puente.api import api

urlpatterns = [
    # Staff work under their own path; the site root is the public site (puente/public).
    path(settings.PUENTE_STAFF_PATH, include("puente.core.urls")),
    path("accounts/", include("puente.accounts.urls")),
    path("staff/", include("puente.accounts.staff_urls")),
    path("intake/", include("puente.intake.urls")),
    path("cases/", include("puente.cases.urls")),
    path("screening/", include("puente.screening.urls")),
    path("search/", include("puente.search.urls")),
    path("audit/", include("puente.audit.urls")),
    path("directory/", include("puente.directory.urls")),
    path("referrals/", include("puente.referrals.urls")),
    path("exchange/", include("puente.federation.urls")),
    path("channels/", include("puente.channels.urls")),
    path("insights/", include("puente.insights.urls")),
    path("sharing/", include("puente.sharing.urls")),
    path("networks/", include("puente.networks.urls")),
    path("training/", include("puente.training.urls")),
    path("retention/", include("puente.retention.urls")),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("backoffice/", admin.site.urls),
    path("", include("puente.public.urls")),
]

# Error pages in Puente's own layout, translated (puente/core/views.py).
handler403 = "puente.core.views.permission_denied"
handler404 = "puente.core.views.page_not_found"
handler500 = "puente.core.views.server_error"
