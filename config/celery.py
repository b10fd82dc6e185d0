"""The Celery app: settings under the CELERY_ prefix, tasks found in every app's `tasks.py`."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mocklane")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def _refuse_unsafe_settings(**kwargs) -> None:
    """A worker or beat builds links and signs tokens too: the same start-up refusals as the server.
    Celery logs and ignores a receiver's exceptions, so the refusal leaves as SystemExit, which stops
    the process with the sentence on stderr."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from config.security import refuse_unsafe_settings

    try:
        refuse_unsafe_settings(settings)
    except ImproperlyConfigured as refusal:
        raise SystemExit(f"ImproperlyConfigured: {refusal}") from refusal
