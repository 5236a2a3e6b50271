"""Rowscan's own JSON API through the real app and the committed model (httpx against the ASGI app)."""

from __future__ import annotations

import base64
import io
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image

from tests.app.images import data_url, drawing, encode


def keras_probabilities(served, rows: np.ndarray) -> np.ndarray:
    """The reference answer: the Keras model itself, outside the service."""
    import tensorflow as tf

    return tf.nn.softmax(served.runner.keras_model(rows, training=False)).numpy()


@pytest.fixture(scope="module")
def test_digits(served):
    """A few real test digits (from the committed misses file, plus a blank), as pixels."""
    return served.misses.images[:8].astype(np.float32) / 255.0


def test_pixels_answer_equals_the_keras_model(client, served, test_digits):
    rows = test_digits[:1]
    answer = client.post("/api/predict", json={"pixels": rows[0].tolist()}).json()
    expected = keras_probabilities(served, rows)[0]
    np.testing.assert_allclose(answer["probabilities"], expected, atol=1e-5)
    assert answer["digit"] == int(expected.argmax())
    assert answer["confidence"] == pytest.approx(float(expected.max()), abs=1e-5)
    assert answer["empty"] is False
    np.testing.assert_allclose(answer["input"], rows[0], atol=1e-6)
    assert answer["model"] == {"name": "lstm", "version": "1", "sha256": served.sha256}
    assert answer["elapsed_ms"] > 0
    assert "steps" not in answer


def test_flat_784_pixels_work_too(client, test_digits):
    nested = client.post("/api/predict", json={"pixels": test_digits[1].tolist()}).json()
    flat = client.post("/api/predict", json={"pixels": test_digits[1].reshape(-1).tolist()}).json()
    assert flat["probabilities"] == nested["probabilities"]


def test_steps_give_the_answer_after_every_row_ending_at_the_final_one(client, test_digits):
    answer = client.post("/api/predict", json={"pixels": test_digits[2].tolist(), "steps": True}).json()
    steps = np.array(answer["steps"])
    assert steps.shape == (28, 10)
    np.testing.assert_allclose(steps.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(steps[-1], answer["probabilities"], atol=1e-5)
    # After row 1 (blank in both digits) the network has seen the same thing, so it says the same thing.
    other = client.post("/api/predict", json={"pixels": test_digits[3].tolist(), "steps": True}).json()
    assert not test_digits[2][0].any() and not test_digits[3][0].any()
    np.testing.assert_allclose(other["steps"][0], steps[0], atol=1e-6)
    assert other["probabilities"] != answer["probabilities"]


@pytest.mark.parametrize(
    ("shape", "box", "width", "expected"),
    [
        ("seven", (100, 60, 180, 220), 18, 7),
        ("seven", (10, 10, 60, 90), 8, 7),  # small, in a corner
        ("one", (200, 20, 260, 260), 16, 1),
        ("one", (140, 40, 141, 240), 1, 1),  # a hairline "1" survives
    ],
)
def test_drawn_digits_are_read_correctly(client, shape, box, width, expected):
    answer = client.post("/api/predict", json={"image": data_url(drawing(box=box, width=width, shape=shape))}).json()
    assert answer["digit"] == expected, answer["probabilities"]
    assert answer["empty"] is False


def test_transparent_light_on_dark_jpeg_and_plain_base64_images(client):
    image = drawing(mode="RGBA", ink=(255, 255, 255, 255), paper=(0, 0, 0, 0))
    assert client.post("/api/predict", json={"image": data_url(image)}).json()["digit"] == 7
    plain = base64.b64encode(encode(drawing(), "JPEG")).decode()
    assert client.post("/api/predict", json={"image": plain}).json()["digit"] == 7


def test_empty_canvas_gets_no_guess(client):
    blank = data_url(Image.new("RGB", (280, 280), "white"))
    answer = client.post("/api/predict", json={"image": blank, "steps": True}).json()
    assert answer["empty"] is True and answer["digit"] is None and answer["confidence"] == 0.0
    assert answer["probabilities"] == [0.0] * 10
    assert np.array(answer["steps"]).shape == (28, 10)


def test_upload_equals_the_json_image_route(client):
    png = encode(drawing())
    uploaded = client.post(
        "/api/predict/upload", files={"file": ("digit.png", png, "image/png")}, params={"steps": "true"}
    ).json()
    posted = client.post("/api/predict", json={"image": base64.b64encode(png).decode(), "steps": True}).json()
    assert uploaded["probabilities"] == posted["probabilities"] and uploaded["digit"] == 7
    assert len(uploaded["steps"]) == 28


def test_batch_keeps_order_and_mixes_images_and_pixels(client, served, test_digits):
    inputs = [{"pixels": row.tolist()} for row in test_digits[:5]]
    inputs.insert(2, {"image": data_url(drawing())})
    inputs.append({"pixels": [0.0] * 784})
    answer = client.post("/api/predict/batch", json={"inputs": inputs}).json()
    results = answer["results"]
    assert len(results) == 7
    expected = keras_probabilities(served, test_digits[:5])
    for got, want in zip([r for i, r in enumerate(results) if i not in (2, 6)], expected, strict=True):
        np.testing.assert_allclose(got["probabilities"], want, atol=1e-5)
    assert results[2]["digit"] == 7 and results[6]["empty"] is True
    assert answer["model"]["name"] == "lstm"


def test_batch_of_256_is_accepted_and_257_refused(client):
    blank = {"pixels": [0.5] * 784}
    assert len(client.post("/api/predict/batch", json={"inputs": [blank] * 256}).json()["results"]) == 256
    refused = client.post("/api/predict/batch", json={"inputs": [blank] * 257})
    assert refused.status_code == 413 and refused.json()["code"] == "too_many_digits"


def test_concurrent_requests_each_get_their_own_answer(client, served):
    """32 callers at once go through the micro-batcher; nobody gets a neighbour's answer."""
    rng = np.random.default_rng(7)
    digits = np.clip(served.misses.images[:32].astype(np.float32) / 255.0 + rng.random((32, 28, 28)) * 0.1, 0, 1)
    expected = keras_probabilities(served, digits)

    def ask(index: int) -> list[float]:
        return client.post("/api/predict", json={"pixels": digits[index].tolist()}).json()["probabilities"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(ask, range(32)))
    for got, want in zip(answers, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_model_card(client, served):
    card = client.get("/api/model").json()
    for key in (
        "architecture",
        "layers",
        "parameters",
        "test_accuracy",
        "per_class_accuracy",
        "confusion_matrix",
        "history",
        "config",
        "versions",
        "serving_versions",
        "device",
        "notebook_recipe",
    ):
        assert key in card, key
    assert card["parameters"] == 136_586
    assert card["device"] in ("CPU",) or card["device"].startswith("GPU")
    assert len(card["history"]["val_accuracy"]) == card["epochs_run"]
    assert np.array(card["confusion_matrix"]).sum() == card["test_size"] == 10_000
    assert card["notebook_recipe"]["config_name"] == "seed"


def test_models_list(client):
    listing = client.get("/api/models").json()
    assert listing["default"] == "lstm"
    assert [m["name"] for m in listing["models"]][0] == "lstm"


def test_misses_filters_and_pages(client, served):
    everything = client.get("/api/misses", params={"per_page": 200}).json()
    assert everything["total"] == len(served.misses) == served.metrics["test_misses"]
    some = client.get("/api/misses", params={"true": 9, "predicted": 4}).json()
    assert all(item["true"] == 9 and item["predicted"] == 4 for item in some["items"])
    assert some["total"] == served.metrics["confusion_matrix"][9][4]
    first, second = (client.get("/api/misses", params={"per_page": 5, "page": page}).json() for page in (1, 2))
    assert [i["index"] for i in first["items"] + second["items"]] == [i["index"] for i in everything["items"][:10]]
    item = first["items"][0]
    assert item["title"] == f"t:{item['true']}, p:{item['predicted']}"
    assert item["confidence"] == pytest.approx(max(item["probabilities"]), abs=1e-6)


def test_miss_image_and_detail(client, served):
    index = int(served.misses.indices[0])
    png = client.get(f"/api/misses/{index}.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    image = np.asarray(Image.open(io.BytesIO(png.content)))
    np.testing.assert_array_equal(image, served.misses.images[0])
    detail = client.get(f"/api/misses/{index}").json()
    np.testing.assert_allclose(np.array(detail["pixels"]) * 255, served.misses.images[0], atol=1e-3)
    correct = next(i for i in range(10_000) if i not in set(served.misses.indices.tolist()))
    missing = client.get(f"/api/misses/{correct}.png")
    assert missing.status_code == 404 and missing.json()["code"] == "not_a_miss"


def test_health_readiness_and_metrics(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"
    client.post("/api/predict", json={"pixels": [0.5] * 784})
    text = client.get("/metrics").text
    assert 'rowscan_requests_total{method="POST",route="/api/predict",status="200"}' in text
    assert "rowscan_request_seconds_bucket" in text and 'rowscan_batch_size_count{model="lstm"}' in text


def test_docs_work_offline_with_examples(client):
    page = client.get("/docs").text
    assert "/static-offline-docs/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/openapi.json").json()
    for path in (
        "/api/predict",
        "/api/predict/upload",
        "/api/predict/batch",
        "/v1/models/{name}:predict",
        "/v2/models/{name}/infer",
    ):
        assert path in schema["paths"], path
    predict_schema = schema["components"]["schemas"]["PredictRequest"]
    assert predict_schema["examples"][0]["image"].startswith("data:image/png;base64,")


def test_security_headers(client):
    headers = client.get("/").headers
    assert headers["content-security-policy"].startswith("default-src 'self'")
    assert headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in client.get("/api/models", headers={"Origin": "http://elsewhere.example"}).headers
