"""A training smoke run writes artifacts that load back and describe themselves correctly."""

from __future__ import annotations

import numpy as np
import pytest

from model import artifacts
from model.data import Mnist, Split
from model.train import main, train


def tiny_mnist(rng: np.random.Generator) -> Mnist:
    """Random images stand in for MNIST: the smoke run checks plumbing, not accuracy."""

    def split(count: int) -> Split:
        return Split(rng.integers(0, 256, (count, 28, 28), dtype=np.uint8), (np.arange(count) % 10).astype(np.uint8))

    return Mnist(split(300), split(100), split(200), "test fixture", {"fake": "0"})


@pytest.mark.parametrize(
    ("network", "config", "parameters"),
    [("lstm", "seed", 136_586), ("lstm", "default", 136_586), ("gru", "default", 131_222), ("cnn", "default", 225_034)],
)
def test_smoke_run_writes_loadable_artifacts(tmp_path, network, config, parameters):
    out = tmp_path / f"{network}-{config}"
    metrics = train(config, tiny_mnist(np.random.default_rng(0)), out, epochs=1, network_name=network, verbose=0)

    for name in (artifacts.MODEL_FILE, artifacts.METRICS_FILE, artifacts.HISTORY_FILE, artifacts.MISSES_FILE):
        assert (out / name).is_file(), name
    model = artifacts.load_keras_model(out)
    assert model.count_params() == metrics["parameters"] == parameters
    assert metrics["network"] == network
    assert artifacts.load_metrics(out)["test_size"] == 200
    history = artifacts.load_history(out)
    assert history["epoch"] == [1] and len(history["val_accuracy"]) == 1
    misses = artifacts.load_misses(out)
    assert len(misses) == metrics["test_misses"] == 200 - metrics["test_correct"]
    assert misses.images.shape == (len(misses), 28, 28) and misses.probabilities.shape == (len(misses), 10)
    assert np.all(misses.labels != misses.predictions)
    assert sum(map(sum, metrics["confusion_matrix"])) == 200
    assert metrics["config_name"] == config and metrics["best_epoch"] == 1


def test_saved_model_has_no_optimizer_state(tmp_path):
    train("default", tiny_mnist(np.random.default_rng(1)), tmp_path, epochs=1, verbose=0)
    size = (tmp_path / artifacts.MODEL_FILE).stat().st_size
    assert size < 700_000  # 136,586 float32 weights are 546 kB; Adam's two moments would triple it


def test_cli_trains_from_an_mnist_folder(tmp_path, fake_mnist):
    out = tmp_path / "cli"
    assert main(["--config", "seed", "--data-dir", str(fake_mnist), "--epochs", "1", "--limit", "256", "--out", str(out)]) == 0
    assert artifacts.load_metrics(out)["train_size"] == 256
