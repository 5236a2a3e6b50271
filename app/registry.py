"""The models the service answers with and the predict step they share (loaded by `app/model_loading.py`).

preprocess (app.preprocess, in the routes) -> `ServedModel.predict` (batched graph call)
-> `Prediction` (digit, confidence, probabilities, per-row answers), the same for every route.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.disagreements import find_disagreements
from app.inference import MicroBatcher, Output, Runner
from app.preprocess import Prepared
from app.versions import SHIPPED_VERSION
from model import artifacts, inspect
from model.artifacts import Misses
from model.shapes import DIGITS, ROWS


class UnknownModel(LookupError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"unknown model '{name}'; available: {', '.join(known)}")
        self.name = name


class UnknownVersion(LookupError):
    def __init__(self, name: str, version: str, known: list[str]) -> None:
        super().__init__(f"model '{name}' has no version {version}; available: {', '.join(known)}")


@dataclass(frozen=True)
class Prediction:
    digit: int | None  # None when nothing was drawn
    confidence: float
    probabilities: np.ndarray  # [10]
    empty: bool
    input: np.ndarray  # [28, 28] what the model saw
    steps: np.ndarray | None  # [28, 10] when asked for


@dataclass
class ServedModel:
    name: str
    directory: Path
    sha256: str
    metrics: dict[str, Any]
    history: dict[str, Any]
    misses: Misses
    runner: Runner  # the forward pass: a traced TensorFlow graph (GraphModel) or an ONNX Runtime session (OnnxModel)
    batcher: MicroBatcher
    version: str = SHIPPED_VERSION  # TF Serving / KServe version label; the sha256 identifies the weights

    @property
    def has_steps(self) -> bool:
        return self.runner.has_steps

    @functools.cached_property
    def inspector(self) -> inspect.RecurrentInspector:
        """The recurrent layer's weights for `explain`, read from the model file on first use (not at start-up)."""
        return inspect.load(self.directory / artifacts.MODEL_FILE)

    async def infer(self, rows: np.ndarray, steps: bool = False) -> Output:
        """Raw probabilities (and per-row answers if asked) for float32 [N, 28, 28]: the tensor APIs use it directly."""
        return await self.batcher.run(rows, steps)

    async def predict(self, inputs: list[Prepared], *, with_steps: bool = False) -> list[Prediction]:
        """Answers for prepared digits; empty drawings get no guess and skip the model."""
        drawn = [i for i, prepared in enumerate(inputs) if not prepared.empty]
        output = await self.infer(np.stack([inputs[i].pixels for i in drawn]), with_steps) if drawn else None
        row_of = {index: row for row, index in enumerate(drawn)}
        predictions = []
        for index, prepared in enumerate(inputs):
            if prepared.empty:
                probabilities = np.zeros(DIGITS, np.float32)
                steps = np.zeros((ROWS, DIGITS), np.float32) if with_steps and self.has_steps else None
                predictions.append(Prediction(None, 0.0, probabilities, True, prepared.pixels, steps))
                continue
            row = row_of[index]
            probabilities = output.probabilities[row]
            digit = int(probabilities.argmax())
            steps = output.steps[row] if with_steps and output.steps is not None else None
            predictions.append(Prediction(digit, float(probabilities[digit]), probabilities, False, prepared.pixels, steps))
        return predictions

    def reference(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "sha256": self.sha256}


class ModelRegistry:
    """The served models: `models` maps each name to the version answering by default (the promoted one);
    `versions` holds every loaded version of each (app.watcher adds new ones and switches on promotion)."""

    def __init__(
        self, versions: dict[str, dict[str, ServedModel]], promoted: dict[str, str], default: str, runtime: dict[str, Any]
    ) -> None:
        self.versions = versions
        self.models = {name: versions[name][version] for name, version in promoted.items()}
        self.default = default
        self.runtime = runtime  # backend, device, library versions
        self.disagreements = find_disagreements(list(self.models.values()))  # once per promotion, not per request

    def get(self, name: str | None = None, version: str | None = None) -> ServedModel:
        try:
            served = self.models[name or self.default]
        except KeyError:
            raise UnknownModel(str(name), list(self.models)) from None
        if version is None or version == served.version:
            return served
        try:
            return self.versions[served.name][version]
        except KeyError:
            raise UnknownVersion(served.name, version, list(self.versions[served.name])) from None

    def add_version(self, served: ServedModel) -> None:
        self.versions[served.name][served.version] = served

    def promote(self, name: str, version: str) -> None:
        """Answer with a loaded version by default from now on (one dict assignment: no request sees a gap)."""
        self.models[name] = self.versions[name][version]
        self.disagreements = find_disagreements(list(self.models.values()))

    def lineage(self, name: str) -> list[dict[str, Any]]:
        """Each version of a model, oldest first: where it came from and what fine-tuning changed (the model card)."""
        promoted = self.models[name].version
        return [
            {
                "version": version,
                "promoted": version == promoted,
                "sha256": served.sha256,
                "test_accuracy": served.metrics["test_accuracy"],
                "lineage": served.metrics.get("lineage"),
            }
            for version, served in self.versions[name].items()
        ]

    async def close(self) -> None:
        for versions in self.versions.values():
            for served in versions.values():
                await served.batcher.close()
