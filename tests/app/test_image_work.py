"""Image work with a bounded cost (issue 19, item 2): a per-request budget of decoded pixels checked
before decoding, a bounded queue answering 503, and work abandoned when nobody waits for it.

The real server's 503 under concurrent image batches: tests/app/test_hostile_server.py; timings: bench/hostile.py.
"""

from __future__ import annotations

import asyncio
import base64
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image
from starlette.requests import Request

from app import preprocess
from app.image_work import ClientGone, ImageTimeout, ImageWork
from app.inference import Overloaded
from app.metrics import Metrics

SIDE = 4000  # 16,000,000 pixels: the largest single image allowed


def lossless_webp(side: int = SIDE) -> bytes:
    """A few hundred bytes that decode to side x side pixels."""
    buffer = io.BytesIO()
    Image.new("L", (side, side), 255).save(buffer, format="WEBP", lossless=True)
    return buffer.getvalue()


@pytest.fixture
def decodes(monkeypatch) -> list[int]:
    """Counts the images whose pixels are decoded."""
    calls: list[int] = []
    real = preprocess.load_image

    def counting(image):
        calls.append(1)
        return real(image)

    monkeypatch.setattr(preprocess, "load_image", counting)
    return calls


def test_request_over_the_pixel_budget_is_refused_before_decoding(client, decodes):
    image = "data:image/webp;base64," + base64.b64encode(lossless_webp()).decode()
    answer = client.post("/api/predict/batch", json={"inputs": [{"image": image}] * 3})
    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == "too_many_pixels" and "48,000,000 pixels" in answer.json()["error"]
    v1 = client.post("/v1/models/lstm:predict", json={"instances": [{"b64": image.split(",")[1]}] * 3})
    assert v1.status_code == 413 and "48,000,000" in v1.json()["error"]
    assert decodes == []


def request_that(disconnects: bool) -> Request:
    """A request whose body has been read; its next ASGI message is a disconnect, at once or never."""

    async def receive():
        if not disconnects:
            await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    return Request({"type": "http", "method": "POST", "path": "/", "headers": []}, receive)


def image_work(pool, metrics=None, **limits) -> ImageWork:
    settings = {"max_request_pixels": 32_000_000, "max_queued_pixels": 32_000_000, "timeout_s": 60.0, **limits}
    return ImageWork(pool, metrics or Metrics(), **settings)


def test_queue_is_bounded_in_pixels():
    image = lossless_webp()

    async def scenario():
        with ThreadPoolExecutor(1) as pool:
            gate = threading.Event()
            pool.submit(gate.wait)  # the pool's only thread is busy until the gate opens
            work = image_work(pool, max_queued_pixels=20_000_000)
            first = asyncio.create_task(work.prepare(request_that(disconnects=False), [image], preprocess.Limits()))
            await asyncio.sleep(0)  # the first request is admitted (its 16M pixels now queued) and waits on the pool
            assert work.queued_pixels == SIDE * SIDE
            with pytest.raises(Overloaded, match="ROWSCAN_MAX_QUEUED_PIXELS"):
                await work.prepare(request_that(disconnects=False), [image], preprocess.Limits())
            gate.set()
            assert (await first)[0].empty  # a blank page: answered, not refused
            assert work.queued_pixels == 0
            await work.prepare(request_that(disconnects=False), [image], preprocess.Limits())

    asyncio.run(scenario())


def test_one_canvas_sized_image_is_prepared_at_once_without_the_pool(decodes):
    buffer = io.BytesIO()
    Image.new("RGBA", (280, 280), "white").save(buffer, format="PNG")

    async def scenario():
        with ThreadPoolExecutor(1) as pool:
            gate = threading.Event()
            pool.submit(gate.wait)  # the pool's only thread is busy: only work done elsewhere can finish
            work = image_work(pool)
            [prepared] = await work.prepare(request_that(disconnects=False), [buffer.getvalue()], preprocess.Limits())
            gate.set()
        return prepared

    assert asyncio.run(scenario()).empty and decodes == [1]


def test_work_is_abandoned_when_the_client_disconnects(decodes):
    metrics = Metrics()

    images = [lossless_webp()] * 2

    async def scenario():
        with ThreadPoolExecutor(1) as pool:
            gate = threading.Event()
            pool.submit(gate.wait)  # the work cannot start before the client is gone
            work = image_work(pool, metrics)
            with pytest.raises(ClientGone):
                await work.prepare(request_that(disconnects=True), images, preprocess.Limits())
            gate.set()
        return work

    work = asyncio.run(scenario())  # the pool has run the abandoned work by now
    assert decodes == [], "images were decoded for a client that had gone"
    assert work.queued_pixels == 0
    assert b'rowscan_image_work_abandoned_total{reason="client_gone"} 1.0' in metrics.render()


def test_work_is_abandoned_after_the_timeout(decodes):
    metrics = Metrics()

    images = [lossless_webp()] * 2

    async def scenario():
        with ThreadPoolExecutor(1) as pool:
            gate = threading.Event()
            pool.submit(gate.wait)  # the work cannot start before the timeout
            work = image_work(pool, metrics, timeout_s=0.001)
            with pytest.raises(ImageTimeout, match="ROWSCAN_IMAGE_TIMEOUT_S"):
                await work.prepare(request_that(disconnects=False), images, preprocess.Limits())
            gate.set()
        assert work.queued_pixels == 0

    asyncio.run(scenario())
    assert decodes == []
    assert b'rowscan_image_work_abandoned_total{reason="timeout"} 1.0' in metrics.render()


def test_image_timeout_and_overload_answers(client, app, monkeypatch):
    """How the two refusals read over HTTP: 503 with Retry-After, in the house shape."""
    image = "data:image/webp;base64," + base64.b64encode(lossless_webp(1000)).decode()
    for error, code in ((ImageTimeout("images not prepared within 10 s"), "image_timeout"), (Overloaded("busy"), "overloaded")):

        async def refuse(*args, error=error):
            raise error

        monkeypatch.setattr(app.state.image_work, "prepare", refuse)
        answer = client.post("/api/predict", json={"image": image})
        assert answer.status_code == 503 and answer.json()["code"] == code
        assert answer.headers["retry-after"] == "1"
