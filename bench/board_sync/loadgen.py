"""A load-generator process: its clients' sockets on one event loop, started by the parent's
signal, and the summary of what they saw, sent back through a pipe."""

import asyncio
import contextlib
import json
import math
import random
import signal
import time

from .clients import LoadClient, LoadStats, connect_client, element, ops_frame, read_frames, send_on_schedule
from .common import MS, NS, mono


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
            await connect_client(client, cfg, stats)
            if client.alive:
                client.reader = asyncio.create_task(read_frames(client, cfg, stats, window))

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
        client.sender = asyncio.create_task(send_on_schedule(client, cfg, stats, t0, window))
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
