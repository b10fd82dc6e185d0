"""Per-process fan-out for boards.

Sockets on one board in this process get each frame directly, serialised once. Other server
processes get it through one Redis pub/sub channel per board, which this process subscribes to
only while someone here is on that board. Nothing passes through a per-socket queue, so nothing
is dropped silently; and nothing here is a source of truth: every op frame carries its seq, and a
client that misses one catches up from the database.
"""

import asyncio
import logging
import secrets
import weakref
from typing import Protocol

from django.conf import settings

logger = logging.getLogger(__name__)


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
        self._redis = None
        self._pubsub = None
        self._reader: asyncio.Task | None = None
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
        if self.redis_url and self._pubsub is not None:
            async with self._lock:
                await self._pubsub.unsubscribe(self.channel(board_id))
                if not self.rooms:
                    await self._close()

    # -- sending -------------------------------------------------------------------------------

    async def publish(self, board_id: int, frame: str, *, exclude: str = "", to: str = "") -> None:
        """Deliver a frame to everyone on the board but `exclude`, or to client `to` only."""
        await self.publish_many([(board_id, frame, exclude, to)])

    async def announce(self, board_id: int, frame: str, *, newcomer: str) -> None:
        """Tell everyone else that `newcomer` joined; each of them then greets the newcomer."""
        await self.publish_many([(board_id, frame, newcomer, "")], greet=True)

    async def publish_many(self, deliveries: list[tuple[int, str, str, str]], *, greet: bool = False) -> None:
        """(board id, frame, exclude, to) in order: locally at once, to other processes in one round trip."""
        for board_id, frame, exclude, to in deliveries:
            await self._deliver_local(board_id, frame, exclude=exclude, to=to, greet=greet)
        if self.redis_url:
            kind = "greet" if greet else ""
            redis = await self._client()
            async with redis.pipeline(transaction=False) as pipe:
                for board_id, frame, exclude, to in deliveries:
                    pipe.publish(self.channel(board_id), f"{self.process_id}|{exclude}|{to}|{kind}|{frame}")
                await pipe.execute()

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

    async def _client(self):
        if self._redis is None:
            import redis.asyncio as aioredis

            self._redis = aioredis.Redis.from_url(self.redis_url, max_connections=64)
        return self._redis

    async def _ensure_pubsub(self) -> None:
        if self._pubsub is None:
            self._pubsub = (await self._client()).pubsub(ignore_subscribe_messages=True)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.get_running_loop().create_task(self._read(), name="board-hub-reader")

    async def _read(self) -> None:
        delay = 0.1
        while True:
            try:
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.01)
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
            if message is None or message.get("type") != "message":
                continue
            await self._on_remote(message["channel"], message["data"])

    async def _on_remote(self, channel: bytes, data: bytes) -> None:
        origin, exclude, to, kind, frame = data.decode().split("|", 4)
        if origin == self.process_id:
            return  # our own publication: already delivered locally
        board_id = int(channel.decode().rsplit(":", 1)[1])
        await self._deliver_local(board_id, frame, exclude=exclude, to=to, greet=kind == "greet")

    async def _close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            self._reader = None
        if self._pubsub is not None:
            await self._pubsub.aclose()
            self._pubsub = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None


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
