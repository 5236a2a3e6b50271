"""Image decoding and framing with a bounded cost (issue 19, item 2).

A 704-byte lossless WebP decodes to 16 million pixels; 256 of them in one batch took 48 s, went on
after the client hung up, and made every later image request queue behind them. So, per request:

1. every image's header is read first (no pixels decoded) and the decoded pixels are added up across
   all its images: over `max_request_pixels` -> 413 `too_many_pixels`, before any decoding;
2. the work joins a queue bounded in pixels (waiting and running, all requests): over
   `max_queued_pixels` -> 503 `overloaded` with Retry-After, instead of waiting behind it;
3. decoding runs on the small preprocessing pool, one image at a time; if the client disconnects or
   `timeout_s` passes, the rest is abandoned (the image in progress finishes, the next never starts).

A request of one canvas-sized image (up to `INLINE_MAX_PIXELS`, what the web UI sends) is prepared
at once on the event loop instead: 2-4 ms of work with nothing to abandon, where the hop to the pool,
the disconnect watch and the timeout cost about a tenth of that again (and with one worker per core
there is no idle core for the pool to use).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable
from concurrent.futures import Executor

from fastapi import Request
from PIL import Image

from app import preprocess
from app.inference import Overloaded
from app.metrics import Metrics

MIN_IMAGE_COST = 256 * 256  # a tiny image still costs its framing: each counts as at least this many pixels
INLINE_MAX_PIXELS = 560 * 560  # the UI's 280x280 canvas, or twice that on a high-DPI screen


class TooManyPixels(preprocess.InputError):
    code = "too_many_pixels"


class ImageTimeout(RuntimeError):
    """The request's images were not ready within the timeout; their remaining work was abandoned."""


class ClientGone(RuntimeError):
    """The client disconnected while its images were being prepared; their remaining work was abandoned."""


def cost(image: Image.Image) -> int:
    width, height = image.size
    return max(width * height, MIN_IMAGE_COST)


class ImageWork:
    """The app's image preparation: per-request pixel budget, bounded queue, abandoned when nobody waits."""

    def __init__(
        self, pool: Executor, metrics: Metrics, *, max_request_pixels: int, max_queued_pixels: int, timeout_s: float
    ) -> None:
        self._pool = pool
        self._metrics = metrics
        self._max_request_pixels = max_request_pixels
        self._max_queued_pixels = max_queued_pixels
        self._timeout_s = timeout_s
        self._queued_pixels = 0
        self._lock = threading.Lock()  # the count is released from the worker threads
        Image.init()  # Pillow imports its format plugins on first use: ~0.2 s, which would block the first request's loop

    @property
    def queued_pixels(self) -> int:
        return self._queued_pixels

    async def prepare(self, request: Request, encoded: list[bytes], limits: preprocess.Limits) -> list[preprocess.Prepared]:
        """The 28x28 inputs of encoded images, in order (InputError for a bad one, as preprocess says)."""
        if not encoded:
            return []
        images = [preprocess.peek_image(data, limits) for data in encoded]  # headers only: cheap, on the loop
        total = sum(cost(image) for image in images)
        if total > self._max_request_pixels:
            raise TooManyPixels(
                f"the request's {len(images)} image(s) decode to {total:,} pixels, over the limit of "
                f"{self._max_request_pixels:,} per request (ROWSCAN_MAX_REQUEST_PIXELS); send smaller images"
            )
        if len(images) == 1 and total <= INLINE_MAX_PIXELS:
            return [preprocess.prepare_peeked(images[0])]
        self._admit(total)
        abandon = threading.Event()

        def prepare_all() -> list[preprocess.Prepared]:
            try:
                prepared = []
                for image in images:
                    if abandon.is_set():
                        break
                    prepared.append(preprocess.prepare_peeked(image))
                return prepared
            finally:
                self._release(total)

        work = asyncio.get_running_loop().run_in_executor(self._pool, prepare_all)
        try:
            return await self._wait(request, work)
        except (ImageTimeout, ClientGone) as exc:
            abandon.set()
            self._metrics.observe_abandoned("timeout" if isinstance(exc, ImageTimeout) else "client_gone")
            raise

    def _admit(self, pixels: int) -> None:
        with self._lock:
            if self._queued_pixels + pixels > self._max_queued_pixels:
                raise Overloaded(
                    f"{self._queued_pixels:,} image pixels already being prepared (limit {self._max_queued_pixels:,}, "
                    "ROWSCAN_MAX_QUEUED_PIXELS)"
                )
            self._queued_pixels += pixels

    def _release(self, pixels: int) -> None:
        with self._lock:
            self._queued_pixels -= pixels

    async def _wait(self, request: Request, work: Awaitable[list[preprocess.Prepared]]) -> list[preprocess.Prepared]:
        """The work's result, unless the client disconnects or the timeout passes first."""
        work = asyncio.ensure_future(work)
        gone = asyncio.ensure_future(_disconnect(request))
        try:
            done, _ = await asyncio.wait({work, gone}, timeout=self._timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if work in done:
            return work.result()
        if gone in done:
            raise ClientGone("the client disconnected; its images were abandoned")
        raise ImageTimeout(f"images not prepared within {self._timeout_s:g} s (ROWSCAN_IMAGE_TIMEOUT_S); retry shortly")


async def _disconnect(request: Request) -> None:
    """Returns when the client disconnects: with the body read, that is the next ASGI message."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
