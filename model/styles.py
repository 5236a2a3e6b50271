"""Handwriting styles MNIST lacks, synthesised from MNIST training digits (seeded NumPy, SciPy, Pillow).

MNIST's writers were American: its 1s are bare strokes, its 7s uncrossed, its 4s mostly open.
Models trained on it read a European 1 (a long flag at the top) as a 7. `stylised` turns a share
of the training digits into the missing styles, drawn onto the digit at 4x resolution, and frames
the result as MNIST does (longer side 20 px, centre of mass at the centre of 28x28):

- 1 flag: from the top of the stem down to the left, 15-45% of the digit's height long and
  30-65 degrees below the horizontal; with a base line (30-60% of the height) one time in three;
  a third of the 1s slanted further (shear up to 0.45).
- 7 crossed: a bar through the stem at 40-65% of the height, 25-50% of the height long, within
  8 degrees of the horizontal. 7 hooked: a tick down from the top bar's left end, 10-25% of the height.
- 4 closed (one 4 in three: it comes near a 9): a diagonal from the top of the stem to the left end
  of the cross bar. 4 crossed stem: the cross bar carried on past the stem by 10-25% of the height.
- 9 curved tail: the foot of the stem curls left by 20-35% of the height.
- 2 loop: a small loop (20-30% of the height across) where the diagonal meets the base.
- canvas strokes (any digit): the digit thinned to its skeleton and redrawn with a round brush
  1.6-3.6 px wide; angular (any digit): the skeleton joined through a coarse grid, the polyline
  of a fast mouse or a coarse touch screen. Only digits whose loops are open (0, 6, 9 one, 8 two)
  are thinned, and a redraw that loses or adds a loop is dropped: a blotted 8 must not become a 6.

Unambiguous by construction: a flag is shorter and steeper than a 7's bar (which is about
horizontal and at least half the height long), a 7's crossing bar sits below its top bar and
crosses the stem, and a 2's loop is small and at its foot. `docs/styles.png` shows samples
(`python -m model.style_sheet docs/styles.png`). This module shares nothing with the style
benchmark (model/style_benchmark.py), which measures whether the model generalises.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

SCALE = 4  # strokes are drawn at 4x resolution, then reduced (anti-aliased)
PAD = 8  # room (in 28-px pixels) around the digit for strokes that reach past it
SIDE = 28
BOX = 20
# The share of each digit's training images given a style (the rest of every class: canvas or angular strokes).
STYLE_SHARE = {1: 0.6, 7: 0.5, 4: 0.4, 9: 0.3, 2: 0.3}
OTHER_SHARE = 0.2
MIN_INK_PIXELS = 12
LOOPS = {0: 1, 6: 1, 8: 2, 9: 1}  # loops a digit must show before it is thinned and redrawn
RESTROKE_SHARE = 0.3  # of the styled digits of 1, 7, 4, 9 and 2, also redrawn as canvas strokes


class Canvas:
    """A digit at SCALE x resolution on a padded canvas, with its geometry in 28-px units."""

    def __init__(self, image: np.ndarray) -> None:
        padded = np.pad(image.astype(np.float32) / 255.0, PAD)
        side = padded.shape[0] * SCALE
        self.ink = np.asarray(Image.fromarray(padded, mode="F").resize((side, side), Image.Resampling.BILINEAR))
        rows, cols = np.nonzero(padded > 0.3)
        self.mask = padded > 0.3
        self.top, self.bottom = int(rows.min()), int(rows.max())
        self.left, self.right = int(cols.min()), int(cols.max())
        self.height = self.bottom - self.top + 1

    def ink_columns(self, row: int) -> np.ndarray:
        return np.flatnonzero(self.mask[int(np.clip(round(row), 0, self.mask.shape[0] - 1))])

    def draw(self, points: list[tuple[float, float]], width: float) -> None:
        """A stroke through points (x, y in 28-px units of the padded canvas), round caps, added to the ink."""
        side = self.ink.shape[0]
        layer = Image.new("F", (side, side), 0.0)
        pen = ImageDraw.Draw(layer)
        scaled = [((x + 0.5) * SCALE, (y + 0.5) * SCALE) for x, y in points]
        radius = width * SCALE / 2
        pen.line(scaled, fill=1.0, width=max(1, round(width * SCALE)), joint="curve")
        for x, y in (scaled[0], scaled[-1]):
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=1.0)
        self.ink = np.maximum(self.ink, np.asarray(layer))


def _flagged_one(c: Canvas, rng: np.random.Generator, width: float) -> str:
    top_x = float(c.ink_columns(c.top).mean())
    length, angle = rng.uniform(0.15, 0.45) * c.height, math.radians(rng.uniform(30, 65))
    c.draw([(top_x - length * math.cos(angle), c.top + length * math.sin(angle)), (top_x, c.top)], width)
    if rng.random() < 1 / 3:
        foot_x, half = float(c.ink_columns(c.bottom).mean()), rng.uniform(0.15, 0.30) * c.height
        shift = rng.uniform(-0.3, 0.3) * half
        c.draw([(foot_x - half + shift, c.bottom), (foot_x + half + shift, c.bottom)], width)
        return "1 flag and base"
    return "1 flag"


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


VARIANTS: dict[int, list[Callable[[Canvas, np.random.Generator, float], str]]] = {
    1: [_flagged_one],
    7: [_crossed_seven, _hooked_seven],
    4: [_closed_four, _crossed_four, _crossed_four],  # a closed 4 comes near a 9: one in three
    9: [_curved_nine],
    2: [_looped_two],
}


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning: the one-pixel skeleton of a binary image (vectorised over the image)."""
    image = np.pad(mask, 1).astype(np.uint8)
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            p = image
            n = [p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:], p[2:, 1:-1], p[2:, :-2], p[1:-1, :-2], p[:-2, :-2]]
            count = sum(n)
            transitions = sum((n[i] == 0) & (n[(i + 1) % 8] == 1) for i in range(8))
            if step == 0:
                side = (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
            else:
                side = (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
            remove = (p[1:-1, 1:-1] == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & side
            if remove.any():
                image[1:-1, 1:-1][remove] = 0
                changed = True
    return image[1:-1, 1:-1].astype(bool)


def restroke(c: Canvas, rng: np.random.Generator) -> str:
    """Redraw the digit as a canvas would: its skeleton with a round brush, or joined through a coarse grid."""
    skeleton = thin(c.ink > 0.5)
    if rng.random() < 0.35:  # angular: skeleton pixels grouped in cells, neighbouring cells joined by straight lines
        cell = rng.uniform(3.0, 5.0) * SCALE
        ys, xs = np.nonzero(skeleton)
        ids = (ys // cell).astype(int) * 1000 + (xs // cell).astype(int)
        index = np.full(skeleton.shape, -1)
        index[ys, xs] = ids
        nodes = {i: (xs[ids == i].mean(), ys[ids == i].mean()) for i in np.unique(ids)}
        edges = set()
        height, width = index.shape
        for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):  # a pixel (a) and its neighbour (b) one step that way
            a = index[: height - dy, max(0, -dx) : width - max(0, dx)]
            b = index[dy:, max(0, dx) : width - max(0, -dx)]
            both = (a >= 0) & (b >= 0) & (a != b)
            edges.update(zip(a[both].tolist(), b[both].tolist(), strict=True))
        skeleton = np.zeros_like(skeleton)
        layer = Image.fromarray(skeleton.astype(np.uint8))
        pen = ImageDraw.Draw(layer)
        for a, b in edges:
            pen.line([nodes[a], nodes[b]], fill=1, width=1)
        skeleton = np.asarray(layer).astype(bool)
        style = "angular"
    else:
        style = "canvas strokes"
    radius = rng.uniform(0.8, 1.8) * SCALE
    distance = ndimage.distance_transform_edt(~skeleton)
    c.ink = np.clip(radius + 0.5 - distance, 0.0, 1.0).astype(np.float32)
    return style


def holes(mask: np.ndarray) -> int:
    """Loops: pieces of background not connected to the border (small gaps of a pixel or two ignored)."""
    background, count = ndimage.label(~mask)
    border = set(np.unique(np.concatenate([background[0], background[-1], background[:, 0], background[:, -1]])))
    sizes = np.bincount(background.ravel(), minlength=count + 1)
    return sum(1 for i in range(1, count + 1) if i not in border and sizes[i] >= 4 * SCALE * SCALE)


def _slant(ink: np.ndarray, shear: float) -> np.ndarray:
    centre = ink.shape[0] / 2
    image = Image.fromarray(ink, mode="F")
    return np.asarray(image.transform(image.size, Image.Transform.AFFINE, (1, shear, -shear * centre, 0, 1, 0)))


def frame(ink: np.ndarray) -> np.ndarray:
    """MNIST's framing: the ink's longer side to 20 px (aspect kept), centre of mass at the centre of 28x28."""
    rows, cols = np.nonzero(ink > 0.1)
    crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    factor = BOX / max(crop.shape)
    size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
    small = np.clip(np.asarray(Image.fromarray(crop, mode="F").resize(size, Image.Resampling.BOX)), 0.0, 1.0)
    small = small / max(float(small.max()), 1e-6)
    out = np.zeros((SIDE + 2 * BOX, SIDE + 2 * BOX), dtype=np.float32)
    com_y, com_x = ndimage.center_of_mass(small)
    top, left = BOX + round(SIDE / 2 - com_y), BOX + round(SIDE / 2 - com_x)
    out[top : top + small.shape[0], left : left + small.shape[1]] = small
    return np.round(out[BOX : BOX + SIDE, BOX : BOX + SIDE] * 255).astype(np.uint8)


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
    loops_intact = holes(canvas.ink > 0.5) >= LOOPS.get(label, 0)  # a blotted loop would thin into a line
    if loops_intact and (label not in VARIANTS or rng.random() < RESTROKE_SHARE):
        before = canvas.ink
        styles.append(restroke(canvas, rng))
        if holes(canvas.ink > 0.5) != holes(before > 0.5):  # a loop filled with ink thinned away: an 8 may look like a 6
            canvas.ink, styles[-1] = before, ""
    if label == 1 and rng.random() < 1 / 3:
        canvas.ink = _slant(canvas.ink, rng.uniform(0.25, 0.45) * rng.choice([-1, 1]))
        styles.append("slanted")
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
