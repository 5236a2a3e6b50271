"""The real `rowscan serve` (two workers) against silent, slow and idle connections, and /metrics across workers.

The server starts with a soft limit of 256 open files (as a small default would be) and a 1 s read
timeout, so the checks are quick; bench/silent_sockets.py is the bigger version (2,000 sockets).
"""

from __future__ import annotations

import re
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bench.common import free_port, rowscan_command, serve

STARTING_FD_LIMIT = 256
LOW_FD_LIMIT = (  # start the command with a low soft limit on open files, the hard limit untouched
    "import os, resource, sys; hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]; "
    f"resource.setrlimit(resource.RLIMIT_NOFILE, ({STARTING_FD_LIMIT}, hard)); os.execv(sys.argv[1], sys.argv[1:])"
)
READ_TIMEOUT_S = 1
CLOSE_WAIT_S = 15  # far beyond the 1 s timeout: only a connection left open fails
PIXELS = {"pixels": [0.0] * 392 + [1.0] * 392}


@pytest.fixture(scope="module")
def server():
    port = free_port()
    env = {"ROWSCAN_READ_TIMEOUT_S": str(READ_TIMEOUT_S), "ROWSCAN_WORKERS": "2"}
    with serve([sys.executable, "-c", LOW_FD_LIMIT, *rowscan_command(port)], port, env) as running:
        yield running


def connect(server, first_bytes: bytes = b"") -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=CLOSE_WAIT_S)
    if first_bytes:
        connection.sendall(first_bytes)
    return connection


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (socket.timeout if it never does)."""
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    connection.close()
    return received


def test_file_descriptor_limit_is_raised_to_the_hard_limit(server):
    limits = Path(f"/proc/{server.pid}/limits").read_text()
    soft, hard = re.search(r"Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)", limits).groups()
    assert soft == hard != str(STARTING_FD_LIMIT), limits


@pytest.mark.parametrize(
    "first_bytes",
    [b"", b"POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"],
    ids=["silent", "headers-never-finished"],
)
def test_connections_without_a_complete_request_are_closed(server, first_bytes):
    assert read_until_closed(connect(server, first_bytes)) == b""


def test_a_body_that_never_arrives_gets_408_and_is_closed(server):
    head = b"POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
    answer = read_until_closed(connect(server, head + b'{"pixels": [0.0, '))
    assert answer.startswith(b"HTTP/1.1 408") and b'"code":"request_timeout"' in answer, answer[:300]


def test_idle_keep_alive_connections_are_closed(server):
    connection = connect(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert connection.recv(65536).startswith(b"HTTP/1.1 200")
    assert read_until_closed(connection) == b""  # nothing more sent: closed after the read timeout


def test_a_normal_client_is_served_while_many_silent_sockets_are_open(server):
    silent = [connect(server) for _ in range(STARTING_FD_LIMIT + 100)]  # more than the limit it started with
    try:
        answer = httpx.post(f"{server.base_url}/api/predict", json=PIXELS, timeout=CLOSE_WAIT_S)
        assert answer.status_code == 200 and answer.json()["digit"] is not None
    finally:
        for connection in silent:
            connection.close()


def requests_counted(base_url: str, route: str) -> float:
    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    pattern = rf'^rowscan_requests_total\{{method="GET",route="{re.escape(route)}",status="200"\}} (\S+)$'
    return sum(float(value) for value in re.findall(pattern, text, re.M))


def test_metrics_add_up_every_worker(server):
    """Concurrent clients spread over both workers; every scrape, whichever worker answers it, counts them all."""
    sent = 120

    def client(count: int) -> None:
        with httpx.Client(base_url=server.base_url, timeout=10) as session:
            for _ in range(count):
                assert session.get("/api/models").status_code == 200

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(client, [sent // 12] * 12))
    scrapes = [requests_counted(server.base_url, "/api/models") for _ in range(6)]
    assert scrapes == [sent] * 6
