"""Grey ink to the 28x28 digit the network was trained on, framed the way MNIST's digits were.

MNIST digits were made a specific way (LeCun, Cortes, Burges): the ink was size-normalised to fit
a 20x20 box keeping its aspect ratio, anti-aliased to grey levels, then placed in a 28x28 field so
that its centre of mass sits at the centre (pixel 14, 14). The network only answers well on inputs
made the same way: find the ink (specks and JPEG noise ignored) -> crop -> stroke width brought into
MNIST's range -> longer side to 20 px, anti-aliased -> centre of mass to the centre of 28x28.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from model.shapes import ROWS
from model.stroke_width import normalise_stroke

SIDE = ROWS  # the model's input is square: model.shapes.ROWS == COLS
BOX = 20  # the longer side of the ink after size normalisation, as in MNIST
CENTRE = 14.0  # MNIST's centre of mass sits at pixel (14, 14) (measured: mean 13.99, 14.00)

INK_THRESHOLD = 0.25  # ink level (after contrast normalisation) that counts as a stroke
MIN_CONTRAST = 0.15  # ink no brighter than this above the background means an empty drawing
MIN_COMPONENT_SHARE = 0.03  # strokes holding less of the ink than this are specks
MIN_INK_EXTENT = 0.06  # ink spanning less than this share of the image's longer side is a speck


@dataclass(frozen=True)
class Prepared:
    pixels: np.ndarray  # float32 [28, 28], light ink on a dark background, in [0, 1]
    empty: bool  # no digit drawn: the service says "draw a digit" instead of guessing


def frame_like_mnist(ink: np.ndarray) -> Prepared:
    """Crop the ink, normalise stroke and size, centre by mass in 28x28 (see module docstring)."""
    # The ink's full strength. (A percentile would ignore hot pixels, but also a short hairline:
    # specks are dropped below instead, by the size of their connected ink.)
    peak = float(ink.max(initial=0.0))
    if peak < MIN_CONTRAST:
        return _empty()
    ink = np.clip(ink / peak, 0.0, 1.0)
    kept = _ink_mask(ink)
    if kept is None:
        return _empty()
    top, bottom, left, right = _bounds(kept)
    # Only ink belonging to kept strokes (and its anti-aliased rim) survives the crop.
    rim = ndimage.maximum_filter(kept[top:bottom, left:right], size=5)
    crop = np.where(rim, ink[top:bottom, left:right], 0.0).astype(np.float32)
    crop = normalise_stroke(crop, BOX / max(crop.shape), INK_THRESHOLD)
    top, bottom, left, right = _bounds(crop > INK_THRESHOLD)
    crop = crop[top:bottom, left:right]

    scale = BOX / max(crop.shape)
    height = max(1, round(crop.shape[0] * scale))
    width = max(1, round(crop.shape[1] * scale))
    small = np.asarray(Image.fromarray(crop, mode="F").resize((width, height), Image.Resampling.BILINEAR))
    small = np.clip(small / max(float(small.max()), 1e-6), 0.0, 1.0)  # a thin line stays full-strength
    return Prepared(_centre_by_mass(small), empty=False)


def _bounds(mask: np.ndarray) -> tuple[int, int, int, int]:
    """top, bottom, left, right (exclusive) of the True pixels of a non-empty mask."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _ink_mask(ink: np.ndarray) -> np.ndarray | None:
    """Strokes: connected ink above threshold. Specks are dropped: pieces spanning less than
    MIN_INK_EXTENT of the image, or holding less than MIN_COMPONENT_SHARE of all the ink."""
    mask = ink > INK_THRESHOLD
    labels, count = ndimage.label(mask, structure=np.ones((3, 3)))
    if count == 0:
        return None
    mass = np.bincount(labels.ravel(), weights=ink.ravel(), minlength=count + 1)
    extent = np.zeros(count + 1)
    extent[1:] = [max(rows.stop - rows.start, cols.stop - cols.start) for rows, cols in ndimage.find_objects(labels)]
    keep = (mass >= MIN_COMPONENT_SHARE * mass[1:].sum()) & (extent >= MIN_INK_EXTENT * max(ink.shape))
    keep[0] = False  # background
    return keep[labels] if keep.any() else None


def _centre_by_mass(small: np.ndarray) -> np.ndarray:
    """Place a <=20x20 digit in 28x28 so its centre of mass lands on pixel (14, 14) (whole-pixel shift)."""
    pad = SIDE
    canvas = np.zeros((small.shape[0] + 2 * pad, small.shape[1] + 2 * pad), dtype=np.float32)
    canvas[pad : pad + small.shape[0], pad : pad + small.shape[1]] = small
    com_row, com_col = ndimage.center_of_mass(small)
    top = pad + int(round(com_row - CENTRE))
    left = pad + int(round(com_col - CENTRE))
    return canvas[top : top + SIDE, left : left + SIDE].copy()


def _empty() -> Prepared:
    return Prepared(np.zeros((SIDE, SIDE), dtype=np.float32), empty=True)
