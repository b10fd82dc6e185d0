"""Which points a run measures and in what order: the room counts, the server kinds, the search for
the knee, and the environment each server kind runs in."""

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from .common import CLIENTS_PER_ROOM, LOOPBACK, ROOT, log
from .database import prepare_database
from .point import run_point
from .processes import cleanup_children

DEFAULT_ROOMS = [1, 50, 150]
QUICK_ROOMS = [1, 50]
KNEE_ROOMS = [1, 3, 5, 10, 20, 30, 50, 75, 100, 150]
KNEE_P99_MS = 100.0


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
        "SECURE_SSL_REDIRECT": "off",
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
