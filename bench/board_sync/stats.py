"""Latency percentiles and the figures of one point, from the load processes' summaries."""

import math

from .common import CLIENTS_PER_ROOM, MS
from .cpu import cpu_pct, machine_pct

HARNESS_LAG_LIMIT_MS = 10.0  # load-generator event-loop lag p99 above this: its timestamps are not trustworthy


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


COUNTERS = [  # summed over the load processes
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


def point_figures(
    args,
    kind: str,
    rooms: int,
    parts: list[dict],
    errors: dict,
    *,
    connected: int,
    cpu_before: dict,
    cpu_after: dict,
    background: float,
    connect_s: float,
    load_procs: int,
) -> tuple[dict, list[dict]]:
    """The figures of one point from the load processes' summaries (`parts`), and the clients'
    records for the database check. Their error counts are added to `errors`, which the figures
    carry."""
    merged: dict = {"ack_lat": [], "fan_lat": [], "lag": [], "loop_lag": []}
    totals = dict.fromkeys(COUNTERS, 0)
    error_frames: dict[str, int] = {}
    client_records: list[dict] = []
    for part in parts:
        for key in ("ack_lat", "fan_lat", "lag", "loop_lag"):
            merged[key] += part[key]
        for key in COUNTERS:
            totals[key] += part[key]
        for code, count in part["error_frames"].items():
            error_frames[code] = error_frames.get(code, 0) + count
        for key, count in part["errors"].items():
            errors[key] = errors.get(key, 0) + count
        client_records += part["clients"]
    clients = rooms * CLIENTS_PER_ROOM
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
    figures = {
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
        "server_cpu_pct": cpu_pct(cpu_before, cpu_after, "server"),
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
        "loadgen_cpu_pct": cpu_pct(cpu_before, cpu_after, "load"),
        "loadgen_procs": load_procs,
        "server_procs": args.workers,
        "redis_cpu_pct": cpu_pct(cpu_before, cpu_after, "redis"),
        "postgres_cpu_pct": cpu_pct(cpu_before, cpu_after, "postgres"),
        "machine_cpu_pct": machine_pct(cpu_before, cpu_after),
        "machine_cpu_split_pct": {
            f: machine_pct(cpu_before, cpu_after, f) for f in ("user", "system", "softirq", "steal")
        },
        "background_cpu_pct_before": background,
        "other_cpu_pct": round(
            machine_pct(cpu_before, cpu_after)
            - sum(cpu_pct(cpu_before, cpu_after, g) for g in ("server", "load", "redis", "postgres")),
            1,
        ),
        "connect_s": round(connect_s, 2),
    }
    return figures, client_records
