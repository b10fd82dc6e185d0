"""What the output says besides the points: the machine, the code measured, and Mocklane's p99
against the relay's at each R."""

import contextlib
import os
import platform
import re
import subprocess
from pathlib import Path

from .common import LOOPBACK, ROOT
from .database import psql


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
