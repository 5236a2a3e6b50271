"""Handwriting styles MNIST lacks, synthesised from MNIST training digits (seeded NumPy, SciPy, Pillow).

MNIST's writers were American: its 1s are bare strokes, its 7s uncrossed, its 4s mostly open.
Models trained on it read a European 1 (a long flag at the top) as a 7. `stylised` turns a share
of the training digits into the missing styles, drawn onto the digit at 4x resolution, and frames
the result as MNIST does (longer side 20 px, centre of mass at the centre of 28x28):

- 1 flag: from the top of the stem down to the left, 15-45% of the digit's height long and
  40-65 degrees below the horizontal; with a base line (30-60% of the height) one time in three;
  a third of the 1s slanted further (shear 0.25-0.45 either way), the flag drawn so that it keeps
  its 40-65 degrees after the slant (a flatter flag over a leaning stem is a 7).
- 7 crossed: a bar through the stem at 40-65% of the height, 25-50% of the height long, within
  8 degrees of the horizontal. 7 hooked: a tick down from the top bar's left end, 10-25% of the height.
- 4 closed (one 4 in five: it comes near a 9): a diagonal from the top of the stem to the left end
  of the cross bar. 4 crossed stem: the cross bar carried on past the stem by 10-25% of the height.
- 9 curved tail: the foot of the stem curls left by 20-35% of the height.
- 2 loop: a small loop (20-30% of the height across) where the diagonal meets the base.
- 6 curled top: from the top of the stem, an arch over to the right (20-50% of the height across,
  rising 5-16%) that ends falling, 0-60 degrees past level; only on 6s whose loop is closed.
- 8 small top: the upper loop narrowed to 50-80% and shortened to 65-95% of its size about its own
  centre, the lower loop and the waist left as they are; kept only if both loops stay open.
- canvas strokes (any digit; model/style_canvas.py): the digit thinned to its skeleton and redrawn
  with a round brush 1.6-3.6 px wide; angular: the skeleton joined through a coarse grid, the
  polyline of a fast mouse or a coarse touch screen. Only digits whose loops are open (0, 6, 9
  one, 8 two) are thinned, and a redraw that loses or adds a loop is dropped: a blotted 8 must
  not become a 6.
- broader and finer pens (any digit not redrawn as strokes, six times in ten; model/style_canvas.py):
  every stroke up to 2.4 px wider or 1 px narrower. Framing then thins or thickens strokes back into
  MNIST's range as serving does (model/stroke_width.py): a marker's 9 is learnt with its loop half
  filled, as the service will show it to the network.

Unambiguous by construction: a flag is shorter and steeper than a 7's bar (which is about
horizontal and at least half the height long), a 7's crossing bar sits below its top bar and
crosses the stem, a 2's loop is small and at its foot, a 6's curl is a curve joined to its stem
above a closed loop (a 5's top is a separate flat bar over a bowl open to the left), and a
small-topped 8 keeps both loops. `docs/styles.png` shows samples (`python -m model.style_sheet
docs/styles.png`). This module shares nothing with the style benchmark
(model/style_benchmark.py), which measures whether the model generalises.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np
from scipy import ndimage

from model.style_canvas import SCALE, Canvas, frame, holes, loops, restroke, reweigh, slant

# The share of each digit's training images given a style (the rest of every class: strokes or a pen's weight).
STYLE_SHARE = {1: 0.6, 7: 0.5, 6: 0.5, 4: 0.4, 9: 0.3, 2: 0.3, 8: 0.3}
OTHER_SHARE = 0.3
MIN_INK_PIXELS = 12
LOOPS = {0: 1, 6: 1, 8: 2, 9: 1}  # loops a digit must show before it is thinned and redrawn
RESTROKE_SHARE = 0.3  # of the digits given a variant, also redrawn as canvas strokes
PLAIN_RESTROKE_SHARE = 0.5  # of the digits no variant fits, redrawn as canvas strokes
PEN_SHARE = 0.6  # of the digits not redrawn as strokes, drawn with a broader or finer pen


def _flagged_one(c: Canvas, rng: np.random.Generator, width: float) -> str:
    shear = rng.uniform(0.25, 0.45) * rng.choice([-1, 1]) if rng.random() < 1 / 3 else 0.0
    top_x = float(c.ink_columns(c.top).mean())
    length, angle = rng.uniform(0.15, 0.45) * c.height, math.radians(rng.uniform(40, 65))
    drop = length * math.sin(angle)
    reach = length * math.cos(angle) - shear * drop  # the slant adds shear * drop: the flag keeps its angle as seen
    c.draw([(top_x - reach, c.top + drop), (top_x, c.top)], width)
    style = "1 flag"
    if rng.random() < 1 / 3:
        foot_x, half = float(c.ink_columns(c.bottom).mean()), rng.uniform(0.15, 0.30) * c.height
        shift = rng.uniform(-0.3, 0.3) * half
        c.draw([(foot_x - half + shift, c.bottom), (foot_x + half + shift, c.bottom)], width)
        style = "1 flag and base"
    if shear:
        c.ink = slant(c.ink, shear)
        style += ", slanted"
    return style


def _crossed_seven(c: Canvas, rng: np.random.Generator, width: float) -> str:
    row = c.top + rng.uniform(0.40, 0.65) * c.height
    columns = c.ink_columns(row)
    if columns.size == 0:
        return ""
    half, tilt = rng.uniform(0.125, 0.25) * c.height, math.tan(math.radians(rng.uniform(-8, 8)))
    x = float(columns.mean()) + rng.uniform(-0.2, 0.2) * half
    c.draw([(x - half, row + tilt * half), (x + half, row - tilt * half)], width)
    return "7 crossed"


def _hooked_seven(c: Canvas, rng: np.random.Generator, width: float) -> str:
    band = c.mask[c.top : c.top + max(2, round(0.25 * c.height))]
    rows, cols = np.nonzero(band)
    corner = int(np.argmin(cols))
    x, y = float(cols[corner]), float(rows[corner] + c.top)
    drop = rng.uniform(0.10, 0.25) * c.height
    c.draw([(x, y), (x - rng.uniform(0.0, 0.06) * c.height, y + drop)], width)
    return "7 hooked"


def _bar_row(c: Canvas) -> int:
    """The 4's cross bar: the widest ink row in the middle of the digit."""
    rows = range(c.top + round(0.35 * c.height), c.top + round(0.8 * c.height))
    return max(rows, key=lambda r: np.ptp(c.ink_columns(r)) if c.ink_columns(r).size else -1)


def _closed_four(c: Canvas, rng: np.random.Generator, width: float) -> str:
    bar = _bar_row(c)
    right_half = c.mask[:, (c.left + c.right) // 2 :]
    stem_rows, stem_cols = np.nonzero(right_half)
    stem = (float(stem_cols[np.argmin(stem_rows)] + (c.left + c.right) // 2), float(stem_rows.min()))
    c.draw([stem, (float(c.ink_columns(bar).min()), float(bar))], width)
    return "4 closed"


def _crossed_four(c: Canvas, rng: np.random.Generator, width: float) -> str:
    bar = _bar_row(c)
    end = float(c.ink_columns(bar).max())
    c.draw([(end - 1, bar), (end + rng.uniform(0.10, 0.25) * c.height, bar + rng.uniform(-1, 1))], width)
    return "4 crossed stem"


def _curved_nine(c: Canvas, rng: np.random.Generator, width: float) -> str:
    foot_x, curl = float(c.ink_columns(c.bottom).mean()), rng.uniform(0.20, 0.35) * c.height
    c.draw([(foot_x, c.bottom - 1), (foot_x - 0.4 * curl, c.bottom + 0.12 * curl), (foot_x - curl, c.bottom - 0.1 * curl)], width)
    return "9 curved tail"


def _looped_two(c: Canvas, rng: np.random.Generator, width: float) -> str:
    band = c.mask[c.bottom - max(2, round(0.25 * c.height)) : c.bottom + 1]
    rows, cols = np.nonzero(band)
    corner = int(np.argmin(cols))
    x, y = float(cols[corner]), float(rows[corner] + c.bottom + 1 - band.shape[0])
    radius = rng.uniform(0.10, 0.15) * c.height
    angles = np.radians(np.linspace(120, 480, 16))
    centre_x, centre_y = x + 0.8 * radius, y - 1.1 * radius
    c.draw([(centre_x + radius * math.cos(a), centre_y + radius * math.sin(a)) for a in angles], min(width, 2.0))
    return "2 loop"


def _curled_six(c: Canvas, rng: np.random.Generator, width: float) -> str:
    if holes(c.ink > 0.5) < 1:  # an open 6 with a curl on top comes near a 5
        return ""
    x, y = float(c.ink_columns(c.top).mean()), float(c.top)
    half, rise = rng.uniform(0.10, 0.25) * c.height, rng.uniform(0.05, 0.16) * c.height
    angles = np.radians(np.linspace(180, 360 + rng.uniform(0, 60), 12))  # from the stem's top, over, and down
    c.draw([(x + half + half * math.cos(a), y + rise * math.sin(a)) for a in angles], width)
    return "6 curled top"


def _small_top_eight(c: Canvas, rng: np.random.Generator, width: float) -> str:
    labelled, count = loops(c.ink > 0.5)
    if count != 2:
        return ""
    ids = [int(i) for i in np.unique(labelled) if i]
    centres = ndimage.center_of_mass(labelled > 0, labelled, ids)
    (upper, (_, centre_x)), (lower, _) = sorted(zip(ids, centres, strict=True), key=lambda item: item[1][0])
    upper_rows, lower_rows = np.flatnonzero((labelled == upper).any(axis=1)), np.flatnonzero((labelled == lower).any(axis=1))
    if upper_rows.max() >= lower_rows.min():  # loops side by side: not an 8's
        return ""
    waist = (upper_rows.max() + lower_rows.min()) / 2
    narrow, short = rng.uniform(0.5, 0.8), rng.uniform(0.65, 0.95)
    ys, xs = np.mgrid[0 : c.ink.shape[0], 0 : c.ink.shape[1]].astype(np.float32)
    blend = np.clip((waist - ys) / (0.15 * c.height * SCALE), 0.0, 1.0)  # full squeeze from just above the waist
    source_x = centre_x + (xs - centre_x) * (1 + (1 / narrow - 1) * blend)
    source_y = np.where(ys < waist, waist - (waist - ys) / short, ys)
    before, c.ink = c.ink, ndimage.map_coordinates(c.ink, [source_y, source_x], order=1, cval=0.0).astype(np.float32)
    if holes(c.ink > 0.5) != 2:
        c.ink = before
        return ""
    return "8 small top"


VARIANTS: dict[int, list[Callable[[Canvas, np.random.Generator, float], str]]] = {
    1: [_flagged_one],
    7: [_crossed_seven, _hooked_seven],
    4: [_closed_four] + [_crossed_four] * 4,  # a closed 4 comes near a 9: one in five
    9: [_curved_nine],
    2: [_looped_two],
    6: [_curled_six],
    8: [_small_top_eight],
}


def stylise(image: np.ndarray, label: int, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """One uint8 28x28 MNIST digit in another style; returns the framed digit and the style's name."""
    if np.count_nonzero(image > 76) < MIN_INK_PIXELS:  # nothing to draw onto (MNIST has no such digit)
        return image.copy(), ""
    canvas = Canvas(image)
    width = rng.uniform(2.0, 3.0)
    styles = []
    if label in VARIANTS:
        variants = VARIANTS[label]
        styles.append(variants[rng.integers(len(variants))](canvas, rng, width))
    loops_before = holes(canvas.ink > 0.5)
    loops_intact = loops_before >= LOOPS.get(label, 0)  # a blotted loop would thin into a line
    strokes_share = RESTROKE_SHARE if any(styles) else PLAIN_RESTROKE_SHARE
    if loops_intact and rng.random() < strokes_share:
        before = canvas.ink
        styles.append(restroke(canvas, rng))
        if holes(canvas.ink > 0.5) != loops_before:  # a loop filled with ink thinned away: an 8 may look like a 6
            canvas.ink, styles[-1] = before, ""
    elif rng.random() < PEN_SHARE:
        styles.append(reweigh(canvas, rng))
    return frame(canvas.ink), ", ".join(s for s in styles if s)


def stylised(images: np.ndarray, labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Styled copies of a seeded share of the digits (STYLE_SHARE per class): images, labels, style names."""
    rng = np.random.default_rng(seed)
    share = np.array([STYLE_SHARE.get(int(label), OTHER_SHARE) for label in labels])
    chosen = np.flatnonzero(rng.random(len(labels)) < share)
    made = [stylise(images[i], int(labels[i]), rng) for i in chosen]
    return np.stack([m[0] for m in made]), labels[chosen].copy(), [m[1] for m in made]


def with_styles(images: np.ndarray, labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The digits followed by their styled copies, and how many of each style were added (for metrics.json)."""
    styled, styled_labels, names = stylised(images, labels, seed)
    counts = Counter(name or "reframed only" for name in names)
    return np.concatenate([images, styled]), np.concatenate([labels, styled_labels]), dict(counts.most_common())
