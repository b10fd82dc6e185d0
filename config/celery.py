"""The Celery app: settings under the CELERY_ prefix, tasks found in every app's `tasks.py`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("mocklane")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
