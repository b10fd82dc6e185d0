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
from ..elements import rectangle

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

    def __init__(self, prefix: str, **env: str):
        self.port = free_port()
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": os.environ["REDIS_URL"],
            "CHANNEL_PREFIX": prefix,
            "DEBUG": "on",
            "LOG_LEVEL": "WARNING",
            **env,
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

    def start(n: int = 1, **env: str) -> list[Server]:
        new = [Server(prefix, **env).start() for _ in range(n)]
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
        await asyncio.sleep(0.3)  # within the sync rate limit (docs/protocol.md)
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


def raw_websocket(port: int, path: str, headers: dict[str, str]) -> socket.socket:
    """Open a WebSocket by hand on a socket with a tiny receive buffer; read only the handshake."""
    import base64

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade"]
    lines += [f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13", *(f"{k}: {v}" for k, v in headers.items())]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)  # byte by byte: nothing past the handshake is read
    assert response.startswith(b"HTTP/1.1 101"), response
    return sock


def read_until_close(sock: socket.socket, timeout: float = 30) -> int | None:
    """Read server frames (unmasked) until a close frame; return its code."""
    sock.settimeout(timeout)

    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed without a close frame")
            data += chunk
        return data

    while True:
        first, second = exactly(2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(exactly(2), "big")
        elif length == 127:
            length = int.from_bytes(exactly(8), "big")
        payload = exactly(length)
        if first & 0x0F == 0x8:
            return int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None


@pytest.fixture
def other_interview(problem, outsider):
    """A second live interview, on another board, between two other people."""
    import datetime as dt

    from django.utils import timezone

    from interview.services import interview_accept, interview_schedule

    from ..factories import UserFactory

    peer = UserFactory(username="olga")
    invited = interview_schedule(
        created_by=outsider,
        problem_id=problem.pk,
        scheduled_at=timezone.now() + dt.timedelta(minutes=5),
        peer=peer.username,
        my_role="interviewer",
    )
    return interview_accept(interview=invited, user=peer), outsider


@pytest.mark.asyncio
async def test_a_socket_that_never_reads_delays_no_other_board_and_is_closed(
    servers, interview, interviewer, candidate, other_interview
):
    """A client stops reading; a peer on its board keeps drawing large shapes. Another interview's
    ops are acked within a second all along, a newcomer on the stalled board gets its snapshot,
    and the stalled socket is closed with 4408 once its outbox overflows."""
    from channels.db import database_sync_to_async

    second, second_user = other_interview
    [server] = await asyncio.to_thread(servers, 1, BOARD_OUTBOX_MAX_BYTES="262144", BOARD_SEND_TIMEOUT_SECONDS="3")
    cookie = {u.pk: await database_sync_to_async(cookie_for)(u) for u in (candidate, interviewer, second_user)}
    origin = f"http://127.0.0.1:{server.port}"

    def headers(user):
        return {"Cookie": cookie[user.pk], "Origin": origin}

    # The attacker: a tiny receive buffer, a WebSocket handshake by hand, and then no reading.
    stalled = await asyncio.to_thread(
        raw_websocket, server.port, f"/ws/boards/{interview.board_id}/", headers(candidate)
    )
    writers = [
        BoardClient(server.board_url(interview.board_id), cookie=cookie[interviewer.pk], origin=origin)
        for _ in range(2)
    ]
    probe = BoardClient(server.board_url(second.board_id), cookie=cookie[second_user.pk], origin=origin)
    for client in (*writers, probe):
        await client.start()

    async def flood(index: int):
        # ~30 KB a frame to the stalled socket from each writer, within the op rate limit: more
        # than the kernel's socket buffers (up to 4 MB here) and the outbox together can hold.
        for step in range(100):
            big = rectangle(f"big{index}", customData={"pad": "x" * 30000}, version=step + 1, nonce=step)
            await writers[index].edit(big)
            await asyncio.sleep(0.05)

    async def probe_acks() -> list[float]:
        waits = []
        for step in range(40):
            started = time.monotonic()
            op_id = await probe.edit(rectangle(f"p{step}", version=1, nonce=step))
            while op_id not in probe.acked:
                assert time.monotonic() - started < 5, "probe op not acked in 5 s"
                await asyncio.sleep(0.005)
            waits.append(time.monotonic() - started)
            await asyncio.sleep(0.1)
        return waits

    _, _, waits = await asyncio.gather(flood(0), flood(1), probe_acks())
    assert max(waits) < 1.0, waits
    assert all(writer.errors == [] for writer in writers)

    # A newcomer on the stalled board is served at once.
    started = time.monotonic()
    newcomer = BoardClient(server.board_url(interview.board_id), cookie=cookie[interviewer.pk], origin=origin)
    await newcomer.start()
    assert time.monotonic() - started < 2 and {"big0", "big1"} <= set(newcomer.replica)

    # The stalled socket was closed: reading now drains what was buffered, then the close frame.
    assert await asyncio.to_thread(read_until_close, stalled) == 4408
    for client in (*writers, probe, newcomer):
        assert client.errors == []
        await client.stop()
