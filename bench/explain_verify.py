"""How exactly `model.inspect` (NumPy on the weights) reproduces the served models, on real MNIST test digits.

For the LSTM and the GRU: the largest absolute difference between its hidden states and Keras's own
per-step outputs (the recurrent layer with return_sequences), its per-row answers and Keras's per-row
model, and its final answers and those of both serving runtimes (the TensorFlow graph and ONNX Runtime).
Prints one markdown table.

    MNIST_DIR=../shared/mnist .venv/bin/python bench/explain_verify.py            # all 10,000 test digits
    MNIST_DIR=../shared/mnist .venv/bin/python bench/explain_verify.py --digits 1000
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from app.inference import GraphModel, OnnxModel
from model import artifacts, inspect
from model.data import load_test_set
from model.network import RNN, per_row_model

BATCH = 500


def max_differences(name: str, digits: np.ndarray) -> dict[str, float]:
    import keras

    directory = artifacts.ARTIFACTS_DIR / name
    network = artifacts.load_keras_model(directory)
    sequence = keras.Model(network.input, network.get_layer(RNN).output)
    per_row = per_row_model(network)
    inspector = inspect.load(directory / artifacts.MODEL_FILE)
    runtimes = {"TensorFlow graph": GraphModel(network), "ONNX Runtime": OnnxModel(directory / artifacts.ONNX_FILE)}
    worst = {"hidden states vs Keras per-step outputs": 0.0, "per-row answers vs Keras per-row model": 0.0}
    worst |= {f"final answer vs served ({runtime})": 0.0 for runtime in runtimes}
    for start in range(0, len(digits), BATCH):
        rows = digits[start : start + BATCH]
        insides = inspector.run(rows)
        keras_steps = keras.ops.softmax(per_row(rows)).numpy()
        found = {
            "hidden states vs Keras per-step outputs": np.abs(insides.hidden - sequence(rows).numpy()).max(),
            "per-row answers vs Keras per-row model": np.abs(insides.steps[:, 1:] - keras_steps).max(),
        }
        for runtime, runner in runtimes.items():
            found[f"final answer vs served ({runtime})"] = np.abs(insides.probabilities - runner(rows).probabilities).max()
        worst = {key: max(worst[key], float(found[key])) for key in worst}
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=10_000, help="how many test digits (from the first)")
    args = parser.parse_args()
    test = load_test_set(os.environ.get("MNIST_DIR"))
    digits = test.images[: args.digits].astype(np.float32) / 255.0
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"model.inspect against Keras and the serving runtimes, {now}; {len(digits):,} MNIST test digits\n")
    print("| model | comparison | largest absolute difference |\n| --- | --- | ---: |")
    for name in ("lstm", "gru"):
        for comparison, difference in max_differences(name, digits).items():
            print(f"| {name} | {comparison} | {difference:.1e} |")


if __name__ == "__main__":
    main()
