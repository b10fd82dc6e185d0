"""The board against real server processes: uvicorn on PostgreSQL and Redis, as in production.

Two processes serve one room; a process is killed with SIGKILL mid-edit and restarted. These
need a PostgreSQL DATABASE_URL and a REDIS_URL (CI sets both); without them there is no second
process that could share the database and the fan-out, so they are skipped.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from whiteboard.models import BoardElement, BoardOp

from ..board_client import BoardClient
from ..ws import rectangle

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL: several server processes share them",
    ),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One uvicorn process serving config.asgi:application on the test database."""

    def __init__(self, prefix: str):
        self.port = free_port()
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": os.environ["REDIS_URL"],
            "CHANNEL_PREFIX": prefix,
            "DEBUG": "on",
            "LOG_LEVEL": "WARNING",
        }
        self.process = None

    def start(self) -> "Server":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                "off",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start in 30 s")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def board_url(self, board_id: int) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/boards/{board_id}/"


@pytest.fixture
def servers():
    started: list[Server] = []
    prefix = f"test-{uuid.uuid4().hex[:10]}"

    def start(n: int = 1) -> list[Server]:
        new = [Server(prefix).start() for _ in range(n)]
        started.extend(new)
        return new

    yield start
    for server in started:
        server.stop()


def cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def server_state(board_id: int) -> dict[str, tuple[int, int]]:
    return {
        element_id: (version, nonce)
        for element_id, version, nonce in BoardElement.objects.filter(board_id=board_id).values_list(
            "element_id", "version", "version_nonce"
        )
    }


async def settle(clients: list[BoardClient], board_id: int, timeout: float = 30) -> None:
    """Wait until nothing is pending and every client has seen the board's last seq."""
    from channels.db import database_sync_to_async

    from whiteboard.models import Board

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seq = await database_sync_to_async(lambda: Board.objects.get(pk=board_id).seq)()
        if all(not c.pending and c.seq >= seq for c in clients):
            return
        for c in clients:  # a client that saw no gap yet may simply be idle: ask
            if c.connected.is_set() and c._ws is not None and c.seq < seq:
                await c._ws.send(f'{{"type": "sync", "since_seq": {c.seq}}}')
        await asyncio.sleep(0.1)
    raise AssertionError(f"did not settle: pending={[len(c.pending) for c in clients]} seqs={[c.seq for c in clients]}")


def edit_of(client_index: int, step: int) -> dict:
    """Clients edit their own elements and one shared element, so some edits collide."""
    element_id = "shared" if step % 3 == 0 else f"c{client_index}-{step % 5}"
    return rectangle(element_id, x=1100.0 + step, version=step + 1, nonce=client_index * 1000 + step)


@pytest.mark.asyncio
async def test_two_processes_serve_one_room(servers, interview, interviewer, candidate):
    from channels.db import database_sync_to_async

    a, b = await asyncio.to_thread(servers, 2)
    cookies = [await database_sync_to_async(cookie_for)(u) for u in (candidate, interviewer)]
    origin_a, origin_b = f"http://127.0.0.1:{a.port}", f"http://127.0.0.1:{b.port}"
    clients = [
        BoardClient(a.board_url(interview.board_id), cookie=cookies[0], origin=origin_a),
        BoardClient(b.board_url(interview.board_id), cookie=cookies[1], origin=origin_b),
    ]
    for client in clients:
        await client.start()
    for step in range(30):
        for index, client in enumerate(clients):
            await client.edit(edit_of(index, step))
        await asyncio.sleep(0.005)
    await settle(clients, interview.board_id)

    truth = await database_sync_to_async(server_state)(interview.board_id)
    assert clients[0].versions() == clients[1].versions() == truth
    # Each saw the other's elements arrive live, through the other process.
    assert "c1-0" in clients[0].replica and "c0-0" in clients[1].replica
    for client in clients:
        assert client.errors == [] and client.reconnects == 0
        await client.stop()


@pytest.mark.asyncio
async def test_a_killed_process_loses_no_acked_op_and_queued_ops_land_once(servers, interview, interviewer, candidate):
    from channels.db import database_sync_to_async

    [server] = await asyncio.to_thread(servers, 1)
    cookies = [await database_sync_to_async(cookie_for)(u) for u in (candidate, interviewer, interviewer)]
    origin = f"http://127.0.0.1:{server.port}"
    clients = [BoardClient(server.board_url(interview.board_id), cookie=c, origin=origin) for c in cookies]
    for client in clients:
        await client.start()

    sent: list[str] = []
    for step in range(40):
        for index, client in enumerate(clients):
            sent.append(await client.edit(edit_of(index, step)))
        if step == 20:
            # Acked with a seq: committed. (An ack with seq null means the edit lost to a newer copy.)
            acked_before_kill = {op for c in clients for op, seq in c.acked.items() if seq is not None}
            server.kill()  # mid-edit: some ops are in flight, some committed but not yet acked
        if step == 30:
            await asyncio.to_thread(server.start)  # the same port: clients come back by themselves
        await asyncio.sleep(0.01)

    await settle(clients, interview.board_id, timeout=60)
    assert all(c.reconnects >= 1 for c in clients)

    logged = await database_sync_to_async(
        lambda: list(BoardOp.objects.filter(board_id=interview.board_id).values_list("op_id", flat=True))
    )()
    # Every acked op is stored; every queued op landed exactly once (op ids are unique per board).
    assert acked_before_kill <= set(logged)
    assert len(logged) == len(set(logged))
    acked_all = {op: seq for c in clients for op, seq in c.acked.items()}
    assert set(sent) == set(acked_all)
    assert {op for op, seq in acked_all.items() if seq is not None} <= set(logged)
    # All replicas equal the server, which equals the rule folded over every edit.
    truth = await database_sync_to_async(server_state)(interview.board_id)
    assert all(c.versions() == truth for c in clients)
    expected: dict[str, dict] = {}
    for step in range(40):
        for index in range(3):
            element = edit_of(index, step)
            current = expected.get(element["id"])
            if current is None or (element["version"], -element["versionNonce"]) > (
                current["version"],
                -current["versionNonce"],
            ):
                expected[element["id"]] = element
    assert {k: v for k, v in truth.items() if not k.startswith("lane-")} == {
        k: (e["version"], e["versionNonce"]) for k, e in expected.items()
    }
    for client in clients:
        assert [e for e in client.errors if e["code"] != "retry"] == []
        await client.stop()
