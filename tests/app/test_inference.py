"""The micro-batcher: lone requests run at once, concurrent ones share a model call, limits hold."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from app.inference import InferenceTimeout, MicroBatcher, Output, Overloaded


class SlowModel:
    """Stands in for the graph: records batch sizes, takes `delay` seconds, answers row sums."""

    has_steps = True

    def __init__(self, delay: float = 0.05, inline_digits: int = 0) -> None:
        self.delay = delay
        self.inline_digits = inline_digits
        self.threads: list[str] = []
        self.batches: list[int] = []
        self.steps_asked: list[bool] = []
        self.release = threading.Event()
        self.release.set()

    def __call__(self, rows: np.ndarray, steps: bool = False) -> Output:
        self.release.wait()
        self.threads.append(threading.current_thread().name)
        self.batches.append(len(rows))
        self.steps_asked.append(steps)
        time.sleep(self.delay)
        sums = rows.reshape(len(rows), -1).sum(axis=1, keepdims=True)
        probabilities = np.repeat(sums, 10, axis=1).astype(np.float32)
        return Output(probabilities, np.repeat(probabilities[:, None], 28, axis=1) if steps else None)


def digits(value: float, count: int = 1) -> np.ndarray:
    return np.full((count, 28, 28), value, dtype=np.float32)


def make(model, **overrides) -> MicroBatcher:
    options = {"max_batch_size": 64, "max_queue": 1000, "timeout_s": 5.0} | overrides
    return MicroBatcher(model, **options)


@pytest.mark.anyio
async def test_lone_request_runs_at_once():
    model = SlowModel(delay=0.0)
    batcher = make(model)
    started = time.perf_counter()
    output = await batcher.run(digits(0.5))
    assert time.perf_counter() - started < 0.5  # no fixed wait for company
    assert output.probabilities[0, 0] == pytest.approx(0.5 * 784)
    await batcher.close()


@pytest.mark.anyio
async def test_small_batches_of_an_inline_runner_run_on_the_loop_thread_and_large_ones_on_the_model_thread():
    model = SlowModel(delay=0.0, inline_digits=4)
    batcher = make(model)
    small = await batcher.run(digits(0.5, count=4))
    large = await batcher.run(digits(0.25, count=5))
    assert model.threads == [threading.current_thread().name, "rowscan-model_0"]
    assert small.probabilities[:, 0] == pytest.approx([0.5 * 784] * 4)
    assert large.probabilities[:, 0] == pytest.approx([0.25 * 784] * 5)
    await batcher.close()


@pytest.mark.anyio
async def test_concurrent_requests_share_model_calls_and_get_their_own_answers():
    model = SlowModel(delay=0.05)
    batcher = make(model)
    outputs = await asyncio.gather(*(batcher.run(digits(i / 100, count=1 + i % 3)) for i in range(40)))
    for i, output in enumerate(outputs):
        assert output.probabilities.shape == (1 + i % 3, 10)
        np.testing.assert_allclose(output.probabilities, i / 100 * 784, rtol=1e-5)
    assert sum(model.batches) == sum(1 + i % 3 for i in range(40))
    assert len(model.batches) < 10  # the first call runs alone; the rest queue up behind it and go together
    assert max(model.batches) <= 64
    await batcher.close()


@pytest.mark.anyio
async def test_per_row_answers_only_for_those_who_ask():
    model = SlowModel(delay=0.05)
    batcher = make(model)
    first = asyncio.ensure_future(batcher.run(digits(0.1)))  # runs alone, without steps
    await asyncio.sleep(0.01)
    plain, with_steps = await asyncio.gather(batcher.run(digits(0.2)), batcher.run(digits(0.3), steps=True))
    assert (await first).steps is None and model.steps_asked[0] is False
    assert plain.steps is None  # shared a call that computed steps, but did not ask for them
    assert with_steps.steps.shape == (1, 28, 10)
    assert model.steps_asked[1:] == [True] and model.batches[1:] == [2]
    await batcher.close()


@pytest.mark.anyio
async def test_full_queue_answers_overloaded():
    model = SlowModel()
    model.release.clear()  # the model is stuck: requests pile up
    batcher = make(model, max_queue=10)
    first = asyncio.ensure_future(batcher.run(digits(0.1, 8)))
    await asyncio.sleep(0.05)
    queued = asyncio.ensure_future(batcher.run(digits(0.1, 8)))
    await asyncio.sleep(0.01)
    with pytest.raises(Overloaded):
        await batcher.run(digits(0.1, 3))
    model.release.set()
    await asyncio.gather(first, queued)
    await batcher.close()


@pytest.mark.anyio
async def test_model_timeout():
    model = SlowModel()
    model.release.clear()
    batcher = make(model, timeout_s=0.1)
    with pytest.raises(InferenceTimeout, match="within 0.1 s"):
        await batcher.run(digits(0.1))
    model.release.set()
    await batcher.close()


@pytest.mark.anyio
async def test_a_failing_model_call_fails_its_callers_only():
    class Broken(SlowModel):
        def __call__(self, rows, steps=False):
            if rows.max() > 0.9:
                raise RuntimeError("boom")
            return super().__call__(rows, steps)

    batcher = make(Broken(delay=0.0))
    with pytest.raises(RuntimeError, match="boom"):
        await batcher.run(digits(1.0))
    assert (await batcher.run(digits(0.5))).probabilities.shape == (1, 10)  # still serving
    await batcher.close()


@pytest.fixture
def anyio_backend():
    return "asyncio"
