"""The benchmark's child processes: the servers under test (uvicorn, the relay, the floor), the
commands it runs to set up, free ports, and stopping everything it started."""

import contextlib
import ctypes
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

from .common import LOOPBACK, PYTHON, ROOT

_children: list[subprocess.Popen] = []
load_processes: list = []  # the load generators (multiprocessing.Process) of the point that runs


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
    for proc in list(load_processes):
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=3)
            if proc.is_alive():
                proc.kill()
                proc.join(timeout=2)
    load_processes.clear()
    for proc in list(_children):
        stop_process(proc, grace=2.0)
