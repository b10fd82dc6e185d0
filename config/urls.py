"""Every URL: the apps' pages and APIs, the API schema and docs, the admin, accounts and the health check."""

from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import interview.urls
import review.urls
import rubrics.urls
from core.views import favicon


def healthz(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include(interview.urls.api_urlpatterns + rubrics.urls.api_urlpatterns + review.urls.api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include(rubrics.urls.urlpatterns)),
    path("", include(interview.urls.urlpatterns)),
    path("", include(review.urls.urlpatterns)),
]
