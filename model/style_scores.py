"""Scores on the style benchmark (model/style_benchmark.py), through the service's own preprocessing (handed in).

Shared by `bench/styles_accuracy.py` (tables per style and per digit, any models) and `rowscan
compare` (the style-accuracy column and the model card's "handwriting styles" section).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from model.style_benchmark import PER_STYLE, SEED, TEMPLATES, drawings


@dataclass(frozen=True)
class StyleSet:
    rows: np.ndarray  # float32 [N, 28, 28], what the model is given
    labels: np.ndarray  # int [N]
    styles: np.ndarray  # str [N], the template each drawing came from

    @property
    def names(self) -> list[str]:
        return [template.name for template in TEMPLATES]


def prepare_style_set(prepare_drawing: Callable[[bytes], np.ndarray], per_style: int = PER_STYLE, seed: int = SEED) -> StyleSet:
    """Every benchmark drawing, made into 28x28 rows by `prepare_drawing` (the service's preprocessing, app.preprocess)."""
    rows, labels, styles = [], [], []
    for drawing in drawings(per_style, seed):
        rows.append(prepare_drawing(drawing.data))
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


def samples(styles: StyleSet) -> dict[str, str]:
    """The first drawing of each style as the model sees it: a 28x28 PNG data URL (light ink on dark), for the model card."""
    urls = {}
    for name in styles.names:
        pixels = styles.rows[int(np.flatnonzero(styles.styles == name)[0])]
        buffer = io.BytesIO()
        Image.fromarray(np.round(pixels * 255).astype(np.uint8)).save(buffer, format="PNG", optimize=True)
        urls[name] = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return urls


def report(styles: StyleSet, predictions: dict[str, np.ndarray]) -> dict[str, object]:
    """The styles section of comparison.json: the set, a sample of each style, and every model's scores."""
    return {
        "drawings": len(styles.labels),
        "drawings_per_style": len(styles.labels) // len(styles.names),
        "names": styles.names,
        "digits": [int(styles.labels[styles.styles == name][0]) for name in styles.names],
        "samples": samples(styles),
        "models": {name: style_scores(predicted, styles) for name, predicted in predictions.items()},
    }
