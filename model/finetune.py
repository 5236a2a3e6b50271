"""Fine-tune a trained model on digits people labelled, without forgetting MNIST.

The labelled digits are split by writer (client id): 20% of the writers are held out, so the
before/after figure is measured on people the fine-tune never saw. The rest are oversampled 5x and
mixed with 20,000 MNIST training digits (replay, so MNIST accuracy is kept), augmented as in training,
and the parent is trained for 3 short epochs with Adam 2e-4 (recipe in /work/shared/FACTS.md: on real
writers outside MNIST it raised held-out writers by ~2 points, MNIST unchanged).

The result is a model folder like a shipped one (model.keras, model.onnx, metrics.json, history.json,
misses.npz) whose metrics carry its lineage: parent, samples used, before/after on MNIST and held out.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keras
import numpy as np

from model import artifacts
from model.augment import Augmentation
from model.data import Mnist, Split
from model.environment import device_name, library_versions
from model.evaluate import evaluate, misses_arrays, scores_on_test
from model.export import export_onnx
from model.recipes import TrainConfig
from model.train import EpochLog, describe_layers, training_dataset


@dataclass(frozen=True)
class LabelledDigits:
    """Digits people drew: float32 [N, 28, 28] in [0, 1] as the model saw them, labels, and who drew each."""

    images: np.ndarray
    labels: np.ndarray
    clients: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, keep: np.ndarray) -> LabelledDigits:
        return LabelledDigits(self.images[keep], self.labels[keep], self.clients[keep])

    def as_split(self) -> Split:
        return Split(np.rint(self.images * 255).clip(0, 255).astype(np.uint8), self.labels.astype(np.uint8))

    @classmethod
    def load_npz(cls, path: Path) -> LabelledDigits:
        """An export of `GET /api/samples/export?format=npz`."""
        with np.load(path, allow_pickle=False) as arrays:
            return cls(arrays["images"].astype(np.float32), arrays["labels"].astype(np.int64), arrays["clients"].astype(str))


@dataclass(frozen=True)
class FinetuneConfig:
    epochs: int = 3
    learning_rate: float = 2e-4
    oversample: int = 5
    replay: int = 20_000
    held_out_fraction: float = 0.2
    batch_size: int = 128
    seed: int = 2026


def split_by_client(digits: LabelledDigits, fraction: float, seed: int) -> tuple[LabelledDigits, LabelledDigits]:
    """(train, held out): a random `fraction` of the clients (at least one) and all their digits are held out."""
    clients = np.unique(digits.clients)
    if len(clients) < 2:
        raise ValueError(f"samples from {len(clients)} client(s); holding out writers needs at least 2")
    count = min(len(clients) - 1, max(1, round(len(clients) * fraction)))
    held = np.random.default_rng(seed).choice(clients, count, replace=False)
    is_held = np.isin(digits.clients, held)
    return digits.subset(~is_held), digits.subset(is_held)


def accuracy(model: keras.Model, split: Split) -> float:
    return evaluate(model, split).accuracy if len(split) else float("nan")


def finetune(
    parent_dir: Path,
    out_dir: Path,
    digits: LabelledDigits,
    data: Mnist,
    parent: dict[str, str],
    config: FinetuneConfig = FinetuneConfig(),
    verbose: int | str = "auto",
) -> dict[str, Any]:
    """Write the fine-tuned model to `out_dir` (metrics.json last: a folder without it is incomplete); return its metrics."""
    train_digits, held_out = split_by_client(digits, config.held_out_fraction, config.seed)
    held_split = held_out.as_split()
    keras.utils.set_random_seed(config.seed)
    network = artifacts.load_keras_model(parent_dir)
    before = {"mnist_test": evaluate(network, data.test).accuracy, "held_out": accuracy(network, held_split)}

    replay = np.random.default_rng(config.seed).choice(len(data.train), min(config.replay, len(data.train)), replace=False)
    own = train_digits.as_split()
    mixed = Split(
        np.concatenate([data.train.images[replay], *[own.images] * config.oversample]),
        np.concatenate([data.train.labels[replay], *[own.labels] * config.oversample]),
    )
    recipe = TrainConfig(
        description="fine-tune: corrections oversampled, MNIST replay, shipped augmentation",
        epochs=config.epochs,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        augmentation=Augmentation(),
        seed=config.seed,
    )
    network.compile(
        optimizer=keras.optimizers.Adam(config.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    epoch_log = EpochLog()
    started = time.perf_counter()
    fit = network.fit(
        training_dataset(mixed, recipe),
        validation_data=(data.validation.as_float(), data.validation.labels),
        epochs=config.epochs,
        shuffle=False,
        callbacks=[epoch_log],
        verbose=verbose,
    )
    seconds = time.perf_counter() - started
    test = evaluate(network, data.test)
    after = {"mnist_test": test.accuracy, "held_out": accuracy(network, held_split)}

    out_dir.mkdir(parents=True, exist_ok=False)
    network.save(out_dir / artifacts.MODEL_FILE, include_optimizer=False)
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    history.update(
        epoch=list(range(1, len(epoch_log.seconds) + 1)), seconds=epoch_log.seconds, learning_rate=epoch_log.learning_rates
    )
    artifacts.write_json(out_dir / artifacts.HISTORY_FILE, history)
    artifacts.save_misses(out_dir, misses_arrays(test, data.test))
    export_onnx(out_dir)
    parent_metrics = artifacts.load_metrics(parent_dir)
    metrics = {
        **{key: parent_metrics.get(key) for key in ("network", "architecture")},
        "model": parent["name"],
        "layers": describe_layers(network),
        "parameters": network.count_params(),
        **scores_on_test(test),
        "epochs_run": len(epoch_log.seconds),
        "training_seconds": round(seconds, 1),
        "train_size": len(mixed),
        "config_name": "finetune",
        "config": dataclasses.asdict(config),
        "lineage": {
            "parent": parent,
            "samples": {
                "train": len(train_digits),
                "held_out": len(held_out),
                "train_clients": int(len(np.unique(train_digits.clients))),
                "held_out_clients": int(len(np.unique(held_out.clients))),
                "oversample": config.oversample,
                "mnist_replay": len(replay),
            },
            "before": before,
            "after": after,
        },
        "versions": library_versions(),
        "training_device": device_name(),
        "data": {"source": data.source, "sha256": data.sha256},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    artifacts.write_json(out_dir / artifacts.METRICS_FILE, metrics)
    return metrics
