"""CPU accounting from /proc: per process (servers, load generators, Redis, PostgreSQL) and for the
whole machine, and waiting for the machine to be quiet."""

import os
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


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
