"""ASGI entry point: Django for HTTP, Channels for the board and room WebSockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

import interview.routing  # noqa: E402
import whiteboard.routing  # noqa: E402
from core.sockets import KeepServerSend  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": KeepServerSend(
            AllowedHostsOriginValidator(
                AuthMiddlewareStack(
                    URLRouter(whiteboard.routing.websocket_urlpatterns + interview.routing.websocket_urlpatterns)
                )
            )
        ),
    }
)
