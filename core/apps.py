"""What every app shares: the domain error, the JSON frame socket base, the DRF exception handler,
the token bucket, the get-or-404 helper and the extension-point `Hook`. It has no models."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"
