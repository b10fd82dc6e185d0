"""What waits to go out on one board socket, and the task that sends it.

Everything addressed to a socket (acks, other people's ops, cursors, errors) is put here without
waiting; the socket's own task sends it. So the committer and the fan-out never wait on a socket:
a client that reads slowly only fills its own outbox. When the outbox holds more than
`max_bytes`, or one round of sending blocks for `timeout` seconds, the outbox stops and tells its
owner, which closes the socket (code 4408); the client reconnects and catches up by seq, and
nothing acked is lost because every acked op is already committed.
"""

import asyncio
import contextlib
import logging
import weakref
from collections import deque
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

# How often the watchdog looks for a send that has blocked too long. A timer per send would cost
# more than the send itself; one sweep a second over the process's outboxes costs nothing.
SWEEP_SECONDS = 1.0


class Outbox:
    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        *,
        max_bytes: int,
        timeout: float,
        on_failure: Callable[[str], None],
    ):
        self._send = send
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._on_failure = on_failure
        self.frames: deque[str] = deque()
        self.size = 0  # characters of JSON text waiting (ASCII: bytes)
        self.failed: str | None = None  # "overflow" or "timeout" once the outbox gave up
        self._ready = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task | None = None
        self.sending_since: float | None = None  # loop time the current round of sends began

    def start(self) -> None:
        """Start sending (frames put before this wait, in order)."""
        if self._task is None and self.failed is None:
            loop = asyncio.get_running_loop()
            self._task = loop.create_task(self._drain(), name="board-socket-outbox")
            _watchdog(loop).add(self)
            if self.frames:
                self._ready.set()

    def put(self, text: str) -> None:
        if self.failed is not None:
            return
        self.frames.append(text)
        self.size += len(text)
        if self.size > self.max_bytes:
            self._fail("overflow")
            return
        if self._task is not None:
            self._ready.set()

    @contextlib.asynccontextmanager
    async def exclusive(self):
        """Send the socket's own answer (a snapshot in parts, a catch-up) with nothing interleaved,
        under the same send timeout. Frames put meanwhile wait and follow it."""
        async with self._lock:
            try:
                async with asyncio.timeout(self.timeout):
                    yield
            except TimeoutError:
                self._fail("timeout")

    async def send_now(self, text: str) -> None:
        """Send one frame directly (inside `exclusive`)."""
        if self.failed is None:
            await self._send(text)

    def close(self) -> None:
        self._stop(self.failed or "closed")

    def _stop(self, reason: str) -> None:
        self.failed = reason
        self.frames.clear()
        self.size = 0
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self.failed is None:
            await self._ready.wait()
            self._ready.clear()
            async with self._lock:
                self.sending_since = loop.time()
                try:
                    while self.frames and self.failed is None:
                        text = self.frames.popleft()
                        self.size -= len(text)
                        await self._send(text)
                except Exception:  # the socket went away under us: its disconnect cleans up
                    logger.debug("board socket send failed", exc_info=True)
                    self.close()
                finally:
                    self.sending_since = None

    def check(self, now: float) -> None:
        """Give up if the current round of sends has been blocked for longer than the timeout."""
        if self.sending_since is not None and now - self.sending_since > self.timeout:
            self._fail("timeout")

    def _fail(self, reason: str) -> None:
        if self.failed is not None:
            return
        self._stop(reason)
        try:
            self._on_failure(reason)
        except Exception:
            logger.exception("board socket outbox failure handler failed")


class _Watchdog:
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.outboxes: weakref.WeakSet[Outbox] = weakref.WeakSet()
        self.loop = loop
        self.task: asyncio.Task | None = None

    def add(self, outbox: Outbox) -> None:
        self.outboxes.add(outbox)
        if self.task is None or self.task.done():
            self.task = self.loop.create_task(self._sweep(), name="board-outbox-watchdog")

    async def _sweep(self) -> None:
        while self.outboxes:
            await asyncio.sleep(SWEEP_SECONDS)
            now = self.loop.time()
            for outbox in list(self.outboxes):
                if outbox.failed is not None:
                    self.outboxes.discard(outbox)
                    continue
                try:
                    outbox.check(now)
                except Exception:
                    logger.exception("board outbox watchdog failed on one socket")


_watchdogs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Watchdog]" = weakref.WeakKeyDictionary()


def _watchdog(loop: asyncio.AbstractEventLoop) -> _Watchdog:
    watchdog = _watchdogs.get(loop)
    if watchdog is None:
        watchdog = _watchdogs[loop] = _Watchdog(loop)
    return watchdog
