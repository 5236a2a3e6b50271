"""Already-prepared input (28x28 or 784 numbers, light ink on dark, in [0, 1]): checked, used as it is."""

from __future__ import annotations

import numpy as np

from app.preprocess.framing import SIDE, Prepared
from app.preprocess.input_errors import InvalidPixels

MIN_PIXEL_INK = 2.0  # a prepared 28x28 holding less ink than two full pixels is empty


def prepare_pixels(values: object) -> Prepared:
    """Already-prepared input: 28x28 or 784 numbers in [0, 1], light ink on dark, used as they are."""
    array = check_rows(values, "pixels")
    return Prepared(array[0], empty=float(array.sum()) < MIN_PIXEL_INK)


def check_rows(values: object, name: str = "input", *, batched: bool = False) -> np.ndarray:
    """Prepared digits as float32 [N, 28, 28], from one digit (28x28 or 784) or, if batched, N of them.

    Raises InvalidPixels naming `name` when the numbers are not numbers, not that shape, or not in [0, 1].
    """
    expected = f"{'N x ' if batched else ''}28x28 (or {'N x ' if batched else ''}784) numbers in [0, 1]"
    try:
        with np.errstate(over="ignore"):  # 1e40 becomes inf, reported below
            array = np.asarray(values, dtype=np.float32)
    except (ValueError, TypeError, OverflowError):
        raise InvalidPixels(f"{name} must be numbers in nested lists; expected {expected}") from None
    if batched and (array.ndim == 0 or array.shape[0] == 0):
        raise InvalidPixels(f"{name} holds no digits; expected {expected}")
    digits = array.shape[:1] if batched else ()
    if array.shape == digits + (SIDE * SIDE,):
        array = array.reshape(digits + (SIDE, SIDE))
    if array.shape != digits + (SIDE, SIDE):
        raise InvalidPixels(f"{name} has shape {list(array.shape)}; expected {expected}")
    if not np.isfinite(array).all():
        raise InvalidPixels(f"{name} contains NaN, infinity or numbers too large for float32; expected {expected}")
    low, high = float(array.min()), float(array.max())
    if low < 0.0 or high > 1.0:
        raise InvalidPixels(f"{name} values range from {low:g} to {high:g}; expected [0, 1] (divide 0-255 values by 255)")
    return array.reshape((-1, SIDE, SIDE))
