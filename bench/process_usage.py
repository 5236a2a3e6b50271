"""What a server process and its workers use, from /proc: resident memory, CPU seconds, and waiting
until it is idle, so that what a benchmark measures next starts from a quiet server."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from bench.common import read_status_mb


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (a multi-worker server's workers)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(child) for child in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
        found.append(current)
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory of the server's processes, in MiB."""
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += read_status_mb(member, "VmRSS")
    return total


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the server's processes have used: unlike wall time, not inflated by
    other programs competing for the cores."""
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def wait_until_idle(pid: int, limit_s: float = 180.0) -> float:
    """Wait until the server uses under 5% of a core over a second (start-up work, such as background
    compilation, finished), so that what follows is measured on a quiet server; returns the seconds waited."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        before = tree_cpu_s(pid)
        time.sleep(1.0)
        if tree_cpu_s(pid) - before < 0.05:
            break
    return time.perf_counter() - started
