"""Every served model gives the same answers on every backend we ship (ONNX Runtime, TensorFlow graphs)
as its Keras model, over the whole MNIST test set; and `auto` picks the backend for the machine."""

from __future__ import annotations

import numpy as np
import pytest

from app import backends
from app.inference import GraphModel, OnnxModel
from model import artifacts
from model.network import per_row_model

SERVED = ["lstm", "gru", "cnn"]
TOLERANCE = 1e-4
BATCH = 1000


def keras_answers(name: str, rows: np.ndarray) -> np.ndarray:
    """Softmax answers of the Keras model itself: after every row for recurrent models, else final."""
    import tensorflow as tf

    model = artifacts.load_keras_model(artifacts.ARTIFACTS_DIR / name)
    network = per_row_model(model) if name != "cnn" else model
    return np.concatenate(
        [tf.nn.softmax(network(rows[i : i + BATCH], training=False)).numpy() for i in range(0, len(rows), BATCH)]
    )


def backend_answers(backend: str, name: str, rows: np.ndarray) -> np.ndarray:
    directory = artifacts.ARTIFACTS_DIR / name
    runner = (
        OnnxModel(directory / artifacts.ONNX_FILE) if backend == "onnx" else GraphModel(artifacts.load_keras_model(directory))
    )
    outputs = [runner(rows[i : i + BATCH], steps=True) for i in range(0, len(rows), BATCH)]
    return np.concatenate([output.steps if runner.has_steps else output.probabilities for output in outputs])


@pytest.fixture(scope="module")
def test_rows(mnist_test) -> np.ndarray:
    return mnist_test.images.astype(np.float32) / 255.0


@pytest.fixture(scope="module")
def reference(test_rows) -> dict[str, np.ndarray]:
    return {name: keras_answers(name, test_rows) for name in SERVED}


@pytest.mark.parametrize("backend", ["onnx", "tensorflow"])
@pytest.mark.parametrize("name", SERVED)
def test_backend_answers_like_keras_on_the_whole_test_set(backend, name, test_rows, reference):
    got = backend_answers(backend, name, test_rows)
    expected = reference[name]
    assert got.shape == expected.shape == ((10_000, 28, 10) if name != "cnn" else (10_000, 10))
    difference = float(np.abs(got - expected).max())
    assert difference <= TOLERANCE, f"{backend} {name}: answers differ from Keras by up to {difference:.2e}"


def test_gru_is_one_fused_op_in_onnx():
    import onnx

    ops = {node.op_type for node in onnx.load(artifacts.ARTIFACTS_DIR / "gru" / artifacts.ONNX_FILE).graph.node}
    assert "GRU" in ops and "Loop" not in ops


def test_auto_is_onnx_on_a_cpu_and_tensorflow_with_a_gpu(tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "NVIDIA_GPUS", tmp_path / "no-driver")
    assert backends.choose_backend("auto") == "onnx"
    (tmp_path / "gpus" / "0000:01:00.0").mkdir(parents=True)
    monkeypatch.setattr(backends, "NVIDIA_GPUS", tmp_path / "gpus")
    assert backends.choose_backend("auto") == "tensorflow"
    assert backends.choose_backend("onnx") == "onnx" and backends.choose_backend("tensorflow") == "tensorflow"


def test_the_default_app_says_which_runtime_serves(client):
    listing, card = client.get("/api/models").json(), client.get("/api/model").json()
    assert listing["backend"] == card["backend"] == backends.choose_backend("auto")  # onnx here: no GPU
    assert listing["device"] == card["device"]
