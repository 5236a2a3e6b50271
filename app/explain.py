"""`"explain": true`: the recurrent layer's memory and gates row by row, and which rows decided the answer.

The insides come from `model.inspect` (NumPy on the model's own weights: works on any backend,
TensorFlow never imported for it); the occlusion scores from one batched call of the digit with
each inked row blanked, through the served model like any other request.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor

import numpy as np

from app.errors import ApiError
from app.registry import Prediction, ServedModel
from model import inspect

DECIMALS = 6  # ~1e-6 is far below what any view shows, and halves the answer's size against float32's 9 digits


def check_explainable(served: ServedModel, explain: bool) -> None:
    if explain and not served.has_steps:
        raise ApiError(
            422,
            "no_explain",
            f"model '{served.name}' does not read row by row: it has no memory or gates to show; omit 'explain'",
        )


async def explain(pool: Executor, served: ServedModel, prediction: Prediction, label: int | None) -> dict | None:
    """The `explain` field of an answer; None for an empty drawing (nothing was read).
    Row scores follow the true digit when the caller knows it (`label`), else the predicted one."""
    if prediction.empty:
        return None
    digit = prediction.digit if label is None else label
    # ~1-2 ms of NumPy: off the event loop, on the app's small preprocessing pool
    insides = await asyncio.get_running_loop().run_in_executor(pool, served.inspector.run, prediction.input[None])
    copies, inked = inspect.occluded_copies(prediction.input)
    occluded = (await served.infer(copies)).probabilities if len(inked) else np.zeros((0, 10), np.float32)
    fields = {
        "hidden": insides.hidden[0],
        **({"cell": insides.cell[0]} if insides.cell is not None else {}),
        "gates": {name: values[0] for name, values in insides.gates.items()},
        "row_change": inspect.row_change(insides.steps[0], digit),
        "row_occlusion": inspect.row_occlusion(float(prediction.probabilities[digit]), occluded, inked, digit),
    }
    return _rounded(fields)


def _rounded(value):
    if isinstance(value, dict):
        return {key: _rounded(item) for key, item in value.items()}
    return np.round(np.asarray(value, np.float64), DECIMALS)
