"""A catalogue of careless and hostile requests, across every endpoint.

Each gets its specific 4xx with a JSON body saying what is wrong (or a correct answer where the
input is actually fine), and the service answers a good request right after each of them.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from PIL import Image

from tests.app.images import data_url, drawing, encode, png_bomb

GOOD = {"pixels": [0.5] * 784}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def image_of(mode: str, size=(280, 280), fmt: str = "PNG") -> bytes:
    return encode(drawing().convert(mode).resize(size), fmt)


def animated_gif() -> bytes:
    frames = [drawing(), drawing(shape="one")]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


def sixteen_bit_png() -> bytes:
    grey = np.asarray(drawing().convert("L"), dtype=np.uint16) * 257
    return encode(Image.fromarray(grey))


PNG = encode(drawing())
JSON = {"content-type": "application/json"}

# (id, method, url, request kwargs, expected status, expected code or None for a success)
CATALOGUE = [
    # --- malformed bodies and content types
    ("invalid-json", "POST", "/api/predict", {"content": b"{'pixels': oops", "headers": JSON}, 400, "invalid_json"),
    (
        "truncated-json",
        "POST",
        "/api/predict",
        {"content": json.dumps(GOOD)[:200].encode(), "headers": JSON},
        400,
        "invalid_json",
    ),
    ("empty-body", "POST", "/api/predict", {"content": b"", "headers": JSON}, 400, "invalid_json"),
    ("json-array", "POST", "/api/predict", {"json": [GOOD]}, 422, "invalid_request"),
    (
        "text-plain",
        "POST",
        "/api/predict",
        {"content": b"7", "headers": {"content-type": "text/plain"}},
        415,
        "unsupported_media_type",
    ),
    ("form-encoded", "POST", "/api/predict", {"data": {"pixels": "0"}}, 415, "unsupported_media_type"),
    (
        "both-sources",
        "POST",
        "/api/predict",
        {"json": {"pixels": GOOD["pixels"], "image": data_url(drawing())}},
        422,
        "invalid_request",
    ),
    ("no-source", "POST", "/api/predict", {"json": {"steps": True}}, 422, "invalid_request"),
    ("unknown-field", "POST", "/api/predict", {"json": {**GOOD, "colour": "red"}}, 422, "invalid_request"),
    ("steps-not-bool", "POST", "/api/predict", {"json": {**GOOD, "steps": "often"}}, 422, "invalid_request"),
    # --- images
    ("bad-base64", "POST", "/api/predict", {"json": {"image": "this is not base64!"}}, 400, "invalid_base64"),
    (
        "data-url-wrong-mime",
        "POST",
        "/api/predict",
        {"json": {"image": "data:text/html;base64," + b64(b"<b>7</b>")}},
        415,
        "unsupported_format",
    ),
    ("data-url-not-base64", "POST", "/api/predict", {"json": {"image": "data:image/png,rawbytes"}}, 400, "invalid_base64"),
    ("truncated-png", "POST", "/api/predict", {"json": {"image": b64(PNG[: len(PNG) // 2])}}, 400, "not_an_image"),
    (
        "text-as-png-upload",
        "POST",
        "/api/predict/upload",
        {"files": {"file": ("digit.png", b"seven, honestly", "image/png")}},
        400,
        "not_an_image",
    ),
    ("one-pixel-image", "POST", "/api/predict", {"json": {"image": b64(encode(Image.new("L", (1, 1), 255)))}}, 200, None),
    ("png-bomb-20000", "POST", "/api/predict", {"json": {"image": b64(png_bomb(20_000, 20_000))}}, 413, "image_too_large"),
    (
        "png-bomb-upload",
        "POST",
        "/api/predict/upload",
        {"files": {"file": ("bomb.png", png_bomb(6_000, 6_000), "image/png")}},
        413,
        "image_too_large",
    ),
    ("animated-gif", "POST", "/api/predict", {"json": {"image": b64(animated_gif())}}, 415, "unsupported_format"),
    ("tiff", "POST", "/api/predict", {"json": {"image": b64(encode(drawing(), "TIFF"))}}, 415, "unsupported_format"),
    ("sixteen-bit-png", "POST", "/api/predict", {"json": {"image": b64(sixteen_bit_png())}}, 200, None),
    ("cmyk-jpeg", "POST", "/api/predict", {"json": {"image": b64(image_of("CMYK", fmt="JPEG"))}}, 200, None),
    (
        "oversize-image",
        "POST",
        "/api/predict/upload",
        {"files": {"file": ("big.bmp", b"BM" + b"\0" * (5 * 1024 * 1024), "image/bmp")}},
        413,
        "payload_too_large",
    ),
    (
        "upload-without-file",
        "POST",
        "/api/predict/upload",
        {"files": {"picture": ("d.png", PNG, "image/png")}},
        422,
        "invalid_request",
    ),
    # --- pixel values and shapes
    (
        "nan",
        "POST",
        "/api/predict",
        {"content": b'{"pixels": [' + b",".join([b"NaN"] * 784) + b"]}", "headers": JSON},
        422,
        "invalid_pixels",
    ),
    (
        "infinity",
        "POST",
        "/api/predict",
        {"content": b'{"pixels": [' + b",".join([b"Infinity"] * 784) + b"]}", "headers": JSON},
        422,
        "invalid_pixels",
    ),
    ("negative", "POST", "/api/predict", {"json": {"pixels": [-0.5] * 784}}, 422, "invalid_pixels"),
    ("huge-values", "POST", "/api/predict", {"json": {"pixels": [1e300] * 784}}, 422, "invalid_pixels"),
    ("0-255-values", "POST", "/api/predict", {"json": {"pixels": [[255] * 28] * 28}}, 422, "invalid_pixels"),
    ("shape-27x28", "POST", "/api/predict", {"json": {"pixels": [[0.0] * 28] * 27}}, 422, "invalid_pixels"),
    ("shape-28x28x3", "POST", "/api/predict", {"json": {"pixels": [[[0.0] * 3] * 28] * 28}}, 422, "invalid_pixels"),
    ("785-values", "POST", "/api/predict", {"json": {"pixels": [0.0] * 785}}, 422, "invalid_pixels"),
    ("nested-strings", "POST", "/api/predict", {"json": {"pixels": [["dark"] * 28] * 28}}, 422, "invalid_pixels"),
    ("empty-pixels", "POST", "/api/predict", {"json": {"pixels": []}}, 422, "invalid_pixels"),
    # --- batches
    ("batch-257", "POST", "/api/predict/batch", {"json": {"inputs": [GOOD] * 257}}, 413, "too_many_digits"),
    ("batch-empty", "POST", "/api/predict/batch", {"json": {"inputs": []}}, 422, "invalid_request"),
    ("tf-serving-257", "POST", "/v1/models/lstm:predict", {"json": {"instances": [[0.0] * 784] * 257}}, 413, "too_many_digits"),
    # --- unknown models and versions
    ("unknown-model-api", "POST", "/api/predict", {"json": {**GOOD, "model": "vgg16"}}, 404, "unknown_model"),
    ("unknown-model-card", "GET", "/api/model?model=vgg16", {}, 404, "unknown_model"),
    ("unknown-model-tf", "POST", "/v1/models/vgg16:predict", {"json": {"instances": [[0.0] * 784]}}, 404, "unknown_model"),
    ("unknown-version-tf", "GET", "/v1/models/lstm/versions/99", {}, 404, "unknown_version"),
    ("unknown-model-v2", "POST", "/v2/models/vgg16/infer", {"json": {"inputs": []}}, 404, "unknown_model"),
    ("unknown-version-v2", "GET", "/v2/models/lstm/versions/99/ready", {}, 404, "unknown_version"),
    # --- v2 protocol details
    ("v2-invalid-json", "POST", "/v2/models/lstm/infer", {"content": b"{nope", "headers": JSON}, 400, "invalid_json"),
    (
        "v2-header-length-too-big",
        "POST",
        "/v2/models/lstm/infer",
        {"content": b"{}", "headers": {"Inference-Header-Content-Length": "99"}},
        400,
        "invalid_request",
    ),
    # --- paths, query strings and methods
    ("long-url", "GET", "/api/" + "a" * 20_000, {}, 404, "not_found"),
    ("long-query-value", "GET", "/api/misses?true=" + "9" * 10_000, {}, 422, "invalid_request"),
    ("misses-page-0", "GET", "/api/misses?page=0", {}, 422, "invalid_request"),
    ("misses-digit-12", "GET", "/api/misses?predicted=12", {}, 422, "invalid_request"),
    ("traversal-misses-png", "GET", "/api/misses/..%2f..%2fetc%2fpasswd.png", {}, 404, "not_found"),
    ("traversal-misses-json", "GET", "/api/misses/%2e%2e%2fmodel.keras", {}, 404, "not_found"),
    ("traversal-static", "GET", "/static/..%2f..%2fapp%2fconfig.py", {}, 404, "not_found"),
    ("traversal-static-dots", "GET", "/static/%2e%2e/%2e%2e/model/artifacts/lstm/metrics.json", {}, 404, "not_found"),
    ("traversal-docs-assets", "GET", "/static-offline-docs/..%2F..%2F..%2Fetc%2Fpasswd", {}, 404, "not_found"),
    ("negative-miss-index", "GET", "/api/misses/-1.png", {}, 404, "not_found"),
    ("put-predict", "PUT", "/api/predict", {"json": GOOD}, 405, "method_not_allowed"),
    ("get-predict", "GET", "/api/predict", {}, 405, "method_not_allowed"),
    ("delete-model", "DELETE", "/v1/models/lstm", {}, 405, "method_not_allowed"),
    ("patch-infer", "PATCH", "/v2/models/lstm/infer", {"json": {}}, 405, "method_not_allowed"),
]


def test_catalogue_is_large_enough():
    assert len(CATALOGUE) >= 40
    assert len({case[0] for case in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status", "code"), [case[1:] for case in CATALOGUE], ids=[c[0] for c in CATALOGUE]
)
def test_bad_request_gets_a_clear_answer(client, method, url, kwargs, status, code):
    response = client.request(method, url, **kwargs)
    assert response.status_code == status, response.text[:300]
    body = response.json()
    if code is None:
        assert "digit" in body
    else:
        assert body["code"] == code
        assert isinstance(body["error"], str) and len(body["error"]) > 10
    # ...and the service still answers a good request.
    assert client.post("/api/predict", json=GOOD).status_code == 200


def test_body_over_the_limit_is_refused_from_its_content_length(client, app):
    limit = app.state.settings.max_body_bytes
    response = client.post("/api/predict", content=b"x" * (limit + 1), headers=JSON)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"
    assert f"{limit:,} bytes" in response.json()["error"]


def test_streamed_body_over_the_limit_is_cut_off(client, app):
    """No Content-Length (chunked upload): refused as soon as the stream passes the limit."""
    chunk = b"x" * 1_000_000
    chunks = (chunk for _ in range(app.state.settings.max_body_bytes // len(chunk) + 2))
    response = client.post("/api/predict", content=chunks, headers=JSON)
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_one_pixel_and_uniform_images_are_empty_not_guessed(client):
    answer = client.post("/api/predict", json={"image": b64(encode(Image.new("L", (1, 1), 0)))}).json()
    assert answer["empty"] is True and answer["digit"] is None


def test_error_shape_is_documented(client):
    schema = client.get("/openapi.json").json()
    assert set(schema["components"]["schemas"]["ErrorResponse"]["required"]) == {"error", "code"}
    responses = schema["paths"]["/api/predict"]["post"]["responses"]
    assert {"400", "404", "413", "415", "422", "503"} <= set(responses)
