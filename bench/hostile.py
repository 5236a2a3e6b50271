"""Hostile clients against a real server, on loopback (issue 19, items 1 and 2): how fast each attack is
refused, how long /healthz waits meanwhile, how much memory the server takes, and how long a normal
request waits after an image batch whose client hung up.

    .venv/bin/python bench/hostile.py                        # starts `rowscan serve` itself
    .venv/bin/python bench/hostile.py --url http://127.0.0.1:8000 --pid 1234   # an already running one
    .venv/bin/python bench/hostile.py --items 300000         # smaller bodies (default: the issue's sizes)
    .venv/bin/python bench/hostile.py --parse-only           # just the cost of parsing a normal body

Bounded: one attack at a time, each with a client timeout (--timeout), then it stops. Memory is the
resident size of the server process and its children (workers), from /proc.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
import json
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import free_port, load_average, rowscan_command, serve
from bench.parse_cost import parse_cost
from bench.process_usage import tree_cpu_s, tree_rss_mb, wait_until_idle

HEALTH_POLL_S = 0.02
RETRY_AFTER_S = 1.0
CLIENTS = 4  # clients that send an image batch and hang up together: more than the preprocessing threads


def post(url: str, path: str, body: bytes, timeout: float, content_type: str = "application/json") -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": content_type})
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def get_ms(url: str, path: str, timeout: float) -> float:
    """Milliseconds for GET `path` on a fresh connection (as a load balancer's health check does)."""
    parts = urlsplit(url)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: {answer.status}")
    finally:
        connection.close()
    return (time.perf_counter() - started) * 1000


@dataclass
class Watched:
    """What happened while one hostile request was in flight."""

    status: int
    body: bytes
    seconds: float
    health_ms: list[float] = field(default_factory=list)
    idle_rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    server_cpu_s: float = 0.0

    @property
    def rss_over_idle_mb(self) -> float:
        return self.peak_rss_mb - self.idle_rss_mb


def watch(url: str, pid: int, action: Callable[[], tuple[int, bytes]], timeout: float) -> Watched:
    """Run `action` in a thread; meanwhile poll /healthz (one after another) and, in another thread,
    sample the server's memory every 10 ms, until it returns."""
    idle, cpu_before = tree_rss_mb(pid), tree_cpu_s(pid)
    result: dict[str, tuple[int, bytes]] = {}
    samples = [idle]
    started = time.perf_counter()
    worker = threading.Thread(target=lambda: result.setdefault("answer", action()), daemon=True)
    worker.start()

    def sample_memory() -> None:
        while worker.is_alive():
            samples.append(tree_rss_mb(pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample_memory, daemon=True)
    sampler.start()
    health_ms = []
    while worker.is_alive() and time.perf_counter() - started < timeout:
        health_ms.append(get_ms(url, "/healthz", timeout))
        time.sleep(HEALTH_POLL_S)
    worker.join(timeout)
    sampler.join(timeout)
    seconds = time.perf_counter() - started
    status, body = result.get("answer", (0, b"client timed out"))
    peak = max(*samples, tree_rss_mb(pid))
    return Watched(status, body, seconds, health_ms, idle, peak, tree_cpu_s(pid) - cpu_before)


def many(item: bytes, count: int) -> bytes:
    return b"[" + b",".join([item] * count) + b"]"


def lossless_webp(side: int) -> bytes:
    """A tiny file that decodes to side x side pixels (the issue's 704-byte 4000x4000 WebP)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (side, side), 255).save(buffer, format="WEBP", lossless=True)
    return buffer.getvalue()


def image_batch(count: int, side: int) -> bytes:
    image = "data:image/webp;base64," + base64.b64encode(lossless_webp(side)).decode()
    return json.dumps({"inputs": [{"image": image}] * count}).encode()


def small_image_request() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("L", (280, 280), 255)
    ImageDraw.Draw(picture).line([(100, 60), (180, 60), (126, 220)], fill=0, width=18)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return json.dumps({"image": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()}).encode()


def hang_up_after_sending(url: str, path: str, body: bytes) -> None:
    """Send a whole request, then close the connection without reading the answer (a client that gave up)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port)) as raw:
        head = f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
        raw.sendall(head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        time.sleep(0.5)  # the server has read it and started; then the client is gone


def huge_bodies(items: int) -> dict[str, tuple[str, bytes]]:
    return {
        f"{items:,} {{}} in inputs, /api/predict/batch": ("/api/predict/batch", b'{"inputs":' + many(b"{}", items) + b"}"),
        f'{items * 3 // 5:,} "a" in pixels, /api/predict': ("/api/predict", b'{"pixels":' + many(b'"a"', items * 3 // 5) + b"}"),
        f"{items:,} {{}} in inputs, /v2/models/lstm/infer": ("/v2/models/lstm/infer", b'{"inputs":' + many(b"{}", items) + b"}"),
    }


def report(name: str, watched: Watched) -> None:
    health = watched.health_ms or [float("nan")]
    print(
        f"{name}: HTTP {watched.status} in {watched.seconds:.2f} s ({watched.server_cpu_s:.2f} s of server CPU); "
        f"/healthz meanwhile: {len(watched.health_ms)} polls, "
        f"median {statistics.median(health):.1f} ms, max {max(health):.1f} ms; "
        f"RSS idle {watched.idle_rss_mb:.0f} MB, peak {watched.peak_rss_mb:.0f} MB (+{watched.rss_over_idle_mb:.0f} MB)"
    )


def run(url: str, pid: int, items: int, images: int, timeout: float) -> None:
    waited = wait_until_idle(pid)
    print(f"server {url} (pid {pid}), idle after {waited:.0f} s; load average {load_average():.2f}")
    for name, (path, body) in huge_bodies(items).items():
        report(f"{name} ({len(body) / 1e6:.1f} MB)", watch(url, pid, lambda p=path, b=body: post(url, p, b, timeout), timeout))
    batch = image_batch(images, 4000)
    name = f"{images} lossless 4000x4000 WebP in one batch ({len(batch) / 1e3:.0f} KB)"
    report(name, watch(url, pid, lambda: post(url, "/api/predict/batch", batch, timeout), timeout))
    normal = small_image_request()
    baseline = statistics.median([_timed(lambda: post(url, "/api/predict", normal, timeout)) for _ in range(5)])
    print(f"normal image request alone: {baseline * 1000:.0f} ms (median of 5)")
    for count in sorted({images, 2}, reverse=True):  # 2 x 16M pixels: the most one request may decode by default
        body = image_batch(count, 4000)
        clients = [threading.Thread(target=hang_up_after_sending, args=(url, "/api/predict/batch", body)) for _ in range(CLIENTS)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        print(f"normal image request right after {CLIENTS} clients each sent {count} such images and hung up: ", end="")
        print(_until_answered(url, normal, timeout))


def _until_answered(url: str, body: bytes, timeout: float) -> str:
    """A client that honours 503 + Retry-After: what it got first, and how long until it had its answer."""
    started = time.perf_counter()
    status, _ = post(url, "/api/predict", body, timeout)
    first = f"HTTP {status} in {(time.perf_counter() - started) * 1000:.0f} ms"
    while status == 503 and time.perf_counter() - started < timeout:
        time.sleep(RETRY_AFTER_S)
        status, _ = post(url, "/api/predict", body, timeout)
    if status != 200:
        raise RuntimeError(f"normal request answered {status}")
    return f"{first}; answered after {(time.perf_counter() - started) * 1000:.0f} ms"


def _timed(action: Callable[[], tuple[int, bytes]]) -> float:
    started = time.perf_counter()
    status, body = action()
    if status != 200:
        raise RuntimeError(f"normal request answered {status}: {body[:200]!r}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already running server (default: start `rowscan serve` on a free port)")
    parser.add_argument("--pid", type=int, help="its process id, for memory (required with --url)")
    parser.add_argument("--items", type=int, default=2_500_000, help="items in the huge lists (default: %(default)s)")
    parser.add_argument("--images", type=int, default=256, help="images in the image batch (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request before giving up")
    parser.add_argument("--parse-only", action="store_true", help="only the parse cost of a normal body (no server)")
    args = parser.parse_args()
    parse_cost()
    if args.parse_only:
        return
    if args.url:
        if args.pid is None:
            parser.error("--pid is needed with --url")
        run(args.url, args.pid, args.items, args.images, args.timeout)
        return
    port = free_port()
    with serve(rowscan_command(port), port) as server:
        run(server.base_url, server.pid, args.items, args.images, args.timeout)


if __name__ == "__main__":
    main()
