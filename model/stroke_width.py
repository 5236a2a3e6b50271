"""Stroke width brought into MNIST's range, at the scale a digit will be drawn at (20 px).

Shared by serving (app/preprocess/framing.py thins a marker's strokes and thickens a hairline
before the digit is shrunk) and the style synthesis (model/style_canvas.py frames its digits the
same way), so that a broad-pen digit is learnt as it will be seen: thinned back, loops half filled.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

STROKE_RANGE = (2.0, 3.2)  # stroke width (px at the 20 px scale): MNIST test set 5-95% range, same estimator


def stroke_width(mask: np.ndarray) -> float | None:
    """Twice the ink's area over its outline: the stroke width in pixels (exact for long thin strokes); None without ink."""
    area = int(mask.sum())
    perimeter = int((mask & ~ndimage.minimum_filter(mask, size=3)).sum())
    return 2.0 * area / perimeter if area and perimeter else None


def normalise_stroke(crop: np.ndarray, scale: float, ink_threshold: float) -> np.ndarray:
    """Grey ink `crop` that will be resized by `scale`, its strokes dilated or eroded into STROKE_RANGE.

    An erosion that would leave no ink above `ink_threshold` is not made.
    """
    width = stroke_width(crop > 0.5)
    if width is None:
        return crop
    low, high = STROKE_RANGE
    if width * scale < low:
        grow = round((low / scale - width) / 2)
        if grow < 1:
            return crop
        return ndimage.grey_dilation(np.pad(crop, grow), size=(2 * grow + 1,) * 2)
    if width * scale > high:
        shrink = round((width - high / scale) / 2)
        if shrink < 1:
            return crop
        thinner = ndimage.grey_erosion(crop, size=(2 * shrink + 1,) * 2)
        return thinner if (thinner > ink_threshold).any() else crop
    return crop
