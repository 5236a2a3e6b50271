"""Rowscan's whole benchmark in one command, printed as ONE markdown table with the targets.

    .venv/bin/python bench/run_all.py [--quick] [--duration S] [--soak S] [--no-naive] [--config default|tensorflow]

1. `rowscan serve` exactly as `make run` starts it (no flags: the backend chosen for the machine,
   one worker per core) on a free loopback port: cold start, then load on POST /api/predict (pixels
   and a 280x280 PNG data URL) at concurrency 1 and 64, the TF Serving route at 64, and a soak
   (pixels at 64 for a minute) sampling every worker's resident memory.
2. The same with ROWSCAN_BACKEND=tensorflow (what a GPU machine serves with), for comparison.
3. The naive baseline (bench/naive_server.py: `model.predict` per request), same load, same run.
4. More cold starts (median) per configuration, then the model alone (bench/model_speed.py).

Servers run one at a time and the model timing runs last, in its own process: on 2 cores anything
running beside a measurement is part of it. Raw figures also go to bench/out/last_run.json.
Figures only: nothing here passes or fails; the table compares them with the project's targets.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    BENCH_DIR,
    ROOT,
    Server,
    free_port,
    load_average,
    model_name,
    naive_command,
    read_status_mb,
    rowscan_command,
    serve,
)
from bench.load import LoadResult, run_load
from bench.payloads import write_bodies
from bench.report import CONFIGS, table

OUT_DIR = BENCH_DIR / "out"
WARMUP_S = 1
PHASES = ("pixels_c1", "pixels_c64", "png_c1", "png_c64", "tfserving_c64")
RSS_SAMPLE_S = 2.0


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return json.loads(answer.read())


def _batch_totals(base_url: str) -> tuple[float, float]:
    """(digits, model calls) so far, from the server's Prometheus histogram of batch sizes (all workers)."""
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=5) as answer:
        text = answer.read().decode()

    def total(name: str) -> float:
        return sum(float(value) for value in re.findall(rf"^{name}\{{[^}}]*\}} (\S+)$", text, re.M))

    return total("rowscan_batch_size_sum"), total("rowscan_batch_size_count")


def _settle(url: str) -> None:
    """Let the server finish what the load client left in flight (the naive one: seconds of queued
    `model.predict` calls; GET /readyz queues behind them there), then a short pause."""
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
        self.rss_mb: dict[str, float] = {}  # largest worker's RSS after each phase: growth shows where it happens

    def warm_up(self, url: str, body: str) -> None:
        """One request on its own (first-call set-up), then 1 s of load."""
        request = urllib.request.Request(url, self.bodies[body].read_bytes(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()
        run_load(url, self.bodies[body], 8, WARMUP_S, self.client)
        _settle(url)

    def phase(self, name: str, server: Server, route: str, body: str, concurrency: int, duration: int | None = None) -> None:
        """One measured run; at concurrency > 1 also the mean digits per model call (Rowscan's /metrics)."""
        url = server.base_url + route
        batches = concurrency > 1 and name.split("_")[0] in CONFIGS
        before = _batch_totals(server.base_url) if batches else None
        self.results[name] = run_load(url, self.bodies[body], concurrency, duration or self.duration, self.client)
        _settle(url)
        self.rss_mb[name] = server.rss_mb()
        if before is not None:
            digits, calls = (after - first for after, first in zip(_batch_totals(server.base_url), before, strict=True))
            self.mean_batch[name] = digits / calls if calls else float("nan")

    def soak(self, name: str, server: Server, seconds: int) -> dict[str, list[float]]:
        """Pixels at concurrency 64 for `seconds`, every worker's RSS sampled meanwhile: {pid: [MiB, ...]}."""
        samples: dict[str, list[float]] = {str(pid): [] for pid in server.worker_pids()}
        done = threading.Event()

        def sample() -> None:
            while not done.wait(RSS_SAMPLE_S):
                for pid in samples:
                    samples[pid].append(_rss(int(pid)))

        for pid in samples:
            samples[pid].append(_rss(int(pid)))
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            self.phase(name, server, "/api/predict", "pixels", 64, duration=seconds)
        finally:
            done.set()
            sampler.join()
        for pid in samples:
            samples[pid].append(_rss(int(pid)))
        return samples


def _rss(pid: int) -> float:
    return read_status_mb(pid, "VmRSS")


def measure_config(config: str, runner: Runner, args: argparse.Namespace, figures: dict) -> None:
    port = free_port()
    with serve(rowscan_command(port), port, CONFIGS[config]["env"]) as ours:
        listing = _get_json(f"{ours.base_url}/api/models")
        figures[f"{config}_serving"] = {"backend": listing["backend"], "device": listing["device"]}
        figures[f"{config}_workers"] = len(ours.worker_pids())
        figures[f"{config}_ready_s"] = [ours.ready_s]
        figures[f"{config}_all_ready_s"] = [ours.all_workers_ready_s]
        figures["models"] = [model["name"] for model in listing["models"]]
        predict, tfserving = "/api/predict", f"/v1/models/{model_name()}:predict"
        for route, body in ((predict, "pixels"), (predict, "png"), (tfserving, "tfserving")):
            runner.warm_up(ours.base_url + route, body)
        figures[f"{config}_rss_warm_mb"] = {str(pid): _rss(pid) for pid in ours.worker_pids()}
        for phase in PHASES:
            body, concurrency = phase.rsplit("_c", 1)
            runner.phase(f"{config}_{phase}", ours, tfserving if body == "tfserving" else predict, body, int(concurrency))
        if config == "default":
            figures["default_soak_rss_mb"] = runner.soak("default_soak", ours, args.soak)
        figures[f"{config}_rss_after_load_mb"] = {str(pid): _rss(pid) for pid in ours.worker_pids()}


def measure(args: argparse.Namespace) -> dict:
    bodies = write_bodies(OUT_DIR / "bodies")
    runner = Runner(args.duration, args.client, bodies)
    figures: dict = {"load_average_start": load_average(), "soak_s": args.soak}
    for config in args.configs:
        measure_config(config, runner, args, figures)
    if not args.no_naive:
        port = free_port()
        with serve(naive_command(port), port) as naive:
            runner.warm_up(f"{naive.base_url}/api/predict", "pixels")
            runner.phase("naive_pixels_c1", naive, "/api/predict", "pixels", 1)
            runner.phase("naive_pixels_c64", naive, "/api/predict", "pixels", 64)
            figures["naive_rss_mb"] = naive.rss_mb()
    for config in args.configs:
        for _ in range(args.starts - 1):
            port = free_port()
            with serve(rowscan_command(port), port, CONFIGS[config]["env"]) as server:
                figures[f"{config}_ready_s"].append(server.ready_s)
                figures[f"{config}_all_ready_s"].append(server.all_workers_ready_s)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, one cold start, fewer model repetitions")
    parser.add_argument("--duration", type=int, default=None, help="seconds per load run (default: 15, or 3 with --quick)")
    parser.add_argument("--soak", type=int, default=None, help="seconds of the memory soak (default: 60, or 10 with --quick)")
    parser.add_argument("--starts", type=int, default=None, help="cold starts, median taken (default: 5, or 1 with --quick)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline server")
    parser.add_argument("--client", choices=("auto", "wrk", "asyncio"), default="auto", help="default: wrk if installed")
    parser.add_argument(
        "--config", dest="configs", action="append", choices=list(CONFIGS), help="repeatable (default: all, default first)"
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (3 if args.quick else 15)
    args.soak = args.soak or (10 if args.quick else 60)
    args.starts = max(1, args.starts or (1 if args.quick else 5))
    args.configs = args.configs or list(CONFIGS)

    figures = measure(args)
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "last_run.json").write_text(json.dumps(figures, indent=2))
    print(table(figures, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
