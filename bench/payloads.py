"""The request bodies the load tests send, built once and written to files (wrk reads its body from a file).

All three carry the same real MNIST test digit (the first of the model's recorded misses, from
misses.npz), so the paths differ only in what the server has to do with it:

- pixels: `{"pixels": 28x28 floats}` for POST /api/predict (already prepared: no image work);
- png: `{"image": "data:image/png;base64,..."}`, the digit upscaled onto a 280x280 canvas, black ink on
  white, RGBA, as the web UI's canvas exports it (decode + MNIST framing on the server);
- tfserving: `{"instances": [28x28 floats]}` for POST /v1/models/lstm:predict.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from bench.common import model_dir

CANVAS = 280  # the web UI exports its drawing at 280x280


def test_digit() -> np.ndarray:
    """A real 28x28 test digit as float pixels in [0, 1], light ink on dark (MNIST's polarity)."""
    with np.load(model_dir() / "misses.npz") as misses:
        return misses["images"][0].astype(np.float64) / 255.0


def pixels_body(digit: np.ndarray) -> bytes:
    return json.dumps({"pixels": digit.tolist()}).encode()


def tfserving_body(digit: np.ndarray) -> bytes:
    return json.dumps({"instances": [digit.tolist()]}).encode()


def png_data_url(digit: np.ndarray) -> str:
    """The digit drawn on a 280x280 canvas as the browser sends it: dark ink on white, PNG, data URL."""
    grey = Image.fromarray(np.round(255 * (1.0 - digit)).astype(np.uint8), mode="L")
    canvas = grey.resize((CANVAS, CANVAS), Image.Resampling.BICUBIC).convert("RGBA")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def png_body(digit: np.ndarray) -> bytes:
    return json.dumps({"image": png_data_url(digit)}).encode()


def write_bodies(folder: Path) -> dict[str, Path]:
    """Write every body to `folder`; returns {name: file}."""
    folder.mkdir(parents=True, exist_ok=True)
    digit = test_digit()
    files = {}
    for name, build in (("pixels", pixels_body), ("png", png_body), ("tfserving", tfserving_body)):
        files[name] = folder / f"{name}.json"
        files[name].write_bytes(build(digit))
    return files
