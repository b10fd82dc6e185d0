"""The API's write throttle: each signed-in user's writes, counted in the shared cache."""

from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteRateThrottle(UserRateThrottle):
    """`writes` (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES, from API_WRITE_RATE) per user over every
    write endpoint together; reads are not counted. Beyond it the answer is 429 `throttled` with
    a Retry-After header."""

    scope = "writes"

    def get_rate(self):
        # Read at each request (DRF's default binds the rates once, at import).
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
