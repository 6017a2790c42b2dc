"""Scratch URLconf: the project's URLs plus the directory's page and API routes, until
they are registered in puente/urls.py and puente/api.py."""

from django.urls import URLResolver, include, path
from ninja import NinjaAPI

from puente.accounts.api_auth import api_auth
from puente.api import api
from puente.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(isinstance(p, URLResolver) and p.namespace == "directory" for p in urlpatterns):
    urlpatterns.insert(0, path("directory/", include("puente.directory.urls")))
if not any(prefix.strip("/") == "directory" for prefix, _router in api._routers):
    from puente.directory.api import router

    scratch_api = NinjaAPI(
        title="Puente API (directory, scratch)",
        version="1-directory",
        urls_namespace="api-v1-directory",
        docs_url=None,
        openapi_url=None,
        auth=api_auth,
    )
    scratch_api.add_router("/directory", router)
    urlpatterns.insert(0, path("api/v1/", scratch_api.urls))
