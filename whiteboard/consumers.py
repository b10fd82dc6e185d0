"""The board socket: snapshot on connect, batches of element changes, catch-up and presence.

Protocol: docs/protocol.md. The database is the source of truth. Element changes go through the
process's batcher (one transaction for everything that queued during the previous commit) and are
acked only after their commit; fan-out goes through the process's hub (direct to local sockets,
one Redis channel per board to other processes), never through per-socket queues that drop
under load. Every op frame carries its seq, so a client that misses one notices the gap and asks.
"""

import secrets

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied

from config.sockets import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, JsonFrameConsumer, dumps

from .access import BoardPermission, board_access
from .batcher import get_batcher
from .errors import BoardError
from .hub import get_hub
from .models import Board
from .ratelimit import TokenBucket
from .selectors import board_get_state, board_ops_since
from .services import ApplyResult, OpRequest

# Presence: at most this many updates a second per client; extras are dropped (best effort).
PRESENCE_PER_SECOND = 30


def user_payload(user) -> dict:
    # A user's profile (when the project has one) renders as their public name; never the email.
    profile = getattr(user, "profile", None)
    return {"id": user.pk, "name": str(profile) if profile is not None else user.get_username()}


class BoardConsumer(JsonFrameConsumer):
    # Fan-out goes through whiteboard.hub, so this socket needs no channel-layer inbox.
    channel_layer_alias = "board-sockets-use-the-hub"
    forbidden_message = "You can no longer edit this board."

    async def connect(self):
        self.board_id = int(self.scope["url_route"]["kwargs"]["board_id"])
        self.user = self.scope["user"]
        self.client_id = f"c-{secrets.token_hex(6)}"
        self.hub = None
        # Frames fanned out to us before our snapshot is sent wait here: the snapshot goes first.
        self.backlog: list[str] | None = []
        await self.accept()
        try:
            self.permission, self.me = await self._access()
        except Board.DoesNotExist:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        except PermissionDenied:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.op_bucket = TokenBucket(rate=20, capacity=100)
        self.presence_bucket = TokenBucket(rate=PRESENCE_PER_SECOND, capacity=PRESENCE_PER_SECOND)
        self.hub = get_hub()
        # Join before reading the snapshot, so nothing committed in between is missed.
        await self.hub.join(self.board_id, self)
        await self._send_snapshot()
        backlog, self.backlog = self.backlog, None
        for text in backlog:
            await self.send(text_data=text)
        await self.hub.announce(self.board_id, self._peer_frame(), newcomer=self.client_id)

    async def disconnect(self, code):
        if self.hub is not None:
            await self.hub.leave(self.board_id, self)
            await self.hub.publish(
                self.board_id, dumps({"type": "peer_left", "client_id": self.client_id}), exclude=self.client_id
            )

    async def dispatch(self, message):
        # Channels closes stale database connections before every message, a thread hop each
        # time; this socket reaches the database only through helpers that do that themselves.
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    @database_sync_to_async
    def _access(self):
        if not self.user.is_authenticated:
            raise PermissionDenied
        _, permission = board_access(user=self.user, board_id=self.board_id, need=BoardPermission.VIEW)
        return permission, user_payload(self.user)

    async def deliver(self, text: str) -> None:
        if self.backlog is not None:
            self.backlog.append(text)
            return
        await self.send(text_data=text)

    # -- incoming -------------------------------------------------------------------------------

    def max_message_bytes(self) -> int:
        return settings.BOARD_MAX_MESSAGE_BYTES

    def error_ref(self, content: dict):
        return content.get("op_id")

    async def on_ops(self, content):
        op_id = content.get("op_id")
        if not self.op_bucket.take():
            raise BoardError("Too many changes at once; slow down and resend.", code="rate_limited")
        request = OpRequest(board_id=self.board_id, op_id=op_id, elements=content.get("elements"), user_id=self.user.pk)
        await get_batcher().submit(request, client_id=self.client_id, frame=self._ops_frame, ack=self._send_ack)

    async def _send_ack(self, result: ApplyResult) -> None:
        await self.send_json_frame(
            {
                "type": "ack",
                "op_id": result.op_id,
                "seq": result.seq,
                "accepted": [element["id"] for element in result.accepted],
                "rejected": result.rejected,
            }
        )

    def _ops_frame(self, result: ApplyResult) -> str:
        return dumps(
            {"type": "ops", "seq": result.seq, "op_id": result.op_id, "elements": result.accepted, "author": self.me}
        )

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
        frame = dumps(
            {
                "type": "presence",
                "client_id": self.client_id,
                "user": self.me,
                "pointer": {"x": float(pointer["x"]), "y": float(pointer["y"])},
                "button": "down" if content.get("button") == "down" else "up",
                "selected_ids": selected,
            }
        )
        await self.hub.publish(self.board_id, frame, exclude=self.client_id)

    handlers = {"ops": on_ops, "sync": on_sync, "presence": on_presence}

    # -- outgoing -------------------------------------------------------------------------------

    def _peer_frame(self) -> str:
        return dumps({"type": "peer_joined", "client_id": self.client_id, "user": self.me})

    async def greet(self, newcomer: str) -> None:
        await self.hub.publish(self.board_id, self._peer_frame(), to=newcomer)

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
