"""What the standard protocol adapters (routes/tfserving.py, routes/kserve.py) share: the tensor names of
the one signature every served model has, and finding a model and version as those servers do."""

from __future__ import annotations

from app.registry import ModelRegistry, ServedModel

INPUT_NAME = "rows"  # float32 [N, 28, 28] in [0, 1]
OUTPUT_NAME = "probabilities"  # float32 [N, 10]


def served_version(registry: ModelRegistry, name: str, version: str | None) -> ServedModel:
    """The model `name` (404 unknown_model if not served) at `version` (404 unknown_version if there is no such
    version; None: the promoted one)."""
    return registry.get(name, version)
