"""Several models served side by side (the LSTM stays the default), and `rowscan compare`."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.app.test_api import keras_model, keras_probabilities
from tests.server import run_rowscan

GOOD = {"pixels": [0.5] * 784}


def test_every_served_model_answers_like_its_keras_model(client, app):
    registry = app.state.registry
    assert registry.default == "lstm" and {"lstm", "gru", "cnn"} <= set(registry.models)
    rows = registry.get().misses.images[:4].astype(np.float32) / 255.0
    for name, served in registry.models.items():
        expected = keras_probabilities(served, rows)
        via_api = [client.post("/api/predict", json={"pixels": r.tolist(), "model": name}).json() for r in rows]
        np.testing.assert_allclose([a["probabilities"] for a in via_api], expected, atol=1e-5)
        assert all(a["model"]["name"] == name for a in via_api)
        tf_serving = client.post(f"/v1/models/{name}:predict", json={"instances": rows.tolist()}).json()
        np.testing.assert_allclose(tf_serving["predictions"], expected, atol=1e-5)
        v2 = client.post(
            f"/v2/models/{name}/infer",
            json={"inputs": [{"name": "rows", "shape": [4, 784], "datatype": "FP32", "data": rows.reshape(-1).tolist()}]},
        ).json()
        np.testing.assert_allclose(np.reshape(v2["outputs"][0]["data"], (4, 10)), expected, atol=1e-5)


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_single_digit_xla_graphs_answer_like_keras(client, app, name):
    """Lone digits run XLA graphs once they are compiled (see GraphModel): same answers as Keras."""
    import tensorflow as tf

    from app.inference import GraphModel
    from model.network import per_row_model

    served = app.state.registry.get(name)
    graph = GraphModel(keras_model(served.directory))
    graph.compile_single_digit()
    assert set(graph._single_digit_graphs) == {False, True}  # both graphs compiled and in use
    per_row = per_row_model(keras_model(served.directory))
    for digit in served.misses.images[:3].astype(np.float32)[:, None] / 255.0:
        np.testing.assert_allclose(graph(digit).probabilities, keras_probabilities(served, digit), atol=1e-5)
        expected_steps = tf.nn.softmax(per_row(digit, training=False)).numpy()
        np.testing.assert_allclose(graph(digit, steps=True).steps, expected_steps, atol=1e-5)


def test_only_recurrent_models_have_per_row_answers(client):
    assert len(client.post("/api/predict", json={**GOOD, "model": "gru", "steps": True}).json()["steps"]) == 28
    refused = client.post("/api/predict", json={**GOOD, "model": "cnn", "steps": True})
    assert refused.status_code == 422 and refused.json()["code"] == "no_steps"
    assert client.post("/api/predict", json={**GOOD, "model": "cnn"}).status_code == 200
    listing = {m["name"]: m["has_steps"] for m in client.get("/api/models").json()["models"]}
    assert listing == {"lstm": True, "gru": True, "cnn": False}


@pytest.mark.parametrize(
    "request_args",
    [
        ("POST", "/api/predict", {"json": {**GOOD, "model": "transformer"}}),
        ("POST", "/api/predict/batch", {"json": {"inputs": [GOOD], "model": "transformer"}}),
        ("GET", "/api/misses?model=transformer", {}),
        ("GET", "/v1/models/transformer/metadata", {}),
        ("POST", "/v1/models/transformer:predict", {"json": {"instances": [[0.0] * 784]}}),
        ("GET", "/v2/models/transformer", {}),
        ("POST", "/v2/models/transformer/infer", {"json": {}}),
    ],
)
def test_unknown_model_names_are_404_in_every_flavour(client, request_args):
    method, url, kwargs = request_args
    response = client.request(method, url, **kwargs)
    assert response.status_code == 404 and "unknown model 'transformer'" in response.json()["error"]


def test_per_model_misses_and_disagreements(client, app):
    registry = app.state.registry
    for name, served in registry.models.items():
        assert client.get("/api/misses", params={"model": name}).json()["total"] == len(served.misses)
    page = client.get("/api/disagreements", params={"per_page": 200}).json()
    assert page["models"] == list(registry.models)
    assert page["total"] > 0
    for item in page["items"]:
        predictions = item["predictions"]
        assert len(set(predictions.values())) > 1
        assert item["correct"] == [name for name, digit in predictions.items() if digit == item["true"]]
        for name, digit in predictions.items():  # each answer agrees with that model's committed misses
            misses = registry.get(name).misses
            found = np.flatnonzero(misses.indices == item["index"])
            assert digit == (int(misses.predictions[found[0]]) if len(found) else item["true"])


def test_compare_report_has_every_column_for_every_model(tmp_path, mnist_dir):
    command = ["compare", "--redrawn", "300", "--per-style", "4", "--out", str(tmp_path)]
    result = run_rowscan(command, env={"MNIST_DIR": str(mnist_dir)}, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "comparison.json").read_text())
    columns = {
        "test_accuracy", "test_accuracy_ci95", "redrawn_accuracy", "style_accuracy", "parameters", "file_bytes",
        "training_seconds", "latency_ms_1", "throughput_64", "misses_only_this_model", "misses_only_this_model_indices",
    }  # fmt: skip
    assert [row["model"] for row in report["models"]] == ["lstm", "gru", "cnn"]
    for row in report["models"]:
        assert columns <= set(row), columns - set(row)
        low, high = row["test_accuracy_ci95"]
        assert low < row["test_accuracy"] < high
        assert row["misses_only_this_model"] == len(row["misses_only_this_model_indices"])
    styles = report["styles"]
    assert len(styles["names"]) >= 30 and styles["drawings"] == 4 * len(styles["names"]) and styles["drawings_per_style"] == 4
    assert set(styles["models"]) == {"lstm", "gru", "cnn"} and set(styles["samples"]) == set(styles["names"])
    assert all(url.startswith("data:image/png;base64,") for url in styles["samples"].values())
    for row in report["models"]:
        scores = styles["models"][row["model"]]
        assert scores["accuracy"] == row["style_accuracy"]
        assert set(scores["per_style"]) == set(styles["names"]) and len(scores["per_digit"]) == 10
    table = (tmp_path / "comparison.md").read_text()
    assert table.count("\n| lstm |") == 1 and "| cnn | no |" in table
    assert "| 1 long flag (European) |" in table
