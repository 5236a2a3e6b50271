"""Rowscan's whole benchmark in one command, printed as ONE markdown table.

    .venv/bin/python bench/run_all.py [--quick] [--duration S] [--no-naive] [--client auto|wrk|asyncio]

1. `rowscan serve` (the real server, one worker) on a free loopback port, for each backend
   (TensorFlow, the default, then ONNX Runtime): cold start, then load on POST /api/predict (pixels
   and a 280x280 PNG data URL) at concurrency 1 and 64, and the TF Serving route at 64; resident
   memory after warm-up and after the load.
2. The naive baseline (bench/naive_server.py: `model.predict` per request), same load, same run:
   the ratios ours/naive.
3. More cold starts (median) per backend, then the model alone (bench/model_speed.py) against the
   machine's FLOP rate.

Servers run one at a time and the model timing runs last, in its own process: on 2 cores anything
running beside a measurement is part of it. Raw figures also go to bench/out/last_run.json.
Figures only: nothing here passes or fails; the Target column quotes the project's targets.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_DIR, ROOT, Server, free_port, load_average, model_name, naive_command, rowscan_command, serve
from bench.load import LoadResult, run_load, wrk_available
from bench.payloads import write_bodies
from bench.startup import cold_starts

OUT_DIR = BENCH_DIR / "out"
WARMUP_S = 1
BACKENDS = {"tensorflow": "TensorFlow", "onnx": "ONNX Runtime"}
PHASES = ("pixels_c1", "pixels_c64", "png_c1", "png_c64", "tfserving_c64")


def _batch_totals(base_url: str) -> tuple[float, float]:
    """(digits, model calls) so far, from the server's Prometheus histogram of batch sizes."""
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=5) as answer:
        text = answer.read().decode()

    def total(name: str) -> float:
        return sum(float(value) for value in re.findall(rf"^{name}\{{[^}}]*\}} (\S+)$", text, re.M))

    return total("rowscan_batch_size_sum"), total("rowscan_batch_size_count")


def _settle(url: str) -> None:
    """Let the server finish what the load client left in flight, so it does not run into the next measurement.

    The load client stops on time, but a slow server still works through its backlog (the naive one:
    up to 64 queued `model.predict` calls, seconds). GET /readyz queues behind them there (a sync route,
    same thread pool); then a short pause.
    """
    base_url = url.split("/", 3)[:3]
    with urllib.request.urlopen("/".join(base_url) + "/readyz", timeout=120) as answer:
        answer.read()
    time.sleep(0.5)


class Runner:
    """Runs load phases against one server and keeps their results by name."""

    def __init__(self, duration: int, client: str, bodies: dict[str, Path]) -> None:
        self.duration, self.client, self.bodies = duration, client, bodies
        self.results: dict[str, LoadResult] = {}
        self.mean_batch: dict[str, float] = {}
        self.rss_mb: dict[str, float] = {}  # server RSS after each phase: growth shows where it happens

    def warm_up(self, url: str, body: str) -> None:
        """One request on its own (first-call set-up: the naive server builds its predict function), then 1 s of load."""
        request = urllib.request.Request(url, self.bodies[body].read_bytes(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
        run_load(url, self.bodies[body], 8, WARMUP_S, self.client)
        _settle(url)

    def phase(self, name: str, server: Server, route: str, body: str, concurrency: int, batches: bool = False) -> None:
        """One measured run; with `batches`, also the mean digits per model call (Rowscan's /metrics)."""
        url = server.base_url + route
        before = _batch_totals(server.base_url) if batches else None
        self.results[name] = run_load(url, self.bodies[body], concurrency, self.duration, self.client)
        _settle(url)
        self.rss_mb[name] = server.rss_mb()
        if before is not None:
            digits, calls = (after - first for after, first in zip(_batch_totals(server.base_url), before, strict=True))
            self.mean_batch[name] = digits / calls if calls else float("nan")


def versions(client: str) -> str:
    cpu_lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpu_lines if line.startswith("model name")), platform.machine())
    if client == "auto":
        client = "wrk" if wrk_available() else "asyncio client (wrk not installed)"
    elif client == "asyncio":
        client = "asyncio client"
    packages = ", ".join(f"{name} {version(name)}" for name in ("tensorflow", "keras", "fastapi", "uvicorn"))
    return f"{os.cpu_count()} cores ({cpu}); Python {platform.python_version()}, {packages}; load client: {client}"


def measure(args: argparse.Namespace) -> dict:
    bodies = write_bodies(OUT_DIR / "bodies")
    runner = Runner(args.duration, args.client, bodies)
    figures: dict = {"load_average_start": load_average()}

    for backend in args.backends:
        env = {"ROWSCAN_BACKEND": backend}
        port = free_port()
        with serve(rowscan_command(port), port, env) as ours:
            figures[f"{backend}_ready_s"] = [ours.ready_s]
            with urllib.request.urlopen(f"{ours.base_url}/readyz", timeout=5) as answer:
                figures["models"] = json.loads(answer.read()).get("models", [])  # each one loaded and traced at start
            predict, tfserving = "/api/predict", f"/v1/models/{model_name()}:predict"
            for route, body in ((predict, "pixels"), (predict, "png"), (tfserving, "tfserving")):
                runner.warm_up(ours.base_url + route, body)
            figures[f"{backend}_rss_warm_mb"] = ours.rss_mb()
            for phase in PHASES:
                body, concurrency = phase.rsplit("_c", 1)
                route = tfserving if body == "tfserving" else predict
                runner.phase(f"{backend}_{phase}", ours, route, body, int(concurrency), batches=concurrency == "64")
            figures[f"{backend}_rss_after_load_mb"] = ours.rss_mb()
            figures[f"{backend}_rss_peak_mb"] = ours.peak_rss_mb()

    if not args.no_naive:
        port = free_port()
        with serve(naive_command(port), port) as naive:
            runner.warm_up(f"{naive.base_url}/api/predict", "pixels")
            runner.phase("naive_pixels_c1", naive, "/api/predict", "pixels", 1)
            runner.phase("naive_pixels_c64", naive, "/api/predict", "pixels", 64)
            figures["naive_rss_mb"] = naive.rss_mb()

    for backend in args.backends:
        figures[f"{backend}_ready_s"] += cold_starts(args.starts - 1, {"ROWSCAN_BACKEND": backend})
    command = [sys.executable, str(BENCH_DIR / "model_speed.py"), "--json", *(["--quick"] if args.quick else [])]
    speed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if speed.returncode != 0:
        raise RuntimeError(f"bench/model_speed.py failed ({speed.returncode}):\n{speed.stderr[-3000:]}")
    figures["model"] = json.loads(speed.stdout.strip().splitlines()[-1])
    figures["load_average_end"] = load_average()
    figures["load"] = {name: asdict(result) for name, result in runner.results.items()}
    figures["mean_batch"] = runner.mean_batch
    figures["rss_by_phase_mb"] = runner.rss_mb
    return figures


# ----------------------------------------------------------------------------- the table


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def table(figures: dict, args: argparse.Namespace) -> str:
    load, batch = figures["load"], figures["mean_batch"]
    rows = []

    def load_row(label: str, name: str, target: str) -> None:
        if name not in load:
            return
        result = load[name]
        notes = [f"mean batch {batch[name]:.1f}"] if name in batch else []
        notes.append(f"{result['client']} {result['client_cpu']:.0%} CPU")
        measured = f"{result['rps']:,.0f} req/s ({'; '.join(notes)})"
        errors = result["non2xx"] + result["socket_errors"]
        error_text = f"{errors}" if not errors else f"{errors} ({result['non2xx']} non-2xx, {result['socket_errors']} socket)"
        rows.append([label, measured, _ms(result["p50_ms"]), _ms(result["p90_ms"]), _ms(result["p99_ms"]), error_text, target])

    def row(label: str, measured: str, target: str = "") -> None:
        rows.append([label, measured, "", "", "", "", target])

    labels = {
        "pixels_c1": ("`/api/predict` pixels, c=1", "p50 <= 2.5 ms"),
        "pixels_c64": ("`/api/predict` pixels, c=64", ">= 1,500 req/s, 0 errors"),
        "png_c1": ("`/api/predict` 280x280 PNG data URL, c=1", "p50 <= 5 ms"),
        "png_c64": ("`/api/predict` 280x280 PNG data URL, c=64", ""),
        "tfserving_c64": ("TF Serving `:predict` (1 instance), c=64", ""),
    }
    for backend in args.backends:
        for phase, (label, target) in labels.items():
            load_row(f"Rowscan ({BACKENDS[backend]}) {label}", f"{backend}_{phase}", target)
    load_row("Naive FastAPI + `model.predict`, pixels, c=1", "naive_pixels_c1", "")
    load_row("Naive FastAPI + `model.predict`, pixels, c=64", "naive_pixels_c64", "")
    if "naive_pixels_c64" in load:
        none = f"n/a: no naive request finished in {args.duration} s"
        for backend in args.backends:
            ours, naive = load[f"{backend}_pixels_c64"], load["naive_pixels_c64"]
            ratio = f"{ours['rps'] / naive['rps']:,.1f}x" if naive["requests"] else none
            row(f"Throughput ours ({BACKENDS[backend]})/naive, pixels, c=64", ratio, ">= 40x")
            for concurrency in (1, 64):
                ours, naive = load[f"{backend}_pixels_c{concurrency}"], load[f"naive_pixels_c{concurrency}"]
                ratio = none
                if naive["requests"]:
                    ratio = f"{ours['p50_ms'] / naive['p50_ms']:.3f} (naive {naive['p50_ms'] / ours['p50_ms']:,.0f}x slower)"
                row(f"p50 latency ours ({BACKENDS[backend]})/naive, pixels, c={concurrency}", ratio)

    model = figures["model"]
    flops, rates = model["flops"], model["gflops"]
    row(
        "Model FLOP per digit (from layer sizes)",
        f"{flops['per_digit'] / 1e6:.2f} MFLOP ({flops['lstm_gates'] / 1e6:.2f} LSTM gates; served per-row graph "
        f"{flops['served_per_digit'] / 1e6:.2f})",
    )
    row(
        "Machine float32 rate (2048^3 matmul)",
        f"{max(rates.values()):.0f} GFLOP/s (TensorFlow {rates['tensorflow']:.0f}, NumPy {rates['numpy']:.0f}) "
        f"-> ideal {model['ideal_per_digit_ms'] * 1e3:.0f} us/digit",
    )
    for runner_name, forward in model["forward"].items():
        for size, speed in forward.items():
            row(
                f"Model alone (`{runner_name}`), batch {size}",
                f"{speed['call_ms']:.3f} ms/call, {speed['per_digit_ms'] * 1e3:,.0f} us/digit, {speed['gflops']:.1f} GFLOP/s "
                f"= {speed['times_ideal']:.1f}x the ideal",
            )
    for backend in args.backends:
        starts = figures[f"{backend}_ready_s"]
        row(
            f"Cold start to `/readyz` 200, {BACKENDS[backend]} (median of {len(starts)}; loads {', '.join(figures['models'])})",
            f"{statistics.median(starts):.2f} s ({', '.join(f'{s:.2f}' for s in starts)})",
            "<= 5 s",
        )
        warm, after = figures[f"{backend}_rss_warm_mb"], figures[f"{backend}_rss_after_load_mb"]
        row(f"Server RSS after warm-up, {BACKENDS[backend]}", f"{warm:.0f} MiB ({warm * 2**20 / 1e6:.0f} MB)", "<= 800 MB")
        phases = [rss for name, rss in figures["rss_by_phase_mb"].items() if name.startswith(backend)]
        row(
            f"Server RSS after the load, {BACKENDS[backend]}",
            f"{after:.0f} MiB ({after - warm:+.0f} MiB; after each run: {', '.join(f'{rss:.0f}' for rss in phases)}; "
            f"peak {figures[f'{backend}_rss_peak_mb']:.0f} MiB)",
            "flat",
        )
    if "naive_rss_mb" in figures:
        row("Naive server RSS after its load", f"{figures['naive_rss_mb']:.0f} MiB")

    header = ["Benchmark", "Measured", "p50 ms", "p90 ms", "p99 ms", "Errors", "Target"]
    lines = [
        f"Rowscan benchmarks, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {versions(args.client)}; "
        f"{args.duration} s per load run{' (quick)' if args.quick else ''}; "
        f"load average {figures['load_average_start']:.2f} at start, {figures['load_average_end']:.2f} at end",
        "",
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" if i < 2 else "---:" for i in range(len(header) - 1)) + " | --- |",
    ]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, one cold start, fewer model repetitions")
    parser.add_argument("--duration", type=int, default=None, help="seconds per load run (default: 15, or 3 with --quick)")
    parser.add_argument("--starts", type=int, default=None, help="cold starts, median taken (default: 5, or 1 with --quick)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline server")
    parser.add_argument("--client", choices=("auto", "wrk", "asyncio"), default="auto", help="default: wrk if installed")
    parser.add_argument(
        "--backend", dest="backends", action="append", choices=sorted(BACKENDS), help="repeatable (default: both)"
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (3 if args.quick else 15)
    args.starts = max(1, args.starts or (1 if args.quick else 5))
    args.backends = args.backends or list(BACKENDS)

    figures = measure(args)
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "last_run.json").write_text(json.dumps(figures, indent=2))
    print(table(figures, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
