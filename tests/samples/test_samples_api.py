"""POST /api/samples and the admin routes, through the real app, the shipped LSTM and a real database (both backends)."""

from __future__ import annotations

import contextlib
import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import orjson
import pytest
from sqlalchemy import select

from app.samples.export import IDX_IMAGES, IDX_LABELS
from app.storage import Database, Sample
from model.data import IMAGE_MAGIC, LABEL_MAGIC, read_idx
from tests.app.images import data_url, drawing
from tests.samples.conftest import ADMIN, client_id

SEVEN = data_url(drawing(shape="seven"))
ONE = data_url(drawing(shape="one"))
STROKES = [[[0.3, 0.2, 0], [0.7, 0.2, 40], [0.4, 0.8, 120]]]


def _post(sample_client, **body):
    body.setdefault("image", SEVEN)
    body.setdefault("label", 7)
    body.setdefault("client_id", client_id())
    return sample_client.post("/api/samples", json=body)


@contextlib.contextmanager
def replaced(state, name: str, value):
    """app.state.<name> set to `value` for the block (Starlette's State does not suit monkeypatch)."""
    saved = getattr(state, name)
    setattr(state, name, value)
    try:
        yield
    finally:
        setattr(state, name, saved)


def _stored(app, sample_id: int) -> Sample:
    with app.state.database.session() as session:
        return session.scalars(select(Sample).where(Sample.id == sample_id)).one()


def test_a_correction_is_stored_with_what_the_model_saw(sample_app):
    app, client = sample_app
    predicted = client.post("/api/predict", json={"image": ONE}).json()
    answer = _post(client, image=ONE, label=4, strokes=STROKES, client_id="writer-abc-123")
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["label"] == 4 and body["predicted"] == predicted["digit"] and body["correct"] is (predicted["digit"] == 4)
    assert body["model"]["name"] == "lstm" and body["model"]["version"] == "1"
    stored = _stored(app, body["id"])
    assert np.allclose(np.frombuffer(stored.pixels, "<f4").reshape(28, 28), np.array(predicted["input"]), atol=1e-6)
    assert np.allclose(stored.probabilities, predicted["probabilities"], atol=1e-5)
    assert stored.strokes == STROKES and stored.client_id == "writer-abc-123"
    assert (stored.model, stored.model_version, stored.label, stored.predicted) == ("lstm", "1", 4, predicted["digit"])
    assert stored.created_at.utcoffset().total_seconds() == 0


def test_pixels_and_the_client_header_work_too(sample_app):
    app, client = sample_app
    pixels = np.zeros((28, 28))
    pixels[4:24, 13:15] = 1.0
    answer = client.post(
        "/api/samples", json={"pixels": pixels.tolist(), "label": 1}, headers={"X-Rowscan-Client": "header-client-1"}
    )
    assert answer.status_code == 201, answer.text
    assert _stored(app, answer.json()["id"]).client_id == "header-client-1"


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"label": 10}, 422, "invalid_request"),
        ({"label": -1}, 422, "invalid_request"),
        ({"label": "seven"}, 422, "invalid_request"),
        ({"label": None}, 422, "invalid_request"),
        ({"client_id": "short"}, 422, "invalid_request"),
        ({"client_id": None}, 422, "invalid_client_id"),
        ({"image": "not base64!"}, 400, "invalid_base64"),
        ({"model": "nope"}, 404, "unknown_model"),
        ({"version": "99"}, 404, "unknown_version"),
        ({"strokes": [[[0.1, 0.2]]]}, 422, "invalid_request"),
        ({"strokes": [[[0.1, 0.2, 0]]] * 65}, 413, "too_many_strokes"),
        ({"strokes": [[[0.1, 0.2, 0]] * 4097]}, 413, "too_many_strokes"),
        ({"image": data_url(drawing(shape="seven", ink=(255, 255, 255)))}, 422, "empty_drawing"),
    ],
)
def test_bad_samples_get_the_house_error_shape(sample_client, change, status, code):
    body = {"image": SEVEN, "label": 7, "client_id": client_id(), **change}
    answer = sample_client.post("/api/samples", json={k: v for k, v in body.items() if v is not None})
    assert answer.status_code == status, answer.text
    assert answer.json()["code"] == code and answer.json()["error"]


def test_an_oversized_sample_is_413(sample_client):
    answer = _post(sample_client, image="A" * (600 * 1024))
    assert answer.status_code == 413 and answer.json()["code"] == "payload_too_large"


def test_a_client_over_its_rate_gets_429_with_retry_after(sample_client):
    client = client_id()
    statuses = [_post(sample_client, client_id=client).status_code for _ in range(21)]
    assert statuses[:20] == [201] * 20 and statuses[20] == 429
    limited = _post(sample_client, client_id=client)
    assert limited.json()["code"] == "rate_limited" and int(limited.headers["Retry-After"]) >= 1
    assert _post(sample_client).status_code == 201  # another client is not held back


def test_admin_routes_need_the_token(sample_client):
    for method, path in [("GET", "/api/samples"), ("GET", "/api/samples/export?format=npz"), ("DELETE", "/api/samples/1")]:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
            answer = sample_client.request(method, path, headers=headers)
            assert answer.status_code == 401 and answer.json()["code"] == "unauthorized", (method, path, headers)
            assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_admin_routes_are_off_without_a_configured_token(sample_app):
    app, client = sample_app
    with replaced(app.state, "settings", app.state.settings.model_copy(update={"admin_token": None})):
        answer = client.get("/api/samples", headers=ADMIN)
    assert answer.status_code == 403 and answer.json()["code"] == "admin_off" and "ROWSCAN_ADMIN_TOKEN" in answer.json()["error"]


def test_listing_filters_and_deleting(sample_app):
    app, client = sample_app
    wrong = _post(client, image=ONE, label=4).json()
    right = _post(client, image=ONE, label=1).json()
    listed = client.get("/api/samples?wrong=true&label=4", headers=ADMIN).json()
    assert wrong["id"] in [item["id"] for item in listed["items"]]
    assert all(item["label"] == 4 and not item["correct"] for item in listed["items"])
    item = next(item for item in listed["items"] if item["id"] == wrong["id"])
    assert item["image"].startswith("data:image/png;base64,") and item["title"] == f"t:4, p:{wrong['predicted']}"
    only_right = client.get("/api/samples?wrong=false&per_page=200", headers=ADMIN).json()["items"]
    assert right["id"] in [i["id"] for i in only_right] and all(i["correct"] for i in only_right)
    assert client.get("/api/samples?label=12", headers=ADMIN).status_code == 422
    assert client.delete(f"/api/samples/{wrong['id']}", headers=ADMIN).json() == {"deleted": wrong["id"]}
    assert client.delete(f"/api/samples/{wrong['id']}", headers=ADMIN).status_code == 404
    assert client.delete(f"/api/samples/{2**31}", headers=ADMIN).json()["code"] == "unknown_sample"
    with app.state.database.session() as session:
        assert session.get(Sample, wrong["id"]) is None


def test_exports_read_back_as_mnist_idx_numpy_and_ndjson(sample_app, tmp_path):
    app, client = sample_app
    posted = _post(client, image=ONE, label=1, strokes=STROKES).json()
    with app.state.database.session() as session:
        samples = list(session.scalars(select(Sample).order_by(Sample.id)))
    expected = np.rint(np.stack([np.frombuffer(s.pixels, "<f4").reshape(28, 28) for s in samples]) * 255).astype(np.uint8)

    archive = zipfile.ZipFile(io.BytesIO(client.get("/api/samples/export?format=idx", headers=ADMIN).content))
    folder = _extract(archive, tmp_path)
    images, _ = read_idx(folder / IDX_IMAGES, IMAGE_MAGIC, len(samples))
    labels, _ = read_idx(folder / IDX_LABELS, LABEL_MAGIC, len(samples))
    assert np.array_equal(images, expected) and labels.tolist() == [s.label for s in samples]
    assert gzip.decompress((folder / IDX_IMAGES).read_bytes())[:4] == b"\x00\x00\x08\x03"

    with np.load(io.BytesIO(client.get("/api/samples/export?format=npz", headers=ADMIN).content)) as arrays:
        assert arrays["images"].shape == (len(samples), 28, 28) and arrays["clients"].tolist() == [s.client_id for s in samples]
        assert arrays["labels"].tolist() == [s.label for s in samples] and arrays["probabilities"].shape == (len(samples), 10)

    lines = client.get("/api/samples/export?format=ndjson", headers=ADMIN).content.splitlines()
    drawing_of = {int(row["key_id"]): row for row in map(orjson.loads, lines)}
    assert drawing_of[posted["id"]]["drawing"] == [[[0.3, 0.7, 0.4], [0.2, 0.2, 0.8], [0, 40, 120]]]
    assert drawing_of[posted["id"]]["word"] == "1" and len(drawing_of) == len(samples)
    assert client.get("/api/samples/export?format=csv", headers=ADMIN).status_code == 422


def _extract(archive: zipfile.ZipFile, folder: Path) -> Path:
    archive.extractall(folder)
    return folder


def test_a_failing_database_gives_503_on_sample_routes_while_predictions_keep_working(sample_app, tmp_path):
    app, client = sample_app
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with replaced(app.state, "database", Database(f"sqlite:///{blocker / 'gone.db'}")):
        failed = _post(client)
        assert failed.status_code == 503 and failed.json()["code"] == "database_unavailable" and failed.headers["Retry-After"]
        assert client.get("/api/samples", headers=ADMIN).status_code == 503
        assert client.post("/api/predict", json={"image": SEVEN}).status_code == 200
    assert _post(client).status_code == 201  # back once the database is


def test_the_samples_page_asks_for_the_token_or_says_it_is_off(sample_app):
    app, client = sample_app
    page = client.get("/samples")
    assert page.status_code == 200 and 'data-testid="admin-token"' in page.text
    with replaced(app.state, "settings", app.state.settings.model_copy(update={"admin_token": None})):
        off = client.get("/samples")
    assert off.status_code == 200 and 'data-testid="samples-off"' in off.text and "ROWSCAN_ADMIN_TOKEN" in off.text
