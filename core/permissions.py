"""API permissions shared by the apps and the project's own views."""

from django.conf import settings
from rest_framework.permissions import BasePermission


class SignedInUnlessDebug(BasePermission):
    """Anyone while DEBUG is on (development); signed-in users only in production. Read at each
    request, so a test can switch DEBUG."""

    def has_permission(self, request, view) -> bool:
        return bool(settings.DEBUG or (request.user and request.user.is_authenticated))
