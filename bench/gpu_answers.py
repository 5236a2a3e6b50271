"""The server as `make run` starts it answers the whole MNIST test set like ONNX Runtime on the CPU.

    MNIST_DIR=../shared/mnist python bench/gpu_answers.py [--limit N]

Part of bench/gpu_check.sh: on a GPU machine `rowscan serve` picks TensorFlow on the GPU, and this
checks over HTTP (TF Serving route, batches of 256) that every served model's probabilities are
within 1e-4 of ONNX Runtime's on the CPU, run here in-process. Prints which backend and device
served, and the largest difference per model; exits 1 if any is over 1e-4. On a CPU machine it
runs the same check against the ONNX Runtime server (a dry run of the logic).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import numpy as np

from app.inference import OnnxModel
from bench.common import free_port, rowscan_command, serve
from model import artifacts
from model.data import load_test_set

TOLERANCE = 1e-4
BATCH = 256


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=10_000, help="test digits to check (default: all 10,000)")
    args = parser.parse_args(argv)
    rows = load_test_set(os.environ.get("MNIST_DIR")).images[: args.limit].astype(np.float32) / 255.0
    port = free_port()
    worst = 0.0
    with serve(rowscan_command(port), port) as server, httpx.Client(base_url=server.base_url, timeout=120) as client:
        listing = client.get("/api/models").json()
        print(f"server: backend {listing['backend']} on {listing['device']}")
        for name in (model["name"] for model in listing["models"]):
            cpu = OnnxModel(artifacts.ARTIFACTS_DIR / name / artifacts.ONNX_FILE)
            served = []
            for start in range(0, len(rows), BATCH):
                answer = client.post(f"/v1/models/{name}:predict", json={"instances": rows[start : start + BATCH].tolist()})
                answer.raise_for_status()
                served.append(np.asarray(answer.json()["predictions"], np.float32))
            difference = float(np.abs(np.concatenate(served) - cpu(rows).probabilities).max())
            worst = max(worst, difference)
            print(f"{name}: {len(rows)} test digits, largest difference from ONNX Runtime on the CPU {difference:.2e}")
    print(f"answers {'agree' if worst <= TOLERANCE else 'DIFFER'} within {TOLERANCE:g}")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
