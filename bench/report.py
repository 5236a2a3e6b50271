"""The benchmark's table: every figure bench/run_all.py measured, then each target against its figure.

Only formatting and comparison here; `met` or `missed` is decided from the figures of the same run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
from importlib.metadata import version
from pathlib import Path

from bench.load import wrk_available

# What `make run` starts (no flags), and the TensorFlow backend for comparison (what serves on a GPU).
CONFIGS = {
    "default": {"env": {}, "label": "Default"},
    "tensorflow": {"env": {"ROWSCAN_BACKEND": "tensorflow"}, "label": "TensorFlow backend"},
}
PHASE_LABELS = {
    "pixels_c1": ("`/api/predict` pixels, c=1", "p50 <= 0.8 ms"),
    "pixels_c64": ("`/api/predict` pixels, c=64", ">= 3,000 req/s, 0 errors"),
    "png_c1": ("`/api/predict` 280x280 PNG data URL, c=1", "p50 <= 3 ms"),
    "png_c64": ("`/api/predict` 280x280 PNG data URL, c=64", ">= 600 req/s"),
    "tfserving_c64": ("TF Serving `:predict` (1 instance), c=64", ""),
    "soak": ("`/api/predict` pixels, c=64, memory soak", ""),
}
RSS_LIMIT_MB = 400
FLAT_GROWTH = 0.05  # "flat": no worker grows by more than 5% over the soak


def _ms(value: float) -> str:
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def _mb(mib: float) -> float:
    return mib * 2**20 / 1e6


def config_label(figures: dict, config: str) -> str:
    serving = figures[f"{config}_serving"]
    return f"{CONFIGS[config]['label']} ({serving['backend']}, {figures[f'{config}_workers']} workers)"


def header(figures: dict, args: argparse.Namespace) -> str:
    cpu_lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpu_lines if line.startswith("model name")), platform.machine())
    client = args.client if args.client != "auto" else ("wrk" if wrk_available() else "asyncio client (wrk not installed)")
    names = ("onnxruntime", "tensorflow", "keras", "fastapi", "granian", "uvicorn")
    packages = ", ".join(f"{name} {version(name)}" for name in names)
    return (
        f"Rowscan benchmarks, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores ({cpu}); "
        f"Python {platform.python_version()}, {packages}; load client: {client}; {args.duration} s per load run, "
        f"{figures['soak_s']} s soak{' (quick)' if args.quick else ''}; load average {figures['load_average_start']:.2f} "
        f"at start, {figures['load_average_end']:.2f} at end"
    )


def table(figures: dict, args: argparse.Namespace) -> str:
    load, batch = figures["load"], figures["mean_batch"]
    rows: list[list[str]] = []

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

    for config in args.configs:
        for phase, (label, target) in PHASE_LABELS.items():
            load_row(f"{config_label(figures, config)} {label}", f"{config}_{phase}", target if config == "default" else "")
    load_row("Naive FastAPI + `model.predict` (uvicorn), pixels, c=1", "naive_pixels_c1", "")
    load_row("Naive FastAPI + `model.predict` (uvicorn), pixels, c=64", "naive_pixels_c64", "")
    if "naive_pixels_c64" in load:
        for config in args.configs:
            ours, naive = load[f"{config}_pixels_c64"], load["naive_pixels_c64"]
            ratio = f"{ours['rps'] / naive['rps']:,.1f}x" if naive["requests"] else "n/a: no naive request finished"
            label = f"Throughput ours ({config_label(figures, config)})/naive, pixels, c=64"
            row(label, ratio, ">= 150x" * (config == "default"))
    _model_rows(figures["model"], row)
    for config in args.configs:
        label = config_label(figures, config)
        starts, all_ready = figures[f"{config}_ready_s"], figures[f"{config}_all_ready_s"]
        row(
            f"Cold start to `/readyz` 200, {label} (median of {len(starts)}; loads {', '.join(figures['models'])})",
            f"{statistics.median(starts):.2f} s ({', '.join(f'{s:.2f}' for s in starts)}); every worker serving: "
            f"{statistics.median(all_ready):.2f} s",
            "<= 2 s" * (config == "default"),
        )
        warm, after = figures[f"{config}_rss_warm_mb"], figures[f"{config}_rss_after_load_mb"]
        row(
            f"RSS per worker after warm-up, then after the load, {label}",
            ", ".join(f"{warm[pid]:.0f} -> {after.get(pid, float('nan')):.0f} MiB" for pid in warm),
            f"<= {RSS_LIMIT_MB} MB" * (config == "default"),
        )
    if "default_soak_rss_mb" in figures:
        samples = figures["default_soak_rss_mb"]
        row(
            f"RSS per worker during the {figures['soak_s']} s soak, {config_label(figures, 'default')} (first, peak, last)",
            "; ".join(f"{s[0]:.0f}, {max(s):.0f}, {s[-1]:.0f} MiB" for s in samples.values()),
            "flat",
        )
    if "naive_rss_mb" in figures:
        row("Naive server RSS after its load", f"{figures['naive_rss_mb']:.0f} MiB")

    columns = ["Benchmark", "Measured", "p50 ms", "p90 ms", "p99 ms", "Errors", "Target"]
    lines = [header(figures, args), "", "| " + " | ".join(columns) + " |"]
    lines.append("| " + " | ".join("---" if i < 2 else "---:" for i in range(len(columns) - 1)) + " | --- |")
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    if "default" in args.configs:
        lines += ["", *targets(figures)]
    return "\n".join(lines)


def _model_rows(model: dict, row) -> None:
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


def targets(figures: dict) -> list[str]:
    """Each target of the default configuration beside its figure from this run: met or missed."""
    load = figures["load"]
    checks: list[tuple[str, str, bool]] = []

    def p50(phase: str, limit: float) -> None:
        result = load[f"default_{phase}"]
        target = f"{PHASE_LABELS[phase][0]}: {PHASE_LABELS[phase][1]}"
        checks.append((target, f"{result['p50_ms']:.2f} ms", result["p50_ms"] <= limit))

    def rate(phase: str, limit: float, no_errors: bool) -> None:
        result = load[f"default_{phase}"]
        errors = result["non2xx"] + result["socket_errors"]
        ok = result["rps"] >= limit and (errors == 0 or not no_errors)
        checks.append((f"{PHASE_LABELS[phase][0]}: {PHASE_LABELS[phase][1]}", f"{result['rps']:,.0f} req/s, {errors} errors", ok))

    p50("pixels_c1", 0.8)
    rate("pixels_c64", 3000, True)
    p50("png_c1", 3.0)
    rate("png_c64", 600, False)
    if "naive_pixels_c64" in load and load["naive_pixels_c64"]["requests"]:
        ratio = load["default_pixels_c64"]["rps"] / load["naive_pixels_c64"]["rps"]
        checks.append(("throughput >= 150x the naive server's, pixels, c=64", f"{ratio:,.0f}x", ratio >= 150))
    start = statistics.median(figures["default_ready_s"])
    checks.append(("cold start to ready <= 2 s", f"{start:.2f} s (median)", start <= 2.0))
    peak = max(_mb(max(samples)) for samples in figures.get("default_soak_rss_mb", {"-": [float("nan")]}).values())
    checks.append((f"RSS <= {RSS_LIMIT_MB} MB per worker", f"{peak:.0f} MB at most", peak <= RSS_LIMIT_MB))
    if "default_soak_rss_mb" in figures:
        growth = max(s[-1] / s[0] - 1 for s in figures["default_soak_rss_mb"].values())
        target = f"RSS flat over the {figures['soak_s']} s soak (<= {FLAT_GROWTH:.0%} growth)"
        checks.append((target, f"{growth:+.1%}", growth <= FLAT_GROWTH))
    lines = [f"Targets, {config_label(figures, 'default')}:", "", "| target | measured | |", "| --- | --- | --- |"]
    lines += [f"| {target} | {measured} | {'met' if ok else '**missed**'} |" for target, measured, ok in checks]
    return lines
