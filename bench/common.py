"""What the benchmark scripts share: start a server process, wait until it is ready, read its memory.

Only the standard library here: importing this must not start TensorFlow, so a load client
or the suite runner never competes with the server for the CPU by accident.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "bench"
READY_TIMEOUT_S = 120.0


def free_port() -> int:
    """A free loopback port (the OS picks it), so parallel runs and a dev server never clash."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rowscan_command(port: int) -> list[str]:
    """`rowscan serve` exactly as a user starts it, default workers and all (the venv's console script, or the module)."""
    script = Path(sys.executable).with_name("rowscan")
    launcher = [str(script)] if script.is_file() else [sys.executable, "-m", "app.cli"]
    return [*launcher, "serve", "--host", "127.0.0.1", "--port", str(port)]


def naive_command(port: int) -> list[str]:
    return [sys.executable, str(BENCH_DIR / "naive_server.py"), "--port", str(port)]


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


@dataclass
class Server:
    """A running server process: its base URL, its pid, how long it took to answer /readyz, and
    (several workers) until every worker was serving."""

    process: subprocess.Popen
    base_url: str
    ready_s: float
    all_workers_ready_s: float
    log: IO[str]  # what the process has printed (stdout and stderr)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()

    @property
    def pid(self) -> int:
        return self.process.pid

    def worker_pids(self) -> list[int]:
        """The processes that answer requests: the server's children (`rowscan serve`), else the server itself."""
        return _children(self.pid) or [self.pid]

    def rss_mb(self) -> float:
        """Resident memory of the process that answers, the largest worker's where there are several."""
        return max(read_status_mb(pid, "VmRSS") for pid in self.worker_pids())

    def peak_rss_mb(self) -> float:
        return max(read_status_mb(pid, "VmHWM") for pid in self.worker_pids())


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:  # the thread ended between the listing and the read
            continue
    return children


@contextlib.contextmanager
def serve(command: list[str], port: int, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start `command` (listening on `port`), yield once GET /readyz answers 200, stop it afterwards.

    `ready_s` runs from just before the process is spawned: the cold start a user waits for.
    The server's log goes to a temporary file (a pipe could fill up and block it) and is shown if it dies.
    """
    base_url = f"http://127.0.0.1:{port}"
    log = tempfile.TemporaryFile(mode="a+")  # appending: reading it meanwhile cannot move where the server writes
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = started + READY_TIMEOUT_S
        while not _ready(f"{base_url}/readyz"):
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{log.read()[-3000:]}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{' '.join(command)} not ready within {READY_TIMEOUT_S:.0f} s")
            time.sleep(0.02)  # fine-grained: this loop measures the cold start
        ready_s = time.perf_counter() - started
        while not _all_workers_started(log) and time.perf_counter() < deadline and process.poll() is None:
            time.sleep(0.02)
        yield Server(process, base_url, ready_s, time.perf_counter() - started, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _all_workers_started(log) -> bool:
    """Granian logs "Spawning worker-N" for each worker and "Started worker-N" once its lifespan is done."""
    log.seek(0)
    text = log.read()
    return text.count("Started worker-") >= text.count("Spawning worker-")


def read_status_mb(pid: int, field: str) -> float:
    """A memory figure (VmRSS: resident now, VmHWM: peak resident) from /proc/<pid>/status, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # kB -> MiB
    raise LookupError(f"{field} not in /proc/{pid}/status")


def load_average() -> float:
    """1-minute load average: printed with the figures, so a noisy run is visible as such."""
    return os.getloadavg()[0]


def model_name() -> str:
    """The default model's name, as the server resolves it (first of ROWSCAN_MODELS; the shipped "lstm")."""
    return os.environ.get("ROWSCAN_MODELS", "lstm").split(",")[0].strip()


def model_dir() -> Path:
    """The default model's artifacts folder, as the server resolves it (ROWSCAN_ARTIFACTS_DIR, ROWSCAN_MODELS)."""
    return Path(os.environ.get("ROWSCAN_ARTIFACTS_DIR", ROOT / "model" / "artifacts")) / model_name()
