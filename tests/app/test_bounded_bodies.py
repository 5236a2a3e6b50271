"""Bodies whose cost is bounded before it is paid (issue 19, item 1): huge lists are refused at once,
bad bodies under the limit get a few error details, and the largest valid bodies still pass.

The same against a real server with /healthz polled meanwhile and its memory read from /proc:
tests/app/test_hostile_server.py; the full-size reproductions with timings: bench/hostile.py.
"""

from __future__ import annotations

import orjson
import pytest

from app.errors import MAX_DETAILS

JSON = {"content-type": "application/json"}
HUGE = 300_000


def many(item: bytes, count: int) -> bytes:
    return b"[" + b",".join([item] * count) + b"]"


HUGE_BODIES = {
    "batch-of-empty-objects": ("/api/predict/batch", b'{"inputs":' + many(b"{}", HUGE) + b"}"),
    "pixels-of-strings": ("/api/predict", b'{"pixels":' + many(b'"a"', HUGE) + b"}"),
    "pixels-of-numbers": ("/api/predict", b'{"pixels":' + many(b"0", HUGE) + b"}"),
    "v2-inputs": ("/v2/models/lstm/infer", b'{"inputs":' + many(b"{}", HUGE) + b"}"),
    "v1-instances": ("/v1/models/lstm:predict", b'{"instances":' + many(b"[]", HUGE) + b"}"),
    "many-keys": ("/api/predict", b"{" + b",".join(b'"k%d":0' % i for i in range(HUGE // 10)) + b"}"),
}


@pytest.mark.parametrize("name", HUGE_BODIES)
def test_huge_body_is_refused_before_parsing(client, name):
    url, body = HUGE_BODIES[name]
    answer = client.post(url, content=body, headers=JSON)
    assert answer.status_code == 413, answer.text[:300]
    assert answer.json()["code"] == "too_many_values"
    assert "ROWSCAN_MAX_DIGITS_PER_REQUEST" in answer.json()["error"]
    assert client.post("/api/predict", json={"pixels": [0.5] * 784}).status_code == 200


BAD_UNDER_THE_LIMIT = {
    "thousands-of-empty-inputs": ("/api/predict/batch", b'{"inputs":' + many(b"{}", 8_000) + b"}", 422),
    "thousands-of-bad-tensors": ("/v2/models/lstm/infer", b'{"inputs":' + many(b"{}", 8_000) + b"}", 400),
    "a-thousand-unknown-fields": ("/api/predict", b"{" + b",".join(b'"k%d":0' % i for i in range(1_000)) + b"}", 422),
    "pixels-too-long": ("/api/predict", b'{"pixels":' + many(b"0.5", 100_000) + b"}", 422),
}


@pytest.mark.parametrize("name", BAD_UNDER_THE_LIMIT)
def test_bad_body_under_the_limit_gets_a_few_details(client, name):
    url, body, status = BAD_UNDER_THE_LIMIT[name]
    answer = client.post(url, content=body, headers=JSON)
    assert answer.status_code == status, answer.text[:300]
    assert len(answer.json().get("details", [])) <= MAX_DETAILS
    assert len(answer.content) < 2_000


def full_batch_pixels() -> list:
    return [[[((row * 28 + col) % 255) / 255.0 for col in range(28)] for row in range(28)]] * 256


def test_largest_valid_bodies_still_pass(client):
    """256 digits of 28x28 pixels written with 17 significant digits, in every protocol."""
    pixels = full_batch_pixels()
    batch = client.post("/api/predict/batch", content=orjson.dumps({"inputs": [{"pixels": p} for p in pixels]}), headers=JSON)
    assert batch.status_code == 200 and len(batch.json()["results"]) == 256
    v1 = client.post("/v1/models/lstm:predict", content=orjson.dumps({"instances": pixels}), headers=JSON)
    assert v1.status_code == 200 and len(v1.json()["predictions"]) == 256
    tensor = {"name": "rows", "shape": [256, 28, 28], "datatype": "FP32", "data": pixels}
    v2 = client.post("/v2/models/lstm/infer", content=orjson.dumps({"inputs": [tensor]}), headers=JSON)
    assert v2.status_code == 200 and v2.json()["outputs"][0]["shape"] == [256, 10]
