"""The real `rowscan serve` process for tests that talk HTTP (server, fuzz and browser tests).

Starting, waiting for /readyz and stopping are bench/common.py's, shared with the benchmarks.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

from bench.common import free_port, rowscan_command, serve

__all__ = ["free_port", "rowscan_serve", "run_rowscan"]


def run_rowscan(args: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run `rowscan ARGS` to completion (for commands expected to exit)."""
    command = [sys.executable, "-m", "app.cli", *args]
    return subprocess.run(command, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout)


@contextlib.contextmanager
def rowscan_serve(env: dict[str, str] | None = None) -> Iterator[str]:
    """`rowscan serve` on a free loopback port; yields its base URL once /readyz answers 200."""
    port = free_port()
    with serve(rowscan_command(port), port, env) as server:
        yield server.base_url
