"""The command line: options, checks on them, and the run from start to JSON."""

import argparse
import json
import re
import signal
import sys
import time

from .clients import frame_sizes
from .common import CLIENTS_PER_ROOM, LOOPBACK, log
from .database import bootstrap_main
from .processes import cleanup_children
from .report import add_ratios, code_info, machine_info
from .scenarios import DEFAULT_ROOMS, KNEE_P99_MS, KNEE_ROOMS, QUICK_ROOMS, run_all

MAX_ROOMS = 1000
MAX_SECONDS = 120.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.board_sync",
        description=sys.modules[__package__].__doc__.split("\n\nThe parts:")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
