"""Score a trained network on a labelled split: accuracy, per class, confusion, and every miss.

Used by training (to write the committed metrics and misses) and by the tests (to check
that the committed model still reproduces them exactly).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from model.data import Split
from model.shapes import DIGITS

EVAL_BATCH = 1_000


@dataclass(frozen=True)
class Evaluation:
    probabilities: np.ndarray  # float32 [N, 10]
    predictions: np.ndarray  # int64 [N]
    labels: np.ndarray  # uint8 [N]

    @property
    def correct(self) -> int:
        return int((self.predictions == self.labels).sum())

    @property
    def accuracy(self) -> float:
        return self.correct / len(self.labels)

    @property
    def confusion(self) -> np.ndarray:
        """confusion[true, predicted] = count."""
        matrix = np.zeros((DIGITS, DIGITS), dtype=np.int64)
        np.add.at(matrix, (self.labels.astype(np.int64), self.predictions), 1)
        return matrix

    @property
    def per_class_accuracy(self) -> list[float]:
        matrix = self.confusion
        return [float(matrix[c, c] / max(matrix[c].sum(), 1)) for c in range(DIGITS)]

    @property
    def miss_indices(self) -> np.ndarray:
        return np.flatnonzero(self.predictions != self.labels)


def predict_probabilities(model: keras.Model, images: np.ndarray) -> np.ndarray:
    """Softmax probabilities for float images [N, 28, 28], in fixed-size batches through one graph."""
    forward = tf.function(lambda x: tf.nn.softmax(model(x, training=False)), reduce_retracing=True)
    chunks = [forward(tf.constant(images[i : i + EVAL_BATCH])).numpy() for i in range(0, len(images), EVAL_BATCH)]
    return np.concatenate(chunks).astype(np.float32)


def evaluate(model: keras.Model, split: Split) -> Evaluation:
    probabilities = predict_probabilities(model, split.as_float())
    return Evaluation(probabilities, probabilities.argmax(axis=1), split.labels)


def scores_on_test(evaluation: Evaluation) -> dict[str, Any]:
    """The test-set figures every model folder's metrics.json carries (the service checks them)."""
    return {
        "test_accuracy": evaluation.accuracy,
        "test_correct": evaluation.correct,
        "test_size": len(evaluation.labels),
        "test_misses": int(len(evaluation.miss_indices)),
        "per_class_accuracy": evaluation.per_class_accuracy,
        "confusion_matrix": evaluation.confusion.tolist(),
    }


def misses_arrays(evaluation: Evaluation, split: Split) -> dict[str, np.ndarray]:
    """Every test image the model gets wrong, in the form `misses.npz` stores."""
    index = evaluation.miss_indices
    return {
        "indices": index.astype(np.int32),
        "labels": split.labels[index].astype(np.uint8),
        "predictions": evaluation.predictions[index].astype(np.uint8),
        "probabilities": evaluation.probabilities[index],
        "images": split.images[index],
    }
