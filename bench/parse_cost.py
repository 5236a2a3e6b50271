"""The CPU cost of parsing one normal /api/predict body, version 1's way against today's, in this process
(run by bench/hostile.py before its attacks, and alone with `bench/hostile.py --parse-only`)."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable


def parse_cost(repeats: int = 3000) -> None:
    """Parsing one normal body (784 floats as a browser writes them), the way version 1 did (pydantic's
    JSON parser, pixels typed as float lists) and the way app.deps does now (budget count, orjson,
    pixels as a plain list): medians of `repeats` in this process, and the ratio."""
    from pydantic import BaseModel, ConfigDict

    from app import bounded_json
    from app.schemas import PredictRequest

    class Version1Request(BaseModel):  # the v1 shape, as the baseline
        model_config = ConfigDict(extra="forbid")
        image: str | None = None
        pixels: list[list[float]] | list[float] | None = None
        steps: bool = False
        model: str | None = None

    budget = bounded_json.JsonBudget.for_digits(256)
    bodies = {
        "784 numbers, flat": json.dumps({"pixels": [((i * 37) % 255) / 255 for i in range(784)]}).encode(),
        "28x28 numbers, nested": json.dumps(
            {"pixels": [[((r * 28 + c) % 255) / 255 for c in range(28)] for r in range(28)]}
        ).encode(),
    }
    for name, body in bodies.items():
        before = _median_us(lambda b=body: Version1Request.model_validate_json(b), repeats)
        after = _median_us(lambda b=body: PredictRequest.model_validate(bounded_json.load(b, budget)), repeats)
        print(f"parse {name} ({len(body):,} bytes): v1 {before:.1f} us, now {after:.1f} us (x{before / after:.2f} faster)")


def _median_us(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6
