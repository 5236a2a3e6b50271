"""What `"explain": true` costs per request, in process, through the real app and the committed models.

For each backend, the same real test digits (the LSTM's recorded misses) go to POST /api/predict as
pixels with `steps`, alternately without and with `explain`, and the medians are compared in the same
run; then the two parts of explain alone: the NumPy recurrence on the weights (`model.inspect`) and
the batched call of the occluded copies through the served runner. Prints one markdown table.

    .venv/bin/python bench/explain_cost.py                     # both backends, 200 requests of each kind
    .venv/bin/python bench/explain_cost.py --backend onnx --requests 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from bench.common import load_average, model_dir
from model import inspect


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(backend: str, digits: np.ndarray, requests: int) -> list[tuple[str, str]]:
    """Table rows for one backend."""
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as data_dir:  # the app's database: not in the repository
        app = create_app(Settings(backend=backend, data_dir=data_dir))
        with TestClient(app) as client:

            def post(body: dict) -> tuple[float, int]:
                started = time.perf_counter()
                response = client.post("/api/predict", json=body)
                elapsed = time.perf_counter() - started
                response.raise_for_status()
                return elapsed, len(response.content)

            bodies = [{"pixels": digit.tolist(), "steps": True} for digit in digits]
            for body in bodies[:5]:  # warm-up, and the lazy first read of the weights
                post({**body, "explain": True})
            plain, explained = [], []
            for k in range(requests):  # interleaved, so both kinds see the same machine
                plain.append(post(bodies[k % len(bodies)]))
                explained.append(post({**bodies[k % len(bodies)], "explain": True}))
            served = app.state.registry.get()
            recurrence = [_timed(lambda digit=digit: served.inspector.run(digit[None])) for digit in digits for _ in range(3)]
            occlusion = [
                _timed(lambda digit=digit: served.runner(inspect.occluded_copies(digit.astype(np.float32))[0]))
                for digit in digits
            ]
    name = {"tensorflow": "TensorFlow", "onnx": "ONNX Runtime"}[backend]
    base, full = _median_ms([t for t, _ in plain]), _median_ms([t for t, _ in explained])
    size, explained_size = statistics.median(n for _, n in plain), statistics.median(n for _, n in explained)
    rows.append((f"{name}: POST /api/predict pixels + steps (median of {requests})", f"{base:.2f} ms"))
    rows.append((f"{name}: the same + explain (median of {requests})", f"{full:.2f} ms"))
    rows.append((f"{name}: explain's cost per request", f"{full - base:+.2f} ms ({full / base:.2f}x)"))
    rows.append((f"{name}: answer size without / with explain", f"{size:,.0f} / {explained_size:,.0f} bytes"))
    rows.append((f"{name}: NumPy recurrence on the weights, one digit", f"{_median_ms(recurrence):.2f} ms"))
    rows.append((f"{name}: occluded copies through the runner, one batched call", f"{_median_ms(occlusion):.2f} ms"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["tensorflow", "onnx", "both"], default="both")
    parser.add_argument("--requests", type=int, default=200, help="requests of each kind per backend")
    args = parser.parse_args()
    with np.load(model_dir() / "misses.npz") as misses:
        digits = misses["images"].astype(np.float64) / 255.0
    load_start = load_average()
    rows = []
    for backend in ("tensorflow", "onnx") if args.backend == "both" else (args.backend,):
        rows += measure(backend, digits, args.requests)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"Explain cost, {now}; {os.cpu_count()} cores; {len(digits)} real test digits; load average {load_start:.2f} at start, "
        f"{load_average():.2f} at end\n"
    )
    print("| Measurement | Median |\n| --- | ---: |")
    for label, value in rows:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
