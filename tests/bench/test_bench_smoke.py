"""Smoke test of the benchmark suite: its entry point starts the real server, loads it and prints the table.

No timing thresholds (CI machines are noisy): figures are for people, see bench/README.md. With `wrk`
missing the suite falls back to its asyncio load client, so this runs either way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_run_all_quick_prints_one_table():
    command = [sys.executable, "bench/run_all.py", "--quick", "--duration", "1", "--starts", "1", "--no-naive"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("Rowscan benchmarks,") and "tensorflow" in lines[0]
    table = [line for line in lines if line.startswith("|")]
    assert table[0].startswith("| Benchmark | Measured |") and set(table[1]) <= set("|-: ")
    assert len(table) == len(lines) - 2, "one header line, a blank line, then the table and nothing else"
    rows = {line.split(" | ")[0].lstrip("| "): line for line in table[2:]}
    for backend in ("TensorFlow", "ONNX Runtime"):
        pixels = rows[f"Rowscan ({backend}) `/api/predict` pixels, c=64"]
        assert " req/s" in pixels and not pixels.split(" | ")[1].startswith("0 req/s"), pixels  # it talked to the server
        assert f"Rowscan ({backend}) `/api/predict` 280x280 PNG data URL, c=1" in rows
    for label in ("Model alone (`GraphModel`), batch 256", "Model alone (`OnnxModel`), batch 256"):
        assert label in rows
    assert any(label.startswith("Cold start") for label in rows) and any(label.startswith("Server RSS") for label in rows)


def test_classroom_smoke_every_drawing_reaches_the_wall():
    """bench/classroom.py at a small scale (20 students in 2 s, one worker, ONNX Runtime to start fast)."""
    command = [sys.executable, "bench/classroom.py", "--students", "20", "--seconds", "2", "--workers", "1"]
    env = {**os.environ, "ROWSCAN_BACKEND": "onnx", "ROWSCAN_MODELS": "lstm"}
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "answers by status: {'201': 20}" in result.stdout
    assert "on the wall: 20 (missing 0, duplicated 0)" in result.stdout
    assert "submit -> wall: median" in result.stdout
