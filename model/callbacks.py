"""Training callbacks: keep the best validation epoch's weights, log each epoch's time and learning rate."""

from __future__ import annotations

import time

import keras
import numpy as np


class KeepBestEpoch(keras.callbacks.Callback):
    """Remember the weights of the epoch with the best validation accuracy (ties: lower loss)."""

    def __init__(self) -> None:
        super().__init__()
        self.best: tuple[float, float] | None = None
        self.best_epoch = 0
        self.best_weights: list[np.ndarray] | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        logs = logs or {}
        score = (logs["val_accuracy"], -logs["val_loss"])
        if self.best is None or score > self.best:
            self.best, self.best_epoch = score, epoch + 1
            self.best_weights = self.model.get_weights()


class EpochLog(keras.callbacks.Callback):
    """Per-epoch seconds and learning rate, for history.json."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self.learning_rates: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.seconds.append(round(time.perf_counter() - self._start, 2))
        self.learning_rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))
