"""WSGI entry point (the app is served by uvicorn through config/asgi.py; this is for WSGI-only hosts)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings

from config.security import refuse_unsafe_settings

refuse_unsafe_settings(settings)  # before anything is served
application = get_wsgi_application()
