"""Project wiring: settings, URLs, ASGI/WSGI entry points and the Celery app (imported here so
`@shared_task` binds to it)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
