#!/usr/bin/env python3
"""Board sync benchmark: real uvicorn processes, PostgreSQL, the Redis channel layer.

For each point (server, R rooms) it starts the server process(es), opens 3 board sockets per
room from separate load-generator processes, sends element updates (10/s per client) and cursor
presence (20/s per client) on a fixed open-loop schedule, and measures ack and fan-out latency,
delivered ops/s, lost and duplicated ops, and CPU. The same load runs against a bare Channels
relay (bench/relay.py) for comparison.

    .venv/bin/python bench/board_sync.py --quick          # R = 1, 50; under 90 s
    .venv/bin/python bench/board_sync.py                  # R = 1, 50, 150
    .venv/bin/python bench/board_sync.py --find-knee      # first R where fan-out p99 > 100 ms

Exactly one JSON object goes to stdout; progress goes to stderr. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import json
import math
import multiprocessing
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")
NS = 1_000_000_000
MS = 1_000_000

DEFAULT_ROOMS = [1, 50, 150]
QUICK_ROOMS = [1, 50]
KNEE_ROOMS = [1, 3, 5, 10, 20, 30, 50, 75, 100, 150]
KNEE_P99_MS = 100.0
HARNESS_LAG_LIMIT_MS = 10.0  # load-generator event-loop lag p99 above this: its timestamps are not trustworthy
CLIENTS_PER_ROOM = 3
MAX_ROOMS = 1000
MAX_SECONDS = 120.0
LOOPBACK = "127.0.0.1"

_children: list[subprocess.Popen] = []
_load_procs: list[multiprocessing.Process] = []


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def mono() -> int:
    # CLOCK_MONOTONIC is system-wide on Linux: the parent, the load processes and their
    # timestamps share one clock.
    return time.monotonic_ns()


# ---------------------------------------------------------------------------------------------
# Child processes: servers and helpers
# ---------------------------------------------------------------------------------------------


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def run_checked(cmd: list[str], *, env: dict, timeout: float, what: str) -> str:
    result = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def free_port(start: int, taken: set[int]) -> int:
    for port in range(start, start + 500):
        if port in taken:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise RuntimeError(f"no free port in {start}-{start + 499} on {LOOPBACK}")


class Server:
    def __init__(self, kind: str, port: int, env: dict, ws: str, log_dir: Path):
        self.kind, self.port = kind, port
        self.log_path = log_dir / f"{kind}-{port}.log"
        if kind == "floor":
            cmd = [PYTHON, str(ROOT / "bench" / "floor.py"), "--port", str(port)]
        else:
            app = "config.asgi:application" if kind == "mocklane" else "bench.relay:application"
            cmd = [PYTHON, "-m", "uvicorn", app, "--host", LOOPBACK, "--port", str(port), "--no-access-log"]
            cmd += ["--lifespan", "off", "--ws", ws, "--log-level", "warning"]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        _children.append(self.proc)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} on port {self.port} exited at start:\n{self.log_tail()}")
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.settimeout(0.5)
                if probe.connect_ex((LOOPBACK, self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} on port {self.port} did not listen within {timeout:.0f} s")

    def log_tail(self, limit: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-limit:]
        return ""

    def log_size(self) -> int:
        with contextlib.suppress(OSError):
            return self.log_path.stat().st_size
        return 0

    def log_problems(self, start: int = 0, end: int | None = None) -> tuple[int, list[str]]:
        """Error lines in bytes [start, end) of the server log: how many, and a few distinct ones.

        Lines that name an exception (the last line of a traceback) are sampled first."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(start)
                data = f.read((end - start) if end is not None else 2_000_000)
        except OSError:
            return 0, []
        lines = data.decode(errors="replace").splitlines()
        hits = [line.strip() for line in lines if re.search(r"Traceback|ERROR|Exception|Error\b", line)]
        named = [line for line in hits if re.match(r"^[\w.]+(Error|Exception)\b", line)]
        distinct = list(dict.fromkeys(line[:300] for line in named + hits))
        return len(hits), distinct[:6]

    def stop(self) -> None:
        stop_process(self.proc)
        with contextlib.suppress(OSError):
            self._log.close()


def stop_process(proc: subprocess.Popen, grace: float = 4.0) -> None:
    if proc.poll() is None:
        for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 2.0), (signal.SIGKILL, 2.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, sig)  # its own session: only the server and anything it started
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    with contextlib.suppress(ValueError):
        _children.remove(proc)


def cleanup_children() -> None:
    for proc in list(_load_procs):
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=3)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=2)
    _load_procs.clear()
    for proc in list(_children):
        stop_process(proc, grace=2.0)


# ---------------------------------------------------------------------------------------------
# CPU accounting from /proc
# ---------------------------------------------------------------------------------------------


def proc_ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime + stime, whole thread group


def pids_named(*names: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if any(comm.startswith(name) for name in names):
            found.append(int(entry))
    return found


STAT_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def machine_ticks() -> dict:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:9]]
    ticks = dict(zip(STAT_FIELDS, values, strict=False))
    ticks["total"] = sum(values)
    ticks["busy"] = ticks["total"] - ticks["idle"] - ticks.get("iowait", 0)
    return ticks


def cpu_snapshot(groups: dict[str, list[int]]) -> dict:
    snap: dict = {"t": time.monotonic(), "machine": machine_ticks()}
    for name, pids in groups.items():
        snap[name] = {pid: proc_ticks(pid) for pid in pids}
    snap["postgres"] = {pid: proc_ticks(pid) for pid in pids_named("postgres")}
    snap["redis"] = {pid: proc_ticks(pid) for pid in pids_named("redis-server")}
    return snap


def cpu_pct(before: dict, after: dict, name: str) -> float:
    elapsed = after["t"] - before["t"]
    if elapsed <= 0:
        return 0.0
    ticks = 0
    for pid, end in after[name].items():
        if end is None:
            continue
        start = before[name].get(pid)
        ticks += end - (start or 0)  # a process born inside the window counts whole
    return round(100.0 * ticks / CLK_TCK / elapsed, 1)


def machine_pct(before: dict, after: dict, field: str = "busy") -> float:
    """Share of the whole machine in `field`, as % of one core (the machine's maximum is 100 x cores)."""
    part = after["machine"][field] - before["machine"][field]
    total = after["machine"]["total"] - before["machine"]["total"]
    cores = os.cpu_count() or 1
    return round(100.0 * cores * part / total, 1) if total else 0.0


def background_cpu(seconds: float) -> float:
    """Busy CPU of the whole machine (% of one core) while this benchmark runs nothing."""
    before = {"machine": machine_ticks()}
    time.sleep(seconds)
    return machine_pct(before, {"machine": machine_ticks()})


def wait_for_quiet(limit_s: float, threshold: float = 30.0) -> float:
    """Wait up to limit_s for other work on the machine to drop under threshold; return the last reading."""
    deadline = time.monotonic() + limit_s
    reading = background_cpu(0.5)
    while reading > threshold and time.monotonic() < deadline:
        reading = background_cpu(1.0)
    return reading


# ---------------------------------------------------------------------------------------------
# Database and users (Mocklane only)
# ---------------------------------------------------------------------------------------------


def psql(sql: str, *, db: str = "postgres", pg_user: str = "postgres", port: int = 5432) -> str:
    cmd = ["psql", "-h", LOOPBACK, "-p", str(port), "-U", pg_user, "-d", db, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{result.stderr.strip()}")
    return result.stdout.strip()


def prepare_database(args, env: dict, rooms: int, out_dir: Path) -> dict:
    started = time.monotonic()
    log(f"database {args.db_name}: drop, create, migrate, load_content")
    psql(f'DROP DATABASE IF EXISTS "{args.db_name}" WITH (FORCE)', pg_user=args.pg_user, port=args.pg_port)
    psql(f'CREATE DATABASE "{args.db_name}"', pg_user=args.pg_user, port=args.pg_port)
    boot_env = {k: v for k, v in env.items() if k != "REDIS_URL"}  # eager Celery, in-memory layer
    run_checked([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=boot_env, timeout=180, what="migrate")
    run_checked([PYTHON, "manage.py", "load_content"], env=boot_env, timeout=120, what="load_content")
    out = out_dir / "rooms.json"
    log(f"creating {rooms} accepted interviews (2 users each) and their sessions")
    run_checked(
        [PYTHON, str(Path(__file__).resolve()), "--bootstrap", str(rooms), "--bootstrap-out", str(out)],
        env=boot_env,
        timeout=120 + rooms,
        what="bootstrap",
    )
    data = json.loads(out.read_text())
    log(f"database ready in {time.monotonic() - started:.1f} s")
    return data


def bootstrap_main(rooms: int, out: str) -> None:
    """Runs in a subprocess with the servers' environment: users, interviews, session cookies."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from interview.services import interview_accept, interview_schedule, profile_update
    from rubrics.selectors import problem_list

    user_model = get_user_model()
    problem = problem_list().first()
    if problem is None:
        raise SystemExit("the problem bank is empty after load_content")
    result = []
    for room in range(rooms):
        pair = []
        for role in ("i", "c"):
            user = user_model(username=f"bench-{role}{room}", email=f"bench-{role}{room}@bench.invalid")
            user.set_unusable_password()  # no password hashing: 300 users in a second, not minutes
            user.save()
            profile_update(user=user, display_name=f"Bench {role.upper()}{room}", time_zone="UTC")
            pair.append(user)
        interview = interview_schedule(
            created_by=pair[0],
            problem_id=problem.pk,
            scheduled_at=timezone.now(),
            peer=pair[1].username,
            my_role="interviewer",
        )
        interview_accept(interview=interview, user=pair[1])
        users = []
        for user in pair:
            client = Client()
            client.force_login(user)
            users.append({"id": user.pk, "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value})
        result.append({"interview": interview.pk, "board": interview.board_id, "users": users})
    with open(out, "w") as f:
        json.dump({"cookie_name": settings.SESSION_COOKIE_NAME, "rooms": result}, f)


def verify_in_database(args, clients: list[dict], op_prefix: str) -> dict:
    """Every acked op must be in the op log; every element must be stored at its last acked version."""
    try:
        import psycopg
    except ImportError:
        return {"skipped": "psycopg is not installed"}
    dsn = f"host={LOOPBACK} port={args.pg_port} user={args.pg_user} dbname={args.db_name} connect_timeout=10"
    acked = {op for c in clients for op in c["acked_ops"]}
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SET statement_timeout = 30000")
        cur.execute("SELECT op_id FROM whiteboard_boardop WHERE op_id LIKE %s", (op_prefix + "-%",))
        stored_ops = {row[0] for row in cur.fetchall()}
        element_ids = [c["element_id"] for c in clients]
        cur.execute(
            "SELECT board_id, element_id, version FROM whiteboard_boardelement WHERE element_id = ANY(%s)",
            (element_ids,),
        )
        stored = {(row[0], row[1]): row[2] for row in cur.fetchall()}
    behind = 0
    for c in clients:
        if c["max_acked_version"] and stored.get((c["board"], c["element_id"]), 0) < c["max_acked_version"]:
            behind += 1
    return {
        "acked_ops_checked": len(acked),
        "acked_ops_missing": len(acked - stored_ops),
        "ops_stored_not_acked": len(stored_ops - acked),
        "elements_checked": sum(1 for c in clients if c["max_acked_version"]),
        "elements_behind_acked_version": behind,
    }


# ---------------------------------------------------------------------------------------------
# Load generator (runs in its own processes)
# ---------------------------------------------------------------------------------------------


class LoadClient:
    __slots__ = (
        "acked",
        "alive",
        "board",
        "close_code",
        "closing",
        "cookie",
        "element_id",
        "gap_events",
        "idx",
        "max_acked_version",
        "max_seq",
        "op_version",
        "path",
        "pending",
        "phase_op",
        "phase_presence",
        "port",
        "reader",
        "received",
        "room",
        "sender",
        "sent_ops",
        "seq_dups",
        "seqs",
        "slot",
        "snapshot_seq",
        "unsent",
        "version",
        "ws",
    )

    def __init__(self, spec: dict, tag: str):
        self.idx, self.room, self.slot = spec["idx"], spec["room"], spec["slot"]
        self.port, self.path, self.cookie, self.board = spec["port"], spec["path"], spec["cookie"], spec["board"]
        self.ws = None
        self.alive = False
        self.closing = False
        self.close_code = None
        self.element_id = f"e{tag}-{self.idx}"
        self.version = 0
        self.pending: dict[str, int] = {}  # op_id -> scheduled send time, until acked
        self.op_version: dict[str, int] = {}
        self.acked: set[str] = set()
        self.max_acked_version = 0
        self.sent_ops: list[tuple[str, int]] = []  # (op_id, scheduled ns)
        self.received: set[str] = set()  # op_ids of `ops` broadcasts received
        self.unsent: list[int] = []  # scheduled times of ops never sent (the sender fell behind)
        self.snapshot_seq = None
        self.seqs: set[int] = set()
        self.max_seq = 0
        self.gap_events = 0
        self.seq_dups = 0
        self.phase_op = 0
        self.phase_presence = 0
        self.reader = None
        self.sender = None

    def note_seq(self, seq) -> None:
        if not isinstance(seq, int) or self.snapshot_seq is None:
            return
        if seq in self.seqs:
            self.seq_dups += 1
            return
        self.seqs.add(seq)
        if seq > self.max_seq + 1:
            self.gap_events += 1  # a protocol-following client would send `sync` here
        self.max_seq = max(self.max_seq, seq)


class LoadStats:
    def __init__(self):
        self.ack_lat: list[int] = []
        self.fan_lat: list[int] = []
        self.lag: list[int] = []
        self.loop_lag: list[int] = []
        self.delivered_window = 0
        self.presence_window = 0
        self.duplicated = 0
        self.dup_acks = 0
        self.unknown_acks = 0
        self.ack_not_applied = 0
        self.rejected = 0
        self.foreign_frames = 0
        self.error_frames: dict[str, int] = {}
        self.failed_ops = 0
        self.errors: dict[str, int] = {}

    def error(self, key: str, count: int = 1) -> None:
        self.errors[key] = self.errors.get(key, 0) + count


# The ops frame as the sender writes it: the same bytes as json.dumps(..., separators=(",", ":")) of
# {"type": "ops", "op_id": ..., "elements": [element(...)]}, formatted without the encoder's cost
# (checked against element() when a load process starts).
OPS_TEMPLATE = (
    '{"type":"ops","op_id":"%s","elements":[{"id":"%s","type":"rectangle","x":%s,"y":%s,'
    '"width":120.0,"height":60.0,"angle":0,"version":%d,"versionNonce":%d,"isDeleted":false,'
    '"strokeColor":"#1e1e1e","backgroundColor":"transparent","fillStyle":"solid","strokeWidth":2,'
    '"roughness":1,"opacity":100,"groupIds":[],"frameId":null,"boundElements":null,"locked":false,'
    '"customData":{"t":%d,"c":%d,"n":%d}}]}'
)


def ops_frame(client: LoadClient, op_id: str, version: int, sched: int, n: int, nonce: int) -> str:
    x = 1100.0 + (n % 400)
    y = 100.0 + (client.idx % 500)
    return OPS_TEMPLATE % (op_id, client.element_id, repr(x), repr(y), version, nonce, sched, client.idx, n)


def element(client: LoadClient, version: int, sched: int, n: int, nonce: int | None = None) -> dict:
    return {
        "id": client.element_id,
        "type": "rectangle",
        "x": 1100.0 + (n % 400),
        "y": 100.0 + (client.idx % 500),
        "width": 120.0,
        "height": 60.0,
        "angle": 0,
        "version": version,
        "versionNonce": nonce if nonce is not None else random.randrange(1, 2**31),
        "isDeleted": False,
        "strokeColor": "#1e1e1e",
        "backgroundColor": "transparent",
        "fillStyle": "solid",
        "strokeWidth": 2,
        "roughness": 1,
        "opacity": 100,
        "groupIds": [],
        "frameId": None,
        "boundElements": None,
        "locked": False,
        "customData": {"t": sched, "c": client.idx, "n": n},
    }


def frame_sizes() -> dict:
    """Bytes of one element and of one `ops` frame as sent (typical ids and timestamps)."""
    client = LoadClient({"idx": 42, "room": 14, "slot": 0, "port": 0, "path": "", "cookie": None, "board": 0}, "ab12")
    sched = mono()
    return {
        "element_bytes": len(json.dumps(element(client, 57, sched, 57, nonce=1234567890), separators=(",", ":"))),
        "ops_frame_bytes": len(ops_frame(client, "ab12-42-57", 57, sched, 57, 1234567890)),
    }


async def _connect(client: LoadClient, cfg: dict, stats: LoadStats) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    uri = f"ws://{LOOPBACK}:{client.port}{client.path}"
    headers = {}
    if client.cookie:
        headers["Cookie"] = f"{cfg['cookie_name']}={client.cookie}"
    try:
        ws = await connect(
            uri,
            origin=f"http://{LOOPBACK}:{client.port}",
            additional_headers=headers,
            compression="deflate" if cfg["compression"] == "deflate" else None,
            open_timeout=15,
            ping_interval=None,
            close_timeout=2,
            max_queue=4096,
            proxy=None,
        )
    except InvalidStatus as exc:
        stats.error(f"handshake_http_{exc.response.status_code}")
        return
    except Exception as exc:  # refused, reset, timed out: counted
        stats.error(f"connect_{type(exc).__name__}")
        return
    # The protocol puts `snapshot` first; frames that come before it are counted (a protocol
    # finding, not a failed connection) and otherwise ignored.
    first = None
    try:
        deadline = time.monotonic() + 15
        for _ in range(1000):
            frame = json.loads(await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic())))
            kind = frame.get("type") if isinstance(frame, dict) else None
            if kind == "snapshot":
                first = frame
                break
            stats.error(f"frame_before_snapshot_{kind}")
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd else None
        stats.error(f"closed_on_connect_{code}")
        return
    except Exception as exc:
        stats.error(f"no_snapshot_{type(exc).__name__}")
    if first is None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(), 2)
        return
    client.snapshot_seq = first.get("seq") if isinstance(first.get("seq"), int) else None
    client.max_seq = client.snapshot_seq or 0
    client.ws = ws
    client.alive = True


PRESENCE_MARKS = (b'"type":"presence"', b'"type": "presence"')


async def _reader(client: LoadClient, cfg: dict, stats: LoadStats, window: list[int]) -> None:
    from websockets.exceptions import ConnectionClosed

    loads = json.loads
    expect_seq = cfg["expect_seq"]
    recv = client.ws.recv
    compact_mark, spaced_mark = PRESENCE_MARKS
    try:
        for _ in range(10**9):  # ends when the socket closes
            raw = await recv(decode=False)  # bytes: no UTF-8 decode for frames we only count
            now = mono()
            ws_start, ws_end, drain_end = window
            if now >= drain_end:
                continue  # arrived after the drain: counts as never arrived
            if compact_mark in raw or spaced_mark in raw:
                # Presence is only counted: decoding it would spend load-generator CPU for nothing.
                if ws_start <= now < ws_end:
                    # One frame may carry several peers' cursors (coalesced per tick): count cursors.
                    stats.presence_window += raw.count(b'"client_id"') or 1
                continue
            try:
                frame = loads(raw)
                kind = frame["type"]
            except Exception:
                stats.foreign_frames += 1
                continue
            if kind == "ops":
                op_id = frame.get("op_id")
                if op_id in client.received:
                    stats.duplicated += 1
                    continue
                client.received.add(op_id)
                client.note_seq(frame.get("seq"))
                try:
                    sched = frame["elements"][0]["customData"]["t"]
                except (KeyError, IndexError, TypeError):
                    stats.foreign_frames += 1
                    continue
                if ws_start <= sched < ws_end:
                    stats.fan_lat.append(now - sched)
                if ws_start <= now < ws_end:
                    stats.delivered_window += 1
            elif kind == "ack":
                op_id = frame.get("op_id")
                sched = client.pending.pop(op_id, None)
                if sched is None:
                    if op_id in client.acked:
                        stats.dup_acks += 1
                    else:
                        stats.unknown_acks += 1
                    continue
                seq = frame.get("seq")
                if frame.get("rejected"):
                    stats.rejected += 1
                if expect_seq and seq is None:
                    stats.ack_not_applied += 1  # nothing won: not broadcast, so not counted as acked
                    continue
                client.note_seq(seq)
                client.acked.add(op_id)
                client.max_acked_version = max(client.max_acked_version, client.op_version.get(op_id, 0))
                if ws_start <= sched < ws_end:
                    stats.ack_lat.append(now - sched)
            elif kind == "error":
                code = str(frame.get("code"))
                stats.error_frames[code] = stats.error_frames.get(code, 0) + 1
                if client.pending.pop(frame.get("ref"), None) is not None:
                    stats.failed_ops += 1
            elif kind in ("peer_joined", "peer_left", "snapshot", "catchup"):
                pass
            else:
                stats.foreign_frames += 1
    except ConnectionClosed as exc:
        client.close_code = exc.rcvd.code if exc.rcvd else None
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        stats.error(f"reader_{type(exc).__name__}")
    if not client.closing:
        client.alive = False
        stats.error(f"closed_mid_run_{client.close_code}")


async def _sender(client: LoadClient, cfg: dict, stats: LoadStats, t0: int, window: list[int]) -> None:
    from websockets.exceptions import ConnectionClosed

    randrange = random.randrange
    op_period = NS // cfg["op_rate"] if cfg["op_rate"] else None
    presence_period = NS // cfg["presence_rate"] if cfg["presence_rate"] else None
    next_op = t0 + client.phase_op if op_period else math.inf
    next_presence = t0 + client.phase_presence if presence_period else math.inf
    t_stop = window[1]
    n = 0
    tag = cfg["op_prefix"]
    max_iterations = 10 + int((t_stop - t0) / NS * (cfg["op_rate"] + cfg["presence_rate"]) * 1.1)
    for _ in range(max_iterations):
        sched = min(next_op, next_presence)
        if sched >= t_stop:
            break
        now = mono()
        if now >= t_stop:  # fell so far behind that the run ended: keep what was never sent
            client.unsent = list(range(int(next_op), t_stop, op_period))
            stats.error("ops_never_sent_sender_behind", len(client.unsent))
            break
        if sched > now:
            await asyncio.sleep((sched - now) / NS)
        if not client.alive:  # the server closed this socket: the rest of its ops never go out
            client.unsent = list(range(int(next_op), t_stop, op_period))
            break
        try:
            if next_op <= next_presence:
                n += 1
                client.version += 1
                op_id = f"{tag}-{client.idx}-{n}"
                payload = ops_frame(client, op_id, client.version, sched, n, randrange(1, 2**31))
                client.pending[op_id] = sched
                client.op_version[op_id] = client.version
                client.sent_ops.append((op_id, sched))
                if window[0] <= sched:
                    stats.lag.append(mono() - sched)
                await client.ws.send(payload)
                next_op += op_period
            else:
                x = 100.0 + (next_presence // MS) % 800
                y = 200.0 + client.idx % 300
                await client.ws.send(
                    f'{{"type":"presence","pointer":{{"x":{x:.1f},"y":{y:.1f}}},"button":"up","selected_ids":[]}}'
                )
                next_presence += presence_period
        except ConnectionClosed:
            stats.error("send_on_closed_socket")
            client.unsent = list(range(int(next_op), t_stop, op_period))
            break


async def _loop_probe(stats: LoadStats, window: list[int], tick_ns: int = 5 * MS) -> None:
    """How late this process's event loop wakes up: when it is busy, every timestamp it takes is late."""
    end = window[1]
    for _ in range(10**7):
        before = mono()
        if before >= end:
            return
        await asyncio.sleep(tick_ns / NS)
        if before >= window[0]:
            stats.loop_lag.append(max(0, mono() - before - tick_ns))


async def _load_async(conn, plan: list[dict], cfg: dict) -> dict:
    stats = LoadStats()
    clients = [LoadClient(spec, cfg["element_tag"]) for room in plan for spec in room["clients"]]
    if clients:  # the template must say exactly what the encoder would
        probe = clients[0]
        expected = {"type": "ops", "op_id": "x-1", "elements": [element(probe, 3, 12345, 7, nonce=99)]}
        assert ops_frame(probe, "x-1", 3, 12345, 7, 99) == json.dumps(expected, separators=(",", ":"))
    rng = random.Random(cfg["seed"])
    for client in clients:
        client.phase_op = rng.randrange(NS // cfg["op_rate"]) if cfg["op_rate"] else 0
        client.phase_presence = rng.randrange(NS // cfg["presence_rate"]) if cfg["presence_rate"] else 0
    window = [math.inf, math.inf, math.inf]  # measure start, measure end, drain end: set at the start signal

    connect_started = time.monotonic()
    gate = asyncio.Semaphore(cfg["connect_concurrency"])

    async def guarded(client):
        async with gate:
            await _connect(client, cfg, stats)
            if client.alive:
                client.reader = asyncio.create_task(_reader(client, cfg, stats, window))

    tasks = [asyncio.create_task(guarded(c)) for c in clients]
    _, late = await asyncio.wait(tasks, timeout=cfg["connect_timeout"])
    for task in late:
        task.cancel()
    if late:
        stats.error("connect_timeout", len(late))
        await asyncio.gather(*late, return_exceptions=True)
    connected = sum(1 for c in clients if c.alive)
    conn.send(
        ("ready", {"connected": connected, "clients": len(clients), "connect_s": time.monotonic() - connect_started})
    )

    loop = asyncio.get_running_loop()
    got = await loop.run_in_executor(None, conn.poll, cfg["start_timeout"])
    if not got:
        raise TimeoutError("no start signal from the parent")
    message = conn.recv()
    if message[0] != "start":
        raise RuntimeError("aborted by the parent")
    t0 = message[1]
    window[0], window[1] = t0 + cfg["warmup_ns"], t0 + cfg["warmup_ns"] + cfg["measure_ns"]
    window[2] = window[1] + cfg["drain_ns"]
    # Only clients that completed their handshake before the start take part.
    started = [c for c in clients if c.alive]
    for client in started:
        client.sender = asyncio.create_task(_sender(client, cfg, stats, t0, window))
    probe = asyncio.create_task(_loop_probe(stats, window))
    await asyncio.sleep(max(0.0, (window[2] - mono()) / NS))
    probe.cancel()
    await asyncio.gather(probe, return_exceptions=True)
    window_end = window[1]
    drained_at = window[2]

    for client in clients:
        client.closing = True
    senders = [c.sender for c in clients if c.sender is not None]
    for task in senders:
        task.cancel()
    await asyncio.gather(*senders, return_exceptions=True)
    alive_at_end = {c.idx for c in clients if c.alive}

    async def close(client):
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.ws.close(), 3)

    closing = [asyncio.create_task(close(c)) for c in clients if c.ws is not None]
    if closing:
        _, stuck = await asyncio.wait(closing, timeout=10)
        for task in stuck:
            task.cancel()
    readers = [c.reader for c in clients if c.reader is not None]
    for task in readers:
        task.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    return _summarize(plan, clients, stats, cfg, alive_at_end, window_end, drained_at)


def _summarize(plan, clients, stats: LoadStats, cfg, alive_at_end: set, window_end: int, drained_at: int) -> dict:
    by_idx = {c.idx: c for c in clients}
    lost_ops = lost_deliveries = undelivered_window = peer_gone_misses = 0
    window_start = window_end - cfg["measure_ns"]
    sent = sent_window = acked = unacked = 0
    fan_censored = ack_censored = 0
    holes = gap_events = seq_dups = 0
    for room in plan:
        members = [by_idx[spec["idx"]] for spec in room["clients"]]
        for sender in members:
            others = [m for m in members if m is not sender]
            sent += len(sender.sent_ops)
            acked += len(sender.acked)
            unacked += len(sender.pending)
            for op_id, sched in sender.sent_ops:
                in_window = window_start <= sched < window_end
                sent_window += in_window
                missing = 0
                for other in others:
                    if op_id in other.received or other.ws is None:  # ws None: never opened, never expected
                        continue
                    if in_window:
                        # Never arrived: its latency is at least the time to the end of the drain.
                        # That includes sockets the server closed mid-run: their user saw nothing.
                        undelivered_window += 1
                        stats.fan_lat.append(drained_at - sched)
                        fan_censored += 1
                    if other.idx not in alive_at_end:
                        peer_gone_misses += 1  # the socket dropped: counted apart from losses
                        continue
                    missing += 1
                if in_window and op_id in sender.pending:
                    stats.ack_lat.append(drained_at - sched)
                    ack_censored += 1
                if missing and op_id in sender.acked:
                    lost_ops += 1
                    lost_deliveries += missing
            for sched in sender.unsent:
                if window_start <= sched < window_end:
                    stats.ack_lat.append(drained_at - sched)
                    ack_censored += 1
                    for other in others:
                        if other.ws is not None:
                            stats.fan_lat.append(drained_at - sched)
                            fan_censored += 1
    for client in clients:
        gap_events += client.gap_events
        seq_dups += client.seq_dups
        if cfg["expect_seq"] and client.snapshot_seq is not None and client.idx in alive_at_end:
            expected = client.max_seq - client.snapshot_seq
            holes += max(0, expected - len([s for s in client.seqs if s > client.snapshot_seq]))
    return {
        "ack_lat": stats.ack_lat,
        "fan_lat": stats.fan_lat,
        "lag": stats.lag,
        "loop_lag": stats.loop_lag,
        "delivered_window": stats.delivered_window,
        "presence_window": stats.presence_window,
        "duplicated": stats.duplicated,
        "dup_acks": stats.dup_acks,
        "unknown_acks": stats.unknown_acks,
        "ack_not_applied": stats.ack_not_applied,
        "rejected": stats.rejected,
        "foreign_frames": stats.foreign_frames,
        "error_frames": stats.error_frames,
        "failed_ops": stats.failed_ops,
        "errors": stats.errors,
        "sent": sent,
        "sent_window": sent_window,
        "acked": acked,
        "unacked": unacked,
        "lost_ops": lost_ops,
        "lost_deliveries": lost_deliveries,
        "undelivered_window": undelivered_window,
        "sockets_dropped": sum(1 for c in clients if c.ws is not None and c.idx not in alive_at_end),
        "fan_censored": fan_censored,
        "ack_censored": ack_censored,
        "peer_gone_misses": peer_gone_misses,
        "seq_gap_events": gap_events,
        "seq_holes": holes,
        "seq_dups": seq_dups,
        "clients": [
            {
                "board": c.board,
                "element_id": c.element_id,
                "max_acked_version": c.max_acked_version,
                "acked_ops": sorted(c.acked),
            }
            for c in clients
        ],
    }


def load_main(conn, plan: list[dict], cfg: dict) -> None:
    """Entry point of one load-generator process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl+C and stops us
    try:
        try:
            import uvloop

            runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
        except ImportError:
            runner = asyncio.Runner()
        with runner:
            result = runner.run(asyncio.wait_for(_load_async(conn, plan, cfg), cfg["deadline_s"]))
        conn.send(("result", result))
    except BaseException as exc:
        with contextlib.suppress(Exception):
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------
# One measured point
# ---------------------------------------------------------------------------------------------


def percentiles(samples_ns: list[int]) -> dict:
    if not samples_ns:
        return {"p50": None, "p95": None, "p99": None, "max": None, "n": 0}
    data = sorted(samples_ns)

    def rank(p):
        return round(data[min(len(data) - 1, max(0, math.ceil(p / 100 * len(data)) - 1))] / MS, 3)

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": round(data[-1] / MS, 3), "n": len(data)}


def latency_block(stats: dict, censored: int) -> dict:
    block = {k: stats[k] for k in ("p50", "p95", "p99", "max", "n")}
    block["censored"] = censored
    # Over 1% of the samples never arrived: p99 is only a lower bound (the server did not keep up).
    block["p99_is_lower_bound"] = bool(stats["n"] and censored > 0.01 * stats["n"])
    return block


def build_plan(kind: str, rooms: int, ports: list[int], room_data: list[dict] | None) -> list[dict]:
    plan = []
    for r in range(rooms):
        if kind == "mocklane":
            info = room_data[r]
            board = info["board"]
            # interviewer, candidate, and the interviewer again in a second tab (two participants per interview)
            cookies = [info["users"][0]["cookie"], info["users"][1]["cookie"], info["users"][0]["cookie"]]
        else:
            board = room_data[r]["board"] if room_data else r + 1
            cookies = [None] * CLIENTS_PER_ROOM
        clients = []
        for slot in range(CLIENTS_PER_ROOM):
            idx = r * CLIENTS_PER_ROOM + slot
            clients.append(
                {
                    "idx": idx,
                    "room": r,
                    "slot": slot,
                    "port": ports[idx % len(ports)],  # with several servers a room spans processes
                    "path": f"/ws/boards/{board}/",
                    "cookie": cookies[slot],
                    "board": board,
                }
            )
        plan.append({"room": r, "board": board, "clients": clients})
    return plan


def run_point(args, kind: str, rooms: int, run_no: int, ctx: dict) -> dict:
    tag = ctx["tag"]
    clients = rooms * CLIENTS_PER_ROOM
    n_servers = args.workers
    n_load = args.load_procs or max(1, min(3, math.ceil(clients / 50)))
    n_load = min(n_load, rooms)
    log(
        f"run {run_no}: {kind} R={rooms} ({clients} sockets), {n_servers} server process(es), {n_load} load process(es)"
    )
    errors: dict = {}
    servers: list[Server] = []
    procs: list[tuple[multiprocessing.Process, object]] = []
    result: dict = {"server": kind, "rooms": rooms, "clients": clients}
    log_marks: list[int] = []
    background = wait_for_quiet(args.wait_quiet) if args.wait_quiet else background_cpu(0.3)
    if background > 30:
        log(f"  warning: the machine is already {background:.0f}% busy (% of one core) with other work")
    try:
        ports = [free_port(args.base_port, ctx["ports_taken"]) for _ in range(n_servers)]
        env = ctx["env"] if kind == "mocklane" else ctx["relay_env"]
        for port in ports:
            servers.append(Server(kind, port, env, args.ws, ctx["log_dir"]))
        for server in servers:
            server.wait_ready()
        time.sleep(0.3)  # let the event loop settle after the import storm

        plan = build_plan(kind, rooms, ports, ctx.get("rooms"))
        op_prefix = f"{tag}{run_no}"
        cfg = {
            "cookie_name": ctx.get("cookie_name", "sessionid"),
            "compression": args.compression,
            "expect_seq": kind == "mocklane",
            "op_rate": args.op_rate,
            "presence_rate": args.presence_rate,
            "warmup_ns": int(args.warmup * NS),
            "measure_ns": int(args.seconds * NS),
            "drain_ns": int(args.drain * NS),
            "op_prefix": op_prefix,
            "element_tag": op_prefix,
            "connect_concurrency": 16,
            "connect_timeout": 30 + rooms * 0.2,
            "start_timeout": 60 + rooms * 0.2,
            "deadline_s": 120 + rooms * 0.5 + args.warmup + args.seconds + args.drain,
        }
        mp = multiprocessing.get_context("fork")
        for i in range(n_load):
            part = plan[i::n_load]
            parent_end, child_end = mp.Pipe()
            proc = mp.Process(target=load_main, args=(child_end, part, {**cfg, "seed": run_no * 1000 + i}), daemon=True)
            proc.start()
            child_end.close()
            _load_procs.append(proc)
            procs.append((proc, parent_end))

        connected = 0
        connect_s = 0.0
        failed = []
        deadline = time.monotonic() + cfg["connect_timeout"] + 15
        for _proc, pipe in procs:
            remaining = max(0.1, deadline - time.monotonic())
            if not pipe.poll(remaining):
                raise RuntimeError("a load process did not finish connecting in time")
            tag_, payload = pipe.recv()
            if tag_ != "ready":
                failed.append(payload)
                continue
            connected += payload["connected"]
            connect_s = max(connect_s, payload["connect_s"])
        if failed:
            raise RuntimeError(f"load process failed while connecting: {failed}")
        log(
            f"  {connected}/{clients} sockets open in {connect_s:.1f} s; "
            f"warm-up {args.warmup:g} s, measure {args.seconds:g} s, drain {args.drain:g} s"
        )

        t0 = mono() + int(0.3 * NS)
        for _, pipe in procs:
            pipe.send(("start", t0))
        groups = {"server": [s.pid for s in servers], "load": [p.pid for p, _ in procs]}

        def sleep_until(t_ns):
            delay = (t_ns - mono()) / NS
            if delay > 0:
                time.sleep(delay)

        sleep_until(t0 + cfg["warmup_ns"])
        before = cpu_snapshot(groups)
        sleep_until(t0 + cfg["warmup_ns"] + cfg["measure_ns"])
        after = cpu_snapshot(groups)
        sleep_until(t0 + cfg["warmup_ns"] + cfg["measure_ns"] + cfg["drain_ns"])
        log_marks = [server.log_size() for server in servers]  # errors after this: closing and shutdown
        for server in servers:
            if server.proc.poll() is not None:
                errors["server_exited"] = errors.get("server_exited", 0) + 1

        parts = []
        deadline = time.monotonic() + args.drain + 30 + rooms * 0.1
        for _proc, pipe in procs:
            remaining = max(0.1, deadline - time.monotonic())
            if not pipe.poll(remaining):
                errors["load_process_timeout"] = errors.get("load_process_timeout", 0) + 1
                continue
            tag_, payload = pipe.recv()
            if tag_ == "result":
                parts.append(payload)
            else:
                errors["load_process_failed"] = payload
        for proc, _ in procs:
            proc.join(timeout=5)
    finally:
        for proc, pipe in procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=3)
            with contextlib.suppress(ValueError):
                _load_procs.remove(proc)
            pipe.close()
        for server in servers:
            server.stop()

    for label, spans in (
        ("server_log_errors", [(0, mark) for mark in log_marks]),
        ("server_log_errors_at_close", [(mark, None) for mark in log_marks]),
    ):
        count, sample = 0, []
        for server, (start, end) in zip(servers, spans, strict=False):
            n, lines = server.log_problems(start, end)
            count += n
            sample += lines
        if count:
            errors[label] = {"lines": count, "sample": sample[:6]}
            log(f"  {label}: {count} lines, e.g. {sample[:2]}")

    merged: dict = {"ack_lat": [], "fan_lat": [], "lag": [], "loop_lag": []}
    counters = [
        "delivered_window",
        "presence_window",
        "duplicated",
        "dup_acks",
        "unknown_acks",
        "ack_not_applied",
        "rejected",
        "foreign_frames",
        "failed_ops",
        "sent",
        "sent_window",
        "acked",
        "unacked",
        "lost_ops",
        "lost_deliveries",
        "undelivered_window",
        "fan_censored",
        "ack_censored",
        "peer_gone_misses",
        "sockets_dropped",
        "seq_gap_events",
        "seq_holes",
        "seq_dups",
    ]
    totals = dict.fromkeys(counters, 0)
    error_frames: dict[str, int] = {}
    client_records: list[dict] = []
    for part in parts:
        for key in ("ack_lat", "fan_lat", "lag", "loop_lag"):
            merged[key] += part[key]
        for key in counters:
            totals[key] += part[key]
        for code, count in part["error_frames"].items():
            error_frames[code] = error_frames.get(code, 0) + count
        for key, count in part["errors"].items():
            errors[key] = errors.get(key, 0) + count
        client_records += part["clients"]
    if connected < clients:
        errors["sockets_not_opened"] = clients - connected
    if error_frames:
        errors["error_frames"] = error_frames
    for key in ("unknown_acks", "dup_acks", "foreign_frames", "failed_ops", "peer_gone_misses"):
        if totals[key]:
            errors[key] = totals[key]

    fanout = percentiles(merged["fan_lat"])
    ack = percentiles(merged["ack_lat"])
    lag = percentiles(merged["lag"])
    loop_lag = percentiles(merged["loop_lag"])
    measure_s = args.seconds
    result.update(
        {
            # Samples that never arrived by the end of the drain count as (drain end - send time):
            # a lower bound. `censored` says how many; when it is over 1% of `n`, p99 is a lower bound.
            "fanout_ms": latency_block(fanout, totals["fan_censored"]),
            "ack_ms": latency_block(ack, totals["ack_censored"]),
            "delivered_per_s": round(totals["delivered_window"] / measure_s, 1),
            "expected_per_s": rooms * CLIENTS_PER_ROOM * (CLIENTS_PER_ROOM - 1) * args.op_rate,
            "lost_acked": totals["lost_ops"],
            # Sockets the server closed during the run (their missed ops are in peer_gone_misses and
            # count as censored latency samples, not as lost_acked).
            "sockets_dropped": totals["sockets_dropped"],
            "duplicated": totals["duplicated"],
            "server_cpu_pct": cpu_pct(before, after, "server"),
            "errors": errors,
            "ops_sent": totals["sent"],
            "ops_sent_in_window": totals["sent_window"],
            "ops_acked": totals["acked"],
            "ops_unacked_at_end": totals["unacked"],
            "ops_not_applied": totals["ack_not_applied"],
            "ops_rejected_elements": totals["rejected"],
            "lost_acked_deliveries": totals["lost_deliveries"],
            "undelivered_in_window": totals["undelivered_window"],
            "presence_delivered_per_s": round(totals["presence_window"] / measure_s, 1),
            "seq": {
                "gap_events": totals["seq_gap_events"],
                "holes_at_end": totals["seq_holes"],
                "repeated": totals["seq_dups"],
            }
            if kind == "mocklane"
            else None,
            # How late sends left against their schedule (the load generator's own lateness plus any
            # time blocked on a server that stopped reading).
            "send_lag_ms": {k: lag[k] for k in ("p50", "p99", "max")},
            # How late the load generator's event loops woke (5 ms timer): its own saturation.
            "loadgen_loop_lag_ms": {k: loop_lag[k] for k in ("p50", "p99", "max")},
            "harness_limited": bool(loop_lag["p99"] is not None and loop_lag["p99"] > HARNESS_LAG_LIMIT_MS),
            "loadgen_cpu_pct": cpu_pct(before, after, "load"),
            "loadgen_procs": len(procs),
            "server_procs": n_servers,
            "redis_cpu_pct": cpu_pct(before, after, "redis"),
            "postgres_cpu_pct": cpu_pct(before, after, "postgres"),
            "machine_cpu_pct": machine_pct(before, after),
            "machine_cpu_split_pct": {f: machine_pct(before, after, f) for f in ("user", "system", "softirq", "steal")},
            "background_cpu_pct_before": background,
            "other_cpu_pct": round(
                machine_pct(before, after)
                - sum(cpu_pct(before, after, g) for g in ("server", "load", "redis", "postgres")),
                1,
            ),
            "connect_s": round(connect_s, 2),
        }
    )
    if kind == "mocklane" and client_records:
        try:
            result["db_check"] = verify_in_database(args, client_records, op_prefix)
        except Exception as exc:
            result["db_check"] = {"error": f"{type(exc).__name__}: {exc}"}
    log(
        f"  fan-out p50/p99 {fanout['p50']}/{fanout['p99']} ms, ack p99 {ack['p99']} ms, "
        f"delivered {result['delivered_per_s']}/s of {result['expected_per_s']}, lost {result['lost_acked']}, "
        f"unacked {totals['unacked']}, server CPU {result['server_cpu_pct']}%, load CPU {result['loadgen_cpu_pct']}% "
        f"(loop lag p99 {loop_lag['p99']} ms{', HARNESS-LIMITED' if result['harness_limited'] else ''})"
    )
    return result


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


def code_info() -> dict:
    """Which code was measured: the commit and any uncommitted changes to tracked files."""
    info: dict = {}
    with contextlib.suppress(Exception):
        git = ["git", "-C", str(ROOT)]
        info["commit"] = subprocess.run(
            [*git, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
        status = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True, timeout=10
        ).stdout
        info["modified_files"] = [line[3:] for line in status.splitlines() if line.strip()]
    return info


def machine_info(args) -> dict:
    info: dict = {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    from importlib import metadata

    versions = {}
    for name in ("django", "channels", "channels-redis", "redis", "uvicorn", "websockets", "uvloop", "psycopg"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[name] = metadata.version(name)
    info["packages"] = versions
    with contextlib.suppress(Exception):
        info["postgres"] = psql("SHOW server_version", pg_user=args.pg_user, port=args.pg_port)
    with contextlib.suppress(Exception):
        out = subprocess.run(
            ["redis-cli", "-h", LOOPBACK, "-p", str(args.redis_port), "info", "server"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout
        info["redis"] = re.search(r"redis_version:(\S+)", out).group(1)
    return info


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="R = 1 and 50, short windows; under 90 s in all")
    parser.add_argument("--rooms", help="comma-separated room counts (default 1,50,150)")
    parser.add_argument(
        "--servers",
        default="mocklane,relay",
        help="comma-separated: mocklane, relay, floor (default mocklane,relay); "
        "floor = a plain asyncio relay that shows the harness's own limit",
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes per server kind (default 1)")
    parser.add_argument("--seconds", type=float, help="measuring window per point (default 10, quick 6)")
    parser.add_argument("--warmup", type=float, help="warm-up before measuring (default 2, quick 1.5)")
    parser.add_argument(
        "--drain", type=float, help="wait for late acks/broadcasts after sending stops (default 3, quick 2)"
    )
    parser.add_argument(
        "--find-knee",
        action="store_true",
        help=f"step R over {KNEE_ROOMS} for mocklane; stop at fan-out p99 > {KNEE_P99_MS:g} ms",
    )
    parser.add_argument("--op-rate", type=int, default=10, help="element updates per client per second")
    parser.add_argument("--presence-rate", type=int, default=20, help="cursor presence per client per second")
    parser.add_argument(
        "--load-procs", type=int, default=0, help="load-generator processes (default: 1 per 50 sockets, at most 3)"
    )
    parser.add_argument(
        "--ws",
        default="auto",
        choices=["auto", "websockets", "websockets-sansio", "wsproto"],
        help="uvicorn WebSocket implementation (default auto, as in production)",
    )
    parser.add_argument(
        "--compression",
        default="none",
        choices=["none", "deflate"],
        help="client offers permessage-deflate (browsers do; default none)",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        help="before each point, wait up to this many seconds for other work on the machine "
        "to drop under 30%% of a core",
    )
    parser.add_argument(
        "--debug", action="store_true", help="run Mocklane with DEBUG=on (default off, as in production)"
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the server logs (in a temporary folder)")
    parser.add_argument(
        "--db-name", default="mocklane_bench", help="bench database; dropped and created (name must contain 'bench')"
    )
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--redis-db", type=int, default=9)
    parser.add_argument("--base-port", type=int, default=18700, help="first port tried for the servers")
    parser.add_argument("--bootstrap", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--bootstrap-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.bootstrap is not None:
        return args
    args.servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    for kind in args.servers:
        if kind not in ("mocklane", "relay", "floor"):
            parser.error(f"unknown server {kind!r}; use mocklane, relay and/or floor")
    if args.find_knee:
        rooms = KNEE_ROOMS
        args.servers = ["mocklane"]
    elif args.rooms:
        try:
            rooms = [int(r) for r in args.rooms.split(",") if r.strip()]
        except ValueError:
            parser.error("--rooms takes whole numbers, e.g. 1,10,25")
    else:
        rooms = QUICK_ROOMS if args.quick else DEFAULT_ROOMS
    if not rooms or any(not 1 <= r <= MAX_ROOMS for r in rooms):
        parser.error(f"room counts must be 1-{MAX_ROOMS}")
    args.rooms = rooms
    args.seconds = args.seconds if args.seconds is not None else (6.0 if args.quick else 10.0)
    args.warmup = args.warmup if args.warmup is not None else (1.5 if args.quick else 2.0)
    args.drain = args.drain if args.drain is not None else (2.0 if args.quick else 3.0)
    for name in ("seconds", "warmup", "drain", "wait_quiet"):
        if not 0 <= getattr(args, name) <= MAX_SECONDS or (name == "seconds" and args.seconds <= 0):
            parser.error(f"--{name.replace('_', '-')} must be within 0-{MAX_SECONDS:g} s")
    if not 1 <= args.workers <= 8:
        parser.error("--workers must be 1-8")
    if not 0 <= args.op_rate <= 100 or not 0 <= args.presence_rate <= 100 or args.op_rate == 0:
        parser.error("--op-rate must be 1-100 and --presence-rate 0-100")
    if not 0 <= args.load_procs <= 8:
        parser.error("--load-procs must be 0-8")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.db_name) or "bench" not in args.db_name:
        parser.error("--db-name must be a plain lower-case name containing 'bench' (it is dropped)")
    return args


def server_env(args, tag: str) -> tuple[dict, dict]:
    base = dict(os.environ)
    for key in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL"):
        base.pop(key, None)
    base["PYTHONUNBUFFERED"] = "1"
    base["PYTHONPATH"] = str(ROOT)
    redis_url = f"redis://{LOOPBACK}:{args.redis_port}/{args.redis_db}"
    mocklane = {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{args.pg_user}@{LOOPBACK}:{args.pg_port}/{args.db_name}",
        "REDIS_URL": redis_url,
        "DEBUG": "on" if args.debug else "off",
        "SECRET_KEY": f"bench-{secrets.token_hex(24)}",
        "ALLOWED_HOSTS": f"{LOOPBACK},localhost",
        "SESSION_COOKIE_SECURE": "off",
        "CSRF_COOKIE_SECURE": "off",
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        # Redis pub/sub channels are shared by every database number: keep the bench's traffic
        # apart from any other Mocklane on this Redis (where the settings read this variable).
        "CHANNEL_PREFIX": f"mocklanebench{tag}",
    }
    relay = {**base, "RELAY_REDIS_URL": redis_url, "RELAY_CHANNEL_PREFIX": f"benchrelay{tag}"}
    return mocklane, relay


def run_all(args, output: dict) -> None:
    tag = secrets.token_hex(2)
    out_dir = Path(tempfile.mkdtemp(prefix="mocklane-bench-"))
    env, relay_env = server_env(args, tag)
    ctx: dict = {"tag": tag, "env": env, "relay_env": relay_env, "log_dir": out_dir, "ports_taken": set()}
    try:
        run_points(args, output, ctx, out_dir)
    finally:
        cleanup_children()  # servers first: they write into out_dir
        # rooms.json holds live session cookies of the bench users: never leave it behind.
        (out_dir / "rooms.json").unlink(missing_ok=True)
        if args.keep_logs:
            log(f"server logs kept in {out_dir}")
        else:
            shutil.rmtree(out_dir, ignore_errors=True)


def run_points(args, output: dict, ctx: dict, out_dir: Path) -> None:
    env = ctx["env"]
    with contextlib.suppress(Exception):
        busy = subprocess.run(
            ["redis-cli", "-h", LOOPBACK, "-p", str(args.redis_port), "pubsub", "channels", "mocklane*"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.split()
        if busy:
            log(
                f"warning: {len(busy)} 'mocklane*' pub/sub channels are live on this Redis: another Mocklane server "
                "shares the channel prefix and could see or send board events"
            )
    if "mocklane" in args.servers:
        data = prepare_database(args, env, max(args.rooms), out_dir)
        ctx["rooms"] = data["rooms"]
        ctx["cookie_name"] = data["cookie_name"]
    run_no = 0
    for rooms in args.rooms:
        for kind in args.servers:
            run_no += 1
            try:
                output["runs"].append(run_point(args, kind, rooms, run_no, ctx))
            except KeyboardInterrupt:
                raise
            except Exception as exc:
                log(f"  run failed: {type(exc).__name__}: {exc}")
                output["runs"].append(
                    {
                        "server": kind,
                        "rooms": rooms,
                        "clients": rooms * CLIENTS_PER_ROOM,
                        "error": f"{type(exc).__name__}: {exc}",
                    }
                )
                continue
        if args.find_knee:
            last = output["runs"][-1]
            p99 = last.get("fanout_ms", {}).get("p99")
            delivered_ratio = last.get("delivered_per_s", 0) / max(1, last.get("expected_per_s", 1))
            if p99 is None or p99 > KNEE_P99_MS or delivered_ratio < 0.5:
                output["knee"] = {"rooms": rooms, "threshold_p99_ms": KNEE_P99_MS, "fanout_p99_ms": p99}
                log(f"knee: fan-out p99 {p99} ms > {KNEE_P99_MS:g} ms at R = {rooms}")
                break
    if args.find_knee and "knee" not in output:
        output["knee"] = {
            "rooms": None,
            "threshold_p99_ms": KNEE_P99_MS,
            "note": f"p99 stayed under at R <= {args.rooms[-1]}",
        }


def add_ratios(output: dict) -> None:
    relay = {r["rooms"]: r for r in output["runs"] if r["server"] == "relay"}
    ratios = []
    for run in output["runs"]:
        if run["server"] != "mocklane" or run["rooms"] not in relay:
            continue
        base = relay[run["rooms"]]
        entry = {"rooms": run["rooms"]}
        if "fanout_ms" not in run or "fanout_ms" not in base:
            continue
        for key in ("fanout_ms", "ack_ms"):
            ours, theirs = run[key]["p99"], base[key]["p99"]
            ratio = round(ours / theirs, 2) if ours is not None and theirs else None
            entry[f"{key[:-3]}_p99_ratio"] = ratio
            run[f"{key[:-3]}_p99_vs_relay"] = ratio
        # Both capped by the drain: the ratio of two lower bounds says nothing.
        entry["relay_saturated"] = base["fanout_ms"]["p99_is_lower_bound"]
        entry["mocklane_saturated"] = run["fanout_ms"]["p99_is_lower_bound"]
        ratios.append(entry)
    output["p99_vs_relay"] = ratios


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.bootstrap is not None:
        bootstrap_main(args.bootstrap, args.bootstrap_out)
        return 0

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    started = time.monotonic()
    output: dict = {"runs": [], "machine": {}, "params": {}, "code": {}}
    status = 0
    try:
        output["machine"] = machine_info(args)
        output["code"] = code_info()
        output["params"] = {
            "rooms": args.rooms,
            "servers": args.servers,
            "clients_per_room": CLIENTS_PER_ROOM,
            "room_users": "interviewer, candidate, interviewer again (second tab): 2 users, 3 sockets",
            "op_rate_per_client": args.op_rate,
            "presence_rate_per_client": args.presence_rate,
            **frame_sizes(),
            "warmup_s": args.warmup,
            "measure_s": args.seconds,
            "drain_s": args.drain,
            "workers": args.workers,
            "load_procs": args.load_procs or "auto (1 per 50 sockets, at most 3)",
            "uvicorn_ws": args.ws,
            "wait_quiet_s": args.wait_quiet,
            "compression": args.compression,
            "debug": args.debug,
            "redis": f"redis://{LOOPBACK}:{args.redis_port}/{args.redis_db}",
            "database": f"postgresql {args.db_name} (fresh)" if "mocklane" in args.servers else None,
            "quick": args.quick,
            "find_knee": args.find_knee,
        }
        run_all(args, output)
    except KeyboardInterrupt:
        log("interrupted: stopping servers and load processes")
        output["interrupted"] = True
        status = 130
    except Exception as exc:
        log(f"failed: {type(exc).__name__}: {exc}")
        output["error"] = f"{type(exc).__name__}: {exc}"
        status = 1
    finally:
        cleanup_children()
    add_ratios(output)
    output["elapsed_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(output, indent=2))
    log(f"done in {output['elapsed_s']} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
