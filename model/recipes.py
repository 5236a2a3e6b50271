"""Training recipes: what `rowscan train --config NAME` does (one place for every training figure)."""

from __future__ import annotations

from dataclasses import dataclass

from model.augment import Augmentation

SEED = 2026


@dataclass(frozen=True)
class TrainConfig:
    description: str
    epochs: int
    batch_size: int = 128
    learning_rate: float = 1e-3
    cosine_decay: bool = False  # decay the learning rate to ~0 over the run
    augmentation: Augmentation | None = None
    seed: int = SEED
    styles: bool = False  # add styled copies of training digits (model/styles.py)
    needs_parent: bool = False  # a fine-tune: starts from a trained model's weights (--init-from)


CONFIGS: dict[str, TrainConfig] = {
    "seed": TrainConfig(
        description="The notebook's recipe: Adam 1e-3, batch 128, no augmentation, constant learning rate.",
        epochs=20,
    ),
    "default": TrainConfig(
        description=(
            "Shipped: Adam 1e-3 with cosine decay, batch 128, drawing-like augmentation "
            "(rotation, slant, scale, shift, thicker and thinner strokes)."
        ),
        epochs=40,
        cosine_decay=True,
        augmentation=Augmentation(),
    ),
    "styles": TrainConfig(
        description=(
            "Style fine-tune: from a trained model of the same network (--init-from), 3 epochs of Adam 2e-4, "
            "the shipped augmentation, on MNIST plus styled copies of a third of its digits (model/styles.py: "
            "flagged 1s, crossed and hooked 7s, closed and crossed 4s, curled 9s, looped 2s, canvas strokes)."
        ),
        epochs=3,
        learning_rate=2e-4,
        augmentation=Augmentation(),
        styles=True,
        needs_parent=True,
    ),
}
