"""What `rowscan train` can train: the networks (by name) and the recipes, without TensorFlow.

Kept apart from the training code so that `rowscan train --help`, which lists them, answers at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

SEED = 2026

ARCHITECTURES = {
    "lstm": "Dense(128) per row -> LSTM(128) -> Dense(10) from the last row",
    "gru": "Dense(128) per row -> GRU(150) -> Dense(10) from the last row",
    "cnn": "Conv(32,3x3) -> pool -> Conv(64,3x3) -> pool -> Dense(128) -> dropout 0.3 -> Dense(10)",
}


@dataclass(frozen=True)
class Augmentation:
    """How far model/augment.py bends a training digit, each draw uniform within these ranges."""

    max_rotation_deg: float = 12.0
    max_shear: float = 0.25  # horizontal shear factor (slant)
    min_scale: float = 0.85
    max_scale: float = 1.15
    max_shift_px: float = 2.5
    thicken_probability: float = 0.15
    thin_probability: float = 0.10


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
            "Style fine-tune: from a trained model of the same network (--init-from), 6 epochs of Adam 2e-4 with "
            "cosine decay, the shipped augmentation, on MNIST plus styled copies of a third of its digits "
            "(model/styles.py: flagged 1s, crossed and hooked 7s, closed and crossed 4s, curled 9s, looped 2s, "
            "curled 6s, small-topped 8s, canvas strokes, broader and finer pens)."
        ),
        epochs=6,
        learning_rate=2e-4,
        cosine_decay=True,
        augmentation=Augmentation(),
        styles=True,
        needs_parent=True,
    ),
}
CONFIGS["styles-gentle"] = replace(
    CONFIGS["styles"],
    description=(
        "The style fine-tune at half the learning rate (Adam 1e-4 with cosine decay), for the GRU: at 2e-4 "
        "it lost 0.15 points of MNIST accuracy."
    ),
    learning_rate=1e-4,
)
