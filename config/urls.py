"""Every URL: the apps' pages and APIs, the API schema and docs, the admin, accounts and the health check."""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import interview.urls
import review.urls
import rubrics.urls
from core.views import favicon


def healthz(request):
    return JsonResponse({"ok": True})


def signed_in_unless_debug(view):
    """The API docs page: off DEBUG, someone signed out is sent to the sign-in page first (the
    schema itself answers 403 through SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"])."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEBUG and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include(interview.urls.api_urlpatterns + rubrics.urls.api_urlpatterns + review.urls.api_urlpatterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script): the CSP allows no inline script.
    path("api/docs/", signed_in_unless_debug(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="api_docs"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include(rubrics.urls.urlpatterns)),
    path("", include(interview.urls.urlpatterns)),
    path("", include(review.urls.urlpatterns)),
]
