"""The board socket: snapshot on connect, batches of element changes, catch-up and presence.

Protocol: docs/protocol.md. The database is the source of truth; the channel layer only
carries notifications, each with its seq, so a client that misses one notices the gap and asks.
"""

import logging
import secrets

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied

from config.sockets import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, JsonFrameConsumer

from .access import BoardPermission, board_access
from .errors import BoardError
from .models import Board
from .ratelimit import TokenBucket
from .selectors import board_get_state, board_ops_since
from .services import board_apply_ops

logger = logging.getLogger(__name__)


def board_group(board_id: int) -> str:
    return f"board.{int(board_id)}"


def user_payload(user) -> dict:
    # A user's profile (when the project has one) renders as their public name; never the email.
    profile = getattr(user, "profile", None)
    return {"id": user.pk, "name": str(profile) if profile is not None else user.get_username()}


class BoardConsumer(JsonFrameConsumer):
    forbidden_message = "You can no longer edit this board."

    async def connect(self):
        self.board_id = int(self.scope["url_route"]["kwargs"]["board_id"])
        self.user = self.scope["user"]
        self.client_id = f"c-{secrets.token_hex(6)}"
        self.group = board_group(self.board_id)
        self.joined = False
        await self.accept()
        try:
            _, self.permission, me = await self._access(BoardPermission.VIEW)
        except Board.DoesNotExist:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        except PermissionDenied:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.me = me
        self.op_bucket = TokenBucket(rate=20, capacity=100)
        self.presence_bucket = TokenBucket(rate=30, capacity=30)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        await self._send_snapshot()
        await self._broadcast(
            {"kind": "peer_joined", "client_id": self.client_id, "user": self.me, "reply_to": self.channel_name}
        )

    async def disconnect(self, code):
        if self.joined:
            await self._broadcast({"kind": "peer_left", "client_id": self.client_id})
            await self.channel_layer.group_discard(self.group, self.channel_name)

    @database_sync_to_async
    def _access(self, need: BoardPermission):
        if not self.user.is_authenticated:
            raise PermissionDenied
        board, permission = board_access(user=self.user, board_id=self.board_id, need=need)
        return board, permission, user_payload(self.user)

    # -- incoming -------------------------------------------------------------------------------

    def max_message_bytes(self) -> int:
        return settings.BOARD_MAX_MESSAGE_BYTES

    def error_ref(self, content: dict):
        return content.get("op_id")

    async def on_ops(self, content):
        op_id = content.get("op_id")
        if not self.op_bucket.take():
            raise BoardError("Too many changes at once; slow down and resend.", code="rate_limited")
        result = await self._apply(op_id, content.get("elements"))
        await self.send_json_frame(
            {
                "type": "ack",
                "op_id": op_id,
                "seq": result.seq,
                "accepted": [element["id"] for element in result.accepted],
                "rejected": result.rejected,
            }
        )
        if result.seq is not None and not result.duplicate:
            await self._broadcast(
                {"kind": "ops", "seq": result.seq, "op_id": op_id, "elements": result.accepted, "author": self.me}
            )

    @database_sync_to_async
    def _apply(self, op_id, elements):
        # Permission is checked again for every write: a participant removed mid-session is cut off.
        board_access(user=self.user, board_id=self.board_id, need=BoardPermission.EDIT)
        return board_apply_ops(board_id=self.board_id, op_id=op_id, elements=elements, author=self.user)

    async def on_sync(self, content):
        since = content.get("since_seq")
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise BoardError("since_seq must be a whole number of at least 0.", code="invalid")
        ops = await database_sync_to_async(board_ops_since)(
            board_id=self.board_id, since_seq=since, limit=settings.BOARD_CATCHUP_MAX_OPS
        )
        if ops is None or (not ops and since > await self._current_seq()):
            # Too far behind, or ahead of the server: start again from the whole board.
            await self._send_snapshot()
            return
        seq = ops[-1].seq if ops else since
        await self.send_json_frame(
            {"type": "catchup", "seq": seq, "ops": [{"seq": op.seq, "elements": op.elements} for op in ops]}
        )

    @database_sync_to_async
    def _current_seq(self) -> int:
        return Board.objects.values_list("seq", flat=True).get(pk=self.board_id)

    async def _send_snapshot(self) -> None:
        state = await database_sync_to_async(board_get_state)(board_id=self.board_id)
        await self.send_json_frame(
            {
                "type": "snapshot",
                "seq": state.seq,
                "elements": state.elements,
                "lanes": [{k: lane[k] for k in ("key", "element_id", "name")} for lane in state.lanes],
                "can_edit": self.permission >= BoardPermission.EDIT,
                "client_id": self.client_id,
                "user": self.me,
            }
        )

    async def on_presence(self, content):
        if not self.presence_bucket.take():
            return  # presence is best effort: extras are dropped, not errors
        pointer = content.get("pointer")
        if not isinstance(pointer, dict) or not all(
            isinstance(pointer.get(axis), int | float) and not isinstance(pointer.get(axis), bool) for axis in "xy"
        ):
            raise BoardError("presence needs pointer {x, y} numbers.", code="invalid")
        selected = content.get("selected_ids") or []
        if not isinstance(selected, list) or len(selected) > 500 or not all(isinstance(i, str) for i in selected):
            raise BoardError("selected_ids must be a list of element ids.", code="invalid")
        await self._broadcast(
            {
                "kind": "presence",
                "client_id": self.client_id,
                "user": self.me,
                "pointer": {"x": float(pointer["x"]), "y": float(pointer["y"])},
                "button": "down" if content.get("button") == "down" else "up",
                "selected_ids": selected,
            }
        )

    handlers = {"ops": on_ops, "sync": on_sync, "presence": on_presence}

    # -- outgoing -------------------------------------------------------------------------------

    async def _broadcast(self, event: dict) -> None:
        await self.channel_layer.group_send(self.group, {"type": "board.event", "sender": self.channel_name, **event})

    async def board_event(self, event):
        if event["sender"] == self.channel_name:
            return
        kind = event["kind"]
        if kind == "peer_joined":
            # Introduce ourselves to the newcomer alone, then tell our client about them.
            await self.channel_layer.send(
                event["reply_to"],
                {
                    "type": "board.event",
                    "sender": self.channel_name,
                    "kind": "peer_here",
                    "client_id": self.client_id,
                    "user": self.me,
                },
            )
        payload = {key: value for key, value in event.items() if key not in ("type", "sender", "kind", "reply_to")}
        payload["type"] = "peer_joined" if kind == "peer_here" else kind
        await self.send_json_frame(payload)
