"""Re-drawn MNIST: test digits rendered onto a 280x280 canvas the way people draw them.

Public digit demos score ~99% on MNIST and then fail on drawings, because a drawing is
not framed like an MNIST digit. This set measures that gap: every test digit is redrawn
at a random size (30-95% of the canvas height) and position, with its strokes made
thicker or thinner, as dark ink on light paper or light on dark, some on a transparent
canvas, some in colour, some saved as JPEG. Seeded, so every run sees the same set.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

CANVAS = 280
SEED = 28


@dataclass(frozen=True)
class Drawing:
    data: bytes  # the encoded image file (PNG or JPEG)
    label: int
    style: str  # e.g. "png dark-on-light transparent", for per-style accuracy


def redraw(image: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str]:
    """One 28x28 uint8 MNIST digit -> an encoded 280x280 drawing and a description of its style."""
    ink = _upscaled_ink(image, rng)
    ink = _change_thickness(ink, rng)
    canvas = np.zeros((CANVAS, CANVAS), dtype=np.float32)
    top = rng.integers(0, CANVAS - ink.shape[0] + 1)
    left = rng.integers(0, CANVAS - ink.shape[1] + 1)
    canvas[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    return _encode(canvas, rng)


def redrawn_set(images: np.ndarray, labels: np.ndarray, seed: int = SEED) -> Iterator[Drawing]:
    rng = np.random.default_rng(seed)
    for image, label in zip(images, labels, strict=True):
        data, style = redraw(image, rng)
        yield Drawing(data, int(label), style)


def _upscaled_ink(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Crop the digit and scale it so its height is 30-95% of the canvas, strokes made crisp."""
    rows, cols = np.flatnonzero(image.any(axis=1)), np.flatnonzero(image.any(axis=0))
    crop = image[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32) / 255.0
    height = rng.uniform(0.30, 0.95) * CANVAS
    factor = height / crop.shape[0]
    width = min(crop.shape[1] * factor, CANVAS)
    resized = Image.fromarray(crop, mode="F").resize((max(1, round(width)), round(height)), Image.Resampling.BICUBIC)
    # A pen stroke has a hard edge; upscaled MNIST is blurry. Steepen the edge.
    return np.clip((np.asarray(resized) - 0.25) * 2.5, 0.0, 1.0)


def _change_thickness(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Thicker (dilate) or thinner (erode) strokes, by up to about half a stroke width."""
    stroke = max(1, round(ink.shape[0] / 9))  # MNIST strokes are ~2.6 px of a ~20 px digit
    change = round(rng.uniform(-0.5, 0.8) * stroke)
    if change > 0:
        return _fit(ndimage.grey_dilation(np.pad(ink, change), size=(change + 1, change + 1)))
    if change < 0:
        thinner = ndimage.grey_erosion(ink, size=(1 - change, 1 - change))
        return thinner if thinner.max() > 0.5 else ink
    return ink


def _fit(ink: np.ndarray) -> np.ndarray:
    """Shrink ink that grew past the canvas so the whole digit stays on it."""
    factor = CANVAS / max(ink.shape)
    if factor >= 1:
        return ink
    size = (max(1, int(ink.shape[1] * factor)), max(1, int(ink.shape[0] * factor)))
    return np.asarray(Image.fromarray(ink, mode="F").resize(size, Image.Resampling.BILINEAR))


def _encode(ink: np.ndarray, rng: np.random.Generator) -> tuple[bytes, str]:
    dark_on_light = rng.random() < 0.5
    transparent = rng.random() < 0.25
    coloured = rng.random() < 0.2
    as_jpeg = not transparent and rng.random() < 0.3

    ink_colour = np.array(_ink_colour(dark_on_light, coloured, rng), dtype=np.float32)
    paper = np.array([255.0] * 3 if dark_on_light else [0.0] * 3, dtype=np.float32)
    alpha = ink[..., np.newaxis]
    if transparent:
        rgba = np.concatenate([np.broadcast_to(ink_colour, ink.shape + (3,)), alpha * 255.0], axis=-1)
        image = Image.fromarray(rgba.round().astype(np.uint8), mode="RGBA")
    else:
        rgb = alpha * ink_colour + (1.0 - alpha) * paper
        image = Image.fromarray(rgb.round().astype(np.uint8), mode="RGB")

    buffer = io.BytesIO()
    if as_jpeg:
        image.save(buffer, format="JPEG", quality=int(rng.integers(70, 96)))
    else:
        image.save(buffer, format="PNG")
    style = " ".join(
        part
        for part in (
            "jpeg" if as_jpeg else "png",
            "dark-on-light" if dark_on_light else "light-on-dark",
            "transparent" if transparent else "",
            "colour" if coloured else "",
        )
        if part
    )
    return buffer.getvalue(), style


def _ink_colour(dark_on_light: bool, coloured: bool, rng: np.random.Generator) -> list[float]:
    if coloured:  # a blue or red pen on paper, a yellow or cyan chalk on a board
        options = [[20, 40, 200], [200, 30, 30]] if dark_on_light else [[250, 230, 60], [80, 230, 250]]
        return options[rng.integers(len(options))]
    return [0.0] * 3 if dark_on_light else [255.0] * 3
