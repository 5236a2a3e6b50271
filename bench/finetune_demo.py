"""Fine-tuning on corrections, end to end on a real server: synthetic writers outside MNIST post labelled
digits through POST /api/samples, `rowscan finetune lstm --promote` trains version 2 on them, the running
server switches to it, then `rowscan rollback lstm` switches it back.

    python bench/finetune_demo.py [--writers 40] [--per-digit 3] [--seed 7]

Prints the samples, the fine-tune's wall time, before/after accuracy on the held-out writers and on the
MNIST test set (from the new version's metrics.json), and how long the server took to switch. Needs MNIST_DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench.common import free_port, load_average, rowscan_command, serve
from bench.writers import make_writers


def _post(base_url: str, body: dict) -> int:
    request = urllib.request.Request(
        f"{base_url}/api/samples", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.status


def _get(base_url: str, path: str) -> dict:
    with urllib.request.urlopen(f"{base_url}{path}", timeout=30) as answer:
        return json.loads(answer.read())


def _wait_for_version(base_url: str, version: str, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    while _get(base_url, "/api/model")["version"] != version:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"server did not switch to version {version} within {timeout:.0f} s")
        time.sleep(0.1)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=40)
    parser.add_argument("--per-digit", type=int, default=3, help="digits of each kind per writer")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="rowscan-finetune-demo-"))
    env = {
        "ROWSCAN_DATA_DIR": str(data_dir),
        "ROWSCAN_MODELS": "lstm",
        "ROWSCAN_SAMPLES_PER_MINUTE": "100000",
        "ROWSCAN_SAMPLES_BURST": "1000",
        "ROWSCAN_VERSION_POLL_S": "1",
    }
    rng = np.random.default_rng(args.seed)
    bodies = []
    for writer in make_writers(args.writers, args.seed):
        for digit in range(10):
            for _ in range(args.per_digit):
                image, strokes = writer.render(digit, rng)
                bodies.append({"image": image, "label": digit, "strokes": strokes, "client_id": writer.client_id})
    port = free_port()
    with serve(rowscan_command(port), port, env) as server:
        started = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda body: _post(server.base_url, body), bodies))
        posted_s = time.perf_counter() - started
        print(
            f"posted {statuses.count(201)} samples from {args.writers} writers in {posted_s:.1f} s "
            f"(all 201: {set(statuses) == {201}})"
        )
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "app.cli", "finetune", "lstm", "--promote"], env={**os.environ, **env})
        finetune_s = time.perf_counter() - started
        if done.returncode != 0:
            return done.returncode
        switch_s = _wait_for_version(server.base_url, "2")
        subprocess.run([sys.executable, "-m", "app.cli", "rollback", "lstm"], env={**os.environ, **env}, check=True)
        rollback_s = _wait_for_version(server.base_url, "1")
    metrics = json.loads((data_dir / "models" / "lstm" / "2" / "metrics.json").read_text())
    lineage = metrics["lineage"]
    before, after, used = lineage["before"], lineage["after"], lineage["samples"]
    print(
        f"fine-tune (rowscan finetune lstm --promote, whole command): {finetune_s:.0f} s wall, "
        f"training {metrics['training_seconds']} s; "
        f"load average {load_average():.1f} (2 shared cores)"
    )
    print(
        f"samples: {used['train']} trained from {used['train_clients']} writers (x{used['oversample']}) "
        f"+ {used['mnist_replay']:,} MNIST replay; {used['held_out']} held out from {used['held_out_clients']} other writers"
    )
    print(f"held-out writers: {before['held_out']:.2%} -> {after['held_out']:.2%}")
    print(
        f"MNIST test:       {before['mnist_test']:.2%} -> {after['mnist_test']:.2%} "
        f"({(after['mnist_test'] - before['mnist_test']) * 100:+.2f} points)"
    )
    print(
        f"running server switched to version 2 {switch_s:.1f} s after the command returned; "
        f"back to 1 {rollback_s:.1f} s after rollback"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
