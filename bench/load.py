"""Drive one endpoint with a fixed number of concurrent connections for a fixed time; report rate and latency.

    python bench/load.py URL BODY_FILE [-c 64] [-d 10] [--client auto|wrk|asyncio]

The load client must not be the bottleneck on a 2-core machine that also runs the server, so:
- `wrk` (C, Debian package `wrk`) with bench/wrk_report.lua, which sends one pre-built request
  and reports once, from its done() hook, as a JSON line; the default when wrk is installed;
- otherwise a lean asyncio client: raw HTTP/1.1 keep-alive over asyncio streams (uvloop when present),
  one pre-built request, no HTTP library on the hot path (httpx tops out near 500 req/s here).
Both count non-2xx answers and socket errors (connect, read, write, timeouts).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_DIR

WRK_SCRIPT = BENCH_DIR / "wrk_report.lua"
REQUEST_TIMEOUT_S = 30  # the naive server answers in seconds at concurrency 64: no request may time out early


@dataclass
class LoadResult:
    client: str
    concurrency: int
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int
    client_cpu: float = 0.0  # the load client's CPU time / wall time (1.0 = one core): is it the bottleneck?

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(url: str, body_file: Path, concurrency: int, duration_s: int) -> LoadResult:
    """wrk with one thread (plenty for a few thousand req/s; a second thread would take CPU from the server)."""
    command = [
        "wrk", "-t1", f"-c{concurrency}", f"-d{duration_s}s", "--latency", f"--timeout={REQUEST_TIMEOUT_S}s",
        "-s", str(WRK_SCRIPT), url, "--", str(body_file),
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration_s + REQUEST_TIMEOUT_S + 30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = next((line for line in reversed(result.stdout.splitlines()) if line.startswith("{")), None)
    if result.returncode != 0 or report is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    data = json.loads(report)
    return LoadResult(
        client="wrk",
        concurrency=concurrency,
        requests=data["requests"],
        duration_s=data["duration_s"],
        rps=data["rps"],
        p50_ms=data["p50_ms"],
        p90_ms=data["p90_ms"],
        p99_ms=data["p99_ms"],
        non2xx=data["non2xx"],
        socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        client_cpu=_cpu_seconds(before, after) / data["duration_s"],
    )


def _cpu_seconds(before: resource.struct_rusage, after: resource.struct_rusage) -> float:
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# ---------------------------------------------------------------------------- asyncio client


def _request_bytes(url: str, body: bytes) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    head = (
        f"POST {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\n"
        f"Host: {parts.netloc}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return parts.hostname or "127.0.0.1", parts.port or 80, head.encode() + body


async def _connection(host: str, port: int, request: bytes, stop_at: float, latencies: list[int], counts: dict) -> None:
    """One keep-alive connection sending requests back to back until `stop_at` (like one wrk connection)."""
    reader = writer = None
    while time.perf_counter() < stop_at:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            started = time.perf_counter_ns()
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), REQUEST_TIMEOUT_S)
            status = int(head[9:12])
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            await reader.readexactly(length)
            latencies.append(time.perf_counter_ns() - started)
            if not 200 <= status < 300:
                counts["non2xx"] += 1
            if close:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError):
            counts["socket"] += 1
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


def _percentile(ordered: list[int], share: float) -> float:
    """Nearest-rank percentile of sorted nanoseconds, in ms."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] / 1e6


def run_asyncio(url: str, body_file: Path, concurrency: int, duration_s: float) -> LoadResult:
    host, port, request = _request_bytes(url, body_file.read_bytes())
    latencies: list[int] = []
    counts = {"non2xx": 0, "socket": 0}

    async def main() -> float:
        started = time.perf_counter()
        stop_at = started + duration_s
        await asyncio.gather(*(_connection(host, port, request, stop_at, latencies, counts) for _ in range(concurrency)))
        return time.perf_counter() - started

    before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        import uvloop

        elapsed = uvloop.run(main())
    except ImportError:
        elapsed = asyncio.run(main())
    after = resource.getrusage(resource.RUSAGE_SELF)
    ordered = sorted(latencies)
    return LoadResult(
        client="asyncio",
        concurrency=concurrency,
        requests=len(ordered),
        duration_s=elapsed,
        rps=len(ordered) / elapsed,
        p50_ms=_percentile(ordered, 0.50),
        p90_ms=_percentile(ordered, 0.90),
        p99_ms=_percentile(ordered, 0.99),
        non2xx=counts["non2xx"],
        socket_errors=counts["socket"],
        client_cpu=_cpu_seconds(before, after) / elapsed,
    )


def run_load(url: str, body_file: Path, concurrency: int, duration_s: int, client: str = "auto") -> LoadResult:
    """`concurrency` connections POSTing `body_file` to `url` for `duration_s` seconds."""
    if client == "auto":
        client = "wrk" if wrk_available() else "asyncio"
    if client == "wrk":
        return run_wrk(url, body_file, concurrency, duration_s)
    return run_asyncio(url, body_file, concurrency, duration_s)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("body_file", type=Path)
    parser.add_argument("-c", "--concurrency", type=int, default=64)
    parser.add_argument("-d", "--duration", type=int, default=10, help="seconds (default: %(default)s)")
    parser.add_argument("--client", choices=("auto", "wrk", "asyncio"), default="auto")
    args = parser.parse_args(argv)
    result = run_load(args.url, args.body_file, args.concurrency, args.duration, args.client)
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
