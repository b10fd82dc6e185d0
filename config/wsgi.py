"""WSGI entry point (the app is served by uvicorn through config/asgi.py; this is for WSGI-only hosts)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
