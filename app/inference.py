"""The inference core: a compiled graph per model and a micro-batcher in front of it.

Every route ends here. Per request Keras calls (`model.predict`, eager `model(x)`) cost
~45 ms; a `tf.function` with a fixed input signature costs ~1 ms for one digit and
barely more for 64, so concurrent requests are gathered into one call:

- a lone request runs at once (no fixed wait while the model is idle);
- requests arriving while the model is busy queue up and go together in the next call;
- the model runs on one worker thread, off the event loop;
- the queue is bounded: past `max_queue` digits, callers get `Overloaded` (HTTP 503).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

log = logging.getLogger("rowscan.inference")

SIDE = 28


class Overloaded(RuntimeError):
    """The batcher queue is full; the caller should retry shortly."""


class InferenceTimeout(RuntimeError):
    """The model did not answer within the configured time."""


@dataclass(frozen=True)
class Output:
    probabilities: np.ndarray  # float32 [N, 10]
    steps: np.ndarray | None  # float32 [N, 28, 10]: the answer after each row (recurrent models only)


class GraphModel:
    """A Keras model traced once into a graph with input signature [None, 28, 28] float32."""

    def __init__(self, keras_model) -> None:
        import tensorflow as tf

        from model.network import per_row_model, reads_rows

        self.has_steps = reads_rows(keras_model)
        network = per_row_model(keras_model) if self.has_steps else keras_model
        signature = [tf.TensorSpec([None, SIDE, SIDE], tf.float32, name="rows")]
        self._forward = tf.function(lambda rows: tf.nn.softmax(network(rows, training=False)), input_signature=signature)
        self.keras_model = keras_model
        self(np.zeros((1, SIDE, SIDE), np.float32))  # trace now, not on the first request

    def __call__(self, rows: np.ndarray) -> Output:
        result = self._forward(rows).numpy()
        if self.has_steps:
            return Output(np.ascontiguousarray(result[:, -1]), result)
        return Output(result, None)


class MicroBatcher:
    """Gather concurrent requests into one model call (see module docstring)."""

    def __init__(
        self,
        model: GraphModel,
        *,
        max_batch_size: int,
        max_queue: int,
        timeout_s: float,
        on_batch: Callable[[int], None] = lambda size: None,
    ) -> None:
        self._model = model
        self._on_batch = on_batch
        self._max_batch_size = max_batch_size
        self._max_queue = max_queue
        self._timeout_s = timeout_s
        self._pending: collections.deque[tuple[np.ndarray, asyncio.Future[Output]]] = collections.deque()
        self._queued_digits = 0
        self._wakeup: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rowscan-model")

    async def run(self, rows: np.ndarray) -> Output:
        """Probabilities (and per-row answers) for float32 [N, 28, 28] rows, shared with other callers."""
        if self._worker is None:
            self._wakeup = asyncio.Event()
            self._worker = asyncio.get_running_loop().create_task(self._serve_forever(), name="rowscan-batcher")
        if self._queued_digits + len(rows) > self._max_queue:
            raise Overloaded(f"{self._queued_digits} digits already queued (limit {self._max_queue})")
        future: asyncio.Future[Output] = asyncio.get_running_loop().create_future()
        self._pending.append((rows, future))
        self._queued_digits += len(rows)
        self._wakeup.set()
        try:
            return await asyncio.wait_for(future, self._timeout_s)
        except TimeoutError:
            raise InferenceTimeout(f"no answer from the model within {self._timeout_s:g} s") from None

    async def close(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _serve_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
            batch = self._take_batch()
            rows = np.concatenate([item[0] for item in batch]) if len(batch) > 1 else batch[0][0]
            self._on_batch(len(rows))
            try:
                output = await loop.run_in_executor(self._executor, self._model, rows)
            except Exception as exc:
                log.exception("model call failed for a batch of %d digits", len(rows))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            start = 0
            for item_rows, future in batch:
                end = start + len(item_rows)
                if not future.done():  # a caller that timed out has gone
                    steps = output.steps[start:end] if output.steps is not None else None
                    future.set_result(Output(output.probabilities[start:end], steps))
                start = end

    def _take_batch(self) -> list[tuple[np.ndarray, asyncio.Future[Output]]]:
        """Whole requests, oldest first, up to max_batch_size digits (at least one request)."""
        batch = [self._pending.popleft()]
        size = len(batch[0][0])
        while self._pending and size + len(self._pending[0][0]) <= self._max_batch_size:
            item = self._pending.popleft()
            batch.append(item)
            size += len(item[0])
        self._queued_digits -= size
        return batch
