"""Where trained models live and how to load them: what the service reads of what training wrote.

Each model is a folder under `model/artifacts/<name>/` holding:

    model.keras    the trained network (weights and graph, no optimizer state)
    metrics.json   test accuracy, per-class accuracy, confusion matrix, configuration, versions...
    history.json   loss and accuracy per epoch, train and validation
    misses.npz     every test image the model gets wrong, with its index, labels and probabilities
    model.onnx     the same network for the optional ONNX Runtime backend (`rowscan export --onnx`)
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
SHIPPED_MODEL = "lstm"
SEED_MODEL = "lstm-seed"

MODEL_FILE = "model.keras"
METRICS_FILE = "metrics.json"
HISTORY_FILE = "history.json"
MISSES_FILE = "misses.npz"
MISSES_KEYS = ("indices", "labels", "predictions", "probabilities", "images")
ONNX_FILE = "model.onnx"
ONNX_STEPS = "steps"  # output of recurrent models: probabilities after every row [N, 28, 10]
ONNX_PROBABILITIES = "probabilities"  # output of the CNN [N, 10]
ONNX_SOURCE_KEY = "rowscan.keras_sha256"  # metadata: the model.keras an ONNX file was exported from
COMPARISON_FILE = "comparison.json"  # written by `rowscan compare` beside the model folders


class ArtifactError(RuntimeError):
    """A missing or unreadable artifact; the message names the file and what is wrong."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


@dataclass(frozen=True)
class Misses:
    indices: np.ndarray  # int32 [M] test-set indices
    labels: np.ndarray  # uint8 [M] true digits
    predictions: np.ndarray  # uint8 [M] predicted digits
    probabilities: np.ndarray  # float32 [M, 10]
    images: np.ndarray  # uint8 [M, 28, 28]

    def __len__(self) -> int:
        return len(self.indices)


def load_keras_model(directory: Path):
    """Load `model.keras` (Keras imported lazily: TensorFlow takes seconds to import)."""
    import keras

    import model.network  # noqa: F401  registers the custom LastStep layer

    path = directory / MODEL_FILE
    if not path.is_file():
        raise ArtifactError(path, "model file not found (train one with `rowscan train`)")
    try:
        return keras.saving.load_model(path, compile=False)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise ArtifactError(path, f"cannot load the model ({type(exc).__name__}: {exc})") from exc


def load_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ArtifactError(path, "file not found")
    try:
        return json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(path, f"not valid JSON ({exc})") from exc


def load_metrics(directory: Path) -> dict[str, Any]:
    return load_json(directory / METRICS_FILE)


def load_history(directory: Path) -> dict[str, Any]:
    return load_json(directory / HISTORY_FILE)


def load_misses(directory: Path) -> Misses:
    path = directory / MISSES_FILE
    if not path.is_file():
        raise ArtifactError(path, "file not found")
    try:
        with np.load(path, allow_pickle=False) as stored:
            return Misses(*(stored[key] for key in MISSES_KEYS))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ArtifactError(path, f"cannot read the misses ({type(exc).__name__}: {exc})") from exc


def save_misses(directory: Path, arrays: dict[str, np.ndarray]) -> None:
    np.savez_compressed(directory / MISSES_FILE, **{key: arrays[key] for key in MISSES_KEYS})


def write_json(path: Path, content: dict[str, Any]) -> None:
    path.write_text(json.dumps(content, indent=2) + "\n")
