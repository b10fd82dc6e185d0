"""What both WebSocket consumers share: strict JSON frames in, one error shape out, and an end
when the user's session ends.

Frames are capped in bytes (UTF-8), parsed strictly (no NaN or Infinity, which browsers cannot
read back), must be JSON objects, and are dispatched on their "type" to `handlers`. Domain errors
become {"type": "error", "code", "message", "ref"} frames; nothing is applied. A database error
in a handler is logged and answered with a `retry` frame, anything else with a `server_error`
frame; the socket stays up. Once either side has closed the socket, nothing more is sent.

Every socket joins its user's group (`user_group`) once its access check has passed. Logging out,
a password change, deactivation or deletion call `end_user_sockets`, which closes all of that
user's sockets in every server process with CLOSE_SESSION_ENDED; a reconnect is authenticated
afresh, so it is let in only with a session that is still valid.
"""

import asyncio
import logging
import threading
from importlib import import_module
from typing import Any, ClassVar

import orjson
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.utils.crypto import constant_time_compare

from .errors import ApplicationError

logger = logging.getLogger(__name__)

CLOSE_SESSION_ENDED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404

# How long a logout or password change waits for the channel layer before giving up (and logging).
SESSION_END_TIMEOUT = 2.0


def user_group(user_id: int) -> str:
    return f"user.{int(user_id)}"


def end_user_sockets(user_id: int) -> None:
    """Close every open socket of this user, in every server process. Called from sync code; a
    channel layer that cannot be reached is logged, never raised to the request that ended the session."""

    def send() -> None:
        try:
            async_to_sync(_send_session_ended)(user_group(user_id))
        except Exception:
            logger.exception("Could not close the sockets of user %s: the channel layer failed", user_id)

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: a view's or a command's thread, with no loop of its own
        send()
        return
    # A thread that runs an event loop (a test harness, a script) cannot block on it: send from a
    # thread of its own, bounded by the same timeout.
    sender = threading.Thread(target=send, name="end-user-sockets", daemon=True)
    sender.start()
    sender.join(SESSION_END_TIMEOUT + 1)


async def _send_session_ended(group: str) -> None:
    layer = get_channel_layer()
    if layer is not None:
        await asyncio.wait_for(layer.group_send(group, {"type": "session.ended"}), SESSION_END_TIMEOUT)


@database_sync_to_async
def _session_is_valid(session_key: str | None, user_id: int) -> bool:
    """Whether this session still authenticates this user, as Django's auth.get_user decides it,
    but read-only: the session is not flushed or cycled here."""
    if not session_key:
        return False
    data = import_module(settings.SESSION_ENGINE).SessionStore(session_key).load()
    backend_path = data.get(BACKEND_SESSION_KEY)
    if data.get(SESSION_KEY) != str(user_id) or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return False
    user = load_backend(backend_path).get_user(user_id)  # None once deleted or deactivated
    if user is None:
        return False
    stored = data.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(stored, auth_hash) for auth_hash in hashes)


class KeepServerSend:
    """Keep the server's own `send` in the scope (`scope["server_send"]`).

    The middlewares between the server and a consumer wrap `send` (the session middleware looks at
    every message for HTTP responses to save the session); for WebSocket frames those wrappers do
    nothing but cost a few calls per frame, which on the board socket's hot path is measurable.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        return await self.app({**scope, "server_send": send}, receive, send)


class NotFoundConsumer(AsyncWebsocketConsumer):
    """Any WebSocket path no route matches: accepted, then closed with CLOSE_NOT_FOUND, so the
    client reads a code (a close before the accept would be a bare HTTP 403)."""

    async def connect(self):
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)


def dumps(payload: Any) -> str:
    return orjson.dumps(payload).decode()


def frame_size(raw: str | bytes) -> int:
    if isinstance(raw, bytes):
        return len(raw)
    # A str of n characters is n to 4n bytes in UTF-8; encode only when it could matter.
    return len(raw) if raw.isascii() else len(raw.encode("utf-8", "surrogatepass"))


class JsonFrameConsumer(AsyncWebsocketConsumer):
    handlers: ClassVar[dict[str, Any]] = {}
    forbidden_message = "You no longer have access here."
    # Set once the server has closed the socket: frames still arriving are dropped, nothing is sent.
    closed = False
    joined_user_group: str | None = None

    def max_message_bytes(self) -> int:
        raise NotImplementedError

    def error_ref(self, content: dict) -> Any:
        return None

    # -- the user's group: the end of their session closes this socket ---------------------------

    async def join_user_group(self) -> bool:
        """Call right after the access check passes. False: the session ended meanwhile, and the
        socket is already closed with CLOSE_SESSION_ENDED."""
        user = self.scope["user"]
        if not user.is_authenticated:
            return True
        self.joined_user_group = user_group(user.pk)
        await self.channel_layer.group_add(self.joined_user_group, self.channel_name)
        # A logout between the handshake's session check and this join was announced to a group
        # this socket was not in yet: check the session again now that it is listening.
        session_key = getattr(self.scope.get("session"), "session_key", None)
        if not await _session_is_valid(session_key, user.pk):
            await self.session_ended({"type": "session.ended"})
            return False
        return True

    async def leave_user_group(self) -> None:
        if self.joined_user_group is not None:
            await self.channel_layer.group_discard(self.joined_user_group, self.channel_name)
            self.joined_user_group = None

    async def session_ended(self, event: dict) -> None:
        await self.close(code=CLOSE_SESSION_ENDED, reason="session ended")

    async def close(self, code=None, reason=None):
        if not self.closed:
            self.closed = True
            await super().close(code=code, reason=reason)

    async def send(self, text_data=None, bytes_data=None, close=False):
        # After a close, from either side, the ASGI server refuses further sends (uvicorn raises).
        if self.closed:
            return
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except OSError:
            # The client went away while a handler was still working (uvicorn's ClientDisconnected
            # is an OSError). Send nothing more; the disconnect that follows cleans up.
            self.closed = True
            logger.debug("Socket %s closed by the client before a send", self.scope.get("path"))

    async def websocket_disconnect(self, message):
        self.closed = True
        await super().websocket_disconnect(message)

    # -- frames -----------------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if self.closed:
            return
        raw = text_data if text_data is not None else bytes_data
        limit = self.max_message_bytes()
        if raw is None or frame_size(raw) > limit:
            await self.send_error("too_large", f"Messages are limited to {limit} bytes.")
            return
        try:
            content = orjson.loads(raw)
        except orjson.JSONDecodeError:
            await self.send_error("bad_json", "The message is not valid JSON (NaN and Infinity are not allowed).")
            return
        if not isinstance(content, dict):
            await self.send_error("bad_json", "A message must be a JSON object.")
            return
        handler = self.handlers.get(content.get("type")) if isinstance(content.get("type"), str) else None
        if handler is None:
            await self.send_error("unknown_type", f"Unknown message type {content.get('type')!r}.")
            return
        try:
            await self.dispatch_frame(handler, content)
        except ApplicationError as exc:
            await self.send_error(exc.code, exc.message, ref=self.error_ref(content))
        except PermissionDenied:
            await self.send_error("forbidden", self.forbidden_message, ref=self.error_ref(content))
        except DatabaseError:
            # The handler's transaction rolled back; a resend with the same id is not applied twice.
            logger.exception("Database error handling a %r frame on %s", content["type"], self.scope.get("path"))
            await self.send_error(
                "retry",
                "The server could not save this just now; nothing was changed. Send it again.",
                ref=self.error_ref(content),
            )
        except Exception:
            logger.exception("Unexpected error handling a %r frame on %s", content["type"], self.scope.get("path"))
            await self.send_error(
                "server_error",
                "Something went wrong on the server. Try again; if it keeps happening, reload the page.",
                ref=self.error_ref(content),
            )

    async def dispatch_frame(self, handler, content: dict) -> None:
        await handler(self, content)

    async def send_json_frame(self, payload: dict) -> None:
        await self.send(text_data=dumps(payload))

    async def send_error(self, code: str, message: str, ref: Any = None) -> None:
        await self.send_json_frame({"type": "error", "code": code, "message": message, "ref": ref})
