"""What both WebSocket consumers share: strict JSON frames in, one error shape out.

Frames are capped in bytes (UTF-8), parsed strictly (no NaN or Infinity, which browsers cannot
read back), must be JSON objects, and are dispatched on their "type" to `handlers`. Domain errors
become {"type": "error", "code", "message", "ref"} frames; nothing is applied.
"""

from typing import Any, ClassVar

import orjson
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import PermissionDenied

from .errors import ApplicationError

CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


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

    def max_message_bytes(self) -> int:
        raise NotImplementedError

    def error_ref(self, content: dict) -> Any:
        return None

    async def receive(self, text_data=None, bytes_data=None):
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

    async def dispatch_frame(self, handler, content: dict) -> None:
        await handler(self, content)

    async def send_json_frame(self, payload: dict) -> None:
        await self.send(text_data=dumps(payload))

    async def send_error(self, code: str, message: str, ref: Any = None) -> None:
        await self.send_json_frame({"type": "error", "code": code, "message": message, "ref": ref})
