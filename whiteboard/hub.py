"""Per-process fan-out for boards.

Sockets on one board in this process get each frame directly, serialised once. Other server
processes get it through one Redis pub/sub channel per board, which this process subscribes to
while someone here is on that board. Nothing passes through a per-socket queue, so nothing is
dropped silently; and nothing here is a source of truth: every op frame carries its seq, and a
client that misses one catches up from the database.

Publishing to Redis costs CPU on every frame, so a board's frames go to Redis only while another
process has someone on that board: a process announces itself when its first socket joins a
board, and PUBLISH answers with how many processes listen, which tells us when they have left.
All frames waiting to go out are sent by one writer task in one pipelined round trip.

Nothing here waits on a socket: delivering to a local socket puts the frame in that socket's
outbox (whiteboard/outbox.py), which the socket's own task sends. Cursors are coalesced: each
board's latest cursor per client goes out once per tick (PRESENCE_TICK_SECONDS) as one frame per
recipient, however many updates came in.
"""

import asyncio
import logging
import secrets
import weakref
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

if TYPE_CHECKING:
    from redis.asyncio.client import PubSub, Redis

logger = logging.getLogger(__name__)

Delivery = tuple[int, str, str, str]  # (board id, frame, exclude client id, only-to client id)

# Cursors are sent at most this often per board: 20 frames a second per socket, whatever the
# number of people moving their mouse.
PRESENCE_TICK_SECONDS = 0.05


class Peer(Protocol):
    client_id: str

    def deliver(self, text: str) -> None:
        """Queue a frame for this socket; never waits."""

    def greet(self, newcomer: str) -> None:
        """Introduce yourself to client `newcomer`, who just joined."""


class BoardHub:
    def __init__(self, *, redis_url: str = "", prefix: str = "mocklane"):
        self.redis_url = redis_url
        self.prefix = prefix
        self.process_id = secrets.token_hex(6)
        self.rooms: dict[int, dict[str, Peer]] = {}
        self.remote: set[int] = set()  # boards that another process has someone on
        self._outbox: list[tuple[int, str]] = []  # (board id, message) waiting for the writer
        self._outbox_ready = asyncio.Event()
        self._cursors: dict[int, dict[str, str]] = {}  # board -> client id -> latest cursor (JSON)
        self._cursor_flush: asyncio.TimerHandle | None = None
        self._redis: Redis | None = None
        self._pubsub: PubSub | None = None
        self._reader: asyncio.Task | None = None
        self._writer: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    def channel(self, board_id: int) -> str:
        return f"{self.prefix}:board:{int(board_id)}"

    # -- membership ----------------------------------------------------------------------------

    async def join(self, board_id: int, peer: Peer) -> None:
        room = self.rooms.setdefault(board_id, {})
        first = not room
        room[peer.client_id] = peer
        if first and self.redis_url:
            async with self._lock:
                pubsub = await self._ensure_pubsub()
                await pubsub.subscribe(self.channel(board_id))

    async def leave(self, board_id: int, peer: Peer) -> None:
        room = self.rooms.get(board_id)
        if room is None or room.pop(peer.client_id, None) is None:
            return
        if room:
            return
        del self.rooms[board_id]
        self.remote.discard(board_id)
        self._cursors.pop(board_id, None)
        if self.redis_url and self._pubsub is not None:
            async with self._lock:
                await self._pubsub.unsubscribe(self.channel(board_id))

    # -- sending -------------------------------------------------------------------------------

    def publish(self, board_id: int, frame: str, *, exclude: str = "", to: str = "") -> None:
        """Deliver a frame to everyone on the board but `exclude`, or to client `to` only."""
        self.publish_many([(board_id, frame, exclude, to)])

    def announce(self, board_id: int, frame: str, *, newcomer: str) -> None:
        """Tell everyone else that `newcomer` joined; each of them then greets the newcomer.
        Always crosses to other processes: that is how they learn this one is on the board."""
        self.publish_many([(board_id, frame, newcomer, "")], greet=True)

    def publish_many(self, deliveries: list[Delivery], *, greet: bool = False) -> None:
        """Deliver in order: into local sockets' outboxes at once, to other processes by the writer."""
        for board_id, frame, exclude, to in deliveries:
            self._deliver_local(board_id, frame, exclude=exclude, to=to, greet=greet)
        if not self.redis_url:
            return
        kind = "greet" if greet else ""
        for board_id, frame, exclude, to in deliveries:
            if greet or board_id in self.remote:
                self._outbox.append((board_id, f"{self.process_id}|{exclude}|{to}|{kind}|{frame}"))
        self._wake_writer()

    def presence(self, board_id: int, client_id: str, entry: str) -> None:
        """Note client `client_id`'s latest cursor (a JSON object); it goes out on the next tick."""
        self._cursors.setdefault(board_id, {})[client_id] = entry
        if self._cursor_flush is None:
            self._cursor_flush = asyncio.get_running_loop().call_later(PRESENCE_TICK_SECONDS, self._flush_cursors)

    def forget_presence(self, board_id: int, client_id: str) -> None:
        cursors = self._cursors.get(board_id)
        if cursors:
            cursors.pop(client_id, None)

    def _flush_cursors(self) -> None:
        self._cursor_flush = None
        pending, self._cursors = self._cursors, {}
        for board_id, cursors in pending.items():
            if not cursors:
                continue
            try:
                room = self.rooms.get(board_id) or {}
                for client_id, peer in room.items():
                    entries = [entry for author, entry in cursors.items() if author != client_id]
                    if entries:
                        self._safe_deliver(peer, '{"type":"presence","peers":[' + ",".join(entries) + "]}")
                if self.redis_url and board_id in self.remote:
                    frame = '{"type":"presence","peers":[' + ",".join(cursors.values()) + "]}"
                    self._outbox.append((board_id, f"{self.process_id}|||presence|{frame}"))
            except Exception:  # one board's trouble is not the other boards'
                logger.exception("cursor fan-out of board %s failed", board_id)
        self._wake_writer()

    def _wake_writer(self) -> None:
        if self._outbox:
            self._outbox_ready.set()
            if self._writer is None or self._writer.done():
                self._writer = asyncio.get_running_loop().create_task(self._write(), name="board-hub-writer")

    @staticmethod
    def _safe_deliver(peer: Peer, frame: str) -> None:
        try:
            peer.deliver(frame)
        except Exception:  # a socket closing under us is not the others' problem
            logger.debug("could not deliver to %s", peer.client_id, exc_info=True)

    def _deliver_local(self, board_id: int, frame: str, *, exclude: str, to: str, greet: bool = False) -> None:
        room = self.rooms.get(board_id)
        if not room:
            return
        if to:
            peers = [room[to]] if to in room else []
        else:
            peers = [peer for client_id, peer in room.items() if client_id != exclude]
        for peer in peers:
            self._safe_deliver(peer, frame)
            if greet:
                try:
                    peer.greet(exclude)
                except Exception:
                    logger.debug("%s could not greet %s", peer.client_id, exclude, exc_info=True)

    # -- Redis ---------------------------------------------------------------------------------

    def _client(self) -> "Redis":
        if self._redis is None:
            import redis.asyncio as aioredis

            self._redis = aioredis.Redis.from_url(self.redis_url)
        return self._redis

    async def _write(self) -> None:
        """Send everything in the outbox in one pipelined round trip, for as long as there is any."""
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            batch, self._outbox = self._outbox, []
            if not batch:
                continue
            try:
                async with self._client().pipeline(transaction=False) as pipe:
                    for board_id, message in batch:
                        pipe.publish(self.channel(board_id), message)
                    listeners = await pipe.execute()
            except Exception:  # clients that miss frames catch up by seq
                logger.warning("board hub could not publish %d frames to Redis", len(batch), exc_info=True)
                continue
            for (board_id, _), count in zip(batch, listeners, strict=True):
                if count <= 1:  # only this process listens: nobody else to send to, for now
                    self.remote.discard(board_id)

    async def _ensure_pubsub(self) -> "PubSub":
        if self._pubsub is None:
            self._pubsub = self._client().pubsub(ignore_subscribe_messages=True)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read(), name="board-hub-reader")
        return self._pubsub

    async def _read(self) -> None:
        delay = 0.1
        while True:
            try:
                if self._pubsub is None or not self._pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                message = await self._pubsub.get_message(timeout=1.0)
                delay = 0.1
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("board hub lost Redis; retrying in %.1fs", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            if message is not None and message.get("type") == "message":
                try:
                    self._on_remote(message["channel"], message["data"])
                except Exception:  # a message we cannot read is dropped, not fatal to the reader
                    logger.exception("board hub could not handle a message from Redis")

    def _on_remote(self, channel: bytes, data: bytes) -> None:
        origin, exclude, to, kind, frame = data.decode().split("|", 4)
        if origin == self.process_id:
            return  # our own publication: already delivered locally
        board_id = int(channel.decode().rsplit(":", 1)[1])
        if board_id in self.rooms:
            self.remote.add(board_id)  # another process is on this board: send it our frames
        # Cursors from another process: none of their authors is here, so everyone gets them all.
        self._deliver_local(board_id, frame, exclude=exclude, to=to, greet=kind == "greet")


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, BoardHub]" = weakref.WeakKeyDictionary()


def get_hub() -> BoardHub:
    """The hub of the running event loop (one per server process; a fresh one per test loop)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        layer = settings.CHANNEL_LAYERS.get("default", {})
        prefix = layer.get("CONFIG", {}).get("prefix", "mocklane")
        hub = _hubs[loop] = BoardHub(redis_url=settings.REDIS_URL, prefix=prefix)
    return hub
