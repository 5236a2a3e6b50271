"""The drawing surface of the style synthesis (model/styles.py): a digit at 4x, redrawn as canvas strokes, framed as MNIST.

Kept apart from the styles themselves: this is the geometry every style shares (where the ink
is, its loops, its skeleton) and the ways a canvas changes a digit's look (uniform round strokes,
angular polylines, a broader or finer pen), and MNIST's framing of the result.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from model.stroke_width import normalise_stroke

SCALE = 4  # strokes are drawn at 4x resolution, then reduced (anti-aliased)
PAD = 8  # room (in 28-px pixels) around the digit for strokes that reach past it
SIDE = 28
BOX = 20
STROKE_INK = 0.25  # an erosion must leave ink this strong (as in serving's framing)


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

    def ink_columns(self, row: float) -> np.ndarray:
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


def _zhang_suen_tables() -> tuple[np.ndarray, np.ndarray]:
    """For each of the 256 neighbourhoods (bit i: neighbour i clockwise from north), may sub-step 1 / 2 remove the pixel?"""
    codes = np.arange(256)
    n = [(codes >> i) & 1 for i in range(8)]
    count = sum(n)
    transitions = sum((n[i] == 0) & (n[(i + 1) % 8] == 1) for i in range(8))
    removable = (count >= 2) & (count <= 6) & (transitions == 1)
    first = removable & (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
    second = removable & (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
    return first, second


THINNING_TABLES = _zhang_suen_tables()


def thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning: the one-pixel skeleton of a binary image (a table look-up per pixel, on the ink's box only)."""
    rows, cols = np.nonzero(mask)
    out = np.zeros(mask.shape, dtype=bool)
    if rows.size == 0:
        return out
    top, left = rows.min(), cols.min()
    image = np.pad(mask[top : rows.max() + 1, left : cols.max() + 1], 1).astype(np.uint8)
    changed = True
    while changed:
        changed = False
        for table in THINNING_TABLES:
            p = image
            code = (
                p[:-2, 1:-1] | p[:-2, 2:] << 1 | p[1:-1, 2:] << 2 | p[2:, 2:] << 3
                | p[2:, 1:-1] << 4 | p[2:, :-2] << 5 | p[1:-1, :-2] << 6 | p[:-2, :-2] << 7
            )  # fmt: skip
            remove = (p[1:-1, 1:-1] == 1) & table[code]
            if remove.any():
                image[1:-1, 1:-1][remove] = 0
                changed = True
    inner = image[1:-1, 1:-1].astype(bool)
    out[top : top + inner.shape[0], left : left + inner.shape[1]] = inner
    return out


def _angular(skeleton: np.ndarray, cell: float) -> np.ndarray:
    """The skeleton's pixels grouped in cells, neighbouring cells joined by straight lines: a fast mouse's polyline."""
    ys, xs = np.nonzero(skeleton)
    ids = (ys // cell).astype(int) * 1000 + (xs // cell).astype(int)
    index = np.full(skeleton.shape, -1)
    index[ys, xs] = ids
    unique, inverse = np.unique(ids, return_inverse=True)
    counts = np.bincount(inverse)
    centres = np.stack([np.bincount(inverse, xs) / counts, np.bincount(inverse, ys) / counts], axis=1)
    nodes = dict(zip(unique.tolist(), map(tuple, centres.tolist()), strict=True))
    edges = set()
    height, width = index.shape
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):  # a pixel (a) and its neighbour (b) one step that way
        a = index[: height - dy, max(0, -dx) : width - max(0, dx)]
        b = index[dy:, max(0, dx) : width - max(0, -dx)]
        both = (a >= 0) & (b >= 0) & (a != b)
        edges.update(zip(a[both].tolist(), b[both].tolist(), strict=True))
    layer = Image.fromarray(np.zeros(skeleton.shape, dtype=np.uint8))
    pen = ImageDraw.Draw(layer)
    for a, b in edges:
        pen.line([nodes[a], nodes[b]], fill=1, width=1)
    return np.asarray(layer).astype(bool)


def restroke(c: Canvas, rng: np.random.Generator) -> str:
    """Redraw the digit as a canvas would: its skeleton with a round brush, or joined through a coarse grid."""
    skeleton = thin(c.ink > 0.5)
    style = "canvas strokes"
    if rng.random() < 0.35:
        skeleton, style = _angular(skeleton, rng.uniform(3.0, 5.0) * SCALE), "angular"
    radius = rng.uniform(0.8, 1.8) * SCALE
    distance = ndimage.distance_transform_edt(~skeleton)
    c.ink = np.clip(radius + 0.5 - distance, 0.0, 1.0).astype(np.float32)
    return style


def reweigh(c: Canvas, rng: np.random.Generator) -> str:
    """A broader or finer pen: every stroke widened by up to 2.4 px or narrowed by up to 1 px (28-px units).

    MNIST's strokes are 2-3 px wide on a 20 px digit; a marker on a small canvas, or a fine pen on a
    large one, gives strokes far from that once the drawing is framed. A narrowing that breaks a
    stroke apart is not kept (a fine pen does not lift off the paper).
    """
    change = rng.uniform(-1.0, 2.4) * SCALE
    mask = c.ink > 0.5
    if change >= 0:
        distance = ndimage.distance_transform_edt(~mask)
        c.ink = np.maximum(c.ink, np.clip(change / 2 + 0.5 - distance, 0.0, 1.0)).astype(np.float32)
        return "broad pen"
    depth = ndimage.distance_transform_edt(mask)
    thinner = np.where(mask, np.clip(depth + change / 2 + 0.5, 0.0, 1.0), 0.0).astype(np.float32)
    if ndimage.label(thinner > 0.5)[1] != ndimage.label(mask)[1]:
        return ""
    c.ink = thinner
    return "fine pen"


def loops(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Background labelled, and how many of its pieces are loops (not connected to the border, not a gap of a pixel or two)."""
    rows, cols = np.nonzero(mask)
    labelled = np.zeros(mask.shape, dtype=np.int32)
    if rows.size == 0:
        return labelled, 0
    box = (slice(max(rows.min() - 1, 0), rows.max() + 2), slice(max(cols.min() - 1, 0), cols.max() + 2))
    background, count = ndimage.label(~np.pad(mask[box], 1))  # the ink's box with a free border: a quarter of the canvas
    border = np.unique(np.concatenate([background[0], background[-1], background[:, 0], background[:, -1]]))
    sizes = np.bincount(background.ravel(), minlength=count + 1)
    keep = sizes >= 4 * SCALE * SCALE
    keep[border] = False
    keep[0] = False
    labelled[box] = np.where(keep[background], background, 0)[1:-1, 1:-1]
    return labelled, int(keep.sum())


def holes(mask: np.ndarray) -> int:
    """How many loops the ink closes."""
    return loops(mask)[1]


def _crop(ink: np.ndarray) -> np.ndarray:
    rows, cols = np.nonzero(ink > 0.1)
    return ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def slant(ink: np.ndarray, shear: float) -> np.ndarray:
    centre = ink.shape[0] / 2
    image = Image.fromarray(ink, mode="F")
    return np.asarray(image.transform(image.size, Image.Transform.AFFINE, (1, shear, -shear * centre, 0, 1, 0)))


def frame(ink: np.ndarray) -> np.ndarray:
    """MNIST's framing as served: strokes brought into MNIST's width range (model/stroke_width.py), the
    ink's longer side to 20 px (aspect kept), centre of mass at the centre of 28x28."""
    crop = _crop(ink)
    crop = _crop(normalise_stroke(crop, BOX / max(crop.shape), STROKE_INK))
    factor = BOX / max(crop.shape)
    size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
    small = np.clip(np.asarray(Image.fromarray(crop, mode="F").resize(size, Image.Resampling.BOX)), 0.0, 1.0)
    small = small / max(float(small.max()), 1e-6)
    out = np.zeros((SIDE + 2 * BOX, SIDE + 2 * BOX), dtype=np.float32)
    com_y, com_x = ndimage.center_of_mass(small)
    top, left = BOX + round(SIDE / 2 - com_y), BOX + round(SIDE / 2 - com_x)
    out[top : top + small.shape[0], left : left + small.shape[1]] = small
    return np.round(out[BOX : BOX + SIDE, BOX : BOX + SIDE] * 255).astype(np.uint8)
