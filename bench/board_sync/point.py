"""One measured point: a server kind at R rooms. Start the servers and the load processes, connect
everyone, warm up, measure, drain, stop, and put the figures together."""

import contextlib
import math
import multiprocessing
import time

from .common import CLIENTS_PER_ROOM, NS, log, mono
from .cpu import background_cpu, cpu_snapshot, wait_for_quiet
from .database import verify_in_database
from .loadgen import load_main
from .processes import Server, free_port, load_processes
from .stats import point_figures


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
            load_processes.append(proc)
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
                load_processes.remove(proc)
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

    figures, client_records = point_figures(
        args,
        kind,
        rooms,
        parts,
        errors,
        connected=connected,
        cpu_before=before,
        cpu_after=after,
        background=background,
        connect_s=connect_s,
        load_procs=len(procs),
    )
    result.update(figures)
    if kind == "mocklane" and client_records:
        try:
            result["db_check"] = verify_in_database(args, client_records, op_prefix)
        except Exception as exc:
            result["db_check"] = {"error": f"{type(exc).__name__}: {exc}"}
    fanout, ack, loop_lag = result["fanout_ms"], result["ack_ms"], result["loadgen_loop_lag_ms"]
    log(
        f"  fan-out p50/p99 {fanout['p50']}/{fanout['p99']} ms, ack p99 {ack['p99']} ms, "
        f"delivered {result['delivered_per_s']}/s of {result['expected_per_s']}, lost {result['lost_acked']}, "
        f"unacked {result['ops_unacked_at_end']}, server CPU {result['server_cpu_pct']}%, "
        f"load CPU {result['loadgen_cpu_pct']}% "
        f"(loop lag p99 {loop_lag['p99']} ms{', HARNESS-LIMITED' if result['harness_limited'] else ''})"
    )
    return result
