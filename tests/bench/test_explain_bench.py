"""Smoke test of the explain benchmarks: they run and print their one table (no timing thresholds)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str]) -> list[str]:
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600, env=os.environ)
    assert result.returncode == 0, result.stderr[-3000:]
    return [line for line in result.stdout.splitlines() if line.startswith("|")]


def test_explain_cost_prints_its_table():
    table = run(["bench/explain_cost.py", "--backend", "onnx", "--requests", "3"])
    assert table[0] == "| Measurement | Median |"
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ")[1].rstrip(" |") for line in table[2:]}
    assert rows["ONNX Runtime: explain's cost per request"].startswith(("+", "-"))
    assert len(rows) == 6


def test_explain_verify_prints_tiny_differences(mnist_dir):
    table = run(["bench/explain_verify.py", "--digits", "20"])
    differences = [float(line.split(" | ")[-1].rstrip(" |")) for line in table[2:]]
    assert len(differences) == 8 and max(differences) < 1e-5
