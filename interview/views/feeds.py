"""Calendar files over HTTP: each person's subscribable feed, and the .ics of one booking."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from ..access import booking_access
from ..ics import booking_ics, feed_ics
from ..models import Booking
from ..selectors import profile_for_token

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(content: bytes, *, filename: str, disposition: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, max_age=0, must_revalidate=True)
    return response


@require_safe
def calendar_feed(request, token: str):
    """No login: calendar apps fetch it with the secret in the address. Rotating the token on the
    profile page revokes the old address at once."""
    profile = profile_for_token(token=token)
    if profile is None:
        raise Http404("No such calendar.")
    return _calendar_response(feed_ics(profile.user), filename="mocklane.ics", disposition="inline")


@login_required
@require_safe
def booking_invite_ics(request, pk: int):
    try:
        booking = booking_access(user=request.user, booking_id=pk)
    except Booking.DoesNotExist as exc:
        raise Http404("No such session.") from exc
    method = "CANCEL" if booking.status == Booking.Status.CANCELLED else "REQUEST"
    content = booking_ics(booking, request.user, method)
    return _calendar_response(content, filename=f"mocklane-session-{booking.pk}.ics", disposition="attachment")
