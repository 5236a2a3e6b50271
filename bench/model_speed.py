"""The model alone, no HTTP: how long one call of our compiled model takes, against the machine's limit.

    python bench/model_speed.py [--quick] [--json]

- time of one forward pass of what the micro-batcher calls, for both backends: `GraphModel`
  (TensorFlow, the default) and `OnnxModel` (ONNX Runtime, when model.onnx exists), for batches of
  1, 8, 64, 256 digits (batch 1 through the XLA single-digit graph, as the server runs it): median of
  many calls after warm-up, and the cost per digit;
- the arithmetic per digit, counted from the layer sizes (multiply-adds x 2);
- the machine's achievable float32 rate: a large matmul with NumPy and with TensorFlow (best of both);
- so the ideal time per digit (FLOP / rate) and how far the measured time is from it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench.common import model_dir

BATCHES = (1, 8, 64, 256)
MATMUL_SIDE = 2048


def model_flops(keras_model) -> dict[str, float]:
    """FLOP per digit (2 per multiply-add) of the row reader, from its layers' weight shapes.

    28 steps x (projection 28->P + LSTM gates 4U x (P + U)) + the Dense head once; the served
    per-row graph applies the head at every step (`served_per_digit`). Element-wise gate maths
    (~10 FLOP per unit per step, <1%) is left out.
    """
    from model.network import LOGITS, PROJECTION, RNN

    steps, side = keras_model.input_shape[1], keras_model.input_shape[2]
    projection = keras_model.get_layer(PROJECTION).kernel.shape  # [28, P]
    kernel, recurrent = (w.shape for w in keras_model.get_layer(RNN).cell.weights[:2])  # [P, 4U], [U, 4U]
    head = keras_model.get_layer(LOGITS).kernel.shape  # [U, 10]
    per_step = 2 * (side * projection[1] + kernel[0] * kernel[1] + recurrent[0] * recurrent[1])
    head_flops = 2 * head[0] * head[1]
    return {
        "per_digit": steps * per_step + head_flops,
        "lstm_gates": steps * 2 * (kernel[0] * kernel[1] + recurrent[0] * recurrent[1]),
        "served_per_digit": steps * (per_step + head_flops),
    }


def _median_s(call, repetitions: int, min_seconds: float) -> float:
    """Median wall time of `call()`: at least `repetitions` calls and `min_seconds` of calls."""
    times = []
    deadline = time.perf_counter() + min_seconds
    while len(times) < repetitions or time.perf_counter() < deadline:
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def matmul_gflops(quick: bool) -> dict[str, float]:
    """Achievable float32 GFLOP/s on this machine: a 2048^3 matmul, NumPy (BLAS) and TensorFlow (oneDNN/Eigen)."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a = rng.standard_normal((MATMUL_SIDE, MATMUL_SIDE), dtype=np.float32)
    b = rng.standard_normal((MATMUL_SIDE, MATMUL_SIDE), dtype=np.float32)
    flop = 2 * MATMUL_SIDE**3
    reps = 3 if quick else 10
    np.matmul(a, b)
    numpy_s = _median_s(lambda: np.matmul(a, b), reps, 0.0)
    ta, tb = tf.constant(a), tf.constant(b)
    tf_matmul = tf.function(lambda: tf.linalg.matmul(ta, tb))
    tf_matmul().numpy()
    tf_s = _median_s(lambda: tf_matmul().numpy(), reps, 0.0)
    return {"numpy": flop / numpy_s / 1e9, "tensorflow": flop / tf_s / 1e9}


def forward_times(graph, quick: bool) -> dict[int, float]:
    """Median seconds of one model call per batch size (float32 input, as the batcher passes it)."""
    with np.load(model_dir() / "misses.npz") as misses:
        digits = misses["images"].astype(np.float32) / 255.0
    results = {}
    for batch in BATCHES:
        rows = np.ascontiguousarray(np.resize(digits, (batch, 28, 28)))
        for _ in range(20):  # warm-up: oneDNN builds its primitives for this shape on the first calls
            graph(rows)
        results[batch] = _median_s(lambda rows=rows: graph(rows), 30 if quick else 200, 0.3 if quick else 2.0)
    return results


def measure(quick: bool = False) -> dict:
    import tensorflow as tf

    from app.inference import GraphModel, OnnxModel
    from model.artifacts import ONNX_FILE, load_keras_model

    keras_model = load_keras_model(model_dir())
    graph = GraphModel(keras_model)
    graph.compile_single_digit()  # as the server does after start-up: batch 1 runs an XLA graph
    runners = {"GraphModel": graph}
    if (model_dir() / ONNX_FILE).is_file():
        runners["OnnxModel"] = OnnxModel(model_dir() / ONNX_FILE)
    flops = model_flops(keras_model)
    times = {name: forward_times(runner, quick) for name, runner in runners.items()}
    rates = matmul_gflops(quick)
    best_rate = max(rates.values()) * 1e9
    ideal_s = flops["per_digit"] / best_rate
    return {
        "tensorflow": tf.__version__,
        "parameters": keras_model.count_params(),
        "flops": flops,
        "gflops": rates,
        "ideal_per_digit_ms": ideal_s * 1e3,
        "forward": {
            name: {
                str(batch): {
                    "call_ms": seconds * 1e3,
                    "per_digit_ms": seconds / batch * 1e3,
                    "gflops": flops["per_digit"] * batch / seconds / 1e9,
                    "times_ideal": seconds / batch / ideal_s,
                }
                for batch, seconds in runner_times.items()
            }
            for name, runner_times in times.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (CI smoke test)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    args = parser.parse_args(argv)
    result = measure(args.quick)
    if args.json:
        print(json.dumps(result))
        return 0
    flops = result["flops"]
    print(
        f"{result['parameters']:,} parameters; {flops['per_digit'] / 1e6:.2f} MFLOP per digit ({flops['lstm_gates'] / 1e6:.2f}"
        f" of them LSTM gates; served per-row graph {flops['served_per_digit'] / 1e6:.2f})"
    )
    print("matmul float32: " + ", ".join(f"{name} {rate:.0f} GFLOP/s" for name, rate in result["gflops"].items()))
    print(f"ideal time per digit: {result['ideal_per_digit_ms'] * 1e3:.1f} us")
    for name, forward in result["forward"].items():
        for batch, row in forward.items():
            print(
                f"{name} batch {batch:>3}: {row['call_ms']:.3f} ms per call, {row['per_digit_ms'] * 1e3:.1f} us per digit, "
                f"{row['gflops']:.1f} GFLOP/s, {row['times_ideal']:.1f}x the ideal"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
