"""A contact sheet of synthesised handwriting styles (model/styles.py), for the README.

MNIST_DIR=../shared/mnist python -m model.style_sheet docs/styles.png
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from PIL import Image

from model.data import load_mnist
from model.styles import stylise


def contact_sheet(images: np.ndarray, labels: np.ndarray, seed: int, per_row: int = 16) -> Image.Image:
    """One row per digit of styled training digits, light ink on dark as the model sees them, at 2x."""
    rng = np.random.default_rng(seed)
    rows = []
    for digit in range(10):
        pool = np.flatnonzero(labels == digit)[:per_row]
        rows.append(np.concatenate([stylise(images[i], digit, rng)[0] for i in pool], axis=1))
    sheet = np.concatenate(rows, axis=0)
    return Image.fromarray(sheet).resize((sheet.shape[1] * 2, sheet.shape[0] * 2), Image.Resampling.NEAREST)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a contact sheet of synthesised handwriting styles.")
    parser.add_argument("png", help="file to write")
    parser.add_argument("--data-dir", help="MNIST folder (default: $MNIST_DIR)")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    train = load_mnist(args.data_dir).train
    contact_sheet(train.images, train.labels, args.seed).save(args.png, optimize=True)
    print(f"Contact sheet written to {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
