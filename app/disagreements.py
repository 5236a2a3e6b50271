"""The test digits that the served models answer differently (the /api/disagreements list).

Each model's misses are known when it loads (misses.npz), so the list is built once, by the registry,
instead of on every request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.registry import ServedModel


@dataclass(frozen=True)
class Disagreement:
    index: int  # position in the MNIST test set
    true: int
    predictions: dict[str, int]  # each model's answer, in the registry's order
    source: str  # a model that misses it: its misses hold the digit's image

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "true": self.true,
            "predictions": self.predictions,
            "correct": [name for name, digit in self.predictions.items() if digit == self.true],
            "image_url": f"/api/misses/{self.index}.png?model={self.source}",
            "detail_url": f"/api/misses/{self.index}?model={self.source}",
        }


def find_disagreements(models: list[ServedModel]) -> list[Disagreement]:
    """Every test digit some model misses, where not all models give the same answer, in test-set order.
    A model that does not miss a digit answered it right. With one model there are none."""
    answers: dict[int, dict[str, int]] = {}
    truth: dict[int, int] = {}
    source: dict[int, str] = {}
    for served in models:
        misses = served.misses
        rows = zip(misses.indices.tolist(), misses.labels.tolist(), misses.predictions.tolist(), strict=True)
        for index, true, predicted in rows:
            answers.setdefault(index, {})[served.name] = predicted
            truth[index] = true
            source.setdefault(index, served.name)
    found = []
    for index in sorted(answers):
        predictions = {served.name: answers[index].get(served.name, truth[index]) for served in models}
        if len(set(predictions.values())) > 1:
            found.append(Disagreement(index, truth[index], predictions, source[index]))
    return found
