"""Start the real `rowscan serve` process for tests that talk HTTP (API and browser tests)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import httpx

STARTUP_TIMEOUT_S = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _command(args: list[str]) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


def run_rowscan(args: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `rowscan ARGS` to completion (for commands expected to exit)."""
    return subprocess.run(_command(args), env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)


@contextlib.contextmanager
def rowscan_serve(env: dict[str, str] | None = None) -> Iterator[str]:
    """`rowscan serve` on a free loopback port; yields its base URL once /readyz answers 200."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty server never blocks on it
    process = subprocess.Popen(
        _command(["serve", "--port", str(port)]),
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"rowscan serve exited with {process.returncode}: {log.read()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"rowscan serve not ready within {STARTUP_TIMEOUT_S:.0f} s")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
