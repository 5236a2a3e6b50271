"""Hostile headers, paths and bodies (issue 19, items 3 and 5): a 4xx in the house shape, never a 500;
every answer, 500s included, carries the security headers (and CORS headers when CORS is on); HEAD
on every GET route; redirects that do not trust the Host header; EXIF orientation applied.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app import preprocess
from app.config import Settings
from app.main import create_app
from tests.app.images import drawing, encode

NINES = "9" * 4301
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy")
ORIGIN = "https://client.example"
JSON = {"content-type": "application/json"}
GOOD_V2 = b'{"inputs":[{"name":"rows","shape":[1,784],"datatype":"FP32","data":[' + b",".join([b"0"] * 784) + b"]}]}"


def assert_house_error(answer, status: int) -> None:
    assert answer.status_code == status, answer.text
    assert set(answer.json()) >= {"error", "code"}, answer.text
    for header in SECURITY_HEADERS:
        assert header in answer.headers, f"{header} missing on a {status}"


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        ("GET", f"/api/misses/{NINES}.png", {}, 404),
        ("GET", f"/api/misses/{NINES}", {}, 404),
        ("GET", f"/api/misses?page={NINES}", {}, 422),
        ("POST", "/v2/models/lstm/infer", {"content": GOOD_V2, "headers": {"Inference-Header-Content-Length": b"\xb2"}}, 400),
        ("POST", "/v2/models/lstm/infer", {"content": GOOD_V2, "headers": {"Inference-Header-Content-Length": "9" * 5000}}, 400),
        ("POST", "/api/predict", {"content": b'{"pixels": [' + b"9" * 5000 + b"]}", "headers": JSON}, 400),
        ("POST", "/v2/models/lstm/infer", {"content": GOOD_V2.replace(b"[1,784]", b"[" + b"9" * 5000 + b",784]")}, 400),
        ("POST", "/v2/models/lstm/infer", {"content": GOOD_V2.replace(b"[1,784]", b"[1e308,784]")}, 400),
    ],
    ids=[
        "misses-png-4301-digits",
        "misses-4301-digits",
        "page-4301-digits",
        "v2-header-superscript",
        "v2-header-5000-digits",
        "pixels-5000-digit-number",
        "v2-shape-5000-digits",
        "v2-shape-float",
    ],
)
def test_hostile_path_header_or_body_gets_a_4xx(client, method, url, kwargs, status):
    assert_house_error(client.request(method, url, **kwargs), status)
    assert client.get("/healthz").status_code == 200


@pytest.fixture(scope="module")
def bare_client():
    """The real app with CORS on, its models never loaded (no lifespan): routes that need them fail
    unexpectedly, which is how a 500 is made here without a test-only route."""
    app = create_app(Settings(cors_origins=[ORIGIN]))
    return TestClient(app, raise_server_exceptions=True)  # not entered: no lifespan; an escaping exception raises here


def test_500_has_the_house_shape_security_and_cors_headers_and_stays_inside_the_app(bare_client):
    answer = bare_client.get("/api/models", headers={"Origin": ORIGIN})
    assert_house_error(answer, 500)
    assert answer.json()["code"] == "internal_error"
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    assert bare_client.get("/healthz").status_code == 200


def test_413_carries_cors_headers(bare_client):
    answer = bare_client.post(
        "/api/predict", content=b"0" * (9 * 1024 * 1024), headers={"Origin": ORIGIN, "content-type": "application/json"}
    )
    assert_house_error(answer, 413)
    assert answer.headers["access-control-allow-origin"] == ORIGIN


def test_rejected_preflight_is_a_json_error(bare_client):
    headers = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    answer = bare_client.options("/api/predict", headers=headers)
    assert_house_error(answer, 400)
    assert answer.json()["code"] == "cors_rejected"
    allowed = bare_client.options("/api/predict", headers={**headers, "Origin": ORIGIN})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == ORIGIN


def test_trailing_slash_redirect_ignores_the_host_header(client):
    answer = client.get("/static", headers={"Host": "evil.example"}, follow_redirects=False)
    assert answer.status_code in (307, 308)
    assert "evil.example" not in answer.headers["location"]
    assert answer.headers["location"] == "/static/"


PAGES = ["/", "/compare", "/misses", "/model", "/docs", "/redoc", "/openapi.json", "/static/favicon.svg"]


def test_head_on_every_get_route(client):
    """Every documented GET route without path parameters, the pages, and one example with parameters."""
    documented = [path for path, operations in client.get("/openapi.json").json()["paths"].items() if "get" in operations]
    paths = [path for path in documented if "{" not in path] + PAGES + ["/api/misses/0?model=lstm", "/v2/models/lstm"]
    assert "/" in paths and "/healthz" in paths
    for path in paths:
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
    assert client.head("/").status_code == 200 and client.head("/healthz").status_code == 200


def test_head_on_a_post_only_route_is_405(client):
    answer = client.head("/api/predict")
    assert answer.status_code == 405 and answer.content == b""


# ------------------------------------------------------------------------------ EXIF


def sideways_photo(upright: Image.Image) -> bytes:
    """A phone's JPEG of `upright` held sideways: pixels stored turned 90°, EXIF Orientation 6 says how to turn back."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    return encode(upright.rotate(90, expand=True), "JPEG", exif=exif.tobytes(), quality=95)


def test_exif_orientation_is_applied():
    upright = drawing(size=280, box=(90, 50, 200, 230))  # a 7: not the same digit turned sideways
    expected = preprocess.prepare_image_bytes(encode(upright, "JPEG", quality=95)).pixels
    turned = preprocess.prepare_image_bytes(sideways_photo(upright)).pixels
    assert Image.open(io.BytesIO(sideways_photo(upright))).getexif()[0x0112] == 6
    assert float(np.abs(turned - expected).mean()) < 0.02
    assert float(np.abs(np.rot90(expected) - turned).mean()) > 0.05  # what it read before: the 7 on its side


def test_sideways_photo_is_read_upright(client):
    upright = drawing(size=280, box=(90, 50, 200, 230))
    answer = client.post("/api/predict/upload", files={"file": ("photo.jpg", sideways_photo(upright), "image/jpeg")})
    assert answer.status_code == 200 and answer.json()["digit"] == 7
