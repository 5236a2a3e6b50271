"""Accuracy on re-drawn MNIST: Rowscan's preprocessing against a naive resize, with the shipped model.

    MNIST_DIR=../shared/mnist python bench/redrawn_accuracy.py [--limit N] [--model lstm]

Every test digit is redrawn on a 280x280 canvas as a person might draw it (see
model/redrawn.py), encoded as PNG or JPEG, then turned back into 28x28 two ways:
ours (app.preprocess, what every input path of the service uses) and a naive baseline
(the whole canvas converted to grey and resized to 28x28, as many demos do). Prints
a markdown table: overall, per class and per drawing style, and the time per image.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PIL import Image

from app.preprocess import prepare_image_bytes
from model import artifacts
from model.data import load_test_set
from model.evaluate import predict_probabilities
from model.redrawn import redrawn_set


def naive(data: bytes) -> np.ndarray:
    """What many demos do: the whole canvas, grey, resized to 28x28, scaled to [0, 1]."""
    image = Image.open(io.BytesIO(data)).convert("L").resize((28, 28), Image.Resampling.BILINEAR)
    return np.asarray(image, dtype=np.float32) / 255.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=10_000, help="number of test digits to redraw (default: all)")
    parser.add_argument("--model", default=artifacts.SHIPPED_MODEL, help="model folder under model/artifacts")
    parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DIR)")
    args = parser.parse_args()

    test = load_test_set(args.data_dir)
    drawings = list(redrawn_set(test.images[: args.limit], test.labels[: args.limit]))
    ours, baseline, seconds = [], [], []
    for drawing in drawings:
        started = time.perf_counter()
        ours.append(prepare_image_bytes(drawing.data).pixels)
        seconds.append(time.perf_counter() - started)
        baseline.append(naive(drawing.data))

    model = artifacts.load_keras_model(artifacts.ARTIFACTS_DIR / args.model)
    labels = np.array([d.label for d in drawings])
    ours_right = predict_probabilities(model, np.stack(ours)).argmax(1) == labels
    naive_right = predict_probabilities(model, np.stack(baseline)).argmax(1) == labels

    def row(name: str, mask: np.ndarray) -> str:
        return f"| {name} | {mask.sum()} | {ours_right[mask].mean():.2%} | {naive_right[mask].mean():.2%} |"

    print(f"Re-drawn MNIST, {len(drawings)} test digits, model '{args.model}'\n")
    print("| subset | digits | ours | naive resize |\n| --- | ---: | ---: | ---: |")
    print(row("**all**", np.ones_like(labels, dtype=bool)))
    for digit in range(10):
        print(row(f"digit {digit}", labels == digit))
    styles: dict[str, list[int]] = defaultdict(list)
    for i, drawing in enumerate(drawings):
        styles[drawing.style].append(i)
    for style, indices in sorted(styles.items()):
        mask = np.zeros_like(labels, dtype=bool)
        mask[indices] = True
        print(row(style, mask))
    print(
        f"\nPreprocessing time per 280x280 image: median {statistics.median(seconds) * 1e3:.2f} ms, "
        f"p90 {np.percentile(seconds, 90) * 1e3:.2f} ms (decode + framing, one core)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
