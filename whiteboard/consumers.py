"""The board socket: snapshot on connect, batches of element changes, catch-up and presence.

Protocol: docs/protocol.md. The database is the source of truth. Element changes go through the
process's batcher (one transaction for everything that queued during the previous commit) and are
acked only after their commit; fan-out goes through the process's hub (straight into local
sockets' outboxes, one Redis channel per board to other processes). Each socket sends from its own
bounded outbox, so a slow reader closes itself (4408) instead of holding anyone else up, and
nothing is dropped silently: every op frame carries its seq, so a client that misses one notices
the gap and asks.
"""

import asyncio
import logging
import secrets

from channels.db import database_sync_to_async
from django.conf import settings
from django.core.exceptions import PermissionDenied

from core.ratelimit import TokenBucket
from core.sockets import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, JsonFrameConsumer, dumps

from .access import BoardPermission, board_access
from .batcher import get_batcher
from .errors import BoardError
from .hub import get_hub
from .models import Board
from .outbox import Outbox
from .selectors import board_get_state, board_ops_since
from .services import ApplyResult, OpRequest

logger = logging.getLogger(__name__)

# Presence: at most this many updates a second per client; extras are dropped (best effort).
PRESENCE_PER_SECOND = 30
# `sync`: a token bucket per socket. A catch-up costs one token, a full snapshot (when far behind)
# SNAPSHOT_COST; beyond it the answer is `rate_limited` and the client asks again later.
SYNC_PER_SECOND = 5
SYNC_BURST = 20
SNAPSHOT_COST = 5
# The socket could not keep up with what it was sent (its outbox overflowed or a send blocked):
# it is closed and the client reconnects and catches up by seq.
CLOSE_TOO_SLOW = 4408


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
        self.hub = None
        # Frames fanned out to us before our snapshot is sent wait in the outbox, which starts
        # sending only after the snapshot: the snapshot goes first.
        self.outbox = Outbox(
            self._send_text,
            max_bytes=settings.BOARD_OUTBOX_MAX_BYTES,
            timeout=settings.BOARD_SEND_TIMEOUT_SECONDS,
            on_failure=self._too_slow,
        )
        await self.accept()
        try:
            self.permission, self.me = await self._access()
        except Board.DoesNotExist:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        except PermissionDenied:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.join_user_group()
        self.op_bucket = TokenBucket(rate=20, capacity=100)
        self.presence_bucket = TokenBucket(rate=PRESENCE_PER_SECOND, capacity=PRESENCE_PER_SECOND)
        self.sync_bucket = TokenBucket(rate=SYNC_PER_SECOND, capacity=SYNC_BURST)
        self.me_json = dumps(self.me)
        self.hub = get_hub()
        # Join before reading the snapshot, so nothing committed in between is missed.
        await self.hub.join(self.board_id, self)
        await self._send_snapshot()
        self.outbox.start()
        self.hub.announce(self.board_id, self._peer_frame(), newcomer=self.client_id)

    async def disconnect(self, code):
        await self.leave_user_group()
        self.outbox.close()
        await self._leave_board()

    async def _leave_board(self) -> None:
        hub, self.hub = self.hub, None
        if hub is not None:
            hub.forget_presence(self.board_id, self.client_id)
            await hub.leave(self.board_id, self)
            hub.publish(
                self.board_id, dumps({"type": "peer_left", "client_id": self.client_id}), exclude=self.client_id
            )

    def _too_slow(self, reason: str) -> None:
        """The outbox gave up: leave the board (nothing more is delivered here) and close, in a task
        of this socket's own, since the close frame may itself wait for the client to read."""
        logger.info("board socket %s on board %s closed: %s", self.client_id, self.board_id, reason)
        loop = asyncio.get_running_loop()
        self._closing = loop.create_task(self._close_slow(), name="board-socket-close")

    async def _close_slow(self) -> None:
        await self._leave_board()
        try:
            await self.close(code=CLOSE_TOO_SLOW)
        except Exception:
            logger.debug("board socket %s: close frame not sent", self.client_id, exc_info=True)

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

    def deliver(self, text: str) -> None:
        self.outbox.put(text)

    async def send(self, text_data=None, bytes_data=None, close=False):
        """Every frame of ours goes through the outbox, in order (the handshake and close do not)."""
        if text_data is not None and not close:
            self.outbox.put(text_data)
        else:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def _send_text(self, text: str) -> None:
        # Straight to the server (core.sockets.KeepServerSend): the middlewares' send wrappers
        # do nothing for WebSocket frames.
        if self.closed:
            return
        server_send = self.scope.get("server_send")
        if server_send is None:
            await super().send(text_data=text)
        else:
            await server_send({"type": "websocket.send", "text": text})

    async def close(self, code=None, reason=None):
        self.outbox.close()  # nothing of ours goes out after the close frame
        await super().close(code=code, reason=reason)

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

    def _send_ack(self, result: ApplyResult) -> None:
        self.outbox.put(
            dumps(
                {
                    "type": "ack",
                    "op_id": result.op_id,
                    "seq": result.seq,
                    "accepted": [element["id"] for element in result.accepted],
                    "rejected": result.rejected,
                }
            )
        )

    def _ops_frame(self, result: ApplyResult) -> str:
        # The elements as they were stored, not encoded again.
        if result.seq is None:  # the batcher fans out only batches in which something won
            raise ValueError(f"op {result.op_id} has no seq to announce")
        return (
            f'{{"type":"ops","seq":{int(result.seq)},"op_id":{dumps(result.op_id)},'
            f'"elements":{result.accepted_text()},"author":{self.me_json}}}'
        )

    async def on_sync(self, content):
        since = content.get("since_seq")
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise BoardError("since_seq must be a whole number of at least 0.", code="invalid")
        if not self.sync_bucket.take():
            raise BoardError("Too many sync requests; wait a moment and ask again.", code="rate_limited")
        ops = await database_sync_to_async(board_ops_since)(
            board_id=self.board_id, since_seq=since, limit=settings.BOARD_CATCHUP_MAX_OPS
        )
        if ops is None or (not ops and since > await self._current_seq()):
            # Too far behind, or ahead of the server: start again from the whole board.
            if not self.sync_bucket.take(SNAPSHOT_COST - 1):
                raise BoardError("Too many sync requests; wait a moment and ask again.", code="rate_limited")
            await self._send_snapshot()
            return
        # One frame under the frame limit; `more` asks the client to sync again from its new seq.
        budget = settings.BOARD_MAX_MESSAGE_BYTES - 256
        parts, size = [], 0
        for op in ops:
            text = f'{{"seq":{int(op.seq)},"elements":{dumps(op.elements)}}}'
            if parts and size + len(text) + 1 > budget:
                break
            parts.append((op.seq, text))
            size += len(text) + 1
        seq = parts[-1][0] if parts else since
        more = len(parts) < len(ops)
        self.outbox.put(
            f'{{"type":"catchup","seq":{int(seq)},"more":{"true" if more else "false"},'
            f'"ops":[{",".join(text for _, text in parts)}]}}'
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
        entry = dumps(
            {
                "client_id": self.client_id,
                "user": self.me,
                "pointer": {"x": float(pointer["x"]), "y": float(pointer["y"])},
                "button": "down" if content.get("button") == "down" else "up",
                "selected_ids": selected,
            }
        )
        if self.hub is not None:
            self.hub.presence(self.board_id, self.client_id, entry)

    handlers = {"ops": on_ops, "sync": on_sync, "presence": on_presence}

    # -- outgoing -------------------------------------------------------------------------------

    def _peer_frame(self) -> str:
        return dumps({"type": "peer_joined", "client_id": self.client_id, "user": self.me})

    def greet(self, newcomer: str) -> None:
        if self.hub is not None:
            self.hub.publish(self.board_id, self._peer_frame(), to=newcomer)

    @database_sync_to_async
    def _current_seq(self) -> int:
        return Board.objects.values_list("seq", flat=True).get(pk=self.board_id)

    async def _send_snapshot(self) -> None:
        """The whole board, in frames under the frame limit: a `snapshot` and, for a large board,
        `snapshot_part` frames after it (`more` says whether another follows)."""
        state = await database_sync_to_async(board_get_state)(board_id=self.board_id)
        budget = settings.BOARD_MAX_MESSAGE_BYTES - 1024
        chunks: list[list[str]] = [[]]
        size = 0
        for element in state.elements:
            text = dumps(element)
            if chunks[-1] and size + len(text) + 1 > budget:
                chunks.append([])
                size = 0
            chunks[-1].append(text)
            size += len(text) + 1
        head = dumps(
            {
                "type": "snapshot",
                "seq": state.seq,
                "lanes": [{k: lane[k] for k in ("key", "element_id", "name")} for lane in state.lanes],
                "can_edit": self.permission >= BoardPermission.EDIT,
                "client_id": self.client_id,
                "user": self.me,
            }
        )[:-1]
        async with self.outbox.exclusive():
            for index, chunk in enumerate(chunks):
                more = "true" if index < len(chunks) - 1 else "false"
                elements = "[" + ",".join(chunk) + "]"
                if index == 0:
                    await self.outbox.send_now(f'{head},"more":{more},"elements":{elements}}}')
                else:
                    await self.outbox.send_now(
                        f'{{"type":"snapshot_part","seq":{int(state.seq)},"more":{more},"elements":{elements}}}'
                    )
