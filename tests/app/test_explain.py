""" "explain": true through the real app, on real MNIST test digits, checked against Keras and the served runtimes."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from app.inference import OnnxModel
from model import artifacts
from model.network import RNN
from tests.app.images import data_url, drawing, encode

UNITS = {"lstm": 128, "gru": 150}
GATES = {"lstm": {"input", "forget", "output", "candidate"}, "gru": {"update", "reset", "candidate"}}


@pytest.fixture(scope="module")
def digits(mnist_test) -> tuple[np.ndarray, np.ndarray]:
    """Real test digits (the first 64) and their labels."""
    return mnist_test.images[:64].astype(np.float32) / 255.0, mnist_test.labels[:64]


@pytest.fixture(scope="module")
def keras_models() -> dict[str, keras.Model]:
    return {name: artifacts.load_keras_model(artifacts.ARTIFACTS_DIR / name) for name in UNITS}


def explained(client, pixels: np.ndarray, **fields) -> dict:
    response = client.post("/api/predict", json={"pixels": pixels.tolist(), "explain": True, **fields})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_hidden_states_equal_keras_per_step_outputs(client, digits, keras_models, name):
    rows = digits[0][:4]
    sequence = keras.Model(keras_models[name].input, keras_models[name].get_layer(RNN).output)(rows).numpy()
    for pixels, expected in zip(rows, sequence, strict=True):
        answer = explained(client, pixels, model=name)["explain"]
        assert np.shape(answer["hidden"]) == (28, UNITS[name])
        np.testing.assert_allclose(answer["hidden"], expected, atol=1e-5, rtol=0)
        assert set(answer["gates"]) == GATES[name]
        assert all(np.shape(gate) == (28, UNITS[name]) for gate in answer["gates"].values())
        assert ("cell" in answer) == (name == "lstm")
        if name == "lstm":
            assert np.shape(answer["cell"]) == (28, UNITS[name])


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_final_answer_from_the_weights_equals_the_served_runtimes(app, client, digits, name):
    """The NumPy recurrence answers as the served runner does (this app's backend, and ONNX Runtime)."""
    served = app.state.registry.get(name)
    rows = digits[0]
    mine = served.inspector.run(rows).probabilities
    np.testing.assert_allclose(mine, served.runner(rows).probabilities, atol=1e-5, rtol=0)
    onnx = OnnxModel(served.directory / artifacts.ONNX_FILE)
    np.testing.assert_allclose(mine, onnx(rows).probabilities, atol=1e-5, rtol=0)


def test_row_change_follows_the_per_row_answers_of_the_predicted_digit(client, digits, keras_models):
    pixels = digits[0][0]
    answer = explained(client, pixels, steps=True)
    change = np.array(answer["explain"]["row_change"])
    steps = np.array(answer["steps"])
    assert change.shape == (28,)
    np.testing.assert_allclose(change[1:], np.diff(steps[:, answer["digit"]]), atol=2e-5)
    before = keras.ops.softmax(keras_models["lstm"].get_layer("logits").bias).numpy()  # the answer before any row
    assert change[0] == pytest.approx(steps[0, answer["digit"]] - before[answer["digit"]], abs=2e-5)
    assert change.sum() == pytest.approx(answer["confidence"] - before[answer["digit"]], abs=1e-4)


def test_row_occlusion_is_the_drop_with_that_row_blanked(client, served):
    pixels = served.misses.images[0].astype(np.float32) / 255.0  # a real test digit the LSTM gets wrong: rows sway it
    answer = explained(client, pixels)
    occlusion = np.array(answer["explain"]["row_occlusion"])
    inked = [t for t in range(28) if pixels[t].any()]
    assert not occlusion[[t for t in range(28) if t not in inked]].any()  # blank rows: nothing to blank
    for row in (inked[0], inked[len(inked) // 2], inked[-1]):
        blanked = pixels.copy()
        blanked[row] = 0
        alone = client.post("/api/predict", json={"pixels": blanked.tolist()}).json()
        assert occlusion[row] == pytest.approx(answer["confidence"] - alone["probabilities"][answer["digit"]], abs=1e-5)
    assert np.abs(occlusion).max() > 0.01  # some row matters


def test_scores_follow_the_true_digit_when_it_is_given(client, digits):
    pixels, label = digits[0][2], int(digits[1][2])
    other = (label + 1) % 10
    for_label = explained(client, pixels, label=label, steps=True)
    for_other = explained(client, pixels, label=other, steps=True)
    assert for_label["explain"]["hidden"] == for_other["explain"]["hidden"]
    steps = np.array(for_other["steps"])
    np.testing.assert_allclose(np.array(for_other["explain"]["row_change"])[1:], np.diff(steps[:, other]), atol=2e-5)
    assert for_label["explain"]["row_occlusion"] != for_other["explain"]["row_occlusion"]


def test_the_upload_route_explains_too(client):
    files = {"file": ("seven.png", encode(drawing()), "image/png")}
    answer = client.post("/api/predict/upload?explain=true&model=gru", files=files).json()
    assert answer["digit"] == 7
    assert set(answer["explain"]["gates"]) == GATES["gru"]
    assert np.shape(answer["explain"]["hidden"]) == (28, 150)


def test_an_image_is_explained_as_the_input_the_model_saw(client):
    answer = client.post("/api/predict", json={"image": data_url(drawing()), "explain": True}).json()
    inked = {t for t, row in enumerate(answer["input"]) if any(row)}
    scored = {t for t, score in enumerate(answer["explain"]["row_occlusion"]) if score}
    assert scored and scored <= inked


def test_an_empty_drawing_has_nothing_to_explain(client):
    answer = client.post("/api/predict", json={"pixels": [[0.0] * 28] * 28, "explain": True}).json()
    assert answer["empty"] is True
    assert answer["explain"] is None


def test_the_cnn_refuses_explain_with_no_explain(client):
    pixels = [[0.0] * 28] * 28
    response = client.post("/api/predict", json={"pixels": pixels, "explain": True, "model": "cnn"})
    assert response.status_code == 422
    assert response.json()["code"] == "no_explain"
    files = {"file": ("seven.png", encode(drawing()), "image/png")}
    upload = client.post("/api/predict/upload?explain=true&model=cnn", files=files)
    assert (upload.status_code, upload.json()["code"]) == (422, "no_explain")
    assert client.post("/api/predict", json={"pixels": pixels, "model": "cnn"}).status_code == 200


@pytest.mark.parametrize("label", [10, -1, "seven"])
def test_a_label_that_is_not_a_digit_is_refused(client, label):
    response = client.post("/api/predict", json={"pixels": [[0.0] * 28] * 28, "explain": True, "label": label})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_request"


def test_explain_is_documented_with_an_example(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "explain" in schema["PredictRequest"]["properties"]
    assert any(example.get("explain") for example in schema["PredictRequest"]["examples"])
    assert {"hidden", "cell", "gates", "row_change", "row_occlusion"} <= set(schema["Explain"]["properties"])
    assert schema["Explain"]["examples"]
