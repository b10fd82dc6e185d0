"""A board client in Python that follows docs/protocol.md the way the browser does.

It keeps a replica (merged with the server's rule, whiteboard/reconcile.py), queues local edits
until they are acked, re-sends them with the same op id after a reconnect, reconnects with
backoff, and asks for what it missed when it sees a seq gap. Tests drive real server processes
with it.
"""

import asyncio
import contextlib
import random
import uuid

import orjson
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from whiteboard.reconcile import wins_over


class BoardClient:
    def __init__(self, url: str, *, cookie: str, origin: str):
        self.url = url
        self.headers = [("Cookie", cookie), ("Origin", origin)]
        self.replica: dict[str, dict] = {}
        self.pending: dict[str, list[dict]] = {}  # op_id -> elements, in send order
        self.acked: dict[str, int | None] = {}  # op_id -> seq
        self.seq = 0
        self.errors: list[dict] = []
        self.connected = asyncio.Event()
        self.reconnects = 0
        self._ws = None
        self._task: asyncio.Task | None = None
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.connected.wait(), 20)

    async def stop(self) -> None:
        self._stopping = True
        if self._ws is not None:
            await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        delay = 0.05
        while not self._stopping:
            try:
                async with connect(self.url, additional_headers=self.headers, open_timeout=5) as ws:
                    self._ws = ws
                    await self._on_open(ws)
                    delay = 0.05
                    async for raw in ws:
                        await self._on_frame(orjson.loads(raw))
            except (OSError, ConnectionClosed, InvalidStatus, TimeoutError):
                pass
            self._ws = None
            self.connected.clear()
            if self._stopping:
                return
            self.reconnects += 1
            await asyncio.sleep(delay * (0.5 + random.random()))  # backoff with jitter
            delay = min(delay * 2, 1.0)

    async def _on_open(self, ws) -> None:
        snapshot = orjson.loads(await ws.recv())
        assert snapshot["type"] == "snapshot", snapshot
        self._merge(snapshot["elements"])
        self.seq = snapshot["seq"]
        self.connected.set()
        for op_id, elements in list(self.pending.items()):  # unacked edits: same op id again
            await ws.send(orjson.dumps({"type": "ops", "op_id": op_id, "elements": elements}).decode())

    # -- editing -------------------------------------------------------------------------------

    async def edit(self, element: dict) -> str:
        self._merge([element])
        op_id = uuid.uuid4().hex
        self.pending[op_id] = [element]
        ws = self._ws
        if ws is not None and self.connected.is_set():
            with contextlib.suppress(ConnectionClosed):
                await ws.send(orjson.dumps({"type": "ops", "op_id": op_id, "elements": [element]}).decode())
        return op_id

    # -- incoming ------------------------------------------------------------------------------

    def _merge(self, elements: list[dict]) -> None:
        for element in elements:
            element = {k: v for k, v in element.items() if k != "lane"}
            if wins_over(element, self.replica.get(element["id"])):
                self.replica[element["id"]] = element

    async def _on_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "ack":
            if frame["op_id"] in self.pending:
                self.pending.pop(frame["op_id"])
                self.acked[frame["op_id"]] = frame["seq"]
            if frame["seq"] is not None and frame["seq"] == self.seq + 1:
                self.seq = frame["seq"]
            self._merge(frame["rejected"])
        elif kind == "ops":
            self._merge(frame["elements"])
            if frame["seq"] > self.seq + 1:
                await self._ws.send(orjson.dumps({"type": "sync", "since_seq": self.seq}).decode())
            else:
                self.seq = max(self.seq, frame["seq"])
        elif kind == "catchup":
            for op in frame["ops"]:
                self._merge(op["elements"])
            self.seq = max(self.seq, frame["seq"])
        elif kind == "snapshot":
            self._merge(frame["elements"])
            self.seq = frame["seq"]
        elif kind == "error":
            self.errors.append(frame)

    def versions(self) -> dict[str, tuple[int, int]]:
        return {i: (e["version"], e["versionNonce"]) for i, e in self.replica.items()}
