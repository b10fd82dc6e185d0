"""One load client: a board socket that connects, sends element updates and cursor presence on a
fixed schedule, and records what it sees (acks, broadcasts, seqs) with their latencies."""

import asyncio
import contextlib
import json
import math
import random
import time

from tests.elements import rectangle

from .common import LOOPBACK, MS, NS, mono


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
    """The rectangle an `ops` frame carries (`tests/elements.py`), with when it was scheduled."""
    return rectangle(
        client.element_id,
        x=1100.0 + (n % 400),
        y=100.0 + (client.idx % 500),
        version=version,
        nonce=nonce if nonce is not None else random.randrange(1, 2**31),
        customData={"t": sched, "c": client.idx, "n": n},
    )


def frame_sizes() -> dict:
    """Bytes of one element and of one `ops` frame as sent (typical ids and timestamps)."""
    client = LoadClient({"idx": 42, "room": 14, "slot": 0, "port": 0, "path": "", "cookie": None, "board": 0}, "ab12")
    sched = mono()
    return {
        "element_bytes": len(json.dumps(element(client, 57, sched, 57, nonce=1234567890), separators=(",", ":"))),
        "ops_frame_bytes": len(ops_frame(client, "ab12-42-57", 57, sched, 57, 1234567890)),
    }


async def connect_client(client: LoadClient, cfg: dict, stats: LoadStats) -> None:
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


async def read_frames(client: LoadClient, cfg: dict, stats: LoadStats, window: list[int]) -> None:
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


async def send_on_schedule(client: LoadClient, cfg: dict, stats: LoadStats, t0: int, window: list[int]) -> None:
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
