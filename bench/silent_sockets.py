"""Silent sockets: does a normal client still get answers while thousands of connections send nothing?

    python bench/silent_sockets.py [--sockets 2000] [--server rowscan|uvicorn] [--fd-limit 1024]

Starts the server (loopback, free port) under a soft limit of `--fd-limit` open files (a common
default), opens `--sockets` connections that send nothing, then sends 20 normal requests one
after another and counts the answers; then waits for the silent sockets to be closed by the
server. `--server uvicorn` runs the same app under plain uvicorn (Rowscan's server before it moved
to Granian), for the before/after figures. Bounded: at most 5,000 sockets, every wait capped.
"""

from __future__ import annotations

import argparse
import selectors
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.common import free_port, rowscan_command, serve

MAX_SOCKETS = 5000
NORMAL_REQUESTS = 20
CLOSE_WAIT_S = 30.0
PIXELS = {"pixels": [0.0] * 392 + [1.0] * 392}


def limited(command: list[str], fd_limit: int) -> list[str]:
    """`command` started with a soft limit of `fd_limit` open files (the hard limit untouched)."""
    setup = (
        "import os, resource, sys; hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]; "
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({fd_limit}, hard)); os.execv(sys.argv[1], sys.argv[1:])"
    )
    return [sys.executable, "-c", setup, *command]


def server_command(kind: str, port: int) -> list[str]:
    if kind == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), "--log-level", "warning"]
    return rowscan_command(port)


def open_silent(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        try:
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:  # refused or timed out: the server's backlog is full
            break
    return sockets


def normal_requests(base_url: str) -> tuple[int, list[float]]:
    answered, times = 0, []
    for _ in range(NORMAL_REQUESTS):
        started = time.perf_counter()
        try:
            with httpx.Client(timeout=10) as client:  # a new connection each time, as a new visitor would
                answered += client.post(f"{base_url}/api/predict", json=PIXELS).status_code == 200
        except httpx.HTTPError:
            pass
        times.append((time.perf_counter() - started) * 1000)
    return answered, times


def wait_closed(sockets: list[socket.socket]) -> tuple[int, float]:
    """How many silent sockets the server closed, and when the last one went (seconds), within CLOSE_WAIT_S."""
    selector = selectors.DefaultSelector()
    for connection in sockets:
        connection.setblocking(False)
        selector.register(connection, selectors.EVENT_READ)
    started, closed, last = time.perf_counter(), 0, 0.0
    while closed < len(sockets) and time.perf_counter() - started < CLOSE_WAIT_S:
        for key, _ in selector.select(timeout=0.5):
            try:
                data = key.fileobj.recv(4096)
            except OSError:
                data = b""
            if not data:
                selector.unregister(key.fileobj)
                closed, last = closed + 1, time.perf_counter() - started
    selector.close()
    return closed, last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=2000, help=f"silent connections (at most {MAX_SOCKETS})")
    parser.add_argument("--server", choices=("rowscan", "uvicorn"), default="rowscan")
    parser.add_argument("--fd-limit", type=int, default=1024, help="soft limit on open files the server starts with")
    args = parser.parse_args(argv)
    count = min(args.sockets, MAX_SOCKETS)
    port = free_port()
    with serve(limited(server_command(args.server, port), args.fd_limit), port) as server:
        silent = open_silent(port, count)
        try:
            answered, times = normal_requests(server.base_url)
            closed, last = wait_closed(silent)
        finally:
            for connection in silent:
                connection.close()
    print(
        f"{args.server}: {len(silent)} silent sockets opened (soft fd limit at start {args.fd_limit}); "
        f"normal requests answered {answered}/{NORMAL_REQUESTS} (median {statistics.median(times):.1f} ms, "
        f"max {max(times):.0f} ms); silent sockets closed by the server: {closed}/{len(silent)}"
        + (f", the last {last:.1f} s after the normal requests" if closed else "")
        + f" (waited up to {CLOSE_WAIT_S:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
