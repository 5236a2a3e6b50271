"""Scores on the style benchmark (model/style_benchmark.py), through the service's own preprocessing.

Shared by `bench/styles_accuracy.py` (tables per style and per digit, any models) and `rowscan
compare` (the style-accuracy column and the model card's "handwriting styles" section).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.preprocess import prepare_image_bytes
from model.style_benchmark import PER_STYLE, SEED, TEMPLATES, drawings


@dataclass(frozen=True)
class StyleSet:
    rows: np.ndarray  # float32 [N, 28, 28], what the model is given
    labels: np.ndarray  # int [N]
    styles: np.ndarray  # str [N], the template each drawing came from

    @property
    def names(self) -> list[str]:
        return [template.name for template in TEMPLATES]


def prepare_style_set(per_style: int = PER_STYLE, seed: int = SEED) -> StyleSet:
    """Every benchmark drawing, decoded and framed by app.preprocess exactly as the API does."""
    rows, labels, styles = [], [], []
    for drawing in drawings(per_style, seed):
        rows.append(prepare_image_bytes(drawing.data).pixels)
        labels.append(drawing.label)
        styles.append(drawing.style)
    return StyleSet(np.stack(rows), np.array(labels), np.array(styles))


def style_scores(predictions: np.ndarray, styles: StyleSet) -> dict[str, object]:
    """Overall, per-digit and per-style accuracy of one model's predictions on the set."""
    right = predictions == styles.labels
    return {
        "accuracy": float(right.mean()),
        "per_digit": [float(right[styles.labels == digit].mean()) for digit in range(10)],
        "per_style": {name: float(right[styles.styles == name].mean()) for name in styles.names},
    }


def samples(styles: StyleSet) -> dict[str, list[list[int]]]:
    """The first drawing of each style as the model sees it (28x28, 0-255), for the model card."""
    first = {name: int(np.flatnonzero(styles.styles == name)[0]) for name in styles.names}
    return {name: np.round(styles.rows[i] * 255).astype(int).tolist() for name, i in first.items()}
