"""The inference core: a compiled model per served model and a micro-batcher in front of it.

Every route ends here. Per request Keras calls (`model.predict`, eager `model(x)`) cost
~45 ms; a `tf.function` with a fixed input signature (`GraphModel`, the default and the GPU
path) costs ~2 ms for one digit (~0.7 ms once XLA-compiled for lone digits) and ~7 ms for 64.
The optional ONNX Runtime backend (`OnnxModel`, CPU) runs the same network as one fused LSTM
op, ~0.2 ms for one digit.
Concurrent requests are gathered into one call:

- a lone request runs at once (no fixed wait while the model is idle);
- requests arriving while the model is busy queue up and go together in the next call;
- the model runs on one worker thread, off the event loop, except small batches on ONNX Runtime's
  single-threaded CPU runner (`OnnxModel.inline_digits`): a thread hop and back costs more than
  the model call, and with one worker per core there is no idle core for the thread to use anyway;
- the queue is bounded: past `max_queue` digits, callers get `Overloaded` (HTTP 503).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.shapes import ROWS

log = logging.getLogger("rowscan.inference")

SIDE = ROWS  # the model's input is square: model.shapes.ROWS == COLS


class Overloaded(RuntimeError):
    """The batcher queue is full; the caller should retry shortly."""


class InferenceTimeout(RuntimeError):
    """The model did not answer within the configured time."""


@dataclass(frozen=True)
class Output:
    probabilities: np.ndarray  # float32 [N, 10]
    steps: np.ndarray | None  # float32 [N, 28, 10]: the answer after each row (recurrent models only)


class GraphModel:
    """A Keras model traced once into graphs with input signature [None, 28, 28] float32: the final
    answer, and for recurrent models also the answer after every row (only run when asked: the
    Dense head on all 28 steps costs ~15% more per call).

    A lone digit, what every request on an idle server runs, costs ~2 ms in these graphs: the
    recurrent layer is a loop of 28 steps of small ops, and TensorFlow's executor spends the time
    dispatching them. XLA fuses the loop and halves that, but compiles once per batch size
    (~0.5 s), so `compile_single_digit` builds XLA graphs for batches of one only, meant to run in
    the background after start-up; until they are ready, the plain graphs answer."""

    inline_digits = 0  # always on the model thread: TensorFlow releases the loop while it (or a GPU) works

    def __init__(self, keras_model) -> None:
        import tensorflow as tf

        from model.network import per_row_model, reads_rows

        self.has_steps = reads_rows(keras_model)
        self.keras_model = keras_model
        self._networks = {False: keras_model, True: per_row_model(keras_model) if self.has_steps else None}
        any_batch = [tf.TensorSpec([None, SIDE, SIDE], tf.float32, name="rows")]
        self._graphs = {steps: _softmax_graph(network, any_batch) for steps, network in self._networks.items() if network}
        self._single_digit_graphs: dict[bool, Callable] = {}
        for steps in self._graphs:  # trace now, not on the first request
            self(np.zeros((1, SIDE, SIDE), np.float32), steps=steps)

    def compile_single_digit(self) -> None:
        """XLA graphs for one digit (recurrent models only: a CNN gains nothing), each used once compiled."""
        import tensorflow as tf

        if not self.has_steps:
            return
        one = [tf.TensorSpec([1, SIDE, SIDE], tf.float32, name="rows")]
        for steps, network in self._networks.items():
            graph = _softmax_graph(network, one, jit_compile=True)
            graph(np.zeros((1, SIDE, SIDE), np.float32))  # compiles
            self._single_digit_graphs[steps] = graph

    def __call__(self, rows: np.ndarray, steps: bool = False) -> Output:
        steps = steps and self.has_steps
        graph = self._single_digit_graphs.get(steps) if len(rows) == 1 else None
        result = (graph or self._graphs[steps])(rows).numpy()
        return _output(result, has_steps=True) if steps else Output(result, None)


def _softmax_graph(network, signature: list, jit_compile: bool = False) -> Callable:
    import tensorflow as tf

    return tf.function(
        lambda rows: tf.nn.softmax(network(rows, training=False)), input_signature=signature, jit_compile=jit_compile
    )


class OnnxModel:
    """The same network exported to ONNX (`rowscan export --onnx`), run by ONNX Runtime on the CPU.

    With one intra-op thread, batches of up to `inline_digits` run on the event loop's own thread
    (~0.1 ms for one digit, ~1.5 ms for 16): handing them to the model thread and back costs more.
    Larger batches still go to the model thread, so the loop never stalls for long."""

    INLINE_MAX_DIGITS = 16

    def __init__(self, path: Path, threads: int = 1) -> None:
        from model.artifacts import ONNX_SOURCE_KEY, ONNX_STEPS
        from model.optional import require

        onnxruntime = require("onnxruntime", needed_for="ROWSCAN_BACKEND=onnx", extra="onnx")

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = threads  # 1: the op runs on the calling thread, no pool to wake
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inline_digits = self.INLINE_MAX_DIGITS if threads == 1 else 0
        self.has_steps = self._session.get_outputs()[0].name == ONNX_STEPS
        self.source_sha256 = self._session.get_modelmeta().custom_metadata_map.get(ONNX_SOURCE_KEY)
        self(np.zeros((1, SIDE, SIDE), np.float32))

    def __call__(self, rows: np.ndarray, steps: bool = False) -> Output:
        """(Recurrent models always answer per row here: one fused op, the head costs next to nothing.)"""
        return _output(self._session.run(None, {"rows": rows})[0], self.has_steps)


def _output(result: np.ndarray, has_steps: bool) -> Output:
    """Recurrent models answer after every row [N, 28, 10]; their final answer is the last row's."""
    return Output(np.ascontiguousarray(result[:, -1]), result) if has_steps else Output(result, None)


Runner = GraphModel | OnnxModel


@dataclass(frozen=True)
class Pending:
    """A request waiting for the model: its digits, whether it wants per-row answers, its answer."""

    rows: np.ndarray
    steps: bool
    future: asyncio.Future[Output]


class MicroBatcher:
    """Gather concurrent requests into one model call (see module docstring)."""

    def __init__(
        self,
        model: Runner,
        *,
        max_batch_size: int,
        max_queue: int,
        timeout_s: float,
        on_batch: Callable[[int], None] = lambda size: None,
    ) -> None:
        self._model = model
        self._inline_digits = model.inline_digits
        self._on_batch = on_batch
        self._max_batch_size = max_batch_size
        self._max_queue = max_queue
        self._timeout_s = timeout_s
        self._pending: collections.deque[Pending] = collections.deque()
        self._queued_digits = 0
        self._wakeup: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rowscan-model")

    async def run(self, rows: np.ndarray, steps: bool = False) -> Output:
        """Probabilities (and, with `steps`, per-row answers) for float32 [N, 28, 28] rows, in one call shared with others."""
        if self._worker is None:
            self._wakeup = asyncio.Event()
            self._worker = asyncio.get_running_loop().create_task(self._serve_forever(), name="rowscan-batcher")
        if self._queued_digits + len(rows) > self._max_queue:
            raise Overloaded(f"{self._queued_digits} digits already queued (limit {self._max_queue})")
        future: asyncio.Future[Output] = asyncio.get_running_loop().create_future()
        self._pending.append(Pending(rows, steps, future))
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
            rows = np.concatenate([item.rows for item in batch]) if len(batch) > 1 else batch[0].rows
            steps = any(item.steps for item in batch)
            self._on_batch(len(rows))
            try:
                if len(rows) <= self._inline_digits:
                    output = self._model(rows, steps)
                else:
                    output = await loop.run_in_executor(self._executor, self._model, rows, steps)
            except Exception as exc:
                log.exception("model call failed for a batch of %d digits", len(rows))
                for item in batch:
                    if not item.future.done():
                        item.future.set_exception(exc)
                continue
            start = 0
            for item in batch:
                end = start + len(item.rows)
                if not item.future.done():  # a caller that timed out has gone
                    item_steps = output.steps[start:end] if item.steps and output.steps is not None else None
                    item.future.set_result(Output(output.probabilities[start:end], item_steps))
                start = end

    def _take_batch(self) -> list[Pending]:
        """Whole requests, oldest first, up to max_batch_size digits (at least one request)."""
        batch = [self._pending.popleft()]
        size = len(batch[0].rows)
        while self._pending and size + len(self._pending[0].rows) <= self._max_batch_size:
            item = self._pending.popleft()
            batch.append(item)
            size += len(item.rows)
        self._queued_digits -= size
        return batch
