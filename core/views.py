"""Site-wide responses that belong to no app."""

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request):
    """/favicon.ico, which browsers ask for on pages that name no icon (the API docs, error pages);
    the site's own pages name static/favicon.svg."""
    path = finders.find("favicon.ico")
    if path is None:
        raise Http404("No favicon.")
    return FileResponse(open(path, "rb"), content_type="image/x-icon")
