"""A socket's outbox: frames go out in order from the socket's own task; one that cannot keep up
gives up (and its socket is closed) instead of making anyone wait."""

import asyncio

import pytest

from whiteboard import outbox as outbox_module
from whiteboard.outbox import Outbox

pytestmark = pytest.mark.asyncio


class Peer:
    def __init__(self, *, blocked: bool = False):
        self.sent: list[str] = []
        self.failures: list[str] = []
        self.gate = asyncio.Event()
        if not blocked:
            self.gate.set()

    async def send(self, text: str) -> None:
        await self.gate.wait()
        self.sent.append(text)

    def outbox(self, **limits) -> Outbox:
        return Outbox(self.send, on_failure=self.failures.append, **{"max_bytes": 1000, "timeout": 5, **limits})


async def test_frames_wait_until_start_then_go_out_in_order():
    peer = Peer()
    box = peer.outbox()
    box.put("a")
    box.put("b")
    await asyncio.sleep(0.01)
    assert peer.sent == []  # not started: e.g. the snapshot goes first
    box.start()
    box.put("c")
    await asyncio.sleep(0.01)
    assert peer.sent == ["a", "b", "c"] and box.size == 0
    box.close()


async def test_put_never_waits_and_an_overflow_gives_up_once():
    peer = Peer(blocked=True)
    box = peer.outbox(max_bytes=100)
    box.start()
    for _ in range(50):
        box.put("x" * 10)  # returns at once although nothing can be sent
    assert peer.failures == ["overflow"] and box.failed == "overflow"
    assert box.size == 0 and not box.frames
    box.put("more")  # ignored from now on
    assert not box.frames and peer.failures == ["overflow"]


async def test_a_send_blocked_past_the_timeout_gives_up(monkeypatch):
    monkeypatch.setattr(outbox_module, "SWEEP_SECONDS", 0.02)
    peer = Peer(blocked=True)
    box = peer.outbox(timeout=0.05)
    box.start()
    box.put("stuck")
    for _ in range(100):
        if peer.failures:
            break
        await asyncio.sleep(0.01)
    assert peer.failures == ["timeout"]
    # another socket's outbox on the same loop is unaffected
    other = Peer()
    fine = other.outbox(timeout=0.05)
    fine.start()
    fine.put("hello")
    await asyncio.sleep(0.05)
    assert other.sent == ["hello"] and other.failures == []
    fine.close()


async def test_exclusive_sends_its_frames_with_nothing_in_between():
    peer = Peer()
    box = peer.outbox()
    box.start()
    async with box.exclusive():
        box.put("queued meanwhile")
        await box.send_now("part 1")
        await asyncio.sleep(0.01)
        await box.send_now("part 2")
    await asyncio.sleep(0.01)
    assert peer.sent == ["part 1", "part 2", "queued meanwhile"]
    box.close()
