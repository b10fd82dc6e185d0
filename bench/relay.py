"""A bare Channels relay: the baseline that bench/board_sync/ runs beside Mocklane.

No database, no authentication, no validation, no persistence. Same wire shape as the board
socket (docs/protocol.md) as far as the benchmark client needs it:

- on connect: `{"type": "snapshot", "seq": 0, "elements": []}`
- `ops` from a client: an `ack` to the sender at once, then the message to every other socket
  of the room through the channel layer (they receive it as `ops`, with the sender's `op_id`)
- `presence`: relayed to the others the same way

The room is the number in the path `/ws/boards/<n>/`. The channel layer is the same one
Mocklane uses (channels_redis.pubsub.RedisPubSubChannelLayer), on RELAY_REDIS_URL.

Serve it with uvicorn from the repository root:

    RELAY_REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/uvicorn bench.relay:application --port 8100 --lifespan off
"""

import os

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-relay-has-no-secrets",  # noqa: S106 - nothing is signed
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=["channels"],
        DATABASES={},
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {
                    "hosts": [os.environ.get("RELAY_REDIS_URL", "redis://127.0.0.1:6379/0")],
                    "prefix": os.environ.get("RELAY_CHANNEL_PREFIX", "benchrelay"),
                },
            }
        },
        LOGGING_CONFIG=None,
    )
    django.setup()

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path


class RelayConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.group = f"relay.{int(self.scope['url_route']['kwargs']['room'])}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "snapshot", "seq": 0, "elements": []})

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ops":
            elements = content.get("elements") or []
            await self.send_json(
                {
                    "type": "ack",
                    "op_id": content.get("op_id"),
                    "seq": None,
                    "accepted": [e.get("id") for e in elements if isinstance(e, dict)],
                    "rejected": [],
                }
            )
        elif kind != "presence":
            await self.send_json({"type": "error", "code": "unknown_type", "message": "ops or presence", "ref": None})
            return
        await self.channel_layer.group_send(
            self.group, {"type": "relay.message", "sender": self.channel_name, "payload": content}
        )

    async def relay_message(self, event):
        if event["sender"] != self.channel_name:
            await self.send_json(event["payload"])


application = ProtocolTypeRouter({"websocket": URLRouter([path("ws/boards/<int:room>/", RelayConsumer.as_asgi())])})


if __name__ == "__main__":
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="Serve the bare Channels relay on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    uvicorn.run(application, host="127.0.0.1", port=args.port, lifespan="off", access_log=False)
