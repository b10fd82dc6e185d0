"""What every part of the board sync benchmark shares: where the code is, units, the loopback
address, the shape of a room, progress lines and the clock."""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
NS = 1_000_000_000
MS = 1_000_000
CLIENTS_PER_ROOM = 3
LOOPBACK = "127.0.0.1"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def mono() -> int:
    # CLOCK_MONOTONIC is system-wide on Linux: the parent, the load processes and their
    # timestamps share one clock.
    return time.monotonic_ns()
