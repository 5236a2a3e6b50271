"""Accuracy on handwriting styles MNIST lacks (flagged 1s, crossed 7s, closed 4s, ...), per style and digit.

    python bench/styles_accuracy.py [--models lstm,gru,cnn] [--artifacts-dir DIR] [--per-style N]

The drawings come from hand-authored stroke templates (model/style_benchmark.py: 36 styles, each
drawn 100 times with seeded jitter), rendered as the draw page's canvas exports them, and go
through the service's own preprocessing (app.preprocess). The set is independent of the training
generator (model/styles.py): it measures generalisation to a style, not recall. `--artifacts-dir`
scores models kept elsewhere (e.g. the models before style training) beside today's.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.preprocess import prepare_image_bytes
from model import artifacts
from model.evaluate import predict_probabilities
from model.style_benchmark import PER_STYLE
from model.style_scores import prepare_style_set, style_scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="lstm,gru,cnn", help="comma-separated model folders (default: %(default)s)")
    parser.add_argument(
        "--artifacts-dir", type=Path, action="append", help="folder holding the models (repeatable; default: model/artifacts)"
    )
    parser.add_argument("--per-style", type=int, default=PER_STYLE, help="drawings per style (default: %(default)s)")
    args = parser.parse_args()

    folders = args.artifacts_dir or [artifacts.ARTIFACTS_DIR]
    styles = prepare_style_set(lambda data: prepare_image_bytes(data).pixels, args.per_style)
    columns: dict[str, dict] = {}
    for folder in folders:
        for name in args.models.split(","):
            model = artifacts.load_keras_model(folder / name)
            predictions = predict_probabilities(model, styles.rows).argmax(axis=1)
            label = name if len(folders) == 1 else f"{name} ({folder.name})"
            columns[label] = style_scores(predictions, styles)

    print(f"Style benchmark: {len(styles.names)} styles x {args.per_style} drawings = {len(styles.labels):,} digits\n")
    header = "| " + " | ".join(columns) + " |"
    rule = "| ---" * 2 + " | ---:" * len(columns) + " |"
    print(f"| style | digit {header}\n{rule}")
    print("| **all** | " + " | " + " | ".join(f"**{c['accuracy']:.2%}**" for c in columns.values()) + " |")
    for digit in range(10):
        print(f"| digit {digit} | {digit} | " + " | ".join(f"{c['per_digit'][digit]:.2%}" for c in columns.values()) + " |")
    for name in styles.names:
        digit = name.split()[0]
        print(f"| {name} | {digit} | " + " | ".join(f"{c['per_style'][name]:.2%}" for c in columns.values()) + " |")
    print(
        "\nLowest style per model: "
        + "; ".join(
            f"{label} {min(c['per_style'], key=c['per_style'].get)} ({min(c['per_style'].values()):.2%})"
            for label, c in columns.items()
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
