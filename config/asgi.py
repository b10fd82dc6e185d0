"""ASGI entry point: Django for HTTP, Channels for the board and room WebSockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings

from config.security import refuse_unsafe_settings

refuse_unsafe_settings(settings)  # before anything is served
# Django must be set up before anything imports models (the consumers do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

import interview.routing  # noqa: E402
import whiteboard.routing  # noqa: E402
from core.origins import OriginValidator  # noqa: E402
from core.sockets import KeepServerSend, NotFoundConsumer  # noqa: E402

# Every other path (a mistyped URL, a board id that is not a number) closes with 4404.
not_found = [re_path(r"^", NotFoundConsumer.as_asgi())]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": KeepServerSend(
            OriginValidator(
                AuthMiddlewareStack(
                    URLRouter(
                        whiteboard.routing.websocket_urlpatterns + interview.routing.websocket_urlpatterns + not_found
                    )
                )
            )
        ),
    }
)
