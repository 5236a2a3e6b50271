"""`rowscan finetune` on an export of labelled digits: the next version with a shipped model's artifacts
(servable by both backends), its lineage, and --promote. Short settings (1 epoch, 500 MNIST digits of replay)
keep it to seconds; the full recipe's figures come from bench/finetune_demo.py."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest

from app.config import Settings
from app.metrics import Metrics
from app.model_loading import load_model
from app.preprocess import prepare_image_string
from app.versions import VersionStore
from bench.writers import make_writers
from model.finetune import LabelledDigits, split_by_client
from tests.server import run_rowscan


def _export(path, writers: int = 6) -> None:
    """An npz like GET /api/samples/export?format=npz, from synthetic writers prepared as the server does."""
    rng = np.random.default_rng(0)
    images, labels, clients = [], [], []
    limits = Settings().image_limits
    for writer in make_writers(writers, seed=3):
        for digit in range(10):
            image, _ = writer.render(digit, rng)
            images.append(prepare_image_string(image, limits).pixels)
            labels.append(digit)
            clients.append(writer.client_id)
    np.savez(path, images=np.stack(images), labels=np.array(labels, np.uint8), clients=np.array(clients))


def test_held_out_writers_are_all_of_a_writers_digits():
    digits = LabelledDigits(np.zeros((50, 28, 28), np.float32), np.arange(50) % 10, np.repeat([f"w{i}" for i in range(10)], 5))
    train, held = split_by_client(digits, 0.2, seed=1)
    assert len(np.unique(held.clients)) == 2 and not set(held.clients) & set(train.clients)
    assert len(train) + len(held) == 50
    with pytest.raises(ValueError, match="at least 2"):
        split_by_client(LabelledDigits(digits.images[:5], digits.labels[:5], digits.clients[:5]), 0.2, seed=1)


def test_finetune_writes_a_servable_version_with_its_lineage_and_promotes_it(tmp_path, mnist_dir):
    _export(tmp_path / "samples.npz")
    env = {"ROWSCAN_DATA_DIR": str(tmp_path / "data"), "MNIST_DIR": str(mnist_dir)}
    done = run_rowscan(
        ["finetune", "lstm", "--from", str(tmp_path / "samples.npz"), "--epochs", "1", "--replay", "500", "--promote"],
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "held-out writers:" in done.stdout and "Promoted: lstm answers with version 2" in done.stdout
    settings = Settings(data_dir=tmp_path / "data")
    store = VersionStore(settings)
    assert store.versions("lstm") == ["1", "2"] and store.promoted("lstm") == "2"
    folder = store.directory("lstm", "2")
    metrics = json.loads((folder / "metrics.json").read_text())
    lineage = metrics["lineage"]
    assert lineage["parent"]["version"] == "1" and len(lineage["parent"]["sha256"]) == 64
    assert lineage["samples"]["train"] + lineage["samples"]["held_out"] == 60 and lineage["samples"]["held_out_clients"] == 1
    assert lineage["samples"]["mnist_replay"] == 500
    for key in ("mnist_test", "held_out"):
        assert 0 <= lineage["before"][key] <= 1 and 0 <= lineage["after"][key] <= 1
    assert metrics["test_accuracy"] == lineage["after"]["mnist_test"] > 0.9
    assert json.loads((folder / "history.json").read_text())["epoch"] == [1]
    pixels = np.zeros((1, 28, 28), np.float32)
    pixels[0, 4:24, 13:15] = 1
    answers = [
        asyncio.run(_answer(settings.model_copy(update={"backend": backend}), pixels)) for backend in ("tensorflow", "onnx")
    ]
    assert np.allclose(answers[0], answers[1], atol=1e-4)  # the ONNX file is this version's weights


async def _answer(settings: Settings, pixels: np.ndarray) -> np.ndarray:
    served = load_model(settings, "lstm", Metrics(), "2")
    try:
        return (await served.infer(pixels)).probabilities
    finally:
        await served.batcher.close()


def test_finetune_refuses_too_few_samples(tmp_path, mnist_dir):
    _export(tmp_path / "samples.npz", writers=1)
    done = run_rowscan(
        ["finetune", "lstm", "--from", str(tmp_path / "samples.npz")],
        env={"ROWSCAN_DATA_DIR": str(tmp_path), "MNIST_DIR": str(mnist_dir)},
    )
    assert done.returncode == 2 and "10 samples; fine-tuning needs at least 20" in done.stderr and "Traceback" not in done.stderr
