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
"""

import asyncio
import logging
import secrets
import weakref
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)

Delivery = tuple[int, str, str, str]  # (board id, frame, exclude client id, only-to client id)


class Peer(Protocol):
    client_id: str

    async def deliver(self, text: str) -> None: ...

    async def greet(self, newcomer: str) -> None:
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
        self._redis = None
        self._pubsub = None
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
                await self._ensure_pubsub()
                await self._pubsub.subscribe(self.channel(board_id))

    async def leave(self, board_id: int, peer: Peer) -> None:
        room = self.rooms.get(board_id)
        if room is None or room.pop(peer.client_id, None) is None:
            return
        if room:
            return
        del self.rooms[board_id]
        self.remote.discard(board_id)
        if self.redis_url and self._pubsub is not None:
            async with self._lock:
                await self._pubsub.unsubscribe(self.channel(board_id))

    # -- sending -------------------------------------------------------------------------------

    async def publish(self, board_id: int, frame: str, *, exclude: str = "", to: str = "") -> None:
        """Deliver a frame to everyone on the board but `exclude`, or to client `to` only."""
        await self.publish_many([(board_id, frame, exclude, to)])

    async def announce(self, board_id: int, frame: str, *, newcomer: str) -> None:
        """Tell everyone else that `newcomer` joined; each of them then greets the newcomer.
        Always crosses to other processes: that is how they learn this one is on the board."""
        await self.publish_many([(board_id, frame, newcomer, "")], greet=True)

    async def publish_many(self, deliveries: list[Delivery], *, greet: bool = False) -> None:
        """Deliver in order: to local sockets at once, to other processes by the writer."""
        for board_id, frame, exclude, to in deliveries:
            await self._deliver_local(board_id, frame, exclude=exclude, to=to, greet=greet)
        if not self.redis_url:
            return
        kind = "greet" if greet else ""
        for board_id, frame, exclude, to in deliveries:
            if greet or board_id in self.remote:
                self._outbox.append((board_id, f"{self.process_id}|{exclude}|{to}|{kind}|{frame}"))
        if self._outbox:
            self._outbox_ready.set()
            if self._writer is None or self._writer.done():
                self._writer = asyncio.get_running_loop().create_task(self._write(), name="board-hub-writer")

    async def _deliver_local(self, board_id: int, frame: str, *, exclude: str, to: str, greet: bool = False) -> None:
        room = self.rooms.get(board_id)
        if not room:
            return
        if to:
            peers = [room[to]] if to in room else []
        else:
            peers = [peer for client_id, peer in room.items() if client_id != exclude]
        for peer in peers:
            try:
                await peer.deliver(frame)
                if greet:
                    await peer.greet(exclude)
            except Exception:  # a socket closing under us is not the others' problem
                logger.debug("could not deliver to %s", peer.client_id, exc_info=True)

    # -- Redis ---------------------------------------------------------------------------------

    def _client(self):
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

    async def _ensure_pubsub(self) -> None:
        if self._pubsub is None:
            self._pubsub = self._client().pubsub(ignore_subscribe_messages=True)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read(), name="board-hub-reader")

    async def _read(self) -> None:
        delay = 0.1
        while True:
            try:
                if not self._pubsub.subscribed:
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
                await self._on_remote(message["channel"], message["data"])

    async def _on_remote(self, channel: bytes, data: bytes) -> None:
        origin, exclude, to, kind, frame = data.decode().split("|", 4)
        if origin == self.process_id:
            return  # our own publication: already delivered locally
        board_id = int(channel.decode().rsplit(":", 1)[1])
        if board_id in self.rooms:
            self.remote.add(board_id)  # another process is on this board: send it our frames
        await self._deliver_local(board_id, frame, exclude=exclude, to=to, greet=kind == "greet")


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
