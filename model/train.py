"""Train a network on MNIST and write the artifacts the service loads (the command line: model/train_cli.py).

Both recipes (model/recipes.py) use Adam and batch 128 as the notebook did, a fixed seed, and keep the weights of the
epoch with the best validation accuracy (5,000 held-out training images). The result: a folder
with model.keras, metrics.json, history.json and misses.npz. By default that is a new folder
`runs/<name>-<UTC time>/` (git-ignored), so a trial run never touches the committed models;
replacing them takes an explicit `--out model/artifacts/<name>`, and `--force` when it is not empty.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf

from model import artifacts
from model.augment import augment_batch
from model.data import Mnist, Split
from model.environment import device_name, library_versions
from model.evaluate import evaluate, misses_arrays, scores_on_test
from model.network import NETWORKS
from model.recipes import ARCHITECTURES, CONFIGS, TrainConfig
from model.styles import with_styles


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


def training_dataset(split: Split, config: TrainConfig) -> tf.data.Dataset:
    """Shuffled batches, augmented on the fly with a stateless seed per batch (repeatable)."""
    images = tf.data.Dataset.from_tensor_slices((split.as_float(), split.labels.astype(np.int32)))
    batches = images.shuffle(len(split), seed=config.seed, reshuffle_each_iteration=True).batch(config.batch_size)
    if config.augmentation is not None:
        spec = config.augmentation
        seeds = tf.data.Dataset.random(seed=config.seed).batch(2)
        batches = tf.data.Dataset.zip(batches, seeds).map(
            lambda batch, seed: (augment_batch(batch[0], seed, spec), batch[1]),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return batches.prefetch(tf.data.AUTOTUNE)


def learning_rate(config: TrainConfig, steps_per_epoch: int):
    if not config.cosine_decay:
        return config.learning_rate
    return keras.optimizers.schedules.CosineDecay(config.learning_rate, config.epochs * steps_per_epoch, alpha=0.01)


def describe_layers(model: keras.Model) -> list[dict[str, Any]]:
    return [
        {
            "name": layer.name,
            "type": type(layer).__name__,
            "output_shape": list(layer.output.shape[1:]),
            "parameters": layer.count_params(),
        }
        for layer in model.layers
    ]


def train(
    config_name: str,
    data: Mnist,
    out_dir: Path,
    *,
    epochs: int | None = None,
    limit: int | None = None,
    network_name: str = "lstm",
    reference_dir: Path | None = None,
    init_from: Path | None = None,
    verbose: int | str = "auto",
) -> dict[str, Any]:
    """Train one network with one configuration, keep the best validation epoch, evaluate on test, write the artifacts.

    `init_from` (a model folder of the same network) starts from its weights: the "styles" recipe fine-tunes that way.
    """
    config = CONFIGS[config_name]
    build = NETWORKS[network_name]
    if epochs is not None:
        config = dataclasses.replace(config, epochs=epochs)
    if config.needs_parent and init_from is None:
        raise ValueError(f"the '{config_name}' recipe fine-tunes a trained model: give --init-from model/artifacts/<name>")
    train_split = data.train if limit is None else Split(data.train.images[:limit], data.train.labels[:limit])
    added_styles, styles_started = None, time.perf_counter()
    if config.styles:
        images, labels, added_styles = with_styles(train_split.images, train_split.labels, config.seed)
        train_split = Split(images, labels)
    styles_seconds = time.perf_counter() - styles_started

    keras.utils.set_random_seed(config.seed)
    network = build()
    parent = _parent(init_from, network_name)
    if parent is not None:
        network.set_weights(artifacts.load_keras_model(init_from).get_weights())
    steps_per_epoch = -(-len(train_split) // config.batch_size)
    network.compile(
        optimizer=keras.optimizers.Adam(learning_rate(config, steps_per_epoch)),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    keep_best, epoch_log = KeepBestEpoch(), EpochLog()
    started = time.perf_counter()
    fit = network.fit(
        training_dataset(train_split, config),
        validation_data=(data.validation.as_float(), data.validation.labels),
        epochs=config.epochs,
        shuffle=False,  # the dataset shuffles itself (seeded); Keras would only warn that it ignores shuffle=True
        callbacks=[keep_best, epoch_log],
        verbose=verbose,
    )
    training_seconds = time.perf_counter() - started

    # A fresh network holding the best weights: saved without optimizer state, so the file stays small.
    shipped = build()
    shipped.set_weights(keep_best.best_weights)
    test = evaluate(shipped, data.test)

    out_dir.mkdir(parents=True, exist_ok=True)
    shipped.save(out_dir / artifacts.MODEL_FILE)
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    history.update(
        epoch=list(range(1, len(epoch_log.seconds) + 1)), seconds=epoch_log.seconds, learning_rate=epoch_log.learning_rates
    )
    artifacts.write_json(out_dir / artifacts.HISTORY_FILE, history)
    artifacts.save_misses(out_dir, misses_arrays(test, data.test))
    metrics = {
        "model": out_dir.name,
        "network": network_name,
        "architecture": ARCHITECTURES[network_name],
        "layers": describe_layers(shipped),
        "parameters": shipped.count_params(),
        **scores_on_test(test),
        "validation_accuracy": keep_best.best[0],
        "best_epoch": keep_best.best_epoch,
        "epochs_run": len(epoch_log.seconds),
        "training_seconds": round(training_seconds, 1),
        "train_size": len(train_split),
        "validation_size": len(data.validation),
        "config_name": config_name,
        "config": dataclasses.asdict(config),
        "versions": library_versions(),
        "training_device": device_name(),
        "data": {"source": data.source, "sha256": data.sha256},
        "notebook_recipe": _reference(reference_dir, out_dir),
        "parent": parent,
        "styles_added": added_styles,
        "styles_seconds": round(styles_seconds, 1) if config.styles else None,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    artifacts.write_json(out_dir / artifacts.METRICS_FILE, metrics)
    return metrics


def _parent(init_from: Path | None, network_name: str) -> dict[str, Any] | None:
    """What a fine-tune started from (its own metrics, so the full recipe stays on record)."""
    if init_from is None:
        return None
    metrics = artifacts.load_metrics(init_from)
    if metrics.get("network") != network_name:
        raise ValueError(f"{init_from} holds a '{metrics.get('network')}' network, not '{network_name}'")
    model_bytes = (init_from / artifacts.MODEL_FILE).read_bytes()
    keys = ("model", "config_name", "config", "test_accuracy", "epochs_run", "training_seconds", "created")
    return {"folder": str(init_from), "model_sha256": hashlib.sha256(model_bytes).hexdigest()} | {
        key: metrics.get(key) for key in keys
    }


def _reference(reference_dir: Path | None, out_dir: Path) -> dict[str, Any] | None:
    """The notebook recipe's test accuracy, shown beside the shipped model's (when it was trained)."""
    if reference_dir is None or reference_dir.resolve() == out_dir.resolve():
        return None
    path = reference_dir / artifacts.METRICS_FILE
    if not path.is_file():
        return None
    seed = artifacts.load_json(path)
    keys = ("config_name", "test_accuracy", "test_misses", "best_epoch", "epochs_run", "training_seconds", "parameters")
    return {key: seed.get(key) for key in keys}
