"""Drive the full ASGI application over WebSockets with a real session cookie and Origin header."""

import json

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application

ORIGIN = b"http://localhost"


@database_sync_to_async
def session_cookie_for(user) -> str | None:
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(path: str, user=None, *, origin: bytes = ORIGIN) -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"localhost")]
    cookie = await session_cookie_for(user)
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected, f"handshake refused for {path}"
    return communicator


async def receive(communicator: WebsocketCommunicator, timeout: float = 3) -> dict:
    return json.loads(await communicator.receive_from(timeout=timeout))


async def receive_type(communicator: WebsocketCommunicator, type_: str, timeout: float = 3) -> dict:
    """Skip frames of other types (presence, peers) until one of `type_` arrives."""
    while True:
        frame = await receive(communicator, timeout)
        if frame["type"] == type_:
            return frame


async def send(communicator: WebsocketCommunicator, payload) -> None:
    await communicator.send_to(text_data=payload if isinstance(payload, str) else json.dumps(payload))


async def closed_with(communicator: WebsocketCommunicator, timeout: float = 3) -> int | None:
    """The close code the server sent (after accepting), or None."""
    message = await communicator.receive_output(timeout)
    return message.get("code") if message["type"] == "websocket.close" else None
