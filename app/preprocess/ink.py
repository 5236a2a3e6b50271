"""Decoded pixels to grey ink in [0, 1]: any image mode, transparency composited, polarity made
light-on-dark (the paper's level read from the border), the background level taken off. Large
images are box-reduced first (cheap, and a thin line only gets fainter)."""

from __future__ import annotations

import numpy as np
from PIL import Image

BORDER_AGREEMENT_SHARE = 0.75  # of the outermost pixels within BORDER_AGREEMENT_DISTANCE of their median: that is the paper
BORDER_AGREEMENT_DISTANCE = 0.25
ANALYSIS_SIDE = 140  # larger images are box-reduced to 140-279 px first: 7x the 20 px target is plenty, and 4x faster than 280


def image_to_ink(image: Image.Image) -> np.ndarray:
    """Float ink in [0, 1] (1 = full ink) from any image mode, alpha and polarity handled."""
    image = _reduce(image)
    grey, alpha = _grey_and_alpha(image)
    if alpha is not None:
        # Composite onto whichever background contrasts with the strokes: black strokes on a
        # transparent canvas go onto white, white strokes onto black.
        opaque = alpha > 0.5
        strokes_dark = opaque.any() and float(np.median(grey[opaque])) < 0.5
        background = 1.0 if strokes_dark else 0.0
        grey = grey * alpha + background * (1.0 - alpha)
    background_level = _background_level(grey)
    ink = 1.0 - grey if background_level > 0.5 else grey
    return ink - min(background_level, 1.0 - background_level)


def _background_level(grey: np.ndarray) -> float:
    """The paper's grey level, read from the image's outermost pixels when they agree.

    The border is paper unless the drawing was cropped through its strokes; the whole image's
    median is not: a thick digit drawn large covers over half of the canvas, and its strokes were
    taken for the paper (the digit came out inverted). A border the strokes cross all over (a
    tight crop) falls back to the median of every fourth pixel, most of which are paper then.
    """
    ring = np.concatenate([grey[0], grey[-1], grey[1:-1, 0], grey[1:-1, -1]])
    level = float(np.median(ring))
    if np.mean(np.abs(ring - level) < BORDER_AGREEMENT_DISTANCE) >= BORDER_AGREEMENT_SHARE:
        return level
    return float(np.median(grey[::2, ::2]))


def _reduce(image: Image.Image) -> Image.Image:
    """Box-reduce by a whole factor to ANALYSIS_SIDE..2*ANALYSIS_SIDE px: a 1 px line just gets fainter."""
    factor = max(image.size) // ANALYSIS_SIDE
    if factor < 2:
        return image
    if image.mode not in ("L", "LA", "RGB", "RGBA", "I", "F"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    return image.reduce(factor)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("LA", "RGBA", "PA", "La", "RGBa") or "transparency" in image.info


def _grey_and_alpha(image: Image.Image) -> tuple[np.ndarray, np.ndarray | None]:
    if image.mode.startswith("I") or image.mode == "F":  # 16/32-bit grey: keep the full range
        values = np.asarray(image, dtype=np.float32)
        top = 65535.0 if values.max(initial=0) > 255 else 255.0
        return np.clip(values / top, 0.0, 1.0), None
    if _has_alpha(image):
        rgba = image.convert("RGBA")
        grey = np.asarray(rgba.convert("L"), dtype=np.float32) / 255.0  # ITU-R 601 luma, in C
        alpha = rgba.getchannel("A")
        if alpha.getextrema()[0] == 255:  # opaque after all, like a browser canvas export
            return grey, None
        return grey, np.asarray(alpha, dtype=np.float32) / 255.0
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0, None
