"""Group commit for the board socket.

Ops from every socket of this process queue here. One committer applies everything that queued
while the previous commit ran, in one transaction (`board_apply_batch`), then, in seq order, puts
each sender's ack and everyone else's copy in the sockets' outboxes, and only then answers each
sender's `submit`. At low load an op commits alone at once; under load, batches grow and the
number of commits stays flat. The committer awaits nothing but the database: sending is each
socket's own task (whiteboard/outbox.py), so a slow or stuck socket delays nobody else.
"""

import asyncio
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.db import connection

from .errors import BoardError
from .hub import get_hub
from .services import ApplyResult, OpRequest, board_apply_batch, board_apply_batch_async
from .stores import AsyncPostgresStore

logger = logging.getLogger(__name__)

# Builds the frame other participants get for an accepted result.
FrameBuilder = Callable[[ApplyResult], str]
# Queues the sender's ack (never waits).
AckSender = Callable[[ApplyResult], None]


@dataclass
class _Pending:
    request: OpRequest
    client_id: str
    frame: FrameBuilder
    ack: AckSender
    future: asyncio.Future


class OpBatcher:
    def __init__(self, *, max_batch: int = 200):
        self.max_batch = max_batch
        # On PostgreSQL the committer talks to the database from the event loop (async psycopg):
        # no hop to Django's database thread, no contention with it for the interpreter lock.
        self.store = None
        if connection.vendor == "postgresql":
            self.store = AsyncPostgresStore()
        self.queue: list[_Pending] = []
        self.wakeup = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def submit(self, request: OpRequest, *, client_id: str, frame: FrameBuilder, ack: AckSender) -> ApplyResult:
        """Queue a batch; returns once it is committed, acked and fanned out (or raises BoardError)."""
        future = asyncio.get_running_loop().create_future()
        self.queue.append(_Pending(request, client_id, frame, ack, future))
        self.wakeup.set()
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run(), name="board-op-batcher")
        return await future

    async def _run(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.queue:
                batch, self.queue = self.queue[: self.max_batch], self.queue[self.max_batch :]
                try:
                    await self._commit(batch)
                except Exception:  # never leave a sender waiting, whatever went wrong
                    logger.exception("board batch of %d ops could not be finished", len(batch))
                    error = BoardError("The change could not be saved; it will be resent.", code="retry")
                    for pending in batch:
                        if not pending.future.done():
                            pending.future.set_exception(error)

    async def _commit(self, batch: list[_Pending]) -> None:
        try:
            requests = [p.request for p in batch]
            if self.store is not None:
                results = await board_apply_batch_async(requests=requests, store=self.store)
            else:
                results = await _apply_in_db_thread(requests)
        except Exception as exc:  # the database is down or broken: nobody gets an ack
            logger.exception("board batch of %d ops failed", len(batch))
            error = BoardError("The change could not be saved; it will be resent.", code="retry")
            error.__cause__ = exc
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(error)
            return
        # In seq order, each sender's ack and then everyone else's copy: every socket of this
        # process sees a board's seqs in order.
        hub = get_hub()
        for pending, result in zip(batch, results, strict=True):
            if isinstance(result, Exception):
                if not pending.future.done():
                    pending.future.set_exception(result)
                continue
            if not pending.future.done():  # else the sender went away while we committed
                try:
                    pending.ack(result)
                except Exception:
                    logger.debug("could not ack %s", pending.client_id, exc_info=True)
            if result.seq is not None and not result.duplicate:
                try:
                    hub.publish(result.board_id, pending.frame(result), exclude=pending.client_id)
                except Exception:  # committed all the same: clients that miss it catch up by seq
                    logger.exception("fan-out of board %s seq %s failed", result.board_id, result.seq)
            if not pending.future.done():
                pending.future.set_result(result)


@sync_to_async(thread_sensitive=True)
def _apply_in_db_thread(requests: list[OpRequest]):
    # The thread's connection is kept open between batches (no health-check query per batch, as
    # database_sync_to_async would do); it is replaced only after a database error broke it.
    try:
        return board_apply_batch(requests=requests)
    finally:
        if connection.errors_occurred:
            connection.close_if_unusable_or_obsolete()


_batchers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, OpBatcher]" = weakref.WeakKeyDictionary()


def get_batcher() -> OpBatcher:
    loop = asyncio.get_running_loop()
    batcher = _batchers.get(loop)
    if batcher is None:
        batcher = _batchers[loop] = OpBatcher()
    return batcher
